package preview

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/caseport/caseport/internal/browsertest"
)

// evalUntil evaluates expr in the page until it returns true. Errors are
// tolerated while polling: a reload destroys the page's context for a moment.
func evalUntil(t *testing.T, b *browsertest.Browser, what, expr string) {
	t.Helper()
	waitFor(t, what, func() (bool, string) {
		ctx, cancel := context.WithTimeout(b.Ctx, 2*time.Second)
		defer cancel()
		var ok bool
		if err := chromedp.Run(ctx, chromedp.Evaluate(expr, &ok)); err != nil {
			return false, err.Error()
		}
		return ok, "false: " + expr
	})
}

func evalFloat(t *testing.T, b *browsertest.Browser, expr string) float64 {
	t.Helper()
	var v float64
	b.Run(t, 10*time.Second, chromedp.Evaluate(expr, &v))
	return v
}

func TestBrowserReloadKeepsScroll(t *testing.T) {
	b := browsertest.New(t)
	// Close Chromium gracefully before its profile folder is removed: killed
	// at once, its helpers may still write there during the removal.
	t.Cleanup(func() { chromedp.Cancel(b.Ctx) })
	f := startFixture(t)
	b.Run(t, 30*time.Second,
		chromedp.Navigate(f.url),
		chromedp.WaitVisible("#questions", chromedp.ByQuery),
	)
	// Wait for the event stream to be open, so the save is not made before
	// the page listens (it would still reload through the generation check,
	// but the test should exercise the event).
	// It also proves the CSP let the inline script run.
	waitFor(t, "the page's event stream", func() (bool, string) {
		f.s.mu.RLock()
		defer f.s.mu.RUnlock()
		return len(f.s.clients) > 0, "no client connected"
	})

	// Chromium restores the scroll position on reload by itself; turn that
	// off so the test sees the preview's own restoring.
	const y = 1500
	b.Run(t, 10*time.Second, chromedp.Evaluate(fmt.Sprintf(`history.scrollRestoration = "manual"; window.scrollTo(0, %d); window.caseportMarker = 1; window.scrollY`, y), nil))
	if got := evalFloat(t, b, "window.scrollY"); math.Abs(got-y) > 1 {
		t.Fatalf("scrolled to %v, want %d: is the page tall enough?", got, y)
	}

	f.write("questions.md", f.read("questions.md")+"- A question added while the page was open?\n")
	evalUntil(t, b, "the new question in the page",
		`document.getElementById("questions") !== null && document.getElementById("questions").textContent.includes("added while the page was open")`)
	evalUntil(t, b, "the scroll position restored", fmt.Sprintf(`Math.abs(window.scrollY - %d) <= 4`, y))
	var marker bool
	b.Run(t, 10*time.Second, chromedp.Evaluate(`window.caseportMarker === 1`, &marker))
	if marker {
		t.Error("the page changed without a reload: the test does not test what it means to")
	}

	// A stylesheet-only change swaps the stylesheet without reloading.
	b.Run(t, 10*time.Second, chromedp.Evaluate(`window.caseportMarker = 2`, nil))
	css := "body { font-family: sans-serif; background-color: rgb(1, 2, 3); }\n.spacer { height: 4000px; }\n"
	if err := os.WriteFile(filepath.Join(f.theme, "style.css"), []byte(css), 0o644); err != nil {
		t.Fatal(err)
	}
	evalUntil(t, b, "the new background", `getComputedStyle(document.body).backgroundColor === "rgb(1, 2, 3)"`)
	evalUntil(t, b, "one stylesheet left", `document.querySelectorAll('link[rel="stylesheet"]').length === 1`)
	b.Run(t, 10*time.Second, chromedp.Evaluate(`window.caseportMarker === 2`, &marker))
	if !marker {
		t.Error("a stylesheet change reloaded the page")
	}

	// A broken case shows the overlay, styled (its style is allowed by the
	// CSP hash), and fixing it brings the page back by itself.
	good := f.read("case.toml")
	f.write("case.toml", good+"\n[patient\n")
	evalUntil(t, b, "the error overlay", `(() => { const e = document.getElementById("caseport-error"); return e !== null && getComputedStyle(e).position === "fixed" && e.textContent.includes("case.toml:"); })()`)
	f.write("case.toml", good)
	evalUntil(t, b, "the overlay gone", `document.readyState === "complete" && document.getElementById("questions") !== null && document.getElementById("caseport-error") === null`)

	if ext := b.ExternalRequests(); len(ext) > 0 {
		t.Errorf("the preview made requests off the machine: %v", ext)
	}
}
