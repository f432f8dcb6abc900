package render

import (
	"fmt"
	"html/template"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/caseport/caseport/internal/casedir"
)

// Range is a lab's reference range as written in case.toml: "0-5",
// "3.5–5.0", "<5", ">1.2".
type Range struct {
	Low, High       float64
	HasLow, HasHigh bool
}

var (
	rangeBetween = regexp.MustCompile(`^\s*(-?[0-9]+(?:[.,][0-9]+)?)\s*(?:-|–|—|\.\.|to)\s*(-?[0-9]+(?:[.,][0-9]+)?)\s*(?:[^0-9.,].*)?$`)
	rangeBound   = regexp.MustCompile(`^\s*(<=|>=|<|>|≤|≥)\s*(-?[0-9]+(?:[.,][0-9]+)?)\s*(?:[^0-9.,].*)?$`)
)

// ParseRange reads a reference range; ok is false for text it cannot read
// ("negative", "see report"), which is then shown but not used to flag.
func ParseRange(s string) (r Range, ok bool) {
	if m := rangeBetween.FindStringSubmatch(s); m != nil {
		lo, err1 := parseNumber(m[1])
		hi, err2 := parseNumber(m[2])
		if err1 != nil || err2 != nil || lo > hi {
			return Range{}, false
		}
		return Range{Low: lo, High: hi, HasLow: true, HasHigh: true}, true
	}
	if m := rangeBound.FindStringSubmatch(s); m != nil {
		v, err := parseNumber(m[2])
		if err != nil {
			return Range{}, false
		}
		switch m[1] {
		case "<", "<=", "≤":
			return Range{High: v, HasHigh: true}, true
		default:
			return Range{Low: v, HasLow: true}, true
		}
	}
	return Range{}, false
}

func parseNumber(s string) (float64, error) {
	return strconv.ParseFloat(strings.Replace(strings.TrimSpace(s), ",", ".", 1), 64)
}

// Flag says whether a value lies outside a range: "high", "low" or "".
// A text value such as "<0.5" is flagged only when it is surely outside.
func Flag(v casedir.LabValue, rangeText string) string {
	r, ok := ParseRange(rangeText)
	if !ok {
		return ""
	}
	if v.IsNumber {
		switch {
		case r.HasHigh && v.Number > r.High:
			return "high"
		case r.HasLow && v.Number < r.Low:
			return "low"
		}
		return ""
	}
	m := rangeBound.FindStringSubmatch(v.Text)
	if m == nil {
		return ""
	}
	n, err := parseNumber(m[2])
	if err != nil {
		return ""
	}
	switch m[1] {
	case "<", "<=", "≤":
		if r.HasLow && n <= r.Low {
			return "low"
		}
	default:
		if r.HasHigh && n >= r.High {
			return "high"
		}
	}
	return ""
}

// labRow is one result of the lab table.
type labRow struct {
	casedir.Lab
	Value string
	Flag  string
}

func valueText(v casedir.LabValue, s *uiStrings) string {
	if v.IsNumber {
		return s.Number(v.Number)
	}
	return v.Text
}

// labRows are the results other than tumour markers, by test then date, so
// a test's values read as a series.
func labRows(labs []casedir.Lab, s *uiStrings) []labRow {
	var rows []labRow
	for _, l := range labs {
		if l.Marker {
			continue
		}
		rows = append(rows, labRow{Lab: l, Value: valueText(l.Value, s), Flag: Flag(l.Value, l.Range)})
	}
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := strings.ToLower(rows[i].Name), strings.ToLower(rows[j].Name)
		if a != b {
			return a < b
		}
		return rows[i].Date.Compare(rows[j].Date) < 0
	})
	return rows
}

// markerChart is one tumour marker: its values over time and their chart.
type markerChart struct {
	Name   string
	ID     string
	Unit   string
	Range  string
	Points []labRow
	SVG    template.HTML
}

// markerCharts groups the tumour markers by name (in order of first
// appearance) and draws each.
func markerCharts(labs []casedir.Lab, s *uiStrings) []markerChart {
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
		m.SVG = markerSVG(m, s)
	}
	return out
}

