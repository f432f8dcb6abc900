// Package dicomscan reads what a DICOM archive says about itself, at build
// time, so that check can compare it with case.toml and the portal can show
// it beside the report.
//
// An archive is a zip (folders nested to any depth, a DICOMDIR or not) or a
// single DICOM file. Files are recognised by content, not by name: a Part 10
// file starts with a 128-byte preamble and "DICM", whether or not it ends in
// .dcm. Headers are parsed with github.com/suyashkumar/dicom, one file at a
// time, stopping at the pixel data, which is skipped unread: memory stays
// bounded by the number of series, however many slices the archive holds.
//
// A summary gives, per study, its date, modalities, description and body
// part, and per series its description, modality, number of images and slice
// thickness; it counts files that are not DICOM and says whether the headers
// carry identifying data (patient name, ID, birth date).
package dicomscan

import (
	"archive/zip"
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/suyashkumar/dicom"
	"github.com/suyashkumar/dicom/pkg/tag"
)

// Summary is what an archive's headers say.
type Summary struct {
	// Files is the number of files examined (zip entries that are not folders).
	Files int `json:"files"`
	// DICOMFiles is the number of DICOM files among them, DICOMDIR included.
	DICOMFiles int `json:"dicom_files"`
	// DICOMDIR says whether the archive has a DICOMDIR index.
	DICOMDIR bool `json:"dicomdir"`
	// NonDICOM is the number of files that are not DICOM (a viewer program,
	// a README); NonDICOMNames lists the first few of them.
	NonDICOM      int      `json:"non_dicom"`
	NonDICOMNames []string `json:"non_dicom_names,omitempty"`
	// Unreadable counts files that start like DICOM but whose header could
	// not be parsed; FirstError says why for the first of them.
	Unreadable int    `json:"unreadable"`
	FirstError string `json:"first_error,omitempty"`
	// Identifying names the identifying attributes present with a value in
	// at least one header: "patient name", "patient ID", "birth date".
	Identifying []string `json:"identifying"`
	Studies     []*Study `json:"studies"`
}

// Images is the number of images in every series of every study.
func (s *Summary) Images() int {
	n := 0
	for _, st := range s.Studies {
		for _, se := range st.Series {
			n += se.Images
		}
	}
	return n
}

// Study is one study (Study Instance UID) of the archive.
type Study struct {
	UID string `json:"uid"`
	// Date is the study date as YYYY-MM-DD, "" when absent or malformed.
	Date string `json:"date,omitempty"`
	// Modalities are the series' modalities, sorted, each once.
	Modalities  []string  `json:"modalities"`
	Description string    `json:"description,omitempty"`
	BodyPart    string    `json:"body_part,omitempty"`
	Series      []*Series `json:"series"`
}

// Series is one series (Series Instance UID) of a study.
type Series struct {
	UID         string `json:"uid"`
	Number      int    `json:"number,omitempty"`
	Description string `json:"description,omitempty"`
	Modality    string `json:"modality,omitempty"`
	// Images counts frames: one per single-frame file, Number of Frames for
	// a multi-frame file.
	Images int `json:"images"`
	// SliceThickness is in mm, 0 when absent.
	SliceThickness float64 `json:"slice_thickness_mm,omitempty"`
	// TransferSyntax is the transfer syntax UID of the series' first file.
	TransferSyntax string `json:"transfer_syntax"`
	Rows           int    `json:"rows,omitempty"`
	Columns        int    `json:"columns,omitempty"`
	// Instances are the series' files in the order a viewer shows them
	// (instance number, then position along the slice axis, then name).
	Instances []Instance `json:"-"`
}

// Instance is one file of a series, located in the archive.
type Instance struct {
	// Entry is the file's name inside the zip, "" for a single-file archive.
	Entry  string
	Number int
	// Location is the slice location (or the last image position
	// coordinate) in mm, for ordering when instance numbers are missing.
	Location float64
	Frames   int
}

// Options tune a scan.
type Options struct {
	// MaxNames caps NonDICOMNames; 5 when 0.
	MaxNames int
}

// ErrNoDICOM is wrapped by the error Scan returns for an archive without a
// single readable DICOM image.
var ErrNoDICOM = errors.New("no DICOM image in it")

