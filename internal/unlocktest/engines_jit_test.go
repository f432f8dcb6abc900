package unlocktest

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/caseport/caseport/internal/browsertest"
)

// TestEnginesWithoutJIT unlocks a tiny portal with each engine's
// JavaScript JIT off and checks that the time the page announces while
// deriving the key is about the time it takes.
func TestEnginesWithoutJIT(t *testing.T) {
	p, _ := portalOf(t, tinyPortal)
	srv := serve(t, p.Dir)
	announced := estimateReader(t)
	browsertest.ForEachEngine(t, func(t *testing.T, engine string) {
		pg := unlockPage{browsertest.Start(t, engine, browsertest.Options{JITLess: true})}
		pg.open(t, srv.URL+"/")
		if st := pg.state(t); st != "locked" {
			t.Fatalf("%s: state %q", engine, st)
		}
		// Record every state with its time, and every status text.
		pg.eval(t, `(() => {
  const log = window.caseportLog = {states: [], status: []};
  const html = document.documentElement;
  new MutationObserver(() => log.states.push([html.getAttribute("data-caseport"), performance.now()])).observe(html, {attributes: true, attributeFilter: ["data-caseport"]});
  const st = document.getElementById("cp-status") || document.querySelector(".cp-status");
  if (st) new MutationObserver(() => log.status.push([st.textContent, performance.now()])).observe(st, {subtree: true, childList: true, characterData: true});
  return true;
})()`, nil)
		pg.enter(t, readers[0].Passphrase, false)
		if st := pg.state(t); st != "unlocked" {
			t.Fatalf("%s: state %q", engine, st)
		}
		var log struct {
			States [][2]any
			Status [][2]any
		}
		pg.eval(t, `caseportLog`, &log)
		derive := -1.0
		var start float64
		for _, s := range log.States {
			at, _ := s[1].(float64)
			switch s[0] {
			case "deriving":
				if start == 0 {
					start = at
				}
			case "opening", "unlocked":
				if start > 0 && derive < 0 {
					derive = (at - start) / 1000
				}
			}
		}
		if derive < 0 {
			t.Fatalf("%s: no deriving → opening in the states %v", engine, log.States)
		}
		// The estimate the reader saw longest while the key was derived (a
		// first guess replaced at once by a calibrated one is not judged).
		said, text, longest := -1.0, "", -1.0
		for i, s := range log.Status {
			msg, _ := s[0].(string)
			at, _ := s[1].(float64)
			until := start + derive*1000
			if i+1 < len(log.Status) {
				until, _ = log.Status[i+1][1].(float64)
			}
			secs, ok := announced(msg)
			if shown := until - at; ok && shown > longest {
				said, text, longest = secs, msg, shown
			}
		}
		if said < 0 {
			t.Fatalf("%s: no time announced while deriving; status texts %v", engine, log.Status)
		}
		var wasm string
		pg.eval(t, `typeof WebAssembly`, &wasm)
		t.Logf("%s without JIT (WebAssembly: %s), work factor %d: the page said %q (%.0f s) for %.1f s; deriving took %.1f s; status texts %v", engine, wasm, tinyWorkFactor, text, said, longest/1000, derive, log.Status)
		if !honest(said, derive) {
			t.Errorf("%s without JIT: the page said %q but deriving the key took %.1f s", engine, text, derive)
		}
	})
}

// honest reports whether an announced duration is about the real one:
// within a factor of three, or two seconds.
func honest(said, took float64) bool {
	if took-said <= 2 && said-took <= 2 {
		return true
	}
	return took <= 3*said && took >= said/3
}

// estimateReader returns a function that reads the announced seconds from
// a status text, matching the unlock strings that announce a time: a
// "{seconds}" placeholder, or "about a second".
func estimateReader(t *testing.T) func(string) (float64, bool) {
	t.Helper()
	type pattern struct {
		re    *regexp.Regexp
		fixed float64
	}
	var pats []pattern
	for key, s := range unlockStrings(t, "en") {
		if !strings.HasPrefix(key, "deriving") || key == "deriving_next" {
			continue
		}
		quoted := regexp.QuoteMeta(s)
		if strings.Contains(s, "{seconds}") {
			pats = append(pats, pattern{re: regexp.MustCompile(strings.ReplaceAll(quoted, `\{seconds\}`, `(\d+(?:\.\d+)?)`))})
		} else if strings.Contains(s, "a second") {
			pats = append(pats, pattern{re: regexp.MustCompile(quoted), fixed: 1})
		}
	}
	if len(pats) == 0 {
		t.Fatal("no unlock string announces a time (deriving*)")
	}
	return func(text string) (float64, bool) {
		for _, p := range pats {
			m := p.re.FindStringSubmatch(text)
			if m == nil {
				continue
			}
			if p.fixed > 0 {
				return p.fixed, true
			}
			v, err := strconv.ParseFloat(m[1], 64)
			return v, err == nil
		}
		return 0, false
	}
}
