package scaffold

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/caseport/caseport/content"
	"github.com/caseport/caseport/internal/casedir"
)

var day = time.Date(2026, 11, 20, 15, 4, 5, 0, time.Local)

// umask returns the process's file mode creation mask, found by creating a
// file that asks for every permission.
func umask(t *testing.T) fs.FileMode {
	t.Helper()
	p := filepath.Join(t.TempDir(), "probe")
	if err := os.WriteFile(p, nil, 0o777); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return 0o777 &^ info.Mode().Perm()
}

// entries lists a folder's entry names, sorted.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	list, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range list {
		names = append(names, e.Name())
	}
	return names
}

func TestCreate(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "Gastric 2026_041")
	if err := Create(dir, Options{Today: day}); err != nil {
		t.Fatal(err)
	}
	mask := umask(t)
	want := []string{"case.toml", "documents", "imaging", "labs", "notes.md", "pathology", "questions.md", "summary.md"}
	if got := entries(t, dir); !slices.Equal(got, want) {
		t.Fatalf("case folder holds %q, want %q", got, want)
	}
	for _, name := range []string{"case.toml", "questions.md", "summary.md", "notes.md"} {
		info, err := os.Lstat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if !info.Mode().IsRegular() || info.Size() == 0 {
			t.Errorf("%s: mode %v, size %d: want a non-empty regular file", name, info.Mode(), info.Size())
		}
		if perm := info.Mode().Perm(); perm != 0o644&^mask {
			t.Errorf("%s: permissions %v, want %v", name, perm, 0o644&^mask)
		}
	}
	for _, name := range append([]string{"."}, Folders...) {
		info, err := os.Lstat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if !info.IsDir() {
			t.Fatalf("%s is not a folder", name)
		}
		if perm := info.Mode().Perm(); perm != 0o755&^mask {
			t.Errorf("%s: permissions %v, want %v", name, perm, 0o755&^mask)
		}
		if name != "." && len(entries(t, filepath.Join(dir, name))) != 0 {
			t.Errorf("%s is not empty", name)
		}
	}
	// Nothing is left of the folder the case was built in.
	if got := entries(t, parent); !slices.Equal(got, []string{"Gastric 2026_041"}) {
		t.Errorf("the parent folder holds %q, want only the case", got)
	}

	b, err := os.ReadFile(filepath.Join(dir, "case.toml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{`id = "gastric-2026-041"`, `language = "en"`, `prepared_on = 2026-11-20`, `format = 1`} {
		if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(line) + `\s`).Match(b) {
			t.Errorf("case.toml lacks the line %q", line)
		}
	}
	q, _ := os.ReadFile(filepath.Join(dir, "questions.md"))
	bank, _ := fs.ReadFile(content.FS, "questions/en.md")
	if !bytes.HasPrefix(q, []byte("# ")) || !bytes.HasSuffix(q, bank) {
		t.Errorf("questions.md is not a heading, guidance, then the English question bank:\n%s", q)
	}
}

func TestCreateInEmptyFolder(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "lymphoma-2026-007")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := Create(dir, Options{Today: day, Language: "ru"}); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	// The folder itself is kept, with the permissions the coordinator gave it.
	if info.Mode().Perm() != 0o700 {
		t.Errorf("the folder's permissions changed to %v", info.Mode().Perm())
	}
	want := []string{"case.toml", "documents", "imaging", "labs", "notes.md", "pathology", "questions.md", "summary.md"}
	if got := entries(t, dir); !slices.Equal(got, want) {
		t.Errorf("case folder holds %q, want %q", got, want)
	}
	if got := entries(t, parent); !slices.Equal(got, []string{"lymphoma-2026-007"}) {
		t.Errorf("the parent folder holds %q, want only the case", got)
	}
	q, _ := os.ReadFile(filepath.Join(dir, "questions.md"))
	if !strings.Contains(string(q), "## Диагноз и стадия") {
		t.Errorf("a case in Russian was not seeded with the Russian questions:\n%s", q)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "case.toml"))
	if !strings.Contains(string(b), `language = "ru"`) {
		t.Error(`case.toml lacks language = "ru"`)
	}
}

