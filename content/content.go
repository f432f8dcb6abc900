// Package content holds caseport's built-in text: the checklist
// definitions, the question bank, the case skeleton, the emergency notice,
// the word list and the UI strings of each language. Keeping it as data lets
// the checker, the portal and translators share one source.
package content

import (
	"embed"
	"io/fs"
)

// FS holds every file of this folder, as embedded in the binary. Nothing
// reassigns it: a build that reads another copy (a source tree, in
// "caseport serve") is handed an internal/source.Files instead.
var FS fs.FS = embedded

//go:embed *
var embedded embed.FS
