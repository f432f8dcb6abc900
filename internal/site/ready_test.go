package site

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBuildRefusesNotReady: a case check calls not ready (a required
// record missing) is refused, naming the record and the way out, and the
// previous portal stays; --allow-incomplete builds it and says so.
func TestBuildRefusesNotReady(t *testing.T) {
	caseDir, out := setup(t)
	build(t, caseDir, out, Options{})
	before := snapshot(t, out)

	p := filepath.Join(caseDir, "questions.md")
	if err := os.WriteFile(p, []byte("# Questions\n\nNone yet.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Build(caseDir, out, Options{WorkFactor: 10})
	if err == nil {
		t.Fatal("a case without questions was built")
	}
	for _, want := range []string{"not ready to build", "The patient's questions", "--allow-incomplete"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error lacks %q: %v", want, err)
		}
	}
	if !sameSnapshot(before, snapshot(t, out)) {
		t.Error("a refused build changed the previous portal")
	}

	res := build(t, caseDir, out, Options{AllowIncomplete: true})
	if r := res.Records; r.RequiredPresent != r.Required-1 || r.Recommended == 0 {
		t.Errorf("records counted %+v; want one required record missing", r)
	}
}
