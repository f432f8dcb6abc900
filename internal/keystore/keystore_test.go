package keystore

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestWordList(t *testing.T) {
	ws, err := Words()
	if err != nil {
		t.Fatal(err)
	}
	if len(ws) < 2048 {
		t.Fatalf("%d words; want at least 2048", len(ws))
	}
	re := regexp.MustCompile(`^[a-z]{3,7}$`)
	for _, w := range ws {
		if !re.MatchString(w) {
			t.Errorf("word %q is not 3 to 7 lower-case letters", w)
		}
	}
	for _, w := range []string{"cancer", "death", "kill", "gun", "tumor", "funeral"} {
		if wordSet[w] {
			t.Errorf("word list holds %q", w)
		}
	}
}

func TestGenerate(t *testing.T) {
	if b := GeneratedBits(); b < MinBits {
		t.Fatalf("generated passphrases have %.1f bits; want at least %d", b, MinBits)
	}
	n, _ := WordCount()
	seen := map[string]bool{}
	for range 50 {
		p, err := Generate()
		if err != nil {
			t.Fatal(err)
		}
		parts := strings.Split(p, "-")
		if len(parts) != n {
			t.Fatalf("%q has %d words; want %d", p, len(parts), n)
		}
		for _, w := range parts {
			if !wordSet[w] {
				t.Fatalf("%q: %q is not in the word list", p, w)
			}
		}
		if seen[p] {
			t.Fatalf("%q generated twice", p)
		}
		seen[p] = true
		if err := Strength(p, nil); err != nil {
			t.Errorf("generated %q refused: %v", p, err)
		}
	}
}

func TestStrength(t *testing.T) {
	for _, tc := range []struct {
		p      string
		reason string // "" when accepted
	}{
		{"Summer2024!", "too short"},
		{"aaaaaaaaaaaaaaaaaaaa", "too few different"},
		{"abababcdcdcdababab", "too few different"},
		{"Password1234", "a common password"},
		{"P@ssw0rd2026!", "look-alike"},
		{"qwertyuiop1234567890", "too easy"},
		{"iloveyou-iloveyou", "too easy"},
		{"sunshine2024sunshine", "too easy"},
		{"abcdefghijklmnop", "a sequence"},
		{"zxcvbnm,./asdfghjkl", "a keyboard pattern"},
		{"Tr0ub4dor&3-xK9!pLmq", ""},
		{"bX7#qL2vR9!mZ4", ""},
		{"maple-otter-lantern-violet-harbor-cactus", ""},
		{"Quand le ciel bas et lourd pèse comme un couvercle", ""},
	} {
		err := Strength(tc.p, nil)
		if tc.reason == "" {
			if err != nil {
				t.Errorf("Strength(%q) = %v; want accepted", tc.p, err)
			}
			continue
		}
		var weak *WeakError
		if !errors.As(err, &weak) || !strings.Contains(err.Error(), tc.reason) {
			t.Errorf("Strength(%q) = %v; want refused as %q", tc.p, err, tc.reason)
		}
	}
}

// TestStrengthCaseWords: a passphrase built from the case itself is
// refused, though the same shape with other words is accepted.
func TestStrengthCaseWords(t *testing.T) {
	words := CaseWords("sarcoma-2026-017", "Retroperitoneal sarcoma, second opinion", "Patient S", "Maria Rossi", "1961",
		"Dr. Ana Lima, Example Hospital", "reviewing-oncologist", "pathologist")
	for _, p := range []string{
		"MariaRossi1961!",
		"maria-rossi-1961",
		"m4r14-r0ss1-1961",
		"Sarcoma-2026-017!",
		"sarcoma2026017",
		"Sarc0ma-2026-017",
		"retroperitoneal-rossi-1961",
		"pathologist-lima-2026",
		"kX9-mariarossi-1961",
	} {
		err := Strength(p, words)
		if err == nil || !strings.Contains(err.Error(), "words of the case itself") {
			t.Errorf("Strength(%q) with the case's words = %v; want refused as built from the case", p, err)
			continue
		}
		if strings.Contains(strings.ToLower(err.Error()), "rossi") || strings.Contains(err.Error(), "1961") {
			t.Errorf("the reason quotes the passphrase: %v", err)
		}
	}
	// The same kind of passphrase, not from this case, passes.
	if err := Strength("Tr0ub4dor&3-xK9!pLmq", words); err != nil {
		t.Errorf("a passphrase unrelated to the case: %v", err)
	}
	if err := Strength("maple-otter-lantern-violet-harbor-cactus", words); err != nil {
		t.Errorf("list words unrelated to the case: %v", err)
	}
}

func TestStore(t *testing.T) {
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	t.Setenv("HOME", t.TempDir())
	s, err := DefaultStore()
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(cfg, "caseport", "keys"); s.Dir != want {
		t.Fatalf("store in %s; want %s", s.Dir, want)
	}

	first, created, err := s.Sync("gastric-2026-041", []string{"doctor", "Dr. Ana Lima"})
	if err != nil {
		t.Fatal(err)
	}
	if len(created) != 2 || first["doctor"] == "" || first["Dr. Ana Lima"] == "" || first["doctor"] == first["Dr. Ana Lima"] {
		t.Fatalf("first build: %v, created %v", first, created)
	}
	for p, mode := range map[string]os.FileMode{s.Dir: 0o700, s.Path("gastric-2026-041"): 0o600} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != mode {
			t.Errorf("%s has mode %v; want %v", p, fi.Mode().Perm(), mode)
		}
	}

	// A rebuild keeps both; a new reader gets a new one.
	again, created, err := s.Sync("gastric-2026-041", []string{"doctor", "Dr. Ana Lima", "nurse"})
	if err != nil {
		t.Fatal(err)
	}
	if again["doctor"] != first["doctor"] || again["Dr. Ana Lima"] != first["Dr. Ana Lima"] {
		t.Errorf("rebuild changed passphrases: %v, before %v", again, first)
	}
	if len(created) != 1 || created[0] != "nurse" || again["nurse"] == "" {
		t.Errorf("new reader: created %v", created)
	}

	// A removed reader is dropped from the file.
	if _, _, err := s.Sync("gastric-2026-041", []string{"doctor"}); err != nil {
		t.Fatal(err)
	}
	stored, err := s.Load("gastric-2026-041")
	if err != nil {
		t.Fatal(err)
	}
	if len(stored) != 1 || stored["doctor"] != first["doctor"] {
		t.Errorf("after removing readers the store holds %v", stored)
	}
	data, _ := os.ReadFile(s.Path("gastric-2026-041"))
	if strings.Contains(string(data), first["Dr. Ana Lima"]) {
		t.Error("a removed reader's passphrase is still in the file")
	}

	// Another case is separate; an id with a path in it stays in the store.
	other, _, err := s.Sync("../../etc/x", []string{"doctor"})
	if err != nil {
		t.Fatal(err)
	}
	if other["doctor"] == first["doctor"] {
		t.Error("two cases share a passphrase")
	}
	if filepath.Dir(s.Path("../../etc/x")) != s.Dir {
		t.Errorf("path %s leaves the store", s.Path("../../etc/x"))
	}
}
