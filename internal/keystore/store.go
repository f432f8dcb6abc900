package keystore

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"

	"github.com/BurntSushi/toml"
)

// Store is the key store: one TOML file per case, mapping each reader's
// name to the passphrase, in a folder only the user can read.
type Store struct {
	// Dir is the folder of the files.
	Dir string
}

// DefaultStore returns the store in the user's configuration folder:
// $XDG_CONFIG_HOME/caseport/keys on Linux, ~/Library/Application
// Support/caseport/keys on macOS, %AppData%\caseport\keys on Windows.
func DefaultStore() (*Store, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return nil, fmt.Errorf("finding the key store: %w", err)
	}
	return &Store{Dir: filepath.Join(dir, "caseport", "keys")}, nil
}

var safeID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$`)

// Path returns the file holding the passphrases of case id.
func (s *Store) Path(id string) string {
	name := id
	if !safeID.MatchString(id) {
		h := sha256.Sum256([]byte(id))
		name = "case-" + hex.EncodeToString(h[:12])
	}
	return filepath.Join(s.Dir, name+".toml")
}

// Load returns the stored passphrases of case id by reader name; none if
// the case has no file yet.
func (s *Store) Load(id string) (map[string]string, error) {
	if id == "" {
		return nil, errors.New("the key store needs a case id")
	}
	p := s.Path(id)
	data, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the key store: %w", err)
	}
	m := map[string]string{}
	if err := toml.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("key store %s: %w (fix or delete the file; its readers then get new passphrases)", p, err)
	}
	return m, nil
}

// Passphrases returns a passphrase for each of readers: the stored one, or
// a newly generated one for a reader without (listed in created, in
// readers' order). It does not write the store: Save does, once the portal
// using them is written.
func (s *Store) Passphrases(id string, readers []string) (pass map[string]string, created []string, err error) {
	old, err := s.Load(id)
	if err != nil {
		return nil, nil, err
	}
	pass = map[string]string{}
	for _, r := range readers {
		if p, ok := old[r]; ok && p != "" {
			pass[r] = p
			continue
		}
		p, err := Generate()
		if err != nil {
			return nil, nil, err
		}
		pass[r] = p
		created = append(created, r)
	}
	return pass, created, nil
}

// Save makes pass the stored passphrases of case id: readers not in it are
// dropped. The file is written only when it changes.
func (s *Store) Save(id string, pass map[string]string) error {
	old, err := s.Load(id)
	if err == nil && len(old) == len(pass) {
		same := true
		for k, v := range pass {
			if old[k] != v {
				same = false
			}
		}
		if same {
			return nil
		}
	}
	return s.write(id, pass)
}

// Sync is Passphrases then Save.
func (s *Store) Sync(id string, readers []string) (pass map[string]string, created []string, err error) {
	if pass, created, err = s.Passphrases(id, readers); err != nil {
		return nil, nil, err
	}
	if err := s.Save(id, pass); err != nil {
		return nil, nil, err
	}
	return pass, created, nil
}

// write replaces the file of case id atomically, readable by the user only.
func (s *Store) write(id string, pass map[string]string) error {
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		return fmt.Errorf("creating the key store: %w", err)
	}
	// A folder made by hand may be open to others: close it.
	if err := os.Chmod(s.Dir, 0o700); err != nil {
		return fmt.Errorf("securing the key store: %w", err)
	}
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "# caseport key store: the passphrases of the readers of case %q.\n", id)
	fmt.Fprintf(&buf, "# Keep it secret. caseport build keeps these passphrases when it rebuilds the portal.\n\n")
	names := make([]string, 0, len(pass))
	for n := range pass {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := toml.NewEncoder(&buf).Encode(map[string]string{n: pass[n]}); err != nil {
			return err
		}
	}
	return s.writeAtomic(s.Path(id), buf.Bytes())
}

// writeAtomic replaces the file at p, in the store's folder, with data, in
// one rename, readable by the user only.
func (s *Store) writeAtomic(p string, data []byte) error {
	f, err := os.CreateTemp(s.Dir, ".tmp-*") // mode 0600
	if err != nil {
		return fmt.Errorf("writing the key store: %w", err)
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("writing the key store: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("writing the key store: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing the key store: %w", err)
	}
	if err := os.Rename(f.Name(), p); err != nil {
		return fmt.Errorf("writing the key store: %w", err)
	}
	return nil
}
