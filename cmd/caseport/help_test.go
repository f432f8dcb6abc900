package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHelpSameEverywhere: "help CMD", "CMD --help" and "CMD -h" print the
// same text for every command, on standard output, with exit 0; the text
// has the usage line, every flag as the usage line writes it (-o, --json),
// the environment and the exit statuses.
func TestHelpSameEverywhere(t *testing.T) {
	for name, c := range commands {
		code, help, errs := runCmd("help", name)
		if code != exitOK || errs != "" {
			t.Errorf("help %s: exit %d, stderr %q", name, code, errs)
		}
		for _, form := range [][]string{{name, "--help"}, {name, "-h"}} {
			code, out, errs := runCmd(form...)
			if code != exitOK || errs != "" || out != help {
				t.Errorf("%s: exit %d, stderr %q, and its text differs from help %s:\n%s\n---\n%s", strings.Join(form, " "), code, errs, name, out, help)
			}
		}
		for _, want := range []string{"usage: caseport " + name, "exit status:", "  2 "} {
			if !strings.Contains(help, want) {
				t.Errorf("help %s lacks %q:\n%s", name, want, help)
			}
		}
		for _, e := range c.env {
			if !strings.Contains(help, "\n  "+e+"\n") || envHelp[e] == "" {
				t.Errorf("help %s does not explain %s:\n%s", name, e, help)
			}
		}
		// Every flag of the usage line is explained under the same spelling.
		for _, word := range strings.Fields(strings.NewReplacer("[", " ", "]", " ", "|", " ").Replace(c.usage)) {
			if strings.HasPrefix(word, "-") && !strings.Contains(help, "\n  "+word) {
				t.Errorf("help %s: the usage line's %s is not explained as %s:\n%s", name, word, word, help)
			}
		}
	}
}

func TestHelpErrors(t *testing.T) {
	if code, out, errs := runCmd(); code != exitUsage || out != "" || !strings.Contains(errs, "commands:") {
		t.Errorf("caseport with no arguments: exit %d, stdout %q, stderr %q; want the list on stderr and exit 2", code, out, errs)
	}
	if code, _, errs := runCmd("help", "bogus"); code != exitUsage || !strings.Contains(errs, `unknown command "bogus"`) {
		t.Errorf("help bogus: exit %d, stderr %q", code, errs)
	}
	if code, out, _ := runCmd("help"); code != exitOK || !strings.Contains(out, "commands:") {
		t.Errorf("help: exit %d, stdout %q", code, out)
	}
}

func TestMissingOutputFlag(t *testing.T) {
	for _, args := range [][]string{{"open", "portal"}, {"build", "case"}} {
		code, _, errs := runCmd(args...)
		if code != exitUsage || !strings.Contains(errs, "-o is missing") {
			t.Errorf("%s without -o: exit %d, stderr %q", args[0], code, errs)
		}
	}
}

// TestCheckNamesTheFolder: "check ." names the case folder, not ".".
func TestCheckNamesTheFolder(t *testing.T) {
	dir := copyValid(t)
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	_, out, _ := runCmd("check", ".")
	first, _, _ := strings.Cut(out, "\n")
	if !strings.HasPrefix(first, dir) {
		t.Errorf("check . begins %q, not with the folder %s", first, dir)
	}
}

// TestServeMissingFolder: serve on a missing folder says what check says.
func TestServeMissingFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "none")
	_, _, checkErr := runCmd("check", dir)
	code, _, serveErr := runCmd("serve", dir)
	if code != exitFail || !strings.Contains(serveErr, "caseport new") || !strings.Contains(checkErr, "caseport new") {
		t.Errorf("serve on a missing folder: exit %d, %q; check says %q", code, serveErr, checkErr)
	}
}
