package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func copyValid(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "case")
	if err := os.CopyFS(dir, os.DirFS("../../internal/casedir/testdata/valid")); err != nil {
		t.Fatal(err)
	}
	return dir
}

func edit(t *testing.T, dir, old, new string) {
	t.Helper()
	p := filepath.Join(dir, "case.toml")
	b, _ := os.ReadFile(p)
	if !bytes.Contains(b, []byte(old)) {
		t.Fatalf("case.toml lacks %q", old)
	}
	os.WriteFile(p, bytes.Replace(b, []byte(old), []byte(new), 1), 0o644)
}

func runCmd(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestCheckValidCase(t *testing.T) {
	code, out, errs := runCmd("check", copyValid(t))
	if code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	for _, want := range []string{"Required records:", "ok       A pathology report", "MISSING  Imaging from the last 90 days", "Why: ", "Ready to build"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// TestCheckTypicalMistakes makes the mistakes a new coordinator makes and
// checks that each message says where and what to do.
func TestCheckTypicalMistakes(t *testing.T) {
	for _, tt := range []struct {
		name, old, new string
		want           []string
	}{
		{"typo in a key", `histology = `, `histolgy = `, []string{"case.toml:30: diagnosis.histolgy: unknown key: did you mean \"histology\"?"}},
		{"wrong path", `report = "imaging/ct-2026-08-01-report.pdf"`, `report = "imaging/ct-2026-08-01.pdf"`,
			[]string{"case.toml:56: imaging[1].report: file \"imaging/ct-2026-08-01.pdf\" not found", "did you mean"}},
		{"bad date", `start = 2026-09-10`, `start = 2026-09-31`, []string{"case.toml:79: treatments[1].start: TOML syntax"}},
		{"partial date unquoted", `since = "2026-08"`, `since = 2026-08`, []string{"case.toml:", "TOML syntax"}},
		{"broken quote", `reason = "Confirm staging`, `reason = Confirm staging`, []string{"case.toml:24: request.reason", "TOML syntax"}},
		{"date in the future", `date = 2026-10-28`, `date = 2036-10-28`, []string{"in the future"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := copyValid(t)
			edit(t, dir, tt.old, tt.new)
			code, out, _ := runCmd("check", dir)
			if code != exitFail {
				t.Errorf("exit %d, want %d", code, exitFail)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			if !strings.Contains(out, "Not ready") {
				t.Errorf("no verdict:\n%s", out)
			}
		})
	}
}

func TestCheckMissingRequiredRecord(t *testing.T) {
	dir := copyValid(t)
	edit(t, dir, `report = "pathology/biopsy-2026-08-14.pdf"`, ``)
	os.WriteFile(filepath.Join(dir, "notes.md"), []byte("Slides requested.\n"), 0o644)
	code, out, _ := runCmd("check", dir)
	if code != exitFail || !strings.Contains(out, "MISSING  A pathology report") || !strings.Contains(out, "Not ready: 1 required record missing") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	if !strings.Contains(out, "pathology/biopsy-2026-08-14.pdf") { // now unreferenced
		t.Errorf("unreferenced file not listed:\n%s", out)
	}
}

func TestCheckJSON(t *testing.T) {
	dir := copyValid(t)
	edit(t, dir, `kind = "biopsy"`, `kind = "biospy"`)
	code, out, _ := runCmd("check", dir, "--json")
	if code != exitFail {
		t.Fatalf("exit %d", code)
	}
	var r checkReport
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if r.Valid || len(r.Errors) != 1 || r.Errors[0].Key != "pathology[1].kind" || r.Errors[0].Line != 63 {
		t.Fatalf("report = %+v", r)
	}

	code, out, _ = runCmd("check", "--json", copyValid(t))
	if err := json.Unmarshal([]byte(out), &r); err != nil || code != exitOK || !r.Ready || len(r.Required) != 5 {
		t.Fatalf("exit %d, err %v, report %+v", code, err, r)
	}
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{{"check"}, {"check", "a", "b"}, {"check", "--nope", "x"}, {"frobnicate"}} {
		if code, _, _ := runCmd(args...); code != exitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, exitUsage)
		}
	}
	if code, _, errs := runCmd(); code != exitUsage || !strings.Contains(errs, "check") {
		t.Errorf("no arguments: exit %d, want the list on stderr and exit 2\n%s", code, errs)
	}
	if code, out, _ := runCmd("--help"); code != exitOK || !strings.Contains(out, "commands:") {
		t.Errorf("--help: exit %d\n%s", code, out)
	}
	if code, out, _ := runCmd("version"); code != exitOK || !strings.HasPrefix(out, "caseport ") {
		t.Errorf("version: exit %d %q", code, out)
	}
	if code, _, errs := runCmd("check", filepath.Join(t.TempDir(), "none")); code != exitFail || !strings.Contains(errs, "no such folder") {
		t.Errorf("missing folder: exit %d %q", code, errs)
	}
}

// A case fresh from "new" loads, but check must say what is still to fill
// in, or placeholders would reach the doctor.
func TestCheckWarnsOfPlaceholders(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "stomach-2026-001")
	if code, out, errs := runCmd("new", dir); code != exitOK {
		t.Fatalf("new: exit %d\n%s%s", code, out, errs)
	}
	code, out, _ := runCmd("check", dir)
	if code != exitFail {
		t.Errorf("exit %d, want %d: required records are missing", code, exitFail)
	}
	for _, want := range []string{"Warnings (", "case.toml:", "FILL IN", "MISSING  A pathology report"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
