package preview

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/caseport/caseport/internal/browsertest"
	"github.com/caseport/caseport/internal/casedir"
	"github.com/caseport/caseport/internal/portal"
	"github.com/caseport/caseport/internal/render"
)

// benchCase copies the loader's valid test case and makes its DICOM archive
// a 1 GiB sparse file: the size of a real CT study, at no disk cost. The
// preview must never read it on a Markdown edit.
func benchCase(b *testing.B) (dir string) {
	b.Helper()
	root := b.TempDir()
	dir = filepath.Join(root, "case")
	copyTree(b, "../casedir/testdata/valid", dir)
	f, err := os.OpenFile(filepath.Join(dir, "imaging", "ct-2026-08-01-dicom.zip"), os.O_WRONLY, 0)
	if err != nil {
		b.Fatal(err)
	}
	if err := f.Truncate(1 << 30); err != nil {
		b.Fatal(err)
	}
	f.Close()
	return dir
}

func renderReal(c *casedir.Case, extra portal.Extra) (*portal.Tree, error) {
	return render.Render(c, render.Options{Extra: extra})
}

// startBench starts a preview of the case with the real loader and renderer.
func startBench(b *testing.B, dir string) *Server {
	b.Helper()
	s, err := New(Options{Dir: dir, Addr: "127.0.0.1:0", Load: casedir.Load, Render: renderReal})
	if err != nil {
		b.Fatal(err)
	}
	if err := s.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		s.Shutdown(ctx)
	})
	s.mu.RLock()
	failed := s.problems
	s.mu.RUnlock()
	if failed != nil {
		b.Fatalf("the bench case does not load: %v", failed)
	}
	return s
}

func reportLatencies(b *testing.B, prefix string, d []time.Duration) {
	if len(d) == 0 {
		return
	}
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	ms := func(x time.Duration) float64 { return float64(x.Microseconds()) / 1000 }
	b.ReportMetric(ms(d[len(d)/2]), prefix+"-median-ms")
	b.ReportMetric(ms(d[(len(d)*95+99)/100-1]), prefix+"-p95-ms")
	b.ReportMetric(0, "ns/op") // the loop's time includes the waits; the metrics above are the figures
}

// BenchmarkSaveToPage measures the time from writing questions.md to GET /
// serving the new text, as a page does it: on the reload event, it fetches
// the page. It includes the watcher's quiet period (DefaultQuiet).
func BenchmarkSaveToPage(b *testing.B) {
	dir := benchCase(b)
	s := startBench(b, dir)
	ev := openEvents(b, s.URL())
	ev.next(b) // hello
	q := filepath.Join(dir, "questions.md")
	base, err := os.ReadFile(q)
	if err != nil {
		b.Fatal(err)
	}
	var lat []time.Duration
	for i := 0; b.Loop(); i++ {
		marker := fmt.Sprintf("Benchmark question number %d?", i)
		start := time.Now()
		if err := os.WriteFile(q, append(base, "\n- "+marker+"\n"...), 0o644); err != nil {
			b.Fatal(err)
		}
		for {
			if e := ev.next(b); e.name != "reload" {
				continue
			}
			resp, err := http.Get(s.URL())
			if err != nil {
				b.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if strings.Contains(string(body), marker) {
				break
			}
		}
		lat = append(lat, time.Since(start))
	}
	reportLatencies(b, "save-to-served", lat)
}

// BenchmarkSaveToBrowser measures the time from writing questions.md to the
// reloaded page's DOM being ready in Chromium with the new text, and to the
// start of the reload.
func BenchmarkSaveToBrowser(b *testing.B) {
	br := browsertest.New(b)
	b.Cleanup(func() { chromedp.Cancel(br.Ctx) })
	dir := benchCase(b)
	s := startBench(b, dir)
	br.Run(b, 30*time.Second, chromedp.Navigate(s.URL()), chromedp.WaitReady("body", chromedp.ByQuery))
	waitFor(b, "the page's event stream", func() (bool, string) {
		s.mu.RLock()
		defer s.mu.RUnlock()
		return len(s.clients) > 0, "no client"
	})
	q := filepath.Join(dir, "questions.md")
	base, err := os.ReadFile(q)
	if err != nil {
		b.Fatal(err)
	}
	var lat, trig []time.Duration
	for i := 0; b.Loop(); i++ {
		marker := fmt.Sprintf("Browser benchmark question %d?", i)
		start := time.Now()
		if err := os.WriteFile(q, append(base, "\n- "+marker+"\n"...), 0o644); err != nil {
			b.Fatal(err)
		}
		// The page's own clock says when its DOM was ready, so polling
		// adds nothing to the figure.
		expr := fmt.Sprintf(`(() => { const e = document.body; const n = performance.getEntriesByType("navigation")[0]; return e && e.textContent.includes(%q) && n && n.domContentLoadedEventEnd > 0 ? performance.timeOrigin + n.domContentLoadedEventEnd : 0; })()`, marker)
		var readyAt float64
		waitFor(b, "the new text in the browser", func() (bool, string) {
			ctx, cancel := context.WithTimeout(br.Ctx, 2*time.Second)
			defer cancel()
			if err := chromedp.Run(ctx, chromedp.Evaluate(expr, &readyAt)); err != nil {
				return false, err.Error()
			}
			return readyAt > 0, "not yet"
		})
		lat = append(lat, time.UnixMicro(int64(readyAt*1000)).Sub(start))
		// And when the reload began: the rest is Chromium loading the page.
		var origin float64
		br.Run(b, 5*time.Second, chromedp.Evaluate(`performance.timeOrigin`, &origin))
		trig = append(trig, time.UnixMicro(int64(origin*1000)).Sub(start))
	}
	reportLatencies(b, "save-to-browser", lat)
	reportLatencies(b, "save-to-navstart", trig)
}
