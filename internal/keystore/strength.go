package keystore

import (
	"fmt"
	"math"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MinStrengthBits is the least estimated entropy Strength accepts.
const MinStrengthBits = 60

// MinLength is the fewest characters Strength accepts.
const MinLength = 12

// WeakError is a passphrase Strength refuses, with the reason.
type WeakError struct {
	Reason string
}

func (e *WeakError) Error() string {
	return "the passphrase is weak: " + e.Reason + "; choose a longer one, or let caseport generate one (caseport passphrase)"
}

// common are passwords and keyboard patterns that guessers try first
// (they are scored as a few bits wherever they occur).
var common = strings.Fields(`
password passw0rd passwort motdepasse contrasena qwerty qwertz azerty
asdf asdfgh asdfghjkl zxcv zxcvbn qazwsx wsxedc 1qaz2wsx qwer1234
abc abcd abcdef abcdefgh 123 1234 12345 123456 1234567 12345678 123456789 1234567890
111111 000000 123123 654321 987654321 112233 121212
letmein welcome iloveyou admin administrator login secret sesame
monkey dragon master shadow sunshine princess football baseball
superman batman trustno1 whatever freedom starwars pokemon
hello hunter ninja mustang michael jennifer charlie thomas
summer winter spring autumn january february
caseport portal doctor patient oncology cancer hospital clinic
secondopinion opinion changeme default
`)

var commonSet = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range common {
		m[w] = true
	}
	return m
}()

// Strength returns nil for a passphrase strong enough to protect a portal
// (one the browser tries offline at the attacker's pace, slowed only by
// scrypt), or a *WeakError saying why not: too short, too few different
// characters, a common password or pattern, or too little estimated
// entropy (MinStrengthBits).
func Strength(p string) error {
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
	core := strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) {
			return unicode.ToLower(r)
		}
		return -1
	}, p)
	if commonSet[core] || commonSet[strings.ToLower(p)] {
		return &WeakError{"it is a common password or pattern"}
	}
	if bits := Estimate(p); bits < MinStrengthBits {
		return &WeakError{fmt.Sprintf("it is too easy to guess (about %.0f bits estimated; at least %d needed)", bits, MinStrengthBits)}
	}
	return nil
}

// Estimate returns a rough, conservative entropy estimate of p in bits: the
// cheapest way to build p from words of the word list and common
// passwords, years, repeated or sequential characters, and single
// characters drawn from the character classes p uses.
func Estimate(p string) float64 {
	ws, _ := Words()
	dictBits := math.Log2(float64(max(len(ws), 2)))
	rs := []rune(p)
	lower := []rune(strings.ToLower(p))
	if len(lower) != len(rs) { // case mapping changed the length: score as characters
		lower = rs
	}
	pool := 0
	var hasLower, hasUpper, hasDigit, hasOther, hasNonASCII bool
	for _, r := range rs {
		switch {
		case r > unicode.MaxASCII:
			hasNonASCII = true
		case unicode.IsLower(r):
			hasLower = true
		case unicode.IsUpper(r):
			hasUpper = true
		case unicode.IsDigit(r):
			hasDigit = true
		default:
			hasOther = true
		}
	}
	for _, c := range []struct {
		has  bool
		size int
	}{{hasLower, 26}, {hasUpper, 26}, {hasDigit, 10}, {hasOther, 33}, {hasNonASCII, 100}} {
		if c.has {
			pool += c.size
		}
	}
	charBits := math.Log2(float64(max(pool, 2)))

	// best[i] is the cheapest cost of building the first i characters.
	best := make([]float64, len(lower)+1)
	for i := 1; i <= len(lower); i++ {
		best[i] = math.Inf(1)
	}
	for i := 0; i < len(lower); i++ {
		if math.IsInf(best[i], 1) {
			continue
		}
		relax := func(j int, cost float64) {
			if best[i]+cost < best[j] {
				best[j] = best[i] + cost
			}
		}
		// One character.
		c := lower[i]
		cost := charBits
		switch {
		case i > 0 && c == lower[i-1]:
			cost = 1
		case i > 0 && (c == lower[i-1]+1 || c == lower[i-1]-1) && isAlnum(c) && isAlnum(lower[i-1]):
			cost = 2
		case strings.ContainsRune(" -_.,", c):
			cost = min(cost, 2)
		}
		relax(i+1, cost)
		// A word or a common password starting here.
		for j := i + 3; j <= len(lower) && j-i <= 20; j++ {
			w := string(lower[i:j])
			caps := 0.0
			if string(rs[i:j]) != w {
				caps = 1
			}
			if commonSet[w] {
				relax(j, 4+caps)
			} else if wordSet[w] {
				relax(j, dictBits+caps)
			}
		}
		// A year, 1900 to 2099.
		if i+4 <= len(lower) {
			y := string(lower[i : i+4])
			if (strings.HasPrefix(y, "19") || strings.HasPrefix(y, "20")) && isDigits(y) {
				relax(i+4, 8)
			}
		}
	}
	return best[len(lower)]
}

func isAlnum(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
