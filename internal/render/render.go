// Package render turns a validated case into the review portal: one page,
// index.html, with every section a reviewing oncologist needs, its
// stylesheet and theme images, and the attachments it links to, as an
// in-memory portal.Tree that the build, the preview and the sealer share.
//
// The page holds no script and no style attributes, so that the sealed
// portal can insert it under a strict Content-Security-Policy: navigation is
// CSS only and charts are SVG drawn here.
package render

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"math"
	"mime"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/caseport/caseport/internal/casedir"
	"github.com/caseport/caseport/internal/checklist"
	"github.com/caseport/caseport/internal/portal"
	"github.com/caseport/caseport/internal/source"
)

// Options adjust Render.
type Options struct {
	// ThemesDir is an optional folder of themes on disk, one sub-folder a
	// theme; a theme there takes precedence over a built-in one of the same
	// name.
	ThemesDir string
	// Checklist evaluates the completeness checklist; nil means
	// checklist.Evaluate. Tests set it to show given outcomes.
	Checklist func(*casedir.Case) (checklist.Report, error)
	// Files are the layouts, themes and texts to render with; the zero
	// value means the ones embedded in the binary.
	Files source.Files
	// Today is the day the page counts days from ("12 days left"); the
	// zero Date means the current date. The unlock script counts again
	// from the reader's clock, and the page says which day it counted on.
	Today casedir.Date
	// PreviewDir is a folder for the preview images of DICOM series; the
	// caller removes it once the tree is sealed. No previews without it.
	PreviewDir string
}

// CSP is the Content-Security-Policy of index.html: the page needs its own
// stylesheet and images, and nothing else.
const CSP = "default-src 'none'; style-src 'self'; img-src 'self' data:"

// StaleImagingDays is how old, before prepared_on, an imaging study may be
// before the portal marks it as possibly out of date, as check does.
const StaleImagingDays = 90

// Render renders c into a portal tree: index.html, style.css, the theme's
// images under theme/, and one attachment per file the case references.
func Render(c *casedir.Case, opt Options) (*portal.Tree, error) {
	if c == nil {
		return nil, fmt.Errorf("render: no case")
	}
	own := opt.Files.OrEmbedded() // caseport's layouts, themes and texts
	s, err := loadStringsFrom(own.Content, c.Language)
	if err != nil {
		return nil, fmt.Errorf("render: UI strings: %w", err)
	}
	th, err := loadTheme(own.Themes, c.Theme, opt.ThemesDir)
	if err != nil {
		return nil, fmt.Errorf("case %s: %w", c.ID, err)
	}
	evaluate := opt.Checklist
	if evaluate == nil {
		evaluate = func(c *casedir.Case) (checklist.Report, error) { return checklist.EvaluateIn(own.Content, c) }
	}
	report, err := evaluate(c)
	if err != nil {
		return nil, fmt.Errorf("case %s: checklist: %w", c.ID, err)
	}

	tree := &portal.Tree{Lang: langTag(c.Language)}
	files := map[*casedir.Attachment]*fileRef{}
	byPath := map[string]*fileRef{}
	for i, a := range c.Attachments {
		base := path.Base(a.Path)
		name := fmt.Sprintf("%s%d/%s", portal.AttachmentPrefix, i+1, base)
		mt := mediaType(base)
		f := &fileRef{
			Name:      name,
			Href:      fmt.Sprintf("%s%d/%s", portal.AttachmentPrefix, i+1, url.PathEscape(base)),
			Base:      base,
			MediaType: mt,
			Size:      a.Size,
			IsImage:   isImage(base),
		}
		files[a] = f
		byPath[path.Clean(a.Path)] = f
		tree.Attachments = append(tree.Attachments, &portal.Attachment{
			Name: name, FileName: base, MediaType: mt, Source: a.Abs, Size: a.Size,
			Root: c.Dir,
		})
	}

	day := opt.Today
	if day.IsZero() {
		day = casedir.FromTime(time.Now())
	}
	p := &page{
		Today:  day,
		C:      c,
		S:      s,
		Lang:   langTag(c.Language),
		CSP:    CSP,
		md:     newMarkdown(byPath),
		files:  files,
		Report: report,
		Logo:   th.logo,
		texts:  own.Content,
	}
	p.md.tableLabel = s.T("table_label")
	p.build()
	p.scanDICOM(tree, opt.PreviewDir)

	t, err := parseTemplates(own.Templates, p)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "index.html", p); err != nil {
		return nil, fmt.Errorf("case %s: render index.html: %w", c.ID, err)
	}
	tree.Pages = append(tree.Pages, &portal.Page{Name: "index.html", MediaType: "text/html; charset=utf-8", Data: b.Bytes()})
	tree.Pages = append(tree.Pages, &portal.Page{Name: "style.css", MediaType: "text/css; charset=utf-8", Data: th.css})
	tree.Pages = append(tree.Pages, th.images...)
	return tree, nil
}

