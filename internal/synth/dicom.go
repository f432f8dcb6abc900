package synth

import (
	"archive/zip"
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"math/big"
	"time"
)

// DICOM identifiers used by the writer.
const (
	// ExplicitVRLittleEndian is the transfer syntax of every file written.
	ExplicitVRLittleEndian = "1.2.840.10008.1.2.1"
	// CTImageStorage is the SOP class of a CT slice.
	CTImageStorage = "1.2.840.10008.5.1.4.1.1.2"
	// MRImageStorage is the SOP class of an MR slice.
	MRImageStorage = "1.2.840.10008.5.1.4.1.1.4"

	implementationClassUID = "2.25.229125451336063958393591232406429873093"
	implementationVersion  = "CASEPORT_SYNTH"
)

// SliceSize is the width and height in pixels of a slice, unless Study.Size
// says otherwise.
const SliceSize = 16

// Study describes a synthetic imaging study. Every UID is derived from Seed,
// so writing the same Study twice gives the same bytes.
type Study struct {
	Seed        string    // makes the UIDs; different studies need different seeds
	PatientName string    // the synthetic alias, e.g. "Patient A"; never a real name; UTF-8 is declared when not ASCII
	PatientID   string    // e.g. "SYN-041"
	PatientSex  string    // "F", "M", "O" or ""
	Date        time.Time // the study date; its time of day is the study time
	Modality    string    // "CT" or "MR"
	Description string    // study description, e.g. "CT chest abdomen pelvis with contrast"
	Series      string    // series description, e.g. "Axial 5 mm venous phase"
	Institution string    // a fictional institution
	Accession   string
	Slices      int     // number of slices; at least 1
	Thickness   float64 // slice thickness and spacing in mm; 5 when 0
	Size        int     // width and height of a slice in pixels; SliceSize when 0
}

func (s Study) size() int {
	if s.Size > 0 {
		return s.Size
	}
	return SliceSize
}

func (s Study) sopClass() (string, error) {
	switch s.Modality {
	case "CT":
		return CTImageStorage, nil
	case "MR":
		return MRImageStorage, nil
	}
	return "", fmt.Errorf("study %q: modality %q is not supported; use CT or MR", s.Seed, s.Modality)
}

// ascii reports whether every text attribute of the study is ASCII.
func (s Study) ascii() bool {
	for _, t := range []string{s.PatientName, s.PatientID, s.Description, s.Series, s.Institution, s.Accession} {
		for i := 0; i < len(t); i++ {
			if t[i] >= 0x80 {
				return false
			}
		}
	}
	return true
}

// uid derives a UID under the 2.25 root (a UUID written as an integer) from
// the study's seed and parts, so UIDs are unique between studies yet the same
// on every run.
func (s Study) uid(parts ...any) string {
	h := sha256.Sum256(fmt.Appendf(nil, "caseport synth\x00%s\x00%v", s.Seed, parts))
	u := h[:16]
	u[6] = u[6]&0x0f | 0x80 // UUID version 8: custom, name-based
	u[8] = u[8]&0x3f | 0x80 // RFC 9562 variant
	return "2.25." + new(big.Int).SetBytes(u).String()
}

