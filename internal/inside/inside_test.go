package inside

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

func TestIsResolvesLinks(t *testing.T) {
	root := t.TempDir()
	caseDir := filepath.Join(root, "case")
	os.MkdirAll(filepath.Join(caseDir, "docs"), 0o755)
	os.Symlink(caseDir, filepath.Join(root, "alias"))
	os.Symlink(filepath.Join(caseDir, "docs"), filepath.Join(root, "cfg"))
	for _, tc := range []struct {
		dir, p string
		want   bool
	}{
		{caseDir, filepath.Join(root, "alias", "portal"), true},         // through a link, not yet written
		{caseDir, filepath.Join(root, "alias", "a", "b", "c"), true},    // deeper, not yet written
		{caseDir, filepath.Join(root, "cfg", "caseport", "keys"), true}, // XDG_CONFIG_HOME as a link
		{caseDir, filepath.Join(root, "portal"), false},
		{caseDir, filepath.Join(root, "case-other"), false},
		{filepath.Join(root, "alias"), caseDir, true},
		{caseDir, caseDir, true},
	} {
		got, err := Is(tc.dir, tc.p)
		if err != nil || got != tc.want {
			t.Errorf("Is(%s, %s) = %v, %v; want %v", tc.dir, tc.p, got, err, tc.want)
		}
	}
}

func TestOpenRegular(t *testing.T) {
	root := t.TempDir()
	caseDir := filepath.Join(root, "case")
	os.MkdirAll(caseDir, 0o755)
	os.WriteFile(filepath.Join(root, "secret"), []byte("outside"), 0o600)
	report := filepath.Join(caseDir, "report.pdf")
	os.WriteFile(report, []byte("%PDF report"), 0o644)
	f, err := OpenRegular(caseDir, report)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(f)
	f.Close()
	if string(b) != "%PDF report" {
		t.Errorf("read %q", b)
	}

	// Swapped for a link out of the case.
	os.Remove(report)
	os.Symlink(filepath.Join(root, "secret"), report)
	if _, err := OpenRegular(caseDir, report); !errors.Is(err, ErrOutside) {
		t.Errorf("a link out of the case: %v, want ErrOutside", err)
	}
	// Swapped for a FIFO: refused at once.
	os.Remove(report)
	if err := syscall.Mkfifo(report, 0o644); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := OpenRegular(caseDir, report)
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, ErrNotRegular) {
			t.Errorf("a FIFO: %v, want ErrNotRegular", err)
		}
	case <-time.After(10 * time.Second):
		if w, err := os.OpenFile(report, os.O_WRONLY, 0); err == nil {
			w.Close()
		}
		t.Fatal("OpenRegular blocks on a FIFO")
	}
	// The open itself does not block, should the FIFO appear between the
	// check and the open.
	go func() {
		f, err := openNonBlocking(report)
		if err == nil {
			f.Close()
		}
		done <- err
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("openNonBlocking blocks on a FIFO")
	}
}
