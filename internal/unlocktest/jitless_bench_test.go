package unlocktest

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// BenchmarkScryptJitless measures one key slot's scrypt (typage, in the
// worker) at several work factors with V8's JIT off (--js-flags=--jitless,
// what iOS Lockdown Mode and hardened browsers do to scripts): the figures
// behind seal.GeneratedWorkFactor. WORK_FACTORS=10,12,14 picks the factors.
func BenchmarkScryptJitless(b *testing.B) {
	factors := []int{10, 11, 12, 13}
	if env := os.Getenv("WORK_FACTORS"); env != "" {
		factors = nil
		for _, f := range strings.Split(env, ",") {
			n, err := strconv.Atoi(f)
			if err != nil {
				b.Fatal(err)
			}
			factors = append(factors, n)
		}
	}
	jit := os.Getenv("JIT") != ""
	for _, wf := range factors {
		b.Run(fmt.Sprintf("wf%d", wf), func(b *testing.B) {
			f, _ := caseFixture(b, "en", false)
			f.Files = f.Files[:1]
			f.Readers = readers[:1]
			f.WorkFactor = wf
			p := sealFixture(b, b.TempDir(), f)
			srv := serve(b, p.Dir)
			var s *session
			if jit {
				s = newSession(b)
			} else {
				s = newSession(b, chromedp.Flag("js-flags", "--jitless"))
			}
			var total float64
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				s.open(b, srv.URL+"/")
				s.Run(b, 10*time.Second, chromedp.Reload())
				if st := s.state(b); st != "locked" {
					b.Fatalf("state %q", st)
				}
				s.enter(b, readers[0].Passphrase, false)
				if st := s.state(b); st != "unlocked" {
					b.Fatalf("state %q", st)
				}
				var kdf float64
				s.eval(b, `performance.measure("kdf", "caseport-submit", "caseport-key").duration`, &kdf)
				total += kdf
			}
			b.ReportMetric(total/float64(b.N), "ms/scrypt")
		})
	}
}
