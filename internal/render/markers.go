package render

import (
	"fmt"
	"html/template"
	"math"
	"sort"
	"strings"

	"github.com/caseport/caseport/internal/casedir"
)

// markerChart is one tumour marker: its values over time and their chart.
type markerChart struct {
	Name   string
	ID     string
	Unit   string
	Range  string
	Points []labRow
	SVG    template.HTML
	// Nadir says where the lowest value was and how far the latest one is
	// from it, when the marker fell and rose again; "" otherwise.
	Nadir string
}

// markerCharts groups the tumour markers by name (in order of first
// appearance) and draws each, over the treatments of the case.
func markerCharts(labs []casedir.Lab, treatments []casedir.Treatment, s *uiStrings) []markerChart {
	var out []markerChart
	index := map[string]int{}
	for _, l := range labs {
		if !l.Marker {
			continue
		}
		key := strings.ToLower(strings.TrimSpace(l.Name))
		i, ok := index[key]
		if !ok {
			i = len(out)
			index[key] = i
			out = append(out, markerChart{Name: l.Name, ID: "marker-" + itoa(i+1)})
		}
		m := &out[i]
		if m.Unit == "" {
			m.Unit = l.Unit
		}
		if l.Range != "" {
			m.Range = l.Range // the latest range written wins
		}
		m.Points = append(m.Points, labRow{Lab: l, Value: valueText(l.Value, s), Flag: Flag(l.Value, l.Range)})
	}
	for i := range out {
		m := &out[i]
		sort.SliceStable(m.Points, func(a, b int) bool { return m.Points[a].Date.Compare(m.Points[b].Date) < 0 })
		pts := markerPoints(m.Points)
		m.SVG = markerSVG(m, pts, treatments, s)
		m.Nadir = nadirText(pts, m.Unit, s)
	}
	return out
}

// The marker chart's geometry, in viewBox units.
const (
	mkW, mkH          = 320.0, 180.0
	mkLeft, mkRight   = 44.0, 308.0
	mkTop, mkBottom   = 34.0, 136.0
	mkFont            = 11.0
	mkHeadroom        = 1.15 // a linear scale's top above the highest value
	mkLogSpan         = 10.0 // a marker spanning more than this is drawn on a log scale
	mkPointR          = 3.5
	mkTreatmentLabelY = 12.0
)

// markerPoint is one value as the chart draws it.
type markerPoint struct {
	t      float64 // days since the first value
	v      float64
	exact  bool // false for a bound such as "<0.5", drawn hollow at its bound
	hasNum bool
	flag   string
	label  string
	date   casedir.Date
}

// dayOf is a date as days since 1970, the middle of a partial date.
func dayOf(d casedir.Date) float64 {
	if !d.IsFull() {
		return (float64(d.Start().Unix()) + float64(d.End().Unix())) / 2 / 86400
	}
	return float64(d.Start().Unix()) / 86400
}

// markerPoints reads the values to draw from the table's rows.
func markerPoints(rows []labRow) []markerPoint {
	var pts []markerPoint
	var first float64
	for i, p := range rows {
		day := dayOf(p.Date)
		if i == 0 {
			first = day
		}
		q := markerPoint{t: day - first, flag: p.Flag, label: p.Value, date: p.Date}
		if p.Lab.Value.IsNumber {
			q.v, q.exact, q.hasNum = p.Lab.Value.Number, true, true
		} else if mm := rangeBound.FindStringSubmatch(p.Lab.Value.Text); mm != nil {
			if n, err := parseNumber(mm[2]); err == nil {
				q.v, q.hasNum = n, true
			}
		}
		pts = append(pts, q)
	}
	return pts
}

// markerScale maps values and days to the drawing.
type markerScale struct {
	lo, hi float64 // the value range drawn
	log    bool
	first  float64 // the first value's day, since 1970
	tMax   float64 // the last value's day, since the first
}

