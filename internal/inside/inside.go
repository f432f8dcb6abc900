// Package inside answers one question that the loader, the preview and the
// build all ask before they read or write: does a path lie inside a folder
// once every symbolic link is followed? A link can make a path that looks
// outside the case folder land inside it (a portal written into the case,
// the key store kept with the case), or one that looks inside land
// outside (an attachment that is really ~/.ssh/id_ed25519), so the test is
// only ever made on resolved paths.
//
// OpenRegular adds the other half: a file is opened only after it is known
// to be a regular file, without blocking (a FIFO named questions.md must
// not hang the loader), and checked again through the open handle, so a
// file swapped for a link or a FIFO between the check and the open is
// refused rather than read.
package inside

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// ErrOutside is returned by OpenRegular for a path whose real location is
// outside the root.
var ErrOutside = errors.New("it lies outside the case folder (through a link)")

// ErrNotRegular is returned by OpenRegular for a folder, FIFO, socket or
// device.
var ErrNotRegular = errors.New("it is not a regular file")

// Resolve returns p made absolute with every symbolic link resolved. A path
// that does not exist yet (a portal about to be written) resolves its
// deepest existing folder and keeps the rest as written.
func Resolve(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	var rest []string
	for dir := abs; ; {
		real, err := filepath.EvalSymlinks(dir)
		if err == nil {
			return filepath.Join(append([]string{real}, rest...)...), nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return abs, nil
		}
		rest = append([]string{filepath.Base(dir)}, rest...)
		dir = parent
	}
}

// Is reports whether p is dir or lies inside it, both resolved first.
func Is(dir, p string) (bool, error) {
	rd, err := Resolve(dir)
	if err != nil {
		return false, fmt.Errorf("resolving %s: %w", dir, err)
	}
	rp, err := Resolve(p)
	if err != nil {
		return false, fmt.Errorf("resolving %s: %w", p, err)
	}
	return Within(rd, rp), nil
}

// Within reports whether p is dir or lies inside it, by their names only:
// both must already be resolved (see Resolve).
func Within(dir, p string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// OpenRegular opens p for reading if, with links resolved, it lies inside
// root and is a regular file. It never blocks on a FIFO: the type is
// checked before opening, the open is non-blocking, and the handle is
// checked again (a regular file, the same file that was checked). Errors
// wrap ErrOutside, ErrNotRegular or the system's error.
func OpenRegular(root, p string) (*os.File, error) {
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return nil, err
	}
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		return nil, err
	}
	if !Within(realRoot, real) {
		return nil, ErrOutside
	}
	before, err := os.Lstat(real)
	if err != nil {
		return nil, err
	}
	if !before.Mode().IsRegular() {
		return nil, ErrNotRegular
	}
	f, err := openNonBlocking(real)
	if err != nil {
		return nil, err
	}
	after, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !after.Mode().IsRegular() || !os.SameFile(before, after) {
		f.Close()
		return nil, fmt.Errorf("it changed while it was being opened: %w", ErrNotRegular)
	}
	return f, nil
}
