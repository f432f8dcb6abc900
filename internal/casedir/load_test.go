package casedir

import (
	"crypto/sha256"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

var today = Date{2026, 11, 23}

// newCase copies testdata/valid, the example of the format's own
// documentation, into a temporary folder and applies edits to it.
func newCase(t *testing.T, edits ...func(t *testing.T, dir string)) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "case")
	if err := os.CopyFS(dir, os.DirFS("testdata/valid")); err != nil {
		t.Fatal(err)
	}
	for _, e := range edits {
		e(t, dir)
	}
	return dir
}

// replace edits case.toml, failing if old is not there, so that a test
// cannot silently stop testing what it names.
func replace(old, new string) func(*testing.T, string) {
	return func(t *testing.T, dir string) {
		t.Helper()
		p := filepath.Join(dir, "case.toml")
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), old) {
			t.Fatalf("case.toml does not contain %q", old)
		}
		write(p, strings.Replace(string(b), old, new, 1))
	}
}

func appendTOML(s string) func(*testing.T, string) {
	return func(t *testing.T, dir string) {
		f, err := os.OpenFile(filepath.Join(dir, "case.toml"), os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		f.WriteString("\n" + s + "\n")
	}
}

func writeFile(name, content string) func(*testing.T, string) {
	return func(t *testing.T, dir string) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		write(p, content)
	}
}

func write(p, s string) {
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		panic(err)
	}
}

func load(t *testing.T, dir string) (*Case, []Problem) {
	t.Helper()
	c, err := LoadWith(dir, Options{Today: today})
	if err == nil {
		return c, nil
	}
	var ps *Problems
	if !errors.As(err, &ps) {
		t.Fatalf("Load: %v", err)
	}
	return nil, ps.List
}

// want is a problem a test expects: every non-empty field must match, and
// Message must contain each of the fragments.
type want struct {
	file string
	line int
	key  string
	msg  []string
}

func expect(t *testing.T, problems []Problem, w want) {
	t.Helper()
	for _, p := range problems {
		if (w.file == "" || p.File == w.file) && (w.line == 0 || p.Line == w.line) && (w.key == "" || p.Key == w.key) && containsAll(p.Message, w.msg) {
			return
		}
	}
	t.Errorf("no problem matching %+v; got:\n%s", w, list(problems))
}

func containsAll(s string, frags []string) bool {
	for _, f := range frags {
		if !strings.Contains(s, f) {
			return false
		}
	}
	return true
}

func list(ps []Problem) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString("  " + p.String() + "\n")
	}
	return b.String()
}

func TestValidExampleLoads(t *testing.T) {
	c, problems := load(t, newCase(t))
	if problems != nil {
		t.Fatalf("the format's own example does not load:\n%s", list(problems))
	}
	if c.ID != "gastric-2026-041" || c.Patient.Alias != "Patient A" || c.Diagnosis.Date != (Date{2026, 8, 14}) {
		t.Errorf("decoded wrongly: id %q alias %q diagnosis date %v", c.ID, c.Patient.Alias, c.Diagnosis.Date)
	}
	if got := c.Pathology[0].Material; got == nil || got.Slides != 6 || got.Blocks != 2 || got.Status != "requested" {
		t.Errorf("material = %+v", got)
	}
	if c.Labs[0].Value != (LabValue{Number: 4.1, IsNumber: true}) || !c.Labs[0].Marker {
		t.Errorf("lab = %+v", c.Labs[0])
	}
	if c.Medications[0].Since != (Date{Year: 2026, Month: 8}) {
		t.Errorf("partial date since = %v", c.Medications[0].Since)
	}
	if len(c.Attachments) != 9 {
		t.Errorf("%d attachments, want 9", len(c.Attachments))
	}
	if c.Language != "en" || c.Summary == nil || c.Notes == nil {
		t.Errorf("language %q summary %v notes %v", c.Language, c.Summary != nil, c.Notes != nil)
	}
}

func TestAllProblemsAreReportedAtOnce(t *testing.T) {
	_, problems := load(t, newCase(t,
		replace(`name = "HER2"`, `nme = "HER2"`),
		replace(`kind = "biopsy"`, `kind = "Biopsy"`),
		replace(`cycles = 4`, `cycles = "4"`),
	))
	if len(problems) < 4 { // nme unknown, name missing, kind, cycles
		t.Fatalf("want at least 4 problems, got:\n%s", list(problems))
	}
}

