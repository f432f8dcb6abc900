package casedir

import (
	"fmt"
	"sort"
	"strings"
)

// Severity says whether a problem stops the case from loading.
type Severity int

const (
	// Error makes the case invalid: Load returns it in Problems.
	Error Severity = iota
	// Warning is reported by check but does not stop the build.
	Warning
)

func (s Severity) String() string {
	if s == Warning {
		return "warning"
	}
	return "error"
}

// Problem is one thing wrong with a case directory, located as precisely as
// the file allows.
type Problem struct {
	Severity Severity
	// File is relative to the case directory ("case.toml", "questions.md"),
	// or "" when the problem is with the directory itself.
	File string
	// Line is 1-based; 0 when unknown.
	Line int
	// Key is the key path in case.toml, e.g. "pathology[2].material.status"
	// (array entries are counted from 1, as a person counts them).
	Key string
	// Message says what was found and what is allowed.
	Message string
	// Column is the 1-based column on Line, in characters; 0 when unknown.
	Column int
	// Excerpt is the line itself, for problems a person finds faster by
	// seeing it (TOML syntax errors); String shows it with a caret under
	// Column.
	Excerpt string
}

// String formats the problem like a compiler message, so editors can jump to
// it: "case.toml:14: pathology[2].material.status: ...".
func (p Problem) String() string {
	var b strings.Builder
	if p.File != "" {
		b.WriteString(p.File)
		if p.Line > 0 {
			fmt.Fprintf(&b, ":%d", p.Line)
		}
		b.WriteString(": ")
	}
	if p.Key != "" {
		b.WriteString(p.Key)
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	if p.Excerpt != "" {
		fmt.Fprintf(&b, "\n      %s", p.Excerpt)
		if p.Column > 0 {
			fmt.Fprintf(&b, "\n      %s^", strings.Repeat(" ", p.Column-1))
		}
	}
	return b.String()
}

// Problems is every error found in a case directory. Load returns it as its
// error when the case is invalid.
type Problems struct {
	// Dir is the case directory as given to Load.
	Dir  string
	List []Problem
}

func (ps *Problems) Error() string {
	var b strings.Builder
	n := len(ps.List)
	if n == 1 {
		fmt.Fprintf(&b, "case %s: 1 problem:", ps.Dir)
	} else {
		fmt.Fprintf(&b, "case %s: %d problems:", ps.Dir, n)
	}
	for _, p := range ps.List {
		b.WriteString("\n  ")
		b.WriteString(p.String())
	}
	return b.String()
}

// sortProblems orders problems by file, then line, keeping the order of
// discovery for problems on the same line.
func sortProblems(list []Problem) {
	fileRank := func(f string) int {
		switch f {
		case "":
			return 0
		case caseFile:
			return 1
		}
		return 2
	}
	sort.SliceStable(list, func(i, j int) bool {
		a, b := list[i], list[j]
		if ra, rb := fileRank(a.File), fileRank(b.File); ra != rb {
			return ra < rb
		}
		if a.File != b.File {
			return a.File < b.File
		}
		return a.Line < b.Line
	})
}
