package unlocktest

import (
	"io/fs"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/caseport/caseport/themes"
)

// The unlock page's strings: every language has every key, every key the
// code uses exists, and the code's English fallback is the English table.
func TestUnlockStrings(t *testing.T) {
	en := unlockStrings(t, "en")
	ru := unlockStrings(t, "ru")
	for k := range en {
		if strings.TrimSpace(ru[k]) == "" {
			t.Errorf("ru/unlock.toml lacks %s", k)
		} else if !strings.ContainsFunc(ru[k], func(r rune) bool { return unicode.Is(unicode.Cyrillic, r) }) {
			t.Errorf("ru/unlock.toml %s = %q is not Russian", k, ru[k])
		}
		if placeholders(en[k]) != placeholders(ru[k]) {
			t.Errorf("%s: placeholders differ: en %q, ru %q", k, en[k], ru[k])
		}
	}
	for k := range ru {
		if _, ok := en[k]; !ok {
			t.Errorf("ru/unlock.toml has %s, which en/unlock.toml lacks", k)
		}
	}

	src, err := fs.ReadFile(themes.FS, "default/unlock/src/strings.js")
	if err != nil {
		t.Fatal(err)
	}
	table := regexp.MustCompile(`(?s)const english = \{(.*?)\n\};`).FindSubmatch(src)
	if table == nil {
		t.Fatal("strings.js: no english table")
	}
	fallback := map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^\s*(\w+): ("(?:[^"\\]|\\.)*"),$`).FindAllSubmatch(table[1], -1) {
		v, err := strconv.Unquote(string(m[2]))
		if err != nil {
			t.Fatalf("strings.js %s: %v", m[1], err)
		}
		fallback[string(m[1])] = v
	}
	if len(fallback) != len(en) {
		t.Errorf("strings.js has %d strings, en/unlock.toml %d", len(fallback), len(en))
	}
	for k, v := range en {
		if fallback[k] != v {
			t.Errorf("strings.js %s = %q, en/unlock.toml says %q", k, fallback[k], v)
		}
	}

	// Keys the code asks for: t("key") and stop("key") / fail("key") / kinds.
	used := map[string]bool{}
	files, err := fs.Glob(themes.FS, "default/unlock/src/*.js")
	if err != nil {
		t.Fatal(err)
	}
	call := regexp.MustCompile(`\b(?:t|stop|fail|showForm)\("(\w+)"`)
	for _, name := range files {
		data, err := fs.ReadFile(themes.FS, name)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range call.FindAllSubmatch(data, -1) {
			used[string(m[1])] = true
		}
		for _, m := range regexp.MustCompile(`new PortalError\("(\w+)"`).FindAllSubmatch(data, -1) {
			used[string(m[1])] = true
		}
	}
	if len(used) < 10 {
		t.Fatalf("found only %d string keys in the code: the pattern is stale", len(used))
	}
	var missing []string
	for k := range used {
		if _, ok := en[k]; !ok {
			missing = append(missing, k)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("the code uses strings no table has: %v", missing)
	}
}

func placeholders(s string) string {
	ph := regexp.MustCompile(`\{\w+\}`).FindAllString(s, -1)
	sort.Strings(ph)
	return strings.Join(ph, ",")
}
