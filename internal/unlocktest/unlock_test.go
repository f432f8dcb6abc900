package unlocktest

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/caseport/caseport/internal/browsertest"
	"github.com/caseport/caseport/internal/seal"
)

// Synthetic readers of the test portals; never real people.
var readers = []fixtureReader{
	{Name: "doctor", Passphrase: "amber-violin-tundra-sketch-orbit-mellow"},
	{Name: "second reader", Passphrase: "quartz lantern ferry mosaic thistle"},
}

const wrongPassphrase = "amber-violin-tundra-sketch-orbit-yellow"

const caseHTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Second opinion: synthetic case GX-0000</title>
<link rel="stylesheet" href="style.css">
<script>document.title = "script ran"</script>
</head>
<body class="portal">
<main>
<h1 id="top">Second opinion request: synthetic gastric case</h1>
<p id="summary">Synthetic patient, 61 years, adenocarcinoma of the gastric antrum (test data).</p>
<nav><a id="to-questions" href="#questions">Questions</a></nav>
<ul>
<li><a id="pdf" href="files/1/biopsy-report.pdf" data-attachment>Biopsy report</a></li>
<li><a id="zip" href="files/2/ct%20series.zip" data-attachment>CT series</a></li>
<li><a id="big" href="files/3/mri-series.bin" data-attachment>MRI series</a></li>
</ul>
<figure><img id="scan" src="files/4/scan.png" data-attachment alt="Synthetic scan"></figure>
<p id="evil" onclick="document.title='handler ran'"><img id="logo" src="theme/mark.svg" alt="" onerror="document.title='onerror ran'"></p>
<section id="questions"><h2>Questions</h2><p>Is perioperative chemotherapy indicated?</p></section>
</main>
</body></html>`

const caseCSS = `h1 { color: rgb(10, 20, 30); }
.portal main { max-width: 50rem; margin: 0 auto; }
#questions { background-image: url("theme/mark.svg"); }
`

const markSVG = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16"><rect width="16" height="16" fill="#369"/></svg>`

