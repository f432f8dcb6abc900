package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestExamplesAreUpToDate regenerates every attachment into a temporary
// folder and compares it with the committed file under cases/, so the
// bundled examples are exactly what this command makes.
func TestExamplesAreUpToDate(t *testing.T) {
	tmp := t.TempDir()
	committed := filepath.Join("..", "..", "..", "..", "cases")
	for _, e := range examples {
		n, err := e.write(tmp)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			t.Errorf("%s: no files written", e.dir)
		}
		err = filepath.WalkDir(filepath.Join(tmp, e.dir), func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(tmp, path)
			want, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			got, err := os.ReadFile(filepath.Join(committed, rel))
			if err != nil {
				t.Errorf("%s is not committed: run go run ./internal/synth/cmd/mkexamples", rel)
				return nil
			}
			if !bytes.Equal(got, want) {
				t.Errorf("cases/%s differs from what mkexamples makes: run go run ./internal/synth/cmd/mkexamples", rel)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
