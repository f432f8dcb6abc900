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

// medianOf is the median of one step over runs.
func medianOf(rs []unlockTimes, step func(unlockTimes) float64) float64 {
	var xs []float64
	for _, r := range rs {
		xs = append(xs, step(r))
	}
	return median(xs)
}

// reportSteps reports the medians of each step of caseport's unlocks.
func reportSteps(b *testing.B, prefix string, rs []unlockTimes) {
	b.ReportMetric(medianOf(rs, func(r unlockTimes) float64 { return r.scrypt }), prefix+"scrypt-ms")
	b.ReportMetric(medianOf(rs, func(r unlockTimes) float64 { return r.manifest }), prefix+"manifest-ms")
	b.ReportMetric(medianOf(rs, func(r unlockTimes) float64 { return r.decrypt }), prefix+"decrypt-ms")
	b.ReportMetric(medianOf(rs, func(r unlockTimes) float64 { return r.insert }), prefix+"insert-ms")
	b.ReportMetric(medianOf(rs, func(r unlockTimes) float64 { return r.total - r.scrypt }), prefix+"rest-ms")
	b.ReportMetric(medianOf(rs, func(r unlockTimes) float64 { return r.total }), prefix+"ms")
	b.ReportMetric(medianOf(rs, func(r unlockTimes) float64 { return r.painted }), prefix+"painted-ms")
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s) == 0 {
		return 0
	}
	return s[len(s)/2]
}

// unlockTimes are the steps of one caseport unlock, in ms.
type unlockTimes struct {
	scrypt   float64 // Enter → key (the worker's scrypt)
	manifest float64 // key → manifest decrypted
	decrypt  float64 // manifest → page and stylesheet decrypted and parsed
	insert   float64 // → the page in the document (caseport-unlocked)
	total    float64 // Enter → caseport-unlocked
	painted  float64 // Enter → the first frame after it
}

// paintedMark is a script that marks "bench-painted" once the frame after
// a condition has been painted (requestAnimationFrame runs before the
// paint, a task queued from it after).
const paintedMark = `requestAnimationFrame(() => setTimeout(() => performance.mark("bench-painted"), 0))`

// caseportUnlock loads the portal at u, enters pass and returns the steps.
func (s *session) caseportUnlock(t testing.TB, u, pass string) unlockTimes {
	t.Helper()
	s.open(t, "about:blank")
	s.open(t, u)
	if st := s.state(t); st != "locked" {
		t.Fatalf("state %q", st)
	}
	s.eval(t, `new MutationObserver((recs, obs) => {
		if (document.documentElement.getAttribute("data-caseport") !== "unlocked") return;
		obs.disconnect();
		`+paintedMark+`;
	}).observe(document.documentElement, {attributes: true, attributeFilter: ["data-caseport"]})`, nil)
	// Typing time is the reader's: the page prefetches and calibrates
	// meanwhile. Give it the moment a person takes to type.
	time.Sleep(300 * time.Millisecond)
	s.enter(t, pass, false)
	if st := s.state(t); st != "unlocked" {
		t.Fatalf("state %q", st)
	}
	s.waitFor(t, "the unlocked page painted", `performance.getEntriesByName("bench-painted").length > 0`)
	var r unlockTimes
	m := func(name, from, to string, out *float64) {
		s.eval(t, `performance.measure("`+name+`", "`+from+`", "`+to+`").duration`, out)
	}
	m("a", "caseport-submit", "caseport-key", &r.scrypt)
	m("b", "caseport-key", "caseport-manifest", &r.manifest)
	m("c", "caseport-manifest", "caseport-page-ready", &r.decrypt)
	m("d", "caseport-page-ready", "caseport-unlocked", &r.insert)
	m("e", "caseport-submit", "caseport-unlocked", &r.total)
	m("f", "caseport-submit", "bench-painted", &r.painted)
	return r
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
	scHTML = strings.Replace(scHTML, `</body>`, `<script>performance.mark("sc-content"); `+paintedMark+`</script></body>`, 1)
	scDir := b.TempDir()
	page := staticryptPage(b, scDir, scHTML, generatedReader.Passphrase)
	mux := http.NewServeMux()
	mux.Handle("/portal/", http.StripPrefix("/portal/", http.FileServer(http.Dir(p.Dir))))
	mux.HandleFunc("/staticrypt.html", func(w http.ResponseWriter, r *http.Request) { http.ServeFile(w, r, page) })
	srv := httptest.NewServer(mux)
	b.Cleanup(srv.Close)

	s := newSession(b)
	var cp []unlockTimes
	var sc, scPainted []float64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		cp = append(cp, s.caseportUnlock(b, srv.URL+"/portal/", generatedReader.Passphrase))

		s.open(b, "about:blank")
		s.open(b, srv.URL+"/staticrypt.html")
		s.waitFor(b, "the StatiCrypt form", `document.getElementById("staticrypt-password") && !document.getElementById("staticrypt_content").classList.contains("hidden")`)
		s.eval(b, `document.addEventListener("submit", () => performance.mark("sc-submit"), true)`, nil)
		time.Sleep(300 * time.Millisecond)
		s.Run(b, 30*time.Second,
			chromedp.SendKeys("#staticrypt-password", generatedReader.Passphrase, chromedp.ByID),
			chromedp.SendKeys("#staticrypt-password", kb.Enter, chromedp.ByID))
		s.waitFor(b, "the StatiCrypt page painted", `performance.getEntriesByName("bench-painted").length > 0`)
		var ms, painted float64
		s.eval(b, `performance.measure("sc", "sc-submit", "sc-content").duration`, &ms)
		s.eval(b, `performance.measure("scp", "sc-submit", "bench-painted").duration`, &painted)
		sc = append(sc, ms)
		scPainted = append(scPainted, painted)
	}
	b.StopTimer()
	reportSteps(b, "caseport-", cp)
	b.ReportMetric(median(sc), "staticrypt-ms")
	b.ReportMetric(median(scPainted), "staticrypt-painted-ms")
	b.ReportMetric(medianOf(cp, func(r unlockTimes) float64 { return r.painted })/median(scPainted), "ratio")
	b.ReportMetric(medianOf(cp, func(r unlockTimes) float64 { return r.total })/median(sc), "ratio-unpainted")
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
	var rs []unlockTimes
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rs = append(rs, s.caseportUnlock(b, srv.URL+"/", generatedReader.Passphrase))
	}
	b.StopTimer()
	reportSteps(b, "", rs)
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
	var cp []unlockTimes
	var bare []float64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		cp = append(cp, s.caseportUnlock(b, srv.URL+"/portal/", given.Passphrase))
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
	reportSteps(b, "caseport-", cp)
	b.ReportMetric(median(bare), "typage-ms")
	b.ReportMetric(medianOf(cp, func(r unlockTimes) float64 { return r.total })/median(bare), "ratio")
}
