package seal

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"html"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"filippo.io/age"
	"github.com/caseport/caseport/internal/portal"
	"github.com/caseport/caseport/internal/seal/sealtest"
	"github.com/caseport/caseport/internal/unlockpage"
	"github.com/caseport/caseport/themes"
)

// testWorkFactor keeps scrypt fast in tests; TestDefaultWorkFactor checks
// the real default.
const testWorkFactor = 10

const testPassphrase = "maple-otter-lantern-violet-harbor-cactus-meadow"

// requireBundle skips a test when the browser bundle has not been built,
// unless under CI, where the bundle must be there.
func requireBundle(t *testing.T) {
	t.Helper()
	if _, err := fs.Stat(themes.FS, unlockpage.ScriptPath); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("the browser bundle %s is missing: run \"make bundle\" before the tests", unlockpage.ScriptPath)
		}
		t.Skipf("the browser bundle %s is missing: run \"make bundle\" to run this test", unlockpage.ScriptPath)
	}
}

// writeFile writes data to a new file in dir and returns its path.
func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// testTree returns a portal tree of synthetic patient content with three
// attachments, one over 1 MiB.
func testTree(t *testing.T) *portal.Tree {
	t.Helper()
	dir := t.TempDir()
	page := []byte(`<!doctype html><html lang="en"><head><title>Second opinion for Wilhelmina Quarrington</title>
<link rel="stylesheet" href="style.css"></head><body><h1>Wilhelmina Quarrington, born 1961</h1>
<p>Diagnosis: gastric adenocarcinoma, signet ring cell type, cT3 N1 M0.</p>
<p><a data-attachment href="files/1/biopsy-quarrington-2026-03-02.pdf">Biopsy report</a></p>
<img data-attachment src="files/2/ct-scan-overview.png" alt="CT of the abdomen, March 2026">
</body></html>`)
	big := randomBytes(1<<20 + 12345)
	pdf := append([]byte("%PDF-1.7\nHistology: poorly cohesive carcinoma, HER2 negative (IHC 1+)\n"), randomBytes(2000)...)
	return &portal.Tree{
		Lang: "en",
		Pages: []*portal.Page{
			{Name: "index.html", MediaType: "text/html; charset=utf-8", Data: page},
			{Name: "style.css", MediaType: "text/css; charset=utf-8", Data: []byte("body { font-family: Georgia, serif; color: #222; margin: 0 auto; max-width: 42rem; }\n")},
		},
		Attachments: []*portal.Attachment{
			{Name: "files/1/biopsy-quarrington-2026-03-02.pdf", FileName: "biopsy-quarrington-2026-03-02.pdf", MediaType: "application/pdf",
				Source: writeFile(t, dir, "biopsy-quarrington-2026-03-02.pdf", pdf), Size: int64(len(pdf))},
			{Name: "files/2/ct-scan-overview.png", FileName: "ct-scan-overview.png", MediaType: "image/png",
				Source: writeFile(t, dir, "ct-scan-overview.png", big), Size: int64(len(big))},
			{Name: "files/3/empty-note.txt", FileName: "empty-note.txt", MediaType: "text/plain",
				Source: writeFile(t, dir, "empty-note.txt", nil), Size: 0},
		},
	}
}

func sealTest(t *testing.T, tree *portal.Tree, readers []Reader, opt Options) (string, *Result) {
	t.Helper()
	requireBundle(t)
	if opt.WorkFactor == 0 {
		opt.WorkFactor = testWorkFactor
	}
	out := filepath.Join(t.TempDir(), "portal")
	if opt.SingleFile {
		out += ".html"
	}
	res, err := Seal(tree, readers, out, opt)
	if err != nil {
		t.Fatalf("Seal: %v", err)
	}
	return out, res
}