// snapshot records every path under dir with its mode, time and contents.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		s := info.Mode().String() + " " + info.ModTime().String()
		if d.Type().IsRegular() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			s += " " + string(b)
		}
		out[p] = s
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestRefusesExistingFolder(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "gastric-2026-041")
	os.MkdirAll(filepath.Join(dir, "imaging"), 0o755)
	os.WriteFile(filepath.Join(dir, "case.toml"), []byte("format = 1\nid = \"mine\"\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "imaging", "ct.pdf"), []byte("%PDF-1.4 mine"), 0o644)
	before := snapshot(t, parent)

	err := Create(dir, Options{Today: day})
	if err == nil {
		t.Fatal("Create overwrote an existing case folder")
	}
	for _, want := range []string{dir, "not empty", "never overwrites", "caseport check"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error %q does not say %q", err, want)
		}
	}
	if after := snapshot(t, parent); !reflect.DeepEqual(before, after) {
		t.Errorf("the existing folder changed:\nbefore %v\nafter  %v", before, after)
	}
}

func TestRefusesFile(t *testing.T) {
	parent := t.TempDir()
	p := filepath.Join(parent, "gastric-2026-041")
	os.WriteFile(p, []byte("mine"), 0o644)
	before := snapshot(t, parent)
	err := Create(p, Options{})
	if err == nil || !strings.Contains(err.Error(), "not a folder") {
		t.Fatalf("Create over a file: %v, want an error that says it is not a folder", err)
	}
	if after := snapshot(t, parent); !reflect.DeepEqual(before, after) {
		t.Errorf("the parent folder changed:\nbefore %v\nafter  %v", before, after)
	}
}

func TestMissingParent(t *testing.T) {
	parent := t.TempDir()
	err := Create(filepath.Join(parent, "cases", "gastric-2026-041"), Options{})
	if err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("Create under a missing folder: %v, want an error that says the folder does not exist", err)
	}
	if got := entries(t, parent); len(got) != 0 {
		t.Errorf("Create left %q behind", got)
	}
}

func TestDeriveID(t *testing.T) {
	good := map[string]string{
		"gastric-2026-041":        "gastric-2026-041",
		"Gastric 2026_041":        "gastric-2026-041",
		"  CRC.case (2)  ":        "crc-case-2",
		"--a--b--":                "a-b",
		strings.Repeat("a", 64):   strings.Repeat("a", 64),
		"Sarcoma, second opinion": "sarcoma-second-opinion",
	}
	for name, want := range good {
		got, err := DeriveID(name)
		if err != nil || got != want {
			t.Errorf("DeriveID(%q) = %q, %v; want %q", name, got, err, want)
		}
	}
	for _, name := range []string{"ab", "a!", "___", strings.Repeat("a", 65), "Иванов-2026", "café-2026", ""} {
		id, err := DeriveID(name)
		if err == nil {
			t.Errorf("DeriveID(%q) = %q, want an error", name, id)
			continue
		}
		if !strings.Contains(err.Error(), "--id") || !strings.Contains(err.Error(), "gastric-2026-041") {
			t.Errorf("DeriveID(%q): the error %q does not say how to fix it", name, err)
		}
	}
}

func TestBadNameWritesNothing(t *testing.T) {
	parent := t.TempDir()
	for _, name := range []string{"Иванов", "x"} {
		err := Create(filepath.Join(parent, name), Options{})
		if err == nil || !strings.Contains(err.Error(), "cannot make a case id") {
			t.Errorf("Create(%q): %v, want an error about the case id", name, err)
		}
	}
	if got := entries(t, parent); len(got) != 0 {
		t.Errorf("Create left %q behind", got)
	}
	// With an id given, any folder name will do.
	if err := Create(filepath.Join(parent, "Иванов"), Options{ID: "ivanov-2026"}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(parent, "Иванов", "case.toml"))
	if !strings.Contains(string(b), `id = "ivanov-2026"`) {
		t.Error("case.toml lacks the given id")
	}
	for _, opt := range []Options{{ID: "Bad ID"}, {Language: "english please"}} {
		if err := Create(filepath.Join(parent, "other-case"), opt); err == nil {
			t.Errorf("Create with %+v succeeded, want an error", opt)
		}
	}
	if _, err := os.Lstat(filepath.Join(parent, "other-case")); !errors.Is(err, fs.ErrNotExist) {
		t.Error("a refused Create left the folder behind")
	}
}

