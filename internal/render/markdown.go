package render

import (
	"bytes"
	"html/template"
	"net/url"
	"path"
	"strings"

	"github.com/caseport/caseport/internal/casedir"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/util"
)

// markdown renders the case's Markdown with the format's limits on links:
// http, https, mailto, in-page anchors, and relative links to referenced
// attachments, which are rewritten to their portal-internal names. Any other
// link is shown as its text alone. Raw HTML is never rendered (goldmark's
// default). Headings are shifted so that a file's top heading sits under the
// portal's section heading.
type markdown struct {
	files map[string]*fileRef // by the attachment's path relative to the case
	shift int                 // added to a heading's level
	// tableLabel names the scrolling region around a table, for screen
	// readers; a table wider than a phone scrolls inside it.
	tableLabel string
	renderer   renderer.Renderer
}

// fileRef is an attachment as the page links to it.
type fileRef struct {
	Name      string // portal-internal name, files/N/BASENAME
	Href      string // Name, escaped for a URL path
	Base      string
	MediaType string
	Size      int64
	IsImage   bool
}

func newMarkdown(files map[string]*fileRef) *markdown {
	m := &markdown{files: files, tableLabel: "Table"}
	m.renderer = renderer.NewRenderer(renderer.WithNodeRenderers(
		util.Prioritized(html.NewRenderer(), 1000),
		util.Prioritized(extension.NewTableHTMLRenderer(extension.WithTableCellAlignMethod(extension.TableCellAlignNone)), 500),
		// A lower value wins: these replace the default link, image,
		// heading and table cell renderers.
		util.Prioritized(m, 100),
	))
	return m
}

// RegisterFuncs implements renderer.NodeRenderer.
func (m *markdown) RegisterFuncs(r renderer.NodeRendererFuncRegisterer) {
	r.Register(ast.KindLink, m.link)
	r.Register(ast.KindAutoLink, m.autoLink)
	r.Register(ast.KindImage, m.image)
	r.Register(ast.KindHeading, m.heading)
	r.Register(east.KindTableCell, m.tableCell)
	r.Register(east.KindTable, m.table)
}

// Doc renders a whole Markdown file.
func (m *markdown) Doc(md *casedir.Markdown, top int) template.HTML {
	if md == nil || md.Doc == nil {
		return ""
	}
	return m.nodes(md.Source, md.Doc, top, skipTitle(md.Doc), nil)
}

// skipTitle returns the first node to render: the file's title, a first
// level-1 heading with no other level-1 heading after it, is skipped, since
// the portal's section heading stands in its place.
func skipTitle(doc ast.Node) ast.Node {
	first := doc.FirstChild()
	h, ok := first.(*ast.Heading)
	if !ok || h.Level != 1 || first.NextSibling() == nil {
		return first
	}
	for n := first.NextSibling(); n != nil; n = n.NextSibling() {
		if o, ok := n.(*ast.Heading); ok && o.Level <= h.Level {
			return first
		}
	}
	return first.NextSibling()
}

// nodes renders the siblings from first up to (not including) stop, with
// the file's smallest heading level shown at level top.
func (m *markdown) nodes(src []byte, doc ast.Node, top int, first, stop ast.Node) template.HTML {
	m.shift = top - minHeadingFrom(first)
	var b bytes.Buffer
	for n := first; n != nil && n != stop; n = n.NextSibling() {
		_ = m.renderer.Render(&b, src, n)
	}
	return template.HTML(b.String())
}

// Node renders one node and its children.
func (m *markdown) Node(src []byte, n ast.Node) template.HTML {
	var b bytes.Buffer
	_ = m.renderer.Render(&b, src, n)
	return template.HTML(b.String())
}

// Children renders the children of n without n's own tags.
func (m *markdown) Children(src []byte, n ast.Node) template.HTML {
	var b bytes.Buffer
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		_ = m.renderer.Render(&b, src, c)
	}
	return template.HTML(b.String())
}

// minHeadingFrom is the smallest heading level among first and the
// siblings after it; 1 when there is none.
func minHeadingFrom(first ast.Node) int {
	min := 7
	for n := first; n != nil; n = n.NextSibling() {
		if h, ok := n.(*ast.Heading); ok && h.Level < min {
			min = h.Level
		}
	}
	if min == 7 {
		return 1
	}
	return min
}