// The marker chart's geometry, in viewBox units.
const (
	mkW, mkH                   = 320.0, 170.0
	mkLeft, mkRight            = 40.0, 304.0
	mkTop, mkBottom            = 26.0, 130.0
	mkMaxDateLabels            = 5
	mkDefaultRangeTopHeadroom  = 1.15
	mkMinimumSpanForZeroValues = 1.0
)

// markerSVG draws a marker's values over time as a line with points,
// over the reference range as a band. Values written as text ("<0.5") are
// drawn at their bound as hollow points.
func markerSVG(m *markerChart, s *uiStrings) template.HTML {
	type pt struct {
		t      float64 // days since the first
		v      float64
		exact  bool
		flag   string
		label  string
		date   casedir.Date
		hasNum bool
	}
	var pts []pt
	var first float64
	for i, p := range m.Points {
		day := float64(p.Date.Start().Unix()) / 86400
		if !p.Date.IsFull() {
			day = (float64(p.Date.Start().Unix()) + float64(p.Date.End().Unix())) / 2 / 86400
		}
		if i == 0 {
			first = day
		}
		q := pt{t: day - first, flag: p.Flag, label: p.Value, date: p.Date}
		if p.Lab.Value.IsNumber {
			q.v, q.exact, q.hasNum = p.Lab.Value.Number, true, true
		} else if mm := rangeBound.FindStringSubmatch(p.Lab.Value.Text); mm != nil {
			if n, err := parseNumber(mm[2]); err == nil {
				q.v, q.hasNum = n, true
			}
		}
		pts = append(pts, q)
	}
	r, hasRange := ParseRange(m.Range)
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, p := range pts {
		if p.hasNum {
			lo, hi = math.Min(lo, p.v), math.Max(hi, p.v)
		}
	}
	if math.IsInf(lo, 1) {
		return "" // nothing numeric to draw; the table shows the values
	}
	if hasRange {
		if r.HasLow {
			lo, hi = math.Min(lo, r.Low), math.Max(hi, r.Low)
		}
		if r.HasHigh {
			lo, hi = math.Min(lo, r.High), math.Max(hi, r.High)
		}
	}
	if lo > 0 {
		lo = 0 // markers are read against zero
	}
	hi *= mkDefaultRangeTopHeadroom
	if hi-lo < mkMinimumSpanForZeroValues && hi <= 0 {
		hi = lo + mkMinimumSpanForZeroValues
	}
	if hi == lo {
		hi = lo + 1
	}
	tMax := pts[len(pts)-1].t
	x := func(t float64) float64 {
		if tMax == 0 {
			return (mkLeft + mkRight) / 2
		}
		return mkLeft + 10 + (mkRight-mkLeft-20)*t/tMax
	}
	y := func(v float64) float64 { return mkBottom - (mkBottom-mkTop)*(v-lo)/(hi-lo) }

	var b strings.Builder
	title := s.F("labs.chart_label", "name", m.Name, "n", itoa(len(pts)))
	fmt.Fprintf(&b, `<svg class="marker-chart" viewBox="0 0 %.0f %.0f" width="%.0f" height="%.0f" role="img" aria-labelledby="%s-title">`, mkW, mkH, mkW, mkH, m.ID)
	fmt.Fprintf(&b, `<title id="%s-title">%s</title>`, m.ID, esc(title))
	if hasRange {
		top, bottom := hi, lo
		if r.HasHigh {
			top = r.High
		}
		if r.HasLow {
			bottom = r.Low
		}
		fmt.Fprintf(&b, `<rect class="mk-range" x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#dff0e0"/>`, mkLeft, y(top), mkRight-mkLeft, math.Max(y(bottom)-y(top), 0.5))
	}
	// Axes with the bottom, top and range limits labelled.
	fmt.Fprintf(&b, `<line class="mk-axis" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#555" stroke-width="1"/>`, mkLeft, mkBottom, mkRight, mkBottom)
	fmt.Fprintf(&b, `<line class="mk-axis" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#555" stroke-width="1"/>`, mkLeft, mkTop, mkLeft, mkBottom)
	for _, v := range yLabels(lo, hi, r, hasRange) {
		fmt.Fprintf(&b, `<text class="mk-tick" x="%.1f" y="%.1f" font-size="12" text-anchor="end" fill="#333">%s</text>`, mkLeft-4, y(v)+3, esc(s.Number(roundTo(v))))
	}
	if m.Unit != "" {
		fmt.Fprintf(&b, `<text class="mk-unit" x="%.1f" y="%.1f" font-size="12" fill="#333">%s</text>`, mkLeft, mkTop-8, esc(m.Unit))
	}
	// The line through the numeric values.
	var line []string
	for _, p := range pts {
		if p.hasNum {
			line = append(line, fmt.Sprintf("%.1f,%.1f", x(p.t), y(p.v)))
		}
	}
	if len(line) > 1 {
		fmt.Fprintf(&b, `<polyline class="mk-line" points="%s" fill="none" stroke="#2f6f9f" stroke-width="2"/>`, strings.Join(line, " "))
	}
	step := 1
	if len(pts) > mkMaxDateLabels {
		step = (len(pts) + mkMaxDateLabels - 1) / mkMaxDateLabels
	}
	for i, p := range pts {
		px := x(p.t)
		if p.hasNum {
			cls, fill := "mk-point", "#2f6f9f"
			if p.flag != "" {
				cls, fill = "mk-point mk-out", "#b00020"
			}
			if !p.exact {
				cls += " mk-bound"
				fmt.Fprintf(&b, `<circle class="%s" cx="%.1f" cy="%.1f" r="4" fill="#fff" stroke="%s" stroke-width="2"/>`, cls, px, y(p.v), fill)
			} else {
				fmt.Fprintf(&b, `<circle class="%s" cx="%.1f" cy="%.1f" r="4" fill="%s"/>`, cls, px, y(p.v), fill)
			}
			if i%step == 0 || i == len(pts)-1 {
				fmt.Fprintf(&b, `<text class="mk-value" x="%.1f" y="%.1f" font-size="12" text-anchor="middle" fill="#222">%s</text>`, px, y(p.v)-8, esc(p.label))
			}
		}
		if i%step == 0 || i == len(pts)-1 {
			fmt.Fprintf(&b, `<text class="mk-date" x="%.1f" y="%.1f" font-size="12" text-anchor="middle" fill="#333">%s</text>`, px, mkBottom+16, esc(shortDate(p.date, s)))
			if i == 0 || i == len(pts)-1 || pts[i].date.Year != pts[max(i-step, 0)].date.Year {
				fmt.Fprintf(&b, `<text class="mk-date" x="%.1f" y="%.1f" font-size="12" text-anchor="middle" fill="#333">%d</text>`, px, mkBottom+31, p.date.Year)
			}
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// shortDate is a date without its year, for a chart's axis: "28 Oct".
func shortDate(d casedir.Date, s *uiStrings) string {
	switch {
	case d.Month == 0:
		return ""
	case d.Day == 0:
		return s.month("months_short_nominative", d.Month)
	}
	return s.F("date.day_month", "day", itoa(d.Day), "month", s.month("months_short", d.Month))
}

func yLabels(lo, hi float64, r Range, hasRange bool) []float64 {
	out := []float64{lo}
	if hasRange && r.HasLow && r.Low != lo {
		out = append(out, r.Low)
	}
	if hasRange && r.HasHigh {
		out = append(out, r.High)
	}
	// The values themselves are labelled at their points; only when there
	// is no range is the top of the scale named, to give it a size.
	if !hasRange {
		out = append(out, hi/mkDefaultRangeTopHeadroom)
	}
	return out
}

// roundTo keeps an axis label short: three significant digits.
func roundTo(v float64) float64 {
	if v == 0 {
		return 0
	}
	r, err := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 3, 64), 64)
	if err != nil {
		return v
	}
	return r
}