// minimalPDF is a valid one-page PDF.
func minimalPDF() []byte {
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		"<< /Length 44 >>\nstream\nBT /F1 12 Tf 20 50 Td (Synthetic report) Tj ET\nendstream",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

func writeFile(t testing.TB, path string, data []byte) string {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func randomBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// caseFixture is the synthetic case: a PDF, a binary download whose name
// has a space, a larger file (left out of single-file portals), an image.
func caseFixture(t testing.TB, lang string, single bool) (fixture, map[string][]byte) {
	t.Helper()
	src := t.TempDir()
	var img bytes.Buffer
	m := image.NewRGBA(image.Rect(0, 0, 40, 30))
	for x := 0; x < 40; x++ {
		for y := 0; y < 30; y++ {
			m.Set(x, y, color.RGBA{uint8(x * 6), uint8(y * 8), 128, 255})
		}
	}
	png.Encode(&img, m)
	files := map[string][]byte{
		"files/1/biopsy-report.pdf": minimalPDF(),
		"files/2/ct series.zip":     randomBytes(300_000+17, 1),
		"files/3/mri-series.bin":    randomBytes(2_000_000, 2),
		"files/4/scan.png":          img.Bytes(),
	}
	types := map[string]string{
		"files/1/biopsy-report.pdf": "application/pdf",
		"files/2/ct series.zip":     "application/zip",
		"files/3/mri-series.bin":    "application/octet-stream",
		"files/4/scan.png":          "image/png",
	}
	f := fixture{
		Lang: lang,
		Pages: []fixturePage{
			{Name: "index.html", Type: "text/html; charset=utf-8", Data: []byte(caseHTML)},
			{Name: "style.css", Type: "text/css; charset=utf-8", Data: []byte(caseCSS)},
			{Name: "theme/mark.svg", Type: "image/svg+xml", Data: []byte(markSVG)},
		},
		Readers:   readers,
		Single:    single,
		MaxInline: 1_000_000,
	}
	for _, name := range []string{"files/1/biopsy-report.pdf", "files/2/ct series.zip", "files/3/mri-series.bin", "files/4/scan.png"} {
		path := writeFile(t, filepath.Join(src, strings.ReplaceAll(name, "/", "_")), files[name])
		f.Files = append(f.Files, fixtureFile{Name: name, Type: types[name], FileName: filepath.Base(name), Source: path})
	}
	return f, files
}

// session is one browser with its download folder and download log.
type session struct {
	*browsertest.Browser
	downloads string
	mu        sync.Mutex
	names     map[string]string // guid → suggested file name
	done      map[string]bool   // guid → completed
}

func newSession(t testing.TB, extra ...chromedp.ExecAllocatorOption) *session {
	t.Helper()
	b := browsertest.New(t, extra...)
	s := &session{Browser: b, downloads: t.TempDir(), names: map[string]string{}, done: map[string]bool{}}
	listen := func(ev any) {
		s.mu.Lock()
		defer s.mu.Unlock()
		switch e := ev.(type) {
		case *browser.EventDownloadWillBegin:
			s.names[e.GUID] = e.SuggestedFilename
		case *browser.EventDownloadProgress:
			if e.State == browser.DownloadProgressStateCompleted {
				s.done[e.GUID] = true
			}
		}
	}
	chromedp.ListenTarget(b.Ctx, listen)
	chromedp.ListenBrowser(b.Ctx, listen)
	b.Run(t, 10*time.Second, browser.SetDownloadBehavior(browser.SetDownloadBehaviorBehaviorAllowAndName).
		WithDownloadPath(s.downloads).WithEventsEnabled(true))
	return s
}

// eval evaluates a JavaScript expression into out.
func (s *session) eval(t testing.TB, expr string, out any) {
	t.Helper()
	s.Run(t, 20*time.Second, chromedp.Evaluate(expr, out))
}

// waitFor polls a JavaScript condition until it is true; the deadline is a
// guard against a hang, not an assertion about speed.
func (s *session) waitFor(t testing.TB, what, cond string) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		var ok bool
		s.eval(t, "!!("+cond+")", &ok)
		if ok {
			return
		}
		if time.Now().After(deadline) {
			var state, text string
			s.eval(t, "document.documentElement.getAttribute('data-caseport') || ''", &state)
			s.eval(t, "document.body ? document.body.innerText : ''", &text)
			t.Fatalf("waiting for %s: state %q, page text:\n%s", what, state, text)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// state waits until the unlock page leaves its transient states and returns where it settled.
func (s *session) state(t testing.TB) string {
	t.Helper()
	s.waitFor(t, "a settled state", `["locked","wrong","unlocked","error","insecure"].includes(document.documentElement.getAttribute("data-caseport"))`)
	var st string
	s.eval(t, `document.documentElement.getAttribute("data-caseport")`, &st)
	return st
}

func (s *session) open(t testing.TB, u string) {
	t.Helper()
	s.Run(t, 30*time.Second, chromedp.Navigate(u))
}

// enter types the passphrase and presses Enter.
func (s *session) enter(t testing.TB, passphrase string, remember bool) {
	t.Helper()
	s.waitFor(t, "the passphrase field", `document.getElementById("cp-pass")`)
	acts := []chromedp.Action{
		chromedp.Evaluate(`document.getElementById("cp-pass").value = ""`, nil),
		chromedp.SendKeys("#cp-pass", passphrase, chromedp.ByID),
	}
	if remember {
		acts = append(acts, chromedp.Click("#cp-remember", chromedp.ByID))
	}
	acts = append(acts, chromedp.SendKeys("#cp-pass", kb.Enter, chromedp.ByID))
	s.Run(t, 30*time.Second, acts...)
}

func (s *session) text(t testing.TB, sel string) string {
	t.Helper()
	var out string
	s.eval(t, `(document.querySelector(`+jsString(sel)+`) || {}).textContent || ""`, &out)
	return out
}

func jsString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// download clicks a link and returns the saved file's name and bytes.
func (s *session) download(t testing.TB, sel string) (string, []byte) {
	t.Helper()
	s.mu.Lock()
	before := len(s.done)
	s.mu.Unlock()
	s.Run(t, 10*time.Second, chromedp.Click(sel, chromedp.ByQuery))
	deadline := time.Now().Add(90 * time.Second)
	for {
		s.mu.Lock()
		n := len(s.done)
		var guid string
		for g := range s.done {
			if _, seen := s.names[g]; seen && n > before {
				guid = g
			}
		}
		name := s.names[guid]
		s.mu.Unlock()
		if n > before && guid != "" {
			data, err := os.ReadFile(filepath.Join(s.downloads, guid))
			if err != nil {
				t.Fatal(err)
			}
			s.mu.Lock()
			delete(s.done, guid)
			s.mu.Unlock()
			return name, data
		}
		if time.Now().After(deadline) {
			t.Fatalf("download of %s did not complete; toast: %q", sel, s.text(t, ".cp-toast"))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (s *session) noExternalRequests(t testing.TB) {
	t.Helper()
	if ext := s.ExternalRequests(); len(ext) != 0 {
		t.Fatalf("the portal requested outside loopback: %v", ext)
	}
}

// checkUnlocked asserts the decrypted case page is shown as it should be.
func (s *session) checkUnlocked(t testing.TB) {
	t.Helper()
	if got := s.text(t, "#top"); got != "Second opinion request: synthetic gastric case" {
		t.Fatalf("page heading = %q", got)
	}
	var title, lang, color string
	s.eval(t, `document.title`, &title)
	s.eval(t, `document.documentElement.lang`, &lang)
	s.eval(t, `getComputedStyle(document.getElementById("top")).color`, &color)
	if title != "Second opinion: synthetic case GX-0000" || lang != "en" {
		t.Errorf("title %q lang %q: want the decrypted page's", title, lang)
	}
	if color != "rgb(10, 20, 30)" {
		t.Errorf("h1 color %q: the decrypted style.css is not applied", color)
	}
	var leftovers int
	s.eval(t, `document.querySelectorAll("#unlock, #cp-pass, body script:not([type])").length - 1`, &leftovers)
	if leftovers != 0 {
		t.Errorf("%d elements of the unlock form or page scripts remain", leftovers)
	}
	var handlers bool
	s.eval(t, `!!document.querySelector("[onclick], [onerror]")`, &handlers)
	if handlers {
		t.Errorf("event-handler attributes of the decrypted page were kept")
	}
	// Images decrypt to Blob URLs, from attachments and from theme pages.
	s.waitFor(t, "the decrypted images", `["scan","logo"].every(id => { const i = document.getElementById(id); return i && i.src.startsWith("blob:") && i.complete && i.naturalWidth > 0 })`)
	var w int
	s.eval(t, `document.getElementById("scan").naturalWidth`, &w)
	if w != 40 {
		t.Errorf("scan image width %d, want 40", w)
	}
	var bg string
	s.eval(t, `getComputedStyle(document.getElementById("questions")).backgroundImage`, &bg)
	if !strings.Contains(bg, "blob:") {
		t.Errorf("CSS url() of a theme asset not resolved: %q", bg)
	}
	// In-page anchors still work.
	s.Run(t, 10*time.Second, chromedp.Click("#to-questions", chromedp.ByID))
	var hash string
	s.eval(t, `location.hash`, &hash)
	if hash != "#questions" {
		t.Errorf("after an anchor click location.hash = %q", hash)
	}
}

func serve(t testing.TB, dir string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	t.Cleanup(srv.Close)
	if !strings.HasPrefix(srv.URL, "http://127.0.0.1:") {
		t.Fatalf("test server on %s, want loopback", srv.URL)
	}
	return srv
}

func TestFolderOverHTTP(t *testing.T) {
	f, files := caseFixture(t, "en", false)
	p := sealFixture(t, t.TempDir(), f)
	srv := serve(t, p.Dir)
	s := newSession(t)

	s.open(t, srv.URL+"/")
	if st := s.state(t); st != "locked" {
		t.Fatalf("state %q before a passphrase, want locked", st)
	}
	var focused string
	s.eval(t, `document.activeElement && document.activeElement.id`, &focused)
	if focused != "cp-pass" {
		t.Errorf("focus on %q, want the passphrase field", focused)
	}

	// A wrong passphrase is said to be wrong, and the form stays.
	s.enter(t, wrongPassphrase, false)
	if st := s.state(t); st != "wrong" {
		t.Fatalf("state %q after a wrong passphrase, want wrong", st)
	}
	want := unlockStrings(t, "en")["wrong"]
	if got := s.text(t, "#cp-error"); got != want {
		t.Errorf("error message %q, want %q", got, want)
	}
	s.eval(t, `document.activeElement && document.activeElement.id`, &focused)
	if focused != "cp-pass" {
		t.Errorf("after a wrong passphrase focus is on %q, want the field", focused)
	}
	var progressShown bool
	s.eval(t, `getComputedStyle(document.querySelector(".cp-progress")).display !== "none"`, &progressShown)
	if progressShown {
		t.Errorf("the progress bar is still shown after a wrong passphrase")
	}

	// The second reader's passphrase: its slot is found by trying both.
	s.enter(t, readers[1].Passphrase, false)
	if st := s.state(t); st != "unlocked" {
		t.Fatalf("state %q, want unlocked; page: %s", st, s.text(t, "body"))
	}
	var tries string
	s.eval(t, `document.documentElement.getAttribute("data-caseport-tries")`, &tries)
	if want := fmt.Sprint(slotPosition(t, p, readers[1].Name)); tries != want {
		t.Errorf("slots tried %s, want %s (the reader's slot's place) without #reader=", tries, want)
	}
	s.checkUnlocked(t)

	name, data := s.download(t, "#zip")
	if name != "ct series.zip" {
		t.Errorf("downloaded as %q, want the original name", name)
	}
	if !bytes.Equal(data, files["files/2/ct series.zip"]) {
		t.Fatalf("downloaded %d bytes differ from the %d source bytes", len(data), len(files["files/2/ct series.zip"]))
	}
	// Record what the status line says while the larger file decrypts.
	s.eval(t, `window.toasts = []; new MutationObserver(() => toasts.push(document.querySelector(".cp-toast").textContent)).observe(document.querySelector(".cp-toast"), {subtree: true, childList: true, characterData: true}); true`, nil)
	name, data = s.download(t, "#big")
	if name != "mri-series.bin" || !bytes.Equal(data, files["files/3/mri-series.bin"]) {
		t.Fatalf("download %q (%d bytes) is not the source", name, len(data))
	}
	var toasts []string
	s.eval(t, `toasts`, &toasts)
	progress := false
	for _, m := range toasts {
		if strings.HasPrefix(m, "Decrypting mri-series.bin: ") && strings.HasSuffix(m, " of 1.9 MB") {
			progress = true
		}
	}
	if !progress || len(toasts) == 0 || toasts[len(toasts)-1] != "mri-series.bin is ready." {
		t.Errorf("status while decrypting a 2 MB file: %q", toasts)
	}

	// The PDF opens in a new tab from a Blob URL.
	s.Run(t, 10*time.Second, chromedp.Click("#pdf", chromedp.ByID))
	s.waitForTab(t, "blob:http://127.0.0.1")

	// Nothing in storage, nothing in the URL.
	s.checkNoPassphraseKept(t, readers[1].Passphrase, "")
	s.noExternalRequests(t)
}

// slotPosition is the 1-based place of a reader's slot in the portal JSON.
func slotPosition(t testing.TB, p *sealed, name string) int {
	t.Helper()
	id := seal.ReaderHash(p.ID, name)
	for i, s := range portalJSON(t, p.Index).Slots {
		if s.Reader == id {
			return i + 1
		}
	}
	t.Fatalf("no slot for reader %s", name)
	return 0
}

// waitForTab waits for a page target whose URL starts with prefix.
func (s *session) waitForTab(t testing.TB, prefix string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		infos, err := chromedp.Targets(s.Ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, ti := range infos {
			if ti.Type == "page" && strings.HasPrefix(ti.URL, prefix) {
				return
			}
		}
		if time.Now().After(deadline) {
			var urls []string
			for _, ti := range infos {
				urls = append(urls, ti.Type+" "+ti.URL)
			}
			t.Fatalf("no tab opened on %s…; targets %v; toast %q", prefix, urls, s.text(t, ".cp-toast"))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// checkNoPassphraseKept asserts the passphrase is in no storage, URL or
// history entry; identity is the key storage may hold ("" for none).
func (s *session) checkNoPassphraseKept(t testing.TB, passphrase, wantKey string) {
	t.Helper()
	var dump string
	s.eval(t, `JSON.stringify({s: Object.entries(sessionStorage), l: Object.entries(localStorage), u: location.href, c: document.cookie})`, &dump)
	for _, form := range []string{passphrase, url.QueryEscape(passphrase), url.PathEscape(passphrase)} {
		if strings.Contains(dump, form) {
			t.Fatalf("the passphrase was kept: %s", dump)
		}
	}
	var keys []string
	s.eval(t, `Object.keys(sessionStorage).concat(Object.keys(localStorage))`, &keys)
	if wantKey == "" && len(keys) != 0 {
		t.Fatalf("storage holds %v, want nothing", keys)
	}
	if wantKey != "" && (len(keys) != 1 || keys[0] != wantKey) {
		t.Fatalf("storage holds %v, want only %s", keys, wantKey)
	}
}

func TestReaderFragmentFindsTheSlot(t *testing.T) {
	f, _ := caseFixture(t, "en", false)
	f.Files = nil
	p := sealFixture(t, t.TempDir(), f)
	srv := serve(t, p.Dir)
	s := newSession(t)
	for _, r := range readers {
		s.open(t, srv.URL+"/#reader="+url.PathEscape(r.Name))
		s.Run(t, 10*time.Second, chromedp.Reload())
		if st := s.state(t); st != "locked" {
			t.Fatalf("state %q", st)
		}
		s.enter(t, r.Passphrase, false)
		if st := s.state(t); st != "unlocked" {
			t.Fatalf("reader %s: state %q", r.Name, st)
		}
		var tries string
		s.eval(t, `document.documentElement.getAttribute("data-caseport-tries")`, &tries)
		if tries != "1" {
			t.Errorf("reader %s with #reader=: %s slots tried, want 1", r.Name, tries)
		}
		if got := s.text(t, "#top"); !strings.Contains(got, "synthetic gastric case") {
			t.Fatalf("reader %s: heading %q", r.Name, got)
		}
	}
	s.noExternalRequests(t)
}

func TestRememberKeepsTheKeyNotThePassphrase(t *testing.T) {
	f, _ := caseFixture(t, "en", false)
	f.Files = nil
	p := sealFixture(t, t.TempDir(), f)
	srv := serve(t, p.Dir)
	s := newSession(t)
	s.open(t, srv.URL+"/index.html")
	s.enter(t, readers[0].Passphrase, true)
	if st := s.state(t); st != "unlocked" {
		t.Fatalf("state %q", st)
	}
	key := "caseport:identity:" + p.ID
	s.checkNoPassphraseKept(t, readers[0].Passphrase, key)
	var kept string
	s.eval(t, `sessionStorage.getItem(`+jsString(key)+`)`, &kept)
	if !strings.HasPrefix(kept, "AGE-SECRET-KEY-") {
		t.Fatalf("sessionStorage holds %q, want the portal identity", kept)
	}

	// A reload opens without asking.
	s.Run(t, 30*time.Second, chromedp.Reload())
	if st := s.state(t); st != "unlocked" {
		t.Fatalf("after reload with a remembered key: state %q", st)
	}
	var hasForm bool
	s.eval(t, `!!document.getElementById("cp-pass")`, &hasForm)
	if hasForm {
		t.Fatal("the passphrase form is shown although the key is remembered")
	}

	// Lock forgets it and asks again.
	s.Run(t, 10*time.Second, chromedp.Click(".cp-lock", chromedp.ByQuery))
	s.waitFor(t, "the form after Lock", `document.getElementById("cp-pass")`)
	s.checkNoPassphraseKept(t, readers[0].Passphrase, "")

	// Without the box ticked nothing is kept.
	s.enter(t, readers[0].Passphrase, false)
	if st := s.state(t); st != "unlocked" {
		t.Fatalf("state %q", st)
	}
	s.checkNoPassphraseKept(t, readers[0].Passphrase, "")
	s.noExternalRequests(t)
}

func TestSingleFileFromDisk(t *testing.T) {
	f, files := caseFixture(t, "en", true)
	p := sealFixture(t, t.TempDir(), f)
	if _, err := os.Stat(filepath.Join(p.Dir, "p")); err == nil {
		t.Fatal("single-file fixture wrote payload files")
	}
	s := newSession(t)
	u := "file://" + filepath.ToSlash(p.Index)
	for i, r := range readers {
		s.open(t, u)
		s.Run(t, 10*time.Second, chromedp.Reload())
		if st := s.state(t); st != "locked" {
			t.Fatalf("state %q", st)
		}
		if i == 0 {
			s.enter(t, wrongPassphrase, false)
			if st := s.state(t); st != "wrong" {
				t.Fatalf("wrong passphrase from file://: state %q", st)
			}
		}
		s.enter(t, r.Passphrase, false)
		if st := s.state(t); st != "unlocked" {
			t.Fatalf("reader %s from file://: state %q; %s", r.Name, st, s.text(t, "body"))
		}
		s.checkUnlocked(t)
	}
	name, data := s.download(t, "#zip")
	if name != "ct series.zip" || !bytes.Equal(data, files["files/2/ct series.zip"]) {
		t.Fatalf("download %q (%d bytes) is not the source", name, len(data))
	}
	// The file over the inline limit shows its note instead.
	note := s.text(t, ".cp-omitted")
	if !strings.Contains(note, "mri-series.bin") || !strings.Contains(note, "single-file limit") {
		t.Errorf("omitted note %q", note)
	}
	s.Run(t, 10*time.Second, chromedp.Click("#big", chromedp.ByID))
	if got := s.text(t, ".cp-toast"); !strings.Contains(got, "mri-series.bin") {
		t.Errorf("clicking an omitted file says %q", got)
	}
	s.Run(t, 10*time.Second, chromedp.Click("#pdf", chromedp.ByID))
	s.waitForTab(t, "blob:")
	s.noExternalRequests(t)
}

// Over plain http from a host that is not this machine, browsers withhold
// WebCrypto; the page says to use https, in the portal's language, before
// asking anything. Chromium resolves the made-up host to the loopback test
// server, so the page is served locally but is not a secure context.
func TestPlainHTTPHostAsksForHTTPS(t *testing.T) {
	f, _ := caseFixture(t, "ru", false)
	f.Files = nil
	f.Readers = readers[:1]
	p := sealFixture(t, t.TempDir(), f)
	srv := serve(t, p.Dir)
	const host = "sealed-portal.test"
	s := newSession(t, chromedp.Flag("host-resolver-rules", "MAP "+host+" 127.0.0.1"))
	port := srv.URL[strings.LastIndex(srv.URL, ":"):]
	s.open(t, "http://"+host+port+"/")
	var secure bool
	s.eval(t, `window.isSecureContext`, &secure)
	if secure {
		t.Fatal("the page is a secure context: the test does not test anything")
	}
	if st := s.state(t); st != "insecure" {
		t.Fatalf("state %q, want insecure", st)
	}
	want := unlockStrings(t, "ru")["insecure"]
	if got := s.text(t, ".cp-error"); got != want {
		t.Errorf("message %q, want %q", got, want)
	}
	var fields int
	s.eval(t, `document.querySelectorAll("input").length`, &fields)
	if fields != 0 {
		t.Errorf("%d inputs shown on an insecure page", fields)
	}
	for _, r := range s.Requests() {
		if u, err := url.Parse(r); err == nil && u.Scheme == "http" && u.Hostname() != host && !browsertest.IsLocal(r) {
			t.Errorf("request outside the test host: %s", r)
		}
	}
}

func TestRussianStringsAndNarrowScreen(t *testing.T) {
	f, _ := caseFixture(t, "ru", false)
	f.Files = nil
	p := sealFixture(t, t.TempDir(), f)
	srv := serve(t, p.Dir)
	s := newSession(t)
	s.Run(t, 10*time.Second, chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile))
	s.open(t, srv.URL+"/")
	if st := s.state(t); st != "locked" {
		t.Fatalf("state %q", st)
	}
	ru := unlockStrings(t, "ru")
	if got := s.text(t, "label[for=cp-pass]"); got != ru["passphrase"] {
		t.Errorf("label %q, want %q", got, ru["passphrase"])
	}
	var title string
	s.eval(t, `document.title`, &title)
	if title != ru["title"] {
		t.Errorf("title %q, want %q", title, ru["title"])
	}
	var overflow int
	s.eval(t, `document.documentElement.scrollWidth - window.innerWidth`, &overflow)
	if overflow > 0 {
		t.Errorf("the unlock form is %d px wider than a 360 px screen", overflow)
	}
	s.enter(t, wrongPassphrase, false)
	if st := s.state(t); st != "wrong" {
		t.Fatalf("state %q", st)
	}
	if got := s.text(t, "#cp-error"); got != ru["wrong"] {
		t.Errorf("error %q, want %q", got, ru["wrong"])
	}
	if os.Getenv("UNLOCK_SCREENSHOT") != "" {
		s.Screenshot(t, os.Getenv("UNLOCK_SCREENSHOT"))
	}
}

func TestTamperedPageIsReported(t *testing.T) {
	f, _ := caseFixture(t, "en", false)
	f.Files = nil
	p := sealFixture(t, t.TempDir(), f)
	// Flip a byte near the end of every payload but the manifest: the
	// page's and its stylesheet's age payloads no longer authenticate.
	ids, err := filepath.Glob(filepath.Join(p.Dir, "p", "*"))
	if err != nil || len(ids) < 3 {
		t.Fatalf("payloads %v: %v", ids, err)
	}
	for _, path := range ids {
		if filepath.Base(path) == p.ID {
			continue
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		data[len(data)-20] ^= 1
		writeFile(t, path, data)
	}
	srv := serve(t, p.Dir)
	s := newSession(t)
	s.open(t, srv.URL+"/")
	s.enter(t, readers[0].Passphrase, false)
	if st := s.state(t); st != "locked" {
		t.Fatalf("state %q, want the form back", st)
	}
	if got, want := s.text(t, "#cp-error"), unlockStrings(t, "en")["damaged"]; got != want {
		t.Errorf("message %q, want %q", got, want)
	}
}

// A portal folder opened from the disk cannot fetch its payloads; the page
// says what to do instead of failing obscurely.
func TestFolderFromDiskExplains(t *testing.T) {
	f, _ := caseFixture(t, "en", false)
	f.Files = nil
	f.Readers = readers[:1]
	p := sealFixture(t, t.TempDir(), f)
	s := newSession(t)
	s.open(t, "file://"+filepath.ToSlash(p.Index))
	s.enter(t, readers[0].Passphrase, false)
	if st := s.state(t); st != "locked" {
		t.Fatalf("state %q", st)
	}
	if got, want := s.text(t, "#cp-error"), unlockStrings(t, "en")["folder_from_disk"]; got != want {
		t.Errorf("message %q, want %q", got, want)
	}
}
