package site

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// copyWithID copies the case at src to a new folder with the case id
// replaced.
func copyWithID(t *testing.T, src, id string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "folder-"+id)
	if err := os.CopyFS(dir, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "case.toml")
	data, _ := os.ReadFile(p)
	os.WriteFile(p, []byte(strings.Replace(string(data), `id = "gastric-2026-041"`, `id = "`+id+`"`, 1)), 0o644)
	return dir
}

func TestBuildMany(t *testing.T) {
	valid, _ := setup(t)
	dirs := []string{
		copyWithID(t, valid, "case-one"),
		copyWithID(t, valid, "case-two"),
		copyWithID(t, valid, "case-three"),
		copyWithID(t, valid, "case-one"), // a duplicate id
		filepath.Join(t.TempDir(), "missing"),
	}
	opt := Options{WorkFactor: 10}
	outDir := filepath.Join(t.TempDir(), "portals")
	got := BuildMany(dirs, outDir, 2, opt)
	if len(got) != len(dirs) {
		t.Fatalf("%d outcomes for %d folders", len(got), len(dirs))
	}
	for i, id := range []string{"case-one", "case-two", "case-three"} {
		m := got[i]
		if m.Err != nil || m.ID != id || m.Dir != dirs[i] {
			t.Fatalf("case %d: %+v", i, m)
		}
		// An opaque folder name, never the case id (finding 6 of issue 15).
		if !regexp.MustCompile(`^[a-z2-7]{16}$`).MatchString(m.Folder) || !m.FolderCreated || strings.Contains(m.Result.Out, id) {
			t.Errorf("case %s: folder %q (created %v), written to %s", id, m.Folder, m.FolderCreated, m.Result.Out)
		}
		if want := filepath.Join(outDir, m.Folder); m.Result.Out != want {
			t.Errorf("case %s written to %s, want %s", id, m.Result.Out, want)
		}
		r := m.Result.Readers
		if len(r) != 1 || r[0].Key != KeyGenerated {
			t.Fatalf("case %s readers %+v", id, r)
		}
		opened := open(t, m.Result.Out, r[0].Name, r[0].Passphrase)
		page, _ := os.ReadFile(filepath.Join(opened, "index.html"))
		if !strings.Contains(string(page), "Gastric adenocarcinoma") {
			t.Errorf("case %s: the opened page lacks the case title", id)
		}
		if tm := m.Result.Timings; tm.Load <= 0 || tm.Render <= 0 || tm.Seal <= 0 || tm.Write <= 0 || tm.Slots <= 0 {
			t.Errorf("case %s timings %+v: every step takes some time", id, tm)
		}
	}
	if got[3].Err == nil || !strings.Contains(got[3].Err.Error(), "has the id of") || got[3].Result != nil {
		t.Errorf("duplicate id: %+v", got[3])
	}
	if got[4].Err == nil {
		t.Errorf("missing folder: no error")
	}
	ents, _ := os.ReadDir(outDir)
	if len(ents) != 3 {
		t.Errorf("%d entries in the output folder, want the 3 portals", len(ents))
	}

	// Single files, and a second run keeps every passphrase.
	again := BuildMany(dirs[:2], outDir+"-single", 0, Options{WorkFactor: 10, SingleFile: true})
	for i, m := range again {
		if m.Err != nil || filepath.Ext(m.Result.Out) != ".html" || m.Result.Readers[0].Key != KeyStored {
			t.Errorf("single-file rebuild of %s: %+v %v", m.Dir, m.Result, m.Err)
		}
		// The same folder name at every build, from the key store.
		if m.Folder != got[i].Folder || m.FolderCreated {
			t.Errorf("rebuild of %s: folder %q (created %v), want %q kept", m.ID, m.Folder, m.FolderCreated, got[i].Folder)
		}
	}
}
