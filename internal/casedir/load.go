package casedir

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"filippo.io/age"
	"github.com/BurntSushi/toml"
)

const (
	caseFile      = "case.toml"
	questionsFile = "questions.md"
	summaryFile   = "summary.md"
	notesFile     = "notes.md"

	// maxTextSize bounds case.toml and the Markdown files: real ones are a
	// few kilobytes, and a larger file is almost surely the wrong file.
	maxTextSize = 1 << 20
)

// Options adjust Load.
type Options struct {
	// Today is the date against which dates in the future are refused; the
	// zero Date means the current local date.
	Today Date
}

// Load reads and validates the case directory dir. It returns the case, or
// a *Problems error listing every error found. Warnings (such as raw HTML in
// Markdown) are returned in Case.Warnings of a valid case.
func Load(dir string) (*Case, error) {
	return LoadWith(dir, Options{})
}

// LoadWith is Load with options.
func LoadWith(dir string, opt Options) (*Case, error) {
	l := &loader{given: dir, today: opt.Today, byPath: map[string]*Attachment{}}
	if l.today.IsZero() {
		l.today = FromTime(time.Now())
	}
	c, err := l.load()
	if err != nil {
		return nil, err
	}
	if errs := l.errors(); len(errs) > 0 {
		return nil, &Problems{Dir: dir, List: errs}
	}
	c.Warnings = l.warnings()
	return c, nil
}

type loader struct {
	given   string // the directory as given, for messages
	dir     string // absolute
	realDir string // absolute, symbolic links resolved
	today   Date

	file     string // the file being read, for problems
	lines    keyLines
	problems []Problem

	decoded     bool // case.toml parsed, so its references are known
	byPath      map[string]*Attachment
	attachments []*Attachment
	files       []string // the case folder's files, once listed
}

func (l *loader) report(sev Severity, key, format string, args ...any) {
	line := 0
	if l.file == caseFile && l.lines != nil {
		line = l.lines.line(key)
	}
	l.problems = append(l.problems, Problem{Severity: sev, File: l.file, Line: line, Key: key, Message: fmt.Sprintf(format, args...)})
}

func (l *loader) bySeverity(sev Severity) []Problem {
	var out []Problem
	for _, p := range l.problems {
		if p.Severity == sev {
			out = append(out, p)
		}
	}
	sortProblems(out)
	return out
}

func (l *loader) errors() []Problem   { return l.bySeverity(Error) }
func (l *loader) warnings() []Problem { return l.bySeverity(Warning) }

// Folder returns the absolute path of the case folder given, or an error
// that says what to do when it is missing or not a folder. Load, and every
// command that takes a case folder, use it, so they all say the same.
func Folder(given string) (string, error) {
	abs, err := filepath.Abs(given)
	if err != nil {
		return "", fmt.Errorf("case %s: %w", given, err)
	}
	info, err := os.Stat(abs)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("case %s: no such folder (create one with: caseport new %s)", given, given)
		}
		return "", fmt.Errorf("case %s: %w", given, err)
	}
	if !info.IsDir() {
		return "", fmt.Errorf("case %s: not a folder: give the case folder, the one that holds case.toml", given)
	}
	return abs, nil
}

// load returns a non-nil error only when the directory itself cannot be
// read; problems with its contents are collected in l.problems.
func (l *loader) load() (*Case, error) {
	abs, err := Folder(l.given)
	if err != nil {
		return nil, err
	}
	l.dir = abs
	if l.realDir, err = filepath.EvalSymlinks(abs); err != nil {
		return nil, fmt.Errorf("case %s: %w", l.given, err)
	}

	c := &Case{Dir: abs}
	l.file = caseFile
	src, ok := l.readText(caseFile, true)
	if ok {
		l.decodeCase(c, src)
	}
	l.file = ""
	c.Attachments = l.attachments

	l.file = questionsFile
	if src, ok := l.readText(questionsFile, true); ok {
		c.Questions = l.questions(src)
	}
	l.file = summaryFile
	c.Summary = l.optionalMarkdown(summaryFile)
	l.file = notesFile
	c.Notes = l.optionalMarkdown(notesFile)
	l.file = ""
	c.Unreferenced = l.unreferenced()
	return c, nil
}