// target is where a Markdown link may go: an href, and the attachment's
// name when it is one. ok is false for links the portal does not follow.
func (m *markdown) target(dest string) (href, attachment string, f *fileRef, ok bool) {
	dest = strings.TrimSpace(dest)
	if dest == "" {
		return "", "", nil, false
	}
	if strings.HasPrefix(dest, "#") {
		return dest, "", nil, len(dest) > 1
	}
	u, err := url.Parse(dest)
	if err != nil {
		return "", "", nil, false
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
		if u.Host == "" {
			return "", "", nil, false
		}
		return u.String(), "", nil, true
	case "mailto":
		return u.String(), "", nil, true
	case "":
	default:
		return "", "", nil, false
	}
	if u.Host != "" || u.User != nil || path.IsAbs(u.Path) || u.Path == "" {
		return "", "", nil, false
	}
	f = m.files[path.Clean(u.Path)]
	if f == nil {
		return "", "", nil, false
	}
	href = f.Href
	if u.Fragment != "" {
		href += "#" + url.PathEscape(u.Fragment)
	}
	return href, f.Name, f, true
}

func writeAttr(w util.BufWriter, name, value string) {
	_, _ = w.WriteString(" " + name + `="`)
	_, _ = w.WriteString(template.HTMLEscapeString(value))
	_ = w.WriteByte('"')
}

func (m *markdown) link(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	n := node.(*ast.Link)
	href, att, _, ok := m.target(string(n.Destination))
	if !ok {
		// Not a link the portal follows: its text is kept, the target dropped.
		return ast.WalkContinue, nil
	}
	if !entering {
		_, _ = w.WriteString("</a>")
		return ast.WalkContinue, nil
	}
	_, _ = w.WriteString("<a")
	writeAttr(w, "href", href)
	if att != "" {
		writeAttr(w, "data-attachment", att)
	}
	if n.Title != nil {
		writeAttr(w, "title", string(n.Title))
	}
	_ = w.WriteByte('>')
	return ast.WalkContinue, nil
}

func (m *markdown) autoLink(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	n := node.(*ast.AutoLink)
	dest := string(n.URL(src))
	if n.AutoLinkType == ast.AutoLinkEmail && !strings.HasPrefix(strings.ToLower(dest), "mailto:") {
		dest = "mailto:" + dest
	}
	label := string(n.Label(src))
	href, att, _, ok := m.target(dest)
	if !ok {
		_, _ = w.WriteString(template.HTMLEscapeString(label))
		return ast.WalkContinue, nil
	}
	_, _ = w.WriteString("<a")
	writeAttr(w, "href", href)
	if att != "" {
		writeAttr(w, "data-attachment", att)
	}
	_ = w.WriteByte('>')
	_, _ = w.WriteString(template.HTMLEscapeString(label))
	_, _ = w.WriteString("</a>")
	return ast.WalkContinue, nil
}

// image shows an attached image inline. Any other image is shown as a link
// (or its text) since the page loads nothing from outside.
func (m *markdown) image(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	n := node.(*ast.Image)
	alt := casedir.PlainText(n, src)
	href, att, f, ok := m.target(string(n.Destination))
	switch {
	case ok && f != nil && f.IsImage:
		_, _ = w.WriteString("<img")
		writeAttr(w, "src", f.Href)
		writeAttr(w, "data-attachment", att)
		writeAttr(w, "alt", alt)
		_, _ = w.WriteString(` class="md-image">`)
	case ok:
		if alt == "" {
			alt = href
		}
		_, _ = w.WriteString("<a")
		writeAttr(w, "href", href)
		if att != "" {
			writeAttr(w, "data-attachment", att)
		}
		_ = w.WriteByte('>')
		_, _ = w.WriteString(template.HTMLEscapeString(alt))
		_, _ = w.WriteString("</a>")
	default:
		_, _ = w.WriteString(template.HTMLEscapeString(alt))
	}
	return ast.WalkSkipChildren, nil
}

func (m *markdown) heading(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	n := node.(*ast.Heading)
	level := n.Level + m.shift
	if level < 1 {
		level = 1
	}
	if level > 6 {
		level = 6
	}
	tag := "h" + string(rune('0'+level))
	if entering {
		_, _ = w.WriteString("<" + tag + ">")
	} else {
		_, _ = w.WriteString("</" + tag + ">\n")
	}
	return ast.WalkContinue, nil
}

// table wraps a table in a region that scrolls sideways when the table is
// wider than the screen, reachable by keyboard.
func (m *markdown) table(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		_, _ = w.WriteString(`<div class="table-wrap" tabindex="0" role="region"`)
		writeAttr(w, "aria-label", m.tableLabel)
		_, _ = w.WriteString("><table>\n")
	} else {
		_, _ = w.WriteString("</table></div>\n")
	}
	return ast.WalkContinue, nil
}

// tableCell writes header cells with a scope, for screen readers.
func (m *markdown) tableCell(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	tag, open := "td", "<td>"
	if _, ok := node.Parent().(*east.TableHeader); ok {
		tag, open = "th", `<th scope="col">`
	}
	if entering {
		_, _ = w.WriteString(open)
	} else {
		_, _ = w.WriteString("</" + tag + ">\n")
	}
	return ast.WalkContinue, nil
}
