package render

import (
	"html/template"
	"math"
	"strconv"
	"strings"

	"github.com/caseport/caseport/internal/casedir"
)

// The disease course as the page shows it: the stagings, the disease status
// over time, the metastases, the lines of treatment, the structured
// biomarkers and the dated assessments. Every part is shown only when the
// case has it, so a case without these keys renders as it did before them.

// stageLine is one staging in one line: "cT3 cN1 cM0, stage III".
func stageLine(st *casedir.Stage, s *uiStrings) string {
	if st == nil {
		return ""
	}
	var parts []string
	tnm := strings.TrimSpace(strings.Join([]string{st.T, st.N, st.M}, " "))
	if tnm != "" {
		parts = append(parts, strings.Join(strings.Fields(tnm), " "))
	}
	if st.Group != "" {
		parts = append(parts, s.F("stage.group_line", "group", st.Group))
	}
	return strings.Join(parts, ", ")
}

// biomarkerColumns says which structured columns of the biomarker table
// any marker of the case fills; a column nobody fills is not drawn.
type biomarkerColumns struct {
	Variant, VAF, Origin, Significance, Value, Specimen bool
}

// Any reports whether any structured column is drawn.
func (b biomarkerColumns) Any() bool {
	return b.Variant || b.VAF || b.Origin || b.Significance || b.Value || b.Specimen
}

// biomarkerView is one biomarker with its structured parts formatted.
type biomarkerView struct {
	casedir.Biomarker
	Variant string // "KRAS c.34G>T p.G12C"
	VAFText string // "31 %"
	// ValueText is the scored value with its unit: "5 CPS".
	ValueText string
}

func biomarkerViews(c *casedir.Case, s *uiStrings) ([]biomarkerView, biomarkerColumns) {
	var out []biomarkerView
	var cols biomarkerColumns
	for _, b := range c.Biomarkers {
		v := biomarkerView{Biomarker: b}
		if b.Resulted() {
			v.Variant = joinNonEmpty(" ", b.Gene, b.HGVSc, b.HGVSp)
			if b.HasVAF {
				v.VAFText = s.Number(b.VAF) + "\u00a0%"
			}
			if b.HasValue {
				v.ValueText = joinNonEmpty("\u00a0", s.Number(b.Value), b.Unit)
			}
		}
		cols.Variant = cols.Variant || v.Variant != ""
		cols.VAF = cols.VAF || v.VAFText != ""
		cols.Origin = cols.Origin || b.Origin != ""
		cols.Significance = cols.Significance || b.Significance != ""
		cols.Value = cols.Value || v.ValueText != "" || b.Threshold != ""
		cols.Specimen = cols.Specimen || b.Specimen != ""
		out = append(out, v)
	}
	return out, cols
}

// biomarkerResult is what stands for a marker's result in one line: the
// result, or "pending" / "not done" for a test without one.
func biomarkerResult(b casedir.Biomarker, s *uiStrings) string {
	if b.Resulted() {
		return b.Result
	}
	return s.Enum("biomarker.status", b.Status)
}

// treatmentEnd is how a treatment's end reads: its date, "ongoing" only
// when the case says so, the status when there is no date, and "end not
// given" when the case says neither.
func treatmentEnd(t casedir.Treatment, p *page) template.HTML {
	if !t.Ongoing() && t.End.IsZero() && t.Status == "" {
		return template.HTML(`<span class="muted">` + esc(p.S.T("treatment.end_unknown")) + `</span>`)
	}
	if !t.Ongoing() && !t.End.IsZero() {
		return p.dateHTML(t.End)
	}
	return template.HTML(esc(treatmentEndText(t, p.S)))
}

// treatmentEndText is treatmentEnd as plain text, for titles and tooltips.
func treatmentEndText(t casedir.Treatment, s *uiStrings) string {
	switch {
	case t.Ongoing():
		return s.T("treatment.ongoing")
	case !t.End.IsZero():
		return s.Date(t.End)
	case t.Status != "":
		return s.F("treatment.ended_no_date", "status", s.Enum("treatment.status", t.Status))
	}
	return s.T("treatment.end_unknown")
}

// assessmentsView is the assessments section: the latest performance
// status, the weight over time and the body surface area.
type assessmentsView struct {
	// Performance is the latest ECOG and the latest Karnofsky, each when given.
	Performance []casedir.Assessment
	All         []casedir.Assessment
	// WeightChange is the latest weight against the first, e.g.
	// "−3.5 kg (−6.0 %) since 20 Aug 2026"; "" with fewer than two weights.
	WeightChange string
	// BSA is the body surface area (Mosteller) from the latest height and
	// weight, e.g. "1.58 m²"; "" when either is unknown.
	BSA string
}

func (p *page) assessments() assessmentsView {
	c, s := p.C, p.S
	v := assessmentsView{All: c.Assessments}
	for _, kind := range []string{"ecog", "karnofsky"} {
		if a := c.LatestAssessment(kind); a != nil {
			v.Performance = append(v.Performance, *a)
		}
	}
	if w := c.AssessmentsOf("weight"); len(w) >= 2 {
		first, last := w[0], w[len(w)-1]
		d := last.Value - first.Value
		pct := 100 * d / first.Value
		v.WeightChange = s.F("assessment.weight_change", "change", signed(s, d, 1)+"\u00a0kg", "percent", signed(s, pct, 1)+"\u00a0%", "date", s.Date(first.Date))
	}
	v.BSA = p.bsa()
	return v
}

