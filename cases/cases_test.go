// Package cases_test checks the bundled example cases: each loads without a
// problem, passes check, and still exercises what it was written to show.
package cases_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/caseport/caseport/internal/casedir"
	"github.com/caseport/caseport/internal/checklist"
)

// maxCaseSize keeps the examples small enough to clone and to build in tests.
const maxCaseSize = 300 << 10

// expected lists, per example, the recommended records it deliberately
// leaves missing, so check has something to report.
var expected = map[string][]string{
	"gastric-2026-041": nil,
	"sarcoma-2026-017": {"labs-recent"},
	"crc-2026-088":     {"images-latest"},
}

func load(t *testing.T, name string) *casedir.Case {
	t.Helper()
	c, err := casedir.Load(name)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return c
}

func TestEveryExampleIsListed(t *testing.T) {
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		n++
		if _, ok := expected[e.Name()]; !ok {
			t.Errorf("cases/%s is not listed in cases_test.go", e.Name())
		}
	}
	if n != len(expected) {
		t.Errorf("%d case folders, %d listed", n, len(expected))
	}
}

func TestExamplesPassCheck(t *testing.T) {
	for name, missing := range expected {
		t.Run(name, func(t *testing.T) {
			c := load(t, name)
			if c.ID != name {
				t.Errorf("id %q differs from the folder name", c.ID)
			}
			for _, w := range c.Warnings {
				t.Errorf("warning: %v", w)
			}
			if len(c.Unreferenced) > 0 {
				t.Errorf("files nothing references: %v", c.Unreferenced)
			}
			if on := c.PreparedOn.String(); on < "2026-11-01" || on > "2026-11-20" {
				t.Errorf("prepared_on %s outside 2026-11-01..2026-11-20", on)
			}
			r, err := checklist.Evaluate(c)
			if err != nil {
				t.Fatal(err)
			}
			if !r.Ready() {
				t.Errorf("not ready: %+v", r.ByLevel(checklist.Required))
			}
			var got []string
			for _, it := range r.ByLevel(checklist.Recommended) {
				if it.Status == checklist.Missing {
					got = append(got, it.ID)
				}
			}
			if !slices.Equal(got, missing) {
				t.Errorf("missing recommended records %v, want %v", got, missing)
			}
			if n := c.Questions.Count(); n < 8 || n > 20 {
				t.Errorf("%d questions, want 8 to 20", n)
			}
			if c.Summary == nil || c.Notes == nil {
				t.Error("summary.md or notes.md is missing")
			}
		})
	}
}

// TestAttachmentsAreReal checks each referenced file is what its name says,
// and that each case stays small.
func TestAttachmentsAreReal(t *testing.T) {
	for name := range expected {
		c := load(t, name)
		var total int64
		for _, a := range c.Attachments {
			total += a.Size
			b, err := os.ReadFile(a.Abs)
			if err != nil {
				t.Fatal(err)
			}
			switch filepath.Ext(a.Path) {
			case ".pdf":
				if !bytes.HasPrefix(b, []byte("%PDF-1.")) || !bytes.HasSuffix(b, []byte("%%EOF\n")) {
					t.Errorf("%s/%s is not a complete PDF", name, a.Path)
				}
			case ".zip":
				checkDICOMZip(t, name+"/"+a.Path, b)
			default:
				t.Errorf("%s/%s: unexpected kind of attachment", name, a.Path)
			}
		}
		if total > maxCaseSize {
			t.Errorf("%s: attachments total %d bytes, over %d", name, total, maxCaseSize)
		}
	}
}

func checkDICOMZip(t *testing.T, name string, b []byte) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Errorf("%s: %v", name, err)
		return
	}
	if len(zr.File) < 10 {
		t.Errorf("%s: only %d slices", name, len(zr.File))
	}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		head := make([]byte, 132)
		_, err = io.ReadFull(rc, head)
		rc.Close()
		if err != nil || string(head[128:]) != "DICM" {
			t.Errorf("%s: %s is not a DICOM Part 10 file", name, f.Name)
		}
	}
}

