package casedir

import (
	"fmt"
	"path"
	"sort"
	"strings"
)

// The phases of decoding case.toml, in the order decodeCase runs them. The
// order is the order of Case.Attachments (first reference first), so a new
// table goes into a later phase rather than between existing ones.

// The enumerations of the disease-course additions to format 1.
var (
	diseaseStatuses    = []string{"no-evidence", "responding", "stable", "progressing", "mixed", "not-assessed"}
	statusBases        = []string{"imaging", "pathology", "clinical", "marker", "other"}
	treatmentStatuses  = []string{"ongoing", "completed", "stopped"}
	endReasons         = []string{"completed-as-planned", "progression", "toxicity", "patient-choice", "other"}
	responses          = []string{"complete", "partial", "stable", "progression", "not-assessed"}
	biomarkerStatuses  = []string{"resulted", "pending", "not-done"}
	variantOrigins     = []string{"somatic", "germline", "unknown"}
	significances      = []string{"pathogenic", "likely-pathogenic", "uncertain", "likely-benign", "benign"}
	assessmentKinds    = []string{"ecog", "karnofsky", "weight", "height", "other"}
	menopausalStatuses = []string{"pre", "peri", "post", "not-applicable", "unknown"}
	pregnancies        = []string{"pregnant", "not-pregnant", "unknown"}
	medicationKinds    = []string{"supplement"}
)

// decodeHeader reads the keys at the top of case.toml: format, id, title,
// language, who prepared the case and when, and the theme.
func (l *loader) decodeHeader(c *Case, root *table) {
	if v, ok := root.integer("format", true, 0, 1<<31); ok && v != FormatVersion {
		root.errorf("format", "this caseport reads case format %d; the case says format %d: use a caseport that supports it", FormatVersion, v)
	}
	c.Format = FormatVersion
	c.ID = root.str("id", true)
	if c.ID != "" && !idPattern.MatchString(c.ID) {
		root.errorf("id", "%q: use 3 to 64 lower-case letters, digits and dashes, like \"gastric-2026-041\"", c.ID)
	}
	c.Title = root.str("title", true)
	c.Language = l.language(root, "language")
	if c.Language == "" {
		c.Language = "en"
	}
	c.PreparedBy = root.str("prepared_by", true)
	c.PreparedOn = root.date("prepared_on", true, pastOnly)
	if !c.PreparedOn.IsZero() && !c.PreparedOn.IsFull() {
		root.errorf("prepared_on", "%s: give the full date the case was prepared, like 2026-11-20", c.PreparedOn)
	}
	c.Theme = root.str("theme", false)
	if c.Theme != "" && !themePattern.MatchString(c.Theme) {
		root.errorf("theme", "%q: a theme is named by the folder name under themes/, in lower-case letters, digits and dashes", c.Theme)
	}

}

// decodePicture reads the clinical picture: the patient, the request, the
// diagnosis and the stagings.
func (l *loader) decodePicture(c *Case, root *table) {
	if t := root.sub("patient", true); t != nil {
		l.patient(&c.Patient, t)
	}
	if t := root.sub("request", true); t != nil {
		r := &c.Request
		r.Mode = t.enum("mode", false, requestModes)
		r.Urgency = t.enum("urgency", false, urgencies)
		r.ReplyBy = t.date("reply_by", false, futureAllowed)
		r.ReplyLanguage = l.language(t, "reply_language")
		r.ReplyFormat = t.str("reply_format", false)
		r.Reason = t.str("reason", false)
		if r.Reason == "" {
			l.report(Warning, t.key("reason"), "empty: say in a sentence what the second opinion must answer")
		}
		t.finish()
	}
	if t := root.sub("diagnosis", true); t != nil {
		d := &c.Diagnosis
		d.Name = t.str("name", true)
		d.Site = t.str("site", false)
		d.ICD10 = t.str("icd10", false)
		d.Histology = t.str("histology", false)
		d.Grade = t.str("grade", false)
		d.Date = t.date("date", true, pastOnly)
		d.Basis = t.str("basis", false)
		t.finish()
	}
	l.decodeStages(c, root)
}

