package unlocktest

// A stand-in for internal/seal until it lands on main: it seals a small
// portal exactly as "The sealed portal (format 1)" in docs/architecture.md
// describes, with filippo.io/age, and executes the real unlock shell. When
// seal.Seal exists, the tests switch to it and this file goes.

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"math/bits"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"
	"github.com/BurntSushi/toml"

	"github.com/caseport/caseport/content"
	"github.com/caseport/caseport/themes"
)

// shellData mirrors seal.ShellData of the contract.
type shellData struct {
	Lang     string
	CSP      string
	Style    template.CSS
	Portal   template.JS
	Strings  template.JS
	Payloads []inlinePayload
	Script   template.JS
}

type inlinePayload struct {
	ID     string
	Base64 string
}

// fixturePage is a generated page of the portal (index.html, style.css, theme/...).
type fixturePage struct {
	Name, Type string
	Data       []byte
}

// fixtureFile is an attachment, read from disk.
type fixtureFile struct {
	Name, Type, FileName, Source string
}

type fixtureReader struct {
	Name, Passphrase string
}

type fixture struct {
	Lang       string
	Pages      []fixturePage
	Files      []fixtureFile
	Readers    []fixtureReader
	Single     bool
	MaxInline  int64 // single-file: attachments larger than this are omitted
	WorkFactor int   // scrypt log2(N); 18 as in production
}

type manifestEntry struct {
	ID   string `json:"id"`
	Size int64  `json:"size"`
	Type string `json:"type"`
	Name string `json:"name,omitempty"`
}

type omittedEntry struct {
	Name   string `json:"name"`
	File   string `json:"file"`
	Size   int64  `json:"size"`
	Reason string `json:"reason"`
}

type manifest struct {
	Pages   map[string]manifestEntry `json:"pages"`
	Files   map[string]manifestEntry `json:"files"`
	Omitted []omittedEntry           `json:"omitted"`
}

type slot struct {
	Reader string `json:"reader"`
	Type   string `json:"type"`
	Key    string `json:"key"`
}

type portalJSON struct {
	Caseport int    `json:"caseport"`
	Single   bool   `json:"single"`
	Manifest string `json:"manifest"`
	Slots    []slot `json:"slots"`
}

// sealed is what sealFixture produced.
type sealed struct {
	Dir      string // folder mode: OUT; single: the folder holding the file
	Index    string // path of index.html (or the single file)
	Manifest manifest
	ID       string // manifest payload ID
	CSP      string
}

func payloadID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}

// padme is the Padmé bucket of a length: at most about 12% larger, and
// leaking O(log log L) bits of it.
func padme(l int64) int64 {
	if l < 2 {
		return l
	}
	e := 63 - bits.LeadingZeros64(uint64(l))
	s := 64 - bits.LeadingZeros64(uint64(e))
	last := e - s
	mask := int64(1)<<last - 1
	return (l + mask) &^ mask
}

