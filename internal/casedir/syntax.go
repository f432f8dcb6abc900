package casedir

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/BurntSushi/toml"
)

// syntaxProblem turns the TOML library's syntax error into a problem a
// coordinator can act on: the line and column, the line itself with a caret
// under the spot, and a hint for the mistakes people make most when they
// write TOML by hand (curly quotes from a word processor, an unclosed
// quote, a date written day first, a value with its unit, a decimal comma,
// a key given twice).
func syntaxProblem(src string, pe toml.ParseError) Problem {
	msg := pe.Message
	if pe.Usage != "" {
		msg += " (" + strings.TrimSpace(strings.SplitN(pe.Usage, "\n", 2)[0]) + ")"
	}
	line := pe.Position.Line
	text, col := sourceLine(src, line, pe.Position.Start)
	if h := syntaxHint(pe.Message, text); h != "" {
		msg += ": " + h
	}
	return Problem{
		File:    caseFile,
		Line:    line,
		Column:  col,
		Key:     indexedKey(scanKeyLines(src), pe.LastKey, line),
		Message: "TOML syntax: " + msg,
		Excerpt: text,
	}
}

// sourceLine returns line n (1-based) of src and the 1-based column, in
// characters, of the byte offset off within it (0 when off is not on it).
func sourceLine(src string, n, off int) (string, int) {
	start := 0
	for i := 1; i < n; i++ {
		j := strings.IndexByte(src[start:], '\n')
		if j < 0 {
			return "", 0
		}
		start += j + 1
	}
	end := strings.IndexByte(src[start:], '\n')
	if end < 0 {
		end = len(src) - start
	}
	text := strings.TrimRight(src[start:start+end], "\r")
	col := 0
	if off >= start && off <= start+len(text) {
		col = utf8.RuneCountInString(src[start:off]) + 1
	}
	return text, col
}

var (
	curlyQuotes  = strings.NewReplacer("\u201c", `"`, "\u201d", `"`, "\u201e", `"`, "\u00ab", `"`, "\u00bb", `"`, "\u2018", "'", "\u2019", "'")
	dayFirstRe   = regexp.MustCompile(`\b(\d{1,2})[./](\d{1,2})[./](\d{4})\b`)
	isoishDateRe = regexp.MustCompile(`\b(\d{4})-(\d{1,2})-(\d{1,2})\b`)
	unitRe       = regexp.MustCompile(`=\s*([-+]?\d+(?:[.,]\d+)?)\s*([A-Za-zµ%/][A-Za-zµ%/0-9²^]*)\s*(?:#.*)?$`)
	commaRe      = regexp.MustCompile(`=\s*([-+]?\d+),(\d+)\s*(?:#.*)?$`)
	dupKeyRe     = regexp.MustCompile(`^Key '([^']+)' has already been defined`)
)

// syntaxHint says what to write instead, for the common mistakes; "" when
// the line shows none of them.
func syntaxHint(msg, line string) string {
	switch {
	case curlyQuotes.Replace(line) != line:
		return "the line has curly quotes (“ ” ‘ ’ « »), which a word processor or phone puts in: TOML needs straight quotes, " + strings.TrimSpace(curlyQuotes.Replace(line))
	case strings.Contains(msg, "cannot contain newlines") || strings.Contains(msg, "unexpected EOF"):
		return "a quoted value is not closed on this line: end it with the same quote it starts with (for text over several lines, use \"\"\" … \"\"\")"
	}
	if m := dayFirstRe.FindStringSubmatch(line); m != nil {
		d, _ := strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[2])
		if d >= 1 && d <= 31 && mo >= 1 && mo <= 12 {
			return fmt.Sprintf("dates are written year-month-day: if %s means day %d of month %d, write %s-%02d-%02d", m[0], d, mo, m[3], mo, d)
		}
		return fmt.Sprintf("dates are written year-month-day, as %s-MM-DD", m[3])
	}
	if m := isoishDateRe.FindStringSubmatch(line); m != nil && strings.Contains(msg, "datetime") {
		y, mo, d := m[1], atoi(m[2]), atoi(m[3])
		switch {
		case mo > 12 && d >= 1 && d <= 12:
			return fmt.Sprintf("there is no month %d: dates are year-month-day, so %s-%02d-%02d if you meant day %d of month %d", mo, y, d, mo, mo, d)
		case mo < 1 || mo > 12:
			return fmt.Sprintf("there is no month %d: dates are year-month-day (%s-MM-DD)", mo, y)
		case len(m[2]) < 2 || len(m[3]) < 2:
			return fmt.Sprintf("write month and day with two digits: %s-%02d-%02d", y, mo, d)
		default:
			return fmt.Sprintf("month %d of %s has no day %d", mo, y, d)
		}
	}
	if m := commaRe.FindStringSubmatch(line); m != nil {
		return fmt.Sprintf("write a decimal point, not a comma: %s.%s", m[1], m[2])
	}
	if m := unitRe.FindStringSubmatch(line); m != nil {
		return fmt.Sprintf("a number cannot carry its unit: write the number alone (%s) and the unit in its own key where the format has one (unit = \"%s\"), or quote the whole value (\"%s %s\")", strings.Replace(m[1], ",", ".", 1), m[2], m[1], m[2])
	}
	if m := dupKeyRe.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("%s is set twice in the same table: keep one of the two lines; for a second entry of a list such as [[labs]], start it with its own [[...]] header", m[1])
	}
	return ""
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
