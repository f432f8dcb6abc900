package browsertest

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Driver is one browser of one engine, driven the way a person uses it:
// open an address, type, click, and read the page back with JavaScript.
// Each engine speaks its own protocol (Chromium: DevTools through chromedp;
// WebKit: W3C WebDriver over HTTP; Firefox: WebDriver BiDi over a
// websocket); a scenario written against Driver runs in all of them.
//
// Selectors are CSS selectors. Expressions passed to Eval are JavaScript
// expressions (not statements: wrap statements in an arrow function called
// at once); their value travels as JSON, so it must be JSON-serialisable.
type Driver interface {
	// Engine names the engine: "chromium", "webkit" or "firefox".
	Engine() string
	// Navigate opens url in the current tab and waits for it to load.
	Navigate(url string) error
	// Reload reloads the current tab and waits for it to load.
	Reload() error
	// Eval evaluates a JavaScript expression in the current tab and decodes
	// its JSON value into out (nil: ignore it). A promise is awaited.
	Eval(expr string, out any) error
	// Type focuses the element and types text as key presses; "\n" is the
	// Enter key.
	Type(selector, text string) error
	// Click scrolls the element into view and clicks its centre with the
	// pointer, as a user gesture (a popup it opens is a user's popup).
	Click(selector string) error
	// Screenshot returns a PNG of the current tab's viewport.
	Screenshot() ([]byte, error)
	// Requests returns the URLs the browser requested so far, in order.
	Requests() []string
	// Tabs returns the URL of every open tab and window.
	Tabs() ([]string, error)
	// DownloadDir is the folder where downloads are saved, under their
	// suggested names.
	DownloadDir() string
	// Close ends the browser and removes its profile.
	Close() error
}

// Engines in the order tests run them.
const (
	Chromium = "chromium"
	WebKit   = "webkit"
	Firefox  = "firefox"
)

// AllEngines is every engine this package drives.
var AllEngines = []string{Chromium, WebKit, Firefox}

// Options shape a browser started by Start.
type Options struct {
	// Width and Height of the viewport in CSS pixels; 0 means 1280×900.
	Width, Height int
	// JITLess turns the JavaScript just-in-time compilers off, as iOS
	// Lockdown Mode and hardened Firefox do: Chromium --js-flags=--jitless,
	// WebKit JSC_useJIT=0, Firefox's baseline, Ion and wasm JIT preferences.
	JITLess bool
	// HostRules maps made-up host names to 127.0.0.1 (Chromium only).
	HostRules []string
}

func (o Options) size() (int, int) {
	w, h := o.Width, o.Height
	if w == 0 {
		w = 1280
	}
	if h == 0 {
		h = 900
	}
	return w, h
}

// Missing returns why engine cannot run here and the apt-get command that
// installs what it needs, or "" when everything is installed.
func Missing(engine string) string {
	var pkgs []string
	need := func(pkg string, found bool) {
		if !found {
			pkgs = append(pkgs, pkg)
		}
	}
	switch engine {
	case Chromium:
		need("chromium", ChromiumPath() != "")
	case WebKit:
		need("webkit2gtk-driver", lookPath("WebKitWebDriver") && miniBrowserPath() != "")
		need("xvfb", lookPath("Xvfb"))
	case Firefox:
		need("firefox-esr", firefoxPath() != "")
	default:
		return fmt.Sprintf("unknown browser engine %q (known: %s)", engine, strings.Join(AllEngines, ", "))
	}
	if len(pkgs) == 0 {
		return ""
	}
	return fmt.Sprintf("%s is not installed; install it with: apt-get install -y %s", engine, strings.Join(pkgs, " "))
}

func lookPath(name string) bool {
	_, err := exec.LookPath(name)
	return err == nil
}

// Start starts a browser of engine for t and closes it when t ends. A
// missing engine fails the test with the command that installs it: a
// browser test must never pass by not running.
func Start(t testing.TB, engine string, opt Options) Driver {
	t.Helper()
	if why := Missing(engine); why != "" {
		t.Fatal(why)
	}
	var (
		d   Driver
		err error
	)
	switch engine {
	case Chromium:
		d, err = startChromium(opt)
	case WebKit:
		d, err = startWebKit(opt)
	case Firefox:
		d, err = startFirefox(opt)
	}
	if err != nil {
		t.Fatalf("start %s: %v", engine, err)
	}
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Logf("close %s: %v", engine, err)
		}
	})
	return d
}

// tempProfile makes a profile folder. Not t.TempDir: a browser's helper
// processes may still write there for a moment after it is closed, and
// t.TempDir's single removal attempt then fails the test.
func tempProfile(engine string) (string, error) {
	dir, err := os.MkdirTemp("", "browsertest-"+engine+"-")
	if err != nil {
		return "", fmt.Errorf("%s profile folder: %w", engine, err)
	}
	if err := os.Mkdir(filepath.Join(dir, "downloads"), 0o755); err != nil {
		return "", fmt.Errorf("%s download folder: %w", engine, err)
	}
	return dir, nil
}

