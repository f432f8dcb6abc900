package unlocktest

// Test portals are sealed by internal/seal, as caseport build seals them;
// these types describe a synthetic case in the test's own terms.

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/BurntSushi/toml"

	"github.com/caseport/caseport/content"
	"github.com/caseport/caseport/internal/portal"
	"github.com/caseport/caseport/internal/seal"
)

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
	// WorkFactor is the reader's slot's scrypt work factor; 0 is the
	// fixture's.
	WorkFactor int
}

type fixture struct {
	Lang      string
	Pages     []fixturePage
	Files     []fixtureFile
	Readers   []fixtureReader
	Single    bool
	MaxInline int64 // single-file: larger attachments are left out; < 0: no limit
	// WorkFactor is the scrypt work factor of every slot; 0 is seal's default.
	WorkFactor int
}

// sealed is where a fixture portal was written.
type sealed struct {
	Dir   string // folder mode: OUT; single file: the folder holding it
	Index string // OUT/index.html, or the single file
	ID    string // the manifest payload's ID
}

// sealFixture seals f with seal.Seal (scrypt work factor 18, as in
// production) under dir.
func sealFixture(t testing.TB, dir string, f fixture) *sealed {
	t.Helper()
	tree := &portal.Tree{Lang: f.Lang}
	for _, p := range f.Pages {
		tree.Pages = append(tree.Pages, &portal.Page{Name: p.Name, MediaType: p.Type, Data: p.Data})
	}
	for _, a := range f.Files {
		st, err := os.Stat(a.Source)
		if err != nil {
			t.Fatal(err)
		}
		tree.Attachments = append(tree.Attachments, &portal.Attachment{
			Name: a.Name, FileName: a.FileName, MediaType: a.Type, Source: a.Source, Size: st.Size()})
	}
	var readers []seal.Reader
	for _, r := range f.Readers {
		readers = append(readers, seal.Reader{Name: r.Name, Passphrase: r.Passphrase, WorkFactor: r.WorkFactor})
	}
	out := &sealed{Dir: dir, Index: filepath.Join(dir, "index.html")}
	target := dir
	if f.Single {
		out.Index = filepath.Join(dir, "portal.html")
		target = out.Index
	}
	if _, err := seal.Seal(tree, readers, target, seal.Options{SingleFile: f.Single, MaxInline: f.MaxInline, WorkFactor: f.WorkFactor}); err != nil {
		t.Fatalf("seal: %v", err)
	}
	out.ID = portalJSON(t, out.Index).Manifest
	return out
}

type portalDescription struct {
	Caseport int    `json:"caseport"`
	Single   bool   `json:"single"`
	Manifest string `json:"manifest"`
	Slots    []struct {
		Reader string `json:"reader"`
		Type   string `json:"type"`
	} `json:"slots"`
}

var portalRe = regexp.MustCompile(`(?s)<script type="application/json" id="caseport-sealed">(.*?)</script>`)

// portalJSON reads the portal JSON of an unlock page.
func portalJSON(t testing.TB, index string) portalDescription {
	t.Helper()
	page, err := os.ReadFile(index)
	if err != nil {
		t.Fatal(err)
	}
	m := portalRe.FindSubmatch(page)
	if m == nil {
		t.Fatalf("%s: no portal JSON", index)
	}
	var p portalDescription
	if err := json.Unmarshal(m[1], &p); err != nil {
		t.Fatalf("%s: portal JSON: %v", index, err)
	}
	return p
}

// unlockStrings reads content/i18n/LANG/unlock.toml.
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
