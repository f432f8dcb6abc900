package unlocktest

// The unlock page with work factors by passphrase origin (issue 14): a
// generated passphrase's cheap slot and a given one's slow slot both open,
// portals built before (work factor 18, no "preload") still open, the page
// tells a browser without a JIT how long it will take, and a PDF opens in
// a tab on the click itself.

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/caseport/caseport/internal/seal"
	"github.com/caseport/caseport/internal/site"
)

// generatedReader has a passphrase of a generated one's shape and its slot
// the work factor caseport build gives generated passphrases.
var generatedReader = fixtureReader{Name: "doctor", Passphrase: "cricket-nephew-fiber-virtual-almost-fifty-troop", WorkFactor: seal.GeneratedWorkFactor}

// recordStatuses keeps every text of the unlock status line in
// window.__statuses, for tests of what the page said while it worked.
func (s *session) recordStatuses(t testing.TB) {
	t.Helper()
	s.waitFor(t, "the status line", `document.getElementById("cp-status")`)
	s.eval(t, `(() => {
		window.__statuses = [];
		const st = document.getElementById("cp-status");
		new MutationObserver(() => { if (st.textContent) window.__statuses.push(st.textContent); })
			.observe(st, {childList: true, characterData: true, subtree: true});
		return true;
	})()`, nil)
}

func (s *session) statuses(t testing.TB) []string {
	t.Helper()
	var out []string
	s.eval(t, `window.__statuses || []`, &out)
	return out
}

// marks returns the unlock's steps in ms: scrypt (submit → key), manifest
// (key → manifest decrypted), page (manifest → page shown).
func (s *session) marks(t testing.TB) (scrypt, manifest, page float64) {
	t.Helper()
	s.eval(t, `performance.measure("t1", "caseport-submit", "caseport-key").duration`, &scrypt)
	s.eval(t, `performance.measure("t2", "caseport-key", "caseport-manifest").duration`, &manifest)
	s.eval(t, `performance.measure("t3", "caseport-manifest", "caseport-unlocked").duration`, &page)
	return
}

// A portal built by caseport build with a generated passphrase and one
// with a given passphrase: the slots get 10 and 18, and both open.
func TestPassphraseOriginsUnlock(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	caseDir := filepath.Join(t.TempDir(), "case")
	if err := os.CopyFS(caseDir, os.DirFS("../casedir/testdata/valid")); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name  string
		given string
		wf    int
	}{
		{"generated", "", seal.GeneratedWorkFactor},
		{"given", "harbor-violet-cactus-lantern-meadow-given", seal.DefaultWorkFactor},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "portal")
			res, err := site.Build(caseDir, out, site.Options{Passphrase: tt.given})
			if err != nil {
				t.Fatal(err)
			}
			pass := tt.given
			if pass == "" {
				pass = res.Readers[0].Passphrase
			}
			index := filepath.Join(out, "index.html")
			if wf := slotWorkFactors(t, index); len(wf) != 1 || wf[0] != tt.wf {
				t.Fatalf("slot work factors %v, want [%d]", wf, tt.wf)
			}
			s := newSession(t)
			s.open(t, serve(t, out).URL+"/")
			s.recordStatuses(t)
			s.enter(t, pass, false)
			if st := s.state(t); st != "unlocked" {
				t.Fatalf("state %q", st)
			}
			var mode string
			s.eval(t, `document.documentElement.getAttribute("data-caseport-mode")`, &mode)
			if mode != "jit" {
				t.Errorf("mode %q: Chromium with its JIT was taken for a locked-down browser", mode)
			}
			for _, said := range s.statuses(t) {
				if strings.Contains(said, "locked-down") {
					t.Errorf("the page said %q with the JIT on", said)
				}
			}
			scrypt, manifest, page := s.marks(t)
			t.Logf("work factor %d: scrypt %.0f ms, manifest %.0f ms, page %.0f ms", tt.wf, scrypt, manifest, page)
			s.noExternalRequests(t)
		})
	}
}

// slotWorkFactors reads the work factor of each passphrase slot of a portal.
func slotWorkFactors(t testing.TB, index string) []int {
	t.Helper()
	page, err := os.ReadFile(index)
	if err != nil {
		t.Fatal(err)
	}
	var out []int
	for _, m := range regexp.MustCompile(`"type":"passphrase","key":"([A-Za-z0-9+/=]+)"`).FindAllSubmatch(page, -1) {
		out = append(out, seal.SlotWorkFactor(decodeBase64(t, string(m[1]))))
	}
	return out
}

