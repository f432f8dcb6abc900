package reply

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"

	"github.com/caseport/caseport/internal/casedir"
)

var datePrefix = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}`)

// FileName is the name Import gives a reply in the case's replies folder:
// the date it was sealed and the start of the SHA-256 of its plaintext, so
// the same reply always has the same name and two replies never share one.
func FileName(d *Document, plaintext []byte) string {
	day := "undated"
	if m := datePrefix.FindString(d.Date); m != "" {
		day = m
	}
	sum := sha256.Sum256(plaintext)
	return "reply-" + day + "-" + hex.EncodeToString(sum[:6]) + ".json"
}

// Import stores the decrypted reply (its plaintext, byte for byte) in the
// case folder caseDir under replies/. A reply imported before is left as it
// is: existed is then true. A reply for another case is refused.
func Import(caseDir, caseID string, d *Document, plaintext []byte) (path string, existed bool, err error) {
	if d.Case != caseID {
		return "", false, fmt.Errorf("this reply answers case %q, not %q: import it into the folder of case %s", d.Case, caseID, d.Case)
	}
	dir := filepath.Join(caseDir, casedir.RepliesDir)
	path = filepath.Join(dir, FileName(d, plaintext))
	if _, err := os.Stat(path); err == nil {
		return path, true, nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", false, fmt.Errorf("importing the reply: %w", err)
	}
	f, err := os.CreateTemp(dir, ".tmp-reply-*")
	if err != nil {
		return "", false, fmt.Errorf("importing the reply: %w", err)
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(plaintext); err != nil {
		f.Close()
		return "", false, fmt.Errorf("importing the reply: %w", err)
	}
	if err := f.Close(); err != nil {
		return "", false, fmt.Errorf("importing the reply: %w", err)
	}
	// A link, not a rename: two imports at once cannot both write it.
	if err := os.Link(f.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return path, true, nil
		}
		return "", false, fmt.Errorf("importing the reply: %w", err)
	}
	return path, false, nil
}
