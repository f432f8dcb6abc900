package seal

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/caseport/caseport/internal/browsertest"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestUnlockInChromium is the contract check between this package and the
// browser bundle: a portal sealed here, folder over loopback HTTP and single
// file from file://, unlocks in Chromium with the passphrase, shows the
// page, and is refused with a wrong one. The bundle's own tests
// (internal/unlocktest) cover the page in depth.
func TestUnlockInChromium(t *testing.T) {
	requireBundle(t)
	tree := testTree(t)
	readers := []Reader{{Name: "doctor", Passphrase: testPassphrase}}
	folder, _ := sealTest(t, tree, readers, Options{})
	single, _ := sealTest(t, tree, readers, Options{SingleFile: true})
	srv := httptest.NewServer(http.FileServer(http.Dir(folder)))
	defer srv.Close()

	b := browsertest.New(t)
	// Record what the Content-Security-Policy blocks: the unlock code falls
	// back quietly (a blocked worker runs scrypt on the page), so a policy
	// too strict would not otherwise show.
	b.Run(t, 10*time.Second, chromedp.ActionFunc(func(ctx context.Context) error {
		_, err := page.AddScriptToEvaluateOnNewDocument(`window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(e.effectiveDirective + " " + e.blockedURI));`).Do(ctx)
		return err
	}))
	state := func() string {
		t.Helper()
		var st string
		for deadline := time.Now().Add(90 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			b.Run(t, 10*time.Second, chromedp.Evaluate(`document.documentElement.getAttribute("data-caseport") || ""`, &st))
			switch st {
			case "locked", "wrong", "unlocked", "error", "insecure":
				return st
			}
		}
		t.Fatalf("the unlock page did not settle (state %q)", st)
		return ""
	}
	enter := func(p string) {
		t.Helper()
		b.Run(t, 30*time.Second,
			chromedp.WaitVisible("#cp-pass", chromedp.ByID),
			chromedp.Evaluate(`document.getElementById("cp-pass").value = ""`, nil),
			chromedp.SendKeys("#cp-pass", p+kb.Enter, chromedp.ByID))
	}
	for _, u := range []string{srv.URL + "/", "file://" + single} {
		b.Run(t, 30*time.Second, chromedp.Navigate(u))
		if st := state(); st != "locked" {
			t.Fatalf("%s: state %q before the passphrase", u, st)
		}
		enter(testPassphrase + "x")
		if st := state(); st != "wrong" {
			t.Fatalf("%s: state %q after a wrong passphrase; want wrong", u, st)
		}
		enter(testPassphrase)
		if st := state(); st != "unlocked" {
			var text string
			b.Run(t, 10*time.Second, chromedp.Evaluate(`document.body.innerText`, &text))
			t.Fatalf("%s: state %q after the passphrase; page:\n%s", u, st, text)
		}
		var text string
		b.Run(t, 10*time.Second, chromedp.Evaluate(`document.body.innerText`, &text))
		if !strings.Contains(text, "signet ring cell") {
			t.Errorf("%s: the unlocked page lacks the case text:\n%s", u, text)
		}
		var blocked []string
		b.Run(t, 10*time.Second, chromedp.Evaluate(`window.__csp`, &blocked))
		if len(blocked) > 0 {
			t.Errorf("%s: the Content-Security-Policy blocked %v", u, blocked)
		}
	}
	if ext := b.ExternalRequests(); len(ext) > 0 {
		t.Errorf("requests outside the machine: %v", ext)
	}
}
