package main

import (
	"fmt"
	"io"
	"path/filepath"

	"github.com/caseport/caseport/internal/scaffold"
)

func init() {
	register(&command{
		name:    "new",
		usage:   "DIR [--language LANG] [--id ID]",
		summary: "create a case folder to fill in: case.toml skeleton, suggested questions, sub-folders",
		about: "Creates DIR (new, or empty) as a case folder to fill in: a commented case.toml whose required values are marked FILL IN, " +
			"questions.md seeded with suggested questions in the portal's language, and sub-folders for the records. " +
			"Nothing is written unless all of it can be.",
		order: 10,
		run:   runNew,
	})
}

func runNew(args []string, stdout, stderr io.Writer) int {
	c := commands["new"]
	fs := newFlags(c, stderr)
	lang := fs.String("language", scaffold.DefaultLanguage, "the portal's `LANG`uage, and of the suggested questions (\"en\", \"ru\", ...)")
	id := fs.String("id", "", "the case `ID` (default: made from the folder name)")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return usageStatus(err)
	}
	if len(pos) != 1 {
		fs.Usage()
		return exitUsage
	}
	dir := pos[0]
	if err := scaffold.Create(dir, scaffold.Options{ID: *id, Language: *lang}); err != nil {
		fmt.Fprintf(stderr, "caseport new: %v\n", err)
		return exitFail
	}
	if !scaffold.HasLanguage(*lang) {
		fmt.Fprintf(stderr, "caseport new: note: caseport has no suggested questions in %q yet; questions.md, summary.md and notes.md are in English\n", *lang)
	}
	d := filepath.ToSlash(filepath.Clean(dir))
	fmt.Fprintf(stdout, "New case folder: %s\nNext:\n", d)
	fmt.Fprintf(stdout, "  1. Put the files into %s/pathology, imaging, documents and labs.\n", d)
	fmt.Fprintf(stdout, "  2. Fill in %s/case.toml: replace each %q value, uncomment the sections you have.\n", d, scaffold.Placeholder)
	fmt.Fprintf(stdout, "  3. Edit %s/questions.md with the patient: keep what applies, add their own questions.\n", d)
	fmt.Fprintf(stdout, "  4. Write %s/summary.md, and notes.md (or delete notes.md).\n", d)
	fmt.Fprintf(stdout, "  5. Run: caseport check %s\n", d)
	return exitOK
}