// sealStream encrypts src to r into dst, padded with zeros to its Padmé bucket.
func sealStream(dst io.Writer, src io.Reader, r age.Recipient) (int64, error) {
	w, err := age.Encrypt(dst, r)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(w, src)
	if err != nil {
		return 0, err
	}
	if _, err := io.CopyN(w, zeros{}, padme(n)-n); err != nil {
		return 0, err
	}
	return n, w.Close()
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func readerSlotID(manifestID, name string) string {
	sum := sha256.Sum256([]byte("caseport reader\x00" + manifestID + "\x00" + name))
	return hex.EncodeToString(sum[:8])
}

// unlockStrings reads content/i18n/LANG/unlock.toml as the JSON the shell carries.
func unlockStrings(t testing.TB, lang string) map[string]string {
	t.Helper()
	data, err := fs.ReadFile(content.FS, "i18n/"+lang+"/unlock.toml")
	if err != nil {
		t.Fatalf("unlock strings: %v", err)
	}
	m := map[string]string{}
	if _, err := toml.Decode(string(data), &m); err != nil {
		t.Fatalf("i18n/%s/unlock.toml: %v", lang, err)
	}
	return m
}

func unlockBundle(t testing.TB) []byte {
	t.Helper()
	js, err := fs.ReadFile(themes.FS, "default/unlock/dist/unlock.js")
	if err != nil {
		t.Fatalf("the unlock bundle is missing: run `make bundle` first (%v)", err)
	}
	return js
}

func cspHash(b []byte) string {
	sum := sha256.Sum256(b)
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// unlockCSP is the policy the unlock code needs, with the hashes of the
// shell's one style and one script.
func unlockCSP(style, script []byte) string {
	return "default-src 'none'; script-src " + cspHash(script) + "; style-src " + cspHash(style) +
		"; img-src blob: data:; font-src blob:; media-src blob:; worker-src blob:; connect-src 'self'" +
		"; base-uri 'none'; form-action 'none'"
}

// sealFixture writes the portal of f under dir and returns where.
func sealFixture(t testing.TB, dir string, f fixture) *sealed {
	t.Helper()
	if f.WorkFactor == 0 {
		f.WorkFactor = 18
	}
	if f.Lang == "" {
		f.Lang = "en"
	}
	id, err := age.GenerateHybridIdentity()
	if err != nil {
		t.Fatal(err)
	}
	rcpt := id.Recipient()
	out := &sealed{Dir: dir, ID: payloadID()}
	m := manifest{Pages: map[string]manifestEntry{}, Files: map[string]manifestEntry{}, Omitted: []omittedEntry{}}
	var inline []inlinePayload
	if !f.Single {
		if err := os.MkdirAll(filepath.Join(dir, "p"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// put seals src as one payload and returns its plaintext size.
	put := func(pid string, src io.Reader) int64 {
		var buf bytes.Buffer
		var dst io.Writer = &buf
		var file *os.File
		if !f.Single {
			file, err = os.Create(filepath.Join(dir, "p", pid))
			if err != nil {
				t.Fatal(err)
			}
			dst = file
		}
		n, err := sealStream(dst, src, rcpt)
		if err != nil {
			t.Fatalf("seal payload: %v", err)
		}
		if file != nil {
			if err := file.Close(); err != nil {
				t.Fatal(err)
			}
		} else {
			inline = append(inline, inlinePayload{ID: pid, Base64: base64.StdEncoding.EncodeToString(buf.Bytes())})
		}
		return n
	}
	for _, p := range f.Pages {
		pid := payloadID()
		n := put(pid, bytes.NewReader(p.Data))
		m.Pages[p.Name] = manifestEntry{ID: pid, Size: n, Type: p.Type}
	}
	for _, a := range f.Files {
		st, err := os.Stat(a.Source)
		if err != nil {
			t.Fatal(err)
		}
		if f.Single && f.MaxInline > 0 && st.Size() > f.MaxInline {
			m.Omitted = append(m.Omitted, omittedEntry{Name: a.Name, File: a.FileName, Size: st.Size(),
				Reason: fmt.Sprintf("over the single-file limit of %d bytes", f.MaxInline)})
			continue
		}
		src, err := os.Open(a.Source)
		if err != nil {
			t.Fatal(err)
		}
		pid := payloadID()
		n := put(pid, src)
		src.Close()
		m.Files[a.Name] = manifestEntry{ID: pid, Size: n, Type: a.Type, Name: a.FileName}
	}
	mj, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	// The manifest is padded with spaces, so it is still JSON.
	mj = append(mj, bytes.Repeat([]byte(" "), int(padme(int64(len(mj)))-int64(len(mj))))...)
	var mbuf bytes.Buffer
	w, err := age.Encrypt(&mbuf, rcpt)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(mj)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if f.Single {
		inline = append(inline, inlinePayload{ID: out.ID, Base64: base64.StdEncoding.EncodeToString(mbuf.Bytes())})
	} else if err := os.WriteFile(filepath.Join(dir, "p", out.ID), mbuf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	out.Manifest = m

	pj := portalJSON{Caseport: 1, Single: f.Single, Manifest: out.ID}
	for _, r := range f.Readers {
		sr, err := age.NewScryptRecipient(r.Passphrase)
		if err != nil {
			t.Fatal(err)
		}
		sr.SetWorkFactor(f.WorkFactor)
		var kb bytes.Buffer
		w, err := age.Encrypt(&kb, sr)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, id.String()+"\n")
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		pj.Slots = append(pj.Slots, slot{Reader: readerSlotID(out.ID, r.Name), Type: "passphrase",
			Key: base64.StdEncoding.EncodeToString(kb.Bytes())})
	}
	portalBytes, err := json.Marshal(pj) // escapes "<" as \u003c
	if err != nil {
		t.Fatal(err)
	}
	strs, err := json.Marshal(unlockStrings(t, f.Lang))
	if err != nil {
		t.Fatal(err)
	}
	style, err := fs.ReadFile(themes.FS, "default/unlock/unlock.css")
	if err != nil {
		t.Fatal(err)
	}
	script := unlockBundle(t)
	shellSrc, err := fs.ReadFile(themes.FS, "default/unlock/shell.html")
	if err != nil {
		t.Fatal(err)
	}
	shell, err := template.New("shell.html").Parse(string(shellSrc))
	if err != nil {
		t.Fatal(err)
	}
	out.CSP = unlockCSP(style, script)
	data := shellData{
		Lang: f.Lang, CSP: out.CSP, Style: template.CSS(style), Portal: template.JS(portalBytes),
		Strings: template.JS(strs), Payloads: inline, Script: template.JS(script),
	}
	var page bytes.Buffer
	if err := shell.Execute(&page, data); err != nil {
		t.Fatal(err)
	}
	out.Index = filepath.Join(dir, "index.html")
	if err := os.WriteFile(out.Index, page.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}
