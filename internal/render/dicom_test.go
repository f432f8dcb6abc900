package render

import (
	"archive/zip"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/caseport/caseport/internal/casedir"
	"github.com/caseport/caseport/internal/synth"
)

// TestDICOMPreviews renders a case whose archive holds a CT series, a
// JPEG-LS series (which caseport does not decode) and a damaged file: the
// CT series gets previews in three windows, the JPEG-LS one is listed
// without, the damaged file fails nothing, and the archive stays attached
// as it is.
func TestDICOMPreviews(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS("../casedir/testdata/valid")); err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, 8, 1, 9, 0, 0, 0, time.UTC)
	ct := synth.Study{Seed: "render-ct", Date: day, Modality: "CT", Description: "CT chest", Series: "Axial", Slices: 4, Size: 64}
	ls := synth.Study{Seed: "render-ls", Date: day, Modality: "CT", Description: "CT chest", Series: "Compressed", Slices: 2, Size: 64}
	archive := filepath.Join(dir, "imaging", "ct-2026-08-01-dicom.zip")
	f, err := os.Create(archive)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	add := func(name string, data []byte) {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
	}
	for i := range ct.Slices {
		var b bytes.Buffer
		synth.DICOMSlice(&b, ct, i)
		add("CT/"+string(rune('1'+i)), b.Bytes())
	}
	for i := range ls.Slices {
		src, out := filepath.Join(dir, "ls.dcm"), filepath.Join(dir, "ls-jpls.dcm")
		var b bytes.Buffer
		synth.DICOMSlice(&b, ls, i)
		os.WriteFile(src, b.Bytes(), 0o644)
		if out, err := exec.Command("dcmcjpls", src, out).CombinedOutput(); err != nil {
			t.Fatalf("dcmcjpls: %v\n%s", err, out)
		}
		data, _ := os.ReadFile(out)
		add("LS/"+string(rune('1'+i)), data)
		os.Remove(src)
		os.Remove(out)
	}
	var b bytes.Buffer
	synth.DICOMSlice(&b, ct, 0)
	add("CT/broken", b.Bytes()[:400])
	zw.Close()
	f.Close()

	c, err := casedir.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	tree, err := Render(c, Options{PreviewDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	html := string(tree.Page("index.html").Data)
	for _, want := range []string{
		`<strong>Compressed</strong>: no preview: the images are in the archive (JPEG-LS)`,
		`<button type="button" data-window="lung" aria-pressed="false">Lung</button>`,
		`<output class="dicom-count" aria-live="polite">3 / 4</output>`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	previews := 0
	for _, a := range tree.Attachments {
		if strings.HasPrefix(a.Name, "dicom/") {
			previews++
			if a.MediaType != "image/png" && a.MediaType != "image/jpeg" {
				t.Errorf("%s: type %s", a.Name, a.MediaType)
			}
			if !strings.Contains(html, `data-attachment="`+a.Name+`"`) {
				t.Errorf("%s is not linked from the page", a.Name)
			}
		}
	}
	if previews != 4*3 {
		t.Errorf("%d preview images, want 4 slices × 3 windows", previews)
	}
	if a := tree.Attachment("files/3/ct-2026-08-01-dicom.zip"); a == nil || a.Source != archive {
		t.Errorf("the archive is not attached as it is: %+v", a)
	}
	// Without a folder for previews (as the live preview renders), the
	// headers are shown and nothing else.
	tree, err = Render(c, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if html := string(tree.Page("index.html").Data); strings.Contains(html, "dicom-player") || !strings.Contains(html, "<th scope=\"row\">Axial</th>") {
		t.Error("without PreviewDir: want the series table and no viewer")
	}
}