// decodeStages reads stage as one [stage] table (format 1) or as [[stage]]
// entries, one per staging, and orders them by date.
func (l *loader) decodeStages(c *Case, root *table) {
	v, ok := root.get("stage")
	if !ok {
		return
	}
	var tables []*table
	switch v := v.(type) {
	case map[string]any:
		tables = []*table{{l: l, path: "stage", m: v}}
	case []map[string]any, []any:
		tables = root.list("stage")
		if tables == nil {
			return // list reported what is wrong
		}
	default:
		root.errorf("stage", "expected a table [stage], or [[stage]] entries for several stagings; found %s", typeName(v))
		return
	}
	for _, t := range tables {
		st := Stage{
			System: t.str("system", false),
			Kind:   t.enum("kind", false, stageKinds),
			T:      t.str("t", false),
			N:      t.str("n", false),
			M:      t.str("m", false),
			Group:  t.str("group", false),
			Date:   t.date("date", false, pastOnly),
			Basis:  t.str("basis", false),
			Notes:  t.str("notes", false),
			Key:    t.path,
		}
		if len(tables) > 1 && st.Date.IsZero() {
			t.missing("date", "the date of this staging (with several stagings, the latest by date is the current one)")
		}
		c.Stages = append(c.Stages, st)
		t.finish()
	}
	sort.SliceStable(c.Stages, func(i, j int) bool { return c.Stages[i].Date.Compare(c.Stages[j].Date) < 0 })
	c.Stage = c.CurrentStage()
}

// decodeRecords reads the records of the workup and treatment: biomarkers,
// imaging, pathology and treatments.
func (l *loader) decodeRecords(c *Case, root *table) {
	for _, t := range root.list("biomarkers") {
		c.Biomarkers = append(c.Biomarkers, l.biomarker(t))
		t.finish()
	}
	for _, t := range root.list("imaging") {
		c.Imaging = append(c.Imaging, Imaging{
			Date:         t.date("date", true, pastOnly),
			Modality:     t.enum("modality", true, modalities),
			Region:       t.str("region", false),
			Report:       t.file("report", false),
			Images:       t.file("images", false),
			Link:         t.link("link"),
			Findings:     t.str("findings", false),
			ComparedWith: t.date("compared_with", false, pastOnly),
			Response:     t.str("response", false),
		})
		t.finish()
	}
	for _, t := range root.list("pathology") {
		p := Pathology{
			Date:     t.date("date", true, pastOnly),
			Kind:     t.enum("kind", true, pathologyKinds),
			Specimen: t.str("specimen", false),
			Lab:      t.str("lab", false),
			Report:   t.file("report", false),
			Result:   t.str("result", false),
		}
		if m := t.sub("material", false); m != nil {
			p.Material = &Material{Slides: -1, Blocks: -1}
			if n, ok := m.integer("slides", false, 0, 100000); ok {
				p.Material.Slides = n
			}
			if n, ok := m.integer("blocks", false, 0, 100000); ok {
				p.Material.Blocks = n
			}
			p.Material.Location = m.str("location", false)
			p.Material.Status = m.enum("status", false, materialStatuses)
			p.Material.Tracking = m.str("tracking", false)
			p.Material.Note = m.str("note", false)
			m.finish()
		}
		c.Pathology = append(c.Pathology, p)
		t.finish()
	}
	for _, t := range root.list("treatments") {
		c.Treatments = append(c.Treatments, l.treatment(t))
		t.finish()
	}
}

