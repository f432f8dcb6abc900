// Package source says where a build reads caseport's own files from: the
// portal's layouts (templates/), its themes (themes/) and its texts
// (content/). A build is handed a Files value; the zero value means the
// copies embedded in the binary, and "caseport serve" with CASEPORT_SOURCE
// hands the folders of a source tree instead, read afresh at every build so
// that each save of a layout, style or string is seen.
//
// Nothing here is a package variable that a caller could swap: whoever
// wants other files passes other Files.
package source

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/caseport/caseport/content"
	"github.com/caseport/caseport/templates"
	"github.com/caseport/caseport/themes"
)

// Files are the three trees of caseport's own files. A nil field means the
// embedded copy of that tree.
type Files struct {
	Templates fs.FS // the html/template layouts of the portal
	Themes    fs.FS // one folder a theme, with the unlock page's parts
	Content   fs.FS // UI strings, notices, the checklist definitions
}

// Embedded returns the copies built into the binary.
func Embedded() Files {
	return Files{Templates: templates.FS, Themes: themes.FS, Content: content.FS}
}

// OrEmbedded returns f with every nil tree replaced by the embedded one.
func (f Files) OrEmbedded() Files {
	e := Embedded()
	if f.Templates == nil {
		f.Templates = e.Templates
	}
	if f.Themes == nil {
		f.Themes = e.Themes
	}
	if f.Content == nil {
		f.Content = e.Content
	}
	return f
}

// Dir returns the trees of the caseport source tree at root, read from disk,
// and the three folders, for a watcher.
func Dir(root string) (Files, []string, error) {
	var dirs []string
	var trees []fs.FS
	for _, name := range []string{"templates", "themes", "content"} {
		dir := filepath.Join(root, name)
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return Files{}, nil, fmt.Errorf("%s has no %s folder: give the root of a caseport source tree", root, name)
		}
		dirs = append(dirs, dir)
		trees = append(trees, os.DirFS(dir))
	}
	return Files{Templates: trees[0], Themes: trees[1], Content: trees[2]}, dirs, nil
}
