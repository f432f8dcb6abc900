package synth

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Page geometry of the PDFs PDF writes: A4 portrait in points, with margins
// wide enough for a printed report.
const (
	pageWidth  = 595
	pageHeight = 842
	marginLeft = 50
	marginTop  = 64
	marginBot  = 64
	bodySize   = 9.5
	titleSize  = 14
	leading    = 13
	// lineWidth is the room for a line of body text, in the font's units of
	// 1/1000 of its size.
	lineWidth = (pageWidth - 2*marginLeft) * 1000 / bodySize
)

// PDF writes a PDF 1.4 document titled title whose body is lines of
// Helvetica text, wrapped at word boundaries and split over as many A4 pages
// as needed, each page numbered. An empty line leaves a blank line. Text
// extraction (pdftotext, a browser's viewer) returns the lines, because the
// cross-reference table gives the exact offset of every object.
//
// The text must be representable in WinAnsiEncoding (Latin-1 plus typographic
// quotes, dashes and the bullet), the encoding of the standard Helvetica font
// that every viewer has without an embedded font; other characters are an
// error. Output is deterministic: the same arguments give the same bytes.
func PDF(w io.Writer, title string, lines []string) error {
	t, err := winAnsi(title)
	if err != nil {
		return fmt.Errorf("PDF title: %w", err)
	}
	var body [][]byte
	for i, l := range lines {
		for _, part := range wrap(l, lineWidth) {
			b, err := winAnsi(part)
			if err != nil {
				return fmt.Errorf("PDF line %d: %w", i+1, err)
			}
			body = append(body, b)
		}
	}
	pages := paginate(body)

	// Objects: 1 catalog, 2 page tree, 3 Helvetica, 4 Helvetica-Bold, 5 info,
	// then for each page a page object and its content stream.
	const firstPage = 6
	pw := &pdfWriter{w: bufio.NewWriter(w)}
	pw.printf("%%PDF-1.4\n%%\xe2\xe3\xcf\xd3\n")

	pw.object(1, "<< /Type /Catalog /Pages 2 0 R >>")
	var kids strings.Builder
	for i := range pages {
		fmt.Fprintf(&kids, "%d 0 R ", firstPage+2*i)
	}
	pw.object(2, fmt.Sprintf("<< /Type /Pages /Kids [ %s] /Count %d >>", kids.String(), len(pages)))
	pw.object(3, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
	pw.object(4, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>")
	pw.object(5, fmt.Sprintf("<< /Title %s /Producer (caseport synth) >>", pdfString(t)))

	for i, pageLines := range pages {
		n := firstPage + 2*i
		pw.object(n, fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] "+
			"/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents %d 0 R >>",
			pageWidth, pageHeight, n+1))
		content := pageContent(t, pageLines, i, len(pages))
		pw.stream(n+1, content)
	}

	nobj := firstPage + 2*len(pages)
	xref := pw.n
	pw.printf("xref\n0 %d\n0000000000 65535 f \n", nobj)
	for _, off := range pw.offsets[1:] {
		pw.printf("%010d 00000 n \n", off)
	}
	pw.printf("trailer\n<< /Size %d /Root 1 0 R /Info 5 0 R >>\nstartxref\n%d\n%%%%EOF\n", nobj, xref)
	if pw.err != nil {
		return fmt.Errorf("writing PDF %q: %w", title, pw.err)
	}
	if err := pw.w.Flush(); err != nil {
		return fmt.Errorf("writing PDF %q: %w", title, err)
	}
	return nil
}

// pdfWriter counts the bytes written so the cross-reference table can give
// each object's offset, and keeps the first error so the caller checks once.
type pdfWriter struct {
	w       *bufio.Writer
	n       int64
	offsets []int64 // offsets[i] is object i's offset; offsets[0] is unused
	err     error
}

func (p *pdfWriter) write(b []byte) {
	if p.err != nil {
		return
	}
	n, err := p.w.Write(b)
	p.n += int64(n)
	p.err = err
}

func (p *pdfWriter) printf(format string, args ...any) {
	p.write([]byte(fmt.Sprintf(format, args...)))
}

func (p *pdfWriter) begin(num int) {
	// Objects are written in number order, so the slice index is the number.
	for len(p.offsets) <= num {
		p.offsets = append(p.offsets, 0)
	}
	p.offsets[num] = p.n
	p.printf("%d 0 obj\n", num)
}

func (p *pdfWriter) object(num int, dict string) {
	p.begin(num)
	p.printf("%s\nendobj\n", dict)
}