// checkOpened compares the opened files with the tree, byte for byte.
func checkOpened(t *testing.T, tree *portal.Tree, dir string, skip map[string]bool) {
	t.Helper()
	for _, p := range tree.Pages {
		got, err := os.ReadFile(filepath.Join(dir, p.Name))
		if err != nil {
			t.Fatalf("page %s: %v", p.Name, err)
		}
		if !bytes.Equal(got, p.Data) {
			t.Errorf("page %s differs after opening: %d bytes, want %d", p.Name, len(got), len(p.Data))
		}
	}
	for _, a := range tree.Attachments {
		got, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(a.Name)))
		if skip[a.Name] {
			if err == nil {
				t.Errorf("omitted attachment %s was written", a.Name)
			}
			continue
		}
		if err != nil {
			t.Fatalf("attachment %s: %v", a.Name, err)
		}
		want, _ := os.ReadFile(a.Source)
		if sha256.Sum256(got) != sha256.Sum256(want) {
			t.Errorf("attachment %s differs after opening: %d bytes, want %d", a.Name, len(got), len(want))
		}
	}
}

func TestRoundTripFolder(t *testing.T) {
	tree := testTree(t)
	out, res := sealTest(t, tree, []Reader{{Name: "doctor", Passphrase: testPassphrase}, {Name: "second", Passphrase: "another-long-passphrase-for-tests"}}, Options{})
	if !strings.HasPrefix(res.Recipient, "age1pq1") {
		t.Errorf("portal recipient %.20s...: want a post-quantum hybrid one", res.Recipient)
	}
	ents, err := os.ReadDir(filepath.Join(out, PayloadDir))
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != 6 || res.Payloads != 6 { // 2 pages, 3 attachments, manifest
		t.Errorf("%d payload files, Result.Payloads %d; want 6", len(ents), res.Payloads)
	}
	if tm := res.Timings; tm.Slots <= 0 || tm.Payloads <= 0 || tm.Shell <= 0 {
		t.Errorf("Timings %+v: every part took some time", tm)
	}
	for _, e := range ents {
		if !idRe.MatchString(e.Name()) {
			t.Errorf("payload name %q is not 26 base32 characters", e.Name())
		}
	}
	for _, reader := range []string{"", "doctor"} {
		dir := filepath.Join(t.TempDir(), "open")
		opened, err := Open(out, Key{Reader: reader, Passphrase: testPassphrase}, dir)
		if err != nil {
			t.Fatalf("Open (reader %q): %v", reader, err)
		}
		if len(opened.Files) != 5 {
			t.Errorf("opened %v; want 5 files", opened.Files)
		}
		checkOpened(t, tree, dir, nil)
	}
	dir := filepath.Join(t.TempDir(), "open")
	if _, err := Open(out, Key{Reader: "second", Passphrase: "another-long-passphrase-for-tests"}, dir); err != nil {
		t.Fatalf("Open as the second reader: %v", err)
	}
	checkOpened(t, tree, dir, nil)
	sealtest.LeakScan(t, out, sealtest.Needles(tree))
}

