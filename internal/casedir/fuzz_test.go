package casedir

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoad feeds arbitrary case.toml and questions.md to the loader: it must
// never panic, and must return either a case or at least one located problem.
// Its seed corpus (the valid example and broken variants) runs in every
// "go test"; "go test -fuzz FuzzLoad ./internal/casedir" explores further.
func FuzzLoad(f *testing.F) {
	valid, err := os.ReadFile("testdata/valid/case.toml")
	if err != nil {
		f.Fatal(err)
	}
	questions, _ := os.ReadFile("testdata/valid/questions.md")
	f.Add(string(valid), string(questions))
	f.Add(string(valid[:len(valid)/2]), "- one question")
	f.Add("format = 1\n[patient]\nalias = 3\n[[patient]]\n", "# only a heading")
	f.Add("format = 1\ntitle = \"\"\"\nunterminated", "- [x](javascript:void)")
	f.Add("[a]\nb = [1, {c = 2}]\n[[pathology]]\nmaterial = 5\n", "<b>html</b>\n\n- q")
	f.Add("format = 1\nid = \"ab\"\nprepared_on = \"2026-02-30\"\n[[events]]\ndate = 9999-12-31\n", "1. q\n   - sub\n2. r")
	// One copy of the example per worker: inputs run one after another, and
	// copying the folder for each would make I/O most of the fuzzing time.
	dir := f.TempDir()
	if err := os.CopyFS(dir, os.DirFS(filepath.Join("testdata", "valid"))); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, caseTOML, questionsMD string) {
		if err := os.WriteFile(filepath.Join(dir, "case.toml"), []byte(caseTOML), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "questions.md"), []byte(questionsMD), 0o644); err != nil {
			t.Fatal(err)
		}
		c, err := LoadWith(dir, Options{Today: today})
		if err == nil {
			if c == nil {
				t.Fatal("nil case without an error")
			}
			return
		}
		ps, ok := err.(*Problems)
		if !ok {
			t.Fatalf("error is not *Problems: %v", err)
		}
		if len(ps.List) == 0 {
			t.Fatal("invalid case with no problem listed")
		}
		for _, p := range ps.List {
			if p.Message == "" {
				t.Fatalf("problem without a message: %+v", p)
			}
		}
	})
}
