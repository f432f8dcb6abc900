package render

import (
	"errors"
	"html/template"
	"io/fs"
	"os"
	"sort"
	"strings"

	"github.com/caseport/caseport/internal/casedir"
	"github.com/caseport/caseport/internal/checklist"
	"github.com/yuin/goldmark/text"
)

func osDirFS(dir string) fs.FS { return os.DirFS(dir) }

func sortStrings(s []string) { sort.Strings(s) }

// page is what the templates see: the case, the strings, and what the
// renderer worked out from them.
type page struct {
	C      *casedir.Case
	S      *uiStrings
	Lang   string
	CSP    string
	Logo   string
	Report checklist.Report
	// Today is the day the page counts days from (render.Options.Today).
	Today casedir.Date

	Notice   template.HTML
	Summary  template.HTML
	Notes    template.HTML
	Age      string
	Sections []navItem

	Imaging    []imagingView
	Pathology  []pathologyView
	Treatments []treatmentView
	Markers    []markerChart
	Labs       []labRow
	Timeline   timelineView
	Documents  []docGroup
	Questions  questionsView
	Glance     glanceView

	// Biomarkers are the case's biomarkers with their structured parts;
	// BiomarkerCols says which structured columns to draw.
	Biomarkers    []biomarkerView
	BiomarkerCols biomarkerColumns
	Assessments   assessmentsView

	ReviewAsked bool // a pathology review is asked for: slides and blocks matter

	md    *markdown
	files map[*casedir.Attachment]*fileRef
	texts fs.FS // the content/ tree: notice/LANG.md
}

// navItem is one link of the section navigation.
type navItem struct {
	ID, Label string
}

// imagingView is one study with the renderer's judgement of its age.
type imagingView struct {
	casedir.Imaging
	Anchor  string
	Stale   bool
	AgeDays int
	DICOM   *dicomView // what the images archive's headers say; nil without one
}

type pathologyView struct {
	casedir.Pathology
	Anchor string
}

type treatmentView struct {
	casedir.Treatment
	Anchor string
	// Ongoing is true only when the case says status = "ongoing".
	Ongoing bool
	// EndHTML is how the end reads: a date, "ongoing", the status, or
	// "end not given" (see treatmentEnd).
	EndHTML template.HTML
}

type glanceView struct {
	Biomarkers []casedir.Biomarker
	// MoreBiomarkers counts those the card leaves to the diagnosis section.
	MoreBiomarkers int
	// OutOfRange are the latest results of the tests other than tumour
	// markers that lie outside their range, for the safety card.
	OutOfRange     []labRow
	FirstQuestions []casedir.Question
	MoreQuestions  int
	Urgent         bool
}

func (p *page) build() {
	c, s := p.C, p.S
	p.Notice = p.notice()
	if c.Summary != nil {
		p.Summary = p.md.Doc(c.Summary, 3)
	}
	if c.Notes != nil {
		p.Notes = p.md.Doc(c.Notes, 4)
	}
	p.Age = p.age()

	for _, id := range []string{"glance", "summary", "diagnosis", "timeline", "imaging", "pathology", "treatments", "labs", "assessments", "medications", "history", "documents", "questions", "reply", "completeness"} {
		if id == "summary" && c.Summary == nil || id == "assessments" && len(c.Assessments) == 0 || id == "reply" && !c.Reply.Enabled {
			continue
		}
		p.Sections = append(p.Sections, navItem{ID: id, Label: s.T("section." + id)})
	}

	for i, im := range c.Imaging {
		age := im.Date.DaysBefore(c.PreparedOn)
		p.Imaging = append(p.Imaging, imagingView{Imaging: im, Anchor: "imaging-" + itoa(i+1), Stale: age > StaleImagingDays && c.LatestImagingByRegion(im), AgeDays: age})
	}
	// Newest first: the latest study is the one a reviewer reads first.
	sort.SliceStable(p.Imaging, func(i, j int) bool { return p.Imaging[i].Date.Compare(p.Imaging[j].Date) > 0 })
	for i, pa := range c.Pathology {
		p.Pathology = append(p.Pathology, pathologyView{Pathology: pa, Anchor: "pathology-" + itoa(i+1)})
	}
	sort.SliceStable(p.Pathology, func(i, j int) bool { return p.Pathology[i].Date.Compare(p.Pathology[j].Date) < 0 })
	for i, t := range c.Treatments {
		p.Treatments = append(p.Treatments, treatmentView{Treatment: t, Anchor: "treatment-" + itoa(i+1), Ongoing: t.Ongoing(), EndHTML: treatmentEnd(t, p)})
	}
	sort.SliceStable(p.Treatments, func(i, j int) bool { return p.Treatments[i].Start.Compare(p.Treatments[j].Start) < 0 })
	for _, it := range p.Report.Items {
		if it.ID == "material-status" && it.Status != checklist.NotApplicable {
			p.ReviewAsked = true
		}
	}

	p.Biomarkers, p.BiomarkerCols = biomarkerViews(c, s)
	p.Assessments = p.assessments()
	p.Markers = markerCharts(c.Labs, c.Treatments, s)
	p.Labs = labRows(c.Labs, s)
	p.Timeline = p.timeline()
	p.Documents = p.documents()
	p.Questions = p.questions()

	g := &p.Glance
	g.Biomarkers = c.Biomarkers
	if len(g.Biomarkers) > glanceBiomarkers {
		g.Biomarkers = g.Biomarkers[:glanceBiomarkers]
		g.MoreBiomarkers = len(c.Biomarkers) - glanceBiomarkers
	}
	g.OutOfRange = latestOutOfRange(p.Labs)
	for _, grp := range c.Questions.Groups {
		for _, q := range grp.Items {
			if len(g.FirstQuestions) < 3 {
				g.FirstQuestions = append(g.FirstQuestions, q)
			}
		}
	}
	g.MoreQuestions = c.Questions.Count() - len(g.FirstQuestions)
	g.Urgent = c.Request.Urgency == "urgent"
}