func TestRules(t *testing.T) {
	tests := []struct {
		name  string
		edits []func(*testing.T, string)
		want  want
	}{
		{"syntax: broken quote", []func(*testing.T, string){replace(`title = "Gastric`, `title = Gastric`)},
			want{file: "case.toml", line: 3, msg: []string{"TOML syntax"}}},
		{"syntax: unterminated string", []func(*testing.T, string){replace(`site = "Gastric antrum"`, `site = "Gastric antrum`)},
			want{file: "case.toml", line: 28, key: "diagnosis.site", msg: []string{"TOML syntax"}}},
		{"unknown key with suggestion", []func(*testing.T, string){replace(`result = "IHC 3+"`, `reslt = "IHC 3+"`)},
			want{file: "case.toml", line: 47, key: "biomarkers[1].reslt", msg: []string{"unknown key", `did you mean "result"`}}},
		{"unknown table with suggestion", []func(*testing.T, string){replace(`[[biomarkers]]`, `[[biomarker]]`)},
			want{key: "biomarker", msg: []string{`did you mean "biomarkers"`}}},
		{"unknown nested key", []func(*testing.T, string){replace(`status = "requested"`, `stauts = "requested"`)},
			want{line: 72, key: "pathology[1].material.stauts", msg: []string{`did you mean "status"`}}},
		{"unknown key without a near one lists the keys", []func(*testing.T, string){appendTOML("[history]\nfavourite_colour = \"blue\"")},
			want{msg: []string{"TOML syntax"}}}, // [history] defined twice
		{"enumeration: wrong value", []func(*testing.T, string){replace(`status = "requested"`, `status = "requsted"`)},
			want{key: "pathology[1].material.status", msg: []string{`"requsted" is not allowed`, "at-lab, requested", `did you mean "requested"`}}},
		{"enumeration: wrong case", []func(*testing.T, string){replace(`kind = "biopsy"`, `kind = "Biopsy"`)},
			want{key: "pathology[1].kind", msg: []string{`must be written "biopsy"`}}},
		{"enumeration: modality", []func(*testing.T, string){replace(`modality = "CT"`, `modality = "CAT"`)},
			want{key: "imaging[1].modality", msg: []string{"PET-CT"}}},
		{"required key missing", []func(*testing.T, string){replace(`name = "Adenocarcinoma of the stomach, intestinal type"`, ``)},
			want{key: "diagnosis.name", msg: []string{"missing", "[diagnosis]"}}},
		{"required date missing", []func(*testing.T, string){replace("date = 2026-08-14                        # required: date of diagnosis", ``)},
			want{key: "diagnosis.date", msg: []string{"missing"}}},
		{"required key blank", []func(*testing.T, string){replace(`alias = "Patient A"`, `alias = " "`)},
			want{key: "patient.alias", msg: []string{"must not be empty"}}},
		{"required table missing", []func(*testing.T, string){replace(`[plan]`, `[plan_old]`)},
			want{key: "plan", msg: []string{"the case needs a [plan] table"}}},
		{"required array entry key", []func(*testing.T, string){replace(`title = "Discharge summary, City Hospital"`, ``)},
			want{key: "documents[1].title", msg: []string{"[[documents]] number 1"}}},
		{"type: text for a number", []func(*testing.T, string){replace(`cycles = 4`, `cycles = "4"`)},
			want{key: "treatments[1].cycles", msg: []string{"whole number", `"4"`}}},
		{"type: number for text", []func(*testing.T, string){replace(`grade = "G2"`, `grade = 2`)},
			want{key: "diagnosis.grade", msg: []string{"expected text in quotes", "the number 2"}}},
		{"type: table instead of list", []func(*testing.T, string){replace(`[[allergies]]`, `[allergies]`)},
			want{key: "allergies", msg: []string{"double brackets"}}},
		{"marker: decimal comma", []func(*testing.T, string){replace(`value = 4.1 `, `value = "4,1" `)},
			want{line: 98, key: "labs[1].value", msg: []string{`"4,1" is not a number`, "write 4.1"}}},
		{"marker: bound with a decimal comma", []func(*testing.T, string){replace(`value = 4.1 `, `value = "<0,5" `)},
			want{key: "labs[1].value", msg: []string{"decimal comma", `write "<0.5"`}}},
		{"marker: number with its unit", []func(*testing.T, string){replace(`value = 4.1 `, `value = "4.1 ng/mL" `)},
			want{key: "labs[1].value", msg: []string{"value = 4.1", `unit = "ng/mL"`}}},
		{"marker: text", []func(*testing.T, string){replace(`value = 4.1 `, `value = "see report" `)},
			want{key: "labs[1].value", msg: []string{`"see report" is not a number`, "marker = false"}}},
		{"type: boolean", []func(*testing.T, string){replace(`marker = true`, `marker = "yes"`)},
			want{key: "labs[1].marker", msg: []string{"true or false"}}},
		{"type: list", []func(*testing.T, string){replace(`languages = ["ru", "en"]`, `languages = "ru"`)},
			want{key: "patient.languages", msg: []string{"expected a list"}}},
		{"number out of range", []func(*testing.T, string){replace(`height_cm = 164`, `height_cm = -164`)},
			want{key: "patient.height_cm", msg: []string{"out of range"}}},
		{"integer out of range", []func(*testing.T, string){replace(`slides = 6`, `slides = -6`)},
			want{key: "pathology[1].material.slides", msg: []string{"out of range"}}},
		{"date: malformed string", []func(*testing.T, string){replace(`since = "2026-08"`, `since = "08/2026"`)},
			want{key: "medications[1].since", msg: []string{"partial date"}}},
		{"date: not a calendar date", []func(*testing.T, string){replace(`since = "2026-08"`, `since = "2026-13"`)},
			want{key: "medications[1].since", msg: []string{"not a calendar date"}}},
		{"date: with a time", []func(*testing.T, string){replace(`start = 2026-09-10`, `start = 2026-09-10T08:00:00`)},
			want{key: "treatments[1].start", msg: []string{"without a time"}}},
		{"date: in the future", []func(*testing.T, string){replace(`date = 2026-08-14                        # required: date of diagnosis`, `date = 2027-08-14`)},
			want{key: "diagnosis.date", msg: []string{"in the future", "today is 2026-11-23"}}},
		{"date: partial in the future", []func(*testing.T, string){replace(`since = "2019"`, `since = "2027"`)},
			want{key: "conditions[1].since", msg: []string{"in the future"}}},
		{"date: future event that is not planned", []func(*testing.T, string){replace(`date = 2026-07-20`, `date = 2026-12-20`)},
			want{key: "events[1].date", msg: []string{"in the future"}}},
		{"date: prepared_on partial", []func(*testing.T, string){replace(`prepared_on = 2026-11-20`, `prepared_on = "2026-11"`)},
			want{key: "prepared_on", msg: []string{"full date"}}},
		{"date: before 1900", []func(*testing.T, string){replace(`since = "2019"`, `since = "1019"`)},
			want{key: "conditions[1].since", msg: []string{"before 1900"}}},
		{"treatment ends before it starts", []func(*testing.T, string){replace(`end = 2026-10-22`, `end = 2026-08-22`)},
			want{key: "treatments[1].end", msg: []string{"before the start"}}},
		{"birth year and date disagree", []func(*testing.T, string){replace(`birth_year = 1967`, "birth_year = 1967\nbirth_date = 1968-03-02")},
			want{key: "patient.birth_year", msg: []string{"does not match"}}},
		{"lab value missing", []func(*testing.T, string){replace(`value = 4.1`, ``)},
			want{key: "labs[1].value", msg: []string{"missing"}}},
		{"format version", []func(*testing.T, string){replace(`format = 1`, `format = 2`)},
			want{key: "format", msg: []string{"reads case format 1"}}},
		{"format missing", []func(*testing.T, string){replace(`format = 1`, ``)},
			want{key: "format", msg: []string{"missing"}}},
		{"id pattern", []func(*testing.T, string){replace(`id = "gastric-2026-041"`, `id = "Gastric 2026"`)},
			want{key: "id", msg: []string{"lower-case"}}},
		{"language", []func(*testing.T, string){replace(`language = "en"`, `language = "english!"`)},
			want{key: "language", msg: []string{"language code"}}},
		{"theme name", []func(*testing.T, string){appendTOML("")}, want{}}, // placeholder replaced below
		{"viewer link must be a web address", []func(*testing.T, string){replace(`link = "https://viewer.example.org/share/abc"`, `link = "viewer.example.org/abc"`)},
			want{key: "imaging[1].link", msg: []string{"https://"}}},
		{"file: absolute path", []func(*testing.T, string){replace(`report = "pathology/biopsy-2026-08-14.pdf"`, `report = "/home/coordinator/biopsy.pdf"`)},
			want{key: "pathology[1].report", msg: []string{"absolute path"}}},
		{"file: leaves the folder", []func(*testing.T, string){replace(`report = "pathology/biopsy-2026-08-14.pdf"`, `report = "../other/biopsy.pdf"`)},
			want{key: "pathology[1].report", msg: []string{"leaves the case folder"}}},
		{"file: backslashes", []func(*testing.T, string){replace(`report = "pathology/biopsy-2026-08-14.pdf"`, `report = 'pathology\biopsy-2026-08-14.pdf'`)},
			want{key: "pathology[1].report", msg: []string{"with / between folders"}}},
		{"file: not found, with a suggestion", []func(*testing.T, string){replace(`report = "pathology/biopsy-2026-08-14.pdf"`, `report = "pathology/biopsy-2026-08-41.pdf"`)},
			want{line: 66, key: "pathology[1].report", msg: []string{"not found", `did you mean "pathology/biopsy-2026-08-14.pdf"`}}},
		{"file: in another folder", []func(*testing.T, string){replace(`report = "pathology/biopsy-2026-08-14.pdf"`, `report = "documents/biopsy-2026-08-14.pdf"`)},
			want{key: "pathology[1].report", msg: []string{`did you mean "pathology/biopsy-2026-08-14.pdf"`}}},
		{"file: one of the case's own files", []func(*testing.T, string){replace(`file = "documents/discharge-2026-08-16.pdf"`, `file = "notes.md"`)},
			want{key: "documents[1].file", msg: []string{"not an attachment"}}},
		{"file: a folder", []func(*testing.T, string){replace(`report = "pathology/biopsy-2026-08-14.pdf"`, `report = "pathology"`)},
			want{key: "pathology[1].report", msg: []string{"a folder, not a file"}}},
		{"file: link out of the folder", []func(*testing.T, string){
			func(t *testing.T, dir string) {
				outside := filepath.Join(filepath.Dir(dir), "secret.pdf")
				write(outside, "outside")
				if err := os.Symlink(outside, filepath.Join(dir, "pathology", "linked.pdf")); err != nil {
					t.Skip("no symlinks here:", err)
				}
			},
			replace(`report = "pathology/biopsy-2026-08-14.pdf"`, `report = "pathology/linked.pdf"`)},
			want{key: "pathology[1].report", msg: []string{"link to a file outside"}}},
		{"readers: duplicate names", []func(*testing.T, string){appendTOML("[[readers]]\nname = \"reviewing-oncologist\"")},
			want{key: "readers[2].name", msg: []string{"already the name of another reader"}}},
		{"readers: name pattern", []func(*testing.T, string){replace(`name = "reviewing-oncologist"`, `name = "Dr Smith"`)},
			want{key: "readers[1].name", msg: []string{"lower-case"}}},
		{"readers: recipient", []func(*testing.T, string){replace(`name = "reviewing-oncologist"`, "name = \"r\"\nrecipient = \"ssh-ed25519 AAAA\"")},
			want{key: "readers[1].recipient", msg: []string{"not an age public key"}}},
		{"case.toml not UTF-8", []func(*testing.T, string){replace(`Early satiety`, "Early sat\xe9ty")},
			want{file: "case.toml", line: 119, msg: []string{"not UTF-8"}}},
		{"case.toml too large", []func(*testing.T, string){appendTOML("# " + strings.Repeat("x", maxTextSize))},
			want{file: "case.toml", msg: []string{"larger than 1024 KiB"}}},
		{"case.toml missing", []func(*testing.T, string){func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, "case.toml")) }},
			want{msg: []string{"needs a case.toml"}}},
		{"questions.md missing", []func(*testing.T, string){func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, "questions.md")) }},
			want{msg: []string{"needs a questions.md"}}},
		{"questions.md empty", []func(*testing.T, string){writeFile("questions.md", "  \n\n")},
			want{file: "questions.md", msg: []string{"is empty"}}},
		{"questions.md not UTF-8", []func(*testing.T, string){writeFile("questions.md", "- one\n- tw\xff\n")},
			want{file: "questions.md", line: 2, msg: []string{"not UTF-8"}}},
		{"markdown: javascript link", []func(*testing.T, string){writeFile("questions.md", "- first\n- see [this](javascript:alert(1))\n")},
			want{file: "questions.md", line: 2, msg: []string{"links may only be http"}}},
		{"markdown: link to an unreferenced file", []func(*testing.T, string){writeFile("documents/extra.pdf", "x"), writeFile("summary.md", "See [the letter](documents/extra.pdf).\n")},
			want{file: "summary.md", line: 1, msg: []string{"not referenced in case.toml"}}},
		{"markdown: link to a missing file", []func(*testing.T, string){writeFile("notes.md", "Text.\n\nSee [x](documents/nothing.pdf).\n")},
			want{file: "notes.md", line: 3, msg: []string{"no such file"}}},
	}
	for _, tt := range tests {
		if tt.name == "theme name" {
			tt.edits = []func(*testing.T, string){replace(`language = "en"`, "language = \"en\"\ntheme = \"My Theme\"")}
			tt.want = want{key: "theme", msg: []string{"folder name under themes/"}}
		}
		if tt.name == "unknown key without a near one lists the keys" {
			tt.edits = []func(*testing.T, string){replace(`social = "Non-smoker."`, "social = \"Non-smoker.\"\nfavourite_colour = \"blue\"")}
			tt.want = want{key: "history.favourite_colour", msg: []string{"unknown key", "family, social, symptoms"}}
		}
		t.Run(tt.name, func(t *testing.T) {
			_, problems := load(t, newCase(t, tt.edits...))
			if problems == nil {
				t.Fatal("loaded without problems")
			}
			expect(t, problems, tt.want)
		})
	}
}