// readText reads one of the case's text files, checking that it is a regular
// file inside the folder, of a sane size, and UTF-8.
func (l *loader) readText(name string, required bool) (string, bool) {
	p := filepath.Join(l.dir, name)
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			if required {
				l.report(Error, "", "missing: the case folder needs a %s (caseport new makes one to start from)", name)
			}
		} else {
			l.report(Error, "", "cannot read: %v", err)
		}
		return "", false
	}
	if !within(l.realDir, real) {
		l.report(Error, "", "is a link to a file outside the case folder: copy the file itself into the case folder")
		return "", false
	}
	f, err := os.Open(real)
	if err != nil {
		l.report(Error, "", "cannot read: %v", err)
		return "", false
	}
	defer f.Close()
	if info, err := f.Stat(); err != nil || !info.Mode().IsRegular() {
		l.report(Error, "", "is not a regular file")
		return "", false
	}
	b, err := io.ReadAll(io.LimitReader(f, maxTextSize+1))
	if err != nil {
		l.report(Error, "", "cannot read: %v", err)
		return "", false
	}
	if len(b) > maxTextSize {
		l.report(Error, "", "is larger than %d KiB: is it the right file? Attachments belong in sub-folders, referenced from case.toml", maxTextSize>>10)
		return "", false
	}
	if !utf8.Valid(b) {
		bad := len(b)
		for i := 0; i < len(b); {
			r, size := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && size == 1 {
				bad = i
				break
			}
			i += size
		}
		l.problems = append(l.problems, Problem{File: l.file, Line: 1 + strings.Count(string(b[:bad]), "\n"),
			Message: "is not UTF-8 text: save it as UTF-8 (in most editors: Save As, encoding UTF-8)"})
		return "", false
	}
	return strings.TrimPrefix(string(b), "\ufeff"), true
}

var (
	idPattern     = regexp.MustCompile(`^[a-z0-9-]{3,64}$`)
	readerPattern = regexp.MustCompile(`^[a-z0-9-]+$`)
	themePattern  = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)
	langPattern   = regexp.MustCompile(`^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$`)
)

// The enumerations of the case format.
var (
	sexes            = []string{"female", "male", "other", "unknown"}
	requestModes     = []string{"remote", "in-person", "either"}
	urgencies        = []string{"routine", "soon", "urgent"}
	stageKinds       = []string{"clinical", "pathological", "post-therapy"}
	modalities       = []string{"CT", "MRI", "PET-CT", "PET", "US", "X-ray", "mammogram", "endoscopy", "bone-scan", "other"}
	pathologyKinds   = []string{"biopsy", "resection", "cytology", "review"}
	materialStatuses = []string{"at-lab", "requested", "in-transit", "received", "not-available"}
	treatmentKinds   = []string{"surgery", "chemotherapy", "radiotherapy", "immunotherapy", "targeted", "hormonal", "transplant", "other"}
	eventKinds       = []string{"symptom", "visit", "procedure", "imaging", "lab", "treatment", "decision", "planned", "other"}
	documentKinds    = []string{"discharge", "operative", "consultation", "letter", "lab", "other"}
)