// A portal as built before work factors by origin: both slots at 18, no
// "preload" list. It opens, and a reader without #reader= whose slot
// comes second is told which reader is being tried.
func TestOldPortalOpens(t *testing.T) {
	f, _ := caseFixture(t, "en", false)
	f.WorkFactor = 18
	p := sealFixture(t, t.TempDir(), f)
	page, err := os.ReadFile(p.Index)
	if err != nil {
		t.Fatal(err)
	}
	old := regexp.MustCompile(`"preload":\[[^\]]*\],`).ReplaceAll(page, nil)
	if len(old) == len(page) {
		t.Fatal("no preload list to remove: did the portal JSON change?")
	}
	if err := os.WriteFile(p.Index, old, 0o644); err != nil {
		t.Fatal(err)
	}
	second := readers[0]
	if slotPosition(t, p, readers[1].Name) == 2 {
		second = readers[1]
	}
	s := newSession(t)
	s.open(t, serve(t, p.Dir).URL+"/")
	s.recordStatuses(t)
	s.enter(t, second.Passphrase, false)
	if st := s.state(t); st != "unlocked" {
		t.Fatalf("state %q", st)
	}
	s.checkUnlocked(t)
	said := strings.Join(s.statuses(t), "\n")
	if !strings.Contains(said, "Trying reader 2 of 2.") {
		t.Errorf("the page never said it tried reader 2 of 2; it said:\n%s", said)
	}
}

// With V8's JIT off (--js-flags=--jitless, as iOS Lockdown Mode does), the
// page says the browser is in a slower, locked-down mode and how long the
// key will take, and still opens a tiny portal.
func TestJitlessSaysSo(t *testing.T) {
	f := fixture{Lang: "en", Readers: []fixtureReader{generatedReader}, Pages: []fixturePage{
		{Name: "index.html", Type: "text/html; charset=utf-8", Data: []byte(`<!doctype html><html lang="en"><head><title>Tiny synthetic portal</title></head><body><main><h1 id="top">Tiny synthetic portal</h1></main></body></html>`)},
	}}
	p := sealFixture(t, t.TempDir(), f)
	s := newSession(t, chromedp.Flag("js-flags", "--jitless"))
	s.open(t, serve(t, p.Dir).URL+"/")
	s.recordStatuses(t)
	s.enter(t, generatedReader.Passphrase, false)
	if st := s.state(t); st != "unlocked" {
		t.Fatalf("state %q", st)
	}
	if got := s.text(t, "#top"); got != "Tiny synthetic portal" {
		t.Fatalf("heading %q", got)
	}
	said := strings.Join(s.statuses(t), "\n")
	if !regexp.MustCompile(`This browser runs scripts in a slower, locked-down mode: about \d+ seconds`).MatchString(said) {
		t.Errorf("the page did not say it runs locked down; it said:\n%s", said)
	}
	var mode string
	s.eval(t, `document.documentElement.getAttribute("data-caseport-mode")`, &mode)
	if mode != "locked-down" {
		t.Errorf("mode %q, want locked-down", mode)
	}
	scrypt, manifest, page := s.marks(t)
	t.Logf("jitless, work factor %d: scrypt %.0f ms, manifest %.0f ms, page %.0f ms; the page said:\n%s", generatedReader.WorkFactor, scrypt, manifest, page, said)
}

// A PDF opens in a tab on the first click: the tab is opened while the
// click is handled (WebKit blocks window.open after an awaited decryption)
// and then shows the decrypted file.
func TestPDFOpensOnTheClick(t *testing.T) {
	f, _ := caseFixture(t, "en", false)
	f.Files = f.Files[:1]
	f.Readers = []fixtureReader{generatedReader}
	p := sealFixture(t, t.TempDir(), f)
	s := newSession(t)
	s.open(t, serve(t, p.Dir).URL+"/")
	s.enter(t, generatedReader.Passphrase, false)
	if st := s.state(t); st != "unlocked" {
		t.Fatalf("state %q", st)
	}
	// window.open is watched: was it called before the click finished
	// dispatching (the document's own click listener runs after the
	// portal's, on the body)?
	s.eval(t, `(() => {
		window.__opens = [];
		window.addEventListener("click", () => { window.__clickOver = false; }, true);
		document.addEventListener("click", () => { window.__clickOver = true; });
		const open = window.open;
		window.open = function (...args) {
			window.__opens.push(window.__clickOver ? "after the click" : "during the click");
			return open.apply(window, args);
		};
		return true;
	})()`, nil)
	s.Run(t, 10*time.Second, chromedp.Click("#pdf", chromedp.ByID))
	s.waitForTab(t, "blob:http://127.0.0.1")
	var opens []string
	s.eval(t, `window.__opens`, &opens)
	if len(opens) != 1 || opens[0] != "during the click" {
		t.Errorf("window.open calls: %v, want one during the click", opens)
	}
	if link := s.text(t, ".cp-toast a.cp-open"); link != "" {
		t.Errorf("the toast offers a second tap: %q", link)
	}
}

func decodeBase64(t testing.TB, s string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
