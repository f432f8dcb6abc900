package unlocktest

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/caseport/caseport/internal/casedir"
	"github.com/caseport/caseport/internal/site"
	"github.com/chromedp/chromedp"
)

// TestExampleCasePortals builds bundled example cases the way a coordinator
// does (load, render, seal), then opens each portal as its doctor would: over
// HTTP on loopback for the folder, from file:// for the single file. The
// rendered sections must appear, an attachment must download byte-identical,
// and nothing may be fetched from outside the machine.
func TestExampleCasePortals(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir()) // the key store, away from the user's
	for _, tt := range []struct {
		name   string
		single bool
		reader string
		glance string // the "At a glance" heading in the case's language
	}{
		{"gastric-2026-041", false, "surgical-oncologist", "At a glance"},
		{"sarcoma-2026-017", true, "doctor", "Кратко"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			caseDir := filepath.Join("..", "..", "cases", tt.name)
			c, err := casedir.Load(caseDir)
			if err != nil {
				t.Fatal(err)
			}
			passphrase := "example-" + tt.name + "-opens-with-this-long-phrase"
			out := filepath.Join(t.TempDir(), "portal")
			if tt.single {
				out += ".html"
			}
			if _, err := site.Build(caseDir, out, site.Options{SingleFile: tt.single,
				Passphrases: map[string]string{tt.reader: passphrase}}); err != nil {
				t.Fatal(err)
			}
			s := newSession(t)
			if tt.single {
				s.open(t, "file://"+out+"#reader="+tt.reader)
			} else {
				s.open(t, serve(t, out).URL+"/#reader="+tt.reader)
			}
			s.enter(t, passphrase, false)
			if st := s.state(t); st != "unlocked" {
				t.Fatalf("state %q after the right passphrase", st)
			}
			s.waitFor(t, "the rendered page", `document.getElementById("glance")`)
			if got := s.text(t, "#glance h2"); got != tt.glance {
				t.Errorf("at-a-glance heading %q, want %q", got, tt.glance)
			}
			var title string
			s.eval(t, `document.title`, &title)
			if title != c.Title {
				t.Errorf("title %q, want the case's %q", title, c.Title)
			}
			for _, id := range []string{"timeline", "imaging", "pathology", "questions", "completeness", "q1"} {
				var found bool
				s.eval(t, `!!document.getElementById("`+id+`")`, &found)
				if !found {
					t.Errorf("section #%s missing from the unlocked page", id)
				}
			}
			// The first attachment link downloads, or opens when it is a PDF:
			// pick one that is not a PDF or image to exercise the download.
			var href string
			s.eval(t, `[...document.querySelectorAll("a[data-attachment]")].map(a => a.getAttribute("data-attachment")).find(n => n.endsWith(".zip")) || ""`, &href)
			if href == "" {
				t.Fatal("no .zip attachment link on the page")
			}
			name, data := s.download(t, `a[data-attachment="`+href+`"]`)
			var source []byte
			for _, a := range c.Attachments {
				if strings.HasSuffix(href, "/"+filepath.Base(a.Path)) {
					if source, err = os.ReadFile(a.Abs); err != nil {
						t.Fatal(err)
					}
				}
			}
			if !bytes.Equal(data, source) || len(source) == 0 {
				t.Errorf("downloaded %s (%d bytes) differs from the case's file (%d bytes)", name, len(data), len(source))
			}
			s.Run(t, 10*time.Second, chromedp.EmulateViewport(360, 780))
			s.Screenshot(t, filepath.Join(t.TempDir(), tt.name+"-unlocked.png"))
			s.noExternalRequests(t)
		})
	}
}