// glanceBiomarkers is how many biomarkers the first card lists; the rest
// are counted ("+2 more") and linked, never silently cut.
const glanceBiomarkers = 6

// latestOutOfRange keeps, of each test's results (rows sorted by test then
// date), the latest one when it is flagged: what a reviewer must know
// before suggesting a drug.
func latestOutOfRange(rows []labRow) []labRow {
	var out []labRow
	for i, r := range rows {
		last := i == len(rows)-1 || !strings.EqualFold(rows[i+1].Name, r.Name)
		if last && r.Flag != "" {
			out = append(out, r)
		}
	}
	return out
}

// age is the patient's age on prepared_on, from the birth date when given,
// else from the birth year (then it may be one year high).
func (p *page) age() string {
	pt, ref := p.C.Patient, p.C.PreparedOn
	switch {
	case pt.BirthDate.IsFull():
		a := ref.Year - pt.BirthDate.Year
		if ref.Month < pt.BirthDate.Month || ref.Month == pt.BirthDate.Month && ref.Day < pt.BirthDate.Day {
			a--
		}
		return p.S.Plural("age", a)
	case pt.BirthYear > 0:
		return p.S.Plural("age", ref.Year-pt.BirthYear)
	}
	return ""
}

// notice is the emergency notice of content/notice/LANG.md, in English when
// the language has none, and nothing when neither exists.
func (p *page) notice() template.HTML {
	for _, lang := range []string{p.S.lang, "en"} {
		b, err := fs.ReadFile(p.texts, "notice/"+lang+".md")
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil || len(strings.TrimSpace(string(b))) == 0 {
			continue
		}
		doc := casedir.Parser().Parser().Parse(text.NewReader(b))
		return p.md.Doc(&casedir.Markdown{Path: "notice/" + lang + ".md", Source: b, Doc: doc}, 2)
	}
	return ""
}

// Attach returns how the page links an attachment, nil when a is nil.
func (p *page) Attach(a *casedir.Attachment) *fileRef { return p.files[a] }

// HasHistory reports whether the [history] table says anything.
func (p *page) HasHistory() bool {
	h := p.C.History
	return h.Family != "" || h.Symptoms != "" || h.Social != ""
}

// StageLine is the current stage in one line: "cT3 cN1 cM0, stage III".
func (p *page) StageLine() string { return stageLine(p.C.Stage, p.S) }

// StagingLine is one staging in one line, for the list of stagings.
func (p *page) StagingLine(st casedir.Stage) string { return stageLine(&st, p.S) }

// Items returns the checklist items of a level.
func (p *page) Items(level string) []checklist.Item {
	return p.Report.ByLevel(checklist.Level(level))
}

// CountStatus counts the checklist items of a level with a status.
func (p *page) CountStatus(level, status string) int {
	n := 0
	for _, it := range p.Report.ByLevel(checklist.Level(level)) {
		if string(it.Status) == status {
			n++
		}
	}
	return n
}

// CheckItems returns the checklist items with a status, required ones
// first, each level in checklist order.
func (p *page) CheckItems(status string) []checklist.Item {
	var out []checklist.Item
	for _, l := range []checklist.Level{checklist.Required, checklist.Recommended} {
		for _, it := range p.Report.ByLevel(l) {
			if string(it.Status) == status {
				out = append(out, it)
			}
		}
	}
	return out
}

// StageCaption names the stage's kind and system, as given: "Stage:
// clinical, AJCC 8th".
func (p *page) StageCaption() string {
	st := p.C.Stage
	if st == nil {
		return ""
	}
	detail := joinNonEmpty(", ", p.S.Enum("stage.kind", st.Kind), st.System)
	if detail == "" {
		return p.S.T("stage.title")
	}
	return p.S.F("stage.caption", "detail", detail)
}
