package render

import (
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/caseport/caseport/content"
	"github.com/caseport/caseport/internal/casedir"
)

// stringsFile is the file of a language's portal strings inside content.FS.
func stringsFile(lang string) string { return "i18n/" + lang + "/portal.toml" }

// uiStrings are the portal's UI strings for one language, with English
// filling every key the language lacks. Nested TOML tables are flattened to
// dotted keys ("sex.female"); arrays (month names) are kept as lists.
type uiStrings struct {
	lang  string
	text  map[string]string
	lists map[string][]string
}

// BaseLanguage returns the primary language subtag of a BCP 47 tag, lower
// case: "ru-RU" gives "ru", "" gives "en".
func BaseLanguage(tag string) string {
	tag = strings.TrimSpace(tag)
	if i := strings.IndexAny(tag, "-_"); i >= 0 {
		tag = tag[:i]
	}
	if tag == "" {
		return "en"
	}
	return strings.ToLower(tag)
}

// readStrings reads the strings file of lang; a language without a file
// gives empty maps and no error.
func readStrings(texts fs.FS, lang string) (map[string]string, map[string][]string, error) {
	text, lists := map[string]string{}, map[string][]string{}
	b, err := fs.ReadFile(texts, stringsFile(lang))
	if errors.Is(err, fs.ErrNotExist) {
		return text, lists, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("content/%s: %w", stringsFile(lang), err)
	}
	var raw map[string]any
	if err := toml.Unmarshal(b, &raw); err != nil {
		return nil, nil, fmt.Errorf("content/%s: %w", stringsFile(lang), err)
	}
	if err := flatten("", raw, text, lists); err != nil {
		return nil, nil, fmt.Errorf("content/%s: %w", stringsFile(lang), err)
	}
	return text, lists, nil
}

func flatten(prefix string, m map[string]any, text map[string]string, lists map[string][]string) error {
	for k, v := range m {
		key := prefix + k
		switch v := v.(type) {
		case string:
			text[key] = v
		case map[string]any:
			if err := flatten(key+".", v, text, lists); err != nil {
				return err
			}
		case []any:
			var l []string
			for _, x := range v {
				s, ok := x.(string)
				if !ok {
					return fmt.Errorf("%s: a list of strings is expected", key)
				}
				l = append(l, s)
			}
			lists[key] = l
		default:
			return fmt.Errorf("%s: a string is expected, not %T", key, v)
		}
	}
	return nil
}

// loadStrings returns the strings of the language of tag, English filling
// the gaps.
func loadStrings(tag string) (*uiStrings, error) { return loadStringsFrom(content.FS, tag) }

// loadStringsFrom is loadStrings with the strings files of texts, a
// content/ tree.
func loadStringsFrom(texts fs.FS, tag string) (*uiStrings, error) {
	enText, enLists, err := readStrings(texts, "en")
	if err != nil {
		return nil, err
	}
	lang := BaseLanguage(tag)
	s := &uiStrings{lang: lang, text: enText, lists: enLists}
	if lang == "en" {
		return s, nil
	}
	text, lists, err := readStrings(texts, lang)
	if err != nil {
		return nil, err
	}
	for k, v := range text {
		s.text[k] = v
	}
	for k, v := range lists {
		s.lists[k] = v
	}
	return s, nil
}

// MissingStrings lists the keys of the portal's UI strings that the language
// of tag does not translate, sorted, so check can report what falls back to
// English. A language with no strings file at all lacks every key.
func MissingStrings(tag string) ([]string, error) {
	enText, enLists, err := readStrings(content.FS, "en")
	if err != nil {
		return nil, err
	}
	lang := BaseLanguage(tag)
	if lang == "en" {
		return nil, nil
	}
	text, lists, err := readStrings(content.FS, lang)
	if err != nil {
		return nil, err
	}
	var missing []string
	for k := range enText {
		if _, ok := text[k]; !ok {
			missing = append(missing, k)
		}
	}
	for k, v := range enLists {
		if len(lists[k]) != len(v) {
			missing = append(missing, k)
		}
	}
	sort.Strings(missing)
	return missing, nil
}

