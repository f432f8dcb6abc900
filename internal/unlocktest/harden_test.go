package unlocktest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/chromedp/chromedp"
)

// manifestEntries unwraps a folder portal's manifest as its first reader
// would, and returns its entries by name (pages and files).
func manifestEntries(t *testing.T, p *sealed) map[string]struct{ ID, SHA256 string } {
	t.Helper()
	page, _ := os.ReadFile(p.Index)
	m := portalRe.FindSubmatch(page)
	var pj struct {
		Slots []struct{ Key string } `json:"slots"`
	}
	if err := json.Unmarshal(m[1], &pj); err != nil {
		t.Fatal(err)
	}
	sid, _ := age.NewScryptIdentity(readers[0].Passphrase)
	var id age.Identity
	for _, s := range pj.Slots {
		raw, _ := base64.StdEncoding.DecodeString(s.Key)
		r, err := age.Decrypt(bytes.NewReader(raw), sid)
		if err != nil {
			continue
		}
		var b bytes.Buffer
		b.ReadFrom(r)
		if id, err = age.ParseHybridIdentity(b.String()); err != nil {
			t.Fatal(err)
		}
		break
	}
	if id == nil {
		t.Fatal("no slot opens with the first reader's passphrase")
	}
	f, _ := os.Open(filepath.Join(p.Dir, "p", p.ID))
	defer f.Close()
	r, err := age.Decrypt(f, id)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	b.ReadFrom(r)
	var man struct {
		Pages, Files map[string]struct{ ID, SHA256 string }
	}
	if err := json.Unmarshal(bytes.TrimRight(b.Bytes(), " "), &man); err != nil {
		t.Fatal(err)
	}
	all := man.Pages
	for n, e := range man.Files {
		all[n] = e
	}
	return all
}

// TestSwappedPayloadIsRefused: two pages of the same size, their payloads
// swapped under p/: the browser must not show one as the other.
func TestSwappedPayloadIsRefused(t *testing.T) {
	f, _ := caseFixture(t, "en", false)
	f.Files = nil
	other := strings.Replace(caseHTML, "synthetic case GX-0000", "ENDOSCOPY REPORT XX-99", 1)
	if len(other) != len(caseHTML) {
		t.Fatalf("the two pages differ in size: %d, %d", len(other), len(caseHTML))
	}
	f.Pages = append(f.Pages, fixturePage{Name: "endoscopy.html", Type: "text/html; charset=utf-8", Data: []byte(other)})
	p := sealFixture(t, t.TempDir(), f)
	m := manifestEntries(t, p)
	if len(m["index.html"].SHA256) != 64 {
		t.Fatalf("no SHA-256 for index.html in the manifest: %+v", m)
	}
	a := filepath.Join(p.Dir, "p", m["index.html"].ID)
	b := filepath.Join(p.Dir, "p", m["endoscopy.html"].ID)
	da, _ := os.ReadFile(a)
	db, _ := os.ReadFile(b)
	if len(da) != len(db) {
		t.Fatalf("the payloads differ in size: %d, %d", len(da), len(db))
	}
	writeFile(t, a, db)
	writeFile(t, b, da)

	srv := serve(t, p.Dir)
	s := newSession(t)
	s.open(t, srv.URL+"/")
	s.enter(t, readers[0].Passphrase, false)
	if st := s.state(t); st != "locked" {
		var body string
		s.eval(t, `document.body.innerText.slice(0, 300)`, &body)
		t.Fatalf("state %q, want the form back; the page shows %q", st, body)
	}
	if got, want := s.text(t, "#cp-error"), unlockStrings(t, "en")["damaged"]; got != want {
		t.Errorf("message %q, want %q", got, want)
	}
}

// TestRememberedKeyIsPerPortal: two portals on one origin, in one tab: the
// key remembered for one never opens, or is offered to, the other.
func TestRememberedKeyIsPerPortal(t *testing.T) {
	root := t.TempDir()
	f, _ := caseFixture(t, "en", false)
	f.Files = nil
	os.MkdirAll(filepath.Join(root, "a"), 0o755)
	os.MkdirAll(filepath.Join(root, "b"), 0o755)
	pa := sealFixture(t, filepath.Join(root, "a"), f)
	pb := sealFixture(t, filepath.Join(root, "b"), f)
	srv := httptest.NewServer(http.FileServer(http.Dir(root)))
	t.Cleanup(srv.Close)

	s := newSession(t)
	s.open(t, srv.URL+"/a/")
	s.enter(t, readers[0].Passphrase, true)
	if st := s.state(t); st != "unlocked" {
		t.Fatalf("portal a: state %q", st)
	}
	s.open(t, srv.URL+"/b/")
	s.waitFor(t, "portal b's form", `document.getElementById("cp-pass")`)
	if st := s.state(t); st != "locked" {
		t.Fatalf("portal b opened with portal a's remembered key: state %q", st)
	}
	var keys []string
	s.eval(t, `Object.keys(sessionStorage)`, &keys)
	if len(keys) != 1 || keys[0] != "caseport:identity:"+pa.ID {
		t.Errorf("sessionStorage keys %q, want only caseport:identity:%s", keys, pa.ID)
	}
	if pa.ID == pb.ID || regexp.MustCompile(`^[a-z2-7]{26}$`).FindString(pb.ID) == "" {
		t.Fatalf("manifest ids %q, %q", pa.ID, pb.ID)
	}
	// Back to a: it opens without asking.
	s.Run(t, 30*time.Second, chromedp.Navigate(srv.URL+"/a/"))
	if st := s.state(t); st != "unlocked" {
		t.Errorf("portal a after b: state %q", st)
	}
}
