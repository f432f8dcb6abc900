package unlocktest

// The unlock scenarios a doctor goes through, written once against
// browsertest.Driver and run in Chromium, WebKit and Firefox (subtests
// named by the engine). Each portal is sealed once per test binary and
// shared by the engines.

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caseport/caseport/internal/browsertest"
)

func TestMain(m *testing.M) {
	root, err := os.MkdirTemp("", "unlocktest-portals-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	shared.root = root
	code := m.Run()
	os.RemoveAll(root)
	browsertest.ReportEnginesRan("internal/unlocktest")
	os.Exit(code)
}

// shared holds the portals sealed for the engine scenarios, by kind.
var shared = struct {
	root    string
	mu      sync.Mutex
	portals map[string]*sharedPortal
}{portals: map[string]*sharedPortal{}}

type sharedPortal struct {
	p     *sealed
	files map[string][]byte
}

// Kinds of shared portal.
const (
	folderPortal = "folder" // the synthetic case, folder mode, production work factor
	singlePortal = "single" // the same as one file, opened from the disk
	tinyPortal   = "tiny"   // one page, one reader, a low work factor
)

// tinyWorkFactor keeps an unlock with the JIT off to a few seconds.
const tinyWorkFactor = 13

// portalOf seals the portal of a kind the first time it is asked for.
func portalOf(t *testing.T, kind string) (*sealed, map[string][]byte) {
	t.Helper()
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if sp := shared.portals[kind]; sp != nil {
		return sp.p, sp.files
	}
	var (
		f     fixture
		files map[string][]byte
	)
	switch kind {
	case folderPortal:
		f, files = caseFixture(t, "en", false)
	case singlePortal:
		f, files = caseFixture(t, "en", true)
	case tinyPortal:
		f, files = caseFixture(t, "en", false)
		f.Files = nil
		f.Readers = readers[:1]
		f.WorkFactor = tinyWorkFactor
	default:
		t.Fatalf("no portal kind %q", kind)
	}
	dir, err := os.MkdirTemp(shared.root, kind+"-")
	if err != nil {
		t.Fatal(err)
	}
	sp := &sharedPortal{p: sealFixture(t, dir, f), files: files}
	shared.portals[kind] = sp
	return sp.p, sp.files
}

// unlockPage is the unlock page in one engine's browser.
type unlockPage struct {
	browsertest.Driver
}

func (p unlockPage) eval(t *testing.T, expr string, out any) {
	t.Helper()
	if err := p.Eval(expr, out); err != nil {
		t.Fatal(err)
	}
}

func (p unlockPage) open(t *testing.T, u string) {
	t.Helper()
	if err := p.Navigate(u); err != nil {
		t.Fatal(err)
	}
}

func (p unlockPage) click(t *testing.T, sel string) {
	t.Helper()
	if err := p.Click(sel); err != nil {
		t.Fatal(err)
	}
}

func (p unlockPage) waitFor(t *testing.T, what, cond string) {
	t.Helper()
	browsertest.WaitFor(t, p, what, cond, 120*time.Second)
}

// state waits until the page settles and returns its state.
func (p unlockPage) state(t *testing.T) string {
	t.Helper()
	p.waitFor(t, "a settled state", `["locked","wrong","unlocked","error","insecure"].includes(document.documentElement.getAttribute("data-caseport"))`)
	var st string
	p.eval(t, `document.documentElement.getAttribute("data-caseport")`, &st)
	return st
}

// enter types the passphrase, ticks "Remember on this device" if asked,
// and presses Enter.
func (p unlockPage) enter(t *testing.T, passphrase string, remember bool) {
	t.Helper()
	p.waitFor(t, "the passphrase field", `document.getElementById("cp-pass")`)
	p.eval(t, `document.getElementById("cp-pass").value = ""`, nil)
	if err := p.Type("#cp-pass", passphrase); err != nil {
		t.Fatal(err)
	}
	if remember {
		p.click(t, "#cp-remember")
		var ticked bool
		p.eval(t, `document.getElementById("cp-remember").checked`, &ticked)
		if !ticked {
			t.Fatalf("%s: a click on Remember did not tick it", p.Engine())
		}
	}
	if err := p.Type("#cp-pass", "\n"); err != nil {
		t.Fatal(err)
	}
}

func (p unlockPage) text(t *testing.T, sel string) string {
	t.Helper()
	var out string
	p.eval(t, `(document.querySelector(`+browsertest.JS(sel)+`) || {}).textContent || ""`, &out)
	return out
}

// unlockedCase asserts the decrypted case page is shown, styled, with its
// images decrypted.
func (p unlockPage) unlockedCase(t *testing.T) {
	t.Helper()
	if got := p.text(t, "#top"); got != "Second opinion request: synthetic gastric case" {
		t.Fatalf("%s: page heading %q", p.Engine(), got)
	}
	var title, color string
	p.eval(t, `document.title`, &title)
	p.eval(t, `getComputedStyle(document.getElementById("top")).color`, &color)
	if title != "Second opinion: synthetic case GX-0000" {
		t.Errorf("%s: title %q, want the decrypted page's", p.Engine(), title)
	}
	if color != "rgb(10, 20, 30)" {
		t.Errorf("%s: h1 colour %q: the decrypted style.css is not applied", p.Engine(), color)
	}
	p.waitFor(t, "the decrypted image", `(() => { const i = document.getElementById("scan"); return i && i.src.startsWith("blob:") && i.complete && i.naturalWidth === 40 })()`)
}

// nothingKept asserts storage holds only wantKey ("" for nothing) and the
// passphrase is nowhere in storage, the URL or cookies.
func (p unlockPage) nothingKept(t *testing.T, passphrase, wantKey string) {
	t.Helper()
	var dump string
	p.eval(t, `JSON.stringify({s: Object.entries(sessionStorage), l: Object.entries(localStorage), u: location.href, c: document.cookie})`, &dump)
	if strings.Contains(dump, passphrase) || strings.Contains(dump, strings.ReplaceAll(passphrase, " ", "%20")) {
		t.Fatalf("%s: the passphrase was kept: %s", p.Engine(), dump)
	}
	var keys []string
	p.eval(t, `Object.keys(sessionStorage).concat(Object.keys(localStorage))`, &keys)
	if (wantKey == "" && len(keys) != 0) || (wantKey != "" && (len(keys) != 1 || keys[0] != wantKey)) {
		t.Fatalf("%s: storage holds %q, want %q", p.Engine(), keys, wantKey)
	}
}

// screenshot saves the page to $ENGINE_SCREENSHOTS/NAME-ENGINE.png when
// that folder is set, for a person to compare the engines' rendering.
func (p unlockPage) screenshot(t *testing.T, name string) {
	t.Helper()
	dir := os.Getenv("ENGINE_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := p.Screenshot()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+"-"+p.Engine()+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

func (p unlockPage) stayedLocal(t *testing.T) {
	t.Helper()
	if ext := browsertest.External(p.Requests()); len(ext) != 0 {
		t.Fatalf("%s: the portal requested outside loopback: %q", p.Engine(), ext)
	}
}

// openPDFWithOneClick clicks the PDF link once and waits for the PDF in a
// tab (a blob: URL) or as a download; a second link to tap fails.
func (p unlockPage) openPDFWithOneClick(t *testing.T, want []byte) {
	t.Helper()
	p.click(t, "#pdf")
	deadline := time.Now().Add(60 * time.Second)
	for {
		tabs, err := p.Tabs()
		if err == nil {
			for _, u := range tabs {
				if strings.HasPrefix(u, "blob:") {
					return
				}
			}
		}
		if data, err := os.ReadFile(filepath.Join(p.DownloadDir(), "biopsy-report.pdf")); err == nil && bytes.Equal(data, want) {
			return
		}
		var secondTap bool
		p.Eval(`!!document.querySelector(".cp-open")`, &secondTap)
		if secondTap {
			t.Fatalf("%s: one click did not open the PDF: the popup was blocked and the page offers a second link (%q)", p.Engine(), p.text(t, ".cp-toast"))
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: one click on the PDF opened no tab and saved no download; tabs %q, toast %q", p.Engine(), tabs, p.text(t, ".cp-toast"))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// wrongThenRight enters a wrong passphrase, checks the message, then the
// reader's.
func (p unlockPage) wrongThenRight(t *testing.T, r fixtureReader) {
	t.Helper()
	if st := p.state(t); st != "locked" {
		t.Fatalf("%s: state %q before a passphrase, want locked", p.Engine(), st)
	}
	p.enter(t, wrongPassphrase, false)
	if st := p.state(t); st != "wrong" {
		t.Fatalf("%s: state %q after a wrong passphrase, want wrong", p.Engine(), st)
	}
	if got, want := p.text(t, "#cp-error"), unlockStrings(t, "en")["wrong"]; got != want {
		t.Errorf("%s: message %q, want %q", p.Engine(), got, want)
	}
	p.enter(t, r.Passphrase, false)
	if st := p.state(t); st != "unlocked" {
		t.Fatalf("%s: state %q, want unlocked; page: %s", p.Engine(), st, p.text(t, "body"))
	}
}

func TestEnginesFolderOverHTTP(t *testing.T) {
	p, files := portalOf(t, folderPortal)
	srv := serve(t, p.Dir)
	browsertest.ForEachEngine(t, func(t *testing.T, engine string) {
		pg := unlockPage{browsertest.Start(t, engine, browsertest.Options{})}
		pg.open(t, srv.URL+"/")
		pg.wrongThenRight(t, readers[1])
		pg.unlockedCase(t)
		pg.screenshot(t, "folder-unlocked")
		pg.click(t, "#zip")
		if got := browsertest.WaitDownload(t, pg, "ct series.zip", 60*time.Second); !bytes.Equal(got, files["files/2/ct series.zip"]) {
			t.Errorf("%s: downloaded %d bytes differ from the %d source bytes", engine, len(got), len(files["files/2/ct series.zip"]))
		}
		pg.openPDFWithOneClick(t, files["files/1/biopsy-report.pdf"])
		pg.nothingKept(t, readers[1].Passphrase, "")
		pg.stayedLocal(t)
	})
}

func TestEnginesSingleFileFromDisk(t *testing.T) {
	p, files := portalOf(t, singlePortal)
	browsertest.ForEachEngine(t, func(t *testing.T, engine string) {
		pg := unlockPage{browsertest.Start(t, engine, browsertest.Options{})}
		pg.open(t, "file://"+filepath.ToSlash(p.Index))
		pg.wrongThenRight(t, readers[0])
		pg.unlockedCase(t)
		pg.openPDFWithOneClick(t, files["files/1/biopsy-report.pdf"])
		pg.nothingKept(t, readers[0].Passphrase, "")
		pg.stayedLocal(t)
	})
}

func TestEnginesRememberThenLock(t *testing.T) {
	p, _ := portalOf(t, folderPortal)
	srv := serve(t, p.Dir)
	key := "caseport:identity:" + p.ID
	browsertest.ForEachEngine(t, func(t *testing.T, engine string) {
		pg := unlockPage{browsertest.Start(t, engine, browsertest.Options{})}
		pg.open(t, srv.URL+"/")
		if st := pg.state(t); st != "locked" {
			t.Fatalf("%s: state %q", engine, st)
		}
		pg.enter(t, readers[0].Passphrase, true)
		if st := pg.state(t); st != "unlocked" {
			t.Fatalf("%s: state %q", engine, st)
		}
		pg.nothingKept(t, readers[0].Passphrase, key)
		if err := pg.Reload(); err != nil {
			t.Fatal(err)
		}
		if st := pg.state(t); st != "unlocked" {
			t.Fatalf("%s: after a reload with the key remembered: state %q", engine, st)
		}
		pg.click(t, ".cp-lock")
		pg.waitFor(t, "the form after Lock", `document.getElementById("cp-pass")`)
		pg.nothingKept(t, readers[0].Passphrase, "")
		if err := pg.Reload(); err != nil {
			t.Fatal(err)
		}
		if st := pg.state(t); st != "locked" {
			t.Fatalf("%s: after Lock and a reload: state %q, want locked", engine, st)
		}
		pg.stayedLocal(t)
	})
}
