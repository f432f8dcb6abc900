package seal

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Each reader's slot has its own work factor: a reader's WorkFactor, else
// Options.WorkFactor. Both open, in caseport and with age.
func TestWorkFactorPerReader(t *testing.T) {
	readers := []Reader{
		{Name: "doctor", Passphrase: testPassphrase, WorkFactor: GeneratedWorkFactor},
		{Name: "nurse", Passphrase: "a-second-reader-passphrase"},
	}
	out, _ := sealTest(t, testTree(t), readers, Options{WorkFactor: 12})
	pj := readPortalJSON(t, out)
	got := map[string]int{}
	for _, s := range pj.Slots {
		raw, err := base64.StdEncoding.DecodeString(s.Key)
		if err != nil {
			t.Fatal(err)
		}
		got[s.Reader] = SlotWorkFactor(raw)
	}
	if w := got[ReaderHash(pj.Manifest, "doctor")]; w != GeneratedWorkFactor {
		t.Errorf("doctor's slot: work factor %d, want %d", w, GeneratedWorkFactor)
	}
	if w := got[ReaderHash(pj.Manifest, "nurse")]; w != 12 {
		t.Errorf("nurse's slot: work factor %d, want 12 (Options.WorkFactor)", w)
	}
	for _, r := range readers {
		if _, err := Open(out, Key{Reader: r.Name, Passphrase: r.Passphrase}, filepath.Join(t.TempDir(), "o")); err != nil {
			t.Errorf("open as %s: %v", r.Name, err)
		}
	}

	for _, wf := range []int{MaxWorkFactor + 1, -1} {
		_, err := Seal(testTree(t), []Reader{{Name: "doctor", Passphrase: testPassphrase, WorkFactor: wf}}, filepath.Join(t.TempDir(), "p"), Options{})
		if err == nil || !strings.Contains(err.Error(), "outside 1 to 20") {
			t.Errorf("work factor %d: err = %v", wf, err)
		}
	}
}

// Open refuses a slot whose work factor is above MaxWorkFactor before
// spending any scrypt on it, and says why.
func TestOpenRefusesHighWorkFactor(t *testing.T) {
	out, _ := sealTest(t, testTree(t), []Reader{{Name: "doctor", Passphrase: testPassphrase}}, Options{WorkFactor: 10})
	index := filepath.Join(out, "index.html")
	page, err := os.ReadFile(index)
	if err != nil {
		t.Fatal(err)
	}
	pj := readPortalJSON(t, out)
	raw, _ := base64.StdEncoding.DecodeString(pj.Slots[0].Key)
	forged := bytes.Replace(raw, []byte(" 10\n"), []byte(" 22\n"), 1)
	if SlotWorkFactor(forged) != 22 {
		t.Fatalf("forged slot reads as work factor %d", SlotWorkFactor(forged))
	}
	page = bytes.Replace(page, []byte(pj.Slots[0].Key), []byte(base64.StdEncoding.EncodeToString(forged)), 1)
	if err := os.WriteFile(index, page, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Open(out, Key{Passphrase: testPassphrase}, filepath.Join(t.TempDir(), "o"))
	if err == nil || !strings.Contains(err.Error(), "work factor 22 is above 20") {
		t.Errorf("err = %v, want a refusal of work factor 22", err)
	}
}
