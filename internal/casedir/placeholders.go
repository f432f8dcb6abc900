package casedir

import (
	"fmt"
	"io/fs"
	"strings"

	"github.com/caseport/caseport/content"
)

// Placeholder begins every value of the skeleton that "caseport new" writes
// for the coordinator to replace, and the notes beside such values.
const Placeholder = "FILL IN"

// placeholders finds what the coordinator has not yet replaced of a case
// that "caseport new" made: values and notes in case.toml marked with
// Placeholder, and the guiding paragraphs of questions.md, summary.md and
// notes.md. They load without error, but the reviewing doctor would read
// them: check reports each as a warning with its file, line and key, and
// build refuses them. caseTOML is case.toml's text, kl its key lines.
func placeholders(c *Case, caseTOML string, kl keyLines) ([]Problem, error) {
	var out []Problem
	byLine := map[int]string{} // the key defined on each line: the longest path
	for path, n := range kl {
		if len(path) > len(byLine[n]) {
			byLine[n] = path
		}
	}
	// A placeholder in a comment of its own is guidance; on a line with a
	// value (in the value, or in the note after it) it marks the value.
	for i, line := range strings.Split(caseTOML, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "#") || !strings.Contains(line, Placeholder) {
			continue
		}
		out = append(out, Problem{Severity: Warning, File: caseFile, Line: i + 1, Key: byLine[i+1],
			Message: fmt.Sprintf("still marked %q by caseport new: write the real value, and delete the %q text", Placeholder, Placeholder)})
	}

	guidance, err := guidanceLines()
	if err != nil {
		return nil, err
	}
	for _, m := range []*Markdown{&c.Questions.Markdown, c.Summary, c.Notes} {
		if m == nil {
			continue
		}
		for i, line := range strings.Split(string(m.Source), "\n") {
			for _, g := range guidance {
				if strings.HasPrefix(strings.TrimSpace(line), g) {
					out = append(out, Problem{Severity: Warning, File: m.Path, Line: i + 1,
						Message: "still holds the guiding paragraph from caseport new: follow it, then delete it"})
					break
				}
			}
		}
	}
	return out, nil
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
			return nil, fmt.Errorf("the skeleton's guidance: %w", err)
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
