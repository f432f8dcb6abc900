package unlocktest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/caseport/caseport/internal/casedir"
	"github.com/caseport/caseport/internal/site"
	cdpage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// viewport is a screen the first-screen test measures the page on.
type viewport struct {
	name string
	w, h int64
	// positions says whether the first screen's positions are asserted;
	// the other sizes check the charts only.
	positions bool
}

var glanceViewports = []viewport{
	{"phone-390", 390, 844, true},
	{"desktop-1280", 1280, 900, true},
	{"phone-360", 360, 780, false},
	{"tablet-768", 768, 1024, false},
}

// glanceMeasure is what the page reports of its first screen, in CSS
// pixels from the top of the document.
type glanceMeasure struct {
	Request   float64 `json:"request"`
	Plan      float64 `json:"plan"`
	Allergies float64 `json:"allergies"`
	Cond      float64 `json:"conditions"`
	// Overlaps names each pair of SVG text boxes that overlap.
	Overlaps []string `json:"overlaps"`
	Texts    int      `json:"texts"`
}

// measureGlance reads the positions of the request, the plan and the
// safety facts, and every pair of overlapping <text> boxes of each visible
// SVG, as laid out by the browser.
const measureGlance = `(() => {
  const top = (sel) => { const e = document.querySelector(sel); return e ? e.getBoundingClientRect().top + window.scrollY : -1; };
  const out = { request: top("#glance-request"), plan: top("#glance-plan"), allergies: top("#glance-allergies"), conditions: top("#glance-conditions"), overlaps: [], texts: 0 };
  for (const svg of document.querySelectorAll("svg")) {
    const r = svg.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    const boxes = [...svg.querySelectorAll("text")].map((t) => ({ t: t.textContent, b: t.getBoundingClientRect() })).filter((x) => x.b.width > 0);
    out.texts += boxes.length;
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i].b, b = boxes[j].b;
        const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (w > 0.01 && h > 0.01) out.overlaps.push((svg.id || svg.getAttribute("class")) + ": " + JSON.stringify(boxes[i].t) + " and " + JSON.stringify(boxes[j].t) + " (" + w.toFixed(1) + "x" + h.toFixed(1) + ")");
      }
    }
  }
  return JSON.stringify(out);
})()`

