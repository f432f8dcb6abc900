package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/caseport/caseport/internal/synth"
)

// writeArchive replaces the valid case's DICOM archive with studies' slices
// and extra non-DICOM files.
func writeArchive(t *testing.T, dir string, studies []synth.Study, extra map[string]string) {
	t.Helper()
	f, err := os.Create(filepath.Join(dir, "imaging", "ct-2026-08-01-dicom.zip"))
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for _, s := range studies {
		for i := range s.Slices {
			w, _ := zw.Create(s.Seed + "/" + string(rune('A'+i)))
			if err := synth.DICOMSlice(w, s, i); err != nil {
				t.Fatal(err)
			}
		}
	}
	for name, text := range extra {
		w, _ := zw.Create(name)
		w.Write([]byte(text))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

func TestCheckImagingArchive(t *testing.T) {
	dir := copyValid(t)
	ct := synth.Study{Seed: "ct", PatientName: "Patient A", PatientID: "SYN-041", Date: time.Date(2026, 8, 3, 9, 0, 0, 0, time.UTC),
		Modality: "CT", Description: "CT thorax", Series: "Axial", Slices: 3}
	mr := ct
	mr.Seed, mr.Modality, mr.Date, mr.Description, mr.Slices = "mr", "MR", time.Date(2026, 8, 1, 9, 0, 0, 0, time.UTC), "MR liver", 2
	writeArchive(t, dir, []synth.Study{ct, mr}, map[string]string{"README.TXT": "hello", "autorun.inf": "x"})

	code, out, _ := runCmd("check", dir)
	if code != exitOK {
		t.Errorf("exit %d, want %d: warnings do not stop a build\n%s", code, exitOK, out)
	}
	for _, want := range []string{
		"case.toml: imaging[1].date: the archive's study 2 (CT thorax) is dated 2026-08-03 in its DICOM headers, the entry 2026-08-01",
		"case.toml: imaging[1].modality: the archive's DICOM headers give modality MR, the entry says CT",
		"case.toml: imaging[1].images: 2 files in the archive are not DICOM (README.TXT, autorun.inf)",
		"case.toml: imaging[1].images: the DICOM headers hold identifying data (patient name, patient ID)",
		"imaging[1].images imaging/ct-2026-08-01-dicom.zip: 2 studies, 2 series, 5 images (MR 2026-08-01; CT 2026-08-03)",
		"    previews: ",
		"(a quarter of the archive's ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	code, out, _ = runCmd("check", "--json", dir)
	var r struct {
		Warnings []problemJSON
		Imaging  []struct {
			Key, File string
			Size      int64
			Previews  struct{ Bytes, Budget int64 }
			DICOM     struct {
				NonDICOM int `json:"non_dicom"`
				Studies  []struct {
					Date       string
					Modalities []string
					Series     []struct{ Images int }
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("exit %d: %v\n%s", code, err, out)
	}
	if len(r.Imaging) != 1 || r.Imaging[0].Key != "imaging[1].images" || r.Imaging[0].DICOM.NonDICOM != 2 ||
		len(r.Imaging[0].DICOM.Studies) != 2 || r.Imaging[0].DICOM.Studies[1].Series[0].Images != 3 || r.Imaging[0].DICOM.Studies[1].Date != "2026-08-03" {
		t.Errorf("check --json imaging: %+v", r.Imaging)
	}
	if p := r.Imaging[0].Previews; p.Budget != r.Imaging[0].Size/4 || p.Bytes <= 0 || p.Bytes > p.Budget {
		t.Errorf("previews %d bytes, budget %d, archive %d: want within a quarter of the archive", p.Bytes, p.Budget, r.Imaging[0].Size)
	}
	if len(r.Warnings) != 4 {
		t.Errorf("%d warnings, want 4: %+v", len(r.Warnings), r.Warnings)
	}
}

func TestCheckImagingNoDICOM(t *testing.T) {
	dir := copyValid(t)
	writeArchive(t, dir, nil, map[string]string{"photo1.jpg": "\xff\xd8\xff", "photo2.jpg": "\xff\xd8\xff"})
	code, out, _ := runCmd("check", dir)
	if code != exitFail {
		t.Errorf("exit %d, want %d", code, exitFail)
	}
	want := "Errors (1):\n  case.toml: imaging[1].images: the archive has no DICOM image in it (2 files, 2 not DICOM)"
	if !strings.Contains(out, want) {
		t.Errorf("output lacks %q:\n%s", want, out)
	}
	// A zip that is not a zip at all is an error too.
	os.WriteFile(filepath.Join(dir, "imaging", "ct-2026-08-01-dicom.zip"), bytes.Repeat([]byte("PK\x03\x04"), 3), 0o644)
	if code, out, _ := runCmd("check", dir); code != exitFail || !strings.Contains(out, "imaging[1].images: the archive cannot be read: reading the zip archive") {
		t.Errorf("exit %d:\n%s", code, out)
	}
}
