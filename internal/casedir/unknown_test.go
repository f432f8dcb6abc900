package casedir

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestUnknownKeyInEveryTable adds a key nobody knows to each table of the
// case format in turn, right under its header (the root table: at the
// top), and wants it reported as unknown with its indexed key. Removing the
// check of any one table fails its row; a table added to the valid case
// without a row here fails the last check.
func TestUnknownKeyInEveryTable(t *testing.T) {
	t.Parallel()
	rows := []struct{ header, path string }{
		{"", ""},
		{"[patient]", "patient"},
		{"[request]", "request"},
		{"[diagnosis]", "diagnosis"},
		{"[stage]", "stage"},
		{"[[biomarkers]]", "biomarkers[1]"},
		{"[[imaging]]", "imaging[1]"},
		{"[[pathology]]", "pathology[1]"},
		{"[pathology.material]", "pathology[1].material"},
		{"[[treatments]]", "treatments[1]"},
		{"[plan]", "plan"},
		{"[[labs]]", "labs[1]"},
		{"[[medications]]", "medications[1]"},
		{"[[allergies]]", "allergies[1]"},
		{"[[conditions]]", "conditions[1]"},
		{"[history]", "history"},
		{"[[events]]", "events[1]"},
		{"[[documents]]", "documents[1]"},
		{"[[readers]]", "readers[1]"},
	}
	const odd = "zz_nobody_knows_me"
	for _, row := range rows {
		t.Run(strings.Trim(row.header, "[]")+"/", func(t *testing.T) {
			t.Parallel()
			dir := newCase(t, func(t *testing.T, dir string) {
				p := filepath.Join(dir, "case.toml")
				b, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				lines := strings.Split(string(b), "\n")
				at := -1 // insert before line at+1
				for i, l := range lines {
					if row.header != "" && strings.HasPrefix(strings.TrimSpace(l), row.header) {
						at = i
						break
					}
				}
				if row.header != "" && at < 0 {
					t.Fatalf("the valid case has no %s", row.header)
				}
				lines = append(lines[:at+1], append([]string{odd + " = 1"}, lines[at+1:]...)...)
				if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
					t.Fatal(err)
				}
			})
			_, err := Load(dir)
			var ps *Problems
			if !errors.As(err, &ps) {
				t.Fatalf("an unknown key in %q loaded: %v", row.header, err)
			}
			want := odd
			if row.path != "" {
				want = row.path + "." + odd
			}
			for _, p := range ps.List {
				if p.Key == want && strings.Contains(p.Message, "unknown key") && p.Line > 0 {
					return
				}
			}
			t.Errorf("no unknown-key problem for %s; problems:\n%v", want, ps)
		})
	}

	t.Run("every table has a row", func(t *testing.T) {
		t.Parallel()
		b, err := os.ReadFile(filepath.Join("testdata", "valid", "case.toml"))
		if err != nil {
			t.Fatal(err)
		}
		covered := map[string]bool{}
		for _, row := range rows {
			covered[row.header] = true
		}
		for _, h := range regexp.MustCompile(`(?m)^\s*(\[\[?[a-z_.]+\]\]?)`).FindAllStringSubmatch(string(b), -1) {
			if !covered[h[1]] {
				t.Errorf("table %s of the valid case has no row in this test", h[1])
			}
		}
	})
}
