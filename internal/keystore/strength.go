package keystore

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/trustelem/zxcvbn"
	"github.com/trustelem/zxcvbn/match"
)

// MinGuessesLog10 is the least zxcvbn guess count Strength accepts, as a
// power of ten: 10^14 guesses (about 47 bits). zxcvbn counts the guesses of
// an attacker who tries common passwords, words, names, dates, keyboard
// patterns and the case's own words first; each guess against a portal
// costs the attacker an scrypt of work factor 18 (about a second of a core
// and 256 MiB), so 10^14 of them is out of reach. zxcvbn counts random
// characters at only 10 guesses each, so 14 random characters just pass.
const MinGuessesLog10 = 14

// MinLength is the fewest characters Strength accepts.
const MinLength = 12

// WeakError is a passphrase Strength refuses, with the reason.
type WeakError struct {
	Reason string
}

func (e *WeakError) Error() string {
	return "the passphrase is weak: " + e.Reason + "; choose a longer one, or let caseport generate one (caseport passphrase)"
}

// Strength returns nil for a passphrase strong enough to protect a portal
// (one the browser tries offline at the attacker's pace, slowed only by
// scrypt), or a *WeakError saying why not: too short, too few different
// characters, or too easy to guess by zxcvbn's estimate, with the patterns
// it found. caseWords are the case's own strings (see CaseWords): an
// attacker holding the portal knows or can guess them, so a passphrase
// built from them counts as a handful of guesses.
func Strength(p string, caseWords []string) error {
	n := utf8.RuneCountInString(p)
	if n < MinLength {
		return &WeakError{fmt.Sprintf("it is too short (%d characters; at least %d)", n, MinLength)}
	}
	distinct := map[rune]bool{}
	for _, r := range p {
		distinct[unicode.ToLower(r)] = true
	}
	if len(distinct) < 6 {
		return &WeakError{fmt.Sprintf("it has too few different characters (%d)", len(distinct))}
	}
	r := zxcvbn.PasswordStrength(p, caseWords)
	if log10 := math.Log10(math.Max(r.Guesses, 1)); log10 < MinGuessesLog10 {
		reason := fmt.Sprintf("it is too easy to guess (about 10^%.0f guesses by zxcvbn's estimate; at least 10^%d needed)", math.Floor(log10), MinGuessesLog10)
		if found := patterns(r.Sequence); found != "" {
			reason += ": it is made of " + found
		}
		return &WeakError{reason}
	}
	return nil
}

// patterns says in words what zxcvbn found in a passphrase, most telling
// first, without quoting it (the reason is printed, and may be logged).
func patterns(seq []*match.Match) string {
	var caseWord, password, word, l33t, date, spatial, repeat, sequence bool
	for _, m := range seq {
		switch m.Pattern {
		case "dictionary":
			switch m.DictionaryName {
			case "user_inputs":
				caseWord = true
			case "passwords":
				password = true
			default:
				word = true
			}
			if m.L33t {
				l33t = true
			}
		case "date", "regex":
			date = true
		case "spatial":
			spatial = true
		case "repeat":
			repeat = true
		case "sequence":
			sequence = true
		}
	}
	var out []string
	add := func(ok bool, what string) {
		if ok {
			out = append(out, what)
		}
	}
	add(caseWord, "words of the case itself (its id, the patient's name or birth year, the title, a reader's or the coordinator's name)")
	add(password, "a common password")
	add(word, "common words or names")
	add(date, "a year or a date")
	add(spatial, "a keyboard pattern")
	add(repeat, "repeated characters")
	add(sequence, "a sequence such as abc or 123")
	s := strings.Join(out, ", ")
	if l33t {
		s += " (letters swapped for look-alike digits or symbols, such as @ for a, do not help)"
	}
	return s
}

// CaseWords returns what an attacker who knows a case would try first in a
// passphrase, for Strength: each string given (the case id, the patient's
// alias, name and birth year, the title, reader and coordinator names), its
// words, its words run together, and the years 1900 to 2099.
func CaseWords(strs ...string) []string {
	var out []string
	seen := map[string]bool{}
	add := func(w string) {
		w = strings.ToLower(w)
		if utf8.RuneCountInString(w) < 3 || seen[w] {
			return
		}
		seen[w] = true
		out = append(out, w)
	}
	for _, s := range strs {
		add(s)
		words := strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		add(strings.Join(words, ""))
		for _, w := range words {
			add(w)
		}
	}
	for y := 1900; y < 2100; y++ {
		add(strconv.Itoa(y))
	}
	return out
}
