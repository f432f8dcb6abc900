package site

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// portalFolder writes a stand-in portal folder: index.html and one payload.
func portalFolder(t *testing.T, dir, mark string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(dir, "p"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string]string{"index.html": `<script id="caseport-sealed">` + mark, "p/x": mark} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func readMark(t *testing.T, dir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "p", "x"))
	if err != nil {
		t.Fatalf("the portal at %s: %v", dir, err)
	}
	return string(b)
}

// TestSwapRollsBack makes the rename of the new portal into place fail,
// after the old one was moved aside: the old portal must be back at out,
// whole, with nothing left beside it but the new portal's temporary
// folder (the caller removes it). A swap that deletes the old portal first,
// or does not move it back, fails here. When the move back fails too, the
// error says where the old portal is.
func TestSwapRollsBack(t *testing.T) {
	t.Parallel()
	parent := t.TempDir()
	out, tmp := filepath.Join(parent, "portal"), filepath.Join(parent, "portal.tmp-1")
	portalFolder(t, out, "old")
	portalFolder(t, tmp, "new")
	diskFull := errors.New("no space left on device")
	failNew := func(from, to string) error {
		if from == tmp {
			return diskFull
		}
		return os.Rename(from, to)
	}
	if err := swap(tmp, out, false, failNew); !errors.Is(err, diskFull) {
		t.Fatalf("swap: %v, want the rename's error", err)
	}
	if got := readMark(t, out); got != "old" {
		t.Fatalf("after a failed swap the portal holds %q, want the old one", got)
	}
	if ents, _ := os.ReadDir(parent); len(ents) != 2 {
		t.Errorf("beside the portal after the rollback: %d entries, want the portal and the temporary folder", len(ents))
	}

	// The rollback fails too: the error names where the old portal went.
	var aside string
	failBoth := func(from, to string) error {
		if from == tmp {
			return diskFull
		}
		if to == out {
			return errors.New("and again")
		}
		aside = to
		return os.Rename(from, to)
	}
	err := swap(tmp, out, false, failBoth)
	if err == nil || aside == "" || !strings.Contains(err.Error(), aside) {
		t.Fatalf("swap with a failed rollback: %v; want an error naming %s", err, aside)
	}
	if got := readMark(t, aside); got != "old" {
		t.Errorf("the old portal at %s holds %q", aside, got)
	}

	// And when nothing fails, the new portal is in place and the old gone.
	if err := os.Rename(aside, out); err != nil {
		t.Fatal(err)
	}
	if err := swap(tmp, out, false, os.Rename); err != nil {
		t.Fatal(err)
	}
	if got := readMark(t, out); got != "new" {
		t.Errorf("after a swap the portal holds %q", got)
	}
	if ents, _ := os.ReadDir(parent); len(ents) != 1 {
		t.Errorf("%d entries beside the new portal, want none", len(ents)-1)
	}
}