func (l *loader) biomarker(t *table) Biomarker {
	b := Biomarker{Name: t.str("name", true)}
	b.Status = t.enum("status", false, biomarkerStatuses)
	if _, given := t.m["status"]; !given {
		b.Status = "resulted"
	}
	b.Result = t.str("result", false)
	if b.Status == "resulted" && b.Result == "" {
		t.errorf("result", "missing: a resulted marker needs result = \"...\"; for a test not back yet or not done, write status = \"pending\" or \"not-done\"")
	}
	b.Method = t.str("method", false)
	b.Date = t.date("date", false, pastOnly)
	b.Document = t.file("document", false)
	b.Gene = t.str("gene", false)
	b.HGVSc = t.str("hgvs_c", false)
	b.HGVSp = t.str("hgvs_p", false)
	b.VAF, b.HasVAF = t.numberIn("vaf", 0, 100, "a percentage from 0 to 100")
	b.Origin = t.enum("origin", false, variantOrigins)
	b.Significance = t.enum("significance", false, significances)
	b.Value, b.HasValue = t.numberIn("value", -1e12, 1e12, "a number")
	b.Unit = t.str("unit", false)
	b.Threshold = t.str("threshold", false)
	b.Specimen = t.str("specimen", false)
	if b.Status != "resulted" && b.Status != "" {
		for _, k := range []string{"vaf", "value", "significance", "hgvs_c", "hgvs_p"} {
			if _, given := t.m[k]; given {
				t.errorf(k, "a %s marker has no result: remove %s, or set status = \"resulted\"", b.Status, k)
			}
		}
	}
	return b
}

func (l *loader) treatment(t *table) Treatment {
	tr := Treatment{
		Kind:     t.enum("kind", true, treatmentKinds),
		Name:     t.str("name", true),
		Start:    t.date("start", true, pastOnly),
		End:      t.date("end", false, pastOnly),
		Dose:     t.str("dose", false),
		Intent:   t.str("intent", false),
		Response: t.str("response", false),
		Document: t.file("document", false),
	}
	tr.Cycles, _ = t.integer("cycles", false, 1, 1000)
	if !tr.Start.IsZero() && !tr.End.IsZero() && tr.End.End().Before(tr.Start.Start()) {
		t.errorf("end", "%s is before the start, %s", tr.End, tr.Start)
	}
	tr.Line, _ = t.integer("line", false, 1, 100)
	tr.Status = t.enum("status", false, treatmentStatuses)
	tr.EndReason = t.enum("end_reason", false, endReasons)
	tr.BestResponse = t.enum("best_response", false, responses)
	for _, a := range t.list("agents") {
		tr.Agents = append(tr.Agents, Agent{Name: a.str("name", true), Dose: a.str("dose", false)})
		a.finish()
	}
	_, statusGiven := t.m["status"]
	ended := tr.Status == "completed" || tr.Status == "stopped"
	if tr.Status == "ongoing" && !tr.End.IsZero() {
		t.errorf("end", "an ongoing treatment has no end: remove end, or set status = \"completed\" or \"stopped\"")
	}
	if tr.EndReason != "" && !ended && (tr.Status != "" || !statusGiven) {
		t.errorf("end_reason", "a reason for the end needs status = \"completed\" or \"stopped\"")
	}
	if !statusGiven && tr.End.IsZero() {
		t.l.report(Warning, t.key("status"), "neither end nor status: add status = \"ongoing\", or the end date (the portal does not guess that it is ongoing)")
	}
	return tr
}

