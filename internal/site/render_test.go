package site

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/caseport/caseport/internal/casedir"
	"github.com/caseport/caseport/internal/seal/sealtest"
)

// TestLeakScanRealRender builds the test case with the real renderer, as a
// folder and as a single file, and searches every output byte for every
// string of the case, of its rendered pages and of its attachments.
func TestLeakScanRealRender(t *testing.T) {
	caseDir, out := setup(t)
	renderCase = defaultRender // setup installed the stand-in
	c, err := casedir.Load(caseDir)
	if err != nil {
		t.Fatal(err)
	}
	tree, err := renderCase(c)
	if err != nil && strings.Contains(err.Error(), "no renderer yet") {
		t.Skip("internal/render has not landed")
	}
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