// bsa is the body surface area by Mosteller's formula, from the latest
// height and weight (assessments first, else the patient's own figures).
func (p *page) bsa() string {
	c := p.C
	h, w := c.Patient.HeightCM, c.Patient.WeightKG
	if a := c.LatestAssessment("height"); a != nil {
		h = a.Value
	}
	if a := c.LatestAssessment("weight"); a != nil {
		w = a.Value
	}
	if h <= 0 || w <= 0 {
		return ""
	}
	return p.S.F("assessment.bsa_value", "n", p.S.Number(math.Round(math.Sqrt(h*w/3600)*100)/100))
}

// signed formats a number with its sign and a fixed number of decimals,
// with a true minus and the language's decimal separator.
func signed(s *uiStrings, f float64, decimals int) string {
	text := strings.Replace(strconv.FormatFloat(math.Abs(f), 'f', decimals, 64), ".", s.T("number.decimal"), 1)
	switch {
	case math.Abs(f) < 0.5*math.Pow(10, -float64(decimals)):
		return strings.Replace(strconv.FormatFloat(0, 'f', decimals, 64), ".", s.T("number.decimal"), 1)
	case f < 0:
		return "−" + text
	}
	return "+" + text
}

// AssessmentValue formats one assessment's value for its kind: "ECOG 1",
// "Karnofsky 80", "54.5 kg", "164 cm".
func (p *page) AssessmentValue(a casedir.Assessment) string {
	s := p.S
	switch a.Kind {
	case "ecog":
		return "ECOG " + s.Number(a.Value)
	case "karnofsky":
		return "Karnofsky " + s.Number(a.Value) + "\u00a0%"
	case "weight":
		return s.F("patient.weight", "n", s.Number(a.Value))
	case "height":
		return s.F("patient.height", "n", s.Number(a.Value))
	}
	return s.Number(a.Value)
}

// StudyAnchor returns the anchor of the [[imaging]] study of date d (the one
// a later study was compared with), "" when there is none.
func (p *page) StudyAnchor(d casedir.Date) string {
	for i, im := range p.C.Imaging {
		if im.Date == d {
			return "#imaging-" + itoa(i+1)
		}
	}
	return ""
}

// StudyName names the study of date d: "CT, 1 Aug 2026".
func (p *page) StudyName(d casedir.Date) string {
	for _, im := range p.C.Imaging {
		if im.Date == d {
			return joinNonEmpty(", ", im.Modality, p.S.Date(d))
		}
	}
	return p.S.Date(d)
}

// Translations returns the translations of an attachment, for showing
// them beside it.
func (p *page) Translations(a *casedir.Attachment) []casedir.Translation {
	return p.C.TranslationsOf(a)
}

// HasPatientWishes reports whether the patient's goals, fertility,
// menopausal status or pregnancy are given.
func (p *page) HasPatientWishes() bool {
	pt := p.C.Patient
	return pt.Goals != "" || pt.Fertility != "" || pt.MenopausalStatus != "" || pt.Pregnancy != ""
}

// ProgressedOn lists the systemic lines that ended in progression, in line
// order, for the first screen: "FOLFOX (line 1), FOLFIRI (line 2)".
func (p *page) ProgressedOn() string {
	var names []string
	for _, t := range p.C.ProgressedOn() {
		if t.Line > 0 {
			names = append(names, p.S.F("treatment.name_line", "name", t.Name, "line", itoa(t.Line)))
		} else {
			names = append(names, t.Name)
		}
	}
	return strings.Join(names, ", ")
}

// courseTimeline adds the entries of the disease course: every staging
// after the first (format 1's one staging is added where it always was),
// the disease status changes, progression distinct, and the metastases.
func courseTimeline(c *casedir.Case, s *uiStrings, add func(TimelineEntry)) {
	for i, ds := range c.DiseaseStatus {
		kind := "disease-status"
		if ds.Status == "progressing" {
			kind = "progression"
		}
		add(TimelineEntry{Date: ds.Date, Kind: kind, Lane: "diagnosis", Title: joinNonEmpty(": ", s.Enum("disease_status.status", ds.Status), ds.Details),
			Anchor: "#disease-status-" + itoa(i+1), File: ds.Document})
	}
	for i, m := range c.Metastases {
		add(TimelineEntry{Date: m.Date, Kind: "metastasis", Lane: "diagnosis", Title: joinNonEmpty(": ", m.Site, m.Details), Anchor: "#metastasis-" + itoa(i+1), File: m.Document})
	}
}

// stageTitle is a staging's timeline title: its line and kind.
func stageTitle(st *casedir.Stage, s *uiStrings) string {
	return strings.TrimSpace(joinNonEmpty(", ", stageLine(st, s), s.Enum("stage.kind", st.Kind)))
}