// decodeCareAndHistory reads the plan and the rest of the record: labs,
// medications, allergies, conditions, history, events and documents.
func (l *loader) decodeCareAndHistory(c *Case, root *table) {
	if t := root.sub("plan", true); t != nil {
		p := &c.Plan
		p.Summary = t.str("summary", true)
		p.By = t.str("by", false)
		p.Date = t.date("date", false, pastOnly)
		p.Document = t.file("document", false)
		p.NextStep = t.str("next_step", false)
		p.NextStepDate = t.date("next_step_date", false, futureAllowed)
		t.finish()
	}
	for _, t := range root.list("labs") {
		lab := Lab{
			Date:     t.date("date", true, pastOnly),
			Name:     t.str("name", true),
			Unit:     t.str("unit", false),
			Range:    t.str("range", false),
			Marker:   t.boolean("marker"),
			Document: t.file("document", false),
		}
		lab.Value = labValue(t)
		if lab.Marker {
			markerValue(t, lab.Value)
		}
		c.Labs = append(c.Labs, lab)
		t.finish()
	}
	for _, t := range root.list("medications") {
		c.Medications = append(c.Medications, Medication{
			Name:  t.str("name", true),
			Dose:  t.str("dose", false),
			Since: t.date("since", false, pastOnly),
			Kind:  t.enum("kind", false, medicationKinds),
		})
		t.finish()
	}
	for _, t := range root.list("allergies") {
		c.Allergies = append(c.Allergies, Allergy{Substance: t.str("substance", true), Reaction: t.str("reaction", false)})
		t.finish()
	}
	for _, t := range root.list("conditions") {
		c.Conditions = append(c.Conditions, Condition{Name: t.str("name", true), Since: t.date("since", false, pastOnly)})
		t.finish()
	}
	if t := root.sub("history", false); t != nil {
		c.History = History{Family: t.str("family", false), Symptoms: t.str("symptoms", false), Social: t.str("social", false)}
		t.finish()
	}
	for _, t := range root.list("events") {
		kind := t.enum("kind", true, eventKinds)
		rule := pastOnly
		if kind == "planned" {
			rule = futureAllowed
		}
		c.Events = append(c.Events, Event{
			Date:     t.date("date", true, rule),
			Kind:     kind,
			Title:    t.str("title", true),
			Details:  t.str("details", false),
			Document: t.file("document", false),
		})
		t.finish()
	}
	for _, t := range root.list("documents") {
		c.Documents = append(c.Documents, Document{
			Title: t.str("title", true),
			File:  t.file("file", true),
			Date:  t.date("date", false, pastOnly),
			Kind:  t.enum("kind", false, documentKinds),
		})
		t.finish()
	}
}

// decodeReaders reads who may open the portal.
func (l *loader) decodeReaders(c *Case, root *table) {
	seen := map[string]bool{}
	for _, t := range root.list("readers") {
		r := Reader{Name: t.str("name", true), Recipient: t.str("recipient", false)}
		switch {
		case r.Name == "":
		case !readerPattern.MatchString(r.Name):
			t.errorf("name", "%q: a reader's name uses lower-case letters, digits and dashes, like \"reviewing-oncologist\"", r.Name)
		case seen[r.Name]:
			t.errorf("name", "%q is already the name of another reader: each reader needs a name of their own", r.Name)
		}
		seen[r.Name] = true
		if r.Recipient != "" && !isAgeRecipient(r.Recipient) {
			t.errorf("recipient", "%q is not an age public key: it starts with age1 (the reader makes one with age-keygen)", clip(r.Recipient))
		}
		c.Readers = append(c.Readers, r)
		t.finish()
	}
}

// decodeCourse reads the dated course of the disease: its status over time,
// the metastases and the assessments.
func (l *loader) decodeCourse(c *Case, root *table) {
	for _, t := range root.list("disease_status") {
		c.DiseaseStatus = append(c.DiseaseStatus, DiseaseStatus{
			Date:     t.date("date", true, pastOnly),
			Status:   t.enum("status", true, diseaseStatuses),
			Basis:    t.enum("basis", false, statusBases),
			Criteria: t.str("criteria", false),
			Details:  t.str("details", false),
			Document: t.file("document", false),
		})
		t.finish()
	}
	sort.SliceStable(c.DiseaseStatus, func(i, j int) bool { return c.DiseaseStatus[i].Date.Compare(c.DiseaseStatus[j].Date) < 0 })
	for _, t := range root.list("metastases") {
		c.Metastases = append(c.Metastases, Metastasis{
			Site:     t.str("site", true),
			Date:     t.date("date", false, pastOnly),
			Basis:    t.str("basis", false),
			Details:  t.str("details", false),
			Document: t.file("document", false),
		})
		t.finish()
	}
	for _, t := range root.list("assessments") {
		a := Assessment{Date: t.date("date", true, pastOnly), Kind: t.enum("kind", true, assessmentKinds), Note: t.str("note", false)}
		a.Value = assessmentValue(t, a.Kind)
		c.Assessments = append(c.Assessments, a)
		t.finish()
	}
	sort.SliceStable(c.Assessments, func(i, j int) bool { return c.Assessments[i].Date.Compare(c.Assessments[j].Date) < 0 })
}

