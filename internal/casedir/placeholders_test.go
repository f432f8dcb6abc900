package casedir

import (
	"fmt"
	"testing"
)

// TestPlaceholders: a value or note still marked FILL IN is a placeholder of
// the loaded case, named by its file, line and indexed key; a FILL IN in a
// comment of its own is guidance and is not.
func TestPlaceholders(t *testing.T) {
	t.Parallel()
	dir := newCase(t,
		replace(`title = "Gastric adenocarcinoma: second opinion on the perioperative plan"`, `title = "FILL IN: the title"`),
		replace(`report = "imaging/ct-2026-08-01-report.pdf"   # the written report`, `report = "imaging/ct-2026-08-01-report.pdf"   # FILL IN: is this the latest?`),
		replace(`[[imaging]]                              # any number`, "# FILL IN: any imaging\n[[imaging]]"),
	)
	c, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range c.Placeholders {
		if p.Severity != Warning || p.File != "case.toml" {
			t.Errorf("%+v: want a warning of case.toml", p)
		}
		got = append(got, fmt.Sprintf("%d:%s", p.Line, p.Key))
	}
	if want := []string{"3:title", "57:imaging[1].report"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("placeholders at %v, want %v", got, want)
	}
	if clean, err := Load(newCase(t)); err != nil || len(clean.Placeholders) != 0 {
		t.Errorf("the valid case: placeholders %v, %v", clean.Placeholders, err)
	}
}
