package casedir

import "testing"

func TestKeyLines(t *testing.T) {
	src := `format = 1
description = """
[[not]] a header
key = "not a key"
"""
list = [
  "a",  # [[still not]]
  "b",
]
literal = '''
x = 1
'''

[patient]
alias = "A"
"quoted key" = 2
dotted.inner = 3

[[pathology]]
date = 2026-01-01

[[pathology]]
date = 2026-02-01
  [pathology.material]
  status = "in-transit"   # comment = not a key
material2 = { a = 1 }
`
	kl := scanKeyLines(src)
	for path, want := range map[string]int{
		"format":                          1,
		"description":                     2,
		"list":                            6,
		"literal":                         10,
		"patient":                         14,
		"patient.alias":                   15,
		"patient.quoted key":              16,
		"patient.dotted.inner":            17,
		"pathology":                       19,
		"pathology[1]":                    19,
		"pathology[1].date":               20,
		"pathology[2].date":               23,
		"pathology[2].material.status":    25,
		"pathology[2].material.gone":      24, // falls back to its table
		"pathology[2].material.material2": 26,
		"pathology[3].date":               19, // no third entry: the array's line
		"nowhere":                         0,
	} {
		if got := kl.line(path); got != want {
			t.Errorf("line(%q) = %d, want %d", path, got, want)
		}
	}
	if _, ok := kl["not"]; ok {
		t.Error("a header inside a multi-line string was taken for a table")
	}
	if _, ok := kl["key"]; ok {
		t.Error("a key inside a multi-line string was taken for a key")
	}
}
