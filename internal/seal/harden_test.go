package seal

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"
)

// portalKeys unlocks a sealed folder as a reader would and returns the
// portal identity and its decrypted manifest.
func portalKeys(t *testing.T, out string) (*age.HybridIdentity, manifest) {
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
	var buf bytes.Buffer
	if err := src.decrypt(pj.Manifest, id, &buf, -1, ""); err != nil {
		t.Fatal(err)
	}
	var m manifest
	if err := json.Unmarshal(bytes.TrimRight(buf.Bytes(), " "), &m); err != nil {
		t.Fatal(err)
	}
	return id.(*age.HybridIdentity), m
}

// rewriteManifest seals m as the manifest of the folder portal out, as a
// reader holding the portal identity could.
func rewriteManifest(t *testing.T, out string, id *age.HybridIdentity, m manifest) {
	t.Helper()
	js, _ := json.Marshal(m)
	p := filepath.Join(out, PayloadDir, readPortalJSON(t, out).Manifest)
	if _, err := sealPayload(p+".new", id.Recipient(), func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(js)), nil }, true); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(p+".new", p); err != nil {
		t.Fatal(err)
	}
}

// refusedAsAltered opens out and checks that it is refused as altered and
// that nothing is left where it was opened.
func refusedAsAltered(t *testing.T, out, want string) {
	t.Helper()
	parent := t.TempDir()
	dst := filepath.Join(parent, "opened")
	_, err := Open(out, Key{Passphrase: testPassphrase}, dst)
	var alt *AlteredError
	if !errors.As(err, &alt) || !strings.Contains(err.Error(), want) {
		t.Errorf("err = %v; want altered: %q", err, want)
	}
	if ents, _ := os.ReadDir(parent); len(ents) != 0 {
		t.Errorf("a refused open left %d entries (%s…) where it was opened", len(ents), ents[0].Name())
	}
}

func TestSwappedPayloadsRefused(t *testing.T) {
	tree := testTree(t)
	readers := []Reader{{Name: "doctor", Passphrase: testPassphrase}}
	out, _ := sealTest(t, tree, readers, Options{})
	_, m := portalKeys(t, out)
	for name, e := range m.Files {
		if len(e.SHA256) != 64 {
			t.Errorf("%s: sha256 %q in the manifest", name, e.SHA256)
		}
	}
	a := filepath.Join(out, PayloadDir, m.Pages["index.html"].ID)
	b := filepath.Join(out, PayloadDir, m.Pages["style.css"].ID)

	t.Run("swapped", func(t *testing.T) {
		os.Rename(a, a+".x")
		os.Rename(b, a)
		os.Rename(a+".x", b)
		defer func() { os.Rename(a, a+".x"); os.Rename(b, a); os.Rename(a+".x", b) }()
		refusedAsAltered(t, out, "not the payload the manifest names")
	})
	t.Run("replayed", func(t *testing.T) {
		keep, _ := os.ReadFile(b)
		data, _ := os.ReadFile(a)
		os.WriteFile(b, data, 0o644)
		defer os.WriteFile(b, keep, 0o644)
		refusedAsAltered(t, out, "not the payload the manifest names")
	})
	t.Run("from another portal", func(t *testing.T) {
		other, _ := sealTest(t, tree, readers, Options{})
		_, om := portalKeys(t, other)
		keep, _ := os.ReadFile(a)
		data, _ := os.ReadFile(filepath.Join(other, PayloadDir, om.Pages["index.html"].ID))
		os.WriteFile(a, data, 0o644)
		defer os.WriteFile(a, keep, 0o644)
		refusedAsAltered(t, out, "not the payload the manifest names")
	})
	t.Run("truncated", func(t *testing.T) {
		keep, _ := os.ReadFile(a)
		os.WriteFile(a, keep[:len(keep)-100], 0o644)
		defer os.WriteFile(a, keep, 0o644)
		refusedAsAltered(t, out, "altered or damaged")
	})
	// Intact, it opens.
	if _, err := Open(out, Key{Passphrase: testPassphrase}, filepath.Join(t.TempDir(), "o")); err != nil {
		t.Fatalf("the intact portal: %v", err)
	}
}

// TestForgedManifest: a manifest naming one payload many times (to make
// open write far more than the portal holds) is refused, and so is padding
// that is not zeros; a portal of before the hashes still opens.
func TestForgedManifest(t *testing.T) {
	out, _ := sealTest(t, testTree(t), []Reader{{Name: "doctor", Passphrase: testPassphrase}}, Options{})
	id, m := portalKeys(t, out)
	orig := m

	big := m.Files["files/2/ct-scan-overview.png"]
	forged := manifest{Pages: m.Pages, Files: map[string]entry{}, Omitted: m.Omitted}
	for i := range 50 {
		forged.Files["files/copy"+strings.Repeat("x", i)+".png"] = big
	}
	rewriteManifest(t, out, id, forged)
	refusedAsAltered(t, out, "is named twice")

	// Padding that is not zeros: a payload re-sealed with the portal's key
	// (by a reader), its hash removed as in a portal of before the hashes.
	css := orig.Pages["style.css"]
	p := filepath.Join(out, PayloadDir, css.ID)
	data := append(bytes.Repeat([]byte("a"), int(css.Size)), bytes.Repeat([]byte("X"), 100)...)
	if _, err := sealPayload(p+".new", id.Recipient(), func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }, false); err != nil {
		t.Fatal(err)
	}
	keep, _ := os.ReadFile(p)
	os.Rename(p+".new", p)
	old := manifest{Pages: map[string]entry{}, Files: map[string]entry{}, Omitted: orig.Omitted}
	for n, e := range orig.Pages {
		e.SHA256 = ""
		old.Pages[n] = e
	}
	for n, e := range orig.Files {
		e.SHA256 = ""
		old.Files[n] = e
	}
	rewriteManifest(t, out, id, old)
	refusedAsAltered(t, out, "padding is not zeros")

	// Without hashes (a portal built before them), intact, it opens.
	os.WriteFile(p, keep, 0o644)
	if _, err := Open(out, Key{Passphrase: testPassphrase}, filepath.Join(t.TempDir(), "o")); err != nil {
		t.Errorf("a portal without hashes: %v", err)
	}
}
