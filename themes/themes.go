// Package themes holds the built-in portal themes: one folder a theme, with
// its stylesheet, images and browser code.
package themes

import (
	"embed"
	"io/fs"
)

// FS holds every theme of this folder, as embedded in the binary. Nothing
// reassigns it: a build that reads another copy (a source tree, in
// "caseport serve") is handed an internal/source.Files instead.
var FS fs.FS = embedded

//go:embed *
var embedded embed.FS
