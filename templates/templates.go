// Package templates embeds the html/template layouts of the portal.
package templates

import "embed"

// FS holds every layout of this folder.
//
//go:embed *
var FS embed.FS
