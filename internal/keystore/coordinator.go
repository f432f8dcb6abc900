package keystore

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"filippo.io/age"
)

// CoordinatorFile is the name, in the key store folder, of the
// coordinator's age identity: the key that opens the doctors' sealed
// replies. A case id never clashes with it, since case files end in .toml.
const CoordinatorFile = "coordinator-identity.txt"

// CoordinatorPath returns the file of the coordinator's identity.
func (s *Store) CoordinatorPath() string {
	return filepath.Join(s.Dir, CoordinatorFile)
}

// Coordinator returns the coordinator's identity, reading it from the key
// store; fs.ErrNotExist (wrapped) when it was never made.
func (s *Store) Coordinator() (*age.HybridIdentity, error) {
	p := s.CoordinatorPath()
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("reading the coordinator's key: %w", err)
	}
	ids, err := age.ParseIdentities(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("the coordinator's key %s: %w (restore it from your backup: without it the replies sealed to it cannot be opened)", p, err)
	}
	if len(ids) != 1 {
		return nil, fmt.Errorf("the coordinator's key %s holds %d keys; it must hold one", p, len(ids))
	}
	id, ok := ids[0].(*age.HybridIdentity)
	if !ok {
		return nil, fmt.Errorf("the coordinator's key %s is not a post-quantum (AGE-SECRET-KEY-PQ-1) key", p)
	}
	return id, nil
}

// EnsureCoordinator returns the coordinator's identity, making it on first
// need: a post-quantum hybrid age identity, like the portal's, written with
// mode 0600. created says it was made now. Builds running at once agree on
// one identity: the file appears whole or not at all (a hard link of a
// finished temporary file), and a loser of the race reads the winner's.
func (s *Store) EnsureCoordinator() (id *age.HybridIdentity, created bool, err error) {
	id, err = s.Coordinator()
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return id, false, err
	}
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		return nil, false, fmt.Errorf("creating the key store: %w", err)
	}
	if err := os.Chmod(s.Dir, 0o700); err != nil {
		return nil, false, fmt.Errorf("securing the key store: %w", err)
	}
	fresh, err := age.GenerateHybridIdentity()
	if err != nil {
		return nil, false, fmt.Errorf("making the coordinator's key: %w", err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# caseport coordinator key: opens the replies doctors seal in the portals you build.\n")
	fmt.Fprintf(&b, "# Keep it secret and keep a backup: losing this file loses every reply sealed to it.\n")
	fmt.Fprintf(&b, "# created: %s\n", time.Now().UTC().Format(time.RFC3339))
	fmt.Fprintf(&b, "# public key: %s\n", fresh.Recipient())
	fmt.Fprintf(&b, "%s\n", fresh)
	f, err := os.CreateTemp(s.Dir, ".tmp-coordinator-*") // mode 0600
	if err != nil {
		return nil, false, fmt.Errorf("writing the coordinator's key: %w", err)
	}
	defer os.Remove(f.Name())
	if _, err := f.WriteString(b.String()); err != nil {
		f.Close()
		return nil, false, fmt.Errorf("writing the coordinator's key: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, false, fmt.Errorf("writing the coordinator's key: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, false, fmt.Errorf("writing the coordinator's key: %w", err)
	}
	if err := os.Link(f.Name(), s.CoordinatorPath()); err != nil {
		if errors.Is(err, fs.ErrExist) {
			id, err := s.Coordinator()
			return id, false, err
		}
		return nil, false, fmt.Errorf("writing the coordinator's key: %w", err)
	}
	return fresh, true, nil
}
