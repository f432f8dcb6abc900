package benchcase

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/caseport/caseport/internal/casedir"
)

func TestGeneratedCaseLoads(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "big-case")
	files := []File{{Size: 1 << 20, Random: true}, {Size: 3 << 20}}
	for range 198 {
		files = append(files, File{Size: 4096})
	}
	if err := Generate(dir, Spec{ID: "bench-big-case", Files: files, Timeline: 2000, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	c, err := casedir.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Attachments) != 200 || len(c.Unreferenced) != 0 {
		t.Errorf("%d attachments, unreferenced %v; want 200 and none", len(c.Attachments), c.Unreferenced)
	}
	if n := len(c.Events) + len(c.Labs) + len(c.Imaging); n != 2000 {
		t.Errorf("%d timeline entries, want 2000", n)
	}
	if len(c.Events) == 0 || len(c.Labs) == 0 || len(c.Imaging) == 0 {
		t.Errorf("entries not spread: %d events, %d labs, %d imaging", len(c.Events), len(c.Labs), len(c.Imaging))
	}
	byPath := map[string]*casedir.Attachment{}
	for _, a := range c.Attachments {
		byPath[a.Path] = a
	}
	randomFile, sparseFile := byPath["pathology/biopsy-report.pdf"], byPath["imaging/ct-report.pdf"]
	if randomFile == nil || sparseFile == nil || randomFile.Size != 1<<20 || sparseFile.Size != 3<<20 {
		t.Fatalf("the reports are not as generated: %+v, %+v", randomFile, sparseFile)
	}

	// Random files are incompressible and repeatable; sparse ones are zeros.
	random, _ := os.ReadFile(randomFile.Abs)
	if bytes.Count(random, []byte{0}) > len(random)/128 {
		t.Errorf("the random attachment has %d zero bytes in %d", bytes.Count(random, []byte{0}), len(random))
	}
	again := filepath.Join(t.TempDir(), "again")
	if err := Generate(again, Spec{ID: "bench-again", Files: files[:1], Seed: 7}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(again, "pathology", "biopsy-report.pdf")); !bytes.Equal(b, random) {
		t.Error("the same seed gave different bytes")
	}
	sparse, _ := os.ReadFile(sparseFile.Abs)
	if !bytes.Equal(sparse, make([]byte, 3<<20)) {
		t.Error("the sparse attachment is not zeros")
	}
}

func TestRecipientReader(t *testing.T) {
	dir := t.TempDir()
	const key = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"
	if err := Generate(dir, Spec{ID: "bench-recipient", Files: []File{{Size: 10}}, Timeline: 3, Recipient: key}); err != nil {
		t.Fatal(err)
	}
	c, err := casedir.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Readers) != 1 || c.Readers[0].Recipient != key {
		t.Errorf("readers %+v", c.Readers)
	}
}
