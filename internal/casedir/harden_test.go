package casedir

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestDeepNestingRefusedBeforeParsing: 4,000 (and 200,000) levels of
// nesting are refused at once with the line, never handed to the parser,
// which took 741 MB and 5 s for 4,000.
func TestDeepNestingRefusedBeforeParsing(t *testing.T) {
	for name, toml := range map[string]string{
		"arrays":        "deep = " + strings.Repeat("[", 200000) + strings.Repeat("]", 200000),
		"inline tables": "deep = " + strings.Repeat("{a = ", 4000) + "1" + strings.Repeat("}", 4000),
		"dotted keys":   strings.Repeat("a.", 4000) + "b = 1",
		"headers":       "[" + strings.Repeat("a.", 4000) + "b]",
	} {
		t.Run(name, func(t *testing.T) {
			dir := newCase(t, appendTOML(toml))
			start := time.Now()
			_, problems := load(t, dir)
			if took := time.Since(start); took > 2*time.Second {
				t.Errorf("took %v", took)
			}
			expect(t, problems, want{file: "case.toml", msg: []string{"more than 32"}})
		})
	}
}

// TestModestNestingAndBracketsInStrings: brackets in strings and comments do
// not count, and the nesting a case uses loads.
func TestModestNestingAndBracketsInStrings(t *testing.T) {
	dir := newCase(t, appendTOML(`# [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[
[extra]
a = "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
b = '{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{'
c = """
[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["""
d = [[1, [2, [3]]], {x = {y = [4]}}]
e.f.g = "1.2.3.4.5.6.7.8.9.10.11.12.13.14.15.16.17.18.19.20.21.22.23.24.25.26.27.28.29.30.31.32.33"
`))
	_, problems := load(t, dir)
	for _, p := range problems {
		if strings.Contains(p.Message, "more than 32") {
			t.Errorf("refused as too deep: %s", p)
		}
	}
}

// TestFIFOsDoNotHang: a FIFO in place of any file the loader reads is
// reported, at once, never opened for a blocking read.
func TestFIFOsDoNotHang(t *testing.T) {
	for _, name := range []string{"case.toml", "questions.md", "summary.md", "notes.md", "pathology/biopsy-2026-08-14.pdf"} {
		t.Run(name, func(t *testing.T) {
			dir := newCase(t)
			p := filepath.Join(dir, filepath.FromSlash(name))
			os.Remove(p)
			if err := syscall.Mkfifo(p, 0o644); err != nil {
				t.Fatal(err)
			}
			done := make(chan []Problem, 1)
			go func() {
				_, problems := load(t, dir)
				done <- problems
			}()
			select {
			case problems := <-done:
				expect(t, problems, want{msg: []string{"not a regular file"}})
			case <-time.After(10 * time.Second):
				// Unblock the loader so the test binary can end.
				if f, err := os.OpenFile(p, os.O_WRONLY, 0); err == nil {
					f.Close()
				}
				t.Fatalf("the loader hangs on a FIFO named %s", name)
			}
		})
	}
}
