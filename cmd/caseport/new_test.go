package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runNewCmd(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(append([]string{"new"}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

func TestNewCreatesCase(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "crc-2026-112")
	code, out, errs := runNewCmd(dir)
	if code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	if errs != "" {
		t.Errorf("stderr: %s", errs)
	}
	for _, name := range []string{"case.toml", "questions.md", "summary.md", "notes.md", "pathology", "imaging", "documents", "labs"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Error(err)
		}
	}
	if !strings.Contains(out, "caseport check "+filepath.ToSlash(dir)) {
		t.Errorf("the output does not say what to run next:\n%s", out)
	}

	// check on the new folder: it loads without errors, and says which
	// required records to add.
	var stdout, stderr bytes.Buffer
	code = run([]string{"check", "--json", dir}, &stdout, &stderr)
	if code != exitFail {
		t.Errorf("check on a new case: exit %d, want %d (records missing)", code, exitFail)
	}
	var report struct {
		Valid    bool
		Ready    bool
		Errors   []any
		Required []struct{ ID, Status string }
	}
	if err := json.Unmarshal(stdout.Bytes(), &report); err != nil {
		t.Fatalf("%v\n%s%s", err, stdout.String(), stderr.String())
	}
	if !report.Valid || len(report.Errors) > 0 || report.Ready {
		t.Errorf("check on a new case: valid %v, ready %v, errors %v; want valid, not ready, no errors", report.Valid, report.Ready, report.Errors)
	}
	missing := map[string]bool{}
	for _, it := range report.Required {
		missing[it.ID] = it.Status == "missing"
	}
	for id, want := range map[string]bool{"pathology-report": true, "imaging-report": true, "diagnosis": false, "plan": false, "questions": false} {
		if got, ok := missing[id]; !ok || got != want {
			t.Errorf("required record %q: missing = %v (listed %v), want %v", id, got, ok, want)
		}
	}
}

func TestNewRefusesExisting(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "crc-2026-112")
	if code, out, errs := runNewCmd(dir); code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	p := filepath.Join(dir, "case.toml")
	mine := []byte("format = 1\n# edited by the coordinator\n")
	if err := os.WriteFile(p, mine, 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runNewCmd(dir)
	if code != exitFail {
		t.Errorf("second new: exit %d, want %d", code, exitFail)
	}
	if out != "" || !strings.Contains(errs, "not empty") || !strings.Contains(errs, "never overwrites") {
		t.Errorf("second new: stdout %q, stderr %q: want an error that the folder exists", out, errs)
	}
	if b, _ := os.ReadFile(p); !bytes.Equal(b, mine) {
		t.Errorf("case.toml was overwritten:\n%s", b)
	}
}

func TestNewBadName(t *testing.T) {
	parent := t.TempDir()
	code, _, errs := runNewCmd(filepath.Join(parent, "Пациент"))
	if code != exitFail || !strings.Contains(errs, "cannot make a case id") || !strings.Contains(errs, "--id") {
		t.Errorf("exit %d, stderr %q: want exit %d and an error that says to use --id", code, errs, exitFail)
	}
	if code, out, errs := runNewCmd(filepath.Join(parent, "Пациент"), "--id", "patient-2026-001"); code != exitOK {
		t.Errorf("with --id: exit %d\n%s%s", code, out, errs)
	}
	b, _ := os.ReadFile(filepath.Join(parent, "Пациент", "case.toml"))
	if !strings.Contains(string(b), `id = "patient-2026-001"`) {
		t.Error("case.toml lacks the id given with --id")
	}
}

func TestNewLanguage(t *testing.T) {
	parent := t.TempDir()
	if code, out, errs := runNewCmd("--language", "ru", filepath.Join(parent, "ru-case")); code != exitOK || errs != "" {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	q, _ := os.ReadFile(filepath.Join(parent, "ru-case", "questions.md"))
	if !strings.Contains(string(q), "## Сроки") {
		t.Errorf("--language ru did not seed Russian questions:\n%s", q)
	}
	code, out, errs := runNewCmd(filepath.Join(parent, "tr-case"), "--language", "tr")
	if code != exitOK || !strings.Contains(errs, "in English") {
		t.Errorf("--language tr: exit %d, stderr %q: want success and a note that the questions are in English\n%s", code, errs, out)
	}
	if code, _, errs := runNewCmd(filepath.Join(parent, "bad-case"), "--language", "english please"); code != exitFail || !strings.Contains(errs, "language code") {
		t.Errorf("a bad language: exit %d, stderr %q", code, errs)
	}
}

func TestNewUsage(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{},
		{filepath.Join(dir, "one-case"), filepath.Join(dir, "two-case")},
		{"--no-such-flag", filepath.Join(dir, "one-case")},
		{"--language"},
	} {
		code, out, errs := runNewCmd(args...)
		if code != exitUsage {
			t.Errorf("new %q: exit %d, want %d", args, code, exitUsage)
		}
		if !strings.Contains(errs, "usage: caseport new DIR") || out != "" {
			t.Errorf("new %q: stdout %q, stderr %q: want the usage on stderr", args, out, errs)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a usage error created %d entries", len(entries))
	}
	if code, out, _ := runCmd("new", "-h"); code != exitOK || !strings.Contains(out, "--language") {
		t.Errorf("new -h: exit %d, stdout %q", code, out)
	}
	var out, errb bytes.Buffer
	run(nil, &out, &errb)
	if !strings.Contains(errb.String(), "  new ") {
		t.Errorf("the command list lacks new:\n%s", errb.String())
	}
}
