// Package scaffold creates a new case folder for a coordinator to fill in: a
// commented case.toml skeleton, questions.md seeded from the built-in
// question bank, short guiding summary.md and notes.md, and empty
// sub-folders for the attachments. It never overwrites anything: the folder
// is built aside and renamed into place, so a failure leaves nothing behind.
package scaffold

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"text/template"
	"time"

	"github.com/caseport/caseport/content"
	"github.com/caseport/caseport/internal/casedir"
)

// Placeholder begins every value of the skeleton that the coordinator must
// replace, so that a forgotten one is easy to find: the loader reports each
// one left (casedir.Case.Placeholders).
const Placeholder = casedir.Placeholder

// Folders are the sub-folders a new case gets, so the coordinator knows where
// to put each kind of file.
var Folders = []string{"pathology", "imaging", "documents", "labs"}

// DefaultLanguage is the language of a case when Options.Language is empty,
// and the language the question bank and the guiding texts fall back to.
const DefaultLanguage = "en"

// Options adjust Create.
type Options struct {
	// ID is the case id; "" derives it from the folder name with DeriveID.
	ID string
	// Language is the portal language written into case.toml (a BCP 47 tag
	// such as "en" or "pt-BR"); "" means DefaultLanguage. The question bank
	// and the guiding texts are in this language when caseport has them,
	// otherwise in English (see HasLanguage).
	Language string
	// Today is the date written as prepared_on; the zero time means now.
	Today time.Time
}

// DeriveID makes a case id from a folder name: lower-case, with spaces,
// underscores, dots and other punctuation turned into single dashes, so
// "Gastric 2026_041" gives "gastric-2026-041". It returns an error when the
// name has letters outside a-z (an id cannot hold them, and dropping them
// would make a misleading id) or when the result is not 3 to 64 characters.
func DeriveID(name string) (string, error) {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		case r < 0x80:
			dash = true
		default:
			return "", fmt.Errorf("cannot make a case id from the folder name %q: an id uses only the letters a-z, digits and dashes; name the folder like \"gastric-2026-041\", or give the id with --id", name)
		}
	}
	id := b.String()
	if !casedir.ValidID(id) {
		return "", fmt.Errorf("cannot make a case id from the folder name %q: an id needs 3 to 64 letters a-z, digits and dashes (it would be %q); name the folder like \"gastric-2026-041\", or give the id with --id", name, id)
	}
	return id, nil
}

// HasLanguage reports whether caseport has the question bank and guiding
// texts in lang (or in its base language: "pt" for "pt-BR"). Without them,
// Create seeds the case with the English ones.
func HasLanguage(lang string) bool {
	return baseOf(lang) == DefaultLanguage || bankLanguage(lang) != DefaultLanguage
}

// bankLanguage returns the language of the built-in texts used for lang.
func bankLanguage(lang string) string {
	for _, l := range []string{lang, baseOf(lang)} {
		if _, err := fs.Stat(content.FS, "questions/"+l+".md"); err == nil {
			if _, err := fs.Stat(content.FS, "skeleton/questions."+l+".md"); err == nil {
				return l
			}
		}
	}
	return DefaultLanguage
}

func baseOf(lang string) string {
	base, _, _ := strings.Cut(strings.ToLower(lang), "-")
	return base
}

// Create makes the case folder dir. dir must not exist, or must be an empty
// folder; its parent folder must exist. Create writes nothing when it returns
// an error.
func Create(dir string, opts Options) error {
	if dir == "" {
		return errors.New("no folder given: name the new case folder, like cases/gastric-2026-041")
	}
	// An absolute path gives "caseport new ." a real name to derive the id
	// from and a real parent to build the case aside in.
	clean, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("case %s: %w", dir, err)
	}
	if opts.ID == "" {
		id, err := DeriveID(filepath.Base(clean))
		if err != nil {
			return err
		}
		opts.ID = id
	} else if !casedir.ValidID(opts.ID) {
		return fmt.Errorf("case id %q: use 3 to 64 lower-case letters a-z, digits and dashes, like \"gastric-2026-041\"", opts.ID)
	}
	if opts.Language == "" {
		opts.Language = DefaultLanguage
	}
	if !casedir.ValidLanguage(opts.Language) {
		return fmt.Errorf("language %q: give a language code like \"en\", \"ru\" or \"pt-BR\"", opts.Language)
	}
	if opts.Today.IsZero() {
		opts.Today = time.Now()
	}

	emptyTarget, err := checkTarget(dir, clean)
	if err != nil {
		return err
	}
	files, err := render(opts)
	if err != nil {
		return fmt.Errorf("case %s: %w", dir, err)
	}

	// The case is built in a hidden folder on the same file system, so that
	// renames put it in place: next to the new folder, or inside an empty
	// one (whose parent may not be writable, or be another file system).
	tmpParent := filepath.Dir(clean)
	if emptyTarget {
		tmpParent = clean
	}
	tmp, err := makeTemp(tmpParent, filepath.Base(clean))
	if err != nil {
		return fmt.Errorf("case %s: %w", dir, err)
	}
	if err := fill(tmp, files); err != nil {
		os.RemoveAll(tmp)
		return fmt.Errorf("case %s: %w", dir, err)
	}
	if emptyTarget {
		err = moveInto(tmp, clean, files)
	} else {
		err = os.Rename(tmp, clean)
	}
	if err != nil {
		os.RemoveAll(tmp)
		return fmt.Errorf("case %s: %w", dir, err)
	}
	return nil
}

