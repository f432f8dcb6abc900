// Package templates holds the html/template layouts of the portal.
package templates

import (
	"embed"
	"io/fs"
)

// FS holds every layout of this folder, as embedded in the binary. Nothing
// reassigns it: a build that reads another copy (a source tree, in
// "caseport serve") is handed an internal/source.Files instead.
var FS fs.FS = embedded

//go:embed *
var embedded embed.FS
