package site

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/caseport/caseport/internal/casedir"
	"github.com/caseport/caseport/internal/render"
	"github.com/caseport/caseport/internal/seal/sealtest"
)

// TestLeakScanRealRender builds the test case with the real renderer, as a
// folder and as a single file, and searches every output byte for every
// string of the case, of its rendered pages and of its attachments.
func TestLeakScanRealRender(t *testing.T) {
	caseDir, out := setup(t)
	c, err := casedir.Load(caseDir)
	if err != nil {
		t.Fatal(err)
	}
	tree, err := render.Render(c, render.Options{PreviewDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	needles := append(sealtest.Needles(tree), sealtest.CaseNeedles(c)...)
	if len(needles) < 100 {
		t.Errorf("only %d needles", len(needles))
	}
	pass := ""
	for _, single := range []bool{false, true} {
		o := out
		if single {
			o = filepath.Join(filepath.Dir(out), "case.html")
		}
		res := build(t, caseDir, o, Options{SingleFile: single})
		sealtest.LeakScan(t, o, needles)
		if p := res.Readers[0].Passphrase; p != "" {
			pass = p
		}
		opened := open(t, o, "", pass)
		for _, p := range tree.Pages {
			got, err := os.ReadFile(filepath.Join(opened, filepath.FromSlash(p.Name)))
			if err != nil || string(got) != string(p.Data) {
				t.Errorf("page %s differs after build and open (%v)", p.Name, err)
			}
		}
	}
}

// TestExampleCases builds every example case of cases/, as a folder and as
// a single file, searches every output byte for every string of the case,
// its pages and its attachments, and opens the portal as each reader.
func TestExampleCases(t *testing.T) {
	dirs, err := filepath.Glob("../../cases/*/case.toml")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no example cases found: %v", err)
	}
	for _, ct := range dirs {
		src := filepath.Dir(ct)
		t.Run(filepath.Base(src), func(t *testing.T) {
			caseDir, out := setup(t)
			os.RemoveAll(caseDir)
			if err := os.CopyFS(caseDir, os.DirFS(src)); err != nil {
				t.Fatal(err)
			}
			c, err := casedir.Load(caseDir)
			if err != nil {
				t.Fatal(err)
			}
			tree, err := render.Render(c, render.Options{PreviewDir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			needles := append(sealtest.Needles(tree), sealtest.CaseNeedles(c)...)
			// The example's DICOM archive has previews, which the leak scan covers.
			previews := 0
			for _, a := range tree.Attachments {
				if strings.HasPrefix(a.Name, "dicom/") {
					previews++
				}
			}
			if previews == 0 {
				t.Error("no DICOM preview in the portal")
			}
			pass := map[string]string{}
			for _, single := range []bool{false, true} {
				o := out
				if single {
					o = filepath.Join(filepath.Dir(out), "case.html")
				}
				res := build(t, caseDir, o, Options{SingleFile: single, MaxInline: -1})
				sealtest.LeakScan(t, o, needles)
				for _, r := range res.Readers {
					if r.Passphrase != "" {
						pass[r.Name] = r.Passphrase
					}
				}
				for _, r := range res.Readers {
					opened := open(t, o, r.Name, pass[r.Name])
					for _, p := range tree.Pages {
						got, err := os.ReadFile(filepath.Join(opened, filepath.FromSlash(p.Name)))
						if err != nil || string(got) != string(p.Data) {
							t.Errorf("%s: page %s differs after build and open (%v)", r.Name, p.Name, err)
						}
					}
					for _, a := range tree.Attachments {
						got, err := os.ReadFile(filepath.Join(opened, filepath.FromSlash(a.Name)))
						want, _ := os.ReadFile(a.Source)
						if err != nil || string(got) != string(want) {
							t.Errorf("%s: attachment %s differs after build and open (%v)", r.Name, a.Name, err)
						}
					}
				}
			}
		})
	}
}