func (l *loader) decodeCase(c *Case, src string) {
	var raw map[string]any
	if _, err := toml.Decode(src, &raw); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			l.problems = append(l.problems, syntaxProblem(src, pe))
		} else {
			l.problems = append(l.problems, Problem{File: caseFile, Message: "TOML syntax: " + err.Error()})
		}
		return
	}
	l.lines = scanKeyLines(src)
	l.decoded = true
	root := &table{l: l, m: raw}

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
	if t := root.sub("stage", false); t != nil {
		c.Stage = &Stage{
			System: t.str("system", false),
			Kind:   t.enum("kind", false, stageKinds),
			T:      t.str("t", false),
			N:      t.str("n", false),
			M:      t.str("m", false),
			Group:  t.str("group", false),
			Date:   t.date("date", false, pastOnly),
			Notes:  t.str("notes", false),
		}
		t.finish()
	}
	for _, t := range root.list("biomarkers") {
		c.Biomarkers = append(c.Biomarkers, Biomarker{
			Name:     t.str("name", true),
			Result:   t.str("result", true),
			Method:   t.str("method", false),
			Date:     t.date("date", false, pastOnly),
			Document: t.file("document", false),
		})
		t.finish()
	}
	for _, t := range root.list("imaging") {
		c.Imaging = append(c.Imaging, Imaging{
			Date:     t.date("date", true, pastOnly),
			Modality: t.enum("modality", true, modalities),
			Region:   t.str("region", false),
			Report:   t.file("report", false),
			Images:   t.file("images", false),
			Link:     t.link("link"),
			Findings: t.str("findings", false),
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
		c.Treatments = append(c.Treatments, tr)
		t.finish()
	}
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
		c.Labs = append(c.Labs, lab)
		t.finish()
	}
	for _, t := range root.list("medications") {
		c.Medications = append(c.Medications, Medication{
			Name:  t.str("name", true),
			Dose:  t.str("dose", false),
			Since: t.date("since", false, pastOnly),
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
	root.finish()
}

func (l *loader) patient(p *Patient, t *table) {
	p.Alias = t.str("alias", true)
	p.Name = t.str("name", false)
	p.Sex = t.enum("sex", false, sexes)
	if y, ok := t.integer("birth_year", false, 1900, int64(l.today.Year)); ok {
		p.BirthYear = y
	}
	p.BirthDate = t.date("birth_date", false, pastOnly)
	if !p.BirthDate.IsZero() {
		if p.BirthYear != 0 && p.BirthYear != p.BirthDate.Year {
			t.errorf("birth_year", "%d does not match birth_date %s: give one of the two", p.BirthYear, p.BirthDate)
		}
		p.BirthYear = p.BirthDate.Year
	}
	p.Country = t.str("country", false)
	for i, lang := range t.strList("languages") {
		if !langPattern.MatchString(lang) {
			t.errorf("languages", "entry %d, %q: expected a language code like \"en\" or \"ru\"", i+1, lang)
			continue
		}
		p.Languages = append(p.Languages, lang)
	}
	p.PerformanceStatus = t.str("performance_status", false)
	p.HeightCM = t.number("height_cm", 20, 272)
	p.WeightKG = t.number("weight_kg", 0.5, 650)
	t.finish()
}

func (l *loader) language(t *table, k string) string {
	s := t.str(k, false)
	if s != "" && !langPattern.MatchString(s) {
		t.errorf(k, "%q: expected a language code like \"en\", \"ru\" or \"pt-BR\"", s)
		return ""
	}
	return s
}

func labValue(t *table) LabValue {
	v, ok := t.get("value")
	if !ok {
		t.missing("value", `a number like 4.1, or text like "<0.5"`)
		return LabValue{}
	}
	switch v := v.(type) {
	case int64:
		return LabValue{Number: float64(v), IsNumber: true}
	case float64:
		return LabValue{Number: v, IsNumber: true}
	case string:
		if strings.TrimSpace(v) == "" {
			t.errorf("value", "must not be empty")
		}
		return LabValue{Text: strings.TrimSpace(v)}
	}
	t.errorf("value", `expected a number like 4.1, or text like "<0.5"; found %s`, typeName(v))
	return LabValue{}
}

func isAgeRecipient(s string) bool {
	if _, err := age.ParseX25519Recipient(s); err == nil {
		return true
	}
	_, err := age.ParseHybridRecipient(s)
	return err == nil
}

// indexedKey turns the TOML library's key of a syntax error
// ("treatments.start") into the key path with array indexes
// ("treatments[2].start"): the nearest such key at or before the line.
func indexedKey(kl keyLines, key string, line int) string {
	best, bestLine := key, 0
	for path, n := range kl {
		if n <= line && n > bestLine && stripIndexes(path) == key {
			best, bestLine = path, n
		}
	}
	return best
}

var indexes = regexp.MustCompile(`\[\d+\]`)

func stripIndexes(path string) string { return indexes.ReplaceAllString(path, "") }
