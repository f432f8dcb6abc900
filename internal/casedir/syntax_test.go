package casedir

import (
	"strings"
	"testing"
)

// TestSyntaxHints: each common mistake of hand-written TOML gets its hint,
// its line, and the line shown with a caret.
func TestSyntaxHints(t *testing.T) {
	cases := []struct {
		name, old, new string
		line           int
		hint           string
	}{
		{"curly quotes", `reason = "Confirm staging and whether surgery-first is an option before starting FLOT."`, `reason = “Confirm staging”`, 24, `straight quotes, reason = "Confirm staging"`},
		{"unclosed quote", `reason = "Confirm staging and whether surgery-first is an option before starting FLOT."`, `reason = "Confirm staging`, 24, "not closed on this line"},
		{"day first", `start = 2026-09-10`, `start = 10.09.2026`, 79, "write 2026-09-10"},
		{"month 13", `start = 2026-09-10`, `start = 2026-13-04`, 79, "there is no month 13"},
		{"one-digit month", `start = 2026-09-10`, `start = 2026-9-10`, 79, "two digits: 2026-09-10"},
		{"unit", `weight_kg = 58`, `weight_kg = 58kg`, 16, `a number cannot carry its unit: write the number alone (58)`},
		{"decimal comma", `weight_kg = 58`, `weight_kg = 58,5`, 16, "write a decimal point, not a comma: 58.5"},
		{"duplicate key", `weight_kg = 58`, "weight_kg = 58\nweight_kg = 59", 17, "weight_kg is set twice"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, problems := load(t, newCase(t, replace(tc.old, tc.new)))
			if len(problems) != 1 {
				t.Fatalf("want one problem, got:\n%s", list(problems))
			}
			p := problems[0]
			if p.Line != tc.line || !strings.Contains(p.Message, tc.hint) {
				t.Errorf("got line %d %q; want line %d with %q", p.Line, p.Message, tc.line, tc.hint)
			}
			shown := p.String()
			excerpt := strings.SplitN(tc.new, "\n", 2)[len(strings.SplitN(tc.new, "\n", 2))-1]
			if !strings.Contains(shown, "\n      "+excerpt) || !strings.Contains(shown, "^") {
				t.Errorf("the line and a caret are not shown:\n%s", shown)
			}
			if p.Column < 1 || p.Column > len([]rune(p.Excerpt))+1 {
				t.Errorf("column %d outside the line %q", p.Column, p.Excerpt)
			}
		})
	}
}