// assessmentValue reads an assessment's value against the scale of its kind.
func assessmentValue(t *table, kind string) float64 {
	if _, ok := t.m["value"]; !ok {
		t.missing("value", "a number (ECOG 0-5, Karnofsky 0-100, weight in kg, height in cm)")
		return 0
	}
	f, ok := t.float("value")
	if !ok {
		return 0
	}
	switch kind {
	case "ecog":
		if f != float64(int(f)) || f < 0 || f > 5 {
			t.errorf("value", "%g is not an ECOG grade: expected a whole number from 0 to 5", f)
		}
	case "karnofsky":
		if f != float64(int(f)) || f < 0 || f > 100 || int(f)%10 != 0 {
			t.errorf("value", "%g is not a Karnofsky score: expected 0 to 100 in steps of 10", f)
		}
	case "weight":
		if f <= 0.5 || f > 650 {
			t.errorf("value", "%g kg is out of range: expected more than 0.5 and at most 650 (weight in kg)", f)
		}
	case "height":
		if f <= 20 || f > 272 {
			t.errorf("value", "%g cm is out of range: expected more than 20 and at most 272 (height in cm)", f)
		}
	}
	return f
}

// decodeTranslations reads the translations of attached records. It runs
// after every other key has named its files, so that it can tell whether
// the original is a record of the case.
func (l *loader) decodeTranslations(c *Case, root *table) {
	for _, t := range root.list("translations") {
		tr := Translation{Language: l.language(t, "language"), By: t.str("by", false)}
		if _, given := t.m["language"]; !given {
			t.missing("language", `a language code like "en"`)
		}
		if s := t.str("original", true); s != "" {
			if _, known := l.byPath[path.Clean(s)]; !known {
				t.errorf("original", "%q is not a file any other key of case.toml names: a translation is of an attached record (give that record first, e.g. as a report or a [[documents]] file)", clip(s))
			} else {
				tr.Original = t.l.attach(t.key("original"), s)
			}
		}
		tr.File = t.file("file", true)
		if tr.File != nil && tr.File == tr.Original {
			t.errorf("file", "is the original itself: name the translated file")
		}
		c.Translations = append(c.Translations, tr)
		t.finish()
	}
}

// crossCheck applies the rules that relate one record to another.
func (l *loader) crossCheck(c *Case) {
	dates := map[Date]bool{}
	for _, im := range c.Imaging {
		dates[im.Date] = true
	}
	for i, im := range c.Imaging {
		if im.ComparedWith.IsZero() {
			continue
		}
		key := fmt.Sprintf("imaging[%d].compared_with", i+1)
		switch {
		case !dates[im.ComparedWith]:
			var known []string
			for _, o := range c.Imaging {
				if o.Date.Compare(im.Date) < 0 {
					known = append(known, o.Date.String())
				}
			}
			msg := fmt.Sprintf("%s is not the date of any [[imaging]] entry: give the date of the earlier study this one was compared with", im.ComparedWith)
			if len(known) > 0 {
				msg += "; the earlier studies are of " + strings.Join(uniqueSorted(known), ", ")
			}
			l.report(Error, key, "%s", msg)
		case im.ComparedWith.Compare(im.Date) >= 0:
			l.report(Error, key, "%s is not before this study (%s): a study is compared with an earlier one", im.ComparedWith, im.Date)
		}
	}
	none := -1
	for i, m := range c.Medications {
		if strings.EqualFold(m.Name, "none") {
			none = i
		}
	}
	if none >= 0 && len(c.Medications) > 1 {
		l.report(Error, fmt.Sprintf("medications[%d].name", none+1), "\"none\" records that the patient takes no medication, but other [[medications]] are listed: remove one or the other")
	}
}

// numberIn reads an optional number within [min, max]; ok is false when
// absent or invalid.
func (t *table) numberIn(k string, min, max float64, what string) (f float64, ok bool) {
	v, present := t.get(k)
	if !present {
		return 0, false
	}
	switch v := v.(type) {
	case int64:
		f = float64(v)
	case float64:
		f = v
	default:
		t.errorf(k, "expected %s without quotes, found %s", what, typeName(v))
		return 0, false
	}
	if f != f || f < min || f > max {
		t.errorf(k, "%g is out of range: expected %s", f, what)
		return 0, false
	}
	return f, true
}