// DICOMDIRClass is the Media Storage SOP Class UID of a DICOMDIR.
const DICOMDIRClass = "1.2.840.10008.1.3.10"

// Scan reads the archive at path: a zip, or one DICOM file. It fails when
// the file cannot be read, is a damaged zip, or holds no readable DICOM
// image (wrapping ErrNoDICOM, with the summary still returned).
func Scan(path string, opt Options) (*Summary, error) {
	if opt.MaxNames == 0 {
		opt.MaxNames = 5
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading DICOM archive: %w", err)
	}
	defer f.Close()
	var magic [4]byte
	n, _ := io.ReadFull(f, magic[:])
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("reading DICOM archive: %w", err)
	}
	c := newCollector(opt)
	if n == 4 && string(magic[:]) == "PK\x03\x04" {
		if err := c.zip(f); err != nil {
			return nil, err
		}
	} else {
		info, err := f.Stat()
		if err != nil {
			return nil, fmt.Errorf("reading DICOM archive: %w", err)
		}
		c.file("", path, f, info.Size())
	}
	s := c.summary()
	if s.Images() == 0 {
		return s, fmt.Errorf("%w (%s)", ErrNoDICOM, s.contents())
	}
	return s, nil
}

// contents describes what an archive without images holds.
func (s *Summary) contents() string {
	parts := []string{plural(s.Files, "file", "files")}
	if s.NonDICOM > 0 {
		parts = append(parts, fmt.Sprintf("%d not DICOM", s.NonDICOM))
	}
	if s.Unreadable > 0 {
		parts = append(parts, fmt.Sprintf("%d unreadable: %s", s.Unreadable, s.FirstError))
	}
	return strings.Join(parts, ", ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// collector accumulates headers file by file.
type collector struct {
	opt         Options
	s           Summary
	studies     map[string]*Study
	series      map[string]*Series
	identifying map[string]bool
}

func newCollector(opt Options) *collector {
	return &collector{opt: opt, studies: map[string]*Study{}, series: map[string]*Series{}, identifying: map[string]bool{}}
}

func (c *collector) zip(f *os.File) error {
	info, err := f.Stat()
	if err != nil {
		return fmt.Errorf("reading DICOM archive: %w", err)
	}
	zr, err := zip.NewReader(f, info.Size())
	if err != nil {
		return fmt.Errorf("reading the zip archive: %w", err)
	}
	for _, zf := range zr.File {
		if zf.FileInfo().IsDir() {
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			c.unreadable(zf.Name, err)
			c.s.Files++
			continue
		}
		c.file(zf.Name, zf.Name, rc, int64(zf.UncompressedSize64))
		rc.Close()
	}
	return nil
}

func (c *collector) unreadable(name string, err error) {
	c.s.Unreadable++
	if c.s.FirstError == "" {
		c.s.FirstError = fmt.Sprintf("%s: %v", name, err)
	}
}

// file reads one file's header. entry is its name inside the zip ("" for a
// single file); label names it in messages.
func (c *collector) file(entry, label string, r io.Reader, size int64) {
	c.s.Files++
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(132)
	if !IsPart10(head) {
		c.s.NonDICOM++
		if len(c.s.NonDICOMNames) < c.opt.MaxNames {
			c.s.NonDICOMNames = append(c.s.NonDICOMNames, path.Base(label))
		}
		return
	}
	c.s.DICOMFiles++
	h, err := ReadHeader(br, size)
	if err != nil {
		c.unreadable(path.Base(label), err)
		return
	}
	if h.Class == DICOMDIRClass {
		c.s.DICOMDIR = true
		return
	}
	c.add(entry, h)
}

// IsPart10 reports whether the first bytes of a file are a DICOM Part 10
// preamble and prefix: 128 bytes, then "DICM".
func IsPart10(head []byte) bool {
	return len(head) >= 132 && bytes.Equal(head[128:132], []byte("DICM"))
}

// Header holds the attributes of one file that the summary and the
// previews need.
type Header struct {
	Class, TransferSyntax                  string
	StudyUID, StudyDate, StudyDescription  string
	BodyPart                               string
	SeriesUID, SeriesDescription, Modality string
	SeriesNumber, InstanceNumber           int
	SliceThickness, Location               float64
	HasLocation                            bool
	Frames                                 int
	Rows, Columns                          int
	BitsAllocated, BitsStored, HighBit     int
	PixelRepresentation, SamplesPerPixel   int
	Photometric                            string
	PlanarConfiguration                    int
	RescaleSlope, RescaleIntercept         float64
	WindowCenter, WindowWidth              float64
	HasWindow                              bool
	PatientName, PatientID, BirthDate      string
	// PixelData says whether the data set has pixel data (an image).
	PixelData bool
}

// ReadHeader parses a Part 10 file's header up to its pixel data, which it
// skips without keeping. size is the file's length in bytes.
func ReadHeader(r io.Reader, size int64) (*Header, error) {
	p, err := dicom.NewParser(r, size, nil, dicom.SkipPixelData(),
		dicom.AllowUnknownSpecificCharacterSet(), dicom.AllowMissingMetaElementGroupLength())
	if err != nil {
		return nil, fmt.Errorf("DICOM header: %w", err)
	}
	h := &Header{Frames: 1, RescaleSlope: 1, SamplesPerPixel: 1}
	for _, e := range p.GetMetadata().Elements {
		h.set(e)
	}
	for {
		e, err := p.Next()
		if errors.Is(err, dicom.ErrorEndOfDICOM) || errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("DICOM header: %w", err)
		}
		h.set(e)
		if e.Tag == tag.PixelData {
			// Nothing after the pixel data matters here.
			break
		}
	}
	return h, nil
}

func (h *Header) set(e *dicom.Element) {
	switch e.Tag {
	case tag.MediaStorageSOPClassUID:
		h.Class = str(e)
	case tag.TransferSyntaxUID:
		h.TransferSyntax = str(e)
	case tag.StudyInstanceUID:
		h.StudyUID = str(e)
	case tag.StudyDate:
		h.StudyDate = isoDate(str(e))
	case tag.StudyDescription:
		h.StudyDescription = str(e)
	case tag.BodyPartExamined:
		h.BodyPart = str(e)
	case tag.SeriesInstanceUID:
		h.SeriesUID = str(e)
	case tag.SeriesDescription:
		h.SeriesDescription = str(e)
	case tag.Modality:
		h.Modality = str(e)
	case tag.SeriesNumber:
		h.SeriesNumber, _ = strconv.Atoi(str(e))
	case tag.InstanceNumber:
		h.InstanceNumber, _ = strconv.Atoi(str(e))
	case tag.SliceThickness:
		h.SliceThickness, _ = decimal(e, 0)
	case tag.SliceLocation:
		h.Location, h.HasLocation = decimal(e, 0)
	case tag.ImagePositionPatient:
		if !h.HasLocation {
			h.Location, h.HasLocation = decimal(e, 2)
		}
	case tag.NumberOfFrames:
		if n, err := strconv.Atoi(str(e)); err == nil && n > 0 {
			h.Frames = n
		}
	case tag.Rows:
		h.Rows = integer(e)
	case tag.Columns:
		h.Columns = integer(e)
	case tag.BitsAllocated:
		h.BitsAllocated = integer(e)
	case tag.BitsStored:
		h.BitsStored = integer(e)
	case tag.HighBit:
		h.HighBit = integer(e)
	case tag.PixelRepresentation:
		h.PixelRepresentation = integer(e)
	case tag.SamplesPerPixel:
		h.SamplesPerPixel = integer(e)
	case tag.PlanarConfiguration:
		h.PlanarConfiguration = integer(e)
	case tag.PhotometricInterpretation:
		h.Photometric = str(e)
	case tag.RescaleSlope:
		if v, ok := decimal(e, 0); ok && v != 0 {
			h.RescaleSlope = v
		}
	case tag.RescaleIntercept:
		h.RescaleIntercept, _ = decimal(e, 0)
	case tag.WindowCenter:
		h.WindowCenter, h.HasWindow = decimal(e, 0)
	case tag.WindowWidth:
		var ok bool
		h.WindowWidth, ok = decimal(e, 0)
		h.HasWindow = h.HasWindow && ok && h.WindowWidth > 0
	case tag.PatientName:
		h.PatientName = str(e)
	case tag.PatientID:
		h.PatientID = str(e)
	case tag.PatientBirthDate:
		h.BirthDate = str(e)
	case tag.PixelData:
		h.PixelData = true
	}
}

// str is an element's first string value, trimmed of DICOM padding.
func str(e *dicom.Element) string {
	v, ok := e.Value.GetValue().([]string)
	if !ok || len(v) == 0 {
		return ""
	}
	return strings.Trim(v[0], " \x00")
}

// decimal is the i-th value of a DS (decimal string) element.
func decimal(e *dicom.Element, i int) (float64, bool) {
	v, ok := e.Value.GetValue().([]string)
	if !ok || len(v) <= i {
		return 0, false
	}
	f, err := strconv.ParseFloat(strings.Trim(v[i], " \x00"), 64)
	return f, err == nil
}

func integer(e *dicom.Element) int {
	v, ok := e.Value.GetValue().([]int)
	if !ok || len(v) == 0 {
		return 0
	}
	return v[0]
}

// isoDate turns a DA value (YYYYMMDD, or the old YYYY.MM.DD) into YYYY-MM-DD.
func isoDate(da string) string {
	da = strings.ReplaceAll(da, ".", "")
	if len(da) != 8 {
		return ""
	}
	if _, err := strconv.Atoi(da); err != nil {
		return ""
	}
	return da[0:4] + "-" + da[4:6] + "-" + da[6:8]
}

func (c *collector) add(entry string, h *Header) {
	for name, v := range map[string]string{"patient name": h.PatientName, "patient ID": h.PatientID, "birth date": h.BirthDate} {
		if v != "" {
			c.identifying[name] = true
		}
	}
	if !h.PixelData {
		// A structured report or presentation state: not an image.
		return
	}
	st := c.studies[h.StudyUID]
	if st == nil {
		st = &Study{UID: h.StudyUID, Date: h.StudyDate, Description: h.StudyDescription, BodyPart: h.BodyPart}
		c.studies[h.StudyUID] = st
		c.s.Studies = append(c.s.Studies, st)
	}
	if st.BodyPart == "" {
		st.BodyPart = h.BodyPart
	}
	key := h.StudyUID + "\x00" + h.SeriesUID
	se := c.series[key]
	if se == nil {
		se = &Series{UID: h.SeriesUID, Number: h.SeriesNumber, Description: h.SeriesDescription, Modality: h.Modality,
			SliceThickness: h.SliceThickness, TransferSyntax: h.TransferSyntax, Rows: h.Rows, Columns: h.Columns}
		c.series[key] = se
		st.Series = append(st.Series, se)
	}
	se.Images += h.Frames
	se.Instances = append(se.Instances, Instance{Entry: entry, Number: h.InstanceNumber, Location: h.Location, Frames: h.Frames})
}

func (c *collector) summary() *Summary {
	s := &c.s
	s.Identifying = []string{}
	for _, name := range []string{"patient name", "patient ID", "birth date"} {
		if c.identifying[name] {
			s.Identifying = append(s.Identifying, name)
		}
	}
	if s.Studies == nil {
		s.Studies = []*Study{}
	}
	sort.SliceStable(s.Studies, func(i, j int) bool { return s.Studies[i].Date < s.Studies[j].Date })
	for _, st := range s.Studies {
		seen := map[string]bool{}
		st.Modalities = []string{}
		for _, se := range st.Series {
			if se.Modality != "" && !seen[se.Modality] {
				seen[se.Modality] = true
				st.Modalities = append(st.Modalities, se.Modality)
			}
			sort.SliceStable(se.Instances, func(i, j int) bool {
				a, b := se.Instances[i], se.Instances[j]
				if a.Number != b.Number {
					return a.Number < b.Number
				}
				if a.Location != b.Location {
					return a.Location > b.Location
				}
				return a.Entry < b.Entry
			})
		}
		sort.Strings(st.Modalities)
		sort.SliceStable(st.Series, func(i, j int) bool { return st.Series[i].Number < st.Series[j].Number })
	}
	return s
}