// TestMoveIntoUndoes checks that when a file appears in the target folder
// while the case is being moved in, nothing of the case stays there and the
// newcomer is not overwritten.
func TestMoveIntoUndoes(t *testing.T) {
	dir := t.TempDir()
	files, err := render(Options{ID: "abc", Language: "en", Today: day})
	if err != nil {
		t.Fatal(err)
	}
	tmp, err := makeTemp(dir, "abc")
	if err != nil {
		t.Fatal(err)
	}
	if err := fill(tmp, files); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "imaging"), []byte("someone else's"), 0o644)
	if err := moveInto(tmp, dir, files); err == nil {
		t.Fatal("moveInto overwrote a file that appeared")
	}
	os.RemoveAll(tmp)
	if got := entries(t, dir); !slices.Equal(got, []string{"imaging"}) {
		t.Errorf("after a failed move the folder holds %q, want only the newcomer", got)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "imaging")); string(b) != "someone else's" {
		t.Error("the newcomer was overwritten")
	}
}

func TestSkeletonParsesAsTOML(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "gastric-2026-041")
	if err := Create(dir, Options{Today: day}); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	md, err := toml.DecodeFile(filepath.Join(dir, "case.toml"), &m)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, k := range md.Keys() {
		keys = append(keys, k.String())
	}
	// The required keys are filled in; every optional section is commented out.
	want := []string{"format", "id", "title", "language", "prepared_by", "prepared_on",
		"patient", "patient.alias", "request", "request.reason",
		"diagnosis", "diagnosis.name", "diagnosis.date", "plan", "plan.summary"}
	if !slices.Equal(keys, want) {
		t.Errorf("case.toml sets %q, want %q", keys, want)
	}
	for _, k := range []string{"title", "prepared_by"} {
		if s, _ := m[k].(string); !strings.HasPrefix(s, Placeholder) {
			t.Errorf("%s = %q: want a placeholder that starts with %q", k, s, Placeholder)
		}
	}
}

// load loads a case as of the day the tests create cases on.
func load(t *testing.T, dir string) (*casedir.Case, error) {
	t.Helper()
	return casedir.LoadWith(dir, casedir.Options{Today: casedir.FromTime(day)})
}

func TestNewCaseLoads(t *testing.T) {
	for _, lang := range []string{"en", "ru", "tr"} {
		t.Run(lang, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "gastric-2026-041")
			if err := Create(dir, Options{Today: day, Language: lang}); err != nil {
				t.Fatal(err)
			}
			c, err := load(t, dir)
			if err != nil {
				t.Fatalf("a new case does not load: %v", err)
			}
			if len(c.Warnings) > 0 {
				t.Errorf("a new case loads with warnings: %v", c.Warnings)
			}
			if c.ID != "gastric-2026-041" || c.Language != lang || c.PreparedOn != casedir.FromTime(day) {
				t.Errorf("loaded id %q, language %q, prepared_on %s", c.ID, c.Language, c.PreparedOn)
			}
			if len(c.Unreferenced) > 0 || len(c.Attachments) > 0 {
				t.Errorf("a new case references files: %v, %v", c.Attachments, c.Unreferenced)
			}
			// The records check requires are left for the coordinator to add.
			if len(c.Pathology) != 0 || len(c.Imaging) != 0 {
				t.Error("a new case has pathology or imaging records")
			}
			bankLang := lang
			if !HasLanguage(lang) {
				bankLang = "en"
			}
			topics := bankTopics(t, bankLang)
			var headings []string
			n := 0
			for _, g := range c.Questions.Groups {
				if g.Level == 2 {
					headings = append(headings, g.Heading)
				}
				n += len(g.Items)
			}
			var wantHeadings []string
			wantN := 0
			for _, tp := range topics {
				wantHeadings = append(wantHeadings, tp.heading)
				wantN += len(tp.items)
			}
			if !slices.Equal(headings, wantHeadings) || n != wantN || c.Questions.Count() != wantN {
				t.Errorf("questions.md loads as %q with %d questions, want %q with %d", headings, n, wantHeadings, wantN)
			}
			if c.Summary == nil || c.Notes == nil {
				t.Error("summary.md or notes.md did not load")
			}
		})
	}
}

// uncomment turns on every commented-out key and section of the skeleton:
// the lines "# key = value", "# [table]" and "#   [pathology.material]".
var commentedKey = regexp.MustCompile(`(?m)^#\s*((?:\[{1,2}[a-z._]+\]{1,2}|[a-z0-9_]+ = ).*)$`)

