// Package content embeds caseport's built-in text: the checklist
// definitions, the question bank, the case skeleton, the emergency notice
// and the UI strings of each language. Keeping it as data lets the checker,
// the portal and translators share one source.
package content

import "embed"

// FS holds every file of this folder.
//
//go:embed *
var FS embed.FS
