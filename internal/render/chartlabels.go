package render

import "math"

// The charts are drawn here, on the server, without a browser to measure
// text; a label's box is therefore estimated from its length, generously
// (the widest common sans-serif digits are about 0.64 em), and a label is
// drawn only where its box meets no other. A label left out is never the
// only place of its value: the table beside the chart and the SVG's
// <title> elements carry every one.

// textWidthEm is the estimated advance of one character, in em.
const textWidthEm = 0.66

// box is a rectangle in viewBox units.
type box struct{ x0, y0, x1, y1 float64 }

func (a box) overlaps(b box) bool {
	return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1
}

// textBox estimates the box of a text drawn at (x, y) (its baseline) with
// the anchor ("start", "middle", "end") and font size, with a pixel of air
// around it.
func textBox(text string, x, y, size float64, anchor string) box {
	w := float64(len([]rune(text))) * size * textWidthEm
	x0 := x
	switch anchor {
	case "middle":
		x0 = x - w/2
	case "end":
		x0 = x - w
	}
	return box{x0 - 1, y - size*0.92 - 1, x0 + w + 1, y + size*0.26 + 1}
}

// placer keeps the boxes already taken in a chart.
type placer struct {
	taken []box
	// bounds is the drawing; a label must lie inside it.
	bounds box
}

func newPlacer(w, h float64) *placer {
	return &placer{bounds: box{0, 0, w, h}}
}

// fits reports whether b lies inside the drawing and meets no taken box.
func (p *placer) fits(b box) bool {
	if b.x0 < p.bounds.x0 || b.y0 < p.bounds.y0 || b.x1 > p.bounds.x1 || b.y1 > p.bounds.y1 {
		return false
	}
	for _, t := range p.taken {
		if t.overlaps(b) {
			return false
		}
	}
	return true
}

// take reserves b whether or not it fits (marks, points).
func (p *placer) take(b box) { p.taken = append(p.taken, b) }

// place reserves and returns the first of the candidate positions where
// the text fits; ok is false when none does, and the label is left out.
func (p *placer) place(text string, size float64, candidates ...labelAt) (labelAt, bool) {
	for _, c := range candidates {
		b := textBox(text, c.x, c.y, size, c.anchor)
		if p.fits(b) {
			p.take(b)
			return c, true
		}
	}
	return labelAt{}, false
}

// labelAt is a text position: baseline point and anchor.
type labelAt struct {
	x, y   float64
	anchor string
}

// clampAnchor keeps a label of width w centred at x inside [lo, hi] by
// switching its anchor at the edges.
func clampAnchor(text string, x, size, lo, hi float64) labelAt {
	w := float64(len([]rune(text))) * size * textWidthEm
	switch {
	case x-w/2 < lo:
		return labelAt{x: math.Max(x-4, lo), anchor: "start"}
	case x+w/2 > hi:
		return labelAt{x: math.Min(x+4, hi), anchor: "end"}
	}
	return labelAt{x: x, anchor: "middle"}
}
