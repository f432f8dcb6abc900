package synth

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func testStudy() Study {
	return Study{
		Seed:        "test-ct",
		PatientName: "Patient A",
		PatientID:   "SYN-001",
		PatientSex:  "M",
		Date:        time.Date(2026, 10, 28, 9, 41, 5, 0, time.UTC),
		Modality:    "CT",
		Description: "CT chest abdomen pelvis with contrast",
		Series:      "Axial 5 mm venous",
		Institution: "City Hospital",
		Accession:   "A26-77",
		Slices:      12,
	}
}

type element struct {
	vr    string
	value []byte
}

// parseExplicitLE reads explicit VR little endian elements from b, the way
// an independent reader would, keyed by group<<16|element.
func parseExplicitLE(t *testing.T, b []byte) map[uint32]element {
	t.Helper()
	out := map[uint32]element{}
	for len(b) > 0 {
		if len(b) < 8 {
			t.Fatalf("truncated element header: % x", b)
		}
		tag := uint32(binary.LittleEndian.Uint16(b))<<16 | uint32(binary.LittleEndian.Uint16(b[2:]))
		vr := string(b[4:6])
		var n, h int
		switch vr {
		case "OB", "OW", "OF", "SQ", "UT", "UN":
			n, h = int(binary.LittleEndian.Uint32(b[8:])), 12
		default:
			n, h = int(binary.LittleEndian.Uint16(b[6:])), 8
		}
		if n%2 != 0 {
			t.Errorf("tag %08x: odd length %d", tag, n)
		}
		if h+n > len(b) {
			t.Fatalf("tag %08x: length %d runs past the end", tag, n)
		}
		out[tag] = element{vr, b[h : h+n]}
		b = b[h+n:]
	}
	return out
}

func str(e element) string { return strings.TrimRight(string(e.value), " \x00") }

func TestDICOMSliceStructure(t *testing.T) {
	var buf bytes.Buffer
	if err := DICOMSlice(&buf, testStudy(), 3); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	if !bytes.Equal(b[:128], make([]byte, 128)) || string(b[128:132]) != "DICM" {
		t.Fatal("no 128-byte preamble followed by DICM")
	}
	// The group length element says how many meta bytes follow it.
	if string(b[132:138]) != "\x02\x00\x00\x00UL" {
		t.Fatalf("first element is not (0002,0000) UL: % x", b[132:140])
	}
	glen := int(binary.LittleEndian.Uint32(b[140:]))
	metaEnd := 144 + glen
	meta := parseExplicitLE(t, b[144:metaEnd])
	for tag := range meta {
		if tag>>16 != 0x0002 {
			t.Errorf("group length %d includes element %08x outside group 2", glen, tag)
		}
	}
	if len(b) > metaEnd+2 && binary.LittleEndian.Uint16(b[metaEnd:]) == 0x0002 {
		t.Errorf("group length %d ends before the meta group does", glen)
	}
	if got := str(meta[0x00020010]); got != ExplicitVRLittleEndian {
		t.Errorf("transfer syntax %q", got)
	}
	if got := str(meta[0x00020002]); got != CTImageStorage {
		t.Errorf("media storage SOP class %q", got)
	}

	ds := parseExplicitLE(t, b[metaEnd:])
	checks := map[uint32]string{
		0x00080016: CTImageStorage,
		0x00080018: str(meta[0x00020003]), // the instance UID matches the meta's
		0x00080060: "CT",
		0x00100010: "Patient A",
		0x00080020: "20261028",
		0x00200013: "4",
	}
	for tag, want := range checks {
		if got := str(ds[tag]); got != want {
			t.Errorf("tag %08x = %q, want %q", tag, got, want)
		}
	}
	if rows := binary.LittleEndian.Uint16(ds[0x00280010].value); rows != SliceSize {
		t.Errorf("rows %d", rows)
	}
	px := ds[0x7fe00010]
	if px.vr != "OW" || len(px.value) != 2*SliceSize*SliceSize {
		t.Errorf("pixel data %s of %d bytes", px.vr, len(px.value))
	}
	for tag, e := range ds {
		if e.vr == "UI" && len(str(e)) > 64 {
			t.Errorf("UID %08x longer than 64: %q", tag, str(e))
		}
	}
}