func (sc markerScale) x(t float64) float64 {
	if sc.tMax == 0 {
		return (mkLeft + mkRight) / 2
	}
	return mkLeft + 12 + (mkRight-mkLeft-24)*t/sc.tMax
}

// xDay places a day since 1970, kept inside the plot.
func (sc markerScale) xDay(day float64) float64 {
	return math.Max(mkLeft, math.Min(mkRight, sc.x(day-sc.first)))
}

func (sc markerScale) y(v float64) float64 {
	if sc.log {
		v = math.Max(v, sc.lo)
		return mkBottom - (mkBottom-mkTop)*(math.Log10(v)-math.Log10(sc.lo))/(math.Log10(sc.hi)-math.Log10(sc.lo))
	}
	return mkBottom - (mkBottom-mkTop)*(v-sc.lo)/(sc.hi-sc.lo)
}

// newMarkerScale chooses the scale: linear from zero, or logarithmic when
// the values (with the range limits) span more than mkLogSpan times, so a
// fall from 3000 to 30 and a rise from 5 to 15 both read.
func newMarkerScale(pts []markerPoint, r Range, hasRange bool) (markerScale, bool) {
	lo, hi := math.Inf(1), math.Inf(-1)
	minPos := math.Inf(1)
	for _, p := range pts {
		if p.hasNum {
			lo, hi = math.Min(lo, p.v), math.Max(hi, p.v)
			if p.v > 0 {
				minPos = math.Min(minPos, p.v)
			}
		}
	}
	if math.IsInf(lo, 1) {
		return markerScale{}, false
	}
	sc := markerScale{first: dayOf(pts[0].date), tMax: pts[len(pts)-1].t}
	if hasRange && r.HasHigh {
		hi = math.Max(hi, r.High)
	}
	if hasRange && r.HasLow && r.Low > 0 {
		minPos = math.Min(minPos, r.Low)
	}
	if !math.IsInf(minPos, 1) && hi/minPos > mkLogSpan {
		sc.log = true
		sc.lo = math.Pow(10, math.Floor(math.Log10(minPos)))
		sc.hi = math.Pow(10, math.Ceil(math.Log10(hi*1.05)))
		return sc, true
	}
	if hasRange && r.HasLow {
		lo = math.Min(lo, r.Low)
	}
	sc.lo = math.Min(lo, 0) // a linear scale is read against zero
	sc.hi = hi * mkHeadroom
	if sc.hi <= sc.lo {
		sc.hi = sc.lo + 1
	}
	return sc, true
}

// ticks are the values the y axis names: the range limits first, then the
// bottom and the top of a linear scale, or the powers of ten of a log one.
func (sc markerScale) ticks(r Range, hasRange bool) []float64 {
	var out []float64
	if hasRange && r.HasHigh {
		out = append(out, r.High)
	}
	if hasRange && r.HasLow && (!sc.log || r.Low > 0) {
		out = append(out, r.Low)
	}
	if sc.log {
		for v := sc.lo; v <= sc.hi*1.0001; v *= 10 {
			out = append(out, v)
		}
		return out
	}
	out = append(out, sc.lo)
	if !hasRange {
		out = append(out, sc.hi/mkHeadroom)
	}
	return out
}

