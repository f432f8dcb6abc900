package unlocktest

// The unlock benchmarks of issue 14, run by make bench (bench/run.sh):
// caseport's Enter → content against StatiCrypt's in one Chromium session,
// one unlock with the JIT off, and a given passphrase's unlock against a
// bare typage decryption of the same slot in a worker.

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// StatiCryptVersion is the npm staticrypt the comparison runs (package.json).
const staticryptVersion = "3.5.4"

// benchPage is a synthetic case page of about 48 KiB: the same bytes go
// into the caseport portal (index.html and style.css) and, with the style
// inlined, into the StatiCrypt page.
func benchPage() (html, css string) {
	css = caseCSS
	var b strings.Builder
	b.WriteString(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Synthetic benchmark case</title><link rel="stylesheet" href="style.css"></head><body><main><h1 id="top">Synthetic benchmark case</h1>`)
	for i := 0; b.Len() < 48<<10; i++ {
		fmt.Fprintf(&b, `<section id="s%d"><h2>Entry %d</h2><p>Synthetic timeline entry %d: a made-up finding, a made-up dose, a made-up date, for the benchmark only.</p></section>`, i, i, i)
	}
	b.WriteString(`</main></body></html>`)
	return b.String(), css
}

// repoRoot is the repository's root, where node_modules is.
func repoRoot(t testing.TB) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// staticryptPage encrypts html with the npm staticrypt command, its
// defaults (PBKDF2-SHA256, 600,000 iterations, in WebCrypto), into dir and
// returns the page's path.
func staticryptPage(t testing.TB, dir, html, password string) string {
	t.Helper()
	bin := filepath.Join(repoRoot(t), "node_modules", ".bin", "staticrypt")
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("staticrypt %s is not installed: run npm ci (package.json pins it): %v", staticryptVersion, err)
	}
	src := filepath.Join(dir, "page.html")
	writeFile(t, src, []byte(html))
	cmd := exec.Command(bin, "page.html", "-p", password, "--short", "-d", "encrypted")
	cmd.Dir = dir // its salt config (.staticrypt.json) goes here
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("staticrypt: %v\n%s", err, out)
	}
	return filepath.Join(dir, "encrypted", "page.html")
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s) == 0 {
		return 0
	}
	return s[len(s)/2]
}

// caseportUnlock loads the portal at u, enters pass and returns Enter → the
// page shown, and the scrypt part of it, in ms.
func (s *session) caseportUnlock(t testing.TB, u, pass string) (total, scrypt float64) {
	t.Helper()
	s.open(t, "about:blank")
	s.open(t, u)
	if st := s.state(t); st != "locked" {
		t.Fatalf("state %q", st)
	}
	// Typing time is the reader's: the page prefetches and calibrates
	// meanwhile. Give it the moment a person takes to type.
	time.Sleep(300 * time.Millisecond)
	s.enter(t, pass, false)
	if st := s.state(t); st != "unlocked" {
		t.Fatalf("state %q", st)
	}
	s.eval(t, `performance.measure("u", "caseport-submit", "caseport-unlocked").duration`, &total)
	s.eval(t, `performance.measure("k", "caseport-submit", "caseport-key").duration`, &scrypt)
	return total, scrypt
}

// BenchmarkUnlockVsStatiCrypt interleaves, in one Chromium, caseport's
// Enter → content for a generated passphrase (work factor 10) and
// StatiCrypt's for a page of the same size; b.N rounds, medians reported.
func BenchmarkUnlockVsStatiCrypt(b *testing.B) {
	html, css := benchPage()
	f := fixture{Lang: "en", Readers: []fixtureReader{generatedReader}, Pages: []fixturePage{
		{Name: "index.html", Type: "text/html; charset=utf-8", Data: []byte(html)},
		{Name: "style.css", Type: "text/css; charset=utf-8", Data: []byte(css)},
	}}
	p := sealFixture(b, b.TempDir(), f)
	// The StatiCrypt page: the same page with its style inline, and a mark
	// when the decrypted page's own script runs (StatiCrypt document.writes
	// it, so it runs once the content is in).
	scHTML := strings.Replace(html, `<link rel="stylesheet" href="style.css">`, "<style>"+css+"</style>", 1)
	scHTML = strings.Replace(scHTML, `</body>`, `<script>performance.mark("sc-content")</script></body>`, 1)
	scDir := b.TempDir()
	page := staticryptPage(b, scDir, scHTML, generatedReader.Passphrase)
	mux := http.NewServeMux()
	mux.Handle("/portal/", http.StripPrefix("/portal/", http.FileServer(http.Dir(p.Dir))))
	mux.HandleFunc("/staticrypt.html", func(w http.ResponseWriter, r *http.Request) { http.ServeFile(w, r, page) })
	srv := httptest.NewServer(mux)
	b.Cleanup(srv.Close)

	s := newSession(b)
	var cp, sc, kdf []float64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		total, scrypt := s.caseportUnlock(b, srv.URL+"/portal/", generatedReader.Passphrase)
		cp = append(cp, total)
		kdf = append(kdf, scrypt)

		s.open(b, "about:blank")
		s.open(b, srv.URL+"/staticrypt.html")
		s.waitFor(b, "the StatiCrypt form", `document.getElementById("staticrypt-password") && !document.getElementById("staticrypt_content").classList.contains("hidden")`)
		s.eval(b, `document.addEventListener("submit", () => performance.mark("sc-submit"), true)`, nil)
		time.Sleep(300 * time.Millisecond)
		s.Run(b, 30*time.Second,
			chromedp.SendKeys("#staticrypt-password", generatedReader.Passphrase, chromedp.ByID),
			chromedp.SendKeys("#staticrypt-password", kb.Enter, chromedp.ByID))
		s.waitFor(b, "the StatiCrypt page decrypted", `performance.getEntriesByName("sc-content").length > 0`)
		var ms float64
		s.eval(b, `performance.measure("sc", "sc-submit", "sc-content").duration`, &ms)
		sc = append(sc, ms)
	}
	b.StopTimer()
	b.ReportMetric(median(cp), "caseport-ms")
	b.ReportMetric(median(kdf), "caseport-scrypt-ms")
	b.ReportMetric(median(cp)-median(kdf), "caseport-rest-ms")
	b.ReportMetric(median(sc), "staticrypt-ms")
	b.ReportMetric(median(cp)/median(sc), "ratio")
	b.ReportMetric(float64(len(html)+len(css)), "page-bytes")
}

// BenchmarkUnlockJitless is one unlock of a generated passphrase's portal
// (work factor 10) in Chromium with --js-flags=--jitless: Enter → content.
func BenchmarkUnlockJitless(b *testing.B) {
	html, css := benchPage()
	f := fixture{Lang: "en", Readers: []fixtureReader{generatedReader}, Pages: []fixturePage{
		{Name: "index.html", Type: "text/html; charset=utf-8", Data: []byte(html)},
		{Name: "style.css", Type: "text/css; charset=utf-8", Data: []byte(css)},
	}}
	p := sealFixture(b, b.TempDir(), f)
	srv := serve(b, p.Dir)
	s := newSession(b, chromedp.Flag("js-flags", "--jitless"))
	var totals, kdfs []float64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		total, scrypt := s.caseportUnlock(b, srv.URL+"/", generatedReader.Passphrase)
		totals = append(totals, total)
		kdfs = append(kdfs, scrypt)
	}
	b.StopTimer()
	b.ReportMetric(median(totals), "ms/unlock")
	b.ReportMetric(median(kdfs), "ms/scrypt")
}

// bareTypageWorker is a worker that decrypts one age file with a
// passphrase with typage and nothing else.
const bareTypageWorker = `import { Decrypter } from "age-encryption";
self.onmessage = async (ev) => {
  const d = new Decrypter();
  d.addPassphrase(ev.data.passphrase);
  await d.decrypt(ev.data.file, "text");
  self.postMessage("done");
};
`

// BenchmarkGivenVsBareTypage compares a given passphrase's unlock (work
// factor 18) with a bare typage decryption of the same key slot in a
// worker already started: what caseport adds to the scrypt it must pay.
func BenchmarkGivenVsBareTypage(b *testing.B) {
	html, css := benchPage()
	given := fixtureReader{Name: "doctor", Passphrase: "harbor-violet-cactus-lantern-meadow-given", WorkFactor: 18}
	f := fixture{Lang: "en", Readers: []fixtureReader{given}, Pages: []fixturePage{
		{Name: "index.html", Type: "text/html; charset=utf-8", Data: []byte(html)},
		{Name: "style.css", Type: "text/css; charset=utf-8", Data: []byte(css)},
	}}
	p := sealFixture(b, b.TempDir(), f)
	index, err := os.ReadFile(p.Index)
	if err != nil {
		b.Fatal(err)
	}
	slot := regexp.MustCompile(`"type":"passphrase","key":"([A-Za-z0-9+/=]+)"`).FindSubmatch(index)
	if slot == nil {
		b.Fatal("no passphrase slot")
	}
	esbuild := exec.Command(filepath.Join(repoRoot(b), "node_modules", ".bin", "esbuild"), "--bundle", "--format=iife", "--log-level=warning")
	esbuild.Dir = repoRoot(b)
	esbuild.Stdin = strings.NewReader(bareTypageWorker)
	var stderr bytes.Buffer
	esbuild.Stderr = &stderr
	worker, err := esbuild.Output()
	if err != nil {
		b.Fatalf("esbuild: %v\n%s", err, stderr.String())
	}
	mux := http.NewServeMux()
	mux.Handle("/portal/", http.StripPrefix("/portal/", http.FileServer(http.Dir(p.Dir))))
	mux.HandleFunc("/bare-worker.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		w.Write(worker)
	})
	mux.HandleFunc("/bare.html", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<!doctype html><title>bare typage</title><script>
const slot = Uint8Array.from(atob(%q), (c) => c.charCodeAt(0));
const worker = new Worker("/bare-worker.js");
window.bare = (passphrase) => new Promise((resolve) => {
  const t0 = performance.now();
  worker.onmessage = () => resolve(performance.now() - t0);
  worker.postMessage({ passphrase, file: slot });
});
</script>`, slot[1])
	})
	srv := httptest.NewServer(mux)
	b.Cleanup(srv.Close)

	s := newSession(b)
	var cp, bare []float64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		total, _ := s.caseportUnlock(b, srv.URL+"/portal/", given.Passphrase)
		cp = append(cp, total)
		s.open(b, "about:blank")
		s.open(b, srv.URL+"/bare.html")
		time.Sleep(300 * time.Millisecond)
		var ms float64
		s.Run(b, 120*time.Second, chromedp.Evaluate(`bare(`+jsString(given.Passphrase)+`)`, &ms, func(p *runtime.EvaluateParams) *runtime.EvaluateParams {
			return p.WithAwaitPromise(true)
		}))
		bare = append(bare, ms)
	}
	b.StopTimer()
	b.ReportMetric(median(cp), "caseport-ms")
	b.ReportMetric(median(bare), "typage-ms")
	b.ReportMetric(median(cp)/median(bare), "ratio")
}