func TestDICOMUIDs(t *testing.T) {
	s := testStudy()
	if first, again := s.uid("study"), s.uid("study"); first != again {
		t.Error("UIDs differ between calls")
	}
	if s.uid("instance", 1) == s.uid("instance", 2) {
		t.Error("two instances share a UID")
	}
	other := s
	other.Seed = "another"
	if s.uid("study") == other.uid("study") {
		t.Error("two studies share a UID")
	}
}

func TestDICOMSliceRejectsBadInput(t *testing.T) {
	s := testStudy()
	if err := DICOMSlice(&bytes.Buffer{}, s, s.Slices); err == nil {
		t.Error("slice past the end accepted")
	}
	s.Modality = "PT"
	if err := DICOMZip(&bytes.Buffer{}, s); err == nil || !strings.Contains(err.Error(), "CT or MR") {
		t.Errorf("unsupported modality: %v", err)
	}
}

func TestDICOMZip(t *testing.T) {
	var a, b bytes.Buffer
	if err := DICOMZip(&a, testStudy()); err != nil {
		t.Fatal(err)
	}
	if err := DICOMZip(&b, testStudy()); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("two runs gave different archives")
	}
	zr, err := zip.NewReader(bytes.NewReader(a.Bytes()), int64(a.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if len(zr.File) != 12 {
		t.Fatalf("%d entries, want 12", len(zr.File))
	}
	seen := map[string]bool{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		var s bytes.Buffer
		s.ReadFrom(rc)
		rc.Close()
		if string(s.Bytes()[128:132]) != "DICM" {
			t.Errorf("%s is not a Part 10 file", f.Name)
		}
		seen[string(s.Bytes()[200:])] = true
	}
	if len(seen) != 12 {
		t.Errorf("slices are not distinct")
	}
}

// TestDICOMDcmtk has DCMTK, an independent implementation, parse a slice
// and report its attributes.
func TestDICOMDcmtk(t *testing.T) {
	dcmdump := needTool(t, "dcmdump", "dcmtk")
	f := filepath.Join(t.TempDir(), "s.dcm")
	var buf bytes.Buffer
	if err := DICOMSlice(&buf, testStudy(), 0); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(f, buf.Bytes(), 0o644)
	out, err := exec.Command(dcmdump, "-E", "+L", f).CombinedOutput()
	if err != nil {
		t.Fatalf("dcmdump: %v\n%s", err, out)
	}
	for _, want := range []string{
		"(0002,0010) UI =LittleEndianExplicit",
		"(0008,0016) UI =CTImageStorage",
		"(0010,0010) PN [Patient A]",
		"(0028,0010) US 16",
		"(7fe0,0010) OW",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("dcmdump output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(string(out), "W:") || strings.Contains(string(out), "E:") {
		t.Errorf("dcmdump warned:\n%s", out)
	}
}

func TestDICOMDeclaresUTF8(t *testing.T) {
	dcmdump := needTool(t, "dcmdump", "dcmtk")
	s := testStudy()
	s.PatientName = "Пациентка Б"
	var buf bytes.Buffer
	if err := DICOMSlice(&buf, s, 0); err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(t.TempDir(), "s.dcm")
	os.WriteFile(f, buf.Bytes(), 0o644)
	out, err := exec.Command(dcmdump, "-E", f).CombinedOutput()
	if err != nil {
		t.Fatalf("dcmdump: %v\n%s", err, out)
	}
	for _, want := range []string{"(0008,0005) CS [ISO_IR 192]", "(0010,0010) PN [Пациентка Б]"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("dcmdump output lacks %q:\n%s", want, out)
		}
	}
	if bytes.Contains(mustSlice(t, testStudy()), []byte("ISO_IR 192")) {
		t.Error("an ASCII study declares a character set it does not need")
	}
}

func mustSlice(t *testing.T, s Study) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := DICOMSlice(&buf, s, 0); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