// moveInto moves the new case's files and folders from tmp into the existing
// empty folder dir, one rename each, keeping dir itself (its permissions, or
// a shell standing in it). If one move fails, the ones already made are
// undone, so dir is left empty again.
func moveInto(tmp, dir string, files []file) error {
	var names []string
	for _, f := range files {
		names = append(names, f.name)
	}
	names = append(names, Folders...)
	var moved []string
	for _, name := range names {
		dst := filepath.Join(dir, name)
		var err error
		if _, serr := os.Lstat(dst); serr == nil {
			err = fmt.Errorf("%s appeared while the case was being made; caseport new never overwrites: check what else writes into this folder, and try again", name)
		} else {
			err = os.Rename(filepath.Join(tmp, name), dst)
		}
		if err != nil {
			for _, m := range moved {
				os.RemoveAll(filepath.Join(dir, m))
			}
			return err
		}
		moved = append(moved, name)
	}
	return os.Remove(tmp)
}

// checkTarget checks that the folder abs (given as dir) can become the case
// folder, and reports whether it exists as an empty folder.
func checkTarget(dir, abs string) (empty bool, err error) {
	info, err := os.Stat(abs)
	if errors.Is(err, fs.ErrNotExist) {
		parent := filepath.Dir(abs)
		pinfo, perr := os.Stat(parent)
		if perr != nil || !pinfo.IsDir() {
			return false, fmt.Errorf("case %s: the folder %s, where the case would go, does not exist: create it first, or choose another place", dir, parent)
		}
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("case %s: %w", dir, err)
	}
	if !info.IsDir() {
		return false, fmt.Errorf("case %s: already exists and is not a folder: choose another name for the new case", dir)
	}
	f, err := os.Open(abs)
	if err != nil {
		return false, fmt.Errorf("case %s: %w", dir, err)
	}
	defer f.Close()
	if _, err := f.Readdirnames(1); err != io.EOF {
		if err != nil {
			return false, fmt.Errorf("case %s: %w", dir, err)
		}
		return false, fmt.Errorf("case %s: the folder already exists and is not empty, and caseport new never overwrites: choose a new folder name, or run \"caseport check %s\" to check the case already there", dir, dir)
	}
	return true, nil
}

// makeTemp creates a hidden folder in parent for building the case named
// base. Mkdir (unlike os.MkdirTemp, which uses 0700) gives it the usual 0755
// less the umask.
func makeTemp(parent, base string) (string, error) {
	for range 10 {
		var r [6]byte
		if _, err := rand.Read(r[:]); err != nil {
			return "", err
		}
		p := filepath.Join(parent, "."+base+".new-"+hex.EncodeToString(r[:]))
		err := os.Mkdir(p, 0o755)
		if err == nil {
			return p, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return "", err
		}
	}
	return "", errors.New("cannot find a free name for a temporary folder")
}

// A file is one file of a new case, relative to its folder.
type file struct {
	name string
	data []byte
}

// render returns the files of a new case.
func render(opts Options) ([]file, error) {
	lang := bankLanguage(opts.Language)
	read := func(name string) ([]byte, error) {
		b, err := fs.ReadFile(content.FS, name)
		if err != nil {
			return nil, fmt.Errorf("built-in content: %w", err)
		}
		return b, nil
	}
	tomlText, err := read("skeleton/case.toml.tmpl")
	if err != nil {
		return nil, err
	}
	tmpl, err := template.New("case.toml").Option("missingkey=error").Parse(string(tomlText))
	if err != nil {
		return nil, fmt.Errorf("built-in content: %w", err)
	}
	// Trailing comments line up at column 30 on the lines that carry a
	// value of varying length.
	pad := func(s string) string { return strings.Repeat(" ", max(1, 29-len(s))) }
	var caseToml bytes.Buffer
	if err := tmpl.Execute(&caseToml, map[string]string{
		"ID":          opts.ID,
		"IDPad":       pad(`id = "` + opts.ID + `"`),
		"Language":    opts.Language,
		"LanguagePad": pad(`language = "` + opts.Language + `"`),
		"Today":       opts.Today.Format("2006-01-02"),
	}); err != nil {
		return nil, fmt.Errorf("built-in content: %w", err)
	}

	intro, err := read("skeleton/questions." + lang + ".md")
	if err != nil {
		return nil, err
	}
	bank, err := read("questions/" + lang + ".md")
	if err != nil {
		return nil, err
	}
	questions := append(bytes.TrimRight(intro, "\n"), "\n\n"...)
	questions = append(questions, bank...)

	summary, err := read("skeleton/summary." + lang + ".md")
	if err != nil {
		return nil, err
	}
	notes, err := read("skeleton/notes." + lang + ".md")
	if err != nil {
		return nil, err
	}
	return []file{
		{"case.toml", caseToml.Bytes()},
		{"questions.md", questions},
		{"summary.md", summary},
		{"notes.md", notes},
	}, nil
}

// fill writes the files and sub-folders of a new case into dir.
func fill(dir string, files []file) error {
	for _, f := range files {
		if err := writeFile(filepath.Join(dir, f.name), f.data); err != nil {
			return err
		}
	}
	for _, name := range Folders {
		if err := os.Mkdir(filepath.Join(dir, name), 0o755); err != nil {
			return err
		}
	}
	return nil
}

func writeFile(name string, data []byte) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	// Sync before the rename makes the folder visible, so a crash cannot
	// leave a case whose files are empty.
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
