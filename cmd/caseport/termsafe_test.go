package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestEscapesInOutput: a title and file names holding terminal escape
// sequences reach check's, build's and open's output as visible escapes,
// never as raw control characters.
func TestEscapesInOutput(t *testing.T) {
	needBundle(t)
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("CASEPORT_PASSPHRASE", "")
	dir := copyValid(t)
	edit(t, dir, `title = "Gastric adenocarcinoma: second opinion on the perioperative plan"`,
		`title = "Gastric \u001b]0;owned\u0007\u001b[2J second opinion"`)
	// An unreferenced file, listed by check.
	evil := "scan\x1b[8mhidden\x1b[0m.pdf"
	os.WriteFile(filepath.Join(dir, "documents", evil), []byte("%PDF"), 0o644)
	// A referenced one, over the single-file limit, listed by build and open.
	b, _ := os.ReadFile(filepath.Join(dir, "case.toml"))
	os.Remove(filepath.Join(dir, "documents", "gp-letter.pdf"))
	os.WriteFile(filepath.Join(dir, "documents", "gp\x1b[31mletter.pdf"), []byte("%PDF-1.4\n"+strings.Repeat("synthetic letter\n", 1000)), 0o644)
	os.WriteFile(filepath.Join(dir, "case.toml"), []byte(strings.Replace(string(b), `"documents/gp-letter.pdf"`, `"documents/gp\u001b[31mletter.pdf"`, 1)), 0o644)

	raw := regexp.MustCompile("[\x00-\x08\x0b-\x1f\x7f]")
	check := func(what, out string) {
		t.Helper()
		if loc := raw.FindStringIndex(out); loc != nil {
			t.Errorf("%s printed a raw control character at %d: %q", what, loc[0], out[max(0, loc[0]-30):min(len(out), loc[1]+30)])
		}
		if !strings.Contains(out, `\x1b`) {
			t.Errorf("%s does not show the escape as \\x1b:\n%s", what, out)
		}
	}
	_, out, errs := runCmd("check", dir)
	check("check", out+errs)

	portal := filepath.Join(t.TempDir(), "case.html")
	code, out, errs := runCmd("build", dir, "--single-file", "--max-inline", "1KiB", "--allow-placeholders", "-o", portal)
	if code != exitOK {
		t.Fatalf("build: exit %d\n%s%s", code, out, errs)
	}
	check("build", out+errs)
	m := regexp.MustCompile(`(?m)^  reviewing-oncologist: ([a-z-]+)$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no passphrase in:\n%s", out)
	}
	t.Setenv("CASEPORT_PASSPHRASE", m[1])
	code, out, errs = runCmd("open", portal, "-o", filepath.Join(t.TempDir(), "opened"))
	if code != exitOK {
		t.Fatalf("open: exit %d\n%s%s", code, out, errs)
	}
	check("open", out+errs)
}
