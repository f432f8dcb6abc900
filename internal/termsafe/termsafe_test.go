package termsafe

import (
	"bytes"
	"fmt"
	"testing"
)

func TestString(t *testing.T) {
	for in, want := range map[string]string{
		"plain text, 2026\n\tindented": "plain text, 2026\n\tindented",
		"Пациентка Б":                  "Пациентка Б",
		"\x1b]0;pwned\x07title":        `\x1b]0;pwned\x07title`,
		"line\rover":                   `line\x0dover`,
		"csi\u009b31m":                 `csi\x9b31m`,
		"raw \x9b byte":                `raw \x9b byte`,
		"evil\u202etxt.pdf":            `evil\u202etxt.pdf`,
		"del\x7f":                      `del\x7f`,
	} {
		if got := String(in); got != want {
			t.Errorf("String(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWriter(t *testing.T) {
	var b bytes.Buffer
	fmt.Fprintf(Writer(&b), "Title: %s\n", "\x1b[2J\x1b[Hcleared")
	if got := b.String(); got != "Title: \\x1b[2J\\x1b[Hcleared\n" {
		t.Errorf("got %q", got)
	}
}
