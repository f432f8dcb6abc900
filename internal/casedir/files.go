package casedir

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/caseport/caseport/internal/inside"
)

// attach checks a path written in case.toml and returns its Attachment,
// shared by every key that names the same file.
func (l *loader) attach(key, p string) *Attachment {
	switch {
	case strings.Contains(p, `\`):
		l.report(Error, key, "%q: write paths with / between folders, not \\", p)
		return nil
	case path.IsAbs(p) || filepath.IsAbs(p) || (len(p) > 1 && p[1] == ':'):
		l.report(Error, key, "%q is an absolute path: write it relative to the case folder, like \"pathology/report.pdf\", and copy the file into the case folder", p)
		return nil
	}
	for _, part := range strings.Split(p, "/") {
		if part == ".." {
			l.report(Error, key, "%q leaves the case folder: copy the file into the case folder and write its path from there", p)
			return nil
		}
	}
	rel := path.Clean(p)
	if contains(rootFiles, rel) {
		l.report(Error, key, "%q is one of the case's own files, not an attachment: name a file in a sub-folder", p)
		return nil
	}
	if a, ok := l.byPath[rel]; ok {
		a.RefBy = append(a.RefBy, key)
		return a
	}
	abs := filepath.Join(l.dir, filepath.FromSlash(rel))
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			msg := fmt.Sprintf("file %q not found in the case folder", p)
			if s := l.similarFile(rel); s != "" {
				msg += fmt.Sprintf(": did you mean %q?", s)
			}
			l.report(Error, key, "%s", msg)
		} else {
			l.report(Error, key, "cannot read %q: %v", p, err)
		}
		return nil
	}
	if !inside.Within(l.realDir, real) {
		l.report(Error, key, "%q is a link to a file outside the case folder: copy the file itself into the case folder", p)
		return nil
	}
	info, err := os.Stat(real)
	if err != nil {
		l.report(Error, key, "cannot read %q: %v", p, err)
		return nil
	}
	if !info.Mode().IsRegular() {
		what := "not a regular file"
		if info.IsDir() {
			what = "a folder, not a file"
		}
		l.report(Error, key, "%q is %s: name one file", p, what)
		return nil
	}
	a := &Attachment{Path: rel, Abs: abs, Size: info.Size(), RefBy: []string{key}}
	l.byPath[rel] = a
	l.attachments = append(l.attachments, a)
	return a
}

// similarFile suggests an existing file for a path that does not exist: a
// name close to it in the same folder, or the same name in another folder.
func (l *loader) similarFile(rel string) string {
	files := l.caseFiles()
	for _, f := range files {
		if strings.EqualFold(path.Base(f), path.Base(rel)) {
			return f
		}
	}
	var sameDir []string
	for _, f := range files {
		if path.Dir(f) == path.Dir(rel) {
			sameDir = append(sameDir, f)
		}
	}
	if s := closest(rel, sameDir); s != "" {
		return s
	}
	return ""
}

// rootFiles are the files of the format itself, never attachments.
var rootFiles = []string{caseFile, questionsFile, summaryFile, notesFile}

// caseFiles lists the files of the case folder (slash-separated, relative),
// leaving out hidden files and folders and the usual operating-system litter.
func (l *loader) caseFiles() []string {
	if l.files != nil {
		return l.files
	}
	l.files = []string{}
	filepath.WalkDir(l.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		name := d.Name()
		if p != l.dir && (strings.HasPrefix(name, ".") || (d.IsDir() && name == "node_modules")) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() || strings.HasSuffix(name, "~") || name == "Thumbs.db" || name == "desktop.ini" {
			return nil
		}
		rel, err := filepath.Rel(l.dir, p)
		if err != nil {
			return nil
		}
		l.files = append(l.files, filepath.ToSlash(rel))
		return nil
	})
	return l.files
}

func (l *loader) unreferenced() []string {
	var out []string
	for _, f := range l.caseFiles() {
		if _, ok := l.byPath[f]; ok || contains(rootFiles, f) || strings.HasPrefix(f, RepliesDir+"/") {
			continue
		}
		out = append(out, f)
	}
	return out
}
