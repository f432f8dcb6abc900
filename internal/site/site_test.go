package site

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"filippo.io/age"
	"github.com/caseport/caseport/internal/casedir"
	"github.com/caseport/caseport/internal/keystore"
	"github.com/caseport/caseport/internal/portal"
	"github.com/caseport/caseport/internal/render"
	"github.com/caseport/caseport/internal/seal"
	"github.com/caseport/caseport/internal/seal/sealtest"
	"github.com/caseport/caseport/themes"
)

// setup copies the valid test case, points the key store at a temp
// folder, and returns the case folder and an output path.
func setup(t *testing.T) (caseDir, out string) {
	t.Helper()
	if _, err := fs.Stat(themes.FS, "default/unlock/dist/unlock.js"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("the browser bundle is missing: run \"make bundle\" before the tests")
		}
		t.Skip("the browser bundle is missing: run \"make bundle\" to run this test")
	}
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	caseDir = filepath.Join(t.TempDir(), "case")
	if err := os.CopyFS(caseDir, os.DirFS("../casedir/testdata/valid")); err != nil {
		t.Fatal(err)
	}
	return caseDir, filepath.Join(t.TempDir(), "out", "portal")
}

// snapshot returns the hash of every file under p, by relative path.
func snapshot(t *testing.T, p string) map[string][32]byte {
	t.Helper()
	m := map[string][32]byte{}
	err := filepath.WalkDir(p, func(q string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(p, q)
		if d.IsDir() {
			m[rel+"/"] = [32]byte{}
			return nil
		}
		data, err := os.ReadFile(q)
		m[rel] = sha256.Sum256(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func sameSnapshot(a, b map[string][32]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func build(t *testing.T, caseDir, out string, opt Options) *Result {
	t.Helper()
	if opt.WorkFactor == 0 {
		opt.WorkFactor = 10
	}
	res, err := Build(caseDir, out, opt)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return res
}

func open(t *testing.T, out, reader, pass string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "opened")
	if _, err := seal.Open(out, seal.Key{Reader: reader, Passphrase: pass}, dir); err != nil {
		t.Fatalf("opening %s as %s: %v", out, reader, err)
	}
	return dir
}

func TestBuildKeepsPassphrases(t *testing.T) {
	caseDir, out := setup(t)
	before := snapshot(t, caseDir)

	first := build(t, caseDir, out, Options{})
	if len(first.Readers) != 1 || first.Readers[0].Name != "reviewing-oncologist" || first.Readers[0].Key != KeyGenerated {
		t.Fatalf("readers %+v; want one generated", first.Readers)
	}
	pass := first.Readers[0].Passphrase
	if err := keystore.Strength(pass, nil); err != nil {
		t.Errorf("generated passphrase %q: %v", pass, err)
	}
	opened := open(t, out, "reviewing-oncologist", pass)
	c, err := casedir.Load(caseDir)
	if err != nil {
		t.Fatal(err)
	}
	for i, a := range c.Attachments {
		got, _ := os.ReadFile(filepath.Join(opened, "files", fmt.Sprint(i+1), path.Base(a.Path)))
		want, _ := os.ReadFile(a.Abs)
		if sha256.Sum256(got) != sha256.Sum256(want) {
			t.Errorf("attachment %s differs after build and open", a.Path)
		}
	}
	firstSnap := snapshot(t, out)

	// A rebuild keeps the passphrase, and makes a new portal.
	again := build(t, caseDir, out, Options{})
	if r := again.Readers[0]; r.Key != KeyStored || r.Passphrase != "" {
		t.Errorf("rebuild: reader %+v; want the stored passphrase, not shown again", r)
	}
	open(t, out, "", pass)
	if sameSnapshot(firstSnap, snapshot(t, out)) {
		t.Error("the rebuild left the portal unchanged")
	}
	if ents, _ := os.ReadDir(filepath.Dir(out)); len(ents) != 1 {
		t.Errorf("beside the portal: %d entries; want only the portal (no temporary or old folders)", len(ents))
	}
	if !sameSnapshot(before, snapshot(t, caseDir)) {
		t.Error("the build changed the case folder")
	}
	if !strings.HasPrefix(first.StorePath, os.Getenv("XDG_CONFIG_HOME")) {
		t.Errorf("key store at %s; want it under XDG_CONFIG_HOME", first.StorePath)
	}

	// A new reader gets a new passphrase; the first keeps theirs.
	f, _ := os.OpenFile(filepath.Join(caseDir, "case.toml"), os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("\n[[readers]]\nname = \"second-reader\"\n")
	f.Close()
	third := build(t, caseDir, out, Options{})
	if third.Readers[0].Key != KeyStored || third.Readers[1].Key != KeyGenerated {
		t.Errorf("readers %+v", third.Readers)
	}
	open(t, out, "reviewing-oncologist", pass)
	open(t, out, "second-reader", third.Readers[1].Passphrase)

	// The leak scan, with the case's own strings added.
	tree, _ := render.Render(c, render.Options{})
	needles := append(sealtest.Needles(tree), sealtest.CaseNeedles(c)...)
	needles = append(needles, "reviewing-oncologist", "second-reader")
	if len(needles) < 100 {
		t.Errorf("only %d needles for the leak scan", len(needles))
	}
	sealtest.LeakScan(t, out, needles)
}

func TestBuildSingleFile(t *testing.T) {
	caseDir, out := setup(t)
	out += ".html"
	res := build(t, caseDir, out, Options{SingleFile: true, MaxInline: 60})
	if len(res.Omitted) == 0 {
		t.Error("no attachment over 60 bytes was omitted")
	}
	open(t, out, "", res.Readers[0].Passphrase)
	build(t, caseDir, out, Options{SingleFile: true})
	open(t, out, "", res.Readers[0].Passphrase)
	if ents, _ := os.ReadDir(filepath.Dir(out)); len(ents) != 1 {
		t.Errorf("beside the portal: %d entries; want only the file", len(ents))
	}
	c, _ := casedir.Load(caseDir)
	tree, _ := render.Render(c, render.Options{})
	sealtest.LeakScan(t, out, append(sealtest.Needles(tree), sealtest.CaseNeedles(c)...))
}

// TestAtomicBuild makes builds fail at each step after the old portal
// exists: the old portal must stay byte-identical and nothing be left over.
func TestAtomicBuild(t *testing.T) {
	for _, single := range []bool{false, true} {
		t.Run(fmt.Sprintf("single=%v", single), func(t *testing.T) {
			caseDir, out := setup(t)
			if single {
				out += ".html"
			}
			res := build(t, caseDir, out, Options{SingleFile: single})
			before := snapshot(t, out)

			failures := map[string]Options{
				"render": {render: func(*casedir.Case, render.Options) (*portal.Tree, error) { return nil, errors.New("renderer broke") }},
				"seal mid-way": {seal: func(tr *portal.Tree, r []seal.Reader, o string, opt seal.Options) (*seal.Result, error) {
					// Seal for real, then fail: the temporary portal is complete.
					if _, err := seal.Seal(tr, r, o, opt); err != nil {
						return nil, err
					}
					return nil, errors.New("disk full")
				}},
				"attachment vanished": {render: func(c *casedir.Case, o render.Options) (*portal.Tree, error) {
					tr, err := render.Render(c, o)
					tr.Attachments[len(tr.Attachments)-1].Source += ".gone"
					return tr, err
				}},
			}
			for name, fail := range failures {
				fail.SingleFile, fail.WorkFactor = single, 10
				_, err := Build(caseDir, out, fail)
				if err == nil {
					t.Fatalf("%s: the build succeeded", name)
				}
				if !sameSnapshot(before, snapshot(t, out)) {
					t.Fatalf("%s: the failed build changed the previous portal", name)
				}
				if ents, _ := os.ReadDir(filepath.Dir(out)); len(ents) != 1 {
					t.Fatalf("%s: %d entries beside the portal; want the portal only", name, len(ents))
				}
			}
			open(t, out, "", res.Readers[0].Passphrase)
		})
	}
}

func TestGivenPassphrases(t *testing.T) {
	caseDir, out := setup(t)
	_, err := Build(caseDir, out, Options{Passphrase: "Summer2024!", WorkFactor: 10})
	var weak *keystore.WeakError
	if !errors.As(err, &weak) || !strings.Contains(err.Error(), "too short") || !strings.Contains(err.Error(), "--allow-weak-passphrase") {
		t.Errorf("weak passphrase: err = %v", err)
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Error("a refused build wrote the portal")
	}
	res := build(t, caseDir, out, Options{Passphrase: "Summer2024!", AllowWeak: true})
	if res.Readers[0].Key != KeyGiven || res.StorePath != "" {
		t.Errorf("given passphrase: %+v", res)
	}
	open(t, out, "", "Summer2024!")

	_, err = Build(caseDir, out, Options{Passphrases: map[string]string{"someone-else": "a-long-enough-passphrase-for-tests"}, WorkFactor: 10})
	if err == nil || !strings.Contains(err.Error(), "someone-else") || !strings.Contains(err.Error(), "reviewing-oncologist") {
		t.Errorf("unknown reader in the passphrase file: err = %v", err)
	}
	// Guessable from the case itself: its id, the patient's alias and birth
	// year, in l33t.
	for _, guessable := range []string{"Gastric-2026-041!", "PatientA-1967!!", "P4t13nt-A-1967", "gastric2026041adenocarcinoma"} {
		_, err = Build(caseDir, out, Options{Passphrase: guessable, WorkFactor: 10})
		if !errors.As(err, &weak) || !strings.Contains(err.Error(), "words of the case itself") {
			t.Errorf("passphrase %q from the case: err = %v", guessable, err)
		}
	}
	strong := "harbor-violet-cactus-lantern-meadow"
	build(t, caseDir, out, Options{Passphrases: map[string]string{"reviewing-oncologist": strong}})
	open(t, out, "reviewing-oncologist", strong)
}

func TestRefusesForeignOutput(t *testing.T) {
	caseDir, out := setup(t)
	os.MkdirAll(out, 0o755)
	os.WriteFile(filepath.Join(out, "thesis.docx"), []byte("years of work"), 0o644)
	before := snapshot(t, out)
	if _, err := Build(caseDir, out, Options{WorkFactor: 10}); err == nil || !strings.Contains(err.Error(), "not a sealed portal") {
		t.Errorf("err = %v; want a refusal", err)
	}
	if !sameSnapshot(before, snapshot(t, out)) {
		t.Error("the folder was changed")
	}
	file := filepath.Join(t.TempDir(), "notes.html")
	os.WriteFile(file, []byte("<p>my notes</p>"), 0o644)
	if _, err := Build(caseDir, file, Options{SingleFile: true, WorkFactor: 10}); err == nil {
		t.Error("a single-file build replaced an HTML file that is not a portal")
	}
	if _, err := Build(caseDir, filepath.Join(caseDir, "portal"), Options{WorkFactor: 10}); err == nil || !strings.Contains(err.Error(), "outside the case folder") {
		t.Errorf("portal inside the case: err = %v", err)
	}
}

func TestDefaultReaderAndRecipient(t *testing.T) {
	caseDir, out := setup(t)
	p := filepath.Join(caseDir, "case.toml")
	data, _ := os.ReadFile(p)
	i := strings.Index(string(data), "[[readers]]")
	os.WriteFile(p, data[:i], 0o644)
	res := build(t, caseDir, out, Options{})
	if len(res.Readers) != 1 || res.Readers[0].Name != DefaultReader || res.Readers[0].Key != KeyGenerated {
		t.Fatalf("readers %+v; want one generated for %q", res.Readers, DefaultReader)
	}
	open(t, out, "doctor", res.Readers[0].Passphrase)

	id, _ := age.GenerateX25519Identity()
	os.WriteFile(p, append(data[:i:i], []byte("[[readers]]\nname = \"pathologist\"\nrecipient = \""+id.Recipient().String()+"\"\n")...), 0o644)
	res = build(t, caseDir, out, Options{})
	if len(res.Readers) != 1 || res.Readers[0].Key != KeyRecipient || res.StorePath != "" {
		t.Fatalf("readers %+v; want the recipient reader only, no key store", res.Readers)
	}
	dir := filepath.Join(t.TempDir(), "o")
	if _, err := seal.Open(out, seal.Key{Identities: []age.Identity{id}}, dir); err != nil {
		t.Fatal(err)
	}
}

// Generated passphrases get seal.GeneratedWorkFactor; given ones, and a
// stored one edited by hand into something guessable, the given factor.
func TestWorkFactorByOrigin(t *testing.T) {
	caseDir, out := setup(t)
	slotFactor := func() int {
		t.Helper()
		page, err := os.ReadFile(filepath.Join(out, "index.html"))
		if err != nil {
			t.Fatal(err)
		}
		m := regexp.MustCompile(`"key":"([A-Za-z0-9+/=]+)"`).FindSubmatch(page)
		if m == nil {
			t.Fatal("no key slot in the unlock page")
		}
		raw, err := base64.StdEncoding.DecodeString(string(m[1]))
		if err != nil {
			t.Fatal(err)
		}
		return seal.SlotWorkFactor(raw)
	}
	res := build(t, caseDir, out, Options{WorkFactor: 12})
	if res.Readers[0].Key != KeyGenerated {
		t.Fatalf("reader key %q, want generated", res.Readers[0].Key)
	}
	if wf := slotFactor(); wf != seal.GeneratedWorkFactor {
		t.Errorf("generated passphrase: work factor %d, want %d", wf, seal.GeneratedWorkFactor)
	}
	open(t, out, "", res.Readers[0].Passphrase)

	build(t, caseDir, out, Options{WorkFactor: 12, Passphrase: "harbor-violet-cactus-lantern-meadow"})
	if wf := slotFactor(); wf != 12 {
		t.Errorf("given passphrase: work factor %d, want 12", wf)
	}

	store := &keystore.Store{Dir: filepath.Join(os.Getenv("XDG_CONFIG_HOME"), "caseport", "keys")}
	if err := store.Save("gastric-2026-041", map[string]string{"reviewing-oncologist": "Summer2024!-by-hand"}); err != nil {
		t.Fatal(err)
	}
	res = build(t, caseDir, out, Options{WorkFactor: 12, Store: store})
	if res.Readers[0].Key != KeyStored {
		t.Fatalf("reader key %q, want stored (case id in the store?)", res.Readers[0].Key)
	}
	if wf := slotFactor(); wf != 12 {
		t.Errorf("hand-edited stored passphrase: work factor %d, want 12", wf)
	}
}
