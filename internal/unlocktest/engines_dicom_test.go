package unlocktest

import (
	"path/filepath"
	"testing"

	"github.com/caseport/caseport/internal/browsertest"
	"github.com/caseport/caseport/internal/site"
)

// pixels waits for the viewer to show slice n in window w and returns the
// sum of the image's red channel and how many pixels differ from the first,
// read back through a canvas.
func (p unlockPage) pixels(t *testing.T, n, w string) (sum, varied int) {
	t.Helper()
	p.waitFor(t, "slice "+n+" in window "+w, `(() => { const i = document.querySelector("[data-dicom-player] img");
		return !!i && i.complete && i.naturalWidth > 0 && i.src.startsWith("blob:") && i.getAttribute("data-slice") === "`+n+`" && i.getAttribute("data-window") === "`+w+`"; })()`)
	var out []int
	p.eval(t, `(() => { const i = document.querySelector("[data-dicom-player] img");
		const c = document.createElement("canvas"); c.width = i.naturalWidth; c.height = i.naturalHeight;
		const x = c.getContext("2d"); x.drawImage(i, 0, 0); const d = x.getImageData(0, 0, c.width, c.height).data;
		let sum = 0, varied = 0; for (let q = 0; q < d.length; q += 4) { sum += d[q]; if (d[q] !== d[0]) varied++; }
		return [sum, varied]; })()`, &out)
	if len(out) != 2 {
		t.Fatalf("%s: no pixels read back: %v", p.Engine(), out)
	}
	return out[0], out[1]
}

// TestEnginesDICOMViewer: in each engine, a portal folder over http with a
// CT series opens the series from its thumbnail, moves to another slice
// with the slider and switches to the lung window; each image shown is
// decrypted on demand and is another, non-blank one.
func TestEnginesDICOMViewer(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	dir := dicomCase(t, 20)
	out := filepath.Join(t.TempDir(), "portal")
	pass := "viewer-test-opens-with-this-long-phrase"
	if _, err := site.Build(dir, out, site.Options{Passphrases: map[string]string{"reviewing-oncologist": pass}, WorkFactor: 10}); err != nil {
		t.Fatal(err)
	}
	srv := serve(t, out)
	browsertest.ForEachEngine(t, func(t *testing.T, engine string) {
		pg := unlockPage{browsertest.Start(t, engine, browsertest.Options{})}
		pg.open(t, srv.URL+"/#reader=reviewing-oncologist")
		pg.enter(t, pass, false)
		if st := pg.state(t); st != "unlocked" {
			t.Fatalf("%s: state %q after the right passphrase", engine, st)
		}
		pg.waitFor(t, "the series thumbnail", `(() => { const i = document.querySelector(".dicom-thumb img"); return !!i && i.src.startsWith("blob:") && i.complete && i.naturalWidth > 0; })()`)
		pg.click(t, ".dicom-thumb")
		first, varied := pg.pixels(t, "11", "default")
		if varied == 0 {
			t.Fatalf("%s: the first slice shown is blank", engine)
		}
		pg.eval(t, `(() => { const r = document.querySelector("[data-dicom-player] input[type=range]"); r.value = "3"; r.dispatchEvent(new Event("input")); return true; })()`, nil)
		third, varied := pg.pixels(t, "3", "default")
		if varied == 0 || third == first {
			t.Errorf("%s: slice 3 (sum %d, %d varied) is blank or the same as slice 11 (sum %d)", engine, third, varied, first)
		}
		if got := pg.text(t, ".dicom-count"); got != "3 / 20" {
			t.Errorf("%s: slice number %q, want \"3 / 20\"", engine, got)
		}
		pg.click(t, `[data-dicom-player] button[data-window="lung"]`)
		lung, varied := pg.pixels(t, "3", "lung")
		if varied == 0 || lung == third {
			t.Errorf("%s: slice 3 in the lung window (sum %d, %d varied) is blank or the soft-tissue image", engine, lung, varied)
		}
		pg.screenshot(t, "dicom-viewer")
		pg.stayedLocal(t)
	})
}
