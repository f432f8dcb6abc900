package dicomscan

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/caseport/caseport/internal/synth"
)

func ct(seed string, slices int) synth.Study {
	return synth.Study{Seed: seed, PatientName: "Patient A", PatientID: "SYN-1", PatientSex: "F",
		Date: time.Date(2026, 8, 1, 9, 30, 0, 0, time.UTC), Modality: "CT",
		Description: "CT chest abdomen pelvis", Series: "Axial 5 mm", Institution: "Synthetic Hospital",
		Slices: slices, Thickness: 2.5}
}

func slice(t *testing.T, s synth.Study, i int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := synth.DICOMSlice(&b, s, i); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// writeZip writes a zip of name → content, in the order given.
func writeZip(t *testing.T, path string, entries ...any) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for i := 0; i < len(entries); i += 2 {
		w, err := zw.Create(entries[i].(string))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(entries[i+1].([]byte)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestScanZip(t *testing.T) {
	dir := t.TempDir()
	chest := ct("chest", 3)
	// A second study (another seed gives other UIDs), two days later.
	mr := ct("liver", 2)
	mr.Modality, mr.Series, mr.Thickness = "MR", "T2 axial", 0
	mr.Date = time.Date(2026, 8, 3, 0, 0, 0, 0, time.UTC)
	mr.Description = "MR liver"

	// A DICOMDIR made by DCMTK over the chest files, as on an image CD.
	cd := filepath.Join(dir, "cd")
	if err := os.MkdirAll(filepath.Join(cd, "DICOM", "SE1"), 0o755); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if err := os.WriteFile(filepath.Join(cd, "DICOM", "SE1", "IM"+string(rune('1'+i))), slice(t, chest, i), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	mkdir := exec.Command("dcmmkdir", "--recurse", "--input-directory", cd, "--output-file", filepath.Join(cd, "DICOMDIR"), "DICOM")
	if out, err := mkdir.CombinedOutput(); err != nil {
		t.Fatalf("dcmmkdir: %v\n%s", err, out)
	}
	dicomdir, err := os.ReadFile(filepath.Join(cd, "DICOMDIR"))
	if err != nil {
		t.Fatal(err)
	}

	archive := filepath.Join(dir, "images.zip")
	writeZip(t, archive,
		"CD/DICOMDIR", dicomdir,
		"CD/README.TXT", []byte("Open viewer.exe to see the images.\n"),
		"CD/DICOM/SE1/IM3", slice(t, chest, 2), // no suffix, out of order
		"CD/DICOM/SE1/IM1", slice(t, chest, 0),
		"CD/DICOM/SE1/IM2.dcm", slice(t, chest, 1),
		"CD/deep/er/still/MR1.DCM", slice(t, mr, 0),
		"CD/deep/er/still/MR2", slice(t, mr, 1),
		"CD/viewer.exe", []byte("MZ not a viewer"),
	)
	s, err := Scan(archive, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Files != 8 || s.DICOMFiles != 6 || s.NonDICOM != 2 || !s.DICOMDIR || s.Unreadable != 0 {
		t.Errorf("counts: files %d, DICOM %d, not DICOM %d, DICOMDIR %v, unreadable %d (%s); want 8, 6, 2, true, 0",
			s.Files, s.DICOMFiles, s.NonDICOM, s.DICOMDIR, s.Unreadable, s.FirstError)
	}
	if want := []string{"README.TXT", "viewer.exe"}; !reflect.DeepEqual(s.NonDICOMNames, want) {
		t.Errorf("non-DICOM names %q, want %q", s.NonDICOMNames, want)
	}
	if want := []string{"patient name", "patient ID"}; !reflect.DeepEqual(s.Identifying, want) {
		t.Errorf("identifying %q, want %q (the synthetic birth date is empty)", s.Identifying, want)
	}
	if len(s.Studies) != 2 {
		t.Fatalf("%d studies, want 2", len(s.Studies))
	}
	st := s.Studies[0]
	if st.Date != "2026-08-01" || !reflect.DeepEqual(st.Modalities, []string{"CT"}) || st.Description != "CT chest abdomen pelvis" || len(st.Series) != 1 {
		t.Errorf("first study %+v", st)
	}
	se := st.Series[0]
	if se.Images != 3 || se.Modality != "CT" || se.Description != "Axial 5 mm" || se.SliceThickness != 2.5 || se.Rows != synth.SliceSize {
		t.Errorf("first series %+v", se)
	}
	var order []string
	for _, in := range se.Instances {
		order = append(order, in.Entry)
	}
	if want := []string{"CD/DICOM/SE1/IM1", "CD/DICOM/SE1/IM2.dcm", "CD/DICOM/SE1/IM3"}; !reflect.DeepEqual(order, want) {
		t.Errorf("instances in order %q, want %q", order, want)
	}
	if st := s.Studies[1]; st.Date != "2026-08-03" || !reflect.DeepEqual(st.Modalities, []string{"MR"}) || st.Series[0].Images != 2 || st.Series[0].SliceThickness != 5 {
		t.Errorf("second study %+v, series %+v", st, st.Series[0])
	}
}

func TestScanSingleFile(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"slice.dcm", "IM000001"} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, slice(t, ct("one", 4), 3), 0o644); err != nil {
			t.Fatal(err)
		}
		s, err := Scan(p, Options{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if s.Files != 1 || s.Images() != 1 || s.Studies[0].Series[0].Instances[0].Entry != "" {
			t.Errorf("%s: %+v", name, s)
		}
	}
}

func TestScanNoDICOM(t *testing.T) {
	dir := t.TempDir()
	archive := filepath.Join(dir, "photos.zip")
	writeZip(t, archive, "a.jpg", []byte("\xff\xd8\xff not DICOM"), "b/notes.txt", []byte("text"))
	s, err := Scan(archive, Options{})
	if !errors.Is(err, ErrNoDICOM) {
		t.Fatalf("err %v, want ErrNoDICOM", err)
	}
	if s.NonDICOM != 2 {
		t.Errorf("not DICOM %d, want 2", s.NonDICOM)
	}
	broken := filepath.Join(dir, "broken.zip")
	if err := os.WriteFile(broken, []byte("PK\x03\x04 and then nothing"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Scan(broken, Options{}); err == nil || errors.Is(err, ErrNoDICOM) {
		t.Errorf("damaged zip: err %v, want a zip error", err)
	}
	// A file that starts like DICOM but is cut short is counted, not fatal.
	cut := slice(t, ct("cut", 2), 0)[:300]
	archive = filepath.Join(dir, "cut.zip")
	writeZip(t, archive, "IM1", cut, "IM2", slice(t, ct("cut", 2), 1))
	s, err = Scan(archive, Options{})
	if err != nil || s.Unreadable != 1 || s.Images() != 1 || s.FirstError == "" {
		t.Errorf("cut file: err %v, unreadable %d, images %d, %q", err, s.Unreadable, s.Images(), s.FirstError)
	}
}

// peakHeap runs f while sampling the heap, and returns the highest heap in
// use above what was in use before.
func peakHeap(f func()) uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	base := m.HeapInuse
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > base && m.HeapInuse-base > peak.Load() {
				peak.Store(m.HeapInuse - base)
			}
			select {
			case <-done:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	f()
	close(done)
	wg.Wait()
	return peak.Load()
}

// TestScanBoundedMemory scans a 150 MiB series of 300 slices of 512×512
// (stored, not deflated, so every byte passes through) and checks that the
// heap stays far below the archive's size: headers are kept, pixel data
// skipped.
func TestScanBoundedMemory(t *testing.T) {
	s := ct("large", 300)
	s.Size = 512
	archive := filepath.Join(t.TempDir(), "large.zip")
	f, err := os.Create(archive)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for i := range s.Slices {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: fmt.Sprintf("DICOM/IM%04d", i), Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		if err := synth.DICOMSlice(w, s, i); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	info, _ := os.Stat(archive)

	var sum *Summary
	peak := peakHeap(func() {
		sum, err = Scan(archive, Options{})
	})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Images() != 300 {
		t.Fatalf("%d images, want 300", sum.Images())
	}
	t.Logf("archive %d MiB, peak heap %.1f MiB", info.Size()>>20, float64(peak)/(1<<20))
	if peak > 16<<20 {
		t.Errorf("peak heap %.1f MiB for a %d MiB archive; want under 16 MiB", float64(peak)/(1<<20), info.Size()>>20)
	}
}