// DICOMSlice writes slice index (0-based) of the study as a DICOM Part 10
// file: the 128-byte preamble, "DICM", the file meta group, then the data set
// in explicit VR little endian, with a square 12-bit image (Study.Size) of a
// round body with a lesion whose size changes from slice to slice.
func DICOMSlice(w io.Writer, s Study, index int) error {
	class, err := s.sopClass()
	if err != nil {
		return err
	}
	if s.Slices < 1 || index < 0 || index >= s.Slices {
		return fmt.Errorf("study %q: slice %d of %d does not exist", s.Seed, index, s.Slices)
	}
	thick := s.Thickness
	if thick == 0 {
		thick = 5
	}
	instance := s.uid("instance", index)

	var meta dataset
	meta.bytes(0x0002, 0x0001, "OB", []byte{0, 1})
	meta.str(0x0002, 0x0002, "UI", class)
	meta.str(0x0002, 0x0003, "UI", instance)
	meta.str(0x0002, 0x0010, "UI", ExplicitVRLittleEndian)
	meta.str(0x0002, 0x0012, "UI", implementationClassUID)
	meta.str(0x0002, 0x0013, "SH", implementationVersion)
	var group dataset
	group.u32(0x0002, 0x0000, uint32(meta.buf.Len()))

	date, tm := s.Date.Format("20060102"), s.Date.Format("150405")
	z := float64(-index) * thick
	var ds dataset
	if !s.ascii() {
		// Without a character set, readers take text as ASCII and garble
		// an alias such as "Пациентка Б".
		ds.str(0x0008, 0x0005, "CS", "ISO_IR 192")
	}
	ds.str(0x0008, 0x0008, "CS", `ORIGINAL\PRIMARY\AXIAL`)
	ds.str(0x0008, 0x0016, "UI", class)
	ds.str(0x0008, 0x0018, "UI", instance)
	ds.str(0x0008, 0x0020, "DA", date)
	ds.str(0x0008, 0x0021, "DA", date)
	ds.str(0x0008, 0x0023, "DA", date)
	ds.str(0x0008, 0x0030, "TM", tm)
	ds.str(0x0008, 0x0050, "SH", s.Accession)
	ds.str(0x0008, 0x0060, "CS", s.Modality)
	ds.str(0x0008, 0x0070, "LO", "caseport synthetic")
	ds.str(0x0008, 0x0080, "LO", s.Institution)
	ds.str(0x0008, 0x1030, "LO", s.Description)
	ds.str(0x0008, 0x103e, "LO", s.Series)
	ds.str(0x0010, 0x0010, "PN", s.PatientName)
	ds.str(0x0010, 0x0020, "LO", s.PatientID)
	ds.str(0x0010, 0x0030, "DA", "")
	ds.str(0x0010, 0x0040, "CS", s.PatientSex)
	ds.str(0x0018, 0x0050, "DS", ds.decimal(thick))
	ds.str(0x0020, 0x000d, "UI", s.uid("study"))
	ds.str(0x0020, 0x000e, "UI", s.uid("series"))
	ds.str(0x0020, 0x0010, "SH", "1")
	ds.str(0x0020, 0x0011, "IS", "1")
	ds.str(0x0020, 0x0013, "IS", fmt.Sprint(index+1))
	ds.str(0x0020, 0x0032, "DS", `-160\-160\`+ds.decimal(z))
	ds.str(0x0020, 0x0037, "DS", `1\0\0\0\1\0`)
	ds.str(0x0020, 0x0052, "UI", s.uid("frame"))
	ds.str(0x0020, 0x1041, "DS", ds.decimal(z))
	ds.u16(0x0028, 0x0002, 1)
	ds.str(0x0028, 0x0004, "CS", "MONOCHROME2")
	ds.u16(0x0028, 0x0010, uint16(s.size()))
	ds.u16(0x0028, 0x0011, uint16(s.size()))
	ds.str(0x0028, 0x0030, "DS", ds.decimal(320/float64(s.size()))+`\`+ds.decimal(320/float64(s.size())))
	ds.u16(0x0028, 0x0100, 16)
	ds.u16(0x0028, 0x0101, 12)
	ds.u16(0x0028, 0x0102, 11)
	ds.u16(0x0028, 0x0103, 0)
	if s.Modality == "CT" {
		ds.str(0x0028, 0x1050, "DS", "40")
		ds.str(0x0028, 0x1051, "DS", "400")
		ds.str(0x0028, 0x1052, "DS", "-1024")
		ds.str(0x0028, 0x1053, "DS", "1")
	} else {
		ds.str(0x0028, 0x1050, "DS", "600")
		ds.str(0x0028, 0x1051, "DS", "1200")
	}
	ds.bytes(0x7fe0, 0x0010, "OW", pixels(index, s.Slices, s.size()))

	bw := bufio.NewWriter(w)
	bw.Write(make([]byte, 128))
	bw.WriteString("DICM")
	bw.Write(group.buf.Bytes())
	bw.Write(meta.buf.Bytes())
	bw.Write(ds.buf.Bytes())
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing DICOM slice %d of study %q: %w", index+1, s.Seed, err)
	}
	return nil
}

// DICOMZip writes the study as a zip archive of its slices, one Part 10 file
// per slice under DICOM/, the way a hospital's image CD is often shared.
// Entries carry the study date as their modification time, so the archive is
// the same bytes on every run.
func DICOMZip(w io.Writer, s Study) error {
	if _, err := s.sopClass(); err != nil {
		return err
	}
	zw := zip.NewWriter(w)
	for i := range s.Slices {
		f, err := zw.CreateHeader(&zip.FileHeader{
			Name:     fmt.Sprintf("DICOM/SE000001/IM%06d.dcm", i+1),
			Method:   zip.Deflate,
			Modified: s.Date.UTC(),
		})
		if err != nil {
			return fmt.Errorf("DICOM archive of study %q: %w", s.Seed, err)
		}
		if err := DICOMSlice(f, s, i); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("DICOM archive of study %q: %w", s.Seed, err)
	}
	return nil
}

// pixels draws slice index of count: an oval body of soft tissue in air with
// a brighter lesion that is largest in the middle slice. Values are stored
// 12-bit; with the CT rescale they read as Hounsfield units.
func pixels(index, count, size int) []byte {
	out := make([]byte, 2*size*size)
	// The drawing is made on a 16×16 grid; a larger slice samples it finer.
	scale := float64(SliceSize) / float64(size)
	mid := float64(count-1) / 2
	lesion := 3.0 - 2.5*math.Abs(float64(index)-mid)/math.Max(mid, 1)
	for y := range size {
		for x := range size {
			gx, gy := (float64(x)+0.5)*scale-0.5, (float64(y)+0.5)*scale-0.5
			dx, dy := gx-7.5, gy-7.5
			v := 24 // air, -1000 HU
			if dx*dx/49+dy*dy/30 <= 1 {
				v = 1064 // soft tissue, 40 HU
			}
			if lx, ly := gx-10, gy-7; lx*lx+ly*ly <= lesion*lesion {
				v = 1144 // enhancing lesion, 120 HU
			}
			binary.LittleEndian.PutUint16(out[2*(y*size+x):], uint16(v))
		}
	}
	return out
}

// dataset accumulates explicit VR little endian elements in the order they
// are added; callers add them in ascending tag order as the standard requires.
type dataset struct{ buf bytes.Buffer }

func (d *dataset) header(group, elem uint16, vr string, n int) {
	var h [12]byte
	binary.LittleEndian.PutUint16(h[0:], group)
	binary.LittleEndian.PutUint16(h[2:], elem)
	copy(h[4:], vr)
	switch vr {
	case "OB", "OW", "OF", "SQ", "UT", "UN":
		// These VRs have two reserved bytes and a 32-bit length.
		binary.LittleEndian.PutUint32(h[8:], uint32(n))
		d.buf.Write(h[:12])
	default:
		binary.LittleEndian.PutUint16(h[6:], uint16(n))
		d.buf.Write(h[:8])
	}
}

// str adds a string element, padded to even length: UIDs with a NUL, other
// text with a space.
func (d *dataset) str(group, elem uint16, vr, v string) {
	b := []byte(v)
	if len(b)%2 == 1 {
		if vr == "UI" {
			b = append(b, 0)
		} else {
			b = append(b, ' ')
		}
	}
	d.header(group, elem, vr, len(b))
	d.buf.Write(b)
}

func (d *dataset) bytes(group, elem uint16, vr string, b []byte) {
	if len(b)%2 == 1 {
		b = append(b, 0)
	}
	d.header(group, elem, vr, len(b))
	d.buf.Write(b)
}

func (d *dataset) u16(group, elem uint16, v uint16) {
	d.header(group, elem, "US", 2)
	binary.Write(&d.buf, binary.LittleEndian, v)
}

func (d *dataset) u32(group, elem uint16, v uint32) {
	d.header(group, elem, "UL", 4)
	binary.Write(&d.buf, binary.LittleEndian, v)
}

// decimal formats a DS value (at most 16 characters).
func (d *dataset) decimal(f float64) string {
	return fmt.Sprintf("%g", f)
}
