package render

import (
	"html/template"
	"sort"

	"github.com/caseport/caseport/internal/casedir"
	"github.com/yuin/goldmark/ast"
)

// docGroup is one kind of document in the documents section.
type docGroup struct {
	Key   string
	Title string
	Files []docFile
}

// docFile is one referenced file, described by the record that first
// references it.
type docFile struct {
	ID      string // "file-N", N as in files/N/
	Title   string
	Date    casedir.Date
	File    *casedir.Attachment
	Ref     *fileRef
	Section string // the anchor of the record that references it
}

var docGroupOrder = []string{"pathology", "imaging-report", "imaging-images", "biomarkers", "course", "treatment", "plan", "labs", "events", "discharge", "operative", "consultation", "letter", "other", "translations"}

// documents lists every referenced file once, grouped by kind, oldest first
// within a group.
func (p *page) documents() []docGroup {
	c, s := p.C, p.S
	seen := map[*casedir.Attachment]bool{}
	groups := map[string][]docFile{}
	add := func(group string, a *casedir.Attachment, title string, d casedir.Date, section string) {
		if a == nil || seen[a] || p.files[a] == nil {
			return
		}
		seen[a] = true
		id := ""
		for i, x := range c.Attachments {
			if x == a {
				id = "file-" + itoa(i+1)
			}
		}
		groups[group] = append(groups[group], docFile{ID: id, Title: title, Date: d, File: a, Ref: p.files[a], Section: section})
	}
	for i, pa := range c.Pathology {
		add("pathology", pa.Report, joinNonEmpty(", ", s.Enum("pathology.kind", pa.Kind), pa.Specimen), pa.Date, "#pathology-"+itoa(i+1))
	}
	for i, im := range c.Imaging {
		t := joinNonEmpty(", ", im.Modality, im.Region)
		add("imaging-report", im.Report, t, im.Date, "#imaging-"+itoa(i+1))
		add("imaging-images", im.Images, t, im.Date, "#imaging-"+itoa(i+1))
	}
	for _, b := range c.Biomarkers {
		add("biomarkers", b.Document, joinNonEmpty(": ", b.Name, b.Result), b.Date, "#biomarkers")
	}
	for i, ds := range c.DiseaseStatus {
		add("course", ds.Document, s.Enum("disease_status.status", ds.Status), ds.Date, "#disease-status-"+itoa(i+1))
	}
	for i, m := range c.Metastases {
		add("course", m.Document, m.Site, m.Date, "#metastasis-"+itoa(i+1))
	}
	for i, t := range c.Treatments {
		add("treatment", t.Document, joinNonEmpty(", ", t.Name, s.Enum("treatment.kind", t.Kind)), t.Start, "#treatment-"+itoa(i+1))
	}
	add("plan", c.Plan.Document, s.T("docs.plan_title"), c.Plan.Date, "#plan")
	for _, l := range c.Labs {
		add("labs", l.Document, s.F("docs.lab_title", "name", l.Name), l.Date, "#labs")
	}
	for i, e := range c.Events {
		add("events", e.Document, e.Title, e.Date, "#event-"+itoa(i+1))
	}
	for _, d := range c.Documents {
		g := d.Kind
		switch g {
		case "lab":
			g = "labs"
		case "discharge", "operative", "consultation", "letter":
		default:
			g = "other"
		}
		add(g, d.File, d.Title, d.Date, "")
	}
	for _, tr := range c.Translations {
		if tr.Original == nil || tr.File == nil {
			continue
		}
		add("translations", tr.File, s.F("translation.of", "file", p.files[tr.Original].Base, "language", s.Enum("language", tr.Language)), casedir.Date{}, "#file-"+fileIndex(c, tr.Original))
	}
	var out []docGroup
	for _, k := range docGroupOrder {
		files := groups[k]
		if len(files) == 0 {
			continue
		}
		sort.SliceStable(files, func(i, j int) bool { return files[i].Date.Compare(files[j].Date) < 0 })
		out = append(out, docGroup{Key: k, Title: s.T("docs.group." + k), Files: files})
	}
	return out
}

// questionsView is questions.md as the page shows it: its blocks in order,
// with the questions numbered across the file.
type questionsView struct {
	Blocks []qBlock
	Count  int
}

// qBlock is a heading, a list of questions, or other Markdown.
type qBlock struct {
	Heading   template.HTML // a rendered heading
	Questions []qItem       // a list
	HTML      template.HTML // anything else (introductions, closing words)
}

type qItem struct {
	Number int
	HTML   template.HTML
}

func (p *page) questions() questionsView {
	q := p.C.Questions
	v := questionsView{Count: q.Count()}
	if q.Doc == nil {
		return v
	}
	numbers := map[ast.Node]int{}
	for _, g := range q.Groups {
		for _, it := range g.Items {
			numbers[it.Node] = it.Number
		}
	}
	start := skipTitle(q.Doc)
	p.md.shift = 3 - minHeadingFrom(start)
	for n := start; n != nil; n = n.NextSibling() {
		switch n := n.(type) {
		case *ast.Heading:
			v.Blocks = append(v.Blocks, qBlock{Heading: p.md.Node(q.Source, n)})
		case *ast.List:
			var items []qItem
			for it := n.FirstChild(); it != nil; it = it.NextSibling() {
				num, ok := numbers[it]
				if !ok {
					continue
				}
				items = append(items, qItem{Number: num, HTML: p.md.Children(q.Source, it)})
			}
			if len(items) > 0 {
				v.Blocks = append(v.Blocks, qBlock{Questions: items})
				continue
			}
			v.Blocks = append(v.Blocks, qBlock{HTML: p.md.Node(q.Source, n)})
		default:
			v.Blocks = append(v.Blocks, qBlock{HTML: p.md.Node(q.Source, n)})
		}
	}
	return v
}

// fileIndex is N of an attachment's "file-N" anchor.
func fileIndex(c *casedir.Case, a *casedir.Attachment) string {
	for i, x := range c.Attachments {
		if x == a {
			return itoa(i + 1)
		}
	}
	return ""
}