func TestFutureDatesWhereAllowed(t *testing.T) {
	c, problems := load(t, newCase(t,
		replace(`reply_by = 2026-12-05`, `reply_by = 2027-01-05`),
		replace(`next_step_date = 2026-12-10`, `next_step_date = 2027-01-10`),
		replace(`date = 2026-07-20`, `date = 2027-02-01`),
		replace(`kind = "symptom"`, `kind = "planned"`),
	))
	if problems != nil {
		t.Fatalf("future dates allowed by the format were refused:\n%s", list(problems))
	}
	if c.Events[0].Date != (Date{2027, 2, 1}) {
		t.Errorf("event date %v", c.Events[0].Date)
	}
}

func TestLenientForms(t *testing.T) {
	c, problems := load(t, newCase(t,
		replace(`value = 4.1`, `value = "<0.5"`),
		replace(`since = "2019"`, `since = "2019-04-02"`),
		replace(`height_cm = 164`, `height_cm = 164.5`),
		replace(`report = "pathology/biopsy-2026-08-14.pdf"`, `report = "./pathology/biopsy-2026-08-14.pdf"`),
	))
	if problems != nil {
		t.Fatalf("valid forms refused:\n%s", list(problems))
	}
	if c.Labs[0].Value.IsNumber || c.Labs[0].Value.Text != "<0.5" {
		t.Errorf("text lab value = %+v", c.Labs[0].Value)
	}
	if c.Conditions[0].Since != (Date{2019, 4, 2}) || c.Patient.HeightCM != 164.5 {
		t.Errorf("since %v height %v", c.Conditions[0].Since, c.Patient.HeightCM)
	}
	if c.Pathology[0].Report.Path != "pathology/biopsy-2026-08-14.pdf" {
		t.Errorf("path not cleaned: %q", c.Pathology[0].Report.Path)
	}
}