func langTag(tag string) string {
	if strings.TrimSpace(tag) == "" {
		return "en"
	}
	return tag
}

// mediaType is the MIME type of a file from its name, with the types the
// system's table may lack for medical files.
func mediaType(name string) string {
	ext := strings.ToLower(path.Ext(name))
	switch ext {
	case ".dcm", ".dicom":
		return "application/dicom"
	case ".zip":
		return "application/zip"
	case ".pdf":
		return "application/pdf"
	case ".webp":
		return "image/webp"
	case ".svg":
		return "image/svg+xml"
	case ".md", ".txt":
		return "text/plain; charset=utf-8"
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t
	}
	return "application/octet-stream"
}

func isImage(name string) bool {
	switch strings.ToLower(path.Ext(name)) {
	case ".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg":
		return true
	}
	return false
}

func parseTemplates(layouts fs.FS, p *page) (*template.Template, error) {
	s := p.S
	funcs := template.FuncMap{
		"t":      s.T,
		"tf":     s.F,
		"enum":   s.Enum,
		"plural": s.Plural,
		"num":    s.Number,
		"date":   p.dateHTML,
		"rel":    p.relativeHTML,
		"file":   p.fileHTML,
		"fileref": func(a *casedir.Attachment) *fileRef {
			return p.files[a]
		},
		"size": s.Size,
		"sub":  func(a, b int) int { return a - b },
		"add1": func(i int) int { return i + 1 },
		"list": func(v ...string) []string { return v },
	}
	t, err := template.New("portal").Funcs(funcs).ParseFS(layouts, "*.html")
	if err != nil {
		return nil, fmt.Errorf("render: templates: %w", err)
	}
	return t, nil
}

// dateHTML shows a possibly partial date in the language, in a time
// element when the date is one HTML can name.
func (p *page) dateHTML(d casedir.Date) template.HTML {
	if d.IsZero() {
		return ""
	}
	text := template.HTMLEscapeString(p.S.Date(d))
	if d.Month == 0 {
		return template.HTML(text)
	}
	return template.HTML(`<time datetime="` + d.String() + `">` + text + `</time>`)
}

// relativeHTML counts the days from the page's day to d, in a time element
// that the unlock script recounts from the reader's clock: kind "due" says
// days left or overdue (a reply date), "when" in N days or N days ago. The
// text names the day it was counted on, for a page read without script;
// print shows the absolute date beside it instead.
func (p *page) relativeHTML(kind string, d casedir.Date) template.HTML {
	if !d.IsFull() || p.Today.IsZero() {
		return ""
	}
	n := DaysBetween(p.Today, d)
	label := p.S.relative(kind, n)
	text := p.S.F("rel.counted", "label", label, "date", p.S.Date(p.Today))
	return template.HTML(`<time class="rel" datetime="` + d.String() + `" data-rel="` + template.HTMLEscapeString(kind) +
		`" data-from="` + p.Today.String() + `">` + template.HTMLEscapeString(text) + `</time>`)
}

// relative is the day count n (to a date from today; negative when it is
// past) in words: "12 days left", "3 days overdue", "in 5 days", "10 days
// ago".
func (s *uiStrings) relative(kind string, n int) string {
	switch {
	case kind == "due" && n == 0:
		return s.T("rel.due_today")
	case kind == "due" && n > 0:
		return s.Plural("rel.left", n)
	case kind == "due":
		return s.Plural("rel.overdue", -n)
	case n == 0:
		return s.T("rel.today")
	case n > 0:
		return s.Plural("rel.in", n)
	}
	return s.Plural("rel.ago", -n)
}

// DaysBetween is the number of calendar days from a to b: 1 from one day
// to the next, negative when b is before a.
func DaysBetween(a, b casedir.Date) int {
	return int(math.Round(b.Start().Sub(a.Start()).Hours() / 24))
}

// fileHTML links an attachment by its portal-internal name, with its type
// and size, so a doctor on a phone knows what a tap will download.
func (p *page) fileHTML(a *casedir.Attachment) template.HTML {
	f := p.files[a]
	if f == nil {
		return ""
	}
	link := fmt.Sprintf(`<a class="file" href="%s" data-attachment="%s">%s</a> <span class="file-meta">(%s, %s)</span>`,
		template.HTMLEscapeString(f.Href), template.HTMLEscapeString(f.Name), template.HTMLEscapeString(f.Base),
		template.HTMLEscapeString(p.S.fileType(f)), template.HTMLEscapeString(p.S.Size(f.Size)))
	return template.HTML(link) + p.translationsHTML(a)
}

