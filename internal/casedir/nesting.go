package casedir

import "fmt"

// maxNesting bounds how deeply case.toml may nest arrays and inline tables,
// and how many parts a dotted key may have. A real case nests three or
// four levels; the TOML parser's cost grows steeply with depth (4,000
// levels took 741 MB and 5 s), so a deeper file is refused before it is
// parsed.
const maxNesting = 32

// nestingProblem returns the line of the first place where src nests
// deeper than maxNesting, with a message, or 0 when it does not. It skips
// strings and comments, so brackets inside them do not count.
func nestingProblem(src string) (line int, msg string) {
	line = 1
	var stack []byte    // open '[' and '{' of values
	atLineStart := true // only spaces so far on this line
	inKey := true       // reading a key (before '=' or inside a header)
	header := false     // inside a [table] or [[array]] header
	dots := 0           // dots of the key being read
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch {
		case c == '\n':
			line++
			if len(stack) == 0 {
				atLineStart, inKey, header, dots = true, true, false, 0
			}
			continue
		case c == '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
			i--
			continue
		case c == '"' || c == '\'':
			end := skipString(src, i)
			for _, b := range []byte(src[i:end]) {
				if b == '\n' {
					line++
				}
			}
			i = end - 1
			atLineStart = false
			continue
		case c == ' ' || c == '\t' || c == '\r':
			continue
		}
		switch {
		case c == '[' && atLineStart && len(stack) == 0:
			header = true
		case c == ']' && header:
		case c == '.' && (inKey || header):
			dots++
			if dots >= maxNesting {
				return line, fmt.Sprintf("a key of more than %d dotted parts: is this the right file?", maxNesting)
			}
		case c == '=' && inKey && !header:
			inKey, dots = false, 0
		case (c == '[' || c == '{') && !inKey:
			stack = append(stack, c)
			if len(stack) > maxNesting {
				return line, fmt.Sprintf("values nested more than %d levels deep (arrays or inline tables inside each other): a case needs only a few; is this the right file?", maxNesting)
			}
			if c == '{' {
				inKey, dots = true, 0
			}
		case c == ']' || c == '}':
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		case c == ',' && len(stack) > 0 && stack[len(stack)-1] == '{':
			inKey, dots = true, 0
		}
		atLineStart = false
	}
	return 0, ""
}

// skipString returns the index just past the TOML string starting at
// src[i]: basic ("…", with escapes) or literal ('…'), single- or
// multi-line. An unterminated string runs to the end; the parser reports it.
func skipString(src string, i int) int {
	q := src[i]
	if i+2 < len(src) && src[i+1] == q && src[i+2] == q {
		for j := i + 3; j < len(src); j++ {
			if q == '"' && src[j] == '\\' {
				j++
				continue
			}
			if j+2 < len(src) && src[j] == q && src[j+1] == q && src[j+2] == q {
				// Up to two more quotes may belong to the string.
				k := j + 3
				for k < len(src) && src[k] == q && k < j+5 {
					k++
				}
				return k
			}
		}
		return len(src)
	}
	for j := i + 1; j < len(src); j++ {
		switch {
		case q == '"' && src[j] == '\\':
			j++
		case src[j] == q, src[j] == '\n':
			return j + 1
		}
	}
	return len(src)
}
