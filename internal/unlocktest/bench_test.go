package unlocktest

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
)

// BenchmarkUnlock measures, in Chromium, the time from pressing Enter on the
// passphrase to the decrypted page shown (scrypt at work factor 18 in the
// worker, the manifest, the page and its stylesheet), as ms/unlock.
func BenchmarkUnlock(b *testing.B) {
	f, _ := caseFixture(b, "en", false)
	f.Files = f.Files[:1]
	p := sealFixture(b, b.TempDir(), f)
	srv := serve(b, p.Dir)
	s := newSession(b)
	var total, totalKDF float64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.open(b, srv.URL+"/#reader=doctor")
		s.Run(b, 10*time.Second, chromedp.Reload())
		if st := s.state(b); st != "locked" {
			b.Fatalf("state %q", st)
		}
		s.enter(b, readers[0].Passphrase, false)
		if st := s.state(b); st != "unlocked" {
			b.Fatalf("state %q", st)
		}
		var ms, kdf float64
		s.eval(b, `performance.measure("unlock", "caseport-submit", "caseport-unlocked").duration`, &ms)
		s.eval(b, `performance.measure("kdf", "caseport-submit", "caseport-key").duration`, &kdf)
		total += ms
		totalKDF += kdf
	}
	b.ReportMetric(total/float64(b.N), "ms/unlock")
	b.ReportMetric(totalKDF/float64(b.N), "ms/scrypt")
}

// BenchmarkAttachment64MiB measures the decryption of a 64 MiB attachment in
// Chromium, from the click to its Blob ready, for a portal folder over HTTP
// and for a single file opened from disk (base64 decoding included).
func BenchmarkAttachment64MiB(b *testing.B) {
	const size = 64 << 20
	src := filepath.Join(b.TempDir(), "big.bin")
	writeFile(b, src, randomBytes(size, 3))
	for _, single := range []bool{false, true} {
		name := "folder"
		if single {
			name = "single"
		}
		b.Run(name, func(b *testing.B) {
			f, _ := caseFixture(b, "en", single)
			f.MaxInline = -1
			f.Files = []fixtureFile{{Name: "files/3/mri-series.bin", Type: "application/octet-stream", FileName: "mri-series.bin", Source: src}}
			p := sealFixture(b, b.TempDir(), f)
			s := newSession(b)
			s.Run(b, 10*time.Second, browser.SetDownloadBehavior(browser.SetDownloadBehaviorBehaviorDeny))
			u := "file://" + filepath.ToSlash(p.Index)
			if !single {
				u = serve(b, p.Dir).URL + "/"
			}
			s.open(b, u+"#reader=doctor")
			s.enter(b, readers[0].Passphrase, false)
			if st := s.state(b); st != "unlocked" {
				b.Fatalf("state %q", st)
			}
			var total float64
			b.SetBytes(size)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				// A script click: chromedp's DOM queries serialise the whole
				// document, 90 MB of inline base64 in the single file.
				s.eval(b, `document.getElementById("big").click()`, nil)
				s.waitFor(b, "the decrypted attachment", `performance.getEntriesByName("caseport-file-ready").length > 0`)
				var ms float64
				s.eval(b, `performance.measure("file", "caseport-file-start", "caseport-file-ready").duration`, &ms)
				s.eval(b, `performance.clearMarks("caseport-file-ready")`, nil)
				total += ms
			}
			b.StopTimer()
			ms := total / float64(b.N)
			b.ReportMetric(ms, "ms/file")
			b.ReportMetric(float64(size)/(1<<20)/(ms/1000), "MiB/s")
		})
	}
}
