package keystore

import (
	"bytes"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
)

// FoldersFile is the store's file of portal folder names, by case id.
const FoldersFile = "_folders.toml" // no case id starts with "_"

var folderPattern = regexp.MustCompile(`^[a-z2-7]{16}$`)

// FolderName returns the folder name of case id's portal in a build of
// several cases: 16 random letters and digits (80 bits), never the case
// id, whose words ("sarcoma-2026-017") would put the diagnosis in the link.
// It is made once and kept in FoldersFile, so a rebuild keeps the link;
// created says it was made now.
func (s *Store) FolderName(id string) (name string, created bool, err error) {
	if id == "" {
		return "", false, errors.New("the key store needs a case id")
	}
	p := filepath.Join(s.Dir, FoldersFile)
	names := map[string]string{}
	data, err := os.ReadFile(p)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", false, fmt.Errorf("reading the key store: %w", err)
	}
	if err == nil {
		if err := toml.Unmarshal(data, &names); err != nil {
			return "", false, fmt.Errorf("key store %s: %w (fix or delete the file; the portals then get new folder names)", p, err)
		}
	}
	if n := names[id]; folderPattern.MatchString(n) {
		return n, false, nil
	}
	b := make([]byte, 10)
	rand.Read(b)
	name = strings.ToLower(base32.StdEncoding.EncodeToString(b))
	names[id] = name

	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		return "", false, fmt.Errorf("creating the key store: %w", err)
	}
	var buf bytes.Buffer
	buf.WriteString("# caseport key store: the folder of each case's portal in a build of several cases.\n")
	buf.WriteString("# Keep it: caseport build keeps these names, so the links stay the same.\n\n")
	ids := make([]string, 0, len(names))
	for k := range names {
		ids = append(ids, k)
	}
	sort.Strings(ids)
	for _, k := range ids {
		if err := toml.NewEncoder(&buf).Encode(map[string]string{k: names[k]}); err != nil {
			return "", false, err
		}
	}
	if err := s.writeAtomic(p, buf.Bytes()); err != nil {
		return "", false, err
	}
	return name, true, nil
}
