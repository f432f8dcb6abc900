package scaffold

import (
	"bufio"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/caseport/caseport/content"
	"github.com/caseport/caseport/internal/casedir"
)

var (
	tomlHeader = regexp.MustCompile(`^\s*(\[\[?)\s*([A-Za-z0-9_.]+)\s*\]\]?`)
	tomlKey    = regexp.MustCompile(`^\s*([A-Za-z0-9_]+)\s*=`)
)

// Leftovers finds what the coordinator has not yet replaced of a case that
// "caseport new" made: values and notes in case.toml marked with
// Placeholder, and the guiding paragraphs of questions.md, summary.md and
// notes.md. They load without error, but the reviewing doctor would read
// them, so check reports each as a warning, with its file and line. Files
// that are missing or unreadable are left to the loader to report.
func Leftovers(dir string) ([]casedir.Problem, error) {
	var out []casedir.Problem
	// A placeholder in a comment of its own is guidance; on a line with a
	// value (in the value, or in the note after it) it marks the value.
	scanLines(filepath.Join(dir, "case.toml"), func(n int, line string) {
		if strings.HasPrefix(strings.TrimSpace(line), "#") || !strings.Contains(line, Placeholder) {
			return
		}
		key := ""
		if m := tomlKey.FindStringSubmatch(line); m != nil {
			key = m[1]
		}
		out = append(out, casedir.Problem{Severity: casedir.Warning, File: "case.toml", Line: n, Key: key,
			Message: fmt.Sprintf("still marked %q by caseport new: write the real value, and delete the %q text", Placeholder, Placeholder)})
	})
	keyPaths(filepath.Join(dir, "case.toml"), out)

	guidance, err := guidanceLines()
	if err != nil {
		return nil, err
	}
	for _, name := range []string{"questions.md", "summary.md", "notes.md"} {
		scanLines(filepath.Join(dir, name), func(n int, line string) {
			for _, g := range guidance {
				if strings.HasPrefix(strings.TrimSpace(line), g) {
					out = append(out, casedir.Problem{Severity: casedir.Warning, File: name, Line: n,
						Message: "still holds the guiding paragraph from caseport new: follow it, then delete it"})
					return
				}
			}
		})
	}
	return out, nil
}

// keyPaths completes the keys of problems in case.toml with their table,
// "diagnosis.name" or "imaging[2].report", as the loader names them.
func keyPaths(path string, ps []casedir.Problem) {
	byLine := map[int]*casedir.Problem{}
	for i := range ps {
		if ps[i].Key != "" {
			byLine[ps[i].Line] = &ps[i]
		}
	}
	table := ""
	counts := map[string]int{}
	scanLines(path, func(n int, line string) {
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			return
		}
		if m := tomlHeader.FindStringSubmatch(line); m != nil {
			table = m[2]
			if m[1] == "[[" {
				counts[table]++
				table = fmt.Sprintf("%s[%d]", table, counts[table])
			}
			return
		}
		if p := byLine[n]; p != nil && table != "" {
			p.Key = table + "." + p.Key
		}
	})
}

// guidanceLines returns the start of each guiding paragraph of the skeleton's
// Markdown files, in every language: enough to recognise the paragraph, short
// enough to survive a small edit near its end.
func guidanceLines() ([]string, error) {
	names, err := fs.Glob(content.FS, "skeleton/*.md")
	if err != nil {
		return nil, err
	}
	var out []string
	for _, name := range names {
		b, err := fs.ReadFile(content.FS, name)
		if err != nil {
			return nil, err
		}
		for _, line := range strings.Split(string(b), "\n") {
			line = strings.TrimSpace(line)
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			if r := []rune(line); len(r) > 60 {
				line = string(r[:60])
			}
			out = append(out, line)
		}
	}
	return out, nil
}

// scanLines calls fn with each line of the file and its 1-based number. A
// file that is missing or cannot be read has no lines: the loader reports it.
func scanLines(path string, fn func(n int, line string)) {
	f, err := os.Open(path)
	if err != nil {
		return
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	s.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; s.Scan(); n++ {
		fn(n, s.Text())
	}
}
