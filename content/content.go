// Package content holds caseport's built-in text: the checklist
// definitions, the question bank, the case skeleton, the emergency notice,
// the word list and the UI strings of each language. Keeping it as data lets
// the checker, the portal and translators share one source.
package content

import (
	"embed"
	"io/fs"
)

// FS holds every file of this folder: the copy embedded in the binary, or the
// folder itself after UseDir.
var FS fs.FS = embedded

//go:embed *
var embedded embed.FS

// UseDir reads the files from dir instead of the binary, so that whoever
// edits them in a caseport source tree sees each save in "caseport serve".
// Call it before anything reads FS.
func UseDir(fsys fs.FS) { FS = fsys }
