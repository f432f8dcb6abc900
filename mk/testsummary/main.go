// Command testsummary reads `go test -json` from standard input, prints the
// output a reader needs (every failing test's output, each package's
// result line) and ends with one summary: packages, tests passed, failed
// and skipped, with each skip's reason.
//
// A skipped test fails the run unless skips were asked for
// (SKIP_BROWSER=1, as `make test-quick` sets): a test that did not run
// proves nothing, and a missing tool must be installed, not skipped.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
)

// event is one line of `go test -json` (cmd/test2json).
type event struct {
	Action  string
	Package string
	Test    string
	Output  string
}

// engineRe matches the line browser tests print to say which engines ran.
var engineRe = regexp.MustCompile(`^\s*browser engines: (.*)$`)

func main() {
	var (
		packages     = map[string]bool{}
		failedPkgs   []string
		passed       int
		failed       []string
		skipped      = map[string]string{} // test -> reason
		outputs      = map[string][]string{}
		engines      = map[string]bool{}
		buildFailure bool
	)
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var e event
		if err := json.Unmarshal(line, &e); err != nil || e.Action == "" {
			// Not test2json: a build error printed by go itself.
			fmt.Println(string(line))
			continue
		}
		key := e.Package + " " + e.Test
		switch e.Action {
		case "build-output":
			fmt.Print(e.Output)
		case "build-fail":
			buildFailure = true
		case "output":
			if m := engineRe.FindStringSubmatch(strings.TrimRight(e.Output, "\n")); m != nil {
				for _, name := range strings.Fields(m[1]) {
					engines[name] = true
				}
			}
			if e.Test == "" {
				if strings.HasPrefix(e.Output, "ok ") || strings.HasPrefix(e.Output, "FAIL") || strings.HasPrefix(e.Output, "---") || strings.Contains(e.Output, "[no test files]") {
					fmt.Print(e.Output)
				} else {
					outputs[key] = append(outputs[key], e.Output)
				}
				continue
			}
			outputs[key] = append(outputs[key], e.Output)
		case "pass":
			if e.Test == "" {
				packages[e.Package] = true
				delete(outputs, key)
			} else {
				passed++
			}
			delete(outputs, key)
		case "skip":
			if e.Test == "" {
				packages[e.Package] = true
				continue
			}
			skipped[key] = skipReason(outputs[key])
			delete(outputs, key)
		case "fail":
			if e.Test == "" {
				packages[e.Package] = true
				failedPkgs = append(failedPkgs, e.Package)
				// A package that failed outside any test (a panic, a
				// TestMain error) shows its own output.
				for _, o := range outputs[key] {
					fmt.Print(o)
				}
				continue
			}
			failed = append(failed, key)
			fmt.Printf("=== FAIL %s\n", key)
			for _, o := range outputs[key] {
				fmt.Print(o)
			}
			delete(outputs, key)
		}
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintln(os.Stderr, "testsummary:", err)
		os.Exit(2)
	}

	skipsAllowed := os.Getenv("SKIP_BROWSER") == "1"
	fmt.Println()
	if len(skipped) > 0 {
		keys := make([]string, 0, len(skipped))
		for k := range skipped {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		fmt.Println("skipped:")
		for _, k := range keys {
			fmt.Printf("  %s: %s\n", k, skipped[k])
		}
		if !skipsAllowed {
			fmt.Println("a skipped test fails `make test`: install what it names (mk/deps.sh), or ask for skips with `make test-quick` (SKIP_BROWSER=1)")
		}
	}
	if len(failed) > 0 {
		fmt.Println("failed:")
		for _, k := range failed {
			fmt.Println("  " + k)
		}
	}
	engineList := make([]string, 0, len(engines))
	for name := range engines {
		engineList = append(engineList, name)
	}
	sort.Strings(engineList)
	switch {
	case len(engineList) > 0:
		fmt.Printf("browser engines: %s\n", strings.Join(engineList, " "))
	case skipsAllowed:
		fmt.Println("browser engines: none (SKIP_BROWSER=1)")
	}
	fmt.Printf("packages: %d, %d failed\n", len(packages), len(failedPkgs))
	fmt.Printf("tests: %d passed, %d failed, %d skipped\n", passed, len(failed), len(skipped))
	if buildFailure || len(failed) > 0 || len(failedPkgs) > 0 || (len(skipped) > 0 && !skipsAllowed) {
		os.Exit(1)
	}
}

// skipReason is the message a test gave t.Skip, from its output.
func skipReason(out []string) string {
	for i := len(out) - 1; i >= 0; i-- {
		line := strings.TrimSpace(out[i])
		if line == "" || strings.HasPrefix(line, "--- SKIP") || strings.HasPrefix(line, "=== ") {
			continue
		}
		return line
	}
	return "no reason given"
}