// TestFirstScreenAndCharts builds every example case, and one with a dense
// marker series spanning 50 times, unlocks each in Chromium and measures:
// on a phone the request starts on the first screen; at 1280x900 the
// request and the plan are above the fold; allergies and other conditions
// are within one and a half screens; and no two text boxes of any chart
// overlap, at 360, 390, 768 and 1280 pixels wide.
func TestFirstScreenAndCharts(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	dirs, err := filepath.Glob(filepath.Join("..", "..", "cases", "*", "case.toml"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no example cases: %v", err)
	}
	type glanceCase struct{ name, dir string }
	var list []glanceCase
	for _, d := range dirs {
		list = append(list, glanceCase{filepath.Base(filepath.Dir(d)), filepath.Dir(d)})
	}
	list = append(list, glanceCase{"dense-markers", denseMarkerCase(t)})
	shots := screenshotDir(t)
	for _, gc := range list {
		t.Run(gc.name, func(t *testing.T) {
			s := unlockCase(t, gc.dir, nil)
			for _, vp := range glanceViewports {
				s.Run(t, 10*time.Second, chromedp.EmulateViewport(vp.w, vp.h), chromedp.Evaluate(`window.scrollTo(0, 0)`, nil))
				time.Sleep(150 * time.Millisecond) // one layout after the resize
				var raw string
				s.eval(t, measureGlance, &raw)
				var m glanceMeasure
				if err := json.Unmarshal([]byte(raw), &m); err != nil {
					t.Fatal(err)
				}
				h := float64(vp.h)
				t.Logf("%s: request %.0f, plan %.0f, allergies %.0f, conditions %.0f (screen %.0f); %d chart labels", vp.name, m.Request, m.Plan, m.Allergies, m.Cond, h, m.Texts)
				if m.Request < 0 || m.Plan < 0 || m.Allergies < 0 || m.Cond < 0 {
					t.Fatalf("%s: a part of the first screen is missing: %+v", vp.name, m)
				}
				// The request's heading and first line show: 60 px of it.
				if !vp.positions {
					// charts only
				} else if m.Request+60 > h {
					t.Errorf("%s: the request starts at %.0f px, below the first screen (%.0f)", vp.name, m.Request, h)
				}
				if vp.positions && vp.w >= 1280 && m.Plan+40 > h {
					t.Errorf("%s: the plan starts at %.0f px, below the fold (%.0f)", vp.name, m.Plan, h)
				}
				if vp.positions && (m.Allergies > 1.5*h || m.Cond > 1.5*h) {
					t.Errorf("%s: allergies at %.0f px and conditions at %.0f px, not within 1.5 screens (%.0f)", vp.name, m.Allergies, m.Cond, 1.5*h)
				}
				if vp.w >= 768 && m.Texts == 0 {
					// (on a phone the timeline is its list; a case without
					// tumour markers then has no chart)
					t.Errorf("%s: no chart text measured", vp.name)
				}
				for _, o := range m.Overlaps {
					t.Errorf("%s: overlapping chart labels: %s", vp.name, o)
				}
				if vp.name == "phone-390" || vp.name == "desktop-1280" {
					saveShots(t, s, filepath.Join(shots, gc.name+"-"+vp.name))
				}
			}
			s.noExternalRequests(t)
		})
	}
}

// TestDayCountFromTheReadersClock builds a case whose reply date is N days
// from today, prepared long before, and checks that the unlocked page
// counts N days left from the reader's clock (not from the preparation
// day), and N-3 when the reader's clock is three days later than the
// machine that built it.
func TestDayCountFromTheReadersClock(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	const n = 9
	now := time.Now()
	dir := copyCase(t, filepath.Join("..", "..", "cases", "gastric-2026-041"))
	editCase(t, dir,
		"prepared_on = 2026-11-18", "prepared_on = "+now.AddDate(0, 0, -20).Format("2006-01-02"),
		"reply_by = 2026-11-26", "reply_by = "+now.AddDate(0, 0, n).Format("2006-01-02"))
	for _, tc := range []struct {
		shift int
		want  string
	}{
		{0, fmt.Sprintf("%d days left", n)},
		{3, fmt.Sprintf("%d days left", n-3)},
		{n + 2, "2 days overdue"},
	} {
		t.Run(fmt.Sprintf("clock+%dd", tc.shift), func(t *testing.T) {
			var clock string
			if tc.shift != 0 {
				clock = fmt.Sprintf(`(() => { const D = Date, off = %d * 86400000;
  class Shifted extends D { constructor(...a) { if (a.length) { super(...a); } else { super(D.now() + off); } } static now() { return D.now() + off; } }
  globalThis.Date = Shifted; })();`, tc.shift)
			}
			s := unlockCase(t, dir, &clock)
			got := s.text(t, "#glance-request time.rel")
			if got != tc.want {
				t.Errorf("reply-by count %q, want %q", got, tc.want)
			}
			var from bool
			s.eval(t, `!!document.querySelector("time.rel[data-from]")`, &from)
			if from || strings.Contains(got, "counted") {
				t.Errorf("a day count still says the build day it was counted on: %q", got)
			}
		})
	}
}

// unlockCase builds caseDir as a coordinator does (a folder portal over
// HTTP on loopback) and unlocks it; clock, when given, is a script run in
// the page before its own, to set the reader's clock.
func unlockCase(t *testing.T, caseDir string, clock *string) *session {
	t.Helper()
	passphrase := "glance-test-opens-with-this-long-passphrase"
	out := filepath.Join(t.TempDir(), "portal")
	c, err := casedir.Load(caseDir)
	if err != nil {
		t.Fatal(err)
	}
	reader := "doctor"
	if len(c.Readers) > 0 {
		reader = c.Readers[0].Name
	}
	passphrases := map[string]string{reader: passphrase}
	for _, r := range c.Readers[min(1, len(c.Readers)):] {
		passphrases[r.Name] = passphrase + "-" + r.Name
	}
	if _, err := site.Build(caseDir, out, site.Options{Passphrases: passphrases}); err != nil {
		t.Fatal(err)
	}
	s := newSession(t)
	if clock != nil && *clock != "" {
		s.Run(t, 10*time.Second, chromedp.ActionFunc(func(ctx context.Context) error {
			_, err := cdpage.AddScriptToEvaluateOnNewDocument(*clock).Do(ctx)
			return err
		}))
	}
	s.Run(t, 10*time.Second, chromedp.EmulateViewport(390, 844))
	s.open(t, serve(t, out).URL+"/#reader="+reader)
	s.enter(t, passphrase, false)
	if st := s.state(t); st != "unlocked" {
		t.Fatalf("state %q after the right passphrase", st)
	}
	s.waitFor(t, "the rendered page", `document.getElementById("glance-request")`)
	return s
}

// denseMarkerCase is the gastric example with 40 more CA 19-9 values over
// a year, falling from 1500 to 30 and rising again: a series spanning 50
// times, with values days apart.
func denseMarkerCase(t *testing.T) string {
	t.Helper()
	dir := copyCase(t, filepath.Join("..", "..", "cases", "gastric-2026-041"))
	var b strings.Builder
	start := time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 40; i++ {
		v := 1500.0 / float64(1+i*2)
		if i > 25 {
			v = 30 * float64(i-24)
		}
		day := start.AddDate(0, 0, i*9)
		fmt.Fprintf(&b, "\n[[labs]]\ndate = %s\nname = \"CA 19-9\"\nvalue = %.1f\nunit = \"U/mL\"\nrange = \"<37\"\nmarker = true\n", day.Format("2006-01-02"), v)
	}
	f, err := os.OpenFile(filepath.Join(dir, "case.toml"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(b.String()); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := casedir.Load(dir); err != nil {
		t.Fatalf("the dense case does not load: %v", err)
	}
	return dir
}

// saveShots saves the first screen, the first one and a half screens, and
// each chart region of the page, for a person to look at.
func saveShots(t *testing.T, s *session, prefix string) {
	t.Helper()
	var first []byte
	s.Run(t, 30*time.Second, chromedp.CaptureScreenshot(&first))
	if err := os.WriteFile(prefix+"-first.png", first, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, part := range []struct{ name, sel string }{{"markers", ".markers"}, {"timeline", "#timeline"}, {"glance", "#glance"}} {
		var found bool
		s.eval(t, `!!document.querySelector(`+jsString(part.sel)+`)`, &found)
		if !found {
			continue
		}
		var png []byte
		s.Run(t, 30*time.Second, chromedp.Screenshot(part.sel, &png, chromedp.ByQuery))
		if err := os.WriteFile(prefix+"-"+part.name+".png", png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// copyCase copies a case folder into a temporary one.
func copyCase(t *testing.T, src string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), filepath.Base(src))
	err := filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if info.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		in, err := os.Open(p)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.Create(target)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// editCase replaces text in a case's case.toml, pairs of old and new.
func editCase(t *testing.T, dir string, pairs ...string) {
	t.Helper()
	p := filepath.Join(dir, "case.toml")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for i := 0; i+1 < len(pairs); i += 2 {
		if !strings.Contains(s, pairs[i]) {
			t.Fatalf("case.toml has no %q", pairs[i])
		}
		s = strings.Replace(s, pairs[i], pairs[i+1], 1)
	}
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

// screenshotDir is where the tests leave screenshots for a person to look
// at: testdata/screenshots (git-ignored).
func screenshotDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join("testdata", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}
