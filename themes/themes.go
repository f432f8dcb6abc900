// Package themes embeds the built-in portal themes: one folder a theme, with
// its stylesheet, images and browser code.
package themes

import "embed"

// FS holds every theme of this folder.
//
//go:embed *
var FS embed.FS
