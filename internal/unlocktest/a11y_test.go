package unlocktest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// axeViolations runs axe-core (from npm, installed by make bundle) on the
// current page and returns its violations as "id: help (n nodes)".
func (s *session) axeViolations(t testing.TB) []string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("..", "..", "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		t.Fatalf("axe-core is missing: run `npm ci` (make bundle does): %v", err)
	}
	var out []string
	s.Run(t, 60*time.Second,
		chromedp.Evaluate(string(src), nil),
		chromedp.Evaluate(`axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations.map(v => v.id + ": " + v.help + " (" + v.nodes.length + " nodes)"))`,
			&out, func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }))
	return out
}

func TestUnlockScreenAccessible(t *testing.T) {
	f, _ := caseFixture(t, "en", false)
	f.Files = nil
	f.Readers = readers[:1]
	p := sealFixture(t, t.TempDir(), f)
	srv := serve(t, p.Dir)
	s := newSession(t)
	s.open(t, srv.URL+"/")
	if st := s.state(t); st != "locked" {
		t.Fatalf("state %q", st)
	}
	if v := s.axeViolations(t); len(v) != 0 {
		t.Errorf("axe on the unlock form:\n%s", strings.Join(v, "\n"))
	}
	s.enter(t, wrongPassphrase, false)
	if st := s.state(t); st != "wrong" {
		t.Fatalf("state %q", st)
	}
	if v := s.axeViolations(t); len(v) != 0 {
		t.Errorf("axe after a wrong passphrase:\n%s", strings.Join(v, "\n"))
	}
	var live string
	s.eval(t, `document.getElementById("cp-error").getAttribute("role") + " " + document.getElementById("cp-status").getAttribute("aria-live")`, &live)
	if live != "alert polite" {
		t.Errorf("error and status regions: %q, want alert and polite", live)
	}
}

// When the browser refuses the new tab (the decryption outlived the
// click's permission), the page offers a link to the decrypted file.
func TestPopupBlockedOffersALink(t *testing.T) {
	f, _ := caseFixture(t, "en", false)
	f.Readers = readers[:1]
	p := sealFixture(t, t.TempDir(), f)
	srv := serve(t, p.Dir)
	s := newSession(t)
	s.Run(t, 10*time.Second, chromedp.ActionFunc(func(ctx context.Context) error {
		_, err := page.AddScriptToEvaluateOnNewDocument(`window.open = () => null`).Do(ctx)
		return err
	}))
	s.open(t, srv.URL+"/")
	s.enter(t, readers[0].Passphrase, false)
	if st := s.state(t); st != "unlocked" {
		t.Fatalf("state %q", st)
	}
	s.Run(t, 10*time.Second, chromedp.Click("#pdf", chromedp.ByID))
	s.waitFor(t, "the link to the PDF", `document.querySelector(".cp-toast a.cp-open")`)
	var href, text, focused string
	s.eval(t, `document.querySelector(".cp-toast a.cp-open").href`, &href)
	s.eval(t, `document.querySelector(".cp-toast a.cp-open").textContent`, &text)
	s.eval(t, `document.activeElement.className`, &focused)
	if !strings.HasPrefix(href, "blob:") || text != "Open biopsy-report.pdf" || focused != "cp-open" {
		t.Fatalf("link %q %q (focus on %q)", href, text, focused)
	}
	s.Run(t, 10*time.Second, chromedp.Click(".cp-toast a.cp-open", chromedp.ByQuery))
	s.waitForTab(t, "blob:http://127.0.0.1")
	s.noExternalRequests(t)
}