// translationsHTML shows the translations of an attachment beside it.
func (p *page) translationsHTML(a *casedir.Attachment) template.HTML {
	var b strings.Builder
	for _, tr := range p.C.TranslationsOf(a) {
		f := p.files[tr.File]
		if f == nil {
			continue
		}
		label := p.S.F("translation.label", "language", p.S.Enum("language", tr.Language))
		if tr.By != "" {
			label = p.S.F("translation.label_by", "language", p.S.Enum("language", tr.Language), "by", tr.By)
		}
		fmt.Fprintf(&b, ` <span class="translation">%s: <a class="file" href="%s" data-attachment="%s">%s</a> <span class="file-meta">(%s, %s)</span></span>`,
			template.HTMLEscapeString(label), template.HTMLEscapeString(f.Href), template.HTMLEscapeString(f.Name), template.HTMLEscapeString(f.Base),
			template.HTMLEscapeString(p.S.fileType(f)), template.HTMLEscapeString(p.S.Size(f.Size)))
	}
	return template.HTML(b.String())
}

// fileType names a file's type for people: "PDF", "DICOM archive".
func (s *uiStrings) fileType(f *fileRef) string {
	ext := strings.TrimPrefix(strings.ToLower(path.Ext(f.Base)), ".")
	if s.Has("filetype." + ext) {
		return s.T("filetype." + ext)
	}
	if ext == "" {
		return s.T("filetype.unknown")
	}
	return strings.ToUpper(ext)
}

// theme is a loaded theme: its stylesheet and images.
type theme struct {
	css    []byte
	images []*portal.Page
	logo   string // the logo's page name, "" when the theme has none
}

// loadTheme reads the theme name from dir (when given) or from builtin,
// caseport's own themes. A theme other than default is added after the
// default stylesheet, so it need only set what it changes.
func loadTheme(builtin fs.FS, name, dir string) (*theme, error) {
	if name == "" {
		name = "default"
	}
	src, err := themeFS(builtin, name, dir)
	if err != nil {
		return nil, err
	}
	th := &theme{}
	css, err := fs.ReadFile(src, "style.css")
	if err != nil {
		return nil, fmt.Errorf("theme %q: style.css: %w (a theme folder needs a style.css)", name, err)
	}
	if name != "default" {
		base, err := themeFS(builtin, "default", dir)
		if err != nil {
			return nil, err
		}
		def, err := fs.ReadFile(base, "style.css")
		if err != nil {
			return nil, fmt.Errorf("theme default: style.css: %w", err)
		}
		css = append(append(append(def, "\n/* theme "...), name+" */\n"...), css...)
	}
	th.css = css
	err = fs.WalkDir(src, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p == "unlock" || (p != "." && strings.HasPrefix(d.Name(), ".")) {
				return fs.SkipDir
			}
			return nil
		}
		if !isImage(p) || strings.HasPrefix(d.Name(), ".") {
			return nil
		}
		b, err := fs.ReadFile(src, p)
		if err != nil {
			return err
		}
		pg := &portal.Page{Name: "theme/" + p, MediaType: mediaType(p), Data: b}
		th.images = append(th.images, pg)
		if strings.TrimSuffix(p, path.Ext(p)) == "logo" && th.logo == "" {
			th.logo = pg.Name
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("theme %q: %w", name, err)
	}
	return th, nil
}

// themeFS finds a theme's folder.
func themeFS(builtin fs.FS, name, dir string) (fs.FS, error) {
	if !casedir.ValidThemeName(name) {
		return nil, fmt.Errorf("theme %q: a theme name has only lower-case letters, digits, - and _; themes available: %s", name, strings.Join(themesIn(builtin, dir), ", "))
	}
	if dir != "" {
		d := osDirFS(dir)
		if st, err := fs.Stat(d, name); err == nil && st.IsDir() {
			return fs.Sub(d, name)
		}
	}
	if st, err := fs.Stat(builtin, name); err == nil && st.IsDir() {
		return fs.Sub(builtin, name)
	}
	return nil, fmt.Errorf("theme %q not found: themes available: %s", name, strings.Join(themesIn(builtin, dir), ", "))
}

// Themes lists the themes available: the built-in ones and those in dir
// (when given), sorted, each once.
func Themes(dir string) []string { return themesIn(source.Embedded().Themes, dir) }

// themesIn is Themes with builtin as caseport's own themes.
func themesIn(builtin fs.FS, dir string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(f fs.FS) {
		entries, err := fs.ReadDir(f, ".")
		if err != nil {
			return
		}
		for _, e := range entries {
			if !e.IsDir() || !casedir.ValidThemeName(e.Name()) || seen[e.Name()] {
				continue
			}
			if _, err := fs.Stat(f, e.Name()+"/style.css"); err != nil {
				continue
			}
			seen[e.Name()] = true
			out = append(out, e.Name())
		}
	}
	add(builtin)
	if dir != "" {
		add(osDirFS(dir))
	}
	sortStrings(out)
	return out
}

func itoa(n int) string { return strconv.Itoa(n) }