// TestEveryExampleLoads uncomments every example of the skeleton, creates
// the files they name, and loads the result: so every key the skeleton shows
// is one the loader knows, with a valid value, and every key of the format is
// shown.
func TestEveryExampleLoads(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "gastric-2026-041")
	if err := Create(dir, Options{Today: day}); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "case.toml")
	b, _ := os.ReadFile(p)
	full := commentedKey.ReplaceAllString(string(b), "$1")
	// The example age key is only a hint at the shape of one.
	full = regexp.MustCompile(`(?m)^recipient = "age1\.\.\.".*\n`).ReplaceAllString(full, "")
	// compared_with names another study; the skeleton shows one study.
	full = regexp.MustCompile(`(?m)^compared_with = .*\n`).ReplaceAllString(full, "")
	if err := os.WriteFile(p, []byte(full), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`(?m)^(?:report|images|document|file) = "([^"]+)"`).FindAllStringSubmatch(full, -1) {
		f := filepath.Join(dir, filepath.FromSlash(m[1]))
		if err := os.WriteFile(f, []byte("synthetic"), 0o644); err != nil {
			t.Fatalf("%s: %v", m[1], err)
		}
	}
	c, err := load(t, dir)
	if err != nil {
		t.Fatalf("the skeleton with every example turned on does not load: %v\n%s", err, full)
	}
	if len(c.Unreferenced) > 0 {
		t.Errorf("unreferenced: %v", c.Unreferenced)
	}
	// Every key of the format is in the skeleton: each field the loader
	// fills from case.toml is set. birth_date is the alternative to
	// birth_year (the loader sets BirthYear from it), and recipient the
	// alternative to a passphrase.
	skip := []string{"Case.Dir", "Case.Format", "Case.Questions", "Case.Summary", "Case.Notes",
		"Case.Attachments", "Case.Unreferenced", "Case.Warnings", "Case.Placeholders",
		"Case.Patient.BirthDate", "Case.Readers[0].Recipient", "Case.Imaging[0].ComparedWith",
		"Case.Reply.Recipient"} // an age key, like a reader's recipient: the skeleton shows no real one
	for _, f := range unset(reflect.ValueOf(*c), "Case", skip) {
		t.Errorf("the skeleton's examples leave %s unset: add the key to content/skeleton/case.toml.tmpl", f)
	}
}

var leafTypes = []reflect.Type{reflect.TypeFor[casedir.Date](), reflect.TypeFor[casedir.LabValue]()}

// unset returns the paths of the zero fields of v, looking into structs,
// pointers to structs and the first entry of slices of structs.
func unset(v reflect.Value, path string, skip []string) []string {
	if slices.Contains(skip, path) {
		return nil
	}
	switch {
	case v.Kind() == reflect.Struct && !slices.Contains(leafTypes, v.Type()):
		var out []string
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				out = append(out, unset(v.Field(i), path+"."+v.Type().Field(i).Name, skip)...)
			}
		}
		return out
	case v.Kind() == reflect.Pointer && v.Type().Elem().Kind() == reflect.Struct && v.Type().Elem() != reflect.TypeFor[casedir.Attachment]():
		if v.IsNil() {
			return []string{path}
		}
		return unset(v.Elem(), path, skip)
	case v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Struct:
		if v.Len() == 0 {
			return []string{path}
		}
		return unset(v.Index(0), path+"[0]", skip)
	}
	if v.IsZero() {
		return []string{path}
	}
	return nil
}

type topic struct {
	heading string
	items   []string
}

// bankTopics reads the question bank of lang: its ## headings and the list
// items under each.
func bankTopics(t *testing.T, lang string) []topic {
	t.Helper()
	b, err := fs.ReadFile(content.FS, "questions/"+lang+".md")
	if err != nil {
		t.Fatal(err)
	}
	var out []topic
	for _, line := range strings.Split(string(b), "\n") {
		switch {
		case strings.HasPrefix(line, "## "):
			out = append(out, topic{heading: strings.TrimPrefix(line, "## ")})
		case strings.HasPrefix(line, "- "):
			if len(out) == 0 {
				t.Fatalf("questions/%s.md: a question before the first topic: %q", lang, line)
			}
			out[len(out)-1].items = append(out[len(out)-1].items, strings.TrimPrefix(line, "- "))
		case strings.TrimSpace(line) == "":
		default:
			t.Errorf("questions/%s.md: a line that is neither a topic nor a question: %q", lang, line)
		}
	}
	return out
}

// The topics of the question bank, in order, as the issue names them.
var wantTopics = map[string][]string{
	"en": {
		"Diagnosis and stage",
		"Completeness of the workup",
		"The proposed treatment",
		"Alternatives and clinical trials",
		"Timing",
		"Risks, side effects and quality of life",
		"Travel and logistics",
		"Documents after the consultation",
	},
	"ru": {
		"Диагноз и стадия",
		"Полнота обследования",
		"Предлагаемое лечение",
		"Альтернативы и клинические исследования",
		"Сроки",
		"Риски, побочные эффекты и качество жизни",
		"Поездка и организационные вопросы",
		"Документы после консультации",
	},
}

