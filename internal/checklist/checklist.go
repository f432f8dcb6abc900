// Package checklist decides whether a case holds the records a reviewing
// doctor needs: the required and recommended records of the case format,
// defined as data in content/checklist.toml so that "caseport check" and the
// portal's completeness section show one and the same list.
package checklist

import (
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/caseport/caseport/content"
	"github.com/caseport/caseport/internal/casedir"
)

// Level says what a missing record means.
type Level string

// The levels of the checklist.
const (
	Required    Level = "required"
	Recommended Level = "recommended"
)

// Status is the outcome of one item for one case.
type Status string

// The outcomes of an item.
const (
	Present       Status = "present"
	Missing       Status = "missing"
	NotApplicable Status = "not-applicable" // e.g. treatment history before any treatment
)

// Item is one evaluated record of the checklist.
type Item struct {
	ID     string `json:"id"`
	Level  Level  `json:"level"`
	Status Status `json:"status"`
	Title  string `json:"title"`
	// Reason says why the reviewing doctor needs the record.
	Reason string `json:"reason"`
	// Detail says what to do when the record is missing, with the case's
	// figures filled in; empty otherwise.
	Detail string `json:"detail,omitempty"`
}

// Report is the checklist evaluated for one case.
type Report struct {
	Items []Item `json:"items"`
}

// Ready reports whether every required record is present.
func (r Report) Ready() bool {
	for _, it := range r.Items {
		if it.Level == Required && it.Status == Missing {
			return false
		}
	}
	return true
}

// ByLevel returns the items of one level, in checklist order.
func (r Report) ByLevel(l Level) []Item {
	var out []Item
	for _, it := range r.Items {
		if it.Level == l {
			out = append(out, it)
		}
	}
	return out
}

// definition is one [[item]] of content/checklist.toml.
type definition struct {
	ID      string
	Level   Level
	Rule    string
	Days    int
	Title   string
	Reason  string
	Missing string
	// None replaces Missing when the case has no record of the kind at all.
	None string
}

type definitions struct {
	PathologyReviewWords []string `toml:"pathology_review_words"`
	Item                 []definition
}

type text struct{ Title, Reason, Missing, None string }

// Evaluate checks c against the checklist, with titles and reasons in the
// case's language where a translation exists, in English otherwise.
func Evaluate(c *casedir.Case) (Report, error) { return EvaluateIn(content.FS, c) }

// EvaluateIn is Evaluate with the checklist definitions and translations
// of files, a content/ tree ("caseport serve" with CASEPORT_SOURCE).
func EvaluateIn(files fs.FS, c *casedir.Case) (Report, error) {
	defs, err := loadDefinitions(files)
	if err != nil {
		return Report{}, err
	}
	tr, err := translations(files, baseLanguage(c.Language))
	if err != nil {
		return Report{}, err
	}
	var r Report
	for _, d := range defs.Item {
		rule, ok := rules[d.Rule]
		if !ok {
			return Report{}, fmt.Errorf("content/checklist.toml: item %q: unknown rule %q", d.ID, d.Rule)
		}
		status, facts := rule(c, d, defs)
		t := text{d.Title, d.Reason, d.Missing, d.None}
		if x, ok := tr[d.ID]; ok {
			t = mergeText(t, x)
		}
		facts["days"] = strconv.Itoa(d.Days)
		it := Item{ID: d.ID, Level: d.Level, Status: status, Title: fill(t.Title, facts), Reason: fill(t.Reason, facts)}
		if status == Missing {
			detail := t.Missing
			if facts["none"] != "" && t.None != "" {
				detail = t.None
			}
			it.Detail = fill(detail, facts)
		}
		r.Items = append(r.Items, it)
	}
	return r, nil
}

// Untranslated lists the checklist ids that have no translation for lang,
// so check can say what falls back to English.
func Untranslated(lang string) ([]string, error) {
	lang = baseLanguage(lang)
	if lang == "en" {
		return nil, nil
	}
	defs, err := loadDefinitions(content.FS)
	if err != nil {
		return nil, err
	}
	tr, err := translations(content.FS, lang)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, d := range defs.Item {
		x, ok := tr[d.ID]
		if !ok || x.Title == "" || x.Reason == "" || x.Missing == "" {
			out = append(out, d.ID)
		}
	}
	return out, nil
}

func mergeText(base, x text) text {
	if x.Title != "" {
		base.Title = x.Title
	}
	if x.Reason != "" {
		base.Reason = x.Reason
	}
	if x.Missing != "" {
		base.Missing = x.Missing
	}
	if x.None != "" {
		base.None = x.None
	}
	return base
}

