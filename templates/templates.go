// Package templates holds the html/template layouts of the portal.
package templates

import (
	"embed"
	"io/fs"
)

// FS holds every layout of this folder: the copy embedded in the binary, or the
// folder itself after UseDir.
var FS fs.FS = embedded

//go:embed *
var embedded embed.FS

// UseDir reads the files from dir instead of the binary, so that whoever
// edits them in a caseport source tree sees each save in "caseport serve".
// Call it before anything reads FS.
func UseDir(fsys fs.FS) { FS = fsys }
