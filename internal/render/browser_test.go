package render

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/caseport/caseport/internal/browsertest"
	"github.com/caseport/caseport/internal/portal"
	"github.com/chromedp/cdproto/emulation"
	cdpage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// serveTree serves a rendered portal on 127.0.0.1 as the preview would:
// pages from memory, attachments streamed from disk.
func serveTree(t *testing.T, tree *portal.Tree) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/")
		if name == "" {
			name = "index.html"
		}
		if p := tree.Page(name); p != nil {
			w.Header().Set("Content-Type", p.MediaType)
			_, _ = w.Write(p.Data)
			return
		}
		if a := tree.Attachment(name); a != nil {
			f, err := a.Open()
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			defer f.Close()
			w.Header().Set("Content-Type", a.MediaType)
			_, _ = io.Copy(w, f)
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(srv.Close)
	if !strings.HasPrefix(srv.URL, "http://127.0.0.1:") {
		t.Fatalf("test server on %s, want 127.0.0.1", srv.URL)
	}
	return srv
}

// screenshotDir is where the browser test leaves its screenshots for a
// person to look at: testdata/screenshots (git-ignored).
func screenshotDir(t *testing.T) string {
	dir := filepath.Join("testdata", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// runAxe injects axe-core into the page and returns its violations.
func runAxe(t *testing.T, b *browsertest.Browser, axe string) []axeViolation {
	t.Helper()
	var res string
	b.Run(t, 60*time.Second,
		chromedp.Evaluate(axe, nil),
		chromedp.Evaluate(`axe.run(document, {resultTypes: ["violations"]}).then(r => JSON.stringify(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " " + (n.failureSummary || ""))}))))`,
			&res, func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }),
	)
	var v []axeViolation
	if err := json.Unmarshal([]byte(res), &v); err != nil {
		t.Fatalf("axe result: %v: %s", err, res)
	}
	return v
}

// TestBrowser loads rendered cases in headless Chromium at phone and desktop
// size, in light and dark mode: every section is there and visible, the
// page does not scroll sideways on a phone, nothing leaves the machine, and
// axe-core finds no accessibility violation. It saves screenshots to look at.
func TestBrowser(t *testing.T) {
	b := browsertest.New(t)
	axePath := filepath.Join("..", "..", "node_modules", "axe-core", "axe.min.js")
	axe, err := os.ReadFile(axePath)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("axe-core: %v (run npm ci)", err)
		}
		t.Logf("axe-core missing (%v): accessibility not checked; run npm ci", err)
	}
	dir := screenshotDir(t)
	sections := []string{"glance", "diagnosis", "timeline", "imaging", "pathology", "treatments", "labs", "medications", "history", "documents", "questions", "completeness"}

	for _, gc := range goldenCases(t) {
		if gc.name == "casedir-valid" {
			continue // the loader's example is close to an example case; the HTML checks cover it
		}
		name := gc.name
		tree := renderCase(t, loadCase(t, gc.dir))
		srv := serveTree(t, tree)
		b.Run(t, 10*time.Second, cdpage.SetBypassCSP(true)) // so axe can be injected
		for _, vp := range []struct {
			name string
			w, h int64
			dark bool
		}{{"phone", 360, 780, false}, {"desktop", 1280, 900, false}, {"phone-dark", 360, 780, true}} {
			scheme := "light"
			if vp.dark {
				scheme = "dark"
			}
			b.Run(t, 30*time.Second,
				chromedp.EmulateViewport(vp.w, vp.h),
				emulation.SetEmulatedMedia().WithFeatures([]*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}),
				chromedp.Navigate(srv.URL+"/index.html"),
				chromedp.WaitVisible("#completeness", chromedp.ByQuery),
			)
			for _, id := range sections {
				var visible bool
				b.Run(t, 10*time.Second, chromedp.Evaluate(`(() => { const e = document.getElementById(`+jsString(id)+`); return !!e && e.getBoundingClientRect().height > 0 && !!e.querySelector("h2"); })()`, &visible))
				if !visible {
					t.Errorf("%s %s: section #%s is missing or not visible", name, vp.name, id)
				}
			}
			var overflow int64
			b.Run(t, 10*time.Second, chromedp.Evaluate(`document.documentElement.scrollWidth - document.documentElement.clientWidth`, &overflow))
			if overflow > 0 {
				t.Errorf("%s %s: the page scrolls sideways by %d px", name, vp.name, overflow)
			}
			var navSticky string
			b.Run(t, 10*time.Second, chromedp.Evaluate(`getComputedStyle(document.querySelector("nav.section-nav")).position`, &navSticky))
			if navSticky != "sticky" {
				t.Errorf("%s %s: section navigation is %q, want sticky", name, vp.name, navSticky)
			}
			b.Screenshot(t, filepath.Join(dir, name+"-"+vp.name+".png"))
			if axe != nil {
				for _, v := range runAxe(t, b, string(axe)) {
					t.Errorf("%s %s: axe %s (%s): %s\n  %s", name, vp.name, v.ID, v.Impact, v.Help, strings.Join(v.Nodes, "\n  "))
				}
			}
		}
		// Print: navigation hidden, attachments' names printed.
		b.Run(t, 30*time.Second,
			chromedp.EmulateViewport(800, 1100),
			emulation.SetEmulatedMedia().WithMedia("print").WithFeatures([]*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "light"}}),
			chromedp.Navigate(srv.URL+"/index.html"),
			chromedp.WaitReady("#completeness", chromedp.ByQuery),
		)
		var navDisplay string
		b.Run(t, 10*time.Second, chromedp.Evaluate(`getComputedStyle(document.querySelector("nav.section-nav")).display`, &navDisplay))
		if navDisplay != "none" {
			t.Errorf("%s print: navigation display is %q, want none", name, navDisplay)
		}
		if len(tree.Attachments) > 0 {
			var after string
			b.Run(t, 10*time.Second, chromedp.Evaluate(`getComputedStyle(document.querySelector("a[data-attachment]"), "::after").content`, &after))
			if !strings.Contains(after, "files/") {
				t.Errorf("%s print: an attachment link does not name its target (::after is %s)", name, after)
			}
		}
		b.Screenshot(t, filepath.Join(dir, name+"-print.png"))
		b.Run(t, 10*time.Second, emulation.SetEmulatedMedia().WithMedia(""))
	}
	if ext := b.ExternalRequests(); len(ext) > 0 {
		t.Errorf("the page requested resources outside the machine: %v", ext)
	}
	// Attachments load from their portal-internal names.
	var imgOK bool
	tree := renderCase(t, loadCase(t, filepath.Join("testdata", "cases", "full")))
	srv := serveTree(t, tree)
	b.Run(t, 30*time.Second,
		chromedp.Navigate(srv.URL+"/index.html"),
		chromedp.WaitReady("img.doc-image", chromedp.ByQuery),
		chromedp.Poll(`(() => { const i = document.querySelector("img.doc-image"); return i.complete && i.naturalWidth > 0; })()`, &imgOK, chromedp.WithPollingTimeout(10*time.Second)),
	)
	if !imgOK {
		t.Error("the attached image did not load from its portal-internal name")
	}
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
