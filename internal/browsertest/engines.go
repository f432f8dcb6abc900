package browsertest

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
)

// SelectedEngines returns the engines tests run: $BROWSER_ENGINES (a comma-
// or space-separated list) if set, else all of them.
func SelectedEngines() []string {
	env := strings.FieldsFunc(os.Getenv("BROWSER_ENGINES"), func(r rune) bool { return r == ',' || r == ' ' })
	if len(env) == 0 {
		return AllEngines
	}
	return env
}

// Skipped reports whether SKIP_BROWSER=1 asks to leave browser tests out
// (a developer's choice; CI never sets it).
func Skipped() bool { return os.Getenv("SKIP_BROWSER") == "1" }

// Ran records which engines started in this test binary, for the summary
// line of make test.
type Ran struct {
	mu      sync.Mutex
	engines map[string]bool
}

// Add records that engine ran.
func (r *Ran) Add(engine string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.engines == nil {
		r.engines = map[string]bool{}
	}
	r.engines[engine] = true
}

// Line is the summary line: "browser engines: chromium webkit firefox".
func (r *Ran) Line() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var names []string
	for _, e := range AllEngines {
		if r.engines[e] {
			names = append(names, e)
		}
	}
	var other []string
	for e := range r.engines {
		if Missing(e) != "" && !contains(AllEngines, e) {
			other = append(other, e)
		}
	}
	sort.Strings(other)
	names = append(names, other...)
	if len(names) == 0 {
		return "browser engines: none"
	}
	return "browser engines: " + strings.Join(names, " ")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// ranHere records the engines ForEachEngine ran in this binary.
var ranHere Ran

// EnginesRan is the summary line of the engines ForEachEngine ran in this
// test binary; a TestMain prints it after m.Run.
func EnginesRan() string { return ranHere.Line() }

// ForEachEngine runs scenario once per selected engine, as subtests named
// by the engine so that a failure names it. The subtests run in parallel
// (go test's -parallel, GOMAXPROCS by default, bounds how many at once).
// Because the subtests are parallel they run after the caller returns:
// release what they share with t.Cleanup, not defer. With SKIP_BROWSER=1
// the test is skipped, saying so.
func ForEachEngine(t *testing.T, scenario func(t *testing.T, engine string)) {
	t.Helper()
	if Skipped() {
		t.Skip("SKIP_BROWSER=1: browser engines not run")
	}
	for _, engine := range SelectedEngines() {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			if why := Missing(engine); why != "" {
				if os.Getenv("CI") != "" {
					t.Fatalf("%s (CI=true: .ci/run must install it)", why)
				}
				t.Fatal(why)
			}
			ranHere.Add(engine)
			scenario(t, engine)
		})
	}
}

// ReportEnginesRan says which engines ran in this test binary, for a
// TestMain to call after m.Run: a line "browser engines: chromium webkit
// firefox" on stdout (go test shows it with -v and -json, which make
// test's summary reads), and, when
// $BROWSER_ENGINES_FILE names a file, the engines appended to it one a
// line, "PKG: chromium webkit firefox", which make test reads for its
// summary (go test ./... hides a passing package's output).
func ReportEnginesRan(pkg string) {
	line := EnginesRan()
	if line == "browser engines: none" {
		return // make test's summary would read "none" as an engine
	}
	fmt.Println(line)
	path := os.Getenv("BROWSER_ENGINES_FILE")
	if path == "" {
		return
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		fmt.Fprintf(os.Stderr, "browsertest: %v\n", err)
		return
	}
	defer f.Close()
	fmt.Fprintf(f, "%s: %s\n", pkg, strings.TrimPrefix(line, "browser engines: "))
}
