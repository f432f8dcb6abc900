package render

import (
	"errors"
	stdhtml "html"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/caseport/caseport/content"
	"github.com/caseport/caseport/internal/casedir"
	"github.com/caseport/caseport/internal/checklist"
	"github.com/caseport/caseport/internal/portal"
	"github.com/caseport/caseport/internal/source"
	"github.com/caseport/caseport/templates"
	"github.com/yuin/goldmark/text"
)

func d(y, m, day int) casedir.Date { return casedir.Date{Year: y, Month: m, Day: day} }

func en(t *testing.T) *uiStrings {
	t.Helper()
	s, err := loadStrings("en")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func parseMD(src string) *casedir.Markdown {
	b := []byte(src)
	return &casedir.Markdown{Path: "x.md", Source: b, Doc: casedir.Parser().Parser().Parse(text.NewReader(b))}
}

func TestTimelineOrder(t *testing.T) {
	c := &casedir.Case{
		PreparedOn: d(2026, 11, 20),
		Diagnosis:  casedir.Diagnosis{Name: "Dx", Date: d(2026, 8, 14)},
		Stage:      &casedir.Stage{T: "cT3", Date: d(2026, 8, 30)},
		Imaging:    []casedir.Imaging{{Date: d(2026, 8, 1), Modality: "CT"}, {Date: d(2026, 10, 28), Modality: "CT"}},
		Treatments: []casedir.Treatment{{Name: "FLOT", Start: d(2026, 9, 10), End: d(2026, 10, 22)}, {Name: "Letrozole", Start: casedir.Date{Year: 2026, Month: 10}}},
		Plan:       casedir.Plan{Summary: "Surgery", Date: d(2026, 10, 30), NextStep: "Gastrectomy", NextStepDate: d(2026, 12, 10)},
		Labs: []casedir.Lab{
			{Date: d(2026, 10, 28), Name: "CEA", Marker: true},
			{Date: d(2026, 10, 28), Name: "Hb"},
		},
		Events: []casedir.Event{
			{Date: casedir.Date{Year: 2026, Month: 7}, Kind: "symptom", Title: "Pain"},
			{Date: casedir.Date{Year: 2026}, Kind: "other", Title: "Sometime in 2026"},
			{Date: d(2027, 1, 15), Kind: "planned", Title: "Follow-up"},
		},
	}
	got, err := Timeline(c)
	if err != nil {
		t.Fatal(err)
	}
	var titles []string
	for _, e := range got {
		titles = append(titles, e.Date.String()+" "+e.Title)
	}
	want := []string{
		"2026 Sometime in 2026", // a year starts on 1 January
		"2026-07 Pain",
		"2026-08-01 CT",
		"2026-08-14 Dx",
		"2026-08-30 cT3",
		"2026-09-10 Started FLOT",
		"2026-10 Started Letrozole",
		"2026-10-22 Finished FLOT",
		"2026-10-28 CT",
		"2026-10-28 CEA, Hb",
		"2026-10-30 Surgery",
		"2026-12-10 Gastrectomy",
		"2027-01-15 Follow-up",
	}
	if strings.Join(titles, "\n") != strings.Join(want, "\n") {
		t.Fatalf("timeline order:\n%s\nwant:\n%s", strings.Join(titles, "\n"), strings.Join(want, "\n"))
	}
	for _, e := range got {
		planned := e.Title == "Gastrectomy" || e.Title == "Follow-up"
		if e.Planned != planned {
			t.Errorf("%q planned = %v, want %v", e.Title, e.Planned, planned)
		}
		if e.Anchor == "" || !strings.HasPrefix(e.Anchor, "#") {
			t.Errorf("%q has no in-page anchor: %q", e.Title, e.Anchor)
		}
	}
	if got[4].Anchor != "#stage" || got[2].Anchor != "#imaging-1" || got[8].Anchor != "#imaging-2" || got[5].Anchor != "#treatment-1" {
		t.Errorf("anchors: %s %s %s %s", got[4].Anchor, got[2].Anchor, got[8].Anchor, got[5].Anchor)
	}
	// Equal dates keep the format's order: a full date before a partial one
	// that starts on the same day.
	if got[6].Date.Compare(got[5].Date) < 0 {
		t.Error("a partial date sorted before the full date it follows")
	}

	svg := string(timelineSVG(c, en(t), got))
	if n := strings.Count(svg, `<rect class="tl-bar`); n != 2 {
		t.Errorf("%d treatment bars, want 2", n)
	}
	if n := strings.Count(svg, "tl-planned"); n != 2 {
		t.Errorf("%d planned points, want 2", n)
	}
	if strings.Contains(svg, "style=") {
		t.Error("timeline SVG uses a style attribute")
	}
}

func TestTimelineEmpty(t *testing.T) {
	if svg := timelineSVG(&casedir.Case{}, en(t), nil); svg != "" {
		t.Errorf("an empty timeline draws %q", svg)
	}
}

func TestParseRange(t *testing.T) {
	for _, tc := range []struct {
		in string
		r  Range
		ok bool
	}{
		{"0-5", Range{0, 5, true, true}, true},
		{"3.5–5.0", Range{3.5, 5, true, true}, true},
		{"3,5 - 5,0 mmol/L", Range{3.5, 5, true, true}, true},
		{"<5", Range{High: 5, HasHigh: true}, true},
		{"< 35 U/mL", Range{High: 35, HasHigh: true}, true},
		{"≤ 0.1", Range{High: 0.1, HasHigh: true}, true},
		{">1.2", Range{Low: 1.2, HasLow: true}, true},
		{"negative", Range{}, false},
		{"5-1", Range{}, false},
		{"", Range{}, false},
	} {
		r, ok := ParseRange(tc.in)
		if ok != tc.ok || r != tc.r {
			t.Errorf("ParseRange(%q) = %+v, %v; want %+v, %v", tc.in, r, ok, tc.r, tc.ok)
		}
	}
}

func TestFlag(t *testing.T) {
	num := func(f float64) casedir.LabValue { return casedir.LabValue{Number: f, IsNumber: true} }
	txt := func(s string) casedir.LabValue { return casedir.LabValue{Text: s} }
	for _, tc := range []struct {
		v     casedir.LabValue
		rng   string
		want  string
		label string
	}{
		{num(4.1), "0-5", "", "inside"},
		{num(5), "0-5", "", "at the upper limit"},
		{num(5.1), "0-5", "high", "above"},
		{num(11.2), "13.0–17.0", "low", "below"},
		{num(40), "<35", "high", "above a bound"},
		{num(1.0), ">1.2", "low", "below a lower bound"},
		{txt("<0.5"), "0-5", "", "text inside"},
		{txt(">1000"), "0-35", "high", "text surely above"},
		{txt("<1"), "2-5", "low", "text surely below"},
		{num(99), "see report", "", "unreadable range"},
	} {
		if got := Flag(tc.v, tc.rng); got != tc.want {
			t.Errorf("%s: Flag(%+v, %q) = %q, want %q", tc.label, tc.v, tc.rng, got, tc.want)
		}
	}
}

func TestMarkerChart(t *testing.T) {
	labs := []casedir.Lab{
		{Date: d(2026, 10, 28), Name: "CEA", Value: casedir.LabValue{Number: 4.1, IsNumber: true}, Unit: "ng/mL", Range: "0-5", Marker: true},
		{Date: d(2026, 8, 1), Name: "CEA", Value: casedir.LabValue{Number: 12.5, IsNumber: true}, Unit: "ng/mL", Range: "0-5", Marker: true},
		{Date: d(2026, 9, 15), Name: "cea", Value: casedir.LabValue{Text: "<0.5"}, Unit: "ng/mL", Range: "0-5", Marker: true},
		{Date: d(2026, 8, 1), Name: "CA 19-9", Value: casedir.LabValue{Number: 20, IsNumber: true}, Range: "<37", Marker: true},
		{Date: d(2026, 8, 1), Name: "Hb", Value: casedir.LabValue{Number: 12, IsNumber: true}},
	}
	charts := markerCharts(labs, nil, en(t))
	if len(charts) != 2 || charts[0].Name != "CEA" || charts[1].Name != "CA 19-9" {
		t.Fatalf("charts: %+v", charts)
	}
	cea := charts[0]
	if len(cea.Points) != 3 || cea.Points[0].Date != d(2026, 8, 1) || cea.Points[2].Date != d(2026, 10, 28) {
		t.Fatalf("CEA points not in date order: %+v", cea.Points)
	}
	svg := string(cea.SVG)
	for _, want := range []string{`class="mk-range"`, `class="mk-line"`, "12.5", "&lt;0.5", "4.1", "ng/mL", `role="img"`, "<title"} {
		if !strings.Contains(svg, want) {
			t.Errorf("CEA chart lacks %q", want)
		}
	}
	if n := strings.Count(svg, `<circle class="mk-point`); n != 3 {
		t.Errorf("CEA chart has %d points, want 3", n)
	}
	if n := strings.Count(svg, "mk-out"); n != 1 {
		t.Errorf("CEA chart marks %d points out of range, want 1 (12.5)", n)
	}
	if n := strings.Count(svg, "mk-bound"); n != 1 {
		t.Errorf("CEA chart draws %d values as bounds, want 1 (<0.5)", n)
	}
	// The range band lies between y(0) and y(5): below the 12.5 point.
	band := regexp.MustCompile(`class="mk-range" x="[0-9.]+" y="([0-9.]+)"`).FindStringSubmatch(svg)
	high := regexp.MustCompile(`class="mk-point mk-out" cx="[0-9.]+" cy="([0-9.]+)"`).FindStringSubmatch(svg)
	if band == nil || high == nil || !(atof(t, high[1]) < atof(t, band[1])) {
		t.Errorf("the out-of-range point (%v) is not drawn above the band (%v)", high, band)
	}
	if rows := labRows(labs, en(t)); len(rows) != 1 || rows[0].Name != "Hb" {
		t.Errorf("lab table rows %+v, want Hb only (markers are charted)", rows)
	}
	if strings.Contains(svg, "style=") {
		t.Error("marker chart uses a style attribute")
	}
}

// TestMarkdownLinks renders Markdown that the loader would reject, since the
// renderer must be safe on its own.
func TestMarkdownLinks(t *testing.T) {
	files := map[string]*fileRef{
		"pathology/biopsy.pdf": {Name: "files/2/biopsy.pdf", Href: "files/2/biopsy.pdf", Base: "biopsy.pdf"},
		"img/a b.png":          {Name: "files/3/a b.png", Href: "files/3/a%20b.png", Base: "a b.png", IsImage: true},
	}
	m := newMarkdown(files)
	src := "# Title\n\n" +
		"[bad](javascript:alert(1)) [data](data:text/html,x) [vb](vbscript:x) [file](file:///etc/passwd)\n" +
		"[ok](https://example.org/a?b=1) [mail](mailto:a@example.org) [q](#q3)\n" +
		"[report](pathology/biopsy.pdf) [dots](./pathology/../pathology/biopsy.pdf) [missing](pathology/other.pdf) [up](../x.pdf) [abs](/etc/passwd) [proto](//evil.example/x)\n" +
		"<script>alert('x')</script> <b onclick=\"x\">bold</b>\n\n" +
		"<div>block html</div>\n\n" +
		"![photo](img/a%20b.png) ![remote](https://example.org/x.png) <https://example.org/auto> <javascript:alert(2)> <a@example.org>\n\n" +
		"| A | B |\n|:--|--:|\n| 1 | 2 |\n\n# Second\n"
	out := string(m.Doc(parseMD(src), 3))
	lower := strings.ToLower(out)
	// A refused link keeps its text; no attribute may carry its target.
	attrs := strings.Join(regexp.MustCompile(`(?:href|src)="[^"]*"`).FindAllString(lower, -1), " ")
	for _, bad := range []string{"javascript:", "data:", "vbscript:", "file:", "/etc/passwd", "evil.example", "other.pdf", "../x.pdf"} {
		if strings.Contains(attrs, bad) {
			t.Errorf("a link or image points to %q: %s", bad, attrs)
		}
	}
	for _, bad := range []string{"<script", "onclick", "<div>", "<b>", "/etc/passwd\"", "evil.example", "other.pdf\"", "../x.pdf", "style="} {
		if strings.Contains(lower, bad) {
			t.Errorf("output contains %q:\n%s", bad, out)
		}
	}
	for _, want := range []string{
		`<a href="https://example.org/a?b=1">ok</a>`,
		`<a href="mailto:a@example.org">mail</a>`,
		`<a href="#q3">q</a>`,
		`<a href="files/2/biopsy.pdf" data-attachment="files/2/biopsy.pdf">report</a>`,
		`<a href="files/2/biopsy.pdf" data-attachment="files/2/biopsy.pdf">dots</a>`,
		`<img src="files/3/a%20b.png" data-attachment="files/3/a b.png" alt="photo"`,
		`<a href="https://example.org/x.png">remote</a>`,
		`<a href="https://example.org/auto">https://example.org/auto</a>`,
		`<a href="mailto:a@example.org">a@example.org</a>`,
		`<h3>Title</h3>`,
		`<th scope="col">A</th>`, `<div class="table-wrap" tabindex="0" role="region" aria-label="Table">`,
		"bad", "missing", "up",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestHeadingShift(t *testing.T) {
	m := newMarkdown(nil)
	out := string(m.Doc(parseMD("## Two\n\n### Three\n"), 3))
	if !strings.Contains(out, "<h3>Two</h3>") || !strings.Contains(out, "<h4>Three</h4>") {
		t.Errorf("headings not shifted so the top one is h3: %s", out)
	}
	// A file's title is dropped: the section heading stands in for it.
	out = string(m.Doc(parseMD("# Summary\n\nText.\n\n## Detail\n\nMore.\n"), 3))
	if strings.Contains(out, "Summary") || !strings.Contains(out, "<h3>Detail</h3>") {
		t.Errorf("the title was kept or the rest not shifted: %s", out)
	}
	// Two top-level headings are topics, not a title.
	out = string(m.Doc(parseMD("# One\n\nA.\n\n# Two\n\nB.\n"), 3))
	if !strings.Contains(out, "<h3>One</h3>") || !strings.Contains(out, "<h3>Two</h3>") {
		t.Errorf("a topic heading was dropped: %s", out)
	}
}

func TestQuestionNumbering(t *testing.T) {
	c := loadCase(t, "testdata/cases/full")
	html := index(t, renderCase(t, c))
	if n := c.Questions.Count(); n != 5 {
		t.Fatalf("the test case has %d questions, want 5", n)
	}
	for i := 1; i <= 5; i++ {
		id := `<li id="q` + itoa(i) + `"><span class="qnum">Q` + itoa(i) + `</span>`
		if strings.Count(html, id) != 1 {
			t.Errorf("question %d is not numbered once as Q%d", i, i)
		}
	}
	if strings.Contains(html, `id="q6"`) {
		t.Error("a nested list item or the introduction was numbered")
	}
	q := html[strings.Index(html, `<section id="questions"`):]
	q = q[:strings.Index(q, "</section>")]
	// Numbered across headings, in file order.
	order := []string{"These are the patient", "<h3>Diagnosis and stage</h3>", `id="q1"`, `id="q2"`, "<h3>The proposed treatment</h3>", `id="q3"`, `id="q4"`, "lower steroid dose", "<h3>Travel and logistics</h3>", `id="q5"`}
	last := -1
	for _, s := range order {
		i := strings.Index(q, s)
		if i < 0 || i < last {
			t.Fatalf("questions section: %q missing or out of order", s)
		}
		last = i
	}
	// The glance links the first questions.
	if !strings.Contains(html, `<a class="qnum" href="#q1">Q1</a>`) {
		t.Error("the first questions at a glance do not link to #q1")
	}
}

// TestEmptySections renders a case with only the records Load requires:
// no section shows an empty table.
func TestEmptySections(t *testing.T) {
	c := loadCase(t, "testdata/cases/minimal-ru")
	html := index(t, renderCase(t, c))
	for _, bad := range []string{"labs-table", `id="markers"`, "marker-chart", "stage-table", `<table`, "timeline-list\"></ol>", `class="doc-image"`, `id="summary"`} {
		if strings.Contains(html, bad) {
			t.Errorf("the minimal case shows %q", bad)
		}
	}
	s, err := loadStrings("ru")
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"labs.none", "stage.none", "biomarkers.none", "imaging.none", "treatment.none", "medications.none", "allergies.none", "conditions.none", "history.none", "completeness.no_notes"} {
		if !strings.Contains(html, escapeText(s.T(key))) {
			t.Errorf("the minimal case lacks the empty state %s (%q)", key, s.T(key))
		}
	}
	if !strings.Contains(html, `<html lang="ru-RU">`) {
		t.Error("the page is not marked as Russian")
	}
	if !strings.Contains(html, "сентябрь\u00a02026\u00a0г.") {
		t.Error("the partial diagnosis date is not written in Russian")
	}
}

func escapeText(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(s)
}

func TestStaleImagingBadge(t *testing.T) {
	html := index(t, renderCase(t, loadCase(t, "testdata/cases/full")))
	for _, tc := range []struct {
		id    string
		stale bool
	}{{"imaging-1", true}, {"imaging-2", true}, {"imaging-3", false}} {
		i := strings.Index(html, `<article id="`+tc.id+`"`)
		if i < 0 {
			t.Fatalf("no #%s", tc.id)
		}
		art := html[i : i+strings.Index(html[i:], "</article>")]
		if got := strings.Contains(art, "badge-warn"); got != tc.stale {
			t.Errorf("#%s stale badge = %v, want %v", tc.id, got, tc.stale)
		}
	}
	if !strings.Contains(html, "237 days before the case was prepared") {
		t.Error("the stale badge does not say how old the study is")
	}
}

func TestAttachments(t *testing.T) {
	c := loadCase(t, "testdata/cases/full")
	tree := renderCase(t, c)
	html := index(t, tree)
	types := map[string]string{}
	for i, a := range tree.Attachments {
		if want := "files/" + itoa(i+1) + "/" + filepath.Base(c.Attachments[i].Path); a.Name != want {
			t.Errorf("attachment %d named %q, want %q", i+1, a.Name, want)
		}
		types[filepath.Ext(a.FileName)] = a.MediaType
	}
	for ext, want := range map[string]string{".pdf": "application/pdf", ".zip": "application/zip", ".dcm": "application/dicom", ".png": "image/png"} {
		if types[ext] != want {
			t.Errorf("%s media type %q, want %q", ext, types[ext], want)
		}
	}
	// A name with a space is escaped in href and kept in data-attachment.
	var spaced string
	for _, a := range tree.Attachments {
		if strings.Contains(a.Name, " ") {
			spaced = a.Name
		}
	}
	if spaced == "" || !strings.Contains(html, `data-attachment="`+spaced+`"`) || !strings.Contains(html, strings.ReplaceAll(spaced, " ", "%20")) {
		t.Errorf("the attachment with a space in its name (%q) is not linked escaped", spaced)
	}
	if !strings.Contains(html, `(PDF, 62 bytes)`) || !strings.Contains(html, "(ZIP archive, 3.0") {
		t.Error("attachment links do not show type and size")
	}
	if !strings.Contains(html, `<img class="doc-image" src="files/`) {
		t.Error("the attached image is not shown inline")
	}
}

func TestMediaType(t *testing.T) {
	for name, want := range map[string]string{"a.DCM": "application/dicom", "b.zip": "application/zip", "c.pdf": "application/pdf", "d.jpg": "image/jpeg", "e.webp": "image/webp", "f.unknownext": "application/octet-stream", "noext": "application/octet-stream"} {
		if got := mediaType(name); got != want {
			t.Errorf("mediaType(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestStrings(t *testing.T) {
	missing, err := MissingStrings("ru-RU")
	if err != nil {
		t.Fatal(err)
	}
	if len(missing) > 0 {
		t.Errorf("Russian lacks %d strings: %v", len(missing), missing)
	}
	all, err := MissingStrings("xx")
	if err != nil {
		t.Fatal(err)
	}
	if len(all) < 100 {
		t.Errorf("a language without strings lacks only %d keys", len(all))
	}
	if m, _ := MissingStrings("en-US"); len(m) != 0 {
		t.Errorf("English lacks %v", m)
	}
	ru, err := loadStrings("ru")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		got, want string
	}{
		{ru.Date(d(2026, 8, 14)), "14\u00a0авг.\u00a02026\u00a0г."},
		{ru.Date(d(2026, 3, 1)), "1\u00a0марта\u00a02026\u00a0г."},
		{ru.Date(casedir.Date{Year: 2026, Month: 8}), "август\u00a02026\u00a0г."},
		{ru.Date(casedir.Date{Year: 2019}), "2019"},
		{en(t).Date(d(2026, 8, 14)), "14\u00a0Aug\u00a02026"},
		{en(t).Date(casedir.Date{Year: 2026, Month: 8}), "August\u00a02026"},
		{ru.Plural("age", 21), "21 год"},
		{ru.Plural("age", 64), "64 года"},
		{ru.Plural("age", 11), "11 лет"},
		{ru.Plural("age", 59), "59 лет"},
		{en(t).Plural("age", 1), "1 year"},
		{ru.Number(4.1), "4,1"},
		{en(t).Size(1536000), "1.5\u00a0MB"},
		{ru.Size(1536000), "1,5\u00a0МБ"},
		{BaseLanguage("ru-RU"), "ru"},
		{BaseLanguage(""), "en"},
		{BaseLanguage("EN_gb"), "en"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

// TestTemplateKeys checks that every string a template asks for exists in
// English, so no key is shown raw.
func TestTemplateKeys(t *testing.T) {
	s := en(t)
	re := regexp.MustCompile(`\{\{-? ?(?:t|tf|plural) "([^"]+)"`)
	err := fs.WalkDir(templates.FS, ".", func(p string, de fs.DirEntry, err error) error {
		if err != nil || de.IsDir() {
			return err
		}
		b, err := fs.ReadFile(templates.FS, p)
		if err != nil {
			return err
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			if !s.Has(m[1]) && !s.Has(m[1]+".other") {
				t.Errorf("%s: string %q is not in content/i18n/en/portal.toml", p, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestThemes(t *testing.T) {
	c := loadCase(t, "testdata/cases/minimal-ru")

	c.Theme = "nosuch"
	_, err := Render(c, Options{})
	if err == nil || !strings.Contains(err.Error(), "themes available: default") {
		t.Errorf("unknown theme: err = %v, want one naming the themes available", err)
	}
	c.Theme = "../default"
	if _, err := Render(c, Options{}); err == nil {
		t.Error("a theme name with a path was accepted")
	}

	dir := t.TempDir()
	clinic := filepath.Join(dir, "clinic")
	if err := os.MkdirAll(filepath.Join(clinic, "img"), 0o755); err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(clinic, "style.css"), []byte(":root { --accent: #004d40; }\n"), 0o644))
	must(os.WriteFile(filepath.Join(clinic, "logo.svg"), []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>`), 0o644))
	must(os.WriteFile(filepath.Join(clinic, "img", "mark.png"), []byte("png"), 0o644))
	must(os.WriteFile(filepath.Join(clinic, "README.txt"), []byte("not an image"), 0o644))

	c.Theme = "clinic"
	tree, err := Render(c, Options{ThemesDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	css := string(tree.Page("style.css").Data)
	if !strings.Contains(css, "--accent: #004d40") || !strings.Contains(css, "caseport default theme") {
		t.Error("a theme's style.css is not added after the default stylesheet")
	}
	if strings.Index(css, "--accent: #004d40") < strings.Index(css, "caseport default theme") {
		t.Error("the theme's rules come before the default ones")
	}
	if tree.Page("theme/logo.svg") == nil || tree.Page("theme/img/mark.png") == nil || tree.Page("theme/README.txt") != nil {
		t.Errorf("theme pages: %v", tree.Names())
	}
	if !strings.Contains(index(t, tree), `<img class="logo" src="theme/logo.svg" alt="">`) {
		t.Error("the theme's logo is not shown")
	}
	if got := Themes(dir); strings.Join(got, ",") != "clinic,default" {
		t.Errorf("Themes = %v", got)
	}

	// The default theme carries no unlock files into the portal.
	c.Theme = ""
	tree, err = Render(c, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range tree.Names() {
		if strings.Contains(n, "unlock") {
			t.Errorf("the portal contains %s", n)
		}
	}
}

func TestNotice(t *testing.T) {
	html := index(t, renderCase(t, loadCase(t, "testdata/cases/full")))
	_, err := fs.Stat(content.FS, "notice/en.md")
	if errors.Is(err, fs.ErrNotExist) {
		t.Log("note: content/notice/en.md does not exist yet, so the page shows no emergency notice")
		if strings.Contains(html, `class="notice"`) {
			t.Error("a notice is shown without content/notice/en.md")
		}
		return
	}
	if !strings.Contains(html, `<aside class="notice"`) {
		t.Error("content/notice/en.md exists but the page shows no notice")
	}
	if strings.Index(html, `class="notice"`) > strings.Index(html, `id="glance"`) {
		t.Error("the notice is not near the top")
	}
}

func TestChecklistSection(t *testing.T) {
	c := loadCase(t, "testdata/cases/minimal-ru")
	report := checklist.Report{Items: []checklist.Item{
		{ID: "a", Level: checklist.Required, Status: checklist.Present, Title: "Present thing"},
		{ID: "b", Level: checklist.Required, Status: checklist.Missing, Title: "Missing thing", Reason: "Because it matters."},
		{ID: "c", Level: checklist.Recommended, Status: checklist.NotApplicable, Title: "NA thing"},
	}}
	tree, err := Render(c, Options{Checklist: func(*casedir.Case) (checklist.Report, error) { return report, nil }})
	if err != nil {
		t.Fatal(err)
	}
	html := index(t, tree)
	for _, want := range []string{`class="check check-present"`, `class="check check-missing"`, "Because it matters.", "Для этого случая не требуется: NA thing.", "Не хватает обязательных сведений"} {
		if !strings.Contains(html, want) {
			t.Errorf("completeness section lacks %q", want)
		}
	}
	// The real checklist runs by default.
	html = index(t, renderCase(t, c))
	if !strings.Contains(html, `id="checklist-missing"`) || !strings.Contains(html, "check-missing") {
		t.Error("the checklist of the minimal case shows nothing missing")
	}
}

func atof(t *testing.T, s string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestHandBuiltCase renders a case built in Go, not loaded, with sparse and
// unusual records: a treatment with neither end nor status, a marker with text values only, a
// stage without kind or system, no questions parsed.
func TestHandBuiltCase(t *testing.T) {
	att := &casedir.Attachment{Path: "scans/ct.dcm", Abs: "/nonexistent/ct.dcm", Size: 2048}
	c := &casedir.Case{
		ID: "hand-built", Title: "Hand built", Language: "tr", PreparedOn: d(2026, 5, 1),
		Patient:    casedir.Patient{Alias: "P", BirthYear: 1980},
		Diagnosis:  casedir.Diagnosis{Name: "Dx", Date: casedir.Date{Year: 2025}},
		Stage:      &casedir.Stage{Group: "IV"},
		Treatments: []casedir.Treatment{{Kind: "targeted", Name: "Osimertinib", Start: d(2025, 6, 1)}},
		Plan:       casedir.Plan{Summary: "Continue"},
		Labs: []casedir.Lab{
			{Date: d(2026, 4, 1), Name: "PSA", Value: casedir.LabValue{Text: "undetectable"}, Marker: true},
		},
		Imaging:     []casedir.Imaging{{Date: d(2026, 4, 20), Modality: "CT", Images: att}},
		Attachments: []*casedir.Attachment{att},
	}
	tree, err := Render(c, Options{Checklist: func(*casedir.Case) (checklist.Report, error) { return checklist.Report{}, nil }})
	if err != nil {
		t.Fatal(err)
	}
	html := index(t, tree)
	for _, want := range []string{
		`<html lang="tr">`,              // no Turkish strings: English text, Turkish tag
		"end not given",                 // neither end nor status: never read as ongoing
		`class="tl-bar tl-end-unknown"`, // drawn up to prepared_on, not called ongoing
		"<caption>Stage</caption>",      // no kind or system
		`id="marker-1"`, "undetectable", // a marker without numbers: no chart, the value in the table
		`data-attachment="files/1/ct.dcm"`, "(DICOM, 2.0\u00a0kB)",
		"No questions.",
	} {
		if !strings.Contains(html, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if strings.Contains(html, "marker-chart") {
		t.Error("a chart was drawn for a marker without numbers")
	}
	if a := tree.Attachment("files/1/ct.dcm"); a == nil || a.MediaType != "application/dicom" || a.Source != att.Abs {
		t.Errorf("attachment: %+v", a)
	}
}

// TestNoticeFallback gives the renderer notices of its own: the case's
// language first, then English, then none.
func TestNoticeFallback(t *testing.T) {
	t.Parallel() // its notices are passed in, not swapped into a package variable
	c := loadCase(t, "testdata/cases/minimal-ru")
	for _, tc := range []struct {
		files map[string]string
		want  string
	}{
		{map[string]string{"notice/ru.md": "Срочно звоните **112**.", "notice/en.md": "Call **911**."}, "Срочно звоните <strong>112</strong>."},
		{map[string]string{"notice/en.md": "Call **911**. [Details](https://example.org/x) [bad](javascript:x)"}, `Call <strong>911</strong>. <a href="https://example.org/x">Details</a> bad`},
		{map[string]string{}, ""},
	} {
		m := fstest.MapFS{} // the built-in texts, with these notices only
		err := fs.WalkDir(content.FS, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || strings.HasPrefix(p, "notice/") {
				return err
			}
			b, err := fs.ReadFile(content.FS, p)
			m[p] = &fstest.MapFile{Data: b}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range tc.files {
			m[k] = &fstest.MapFile{Data: []byte(v)}
		}
		tree, err := Render(c, Options{Files: source.Files{Content: m}})
		if err != nil {
			t.Fatal(err)
		}
		html := index(t, tree)
		if tc.want == "" {
			if strings.Contains(html, `class="notice"`) {
				t.Error("a notice is shown with no notice file")
			}
			continue
		}
		if !strings.Contains(html, tc.want) {
			t.Errorf("notice lacks %q", tc.want)
		}
		if i, j := strings.Index(html, `<aside class="notice"`), strings.Index(html, `<main`); i < 0 || i > j {
			t.Error("the notice is not above the main content")
		}
	}
}

// TestExtra: what a caller adds (the preview's script and overlay) lands
// first and last in the body, and the page's CSP allows it by its hashes
// and nothing more.
func TestExtra(t *testing.T) {
	t.Parallel()
	extra := portal.Extra{Top: `<div id="overlay-marker"></div>`, Style: "#overlay-marker{color:red}", Script: "console.log(1)", Connect: []string{"'self'"}}
	tree, err := Render(loadCase(t, "testdata/cases/minimal-ru"), Options{Extra: extra})
	if err != nil {
		t.Fatal(err)
	}
	html := index(t, tree)
	if !strings.Contains(html, "<body><style>#overlay-marker{color:red}</style><div id=\"overlay-marker\"></div>\n") {
		t.Error("the overlay is not first in the body")
	}
	if !strings.Contains(html, "<script>console.log(1)</script></body>") {
		t.Error("the script is not last in the body")
	}
	m := regexp.MustCompile(`http-equiv="Content-Security-Policy" content="([^"]*)"`).FindStringSubmatch(html)
	if m == nil {
		t.Fatal("no CSP")
	}
	policy := stdhtml.UnescapeString(m[1])
	if want := "default-src 'none'; style-src 'self' " + portal.CSPHash([]byte(extra.Style)) + "; img-src 'self' data:; connect-src 'self'; script-src " + portal.CSPHash([]byte(extra.Script)); policy != want {
		t.Errorf("the CSP\n got %s\nwant %s", policy, want)
	}
}

func TestGlanceBiomarkerOrder(t *testing.T) {
	bs := []casedir.Biomarker{
		{Name: "PD-L1", Status: "pending"},
		{Name: "MSI", Status: "resulted"},
		{Name: "KRAS", Status: "resulted", Significance: "pathogenic"},
	}
	var names []string
	for _, b := range glanceOrder(bs) {
		names = append(names, b.Name)
	}
	if got := strings.Join(names, " "); got != "KRAS MSI PD-L1" {
		t.Errorf("glance biomarkers in order %q, want a pathogenic variant, then results, then pending", got)
	}
}

func TestLatestOutOfRange(t *testing.T) {
	num := func(f float64) casedir.LabValue { return casedir.LabValue{Number: f, IsNumber: true} }
	labs := []casedir.Lab{
		{Date: d(2026, 9, 1), Name: "Creatinine", Value: num(150), Range: "60-110"},
		{Date: d(2026, 10, 1), Name: "Creatinine", Value: num(90), Range: "60-110"},
		{Date: d(2026, 9, 1), Name: "ALT", Value: num(20), Range: "0-40"},
		{Date: d(2026, 10, 1), Name: "ALT", Value: num(95), Range: "0-40"},
		{Date: d(2026, 10, 1), Name: "CEA", Value: num(40), Range: "0-5", Marker: true},
	}
	got := latestOutOfRange(labRows(labs, en(t)))
	if len(got) != 1 || got[0].Name != "ALT" || got[0].Flag != "high" {
		t.Errorf("out of range at a glance: %+v, want the latest ALT only (creatinine is back in range; markers are charted)", got)
	}
}

func TestDaysAndRelativeLabels(t *testing.T) {
	s := en(t)
	from := d(2026, 12, 1)
	for _, tc := range []struct {
		kind string
		to   casedir.Date
		want string
	}{
		{"due", d(2026, 12, 13), "12 days left"},
		{"due", d(2026, 12, 2), "1 day left"},
		{"due", d(2026, 12, 1), "due today"},
		{"due", d(2026, 11, 28), "3 days overdue"},
		{"when", d(2026, 12, 6), "in 5 days"},
		{"when", d(2026, 11, 21), "10 days ago"},
		{"when", d(2027, 3, 1), "in 90 days"}, // across a year end
	} {
		if got := s.relative(tc.kind, DaysBetween(from, tc.to)); got != tc.want {
			t.Errorf("%s to %s: %q, want %q", tc.kind, tc.to, got, tc.want)
		}
	}
	ru, err := loadStrings("ru")
	if err != nil {
		t.Fatal(err)
	}
	for n, want := range map[int]string{1: "остался 1 день", 3: "осталось 3 дня", 5: "осталось 5 дней", 21: "остался 21 день", -2: "просрочено на 2 дня", -11: "просрочено на 11 дней"} {
		if got := ru.relative("due", n); got != want {
			t.Errorf("ru due %d: %q, want %q", n, got, want)
		}
	}
	p := &page{S: s, Today: from}
	html := string(p.relativeHTML("due", d(2026, 12, 13)))
	for _, want := range []string{`<time class="rel" datetime="2026-12-13" data-rel="due" data-from="2026-12-01">`, "12 days left, counted on 1\u00a0Dec\u00a02026"} {
		if !strings.Contains(html, want) {
			t.Errorf("day count %s lacks %q", html, want)
		}
	}
}

func TestMarkerChartLogScaleNadirTreatments(t *testing.T) {
	num := func(f float64) casedir.LabValue { return casedir.LabValue{Number: f, IsNumber: true} }
	var labs []casedir.Lab
	for i, v := range []float64{3000, 800, 120, 30, 45, 160} {
		labs = append(labs, casedir.Lab{Date: d(2026, 1+i, 10), Name: "CA 19-9", Value: num(v), Unit: "U/mL", Range: "<37", Marker: true})
	}
	treatments := []casedir.Treatment{{Name: "FOLFIRINOX", Start: d(2026, 1, 15), End: d(2026, 4, 20)}}
	charts := markerCharts(labs, treatments, en(t))
	if len(charts) != 1 {
		t.Fatalf("charts: %+v", charts)
	}
	m := charts[0]
	svg := string(m.SVG)
	for _, want := range []string{"log scale", `class="mk-treatment"`, "FOLFIRINOX: during treatment", `class="mk-nadir"`, "nadir 30"} {
		if !strings.Contains(svg, want) {
			t.Errorf("chart lacks %q", want)
		}
	}
	if want := "Nadir 30 U/mL on 10\u00a0Apr\u00a02026; latest 160 U/mL, +433% from the nadir."; m.Nadir != want {
		t.Errorf("nadir note %q, want %q", m.Nadir, want)
	}
	// On a log scale 30 stands well above the axis, beside 3000.
	cy := regexp.MustCompile(`class="mk-point mk-out" cx="[0-9.]+" cy="([0-9.]+)"`).FindAllStringSubmatch(svg, -1)
	if len(cy) < 4 || atof(t, cy[3][1]) > mkBottom-15 {
		t.Errorf("30 squeezed onto the axis (a linear scale): %v", cy)
	}
	// Every label placed lies apart from every other, by the estimate.
	boxes := regexp.MustCompile(`<text class="[^"]*" x="([0-9.]+)" y="([0-9.]+)" font-size="([0-9.]+)" text-anchor="(\w+)"[^>]*>([^<]*)</text>`).FindAllStringSubmatch(svg, -1)
	if len(boxes) < 6 {
		t.Fatalf("only %d labels", len(boxes))
	}
	var placed []box
	for _, b := range boxes {
		bx := textBox(stdhtml.UnescapeString(b[5]), atof(t, b[1]), atof(t, b[2]), atof(t, b[3]), b[4])
		for _, o := range placed {
			if bx.overlaps(o) {
				t.Errorf("label %q overlaps another", b[5])
			}
		}
		placed = append(placed, bx)
	}
}

// TestTimelineNoise: one report's results of a day are one entry, and a
// document holding that day's labs is not a second entry.
func TestTimelineNoise(t *testing.T) {
	report := &casedir.Attachment{Path: "pathology/biomarkers.pdf"}
	labs := &casedir.Attachment{Path: "labs/2026-10-28.pdf"}
	c := &casedir.Case{
		PreparedOn: d(2026, 11, 20),
		Diagnosis:  casedir.Diagnosis{Name: "Dx", Date: d(2026, 8, 14)},
		Plan:       casedir.Plan{Summary: "Surgery", Date: d(2026, 10, 30)},
		Biomarkers: []casedir.Biomarker{
			{Name: "HER2", Result: "IHC 1+", Status: "resulted", Date: d(2026, 8, 20), Document: report},
			{Name: "PD-L1", Result: "CPS 3", Status: "resulted", Date: d(2026, 8, 20), Document: report},
			{Name: "MSI", Result: "MSS", Status: "resulted", Date: d(2026, 9, 2)},
		},
		Labs: []casedir.Lab{
			{Date: d(2026, 10, 28), Name: "Hb", Document: labs},
			{Date: d(2026, 10, 28), Name: "ALT", Document: labs},
		},
		Documents: []casedir.Document{
			{Date: d(2026, 10, 28), Title: "Lab report", File: labs},
			{Date: d(2026, 10, 29), Title: "Letter", File: &casedir.Attachment{Path: "docs/letter.pdf"}},
		},
	}
	got, err := Timeline(c)
	if err != nil {
		t.Fatal(err)
	}
	var titles []string
	for _, e := range got {
		titles = append(titles, e.Date.String()+" "+e.Kind+" "+e.Title)
	}
	want := []string{
		"2026-08-14 diagnosis Dx",
		"2026-08-20 biomarker HER2, PD-L1",
		"2026-09-02 biomarker MSI: MSS",
		"2026-10-28 lab Hb, ALT",
		"2026-10-29 document Letter",
		"2026-10-30 plan Surgery",
	}
	if strings.Join(titles, "\n") != strings.Join(want, "\n") {
		t.Errorf("timeline:\n%s\nwant:\n%s", strings.Join(titles, "\n"), strings.Join(want, "\n"))
	}
	svg := string(timelineSVG(c, en(t), got))
	if n := strings.Count(svg, `<a class="tl-link"`); n != len(want) {
		t.Errorf("%d linked dots, want one per entry (%d)", n, len(want))
	}
	if !strings.Contains(svg, "<title>20\u00a0Aug\u00a02026 · Biomarker: HER2, PD-L1</title>") || !strings.Contains(svg, `class="tl-hit"`) {
		t.Error("a dot lacks its <title> or its tap target")
	}
}
