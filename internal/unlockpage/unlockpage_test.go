package unlockpage

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/caseport/caseport/content"
	"github.com/caseport/caseport/internal/source"
	"github.com/caseport/caseport/themes"
)

// copyFS reads every file of fsys into a MapFS, so a test can edit it.
func copyFS(t *testing.T, fsys fs.FS) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		m[p] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestLoadReadsTheFilesItIsGiven edits the unlock page's strings, style and
// template between two loads, as a coordinator does under CASEPORT_SOURCE:
// each Load sees the files as they are then, whatever was loaded before
// for the same language.
func TestLoadReadsTheFilesItIsGiven(t *testing.T) {
	t.Parallel()
	if _, err := fs.Stat(themes.FS, ScriptPath); err != nil {
		t.Fatalf("the browser bundle %s is missing: run \"make bundle\" before the tests", ScriptPath)
	}
	th, ct := copyFS(t, themes.FS), copyFS(t, content.FS)
	files := source.Files{Themes: th, Content: ct}
	write := func() string {
		t.Helper()
		p, err := Load(files, "en")
		if err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(t.TempDir(), "index.html")
		if err := p.Write(out, []byte(`{"caseport":1}`), "", nil); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	before := write()
	if strings.Contains(before, "edited title marker") {
		t.Fatal("the marker is there before the edit")
	}
	en := "i18n/en/unlock.toml"
	ct[en].Data = []byte(strings.Replace(string(ct[en].Data), `title = "Sealed case portal"`, `title = "edited title marker"`, 1))
	th[StylePath].Data = append(th[StylePath].Data, "\n.edited-style-marker{color:red}\n"...)
	after := write()
	if !strings.Contains(after, "edited title marker") {
		t.Error("the second load did not read the edited strings")
	}
	if !strings.Contains(after, ".edited-style-marker") {
		t.Error("the second load did not read the edited style")
	}
	if csp := func(s string) string { i := strings.Index(s, "style-src"); return s[i : i+60] }; csp(before) == csp(after) {
		t.Error("the CSP still hashes the old style")
	}
}

// TestCacheKeepsOnePagePerLanguage: a Cache loads each language once.
func TestCacheKeepsOnePagePerLanguage(t *testing.T) {
	t.Parallel()
	var c Cache
	en1, err := c.Page("en")
	if err != nil {
		t.Fatal(err)
	}
	en2, _ := c.Page("en")
	ru, _ := c.Page("ru")
	if en1 != en2 || ru == en1 || ru.Lang() != "ru" {
		t.Errorf("cache: en %p %p, ru %p %q", en1, en2, ru, ru.Lang())
	}
}