func loadDefinitions(files fs.FS) (definitions, error) {
	var defs definitions
	b, err := fs.ReadFile(files, "checklist.toml")
	if err != nil {
		return defs, fmt.Errorf("checklist definitions: %w", err)
	}
	md, err := toml.Decode(string(b), &defs)
	if err != nil {
		return defs, fmt.Errorf("content/checklist.toml: %w", err)
	}
	if u := md.Undecoded(); len(u) > 0 {
		return defs, fmt.Errorf("content/checklist.toml: unknown keys %v", u)
	}
	return defs, nil
}

func translations(files fs.FS, lang string) (map[string]text, error) {
	tr := map[string]text{}
	if lang == "en" {
		return tr, nil
	}
	b, err := fs.ReadFile(files, "i18n/"+lang+"/checklist.toml")
	if err != nil {
		return tr, nil // no translation: English
	}
	if _, err := toml.Decode(string(b), &tr); err != nil {
		return nil, fmt.Errorf("content/i18n/%s/checklist.toml: %w", lang, err)
	}
	return tr, nil
}

// baseLanguage reduces a BCP 47 tag to its language: "ru-RU" -> "ru".
func baseLanguage(tag string) string {
	if tag == "" {
		return "en"
	}
	return strings.ToLower(strings.SplitN(tag, "-", 2)[0])
}

var placeholder = regexp.MustCompile(`\{[a-z]+\}`)

func fill(s string, facts map[string]string) string {
	return placeholder.ReplaceAllStringFunc(s, func(p string) string {
		if v, ok := facts[p[1:len(p)-1]]; ok {
			return v
		}
		return p
	})
}

// A rule decides one item, returning facts for its texts' placeholders.
type rule func(c *casedir.Case, d definition, defs definitions) (Status, map[string]string)