// markerSVG draws a marker's values over time as a line with points, over
// the reference range as a band and the treatments as shaded spans; the
// lowest value after a fall is marked as the nadir. Labels are placed
// where they meet no other and left out elsewhere: the table below the
// chart and each point's <title> give every value.
func markerSVG(m *markerChart, pts []markerPoint, treatments []casedir.Treatment, s *uiStrings) template.HTML {
	r, hasRange := ParseRange(m.Range)
	sc, ok := newMarkerScale(pts, r, hasRange)
	if !ok {
		return "" // nothing numeric to draw; the table shows the values
	}
	var b strings.Builder
	pl := newPlacer(mkW, mkH)
	drawn := 0
	for _, p := range pts {
		if p.hasNum {
			drawn++
		}
	}
	title := s.F("labs.chart_label", "name", m.Name, "n", itoa(drawn))
	if sc.log {
		title += " " + s.T("labs.log_scale_note")
	}
	fmt.Fprintf(&b, `<svg class="marker-chart" viewBox="0 0 %.0f %.0f" width="%.0f" height="%.0f" role="img" aria-labelledby="%s-title">`, mkW, mkH, mkW, mkH, m.ID)
	fmt.Fprintf(&b, `<title id="%s-title">%s</title>`, m.ID, esc(title))
	head := markerHead(pl, sc, m.Unit, s) // the unit first: it must not give way
	markerTreatments(&b, pl, sc, treatments, pts, s)
	markerBand(&b, sc, r, hasRange)
	b.WriteString(head)
	markerAxes(&b, pl, sc, r, hasRange, s)
	markerTrend(&b, pl, sc, pts, s)
	markerDates(&b, pl, sc, pts, s)
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// markerTreatments shades each treatment that overlaps the values' time,
// behind everything else, with its name above the plot where it fits.
func markerTreatments(b *strings.Builder, pl *placer, sc markerScale, treatments []casedir.Treatment, pts []markerPoint, s *uiStrings) {
	last := dayOf(pts[len(pts)-1].date)
	for i, t := range treatments {
		if t.Start.IsZero() {
			continue
		}
		start := dayOf(t.Start)
		end := last
		if !t.End.IsZero() {
			end = dayOf(t.End)
		}
		if end < sc.first || start > last || sc.tMax == 0 {
			continue
		}
		x0, x1 := sc.xDay(start), sc.xDay(end)
		if x1-x0 < 2 {
			x1 = x0 + 2
		}
		cls := "mk-treatment"
		if i%2 == 1 {
			cls += " mk-treatment-alt"
		}
		fmt.Fprintf(b, `<rect class="%s" x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#e6e0f0"><title>%s</title></rect>`,
			cls, x0, mkTop-6, x1-x0, mkBottom-mkTop+6, esc(s.F("labs.treatment_span", "name", t.Name)))
		name := t.Name
		at := labelAt{x: x0 + 2, y: mkTreatmentLabelY + 10, anchor: "start"}
		if c, ok := pl.place(name, mkFont-1, at, labelAt{x: x1 - 2, y: mkTreatmentLabelY + 10, anchor: "end"}); ok {
			fmt.Fprintf(b, `<text class="mk-treatment-label" x="%.1f" y="%.1f" font-size="%.0f" text-anchor="%s" fill="#4a3b6b">%s</text>`, c.x, c.y, mkFont-1, c.anchor, esc(name))
		}
	}
}

// markerBand shades the reference range.
func markerBand(b *strings.Builder, sc markerScale, r Range, hasRange bool) {
	if !hasRange {
		return
	}
	top, bottom := sc.hi, sc.lo
	if r.HasHigh {
		top = math.Min(r.High, sc.hi)
	}
	if r.HasLow {
		bottom = math.Max(r.Low, sc.lo)
	}
	fmt.Fprintf(b, `<rect class="mk-range" x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#dff0e0"/>`, mkLeft, sc.y(top), mkRight-mkLeft, math.Max(sc.y(bottom)-sc.y(top), 0.5))
}

// markerHead places the unit above the y axis, saying when the scale is
// logarithmic, and returns its text element.
func markerHead(pl *placer, sc markerScale, unit string, s *uiStrings) string {
	head := unit
	if sc.log {
		head = joinNonEmpty(", ", unit, s.T("labs.log_scale"))
	}
	if head == "" {
		return ""
	}
	c, ok := pl.place(head, mkFont, labelAt{x: 2, y: mkTop - 10, anchor: "start"})
	if !ok {
		return ""
	}
	return fmt.Sprintf(`<text class="mk-unit" x="%.1f" y="%.1f" font-size="%.0f" fill="#333">%s</text>`, c.x, c.y, mkFont, esc(head))
}

// markerAxes draws the axes and the y ticks that fit.
func markerAxes(b *strings.Builder, pl *placer, sc markerScale, r Range, hasRange bool, s *uiStrings) {
	fmt.Fprintf(b, `<line class="mk-axis" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#555" stroke-width="1"/>`, mkLeft, mkBottom, mkRight, mkBottom)
	fmt.Fprintf(b, `<line class="mk-axis" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#555" stroke-width="1"/>`, mkLeft, mkTop, mkLeft, mkBottom)
	for _, v := range sc.ticks(r, hasRange) {
		y := sc.y(v)
		label := s.Number(roundTo(v))
		if c, ok := pl.place(label, mkFont, labelAt{x: mkLeft - 4, y: y + 3.5, anchor: "end"}); ok {
			fmt.Fprintf(b, `<line class="mk-grid" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#ccc" stroke-width="0.5"/>`, mkLeft, y, mkRight, y)
			fmt.Fprintf(b, `<text class="mk-tick" x="%.1f" y="%.1f" font-size="%.0f" text-anchor="end" fill="#333">%s</text>`, c.x, c.y, mkFont, esc(label))
		}
	}
}

// nadirIndex is the point of the lowest value after a fall from an
// earlier one, with a later value above it; -1 when there is none.
func nadirIndex(pts []markerPoint) int {
	best := -1
	for i, p := range pts {
		if p.hasNum && p.exact && (best < 0 || p.v < pts[best].v) {
			best = i
		}
	}
	if best <= 0 || best == len(pts)-1 {
		return -1
	}
	rose := false
	for _, p := range pts[best+1:] {
		if p.hasNum && p.v > pts[best].v {
			rose = true
		}
	}
	if !rose {
		return -1
	}
	return best
}

// nadirText says the nadir and the change of the latest value from it.
func nadirText(pts []markerPoint, unit string, s *uiStrings) string {
	n := nadirIndex(pts)
	if n < 0 {
		return ""
	}
	last := pts[len(pts)-1]
	nadir := pts[n]
	change := ""
	if nadir.v > 0 && last.hasNum {
		pct := math.Round((last.v/nadir.v - 1) * 100)
		sign := ""
		if pct > 0 {
			sign = "+"
		}
		change = s.F("labs.nadir_change", "pct", sign+s.Number(pct))
	}
	return s.F("labs.nadir", "value", joinNonEmpty(" ", nadir.label, unit), "date", s.Date(nadir.date),
		"latest", joinNonEmpty(" ", last.label, unit), "change", change)
}

// markerTrend draws the line, the points (each with its value and date
// as a <title>), and the value labels that fit: the latest, the nadir,
// the highest and the first before the others.
func markerTrend(b *strings.Builder, pl *placer, sc markerScale, pts []markerPoint, s *uiStrings) {
	var line []string
	for _, p := range pts {
		if p.hasNum {
			line = append(line, fmt.Sprintf("%.1f,%.1f", sc.x(p.t), sc.y(p.v)))
			pl.take(box{sc.x(p.t) - mkPointR, sc.y(p.v) - mkPointR, sc.x(p.t) + mkPointR, sc.y(p.v) + mkPointR})
		}
	}
	if len(line) > 1 {
		fmt.Fprintf(b, `<polyline class="mk-line" points="%s" fill="none" stroke="#2f6f9f" stroke-width="2"/>`, strings.Join(line, " "))
	}
	nadir := nadirIndex(pts)
	for i, p := range pts {
		if !p.hasNum {
			continue
		}
		px, py := sc.x(p.t), sc.y(p.v)
		cls, fill := "mk-point", "#2f6f9f"
		if p.flag != "" {
			cls, fill = "mk-point mk-out", "#b00020"
		}
		tip := fmt.Sprintf("<title>%s: %s</title>", esc(s.Date(p.date)), esc(p.label))
		if !p.exact {
			cls += " mk-bound"
			fmt.Fprintf(b, `<circle class="%s" cx="%.1f" cy="%.1f" r="%.1f" fill="#fff" stroke="%s" stroke-width="2">%s</circle>`, cls, px, py, mkPointR, fill, tip)
		} else {
			fmt.Fprintf(b, `<circle class="%s" cx="%.1f" cy="%.1f" r="%.1f" fill="%s">%s</circle>`, cls, px, py, mkPointR, fill, tip)
		}
		if i == nadir {
			fmt.Fprintf(b, `<circle class="mk-nadir" cx="%.1f" cy="%.1f" r="%.1f" fill="none" stroke="#1b5e20" stroke-width="1.5"/>`, px, py, mkPointR+3)
		}
	}
	for _, i := range labelOrder(pts, nadir) {
		p := pts[i]
		px, py := sc.x(p.t), sc.y(p.v)
		label := p.label
		if i == nadir {
			label = s.F("labs.nadir_label", "value", p.label)
		}
		above := clampAnchor(label, px, mkFont, 0, mkW)
		above.y = py - 8
		below := above
		below.y = py + 15
		if c, ok := pl.place(label, mkFont, above, below); ok {
			cls := "mk-value"
			if i == nadir {
				cls += " mk-nadir-label"
			}
			fmt.Fprintf(b, `<text class="%s" x="%.1f" y="%.1f" font-size="%.0f" text-anchor="%s" fill="#222">%s</text>`, cls, c.x, c.y, mkFont, c.anchor, esc(label))
		}
	}
}

// labelOrder is the order in which points get a label: the latest, the
// nadir, the highest, the first, then the rest from the latest back.
func labelOrder(pts []markerPoint, nadir int) []int {
	var order []int
	seen := map[int]bool{}
	add := func(i int) {
		if i >= 0 && i < len(pts) && pts[i].hasNum && !seen[i] {
			seen[i] = true
			order = append(order, i)
		}
	}
	add(len(pts) - 1)
	add(nadir)
	high := -1
	for i, p := range pts {
		if p.hasNum && (high < 0 || p.v > pts[high].v) {
			high = i
		}
	}
	add(high)
	add(0)
	for i := len(pts) - 1; i >= 0; i-- {
		add(i)
	}
	return order
}

// markerDates labels the time axis: the first and the latest date, then
// as many others as fit; a year under its first date and where it changes.
func markerDates(b *strings.Builder, pl *placer, sc markerScale, pts []markerPoint, s *uiStrings) {
	order := []int{0}
	if len(pts) > 1 {
		order = append(order, len(pts)-1)
	}
	// The others by halving, so the labels that fit spread evenly.
	for step := len(pts) / 2; step >= 1; step /= 2 {
		for i := step; i < len(pts)-1; i += step {
			order = append(order, i)
		}
	}
	seen := map[int]bool{}
	var labelled []int
	for _, i := range order {
		if seen[i] {
			continue
		}
		seen[i] = true
		p := pts[i]
		text := shortDate(p.date, s)
		if text == "" {
			text = itoa(p.date.Year)
		}
		at := clampAnchor(text, sc.x(p.t), mkFont, 0, mkW)
		at.y = mkBottom + 20
		if c, ok := pl.place(text, mkFont, at); ok {
			fmt.Fprintf(b, `<text class="mk-date" x="%.1f" y="%.1f" font-size="%.0f" text-anchor="%s" fill="#333">%s</text>`, c.x, c.y, mkFont, c.anchor, esc(text))
			labelled = append(labelled, i)
		}
	}
	sort.Ints(labelled)
	prevYear := 0
	for _, i := range labelled {
		p := pts[i]
		if p.date.Month == 0 || p.date.Year == prevYear {
			continue
		}
		prevYear = p.date.Year
		text := itoa(p.date.Year)
		at := clampAnchor(text, sc.x(p.t), mkFont, 0, mkW)
		at.y = mkBottom + 35
		if c, ok := pl.place(text, mkFont, at); ok {
			fmt.Fprintf(b, `<text class="mk-date mk-year" x="%.1f" y="%.1f" font-size="%.0f" text-anchor="%s" fill="#333">%s</text>`, c.x, c.y, mkFont, c.anchor, esc(text))
		}
	}
}
