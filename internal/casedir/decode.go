package casedir

import (
	"fmt"
	"math"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// table reads one TOML table of case.toml, recording every problem and the
// keys it was asked for, so that the keys nobody asked for can be reported
// as unknown with the closest known key as a suggestion.
type table struct {
	l     *loader
	path  string // key path of the table, "" for the document root
	m     map[string]any
	asked []string
}

func (t *table) key(k string) string {
	if t.path == "" {
		return k
	}
	return t.path + "." + k
}

// get returns the value of k and whether it is present, and records that k
// is a known key of this table.
func (t *table) get(k string) (any, bool) {
	t.asked = append(t.asked, k)
	v, ok := t.m[k]
	return v, ok
}

func (t *table) errorf(k, format string, args ...any) {
	t.l.report(Error, t.key(k), format, args...)
}

func (t *table) missing(k, what string) {
	t.l.report(Error, t.key(k), "missing: add %s = %s to %s", k, what, t.describe())
}

// describe names the table as a coordinator sees it in the file.
func (t *table) describe() string {
	if t.path == "" {
		return "the top of case.toml (before any [table])"
	}
	if i := strings.LastIndexByte(t.path, '['); i > 0 && strings.HasSuffix(t.path, "]") {
		return fmt.Sprintf("[[%s]] number %s", t.path[:i], t.path[i+1:len(t.path)-1])
	}
	return "[" + t.path + "]"
}

// finish reports the keys of the table that nobody asked for.
func (t *table) finish() {
	var unknown []string
	for k := range t.m {
		if !contains(t.asked, k) {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		msg := "unknown key"
		if s := closest(k, t.asked); s != "" {
			msg += fmt.Sprintf(": did you mean %q?", s)
		} else {
			msg += fmt.Sprintf("; the keys of %s are: %s", t.describe(), strings.Join(uniqueSorted(t.asked), ", "))
		}
		t.errorf(k, "%s", msg)
	}
}

// typeName describes a decoded TOML value for messages.
func typeName(v any) string {
	switch v := v.(type) {
	case string:
		return fmt.Sprintf("the text %q", clip(v))
	case int64:
		return fmt.Sprintf("the number %d", v)
	case float64:
		return fmt.Sprintf("the number %g", v)
	case bool:
		return fmt.Sprintf("%v (true/false)", v)
	case time.Time:
		switch v.Location().String() {
		case "date-local":
			return "the date " + v.Format("2006-01-02")
		case "datetime-local", "time-local":
			return "the date and time " + v.Format("2006-01-02T15:04:05")
		}
		return "the date and time " + v.Format(time.RFC3339)
	case []map[string]any:
		return "a list of tables [[...]]"
	case []any:
		return "a list [...]"
	case map[string]any:
		return "a table"
	}
	return fmt.Sprintf("%T", v)
}

func clip(s string) string {
	if r := []rune(s); len(r) > 60 {
		return string(r[:57]) + "..."
	}
	return s
}

// str reads a text value. A required key must be present and not blank.
func (t *table) str(k string, required bool) string {
	v, ok := t.get(k)
	if !ok {
		if required {
			t.missing(k, `"..."`)
		}
		return ""
	}
	s, isStr := v.(string)
	if !isStr {
		t.errorf(k, "expected text in quotes, found %s", typeName(v))
		return ""
	}
	if required && strings.TrimSpace(s) == "" {
		t.errorf(k, "must not be empty")
	}
	return strings.TrimSpace(s)
}

// enum reads a text value that must be one of allowed. Matching ignores
// case and surrounding space; the value is returned as spelled in allowed.
func (t *table) enum(k string, required bool, allowed []string) string {
	s := t.str(k, required)
	if s == "" {
		return ""
	}
	for _, a := range allowed {
		if s == a {
			return a
		}
	}
	for _, a := range allowed {
		if strings.EqualFold(s, a) {
			t.errorf(k, "%q must be written %q (the values are case-sensitive)", s, a)
			return a
		}
	}
	msg := fmt.Sprintf("%q is not allowed here; allowed: %s", s, strings.Join(allowed, ", "))
	if c := closest(strings.ToLower(s), allowed); c != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", c)
	}
	t.errorf(k, "%s", msg)
	return ""
}

var partialDate = regexp.MustCompile(`^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$`)

// dateRule says whether a date key may lie in the future.
type dateRule int

const (
	pastOnly dateRule = iota
	futureAllowed
)

// date reads a TOML local date, or a partial date written as a string
// ("2026-08", "2026").
func (t *table) date(k string, required bool, rule dateRule) Date {
	v, ok := t.get(k)
	if !ok {
		if required {
			t.missing(k, "2026-08-12 (a date, without quotes)")
		}
		return Date{}
	}
	var d Date
	switch v := v.(type) {
	case time.Time:
		if v.Location().String() != "date-local" {
			t.errorf(k, "expected a date without a time, like 2026-08-12; found %s", typeName(v))
			return Date{}
		}
		d = FromTime(v)
	case string:
		m := partialDate.FindStringSubmatch(strings.TrimSpace(v))
		if m == nil {
			t.errorf(k, `expected a date like 2026-08-12, or a partial date in quotes like "2026-08" or "2026"; found %s`, typeName(v))
			return Date{}
		}
		d.Year, _ = strconv.Atoi(m[1])
		d.Month, _ = strconv.Atoi(m[2])
		d.Day, _ = strconv.Atoi(m[3])
		if !validDate(d) {
			t.errorf(k, "%q is not a calendar date", v)
			return Date{}
		}
	default:
		t.errorf(k, `expected a date like 2026-08-12, or a partial date in quotes like "2026-08"; found %s`, typeName(v))
		return Date{}
	}
	if d.Year < 1900 {
		t.errorf(k, "%s is before 1900: check the year", d)
		return Date{}
	}
	if rule == pastOnly && d.Start().After(t.l.today.Start()) {
		t.errorf(k, "%s is in the future (today is %s); only planned events, request.reply_by and plan.next_step_date may be in the future", d, t.l.today)
	}
	return d
}

func validDate(d Date) bool {
	if d.Month == 0 {
		return d.Day == 0
	}
	if d.Month < 1 || d.Month > 12 {
		return false
	}
	if d.Day == 0 {
		return true
	}
	return d.Day >= 1 && d.Day <= Date{Year: d.Year, Month: d.Month}.End().Day()
}

// integer reads a whole number within [min, max]; ok is false when absent or invalid.
func (t *table) integer(k string, required bool, min, max int64) (n int, ok bool) {
	v, present := t.get(k)
	if !present {
		if required {
			t.missing(k, "a whole number")
		}
		return 0, false
	}
	i, isInt := v.(int64)
	if !isInt {
		t.errorf(k, "expected a whole number without quotes, found %s", typeName(v))
		return 0, false
	}
	if i < min || i > max {
		t.errorf(k, "%d is out of range: expected %d to %d", i, min, max)
		return 0, false
	}
	return int(i), true
}

// float reads an integer or decimal number; ok is false when k is absent
// or not a number (reported).
func (t *table) float(k string) (f float64, ok bool) {
	v, ok := t.get(k)
	if !ok {
		return 0, false
	}
	switch v := v.(type) {
	case int64:
		return float64(v), true
	case float64:
		return v, true
	}
	t.errorf(k, "expected a number without quotes, found %s", typeName(v))
	return 0, false
}

// number reads an integer or decimal number greater than min and at most max.
func (t *table) number(k string, min, max float64) float64 {
	f, ok := t.float(k)
	if !ok {
		return 0
	}
	if math.IsNaN(f) || f <= min || f > max {
		t.errorf(k, "%g is out of range: expected more than %g and at most %g", f, min, max)
		return 0
	}
	return f
}

func (t *table) boolean(k string) bool {
	v, ok := t.get(k)
	if !ok {
		return false
	}
	b, isBool := v.(bool)
	if !isBool {
		t.errorf(k, "expected true or false (without quotes), found %s", typeName(v))
	}
	return b
}

// strList reads a list of text values.
func (t *table) strList(k string) []string {
	v, ok := t.get(k)
	if !ok {
		return nil
	}
	list, isList := v.([]any)
	if !isList {
		t.errorf(k, `expected a list like ["ru", "en"], found %s`, typeName(v))
		return nil
	}
	out := make([]string, 0, len(list))
	for i, e := range list {
		s, isStr := e.(string)
		if !isStr {
			t.errorf(k, "entry %d: expected text in quotes, found %s", i+1, typeName(e))
			continue
		}
		out = append(out, strings.TrimSpace(s))
	}
	return out
}

// link reads an http or https URL.
func (t *table) link(k string) string {
	s := t.str(k, false)
	if s == "" {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		t.errorf(k, "%q is not a web address: expected one starting with https:// or http://", clip(s))
		return ""
	}
	return s
}

// file reads a path to an attachment and checks it.
func (t *table) file(k string, required bool) *Attachment {
	s := t.str(k, required)
	if s == "" {
		return nil
	}
	return t.l.attach(t.key(k), s)
}

// sub reads a sub-table [name] of this table; nil when absent or invalid.
func (t *table) sub(k string, required bool) *table {
	v, ok := t.get(k)
	if !ok {
		if required {
			t.l.report(Error, t.key(k), "missing: the case needs a [%s] table", t.key(k))
		}
		return nil
	}
	m, isTable := v.(map[string]any)
	if !isTable {
		t.errorf(k, "expected a table [%s] with keys under it, found %s", t.key(k), typeName(v))
		return nil
	}
	return &table{l: t.l, path: t.key(k), m: m}
}

// list reads an array of tables [[name]].
func (t *table) list(k string) []*table {
	v, ok := t.get(k)
	if !ok {
		return nil
	}
	var entries []map[string]any
	switch v := v.(type) {
	case []map[string]any:
		entries = v
	case []any:
		for _, e := range v {
			m, isTable := e.(map[string]any)
			if !isTable {
				t.errorf(k, "expected [[%s]] entries, each a table; found %s in the list", k, typeName(e))
				return nil
			}
			entries = append(entries, m)
		}
	case map[string]any:
		t.errorf(k, "write [[%s]] with double brackets: each entry is one item of a list", k)
		return nil
	default:
		t.errorf(k, "expected [[%s]] entries, found %s", k, typeName(v))
		return nil
	}
	out := make([]*table, len(entries))
	for i, m := range entries {
		out[i] = &table{l: t.l, path: fmt.Sprintf("%s[%d]", t.key(k), i+1), m: m}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

func uniqueSorted(list []string) []string {
	out := append([]string(nil), list...)
	sort.Strings(out)
	n := 0
	for i, s := range out {
		if i == 0 || s != out[n-1] {
			out[n] = s
			n++
		}
	}
	return out[:n]
}

// closest returns the candidate nearest to s by edit distance, if it is near
// enough to be a plausible typo; "" otherwise.
func closest(s string, candidates []string) string {
	best, bestDist := "", math.MaxInt
	for _, c := range candidates {
		if d := editDistance(strings.ToLower(s), strings.ToLower(c)); d < bestDist {
			best, bestDist = c, d
		}
	}
	limit := 2
	if n := len([]rune(s)); n > 8 {
		limit = n / 3
	}
	if bestDist <= limit || (best != "" && (strings.HasPrefix(best, s) || strings.HasPrefix(s, best)) && len(s) > 2) {
		return best
	}
	return ""
}

// editDistance is the Levenshtein distance between a and b, by runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
