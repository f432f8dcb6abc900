package portal

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOpenRechecks: an attachment swapped for a link out of the case after
// the case was loaded is refused when it is opened to be sealed or served.
func TestOpenRechecks(t *testing.T) {
	root := t.TempDir()
	caseDir := filepath.Join(root, "case")
	os.MkdirAll(filepath.Join(caseDir, "pathology"), 0o755)
	src := filepath.Join(caseDir, "pathology", "biopsy.pdf")
	os.WriteFile(src, []byte("%PDF biopsy"), 0o644)
	os.WriteFile(filepath.Join(root, "id_ed25519"), []byte("PRIVATE KEY"), 0o600)
	a := &Attachment{Name: "files/1/biopsy.pdf", FileName: "biopsy.pdf", Source: src, Root: caseDir}
	rc, err := a.Open()
	if err != nil {
		t.Fatal(err)
	}
	rc.Close()

	os.Remove(src)
	if err := os.Symlink(filepath.Join(root, "id_ed25519"), src); err != nil {
		t.Fatal(err)
	}
	rc, err = a.Open()
	if err == nil {
		b, _ := io.ReadAll(rc)
		rc.Close()
		t.Fatalf("opened the swapped file: %q", b)
	}
	if !strings.Contains(err.Error(), "biopsy.pdf changed since the case was loaded") {
		t.Errorf("err = %v", err)
	}
}