// TestExamplesExercise checks that each case still shows what it was made
// for, so an edit cannot quietly make the examples less useful.
func TestExamplesExercise(t *testing.T) {
	g := load(t, "gastric-2026-041")
	if len(g.Readers) != 2 {
		t.Errorf("gastric: %d readers, want 2", len(g.Readers))
	}
	for _, m := range []string{"CEA", "CA 19-9", "CA 72-4"} {
		if n := markerDates(g, m); n < 4 {
			t.Errorf("gastric: %s at %d dates, want 4 or more", m, n)
		}
	}
	if dated(g) < 15 {
		t.Errorf("gastric: %d dated entries, want 15 or more", dated(g))
	}
	if !slices.ContainsFunc(g.Events, func(e casedir.Event) bool { return e.Kind == "planned" }) {
		t.Error("gastric: no planned event")
	}
	if g.Stage == nil || len(g.Medications) == 0 || len(g.Allergies) == 0 || len(g.Conditions) == 0 ||
		g.History.Family == "" || len(g.Documents) == 0 || len(g.Treatments) == 0 {
		t.Error("gastric: a section is empty")
	}
	if !slices.ContainsFunc(g.Labs, func(l casedir.Lab) bool { return !l.Marker && outOfRange(l) }) {
		t.Error("gastric: no out-of-range lab")
	}

	s := load(t, "sarcoma-2026-017")
	if s.Language != "ru" || len(s.Readers) != 0 {
		t.Errorf("sarcoma: language %q and %d readers, want ru and none", s.Language, len(s.Readers))
	}
	var statuses []string
	for _, p := range s.Pathology {
		if p.Material != nil {
			statuses = append(statuses, p.Material.Status)
			if p.Material.Status == "in-transit" && p.Material.Tracking == "" {
				t.Error("sarcoma: material in transit without tracking")
			}
		}
	}
	for _, want := range []string{"in-transit", "requested"} {
		if !slices.Contains(statuses, want) {
			t.Errorf("sarcoma: no material %s", want)
		}
	}
	if !slices.ContainsFunc(s.Pathology, func(p casedir.Pathology) bool { return p.Kind == "review" }) {
		t.Error("sarcoma: no pathology review entry")
	}

	c := load(t, "crc-2026-088")
	if c.Request.Urgency != "soon" {
		t.Errorf("crc: urgency %q", c.Request.Urgency)
	}
	var cea []float64
	for _, l := range c.Labs {
		if l.Name == "CEA" {
			cea = append(cea, l.Value.Number)
		}
	}
	if len(cea) < 6 || cea[len(cea)-1] <= cea[len(cea)-3] {
		t.Errorf("crc: CEA %v is not a rising series", cea)
	}
	if n := len(c.Treatments); n < 3 {
		t.Errorf("crc: %d treatments", n)
	}
}

func markerDates(c *casedir.Case, name string) int {
	n := 0
	for _, l := range c.Labs {
		if l.Marker && l.Name == name && l.Range != "" {
			n++
		}
	}
	return n
}

// dated counts the case's dated records, the raw material of its timeline.
func dated(c *casedir.Case) int {
	n := 1 + len(c.Biomarkers) + len(c.Imaging) + len(c.Pathology) + len(c.Events) + len(c.Documents)
	for _, t := range c.Treatments {
		n++
		if !t.End.IsZero() {
			n++
		}
	}
	dates := map[string]bool{}
	for _, l := range c.Labs {
		dates[l.Date.String()] = true
	}
	return n + len(dates)
}

// outOfRange reads a "low-high" range and reports whether a numeric lab
// value lies outside it.
func outOfRange(l casedir.Lab) bool {
	lo, hi, ok := strings.Cut(l.Range, "-")
	if !ok || !l.Value.IsNumber {
		return false
	}
	var a, b float64
	if _, err := fmt.Sscan(lo, &a); err != nil {
		return false
	}
	if _, err := fmt.Sscan(hi, &b); err != nil {
		return false
	}
	return l.Value.Number < a || l.Value.Number > b
}