func TestSharedAttachmentIsOne(t *testing.T) {
	c, problems := load(t, newCase(t, replace(`document = "pathology/ihc-2026-08-20.pdf"`, `document = "pathology/biopsy-2026-08-14.pdf"`)))
	if problems != nil {
		t.Fatal(list(problems))
	}
	a := c.Pathology[0].Report
	if c.Biomarkers[0].Document != a || len(a.RefBy) != 2 {
		t.Fatalf("same file not shared: %+v", a)
	}
	for _, f := range c.Unreferenced {
		if f == "pathology/ihc-2026-08-20.pdf" {
			return
		}
	}
	t.Errorf("the no longer referenced file is not reported: %v", c.Unreferenced)
}

func TestUnreferencedFiles(t *testing.T) {
	c, problems := load(t, newCase(t, writeFile("imaging/stray.jpg", "x"), writeFile(".DS_Store", "x"), writeFile(".git/config", "x"), writeFile("draft.txt~", "x")))
	if problems != nil {
		t.Fatal(list(problems))
	}
	if len(c.Unreferenced) != 1 || c.Unreferenced[0] != "imaging/stray.jpg" {
		t.Errorf("unreferenced = %v, want [imaging/stray.jpg]", c.Unreferenced)
	}
}

func TestQuestionsNumberedAcrossGroups(t *testing.T) {
	c, problems := load(t, newCase(t))
	if problems != nil {
		t.Fatal(list(problems))
	}
	q := c.Questions
	if q.Count() != 4 {
		t.Fatalf("count = %d, want 4", q.Count())
	}
	// "# Questions" opens an empty group; the two topics follow.
	var got []string
	for _, g := range q.Groups {
		for _, it := range g.Items {
			got = append(got, g.Heading+"|"+strconv.Itoa(it.Number)+"|"+it.Text)
		}
	}
	want := []string{
		"Diagnosis and stage|1|Is the stage complete without a staging laparoscopy?",
		"Diagnosis and stage|2|Is HER2 IHC 3+ on a biopsy reliable enough to add trastuzumab?",
		"The proposed treatment|3|Should surgery come first?",
		"The proposed treatment|4|How many more cycles after surgery?",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("questions:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestRawHTMLIsAWarning(t *testing.T) {
	c, problems := load(t, newCase(t, writeFile("summary.md", "Text.\n\n<div>raw</div>\n")))
	if problems != nil {
		t.Fatal(list(problems))
	}
	expect(t, c.Warnings, want{file: "summary.md", line: 3, msg: []string{"raw HTML"}})
}

func TestNotAFolder(t *testing.T) {
	dir := newCase(t)
	if _, err := Load(filepath.Join(dir, "case.toml")); err == nil || !strings.Contains(err.Error(), "not a folder") {
		t.Errorf("err = %v", err)
	}
	if _, err := Load(filepath.Join(dir, "nope")); err == nil || !strings.Contains(err.Error(), "caseport new") {
		t.Errorf("err = %v", err)
	}
}

// TestLoadNeverWrites compares every file's bytes, mode and time before and
// after a load, for a valid case and for a broken one.
func TestLoadNeverWrites(t *testing.T) {
	for _, dir := range []string{newCase(t), newCase(t, replace(`format = 1`, `format = "x"`))} {
		before := snapshot(t, dir)
		load(t, dir)
		if after := snapshot(t, dir); after != before {
			t.Errorf("the case folder changed during Load:\nbefore %s\nafter  %s", before, after)
		}
	}
}

func snapshot(t *testing.T, dir string) string {
	h := sha256.New()
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		info, _ := d.Info()
		b, _ := os.ReadFile(p)
		h.Write([]byte(p + info.Mode().String() + info.ModTime().String()))
		h.Write(b)
		return nil
	})
	return string(h.Sum(nil))
}

// A syntax error hides which files case.toml references, so it must be the
// only problem reported, not followed by false "not referenced" link errors.
func TestSyntaxErrorAlone(t *testing.T) {
	_, problems := load(t, newCase(t, replace(`title = "Gastric`, `title = Gastric`)))
	if len(problems) != 1 {
		t.Fatalf("want only the syntax error, got:\n%s", list(problems))
	}
}

func TestSyntaxErrorKeyHasIndex(t *testing.T) {
	_, problems := load(t, newCase(t, appendTOML("[[treatments]]\nkind = \"surgery\"\nname = \"x\"\nstart = 2026-02-30")))
	expect(t, problems, want{key: "treatments[2].start", msg: []string{"TOML syntax"}})
}
