package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"path/filepath"

	"github.com/caseport/caseport/internal/casedir"
	"github.com/caseport/caseport/internal/checklist"
)

func init() {
	register(&command{
		name:    "check",
		usage:   "DIR [--json]",
		summary: "check a case folder: errors, required and recommended records, files not referenced",
		about: "Reads the case folder DIR without writing to it and reports every error (with file, line and key), " +
			"every warning, which required and recommended records are present or missing and why the reviewing doctor needs them, " +
			"and the files that nothing references. build refuses what check calls not ready.",
		exits: []string{
			"0 ready to build: no errors and every required record present",
			"1 errors, or a required record missing: the report says what to do",
			"2 the command line is wrong (usage)",
		},
		order: 20,
		run:   runCheck,
	})
}

// checkReport is what check prints, as text or as JSON for other tools.
type checkReport struct {
	Case         string           `json:"case"`
	Title        string           `json:"title,omitempty"`
	Valid        bool             `json:"valid"`
	Ready        bool             `json:"ready"`
	Errors       []problemJSON    `json:"errors"`
	Warnings     []problemJSON    `json:"warnings"`
	Required     []checklist.Item `json:"required"`
	Recommended  []checklist.Item `json:"recommended"`
	Unreferenced []string         `json:"unreferenced"`
	Untranslated []string         `json:"untranslated,omitempty"`
	Language     string           `json:"language,omitempty"`
	Imaging      []imagingJSON    `json:"imaging"`
}

type problemJSON struct {
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Key     string `json:"key,omitempty"`
	Message string `json:"message"`
	Column  int    `json:"column,omitempty"`
	Excerpt string `json:"excerpt,omitempty"`
}

func toJSON(ps []casedir.Problem) []problemJSON {
	out := []problemJSON{}
	for _, p := range ps {
		out = append(out, problemJSON{p.File, p.Line, p.Key, p.Message, p.Column, p.Excerpt})
	}
	return out
}

func runCheck(args []string, stdout, stderr io.Writer) int {
	c := commands["check"]
	fs := newFlags(c, stderr)
	asJSON := fs.Bool("json", false, "print the report as JSON")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return usageStatus(err)
	}
	if len(pos) != 1 {
		fs.Usage()
		return exitUsage
	}
	report, err := check(pos[0])
	if err != nil {
		fmt.Fprintf(stderr, "caseport check: %v\n", err)
		return exitFail
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(report); err != nil {
			fmt.Fprintf(stderr, "caseport check: %v\n", err)
			return exitFail
		}
	} else {
		printCheck(stdout, report)
	}
	if report.Valid && report.Ready && len(report.Errors) == 0 {
		return exitOK
	}
	return exitFail
}

// check loads the case and evaluates the checklist; the error is for a
// folder that cannot be read at all.
func check(dir string) (*checkReport, error) {
	// The folder by its name, also for "check .": the report is read
	// apart from the shell it was asked in.
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	r := &checkReport{Case: dir, Errors: []problemJSON{}, Warnings: []problemJSON{}, Unreferenced: []string{}}
	cs, err := casedir.Load(dir)
	var problems *casedir.Problems
	switch {
	case errors.As(err, &problems):
		r.Errors = toJSON(problems.List)
		return r, nil
	case err != nil:
		return nil, err
	}
	r.Valid = true
	r.Title = cs.Title
	r.Language = cs.Language
	r.Warnings = toJSON(append(cs.Warnings, cs.Placeholders...))
	checkImaging(cs, r)
	if cs.Unreferenced != nil {
		r.Unreferenced = cs.Unreferenced
	}
	list, err := checklist.Evaluate(cs)
	if err != nil {
		return nil, err
	}
	r.Ready = list.Ready()
	r.Required = list.ByLevel(checklist.Required)
	r.Recommended = list.ByLevel(checklist.Recommended)
	if r.Untranslated, err = untranslated(cs.Language); err != nil {
		return nil, err
	}
	return r, nil
}

// untranslated lists the built-in texts that fall back to English in the
// case's language.
func untranslated(lang string) ([]string, error) {
	ids, err := checklist.Untranslated(lang)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, id := range ids {
		out = append(out, "checklist: "+id)
	}
	return out, nil
}

func printCheck(w io.Writer, r *checkReport) {
	if r.Title != "" {
		fmt.Fprintf(w, "%s: %s\n", r.Case, r.Title)
	} else {
		fmt.Fprintf(w, "%s\n", r.Case)
	}
	printProblems := func(heading string, ps []problemJSON) {
		if len(ps) == 0 {
			return
		}
		fmt.Fprintf(w, "\n%s (%d):\n", heading, len(ps))
		for _, p := range ps {
			fmt.Fprintf(w, "  %s\n", casedir.Problem{File: p.File, Line: p.Line, Key: p.Key, Message: p.Message, Column: p.Column, Excerpt: p.Excerpt})
		}
	}
	printProblems("Errors", r.Errors)
	if !r.Valid {
		fmt.Fprintf(w, "\nNot ready: fix the %s above, then run check again to see which records are missing.\n", plural(len(r.Errors), "error", "errors"))
		return
	}
	printProblems("Warnings", r.Warnings)
	printImaging(w, r)
	printItems := func(heading string, items []checklist.Item) {
		fmt.Fprintf(w, "\n%s:\n", heading)
		for _, it := range items {
			switch it.Status {
			case checklist.Present:
				fmt.Fprintf(w, "  ok       %s\n", it.Title)
			case checklist.NotApplicable:
				fmt.Fprintf(w, "  n/a      %s\n", it.Title)
			default:
				fmt.Fprintf(w, "  MISSING  %s\n           %s\n           Why: %s\n", it.Title, it.Detail, it.Reason)
			}
		}
	}
	printItems("Required records", r.Required)
	printItems("Recommended records", r.Recommended)
	if len(r.Unreferenced) > 0 {
		fmt.Fprintf(w, "\nNot referenced from case.toml, so not put into the portal (%d):\n", len(r.Unreferenced))
		for _, f := range r.Unreferenced {
			fmt.Fprintf(w, "  %s\n", f)
		}
	}
	if len(r.Untranslated) > 0 {
		fmt.Fprintf(w, "\nShown in English, no %q translation yet: %s\n", r.Language, strings.Join(r.Untranslated, ", "))
	}
	missingReq, missingRec := 0, 0
	for _, it := range r.Required {
		if it.Status == checklist.Missing {
			missingReq++
		}
	}
	for _, it := range r.Recommended {
		if it.Status == checklist.Missing {
			missingRec++
		}
	}
	fmt.Fprintln(w)
	switch {
	case missingReq > 0:
		fmt.Fprintf(w, "Not ready: %s missing.\n", plural(missingReq, "required record", "required records"))
	case missingRec > 0:
		fmt.Fprintf(w, "Ready to build; %s recommended for a complete review.\n", plural(missingRec, "more record is", "more records are"))
	default:
		fmt.Fprintln(w, "Ready to build: every required and recommended record is present.")
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