func (p *pdfWriter) stream(num int, data []byte) {
	p.begin(num)
	p.printf("<< /Length %d >>\nstream\n", len(data))
	p.write(data)
	p.printf("\nendstream\nendobj\n")
}

// paginate splits body lines into pages; the first page has room for the
// title.
func paginate(body [][]byte) [][][]byte {
	perPage := (pageHeight - marginTop - marginBot) / leading
	first := perPage - 2
	var pages [][][]byte
	for len(body) > 0 || len(pages) == 0 {
		n := perPage
		if len(pages) == 0 {
			n = first
		}
		n = min(n, len(body))
		pages = append(pages, body[:n])
		body = body[n:]
	}
	return pages
}

func pageContent(title []byte, lines [][]byte, page, pages int) []byte {
	var b bytes.Buffer
	y := pageHeight - marginTop
	if page == 0 {
		fmt.Fprintf(&b, "BT /F2 %d Tf %d %d Td %s Tj ET\n", titleSize, marginLeft, y, pdfString(title))
		y -= 2 * leading
	}
	fmt.Fprintf(&b, "BT /F1 %g Tf %d TL %d %d Td\n", bodySize, leading, marginLeft, y)
	for _, l := range lines {
		fmt.Fprintf(&b, "%s '\n", pdfString(l))
	}
	b.WriteString("ET\n")
	footer := fmt.Appendf(nil, "Page %d of %d", page+1, pages)
	fmt.Fprintf(&b, "BT /F1 8 Tf %d %d Td %s Tj ET", marginLeft, marginBot/2, pdfString(footer))
	return b.Bytes()
}

// pdfString quotes already-encoded text as a PDF literal string.
func pdfString(s []byte) string {
	var b strings.Builder
	b.WriteByte('(')
	for _, c := range s {
		switch {
		case c == '(' || c == ')' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20 || c >= 0x7f:
			fmt.Fprintf(&b, "\\%03o", c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte(')')
	return b.String()
}

// winAnsiExtra maps the characters above Latin-1's control range that
// WinAnsiEncoding places in 0x80-0x9f.
var winAnsiExtra = map[rune]byte{
	'€': 0x80, '‚': 0x82, '„': 0x84, '…': 0x85, '†': 0x86, '‡': 0x87,
	'‰': 0x89, '‘': 0x91, '’': 0x92, '“': 0x93, '”': 0x94, '•': 0x95,
	'–': 0x96, '—': 0x97, '™': 0x99,
}

// winAnsi encodes s for the standard fonts' WinAnsiEncoding.
func winAnsi(s string) ([]byte, error) {
	if !utf8.ValidString(s) {
		return nil, fmt.Errorf("text %q is not valid UTF-8", s)
	}
	b := make([]byte, 0, len(s))
	for _, r := range s {
		switch {
		case r == '\t':
			b = append(b, ' ')
		case r >= 0x20 && r < 0x7f, r >= 0xa0 && r <= 0xff:
			b = append(b, byte(r))
		case winAnsiExtra[r] != 0:
			b = append(b, winAnsiExtra[r])
		default:
			return nil, fmt.Errorf("character %q in %q cannot be shown in Helvetica without an embedded font; write it in Latin letters", r, s)
		}
	}
	return b, nil
}

// wrap breaks a line into pieces no wider than width (in 1/1000 of the
// font size) at spaces, indenting continuation lines under the line's own
// indentation so a reader sees they continue it.
func wrap(line string, width float64) []string {
	if textWidth(line) <= width {
		return []string{line}
	}
	indent := line[:len(line)-len(strings.TrimLeft(line, " "))]
	words := strings.Fields(line)
	var out []string
	cur := indent + words[0]
	for _, w := range words[1:] {
		if textWidth(cur+" "+w) > width {
			out = append(out, cur)
			cur = indent + "  " + w
			continue
		}
		cur += " " + w
	}
	return append(out, cur)
}

// helveticaWidths are the advance widths of Helvetica's printable ASCII
// characters, from its Adobe font metrics, starting at the space.
var helveticaWidths = [95]float64{
	278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
	556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
	1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
	667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
	333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
	556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
}

// textWidth measures s set in Helvetica, in 1/1000 of the font size. Latin-1
// letters outside ASCII are counted as wide as a digit, close enough for
// line breaking.
func textWidth(s string) float64 {
	w := 0.0
	for _, r := range s {
		switch {
		case r >= ' ' && r <= '~':
			w += helveticaWidths[r-' ']
		case r == '—':
			w += 1000
		default:
			w += 556
		}
	}
	return w
}
