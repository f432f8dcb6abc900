package unlocktest

import (
	"archive/zip"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/caseport/caseport/internal/site"
	"github.com/caseport/caseport/internal/synth"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// dicomCase copies the valid test case with a CT archive of slices large
// enough to see, and returns its folder.
func dicomCase(t *testing.T, slices int) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "case")
	if err := os.CopyFS(dir, os.DirFS("../casedir/testdata/valid")); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(dir, "imaging", "ct-2026-08-01-dicom.zip"))
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	s := synth.Study{Seed: "viewer", Date: time.Date(2026, 8, 1, 9, 0, 0, 0, time.UTC), Modality: "CT",
		Description: "CT chest abdomen pelvis", Series: "Axial 2.5 mm", Slices: slices, Thickness: 2.5, Size: 128}
	for i := range slices {
		// Stored, not deflated: the flat synthetic slices would deflate to
		// so little that the preview budget (a quarter of the archive)
		// leaves no room for the CT lung and bone windows.
		w, _ := zw.CreateHeader(&zip.FileHeader{Name: "DICOM/IM" + string(rune('A'+i/26)) + string(rune('A'+i%26)), Method: zip.Store})
		if err := synth.DICOMSlice(w, s, i); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return dir
}

// shownImage waits for the viewer's image to show slice n in window w and
// returns a digest of its pixels: their sum and how many differ from the
// first, read back through a canvas.
func shownImage(t *testing.T, s *session, n, w string) (sum, varied int) {
	t.Helper()
	s.waitFor(t, "slice "+n+" in window "+w, `(() => { const i = document.querySelector("[data-dicom-player] img");
		return i && i.complete && i.naturalWidth > 0 && i.src.startsWith("blob:") && i.getAttribute("data-slice") === "`+n+`" && i.getAttribute("data-window") === "`+w+`"; })()`)
	var out []int
	s.eval(t, `(() => { const i = document.querySelector("[data-dicom-player] img");
		const c = document.createElement("canvas"); c.width = i.naturalWidth; c.height = i.naturalHeight;
		const x = c.getContext("2d"); x.drawImage(i, 0, 0); const d = x.getImageData(0, 0, c.width, c.height).data;
		let sum = 0, varied = 0; for (let p = 0; p < d.length; p += 4) { sum += d[p]; if (d[p] !== d[0]) varied++; }
		return [sum, varied]; })()`, &out)
	return out[0], out[1]
}

// TestDICOMViewer unlocks a single-file portal from file:// on a phone-sized
// window, opens the CT series from its thumbnail, moves with the keyboard,
// the slider and the wheel, switches to the lung window, and checks each
// time that the image shown is another, non-blank one.
func TestDICOMViewer(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	dir := dicomCase(t, 30)
	out := filepath.Join(t.TempDir(), "portal.html")
	pass := "viewer-test-opens-with-this-long-phrase"
	if _, err := site.Build(dir, out, site.Options{SingleFile: true, Passphrases: map[string]string{"reviewing-oncologist": pass}}); err != nil {
		t.Fatal(err)
	}
	s := newSession(t)
	s.Run(t, 10*time.Second, chromedp.EmulateViewport(390, 844))
	s.open(t, "file://"+out+"#reader=reviewing-oncologist")
	s.enter(t, pass, false)
	if st := s.state(t); st != "unlocked" {
		t.Fatalf("state %q after the right passphrase", st)
	}
	s.waitFor(t, "the series thumbnail", `(() => { const i = document.querySelector(".dicom-thumb img"); return i && i.src.startsWith("blob:") && i.complete && i.naturalWidth > 0; })()`)
	s.Run(t, 10*time.Second, chromedp.Click(".dicom-thumb", chromedp.ByQuery))
	var width int
	s.eval(t, `document.querySelector("[data-dicom-player] .dicom-stage").getBoundingClientRect().width`, &width)
	if width < 300 || width > 390 {
		t.Errorf("stage %d px wide in a 390 px window, want nearly the full width", width)
	}

	sum0, varied0 := shownImage(t, s, "16", "default")
	if varied0 == 0 {
		t.Fatal("the first slice shown is blank")
	}
	// Keyboard: focus the stage, 5 times the down arrow.
	s.Run(t, 10*time.Second, chromedp.Focus(".dicom-stage", chromedp.ByQuery))
	for range 5 {
		s.Run(t, 10*time.Second, chromedp.KeyEvent(kb.ArrowDown))
	}
	sum1, varied1 := shownImage(t, s, "21", "default")
	if varied1 == 0 || sum1 == sum0 {
		t.Errorf("slice 21 (sum %d, %d varied pixels) is blank or the same as slice 16 (sum %d)", sum1, varied1, sum0)
	}
	if got := s.text(t, ".dicom-count"); got != "21 / 30" {
		t.Errorf("slice number %q, want \"21 / 30\"", got)
	}
	// The slider.
	s.eval(t, `(() => { const r = document.querySelector("[data-dicom-player] input[type=range]"); r.value = "3"; r.dispatchEvent(new Event("input")); return true; })()`, nil)
	sum2, _ := shownImage(t, s, "3", "default")
	if sum2 == sum1 {
		t.Error("slice 3 shows the same image as slice 21")
	}
	// The wheel, over the stage.
	var box []float64
	s.eval(t, `(() => { const b = document.querySelector(".dicom-stage").getBoundingClientRect(); return [b.x + b.width / 2, b.y + b.height / 2]; })()`, &box)
	s.Run(t, 10*time.Second, chromedp.ActionFunc(func(ctx context.Context) error {
		return input.DispatchMouseEvent(input.MouseWheel, box[0], box[1]).WithDeltaY(100).Do(ctx)
	}))
	shownImage(t, s, "4", "default")
	// The lung window: the same slice, another image.
	s.Run(t, 10*time.Second, chromedp.Click(`[data-dicom-player] button[data-window="lung"]`, chromedp.ByQuery))
	sum3, varied3 := shownImage(t, s, "4", "lung")
	if varied3 == 0 {
		t.Error("slice 4 in the lung window is blank")
	}
	if sum4, _ := shownImage(t, s, "4", "lung"); sum4 != sum3 {
		t.Error("the lung image changed by itself")
	}
	// Pictures of the imaging section, for a person to look at.
	shots := t.TempDir()
	if d := os.Getenv("CASEPORT_SHOTS"); d != "" {
		shots = d
	}
	for _, w := range []int64{390, 1280} {
		var png []byte
		s.Run(t, 20*time.Second, chromedp.EmulateViewport(w, 900), chromedp.Sleep(300*time.Millisecond),
			chromedp.Screenshot("#imaging-1-dicom", &png, chromedp.ByQuery))
		if err := os.WriteFile(filepath.Join(shots, fmt.Sprintf("viewer-%d.png", w)), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s.noExternalRequests(t)
}