var rules = map[string]rule{
	"diagnosis": func(c *casedir.Case, _ definition, _ definitions) (Status, map[string]string) {
		return present(c.Diagnosis.Name != "" && !c.Diagnosis.Date.IsZero()), facts()
	},
	"pathology-report": func(c *casedir.Case, _ definition, _ definitions) (Status, map[string]string) {
		for _, p := range c.Pathology {
			if p.Report != nil {
				return Present, facts()
			}
		}
		return Missing, facts()
	},
	"imaging-report": func(c *casedir.Case, _ definition, _ definitions) (Status, map[string]string) {
		for _, im := range c.Imaging {
			if im.Report != nil {
				return Present, facts()
			}
		}
		return Missing, facts()
	},
	"plan": func(c *casedir.Case, _ definition, _ definitions) (Status, map[string]string) {
		return present(c.Plan.Summary != ""), facts()
	},
	"questions": func(c *casedir.Case, _ definition, _ definitions) (Status, map[string]string) {
		return present(c.Questions.Count() > 0), facts()
	},
	"stage": func(c *casedir.Case, _ definition, _ definitions) (Status, map[string]string) {
		return present(c.Stage != nil), facts()
	},
	"biomarkers": func(c *casedir.Case, _ definition, _ definitions) (Status, map[string]string) {
		return present(len(c.Biomarkers) > 0), facts()
	},
	"images-latest": func(c *casedir.Case, _ definition, _ definitions) (Status, map[string]string) {
		latest, ok := latestImaging(c)
		if !ok {
			return NotApplicable, facts()
		}
		return present(latest.Images != nil || latest.Link != ""), facts("date", latest.Date.String())
	},
	"imaging-recent": func(c *casedir.Case, d definition, _ definitions) (Status, map[string]string) {
		latest, ok := latestImaging(c)
		if !ok {
			return Missing, facts("none", "yes")
		}
		age := latest.Date.DaysBefore(c.PreparedOn)
		return present(age <= d.Days), facts("date", latest.Date.String(), "age", strconv.Itoa(age))
	},
	"treatments": func(c *casedir.Case, _ definition, _ definitions) (Status, map[string]string) {
		if len(c.Treatments) > 0 {
			return Present, facts()
		}
		for _, e := range c.Events {
			if e.Kind == "treatment" {
				return Missing, facts()
			}
		}
		return NotApplicable, facts()
	},
	"medications": func(c *casedir.Case, _ definition, _ definitions) (Status, map[string]string) {
		return present(len(c.Medications) > 0), facts()
	},
	"allergies": func(c *casedir.Case, _ definition, _ definitions) (Status, map[string]string) {
		return present(len(c.Allergies) > 0), facts()
	},
	"labs-recent": func(c *casedir.Case, d definition, _ definitions) (Status, map[string]string) {
		// Tumour markers say nothing about whether a treatment can be given.
		var latest casedir.Date
		for _, l := range c.Labs {
			if !l.Marker && l.Date.Compare(latest) > 0 {
				latest = l.Date
			}
		}
		if latest.IsZero() {
			return Missing, facts("none", "yes")
		}
		age := latest.DaysBefore(c.PreparedOn)
		return present(age <= d.Days), facts("date", latest.String(), "age", strconv.Itoa(age))
	},
	"disease-status-recent": func(c *casedir.Case, d definition, _ definitions) (Status, map[string]string) {
		if !c.OngoingTreatment() {
			return NotApplicable, facts()
		}
		latest := c.LatestDiseaseStatus()
		if latest == nil {
			return Missing, facts("none", "yes")
		}
		age := latest.Date.DaysBefore(c.PreparedOn)
		return present(age <= d.Days), facts("date", latest.Date.String(), "age", strconv.Itoa(age))
	},
	"best-response": func(c *casedir.Case, _ definition, _ definitions) (Status, map[string]string) {
		var ended, lacking []string
		for i, t := range c.Treatments {
			if !t.Systemic() || (t.Status != "completed" && t.Status != "stopped") {
				continue
			}
			ended = append(ended, t.Name)
			if t.BestResponse == "" {
				lacking = append(lacking, fmt.Sprintf("[[treatments]] %d (%s)", i+1, t.Name))
			}
		}
		if len(ended) == 0 {
			return NotApplicable, facts()
		}
		return present(len(lacking) == 0), facts("entries", strings.Join(lacking, ", "))
	},
	"operative-report": func(c *casedir.Case, _ definition, _ definitions) (Status, map[string]string) {
		var surgeries []string
		for i, t := range c.Treatments {
			if t.Kind != "surgery" {
				continue
			}
			if t.Document != nil {
				return Present, facts()
			}
			surgeries = append(surgeries, fmt.Sprintf("[[treatments]] %d, %s", i+1, t.Name))
		}
		if len(surgeries) == 0 {
			return NotApplicable, facts()
		}
		for _, d := range c.Documents {
			if d.Kind == "operative" {
				return Present, facts()
			}
		}
		return Missing, facts("entries", strings.Join(surgeries, "; "))
	},
	"family-history": func(c *casedir.Case, _ definition, _ definitions) (Status, map[string]string) {
		return present(c.History.Family != ""), facts()
	},
	"symptoms": func(c *casedir.Case, _ definition, _ definitions) (Status, map[string]string) {
		return present(c.History.Symptoms != ""), facts()
	},
	"material-status": func(c *casedir.Case, _ definition, defs definitions) (Status, map[string]string) {
		if !asksPathologyReview(c, defs.PathologyReviewWords) || len(c.Pathology) == 0 {
			return NotApplicable, facts()
		}
		var lacking []string
		for i, p := range c.Pathology {
			if p.Kind == "review" {
				continue // a review looks at another entry's slides and blocks
			}
			if p.Material == nil || p.Material.Status == "" {
				lacking = append(lacking, fmt.Sprintf("[[pathology]] %d (%s)", i+1, p.Date))
			}
		}
		return present(len(lacking) == 0), facts("entries", strings.Join(lacking, ", "))
	},
	"summary": func(c *casedir.Case, _ definition, _ definitions) (Status, map[string]string) {
		return present(c.Summary != nil), facts()
	},
}

func present(ok bool) Status {
	if ok {
		return Present
	}
	return Missing
}

func facts(kv ...string) map[string]string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

func latestImaging(c *casedir.Case) (casedir.Imaging, bool) {
	if len(c.Imaging) == 0 {
		return casedir.Imaging{}, false
	}
	studies := append([]casedir.Imaging(nil), c.Imaging...)
	sort.SliceStable(studies, func(i, j int) bool { return studies[i].Date.Compare(studies[j].Date) > 0 })
	return studies[0], true
}

// asksPathologyReview reports whether the request's reason or the questions
// ask for the pathology to be reviewed.
func asksPathologyReview(c *casedir.Case, words []string) bool {
	// Russian writes ё as е as often as not: compare without the difference.
	fold := strings.NewReplacer("ё", "е").Replace
	text := fold(strings.ToLower(c.Request.Reason + "\n" + string(c.Questions.Source)))
	for _, w := range words {
		if strings.Contains(text, fold(strings.ToLower(w))) {
			return true
		}
	}
	return false
}
