package site

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/caseport/caseport/internal/keystore"
)

// TestLinksIntoTheCase: -o through a link into the case folder, and a key
// store whose configuration folder is a link into the case, are refused,
// and nothing is written into the case.
func TestLinksIntoTheCase(t *testing.T) {
	caseDir, _ := setup(t)
	before := snapshot(t, caseDir)
	link := filepath.Join(t.TempDir(), "elsewhere")
	if err := os.Symlink(caseDir, link); err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{filepath.Join(link, "portal"), link, filepath.Join(link, "sub", "portal")} {
		_, err := Build(caseDir, out, Options{WorkFactor: 10})
		if err == nil || !strings.Contains(err.Error(), "must be outside the case folder") {
			t.Errorf("-o %s (a link into the case): err = %v", out, err)
		}
	}
	// The single-file portal through a link.
	if _, err := Build(caseDir, filepath.Join(link, "case.html"), Options{SingleFile: true, WorkFactor: 10}); err == nil || !strings.Contains(err.Error(), "must be outside the case folder") {
		t.Errorf("--single-file -o through a link into the case: err = %v", err)
	}

	cfg := filepath.Join(t.TempDir(), "config")
	if err := os.Symlink(filepath.Join(caseDir, "documents"), cfg); err != nil {
		t.Fatal(err)
	}
	t.Setenv("XDG_CONFIG_HOME", cfg)
	store, err := keystore.DefaultStore()
	if err != nil {
		t.Fatal(err)
	}
	_, err = Build(caseDir, filepath.Join(t.TempDir(), "portal"), Options{Store: store, WorkFactor: 10})
	if err == nil || !strings.Contains(err.Error(), "inside the case folder") {
		t.Errorf("key store through a link into the case: err = %v", err)
	}
	if !sameSnapshot(before, snapshot(t, caseDir)) {
		t.Error("the case folder was written to")
	}
}
