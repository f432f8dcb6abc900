package seal

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// payloadFiles maps each attachment's portal name to its payload file in a
// sealed folder, read back through the manifest with Open's own code.
func payloadFiles(t *testing.T, out string) map[string]string {
	t.Helper()
	pj := readPortalJSON(t, out)
	id, err := unlock(pj, Key{Passphrase: testPassphrase}, "index.html")
	if err != nil {
		t.Fatal(err)
	}
	src, err := openSource(out)
	if err != nil {
		t.Fatal(err)
	}
	defer src.close()
	var mbuf bytes.Buffer
	if err := src.decrypt(pj.Manifest, id, &mbuf, -1, ""); err != nil {
		t.Fatal(err)
	}
	var m manifest
	if err := json.Unmarshal(mbuf.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for name, e := range m.Files {
		files[name] = filepath.Join(out, PayloadDir, e.ID)
	}
	return files
}

func sameFile(t *testing.T, a, b string) bool {
	t.Helper()
	fa, err := os.Stat(a)
	if err != nil {
		t.Fatal(err)
	}
	fb, err := os.Stat(b)
	if err != nil {
		t.Fatal(err)
	}
	return os.SameFile(fa, fb)
}

// TestReuse seals a tree twice with one Reuse, as the preview does after an
// edit: unchanged attachments are the same payload files, a changed one is
// sealed again, the key slot is kept, and both portals open with every
// byte right.
func TestReuse(t *testing.T) {
	requireBundle(t)
	tree := testTree(t)
	readers := []Reader{{Name: "doctor", Passphrase: testPassphrase}}
	var reuse Reuse
	opt := Options{WorkFactor: testWorkFactor, Reuse: &reuse}
	dir := t.TempDir()
	first := filepath.Join(dir, "1")
	if _, err := Seal(tree, readers, first, opt); err != nil {
		t.Fatal(err)
	}

	// The page changes (an edit to questions.md), and one attachment.
	tree.Pages[0].Data = append(tree.Pages[0].Data, "<p>One more question?</p>"...)
	changed := tree.Attachments[0]
	data := append([]byte("%PDF-1.7\namended report\n"), randomBytes(3000)...)
	if err := os.WriteFile(changed.Source, data, 0o644); err != nil {
		t.Fatal(err)
	}
	changed.Size = int64(len(data))
	// A file system with coarse times must still see the change.
	later := time.Now().Add(time.Minute)
	os.Chtimes(changed.Source, later, later)

	second := filepath.Join(dir, "2")
	if _, err := Seal(tree, readers, second, opt); err != nil {
		t.Fatal(err)
	}
	if readPortalJSON(t, first).Slots[0].Key != readPortalJSON(t, second).Slots[0].Key {
		t.Error("the key slot was sealed again")
	}
	p1, p2 := payloadFiles(t, first), payloadFiles(t, second)
	for _, a := range tree.Attachments {
		same := sameFile(t, p1[a.Name], p2[a.Name])
		if a == changed && same {
			t.Errorf("%s changed but its payload was reused", a.Name)
		}
		if a != changed && !same {
			t.Errorf("%s did not change but was sealed again", a.Name)
		}
	}
	// The first folder goes, as the preview removes old builds: the second
	// still opens whole.
	if err := os.RemoveAll(first); err != nil {
		t.Fatal(err)
	}
	plain := filepath.Join(t.TempDir(), "open")
	if _, err := Open(second, Key{Passphrase: testPassphrase}, plain); err != nil {
		t.Fatal(err)
	}
	checkOpened(t, tree, plain, nil)

	// And a third build still finds payloads, now in the second folder.
	third := filepath.Join(dir, "3")
	if _, err := Seal(tree, readers, third, opt); err != nil {
		t.Fatal(err)
	}
	p3 := payloadFiles(t, third)
	for _, a := range tree.Attachments {
		if !sameFile(t, p2[a.Name], p3[a.Name]) {
			t.Errorf("%s sealed again in the third build", a.Name)
		}
	}
}
