// Package portal holds the in-memory tree of a rendered portal: the pages
// the renderer produced and the attachments they link to. The renderer
// builds a Tree; the preview server serves it as it is; the sealer encrypts
// it. Attachments stay on disk and are streamed, never held in memory.
package portal

import (
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/caseport/caseport/internal/inside"
)

// AttachmentPrefix is the folder, inside the portal, under which every
// attachment is linked: "files/3/biopsy-2026-08-14.pdf".
const AttachmentPrefix = "files/"

// Page is a generated file of the portal, held in memory: index.html, a
// stylesheet, an image of the theme.
type Page struct {
	// Name is the portal-internal path, slash-separated ("index.html").
	Name string
	// MediaType is the MIME type ("text/html; charset=utf-8").
	MediaType string
	Data      []byte
}

// Attachment is a file of the case that the portal links to. Its bytes are
// read from Source when served or sealed.
type Attachment struct {
	// Name is the portal-internal path the pages link to, under
	// AttachmentPrefix; it never contains a path of the coordinator's disk.
	Name string
	// FileName is the original base name, offered when the file is downloaded.
	FileName string
	// MediaType is the MIME type, from the file name's extension.
	MediaType string
	// Source is the absolute path of the file on disk.
	Source string
	// Size is the file's size in bytes when the case was loaded.
	Size int64
	// Root, when set, is the folder Source must still lie in when it is
	// opened (the case folder): a file swapped for a link to elsewhere, or
	// for a FIFO, since the case was loaded is refused, not read.
	Root string
}

// Open opens the attachment's source for streaming, checking again, through
// the handle it returns, that it is a regular file inside Root.
func (a *Attachment) Open() (io.ReadCloser, error) {
	if a.Root == "" {
		f, err := os.Open(a.Source)
		if err != nil {
			return nil, fmt.Errorf("attachment %s: %w", a.FileName, err)
		}
		return f, nil
	}
	f, err := inside.OpenRegular(a.Root, a.Source)
	if err != nil {
		return nil, fmt.Errorf("attachment %s changed since the case was loaded (%w): check the case again", a.FileName, err)
	}
	return f, nil
}

// Tree is a rendered portal: its pages and attachments.
type Tree struct {
	// Lang is the portal's language (BCP 47), for the sealed unlock page.
	Lang        string
	Pages       []*Page
	Attachments []*Attachment
}

// Page returns the page with the given name, or nil.
func (t *Tree) Page(name string) *Page {
	for _, p := range t.Pages {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// Attachment returns the attachment with the given portal-internal name, or nil.
func (t *Tree) Attachment(name string) *Attachment {
	for _, a := range t.Attachments {
		if a.Name == name {
			return a
		}
	}
	return nil
}

// Names returns every file name of the tree, sorted.
func (t *Tree) Names() []string {
	var names []string
	for _, p := range t.Pages {
		names = append(names, p.Name)
	}
	for _, a := range t.Attachments {
		names = append(names, a.Name)
	}
	sort.Strings(names)
	return names
}