func TestRoundTripSingleFile(t *testing.T) {
	tree := testTree(t)
	out, res := sealTest(t, tree, []Reader{{Name: "doctor", Passphrase: testPassphrase}}, Options{SingleFile: true, MaxInline: 1 << 20})
	if len(res.Omitted) != 1 || res.Omitted[0].Name != "files/2/ct-scan-overview.png" || !strings.Contains(res.Omitted[0].Reason, "1 MiB") {
		t.Fatalf("Omitted = %+v; want the CT image, over the 1 MiB limit", res.Omitted)
	}
	if fi, err := os.Stat(out); err != nil || fi.IsDir() {
		t.Fatalf("single file %s: %v", out, err)
	}
	if ents, _ := os.ReadDir(filepath.Dir(out)); len(ents) != 1 {
		t.Errorf("the folder of the single file holds %d entries; want only the file (scratch payloads removed)", len(ents))
	}
	page, _ := os.ReadFile(out)
	inline := regexp.MustCompile(`<script type="application/octet-stream" id="p-([a-z2-7]{26})">([A-Za-z0-9+/=]+)</script>`).FindAllSubmatch(page, -1)
	if len(inline) != res.Payloads || res.Payloads != 5 {
		t.Errorf("%d inline payloads, Result.Payloads %d; want 5", len(inline), res.Payloads)
	}
	for _, m := range inline {
		raw, err := base64.StdEncoding.DecodeString(string(m[2]))
		if err != nil || !bytes.HasPrefix(raw, []byte("age-encryption.org/v1\n")) {
			t.Errorf("payload %s is not base64 of an age file: %v", m[1], err)
		}
	}
	if !bytes.Contains(page, []byte(`"single":true`)) {
		t.Error(`portal JSON lacks "single":true`)
	}

	dir := filepath.Join(t.TempDir(), "open")
	opened, err := Open(out, Key{Passphrase: testPassphrase}, dir)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if len(opened.Omitted) != 1 || opened.Omitted[0].File != "ct-scan-overview.png" || opened.Omitted[0].Size != tree.Attachments[1].Size {
		t.Errorf("manifest omitted = %+v", opened.Omitted)
	}
	checkOpened(t, tree, dir, map[string]bool{"files/2/ct-scan-overview.png": true})
	sealtest.LeakScan(t, out, sealtest.Needles(tree))
}

