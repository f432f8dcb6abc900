package benchcase

import (
	"fmt"
	"html"
	"path"
	"strings"

	"github.com/caseport/caseport/internal/casedir"
	"github.com/caseport/caseport/internal/portal"
)

// Render stands in for internal/render in benchmarks run before the
// renderer is wired into internal/site: one page listing the timeline
// entries and linking every attachment, as the renderer does
// (files/N/BASENAME, data-attachment). Its cost is not the renderer's.
func Render(c *casedir.Case) (*portal.Tree, error) {
	t := &portal.Tree{Lang: c.Language}
	var b strings.Builder
	fmt.Fprintf(&b, "<!doctype html><title>%s</title><h1>%s</h1><ol>", html.EscapeString(c.Title), html.EscapeString(c.Patient.Alias))
	for _, e := range c.Events {
		fmt.Fprintf(&b, "<li>%s %s", e.Date, html.EscapeString(e.Title))
	}
	for _, l := range c.Labs {
		fmt.Fprintf(&b, "<li>%s %s %v", l.Date, html.EscapeString(l.Name), l.Value.Number)
	}
	for _, im := range c.Imaging {
		fmt.Fprintf(&b, "<li>%s %s %s", im.Date, html.EscapeString(im.Modality), html.EscapeString(im.Findings))
	}
	b.WriteString("</ol><ul>")
	for i, a := range c.Attachments {
		name := fmt.Sprintf("%s%d/%s", portal.AttachmentPrefix, i+1, path.Base(a.Path))
		fmt.Fprintf(&b, `<li><a data-attachment href="%s">%s</a>`, name, html.EscapeString(path.Base(a.Path)))
		t.Attachments = append(t.Attachments, &portal.Attachment{Name: name, FileName: path.Base(a.Path),
			MediaType: "application/octet-stream", Source: a.Abs, Size: a.Size})
	}
	b.WriteString("</ul>")
	t.Pages = []*portal.Page{{Name: "index.html", MediaType: "text/html; charset=utf-8", Data: []byte(b.String())}}
	return t, nil
}