// T returns the string of key; a key that no language defines shows as
// itself, so a typo in a template is visible rather than blank.
func (s *uiStrings) T(key string) string {
	if v, ok := s.text[key]; ok {
		return v
	}
	return key
}

// Has reports whether key is defined.
func (s *uiStrings) Has(key string) bool {
	_, ok := s.text[key]
	return ok
}

// Enum returns the label of an enumerated value ("sex", "female"), or the
// value itself when it has no label, since some enumerations are open text.
func (s *uiStrings) Enum(group, value string) string {
	if value == "" {
		return ""
	}
	if v, ok := s.text[group+"."+value]; ok {
		return v
	}
	return value
}

// F fills {name} placeholders of key's string from pairs of name, value.
func (s *uiStrings) F(key string, kv ...string) string {
	out := s.T(key)
	for i := 0; i+1 < len(kv); i += 2 {
		out = strings.ReplaceAll(out, "{"+kv[i]+"}", kv[i+1])
	}
	return out
}

// Plural picks the plural form of key for n ("age.one", "age.few",
// "age.many", "age.other") by the language's rule and fills {n}.
func (s *uiStrings) Plural(key string, n int) string {
	form := pluralForm(s.lang, n)
	k := key + "." + form
	if !s.Has(k) {
		k = key + ".other"
	}
	return s.F(k, "n", strconv.Itoa(n))
}

// pluralForm is the CLDR cardinal plural category of n for the languages
// caseport ships, and a two-form rule for the others.
func pluralForm(lang string, n int) string {
	if n < 0 {
		n = -n
	}
	switch lang {
	case "ru", "uk", "be":
		switch {
		case n%10 == 1 && n%100 != 11:
			return "one"
		case n%10 >= 2 && n%10 <= 4 && (n%100 < 12 || n%100 > 14):
			return "few"
		default:
			return "many"
		}
	case "tr", "ja", "zh", "ko":
		return "other"
	}
	if n == 1 {
		return "one"
	}
	return "other"
}

// Date formats a possibly partial date in the language: "14 Aug 2026",
// "August 2026", "2026".
func (s *uiStrings) Date(d casedir.Date) string {
	switch {
	case d.IsZero():
		return ""
	case d.Month == 0:
		return strconv.Itoa(d.Year)
	case d.Day == 0:
		return s.F("date.month", "month", s.month("months", d.Month), "year", strconv.Itoa(d.Year))
	}
	return s.F("date.full", "day", strconv.Itoa(d.Day), "month", s.month("months_short", d.Month), "year", strconv.Itoa(d.Year))
}

func (s *uiStrings) month(list string, m int) string {
	l := s.lists[list]
	if m >= 1 && m <= len(l) {
		return l[m-1]
	}
	return fmt.Sprintf("%02d", m)
}

// Number formats a float for the language's decimal separator, without
// trailing zeros.
func (s *uiStrings) Number(f float64) string {
	out := strconv.FormatFloat(f, 'f', -1, 64)
	if sep := s.T("number.decimal"); sep != "number.decimal" && sep != "." {
		out = strings.Replace(out, ".", sep, 1)
	}
	return out
}

// Size formats a byte count: "812 bytes", "1.4 MB".
func (s *uiStrings) Size(n int64) string {
	units := []string{"size.kb", "size.mb", "size.gb", "size.tb"}
	if n < 1000 {
		return s.Plural("size.bytes", int(n))
	}
	f := float64(n)
	unit := ""
	for _, u := range units {
		f /= 1000
		unit = u
		if f < 1000 {
			break
		}
	}
	var num string
	if f < 10 {
		num = strconv.FormatFloat(f, 'f', 1, 64)
	} else {
		num = strconv.FormatFloat(f, 'f', 0, 64)
	}
	if sep := s.T("number.decimal"); sep != "number.decimal" && sep != "." {
		num = strings.Replace(num, ".", sep, 1)
	}
	return num + "\u00a0" + s.T(unit)
}
