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
	"github.com/caseport/caseport/internal/inside"
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
	if c.Placeholders, err = placeholders(c, l.caseTOML, l.lines); err != nil {
		return nil, err
	}
	return c, nil
}

type loader struct {
	given   string // the directory as given, for messages
	dir     string // absolute
	realDir string // absolute, symbolic links resolved
	today   Date

	file     string // the file being read, for problems
	caseTOML string // the text of case.toml
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
		l.caseTOML = src
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
	// A FIFO named questions.md would hang the loader (and, through it,
	// check, build and serve): the file is opened only once known to be a
	// regular file inside the folder, and without blocking.
	f, err := inside.OpenRegular(l.realDir, filepath.Join(l.dir, name))
	switch {
	case errors.Is(err, os.ErrNotExist):
		if required {
			l.report(Error, "", "missing: the case folder needs a %s (caseport new makes one to start from)", name)
		}
		return "", false
	case errors.Is(err, inside.ErrOutside):
		l.report(Error, "", "is a link to a file outside the case folder: copy the file itself into the case folder")
		return "", false
	case errors.Is(err, inside.ErrNotRegular):
		l.report(Error, "", "is not a regular file (a folder, a FIFO or a device): make it a plain text file")
		return "", false
	case err != nil:
		l.report(Error, "", "cannot read: %v", err)
		return "", false
	}
	defer f.Close()
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

var readerPattern = regexp.MustCompile(`^[a-z0-9-]+$`)

// The enumerations of the case format.
var (
	sexes            = []string{"female", "male", "other", "unknown"}
	requestModes     = []string{"remote", "in-person", "either"}
	urgencies        = []string{"routine", "soon", "urgent"}
	stageKinds       = []string{"clinical", "pathological", "post-therapy", "recurrence"}
	modalities       = []string{"CT", "MRI", "PET-CT", "PET", "US", "X-ray", "mammogram", "endoscopy", "bone-scan", "other"}
	pathologyKinds   = []string{"biopsy", "resection", "cytology", "review"}
	materialStatuses = []string{"at-lab", "requested", "in-transit", "received", "not-available"}
	treatmentKinds   = []string{"surgery", "chemotherapy", "radiotherapy", "immunotherapy", "targeted", "hormonal", "transplant", "other"}
	eventKinds       = []string{"symptom", "visit", "procedure", "imaging", "lab", "treatment", "decision", "planned", "other"}
	documentKinds    = []string{"discharge", "operative", "consultation", "letter", "lab", "other"}
)

// decodeCase parses case.toml and decodes it phase by phase (see
// decodecase.go), then reports the keys no phase asked for.
func (l *loader) decodeCase(c *Case, src string) {
	if line, msg := nestingProblem(src); line > 0 {
		l.problems = append(l.problems, Problem{File: caseFile, Line: line, Message: "TOML: " + msg})
		return
	}
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

	l.decodeHeader(c, root)
	l.decodePicture(c, root)
	l.decodeRecords(c, root)
	l.decodeCareAndHistory(c, root)
	l.decodeReaders(c, root)
	l.decodeReply(c, root)
	l.decodeCourse(c, root)
	l.decodeTranslations(c, root)
	l.crossCheck(c)
	root.finish()
}

// decodeReply reads the optional [reply]: without it the portal has the
// reply form, sealed to the coordinator's own key.
func (l *loader) decodeReply(c *Case, root *table) {
	c.Reply = Reply{Enabled: true}
	if t := root.sub("reply", false); t != nil {
		c.Reply = l.reply(t)
	}
}

// reply reads [reply]: both keys are optional.
func (l *loader) reply(t *table) Reply {
	r := Reply{Enabled: true, Recipient: t.str("recipient", false)}
	if _, ok := t.m["enabled"]; ok {
		r.Enabled = t.boolean("enabled")
	} else {
		t.get("enabled") // known, though absent
	}
	if r.Recipient != "" && !isAgeRecipient(r.Recipient) {
		t.errorf("recipient", "%q is not an age public key: it starts with age1 (print yours with caseport reply key)", clip(r.Recipient))
	}
	if !r.Enabled && r.Recipient != "" {
		l.report(Warning, t.key("recipient"), "unused: enabled = false leaves the reply form out of the portal; remove the recipient or the enabled line")
	}
	t.finish()
	return r
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
	p.MenopausalStatus = t.enum("menopausal_status", false, menopausalStatuses)
	p.Pregnancy = t.enum("pregnancy", false, pregnancies)
	p.Fertility = t.str("fertility", false)
	p.Goals = t.str("goals", false)
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

var (
	// markerBound is a tumour marker's value below or above what the lab
	// measures ("<0.5", ">1000"); the chart draws it at the bound.
	markerBound = regexp.MustCompile(`^(?:<=|>=|<|>|≤|≥)\s*[0-9]+(?:\.[0-9]+)?$`)
	// decimalComma is a number written with a comma: "18,2".
	decimalComma = regexp.MustCompile(`^(<=|>=|<|>|≤|≥)?\s*(-?[0-9]+),([0-9]+)$`)
	// numberWithUnit is a number followed by text: "18.2 U/ml".
	numberWithUnit = regexp.MustCompile(`^(-?[0-9]+(?:[.,][0-9]+)?)\s*(\S.*)$`)
)

// markerValue reports a tumour marker's value the chart cannot draw: a
// marker is charted, so text that is neither a number nor a bound would
// drop out of the trend while the chart still counted it.
func markerValue(t *table, v LabValue) {
	if v.IsNumber || v.Text == "" || markerBound.MatchString(v.Text) {
		return
	}
	if m := decimalComma.FindStringSubmatch(v.Text); m != nil {
		if m[1] != "" {
			t.errorf("value", "%q: a decimal comma; write %q (a point for the decimals)", v.Text, m[1]+m[2]+"."+m[3])
			return
		}
		t.errorf("value", "%q is not a number (a decimal comma); write %s (a point for the decimals, no quotes)", v.Text, m[2]+"."+m[3])
		return
	}
	if m := numberWithUnit.FindStringSubmatch(v.Text); m != nil {
		t.errorf("value", "%q: a number with text after it; write value = %s and the unit in unit = %q", v.Text, strings.Replace(m[1], ",", ".", 1), m[2])
		return
	}
	t.errorf("value", "%q is not a number: a tumour marker (marker = true) is charted, so write a number like 18.2 or a bound like \"<0.5\"; a result without a number belongs to [[biomarkers]], or set marker = false", v.Text)
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
