package casedir

import (
	"strconv"
	"strings"
)

// keyLines maps key paths of a TOML document ("pathology[2].material.status")
// to the line that defines them. The TOML library reports positions only for
// syntax errors, so this scans the text, which has already parsed cleanly;
// it needs to understand only headers, keys and multi-line values.
type keyLines map[string]int

// line returns the line of path, or of its closest defined parent, or 0.
func (kl keyLines) line(path string) int {
	for path != "" {
		if n, ok := kl[path]; ok {
			return n
		}
		path = parentPath(path)
	}
	return 0
}

// parentPath strips the last component: "a[2].b" -> "a[2]" -> "a".
func parentPath(path string) string {
	if strings.HasSuffix(path, "]") {
		if i := strings.LastIndexByte(path, '['); i > 0 {
			return path[:i]
		}
	}
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		return path[:i]
	}
	return ""
}

func scanKeyLines(src string) keyLines {
	kl := keyLines{}
	arrayCount := map[string]int{} // array-of-tables path (with indexes) -> entries so far
	table := ""                    // the current table's path, with indexes
	var closer string              // closing delimiter of an open multi-line string
	depth := 0                     // open brackets and braces of a multi-line value

	for i, raw := range strings.Split(src, "\n") {
		lineNo := i + 1
		text := raw
		if closer != "" {
			j := strings.Index(text, closer)
			if j < 0 {
				continue
			}
			text = text[j+len(closer):]
			closer = ""
			closer, depth = scanValue(text, depth)
			continue
		}
		if depth > 0 {
			closer, depth = scanValue(text, depth)
			continue
		}
		t := strings.TrimSpace(text)
		switch {
		case t == "" || t[0] == '#':
			continue
		case strings.HasPrefix(t, "[["):
			name := headerName(t[2:], "]]")
			// The entry's own name takes no index: [[a.b]] adds to a[n].b.
			path := joinPath(resolve(name[:len(name)-1], arrayCount), name[len(name)-1:])
			arrayCount[path]++
			table = path + "[" + strconv.Itoa(arrayCount[path]) + "]"
			kl[table] = lineNo
			if _, seen := kl[path]; !seen {
				kl[path] = lineNo
			}
		case t[0] == '[':
			table = resolve(headerName(t[1:], "]"), arrayCount)
			kl[table] = lineNo
		default:
			eq := keyEnd(t)
			if eq < 0 {
				continue
			}
			path := joinPath(table, splitKey(t[:eq]))
			if _, seen := kl[path]; !seen {
				kl[path] = lineNo
			}
			closer, depth = scanValue(t[eq+1:], 0)
		}
	}
	return kl
}

// resolve turns a header's dotted name into a path with array indexes:
// after the second [[pathology]], "pathology.material" is
// "pathology[2].material".
func resolve(parts []string, arrayCount map[string]int) string {
	path := ""
	for _, p := range parts {
		path = joinPath(path, []string{p})
		if n := arrayCount[path]; n > 0 {
			path += "[" + strconv.Itoa(n) + "]"
		}
	}
	return path
}

func joinPath(base string, parts []string) string {
	for _, p := range parts {
		if base == "" {
			base = p
		} else {
			base += "." + p
		}
	}
	return base
}

func headerName(s, close string) []string {
	if i := strings.Index(s, close); i >= 0 {
		s = s[:i]
	}
	return splitKey(s)
}

// splitKey splits a dotted key, honouring quoted parts: a."b.c" -> [a b.c].
func splitKey(s string) []string {
	var parts []string
	var cur strings.Builder
	quote := byte(0)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			} else {
				cur.WriteByte(c)
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '.':
			parts = append(parts, strings.TrimSpace(cur.String()))
			cur.Reset()
		case c == ' ' || c == '\t':
		default:
			cur.WriteByte(c)
		}
	}
	return append(parts, strings.TrimSpace(cur.String()))
}

// keyEnd returns the index of the '=' that ends a key, skipping quoted keys.
func keyEnd(s string) int {
	quote := byte(0)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '=':
			return i
		case c == '#':
			return -1
		}
	}
	return -1
}

// scanValue follows a value's text to tell whether it leaves a multi-line
// string or an array open at the end of the line. It returns the closing
// delimiter of an open string ("" if none) and the bracket depth.
func scanValue(s string, depth int) (closer string, newDepth int) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case strings.HasPrefix(s[i:], `"""`) || strings.HasPrefix(s[i:], `'''`):
			delim := s[i : i+3]
			j := strings.Index(s[i+3:], delim)
			if j < 0 {
				return delim, depth
			}
			i += 3 + j + 2
		case c == '"':
			i++
			for i < len(s) && s[i] != '"' {
				if s[i] == '\\' {
					i++
				}
				i++
			}
		case c == '\'':
			i++
			for i < len(s) && s[i] != '\'' {
				i++
			}
		case c == '[' || c == '{':
			depth++
		case c == ']' || c == '}':
			if depth > 0 {
				depth--
			}
		case c == '#':
			return "", depth
		}
	}
	return "", depth
}