func TestQuestionBank(t *testing.T) {
	banks, err := fs.Glob(content.FS, "questions/*.md")
	if err != nil {
		t.Fatal(err)
	}
	if len(banks) != len(wantTopics) {
		t.Errorf("question banks %q: add the new language's topics to wantTopics", banks)
	}
	for lang, want := range wantTopics {
		topics := bankTopics(t, lang)
		var got []string
		seen := map[string]bool{}
		for _, tp := range topics {
			got = append(got, tp.heading)
			if n := len(tp.items); n < 3 || n > 6 {
				t.Errorf("%s, %q: %d questions, want 3 to 6", lang, tp.heading, n)
			}
			for _, q := range tp.items {
				if !strings.HasSuffix(q, "?") {
					t.Errorf("%s, %q: %q is not a question", lang, tp.heading, q)
				}
				if seen[q] {
					t.Errorf("%s: %q twice", lang, q)
				}
				seen[q] = true
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s topics %q, want %q", lang, got, want)
		}
		if !HasLanguage(lang) {
			t.Errorf("HasLanguage(%q) = false", lang)
		}
	}
	for lang, want := range map[string]bool{"en-GB": true, "ru-RU": true, "tr": false, "pt-BR": false} {
		if got := HasLanguage(lang); got != want {
			t.Errorf("HasLanguage(%q) = %v, want %v", lang, got, want)
		}
	}
}

func TestNotice(t *testing.T) {
	for _, lang := range []string{"en", "ru"} {
		b, err := fs.ReadFile(content.FS, "notice/"+lang+".md")
		if err != nil {
			t.Fatal(err)
		}
		s := strings.TrimSpace(string(b))
		if strings.Contains(s, "\n") || strings.HasPrefix(s, "#") {
			t.Errorf("notice/%s.md is not one paragraph of text", lang)
		}
		if n := len(regexp.MustCompile(`[.!?](\s|$)`).FindAllString(s, -1)); n < 2 || n > 4 {
			t.Errorf("notice/%s.md has %d sentences, want 2 to 4", lang, n)
		}
	}
}

// leftovers loads the case in dir and returns its placeholders.
func leftovers(dir string) ([]casedir.Problem, error) {
	c, err := casedir.Load(dir)
	if err != nil {
		return nil, err
	}
	return c.Placeholders, nil
}

// TestLeftovers: the loader reports what a new case still holds of the
// skeleton, with lines and keys, and nothing once it is filled in.
func TestLeftovers(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "gastric-2026-041")
	if err := Create(dir, Options{Today: day, Language: "ru"}); err != nil {
		t.Fatal(err)
	}
	ps, err := leftovers(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range ps {
		if p.Severity != casedir.Warning || p.Line == 0 {
			t.Errorf("%v: want a warning with a line", p)
		}
		got = append(got, p.File+":"+p.Key)
	}
	want := []string{"case.toml:title", "case.toml:prepared_by", "case.toml:patient.alias", "case.toml:request.reason",
		"case.toml:diagnosis.name", "case.toml:diagnosis.date", "case.toml:plan.summary",
		"questions.md:", "summary.md:", "notes.md:"}
	if !slices.Equal(got, want) {
		t.Errorf("leftovers of a new case:\n got %q\nwant %q", got, want)
	}
	// The line is the placeholder's own.
	b, _ := os.ReadFile(filepath.Join(dir, "case.toml"))
	if line := strings.Split(string(b), "\n")[ps[0].Line-1]; !strings.HasPrefix(line, "title = ") {
		t.Errorf("title reported on line %d: %q", ps[0].Line, line)
	}

	// Once filled in, nothing is left over.
	filled := regexp.MustCompile(`"FILL IN[^"]*"`).ReplaceAllString(string(b), `"Real value"`)
	filled = strings.Replace(filled, "# FILL IN: the date of diagnosis", "#", 1)
	os.WriteFile(filepath.Join(dir, "case.toml"), []byte(filled), 0o644)
	os.WriteFile(filepath.Join(dir, "questions.md"), []byte("- Is surgery needed?\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "summary.md"), []byte("# Summary\n\nA real summary.\n"), 0o644)
	os.Remove(filepath.Join(dir, "notes.md"))
	if ps, err := leftovers(dir); err != nil || len(ps) != 0 {
		t.Errorf("leftovers of a filled-in case: %v, %v", ps, err)
	}
}
