// Package keystore keeps the passphrases of a portal's readers: it
// generates them from a word list, refuses weak ones that people choose, and
// stores them per case in the user's configuration folder, so that a
// rebuilt portal opens with the passphrases its readers already have.
package keystore

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"fmt"
	"io/fs"
	"math"
	"math/big"
	"strings"
	"sync"

	"github.com/caseport/caseport/content"
)

// MinBits is the least entropy, in bits, of a generated passphrase.
const MinBits = 77

// wordListPath is the word list in content.FS: common, short, lower-case
// English words, one per line.
const wordListPath = "wordlist/en.txt"

var (
	wordsOnce sync.Once
	words     []string
	wordSet   map[string]bool
	wordsErr  error
)

// Words returns the word list passphrases are generated from.
func Words() ([]string, error) {
	wordsOnce.Do(func() {
		data, err := fs.ReadFile(content.FS, wordListPath)
		if err != nil {
			wordsErr = fmt.Errorf("the passphrase word list: %w", err)
			return
		}
		wordSet = map[string]bool{}
		sc := bufio.NewScanner(bytes.NewReader(data))
		for sc.Scan() {
			w := strings.TrimSpace(sc.Text())
			if w == "" || wordSet[w] {
				continue
			}
			wordSet[w] = true
			words = append(words, w)
		}
		if len(words) < 2048 {
			wordsErr = fmt.Errorf("the passphrase word list content/%s has %d words; it needs at least 2048", wordListPath, len(words))
		}
	})
	return words, wordsErr
}

// WordCount returns how many words a generated passphrase has: enough for
// MinBits with the word list's size.
func WordCount() (int, error) {
	ws, err := Words()
	if err != nil {
		return 0, err
	}
	return int(math.Ceil(MinBits / math.Log2(float64(len(ws))))), nil
}

// Generate returns a new passphrase: WordCount words drawn uniformly with
// crypto/rand from the word list, joined with "-", like
// "maple-otter-lantern-violet-harbor-cactus-meadow".
func Generate() (string, error) {
	ws, err := Words()
	if err != nil {
		return "", err
	}
	n, _ := WordCount()
	parts := make([]string, n)
	max := big.NewInt(int64(len(ws)))
	for i := range parts {
		k, err := rand.Int(rand.Reader, max)
		if err != nil {
			return "", fmt.Errorf("generating a passphrase: %w", err)
		}
		parts[i] = ws[k.Int64()]
	}
	return strings.Join(parts, "-"), nil
}

// GeneratedBits returns the entropy of a generated passphrase in bits.
func GeneratedBits() float64 {
	ws, err := Words()
	if err != nil {
		return 0
	}
	n, _ := WordCount()
	return float64(n) * math.Log2(float64(len(ws)))
}

// IsGenerated reports whether p has the shape of a generated passphrase:
// at least WordCount words of the word list joined with "-". The key store
// holds only generated passphrases; this check keeps one edited by hand
// into something guessable from getting a generated passphrase's low scrypt
// work factor.
func IsGenerated(p string) bool {
	if _, err := Words(); err != nil {
		return false
	}
	n, _ := WordCount()
	parts := strings.Split(p, "-")
	if len(parts) < n {
		return false
	}
	for _, w := range parts {
		if !wordSet[w] {
			return false
		}
	}
	return true
}
