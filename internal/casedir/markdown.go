package casedir

import (
	"bytes"
	"net/url"
	"path"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/text"
)

// markdown is the parser for the case's Markdown: CommonMark with tables,
// as the format says. Rendering reuses the trees it builds.
var markdown = goldmark.New(goldmark.WithExtensions(extension.Table))

// Parser returns the Markdown parser the case's files are read with, so a
// renderer can build a goldmark instance with the same syntax.
func Parser() goldmark.Markdown { return markdown }

func (l *loader) parseMarkdown(name, src string) *Markdown {
	b := []byte(src)
	doc := markdown.Parser().Parse(text.NewReader(b))
	m := &Markdown{Path: name, Source: b, Doc: doc}
	l.checkMarkdown(m)
	return m
}

func (l *loader) optionalMarkdown(name string) *Markdown {
	src, ok := l.readText(name, false)
	if !ok {
		return nil
	}
	if strings.TrimSpace(src) == "" {
		l.report(Warning, "", "is empty: write in it, or delete the file")
		return nil
	}
	return l.parseMarkdown(name, src)
}

// checkMarkdown enforces the format's rules on links and reports raw HTML,
// which the portal does not show.
func (l *loader) checkMarkdown(m *Markdown) {
	htmlReported := false
	ast.Walk(m.Doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Link:
			l.checkLink(m, n, string(n.Destination))
		case *ast.Image:
			l.checkLink(m, n, string(n.Destination))
		case *ast.AutoLink:
			l.checkLink(m, n, string(n.URL(m.Source)))
		case *ast.HTMLBlock, *ast.RawHTML:
			if !htmlReported {
				htmlReported = true
				l.problems = append(l.problems, Problem{Severity: Warning, File: m.Path, Line: lineOf(m, n),
					Message: "raw HTML is not shown in the portal: write Markdown instead"})
			}
		}
		return ast.WalkContinue, nil
	})
}

func (l *loader) checkLink(m *Markdown, n ast.Node, dest string) {
	fail := func(msg string) {
		l.problems = append(l.problems, Problem{File: m.Path, Line: lineOf(m, n), Message: msg})
	}
	if strings.HasPrefix(dest, "#") {
		return
	}
	u, err := url.Parse(dest)
	if err != nil {
		fail("link " + quote(dest) + " is not a valid address")
		return
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https", "mailto":
		return
	case "":
		if _, isAuto := n.(*ast.AutoLink); isAuto && strings.Contains(dest, "@") {
			return // an e-mail autolink <name@example.org>
		}
	default:
		fail("link " + quote(dest) + ": links may only be http, https, mailto, or a file of the case referenced in case.toml")
		return
	}
	if u.Host != "" || path.IsAbs(u.Path) {
		fail("link " + quote(dest) + ": link to a file of the case by its path relative to the case folder")
		return
	}
	if !l.decoded {
		return // case.toml is broken, so which files it references is unknown
	}
	rel := path.Clean(u.Path)
	if _, ok := l.byPath[rel]; ok {
		return
	}
	for _, f := range l.caseFiles() {
		if f == rel {
			fail("link to " + quote(dest) + ": the file is not referenced in case.toml, so it is not in the portal; add it, for example under [[documents]]")
			return
		}
	}
	fail("link to " + quote(dest) + ": no such file in the case folder")
}

func quote(s string) string { return `"` + clip(s) + `"` }

// lineOf returns the 1-based line of a node, through its nearest block
// ancestor that records source lines.
func lineOf(m *Markdown, n ast.Node) int {
	for ; n != nil; n = n.Parent() {
		if n.Type() == ast.TypeBlock {
			if lines := n.Lines(); lines != nil && lines.Len() > 0 {
				return 1 + bytes.Count(m.Source[:lines.At(0).Start], []byte("\n"))
			}
		}
	}
	return 0
}

// questions parses questions.md: every item of a top-level list is one
// question, grouped under the heading that precedes it.
func (l *loader) questions(src string) Questions {
	if strings.TrimSpace(src) == "" {
		l.report(Error, "", "is empty: write the patient's questions as a list, one \"- \" item per question")
		return Questions{}
	}
	m := l.parseMarkdown(questionsFile, src)
	q := Questions{Markdown: *m}
	group := QuestionGroup{}
	number := 0
	flush := func() {
		if len(group.Items) > 0 || group.Level > 0 {
			q.Groups = append(q.Groups, group)
		}
	}
	for n := m.Doc.FirstChild(); n != nil; n = n.NextSibling() {
		switch n := n.(type) {
		case *ast.Heading:
			flush()
			group = QuestionGroup{Heading: PlainText(n, m.Source), Level: n.Level}
		case *ast.List:
			for item := n.FirstChild(); item != nil; item = item.NextSibling() {
				number++
				text := ""
				if first := item.FirstChild(); first != nil {
					text = PlainText(first, m.Source)
				}
				group.Items = append(group.Items, Question{Number: number, Text: text, Node: item})
			}
		}
	}
	flush()
	return q
}

// PlainText returns the text of a Markdown node without its syntax: the
// words of a question, the alternative text of an image.
func PlainText(n ast.Node, src []byte) string {
	var b strings.Builder
	ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch c := c.(type) {
		case *ast.Text:
			b.Write(c.Segment.Value(src))
			if c.SoftLineBreak() || c.HardLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(c.Value)
		case *ast.AutoLink:
			b.Write(c.Label(src))
		}
		return ast.WalkContinue, nil
	})
	return strings.TrimSpace(b.String())
}
