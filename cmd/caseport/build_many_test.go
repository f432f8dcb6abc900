package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// casesFolder makes a folder of n copies of the valid case, each with its
// own id, and a stray sub-folder that is not a case.
func casesFolder(t *testing.T, ids ...string) string {
	t.Helper()
	parent := filepath.Join(t.TempDir(), "cases")
	for _, id := range ids {
		dir := filepath.Join(parent, "folder-"+id)
		if err := os.CopyFS(dir, os.DirFS("../../internal/casedir/testdata/valid")); err != nil {
			t.Fatal(err)
		}
		edit(t, dir, `id = "gastric-2026-041"`, `id = "`+id+`"`)
	}
	os.MkdirAll(filepath.Join(parent, "not-a-case"), 0o755)
	return parent
}

func TestCaseDirs(t *testing.T) {
	parent := casesFolder(t, "case-b", "case-a")
	one := filepath.Join(parent, "folder-case-a")

	dirs, many, err := caseDirs([]string{one})
	if err != nil || many || !slices.Equal(dirs, []string{one}) {
		t.Errorf("one case folder: %v %v %v; want it alone, not many", dirs, many, err)
	}
	dirs, many, err = caseDirs([]string{parent})
	want := []string{filepath.Join(parent, "folder-case-a"), filepath.Join(parent, "folder-case-b")}
	if err != nil || !many || !slices.Equal(dirs, want) {
		t.Errorf("a folder of cases: %v %v %v; want %v, many", dirs, many, err, want)
	}
	dirs, many, err = caseDirs([]string{one, one})
	if err != nil || !many || len(dirs) != 2 {
		t.Errorf("two case folders: %v %v %v; want both, many", dirs, many, err)
	}
	if _, _, err := caseDirs([]string{filepath.Join(parent, "not-a-case")}); err == nil || !strings.Contains(err.Error(), "folder of cases") {
		t.Errorf("an empty folder: %v; want an error saying what to give", err)
	}
	if code, _, stderr := runCmd("build", filepath.Join(parent, "nowhere"), "-o", t.TempDir()); code != exitUsage || !strings.Contains(stderr, "neither a case folder") {
		t.Errorf("a missing folder: exit %d, %q", code, stderr)
	}
}

func TestBuildManyCommand(t *testing.T) {
	needBundle(t)
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("CASEPORT_PASSPHRASE", "")
	parent := casesFolder(t, "case-a", "case-b", "case-c")
	out := filepath.Join(t.TempDir(), "portals")
	code, stdout, stderr := runCmd("build", parent, "-o", out, "-j", "2", "--timings")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "Built 3 of 3 portals") || len(regexp.MustCompile(`(?m)^timings: load_ms=[0-9.]+ `).FindAllString(stdout, -1)) != 3 {
		t.Errorf("output:\n%s", stdout)
	}
	pass := regexp.MustCompile(`(?m)^  reviewing-oncologist: ([a-z-]+)$`).FindAllStringSubmatch(stdout, -1)
	if len(pass) != 3 {
		t.Fatalf("%d generated passphrases in the output, want 3:\n%s", len(pass), stdout)
	}
	for i, id := range []string{"case-a", "case-b", "case-c"} {
		t.Setenv("CASEPORT_PASSPHRASE", pass[i][1])
		if code, _, stderr := runCmd("open", filepath.Join(out, id), "-o", filepath.Join(t.TempDir(), "o")); code != exitOK {
			t.Errorf("open %s with its printed passphrase: %s", id, stderr)
		}
	}

	// A duplicate id fails that case only.
	t.Setenv("CASEPORT_PASSPHRASE", "")
	parent = casesFolder(t, "case-d")
	os.CopyFS(filepath.Join(parent, "zz-copy"), os.DirFS(filepath.Join(parent, "folder-case-d")))
	code, stdout, stderr = runCmd("build", parent, "-o", out)
	if code != exitFail || !strings.Contains(stderr, "has the id of") || !strings.Contains(stdout, "Built 1 of 2 portals") {
		t.Errorf("duplicate id: exit %d\n%s\n%s", code, stdout, stderr)
	}
}
