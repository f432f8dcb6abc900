// Package browsertest starts headless Chromium for tests, with the flags this
// project's machines need (no sandbox as root, no background networking on a
// machine without internet), and records every request the page makes so a
// test can prove a portal fetched nothing from outside the machine.
//
// Beside that Chromium-only Browser, Driver is one engine-neutral browser:
// Start gives Chromium (DevTools, chromedp), WebKit (WebKitWebDriver with
// MiniBrowser on an Xvfb display, W3C WebDriver over HTTP) or Firefox ESR
// (WebDriver BiDi over a websocket), all spoken from Go so that the tests
// stay plain go test. ForEachEngine runs one scenario in each engine as
// subtests named by the engine, so a failure names it.
package browsertest

import (
	"context"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// Browser is one headless Chromium for one test.
type Browser struct {
	// Ctx is the chromedp context of the browser's first tab.
	Ctx context.Context

	mu       sync.Mutex
	requests []string
}

// ChromiumPath returns the Chromium binary to drive: $CHROMIUM, else the
// first of chromium and chromium-browser on PATH; "" when there is none.
func ChromiumPath() string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// New starts Chromium for t and closes it when t ends. Without Chromium the
// test fails with the command that installs it: a browser test must never
// pass by not running. Only SKIP_BROWSER=1 (make test-quick) skips it, and
// make test's summary then says so. extra options (flags) are added to the
// standard ones.
func New(t testing.TB, extra ...chromedp.ExecAllocatorOption) *Browser {
	t.Helper()
	if os.Getenv("SKIP_BROWSER") == "1" {
		t.Skip("SKIP_BROWSER=1: browser tests not run")
	}
	path := ChromiumPath()
	if path == "" {
		t.Fatal("chromium not found: install it with apt-get install chromium (make test does, as root), or skip browser tests with SKIP_BROWSER=1")
	}
	// Not t.TempDir: Chromium's helper processes may still be writing to
	// the profile for a moment after the browser is closed, and t.TempDir's
	// single removal attempt then fails the test.
	profile, err := os.MkdirTemp("", "browsertest-profile-")
	if err != nil {
		t.Fatalf("chromium profile folder: %v", err)
	}
	opts := chromiumOptions(path, profile)
	opts = append(opts, extra...)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	b := &Browser{Ctx: ctx}
	chromedp.ListenTarget(ctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok {
			b.mu.Lock()
			b.requests = append(b.requests, e.Request.URL)
			b.mu.Unlock()
		}
	})
	if err := chromedp.Run(ctx, network.Enable()); err != nil {
		cancelCtx()
		cancelAlloc()
		os.RemoveAll(profile)
		t.Fatalf("start chromium %s: %v", path, err)
	}
	t.Cleanup(func() {
		cancelCtx()
		cancelAlloc()
		for i := 0; ; i++ {
			err := os.RemoveAll(profile)
			if err == nil {
				break
			}
			if i == 50 {
				t.Logf("remove chromium profile: %v", err)
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	return b
}

// chromiumOptions are the flags every test Chromium runs with.
func chromiumOptions(path, profile string) []chromedp.ExecAllocatorOption {
	return []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.UserDataDir(profile),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("no-pings", true),
		chromedp.WindowSize(1280, 900),
	}
}

// Run runs chromedp actions with a deadline, failing t on error.
func (b *Browser) Run(t testing.TB, timeout time.Duration, actions ...chromedp.Action) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, timeout)
	defer cancel()
	if err := chromedp.Run(ctx, actions...); err != nil {
		t.Fatalf("browser: %v", err)
	}
}

// Requests returns every URL the browser requested so far.
func (b *Browser) Requests() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.requests...)
}

// ExternalRequests returns the requests that left the machine: anything but
// loopback http(s), file:, data:, blob: and about: URLs.
func (b *Browser) ExternalRequests() []string {
	var out []string
	for _, raw := range b.Requests() {
		if !IsLocal(raw) {
			out = append(out, raw)
		}
	}
	return out
}

// IsLocal reports whether a URL stays on this machine.
func IsLocal(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	switch u.Scheme {
	case "file", "data", "blob", "about", "chrome", "devtools":
		return true
	case "http", "https", "ws", "wss":
		h := u.Hostname()
		return h == "localhost" || h == "::1" || strings.HasPrefix(h, "127.")
	}
	return false
}

// Screenshot saves a full-page PNG (quality 100: below it Chromium sends
// JPEG) of the current page to path, for a person
// to look at; the file tool shows it.
func (b *Browser) Screenshot(t testing.TB, path string) {
	t.Helper()
	var png []byte
	b.Run(t, 30*time.Second, chromedp.FullScreenshot(&png, 100))
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatalf("save screenshot: %v", err)
	}
}