func TestUnlockPage(t *testing.T) {
	tree := testTree(t)
	out, _ := sealTest(t, tree, []Reader{{Name: "doctor", Passphrase: testPassphrase}}, Options{})
	page, err := os.ReadFile(filepath.Join(out, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`http-equiv="Content-Security-Policy" content="([^"]*)"`).FindSubmatch(page)
	if m == nil {
		t.Fatal("no Content-Security-Policy in the unlock page")
	}
	policy := html.UnescapeString(string(m[1]))
	hash := func(s []byte) string {
		h := sha256.Sum256(s)
		return "'sha256-" + base64.StdEncoding.EncodeToString(h[:]) + "'"
	}
	// The policy must allow exactly the inline script and style as written.
	scripts := regexp.MustCompile(`(?s)<script>(.*?)</script>`).FindAllSubmatch(page, -1)
	styles := regexp.MustCompile(`(?s)<style>(.*?)</style>`).FindAllSubmatch(page, -1)
	if len(scripts) != 1 || len(styles) != 1 {
		t.Fatalf("%d inline scripts and %d styles; want one each", len(scripts), len(styles))
	}
	for _, want := range []string{"script-src " + hash(scripts[0][1]), "style-src " + hash(styles[0][1]), "default-src 'none'", "connect-src 'self'"} {
		if !strings.Contains(policy, want) {
			t.Errorf("CSP %q lacks %q", policy, want)
		}
	}
	if strings.Contains(policy, "unsafe") && !strings.Contains(policy, "'wasm-unsafe-eval'") {
		t.Errorf("CSP %q allows unsafe sources", policy)
	}
	js := regexp.MustCompile(`(?s)<script type="application/json" id="caseport-sealed">(.*?)</script>`).FindSubmatch(page)
	var pj portalJSON
	if js == nil || json.Unmarshal(js[1], &pj) != nil {
		t.Fatalf("no portal JSON in the unlock page")
	}
	if pj.Caseport != 1 || pj.Single || !idRe.MatchString(pj.Manifest) || len(pj.Slots) != 1 {
		t.Errorf("portal JSON = %+v", pj)
	}
	if s := pj.Slots[0]; s.Type != "passphrase" || s.Reader != ReaderHash(pj.Manifest, "doctor") || len(s.Reader) != 16 {
		t.Errorf("slot = %+v", s)
	}
	if !bytes.Contains(page, []byte("<title>Sealed case portal</title>")) {
		t.Error("the unlock page's title is not the neutral one")
	}
}

func TestDefaultWorkFactor(t *testing.T) {
	requireBundle(t)
	tree := testTree(t)
	out := filepath.Join(t.TempDir(), "portal")
	if _, err := Seal(tree, []Reader{{Name: "doctor", Passphrase: testPassphrase}}, out, Options{}); err != nil {
		t.Fatal(err)
	}
	pj := readPortalJSON(t, out)
	raw, _ := base64.StdEncoding.DecodeString(pj.Slots[0].Key)
	if !regexp.MustCompile(`\n-> scrypt [A-Za-z0-9+/]+ 18\n`).Match(raw) {
		t.Errorf("slot header does not use scrypt with work factor 18:\n%.200s", raw)
	}
}

func readPortalJSON(t *testing.T, out string) portalJSON {
	t.Helper()
	f, err := os.Open(filepath.Join(out, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	js, _, err := scanShell(f)
	if err != nil {
		t.Fatal(err)
	}
	var pj portalJSON
	if err := json.Unmarshal(js, &pj); err != nil {
		t.Fatal(err)
	}
	return pj
}

func TestWrongPassphrase(t *testing.T) {
	out, _ := sealTest(t, testTree(t), []Reader{{Name: "doctor", Passphrase: testPassphrase}, {Name: "nurse", Passphrase: "a-second-reader-passphrase"}}, Options{})
	for _, reader := range []string{"", "doctor"} {
		_, err := Open(out, Key{Reader: reader, Passphrase: testPassphrase + "x"}, filepath.Join(t.TempDir(), "o"))
		if !errors.Is(err, ErrWrongPassphrase) || !strings.Contains(err.Error(), "passphrase is wrong") {
			t.Errorf("reader %q, wrong passphrase: err = %v; want ErrWrongPassphrase", reader, err)
		}
	}
	// Another reader's passphrase does not open this reader's slot.
	_, err := Open(out, Key{Reader: "doctor", Passphrase: "a-second-reader-passphrase"}, filepath.Join(t.TempDir(), "o"))
	if !errors.Is(err, ErrWrongPassphrase) {
		t.Errorf("the nurse's passphrase for the doctor: err = %v; want ErrWrongPassphrase", err)
	}
	_, err = Open(out, Key{Reader: "Dr Nobody", Passphrase: testPassphrase}, filepath.Join(t.TempDir(), "o"))
	if err == nil || !strings.Contains(err.Error(), `no key slot for reader "Dr Nobody"`) || strings.Contains(err.Error(), "nurse") {
		t.Errorf("unknown reader: err = %v", err)
	}
}

// flipByte changes one byte of the file at p, at offset off from the start
// (or from the end when negative).
func flipByte(t *testing.T, p string, off int64) {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if off < 0 {
		off += int64(len(data))
	}
	data[off] ^= 0x01
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestTamperedPayload(t *testing.T) {
	tree := testTree(t)
	for _, tc := range []struct {
		name string
		off  int64 // where to flip a byte of the largest payload
	}{
		{"header", 60},
		{"body", 1 << 19},
		{"end", -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, _ := sealTest(t, tree, []Reader{{Name: "doctor", Passphrase: testPassphrase}}, Options{})
			ents, _ := os.ReadDir(filepath.Join(out, PayloadDir))
			var largest string
			var size int64
			for _, e := range ents {
				if fi, _ := e.Info(); fi.Size() > size {
					largest, size = e.Name(), fi.Size()
				}
			}
			target := filepath.Join(out, PayloadDir, largest)
			flipByte(t, target, tc.off)
			_, err := Open(out, Key{Passphrase: testPassphrase}, filepath.Join(t.TempDir(), "o"))
			var alt *AlteredError
			if !errors.As(err, &alt) || alt.File != target || !strings.Contains(err.Error(), "was altered or damaged") {
				t.Fatalf("err = %v; want %s altered", err, target)
			}
		})
	}
}

func TestTamperedSlot(t *testing.T) {
	out, _ := sealTest(t, testTree(t), []Reader{{Name: "doctor", Passphrase: testPassphrase}}, Options{})
	index := filepath.Join(out, "index.html")
	page, _ := os.ReadFile(index)
	pj := readPortalJSON(t, out)
	for _, tc := range []struct {
		name string
		at   func(raw []byte) int // the byte to change
	}{
		{"identity", func(raw []byte) int { return len(raw) - 1 }},                      // the encrypted portal identity
		{"mac", func(raw []byte) int { return bytes.Index(raw, []byte("\n--- ")) + 8 }}, // the header MAC
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw, _ := base64.StdEncoding.DecodeString(pj.Slots[0].Key)
			i := tc.at(raw)
			if raw[i] == 'A' {
				raw[i] = 'B'
			} else {
				raw[i] ^= 0x01
			}
			tampered := bytes.Replace(page, []byte(pj.Slots[0].Key), []byte(base64.StdEncoding.EncodeToString(raw)), 1)
			if err := os.WriteFile(index, tampered, 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Open(out, Key{Passphrase: testPassphrase}, filepath.Join(t.TempDir(), "o"))
			var alt *AlteredError
			if !errors.As(err, &alt) || !strings.Contains(alt.File, "key slot 1") {
				t.Fatalf("err = %v; want key slot 1 altered", err)
			}
		})
	}
	// A tampered inline payload in a single file is reported too.
	single, _ := sealTest(t, testTree(t), []Reader{{Name: "doctor", Passphrase: testPassphrase}}, Options{SingleFile: true})
	data, _ := os.ReadFile(single)
	m := regexp.MustCompile(`id="p-([a-z2-7]{26})">([A-Za-z0-9+/=]{1000,})</script>`).FindSubmatchIndex(data)
	i := m[4] + 1500
	if data[i] == 'A' {
		data[i] = 'B'
	} else {
		data[i] = 'A'
	}
	os.WriteFile(single, data, 0o644)
	_, err := Open(single, Key{Passphrase: testPassphrase}, filepath.Join(t.TempDir(), "o"))
	var alt *AlteredError
	if !errors.As(err, &alt) || !strings.Contains(alt.File, string(data[m[2]:m[3]])) {
		t.Fatalf("tampered inline payload: err = %v", err)
	}
}

func TestRecipientReader(t *testing.T) {
	x, _ := age.GenerateX25519Identity()
	pq, _ := age.GenerateHybridIdentity()
	tree := testTree(t)
	out, _ := sealTest(t, tree, []Reader{
		{Name: "doctor", Passphrase: testPassphrase},
		{Name: "oncologist", Recipient: x.Recipient().String()},
		{Name: "pathologist", Recipient: pq.Recipient().String()},
	}, Options{})
	for _, tc := range []struct {
		reader string
		id     age.Identity
	}{{"oncologist", x}, {"", x}, {"pathologist", pq}, {"", pq}} {
		dir := filepath.Join(t.TempDir(), "o")
		if _, err := Open(out, Key{Reader: tc.reader, Identities: []age.Identity{tc.id}}, dir); err != nil {
			t.Fatalf("Open as %q with its identity: %v", tc.reader, err)
		}
		checkOpened(t, tree, dir, nil)
	}
	other, _ := age.GenerateX25519Identity()
	_, err := Open(out, Key{Identities: []age.Identity{other}}, filepath.Join(t.TempDir(), "o"))
	if !errors.Is(err, ErrWrongIdentity) {
		t.Errorf("a stranger's identity: err = %v; want ErrWrongIdentity", err)
	}
	if _, err := Seal(tree, []Reader{{Name: "x", Recipient: "ssh-ed25519 AAAA"}}, filepath.Join(t.TempDir(), "p"), Options{}); err == nil {
		t.Error("Seal accepted a recipient that is not an age public key")
	}
}

func TestPadme(t *testing.T) {
	for n, want := range map[int64]int64{0: 0, 1: 1, 7: 7, 9: 10, 1000: 1024, 1025: 1088, 1 << 20: 1 << 20, 1<<20 + 1: 1<<20 + 1<<15, 100_000: 100_352, 100_300: 100_352} {
		if got := padme(n); got != want {
			t.Errorf("padme(%d) = %d; want %d", n, got, want)
		}
	}
	buckets := map[int64]bool{}
	for n := int64(1 << 20); n < 1<<21; n += 997 {
		p := padme(n)
		if p < n || float64(p-n) > 0.12*float64(n) {
			t.Fatalf("padme(%d) = %d: outside [n, 1.12n]", n, p)
		}
		buckets[p] = true
	}
	// E = 20, S = 5: the low E-S bits are rounded, leaving 2^S buckets.
	if len(buckets) > 33 {
		t.Errorf("%d buckets between 1 and 2 MiB; Padmé gives 32", len(buckets))
	}
}

// TestPaddingHidesSize seals two attachments of different sizes in one
// bucket: their payload files must be the same size.
func TestPaddingHidesSize(t *testing.T) {
	dir := t.TempDir()
	a := writeFile(t, dir, "a.bin", randomBytes(100_000))
	b := writeFile(t, dir, "b.bin", randomBytes(100_300))
	tree := &portal.Tree{Lang: "en",
		Pages: []*portal.Page{{Name: "index.html", MediaType: "text/html", Data: []byte("<p>x</p>")}},
		Attachments: []*portal.Attachment{
			{Name: "files/1/a.bin", FileName: "a.bin", MediaType: "application/octet-stream", Source: a, Size: 100_000},
			{Name: "files/2/b.bin", FileName: "b.bin", MediaType: "application/octet-stream", Source: b, Size: 100_300},
		}}
	out, _ := sealTest(t, tree, []Reader{{Name: "doctor", Passphrase: testPassphrase}}, Options{})
	sizes := map[int64]int{}
	ents, _ := os.ReadDir(filepath.Join(out, PayloadDir))
	for _, e := range ents {
		fi, _ := e.Info()
		sizes[fi.Size()]++
	}
	found := false
	for s, n := range sizes {
		if n == 2 && s > 100_000 {
			found = true
		}
	}
	if !found {
		t.Errorf("payload sizes %v: the 100000 and 100300 byte files should seal to the same size", sizes)
	}
	d := filepath.Join(t.TempDir(), "o")
	if _, err := Open(out, Key{Passphrase: testPassphrase}, d); err != nil {
		t.Fatal(err)
	}
	checkOpened(t, tree, d, nil)
}

// TestAgeCLI opens a sealed portal with the age command line, as
// docs/sealing.md tells: the key slot with the passphrase (age reads it from
// a terminal, so it runs under script(1)) or with the reader's identity
// file, then the manifest and a page with the portal identity.
func TestAgeCLI(t *testing.T) {
	requireBundle(t)
	tmp := t.TempDir()
	ageBin := filepath.Join(tmp, "age")
	if out, err := exec.Command("go", "build", "-o", ageBin, "filippo.io/age/cmd/age").CombinedOutput(); err != nil {
		t.Fatalf("building age: %v\n%s", err, out)
	}
	reader, _ := age.GenerateX25519Identity()
	tree := testTree(t)
	out, _ := sealTest(t, tree, []Reader{
		{Name: "doctor", Passphrase: testPassphrase},
		{Name: "oncologist", Recipient: reader.Recipient().String()},
	}, Options{})
	pj := readPortalJSON(t, out)
	run := func(args ...string) []byte {
		t.Helper()
		cmd := exec.Command(ageBin, args...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		b, err := cmd.Output()
		if err != nil {
			t.Fatalf("age %s: %v\n%s", strings.Join(args, " "), err, stderr.Bytes())
		}
		return b
	}
	slotFile := func(reader string) string {
		for _, s := range pj.Slots {
			if s.Reader == ReaderHash(pj.Manifest, reader) {
				raw, _ := base64.StdEncoding.DecodeString(s.Key)
				return writeFile(t, tmp, "slot-"+reader+".age", raw)
			}
		}
		t.Fatalf("no slot for %s", reader)
		return ""
	}

	// The reader with an age key: age -d -i reader.key slot.age > portal.key
	readerKey := writeFile(t, tmp, "reader.key", []byte(reader.String()+"\n"))
	portalKey := run("-d", "-i", readerKey, slotFile("oncologist"))
	if !bytes.HasPrefix(portalKey, []byte("AGE-SECRET-KEY-PQ-1")) {
		t.Fatalf("the slot holds %.20q; want a hybrid identity", portalKey)
	}

	// The passphrase reader: age asks on the terminal.
	if _, err := exec.LookPath("script"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("script(1) from util-linux is needed to type a passphrase into age")
		}
		t.Log("script(1) missing: not checking the passphrase slot with age")
	} else {
		dst := filepath.Join(tmp, "portal-from-passphrase.key")
		cmd := exec.Command("script", "-qec", ageBin+" -d -o "+dst+" "+slotFile("doctor"), "/dev/null")
		cmd.Stdin = strings.NewReader(testPassphrase + "\n")
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("age -d with the passphrase: %v\n%s", err, b)
		}
		if got, _ := os.ReadFile(dst); !bytes.Equal(got, portalKey) {
			t.Fatalf("the passphrase slot holds %.20q; the recipient slot %.20q", got, portalKey)
		}
	}

	idFile := writeFile(t, tmp, "portal.key", portalKey)
	mjson := run("-d", "-i", idFile, filepath.Join(out, PayloadDir, pj.Manifest))
	var m manifest
	if err := json.Unmarshal(mjson, &m); err != nil {
		t.Fatalf("manifest decrypted by age: %v", err)
	}
	for name, e := range m.Pages {
		plain := run("-d", "-i", idFile, filepath.Join(out, PayloadDir, e.ID))
		if int64(len(plain)) != padme(e.Size) || !bytes.Equal(plain[:e.Size], tree.Page(name).Data) {
			t.Errorf("page %s decrypted by age differs", name)
		}
		if len(bytes.Trim(plain[e.Size:], "\x00")) != 0 {
			t.Errorf("page %s: padding is not zero bytes", name)
		}
	}
	e := m.Files["files/2/ct-scan-overview.png"]
	plain := run("-d", "-i", idFile, filepath.Join(out, PayloadDir, e.ID))
	want, _ := os.ReadFile(tree.Attachments[1].Source)
	if e.Name != "ct-scan-overview.png" || e.Type != "image/png" || !bytes.Equal(plain[:e.Size], want) {
		t.Errorf("attachment decrypted by age differs (%+v)", e)
	}
}

func TestLeakScanFindsLeaks(t *testing.T) {
	// The scanner must catch a name written in clear and base64 of a page.
	tree := testTree(t)
	dir := t.TempDir()
	writeFile(t, dir, "index.html", []byte(`<p>`+base64.StdEncoding.EncodeToString(tree.Pages[0].Data)+`</p>`))
	writeFile(t, dir, "x", []byte("...BIOPSY-quarrington-2026-03-02.pdf..."))
	ft := &fakeT{TB: t}
	sealtest.LeakScan(ft, dir, sealtest.Needles(tree))
	if len(ft.errors) < 2 {
		t.Errorf("LeakScan reported %d leaks; want the name and the base64 page: %v", len(ft.errors), ft.errors)
	}
}

type fakeT struct {
	testing.TB
	errors []string
}

func (f *fakeT) Errorf(format string, args ...any) {
	f.errors = append(f.errors, format)
}