// removeProfile removes a profile folder, retrying while helpers finish.
func removeProfile(dir string) error {
	var err error
	for i := 0; i < 50; i++ {
		if err = os.RemoveAll(dir); err == nil {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("remove profile %s: %w", dir, err)
}

// decodeJSON decodes the JSON text an engine returned for Eval into out.
func decodeJSON(expr, text string, out any) error {
	if out == nil {
		return nil
	}
	if text == "" {
		text = "null"
	}
	if err := json.Unmarshal([]byte(text), out); err != nil {
		return fmt.Errorf("eval %.80q: decode %.200q: %w", expr, text, err)
	}
	return nil
}

// jsonWrapped is the JavaScript that evaluates expr, awaits it and returns
// its value as JSON text ("" for undefined).
func jsonWrapped(expr string) string {
	return "Promise.resolve((" + expr + "\n)).then(v => v === undefined ? '' : JSON.stringify(v))"
}

// JS quotes s as a JavaScript string literal.
func JS(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// clickTarget is the JavaScript that scrolls the element into view without
// animation (smooth scrolling makes a driver's click land where the element
// was) and returns the viewport coordinates of its centre.
func clickTarget(selector string) string {
	return `(() => {
  const el = document.querySelector(` + JS(selector) + `);
  if (!el) return null;
  el.scrollIntoView({block: "center", inline: "center", behavior: "instant"});
  const r = el.getClientRects()[0] || el.getBoundingClientRect();
  return {x: Math.round(r.left + r.width / 2), y: Math.round(r.top + r.height / 2)};
})()`
}

type point struct{ X, Y int }

// locate scrolls to the element and returns its centre.
func locate(d Driver, selector string) (point, error) {
	var p *point
	if err := d.Eval(clickTarget(selector), &p); err != nil {
		return point{}, err
	}
	if p == nil {
		return point{}, fmt.Errorf("no element matches %q", selector)
	}
	return *p, nil
}

// focusJS focuses the element, with the caret at the end of its value.
func focusJS(selector string) string {
	return `(() => {
  const el = document.querySelector(` + JS(selector) + `);
  if (!el) return false;
  el.focus();
  if (typeof el.value === "string" && el.setSelectionRange) { try { el.setSelectionRange(el.value.length, el.value.length) } catch (e) {} }
  return document.activeElement === el;
})()`
}

// WaitFor polls a JavaScript condition until it is true, or fails t after
// timeout (a guard against a hang, not an assertion about speed). Errors
// while polling are tolerated: a navigation destroys the page's context for
// a moment.
func WaitFor(t testing.TB, d Driver, what, cond string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var last error
	for {
		var ok bool
		last = d.Eval("!!("+cond+")", &ok)
		if last == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			var text string
			d.Eval(`document.body ? document.body.innerText.slice(0, 2000) : ""`, &text)
			t.Fatalf("%s: waiting for %s (%s) timed out after %v (last error: %v); page text:\n%s", d.Engine(), what, cond, timeout, last, text)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// WaitDownload waits until a file named name is complete in d's download
// folder and returns its bytes.
func WaitDownload(t testing.TB, d Driver, name string, timeout time.Duration) []byte {
	t.Helper()
	path := filepath.Join(d.DownloadDir(), name)
	deadline := time.Now().Add(timeout)
	for {
		if data, ok := completeDownload(path); ok {
			return data
		}
		if time.Now().After(deadline) {
			entries, _ := os.ReadDir(d.DownloadDir())
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			t.Fatalf("%s: download %s not complete after %v; the folder holds %q", d.Engine(), name, timeout, names)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// completeDownload reads a download once no engine's partial file for it
// remains and its size has settled. An empty file counts as not yet
// complete: Firefox creates the target empty before it writes the .part.
func completeDownload(path string) ([]byte, bool) {
	for _, part := range []string{".crdownload", ".part", ".download"} {
		if _, err := os.Stat(path + part); err == nil {
			return nil, false
		}
	}
	st, err := os.Stat(path)
	if err != nil || st.Size() == 0 {
		return nil, false
	}
	time.Sleep(200 * time.Millisecond)
	data, err := os.ReadFile(path)
	if err != nil || int64(len(data)) != st.Size() {
		return nil, false
	}
	return data, true
}

// WaitTab waits for a tab whose URL starts with prefix and returns its URL.
func WaitTab(t testing.TB, d Driver, prefix string, timeout time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		tabs, err := d.Tabs()
		if err == nil {
			for _, u := range tabs {
				if strings.HasPrefix(u, prefix) {
					return u
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: no tab on %s… after %v; tabs %q (%v)", d.Engine(), prefix, timeout, tabs, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// External returns the URLs among reqs that left the machine.
func External(reqs []string) []string {
	var out []string
	for _, raw := range reqs {
		if !IsLocal(raw) {
			out = append(out, raw)
		}
	}
	return out
}
