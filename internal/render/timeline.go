package render

import (
	"fmt"
	"html/template"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/caseport/caseport/internal/casedir"
)

// TimelineEntry is one dated entry of the case, as the timeline shows it.
type TimelineEntry struct {
	Date casedir.Date
	// End is a treatment's end, for its bar; zero otherwise.
	End casedir.Date
	// Kind is the record the entry comes from: diagnosis, stage, biomarker,
	// imaging, pathology, treatment-start, treatment-end, plan, next-step,
	// lab, document, event, disease-status, progression (a disease status
	// of "progressing", drawn distinctly) or metastasis.
	Kind string
	// Lane is the row of the drawing: diagnosis, imaging, treatment, labs,
	// other or plan.
	Lane string
	// Label names the kind for people ("Imaging", "Planned").
	Label string
	Title string
	// Anchor is the in-page link to the entry's section ("#imaging-2").
	Anchor string
	// ID is the entry's own anchor when it has no section of its own
	// (events); "" otherwise.
	ID      string
	File    *casedir.Attachment
	Planned bool
}

// Timeline returns every dated entry of c in date order, with titles and
// labels in the case's language; see buildTimeline.
func Timeline(c *casedir.Case) ([]TimelineEntry, error) {
	s, err := loadStrings(c.Language)
	if err != nil {
		return nil, err
	}
	return buildTimeline(c, s), nil
}

// buildTimeline returns every dated entry of c in date order, as the case format
// says: diagnosis, stage, biomarkers, imaging, pathology, treatments (start
// and end), the plan and its next step, labs (one entry a day), documents
// and events. Entries on the same date keep that order. Entries dated after
// prepared_on, the next step and events of kind "planned" are planned.
func buildTimeline(c *casedir.Case, s *uiStrings) []TimelineEntry {
	var out []TimelineEntry
	add := func(e TimelineEntry) {
		if e.Date.IsZero() {
			return
		}
		if e.Date.Compare(c.PreparedOn) > 0 && !c.PreparedOn.IsZero() {
			e.Planned = true
		}
		if e.Label == "" {
			e.Label = s.T("timeline.kind." + e.Kind)
		}
		out = append(out, e)
	}
	d := c.Diagnosis
	add(TimelineEntry{Date: d.Date, Kind: "diagnosis", Lane: "diagnosis", Title: d.Name, Anchor: "#diagnosis"})
	for _, st := range c.AllStages() {
		st := st
		add(TimelineEntry{Date: st.Date, Kind: "stage", Lane: "diagnosis", Title: stageTitle(&st, s), Anchor: "#stage"})
	}
	for _, b := range c.Biomarkers {
		add(TimelineEntry{Date: b.Date, Kind: "biomarker", Lane: "diagnosis", Title: b.Name + ": " + biomarkerResult(b, s), Anchor: "#biomarkers", File: b.Document})
	}
	for i, im := range c.Imaging {
		add(TimelineEntry{Date: im.Date, Kind: "imaging", Lane: "imaging", Title: joinNonEmpty(", ", im.Modality, im.Region), Anchor: "#imaging-" + itoa(i+1), File: im.Report})
	}
	for i, p := range c.Pathology {
		add(TimelineEntry{Date: p.Date, Kind: "pathology", Lane: "diagnosis", Title: joinNonEmpty(": ", joinNonEmpty(", ", s.Enum("pathology.kind", p.Kind), p.Specimen), p.Result), Anchor: "#pathology-" + itoa(i+1), File: p.Report})
	}
	for i, t := range c.Treatments {
		anchor := "#treatment-" + itoa(i+1)
		title := s.F("timeline.started", "name", t.Name)
		if t.Line > 0 {
			title = s.F("timeline.started_line", "name", t.Name, "line", itoa(t.Line))
		}
		add(TimelineEntry{Date: t.Start, End: t.End, Kind: "treatment-start", Lane: "treatment", Title: title, Anchor: anchor, File: t.Document})
		if !t.End.IsZero() {
			title := s.F("timeline.ended", "name", t.Name)
			if t.EndReason != "" && t.EndReason != "completed-as-planned" {
				title = s.F("timeline.ended_because", "name", t.Name, "reason", s.Enum("treatment.end_reason", t.EndReason))
			}
			add(TimelineEntry{Date: t.End, Kind: "treatment-end", Lane: "treatment", Title: title, Anchor: anchor})
		}
	}
	courseTimeline(c, s, add)
	pl := c.Plan
	add(TimelineEntry{Date: pl.Date, Kind: "plan", Lane: "plan", Title: pl.Summary, Anchor: "#plan", File: pl.Document})
	if pl.NextStep != "" {
		e := TimelineEntry{Date: pl.NextStepDate, Kind: "next-step", Lane: "plan", Title: pl.NextStep, Anchor: "#plan", Planned: true}
		add(e)
	}
	// Labs: one entry a day, naming the tests, so a panel of twenty values
	// does not bury the rest of the timeline.
	type labDay struct {
		date  casedir.Date
		names []string
		file  *casedir.Attachment
	}
	var days []*labDay
	byDay := map[string]*labDay{}
	for _, l := range c.Labs {
		k := l.Date.String()
		ld := byDay[k]
		if ld == nil {
			ld = &labDay{date: l.Date}
			byDay[k] = ld
			days = append(days, ld)
		}
		if !containsString(ld.names, l.Name) {
			ld.names = append(ld.names, l.Name)
		}
		if ld.file == nil {
			ld.file = l.Document
		}
	}
	for _, ld := range days {
		add(TimelineEntry{Date: ld.date, Kind: "lab", Lane: "labs", Title: strings.Join(ld.names, ", "), Anchor: "#labs", File: ld.file})
	}
	for _, doc := range c.Documents {
		add(TimelineEntry{Date: doc.Date, Kind: "document", Lane: "other", Title: doc.Title, Anchor: "#documents", File: doc.File})
	}
	for i, ev := range c.Events {
		e := TimelineEntry{Date: ev.Date, Kind: "event", Lane: "other", Label: s.Enum("event.kind", ev.Kind), Title: ev.Title, ID: "event-" + itoa(i+1), File: ev.Document}
		e.Anchor = "#" + e.ID
		switch ev.Kind {
		case "planned":
			// The badge says "planned"; the label need not say it again.
			e.Planned, e.Lane, e.Label = true, "plan", s.T("timeline.kind.event")
		case "imaging":
			e.Lane = "imaging"
		case "treatment":
			e.Lane = "treatment"
		case "lab":
			e.Lane = "labs"
		}
		add(e)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Date.Compare(out[j].Date) < 0 })
	return out
}

func joinNonEmpty(sep string, parts ...string) string {
	var keep []string
	for _, p := range parts {
		if strings.TrimSpace(p) != "" {
			keep = append(keep, strings.TrimSpace(p))
		}
	}
	return strings.Join(keep, sep)
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// timelineView is the timeline section: the drawing and the list.
type timelineView struct {
	Entries []TimelineEntry
	// HasPlanned and HasTreatment say which marks the legend explains.
	HasPlanned, HasTreatment bool
	Details                  map[string]string // event details by ID
	SVG                      template.HTML
}

func (p *page) timeline() timelineView {
	v := timelineView{Entries: buildTimeline(p.C, p.S), Details: map[string]string{}}
	for i, ev := range p.C.Events {
		if ev.Details != "" {
			v.Details["event-"+itoa(i+1)] = ev.Details
		}
	}
	for _, e := range v.Entries {
		v.HasPlanned = v.HasPlanned || e.Planned
	}
	v.HasTreatment = len(p.C.Treatments) > 0
	v.SVG = timelineSVG(p.C, p.S, v.Entries)
	return v
}

// The drawing's geometry, in viewBox units.
const (
	tlWidth  = 800.0
	tlLabelW = 118.0
	tlLeft   = 126.0
	tlRight  = 784.0
	tlLaneH  = 30.0
	tlBarH   = 26.0
	tlAxisH  = 34.0
)

var laneOrder = []string{"diagnosis", "imaging", "treatment", "labs", "other", "plan"}

// timelineSVG draws the entries on lanes over a time axis, treatments as
// bars. It is a picture of the list below it, which carries the links and
// is what a screen reader reads.
func timelineSVG(c *casedir.Case, s *uiStrings, entries []TimelineEntry) template.HTML {
	if len(entries) == 0 {
		return ""
	}
	t0, t1 := entries[0].Date.Start(), entries[0].Date.End()
	extend := func(t time.Time) {
		if t.Before(t0) {
			t0 = t
		}
		if t.After(t1) {
			t1 = t
		}
	}
	for _, e := range entries {
		extend(e.Date.Start())
		extend(e.Date.End())
		if !e.End.IsZero() {
			extend(e.End.End())
		}
	}
	if !c.PreparedOn.IsZero() {
		extend(c.PreparedOn.Start())
	}
	span := t1.Sub(t0)
	if span < 60*24*time.Hour {
		mid := t0.Add(span / 2)
		t0, t1 = mid.Add(-30*24*time.Hour), mid.Add(30*24*time.Hour)
		span = t1.Sub(t0)
	}
	pad := span / 30
	t0, t1 = t0.Add(-pad), t1.Add(pad)
	x := func(t time.Time) float64 {
		return tlLeft + (tlRight-tlLeft)*float64(t.Sub(t0))/float64(t1.Sub(t0))
	}

	// Treatment bars, one row each in order of start, so that lines of
	// therapy read top to bottom and no label covers another bar.
	type bar struct {
		t       casedir.Treatment
		row     int
		ongoing bool
	}
	var bars []bar
	var rowEnds []time.Time
	treatments := append([]casedir.Treatment(nil), c.Treatments...)
	sort.SliceStable(treatments, func(i, j int) bool { return treatments[i].Start.Compare(treatments[j].Start) < 0 })
	for _, t := range treatments {
		end := t.End.End()
		ongoing := t.End.IsZero()
		if ongoing {
			end = c.PreparedOn.Start()
			if end.Before(t.Start.End()) {
				end = t.Start.End()
			}
		}
		row := len(rowEnds)
		rowEnds = append(rowEnds, end)
		bars = append(bars, bar{t: t, row: row, ongoing: ongoing})
	}

	lanes := map[string][]TimelineEntry{}
	for _, e := range entries {
		if e.Lane == "treatment" && (e.Kind == "treatment-start" || e.Kind == "treatment-end") {
			continue // drawn as bars
		}
		lanes[e.Lane] = append(lanes[e.Lane], e)
	}

	var b strings.Builder
	y := 8.0
	type laneBox struct {
		name string
		y, h float64
	}
	var boxes []laneBox
	for _, l := range laneOrder {
		h := tlLaneH
		if l == "treatment" {
			if len(bars) == 0 && len(lanes[l]) == 0 {
				continue
			}
			rows := len(rowEnds)
			if len(lanes[l]) > 0 {
				rows++
			}
			h = math.Max(tlLaneH, float64(rows)*tlBarH+6)
		} else if len(lanes[l]) == 0 {
			continue
		}
		boxes = append(boxes, laneBox{l, y, h})
		y += h
	}
	height := y + tlAxisH
	fmt.Fprintf(&b, `<svg class="timeline-chart" viewBox="0 0 %.0f %.0f" width="%.0f" height="%.0f" role="img" aria-labelledby="timeline-chart-title">`, tlWidth, height, tlWidth, height)
	fmt.Fprintf(&b, `<title id="timeline-chart-title">%s</title>`, esc(s.F("timeline.chart_label", "from", s.Date(entries[0].Date), "to", s.Date(entries[len(entries)-1].Date))))

	// Lane backgrounds and names.
	for i, lb := range boxes {
		cls := "tl-lane"
		if i%2 == 1 {
			cls += " tl-lane-alt"
		}
		fmt.Fprintf(&b, `<rect class="%s" x="0" y="%.1f" width="%.0f" height="%.1f" fill="#f4f6f8"/>`, cls, lb.y, tlWidth, lb.h)
		fmt.Fprintf(&b, `<text class="tl-lane-name" x="6" y="%.1f" font-size="12" fill="#333">%s</text>`, lb.y+18, esc(s.T("timeline.lane."+lb.name)))
	}

	// Axis and ticks.
	axisY := y
	fmt.Fprintf(&b, `<line class="tl-axis" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#555" stroke-width="1"/>`, tlLeft, axisY, tlRight, axisY)
	for _, tk := range ticks(t0, t1, s) {
		tx := x(tk.t)
		fmt.Fprintf(&b, `<line class="tl-grid" x1="%.1f" y1="8" x2="%.1f" y2="%.1f" stroke="#ccc" stroke-width="0.5"/>`, tx, tx, axisY+4)
		if tk.label != "" {
			fmt.Fprintf(&b, `<text class="tl-tick" x="%.1f" y="%.1f" font-size="11" text-anchor="middle" fill="#333">%s</text>`, tx, axisY+17, esc(tk.label))
		}
		if tk.year != "" {
			fmt.Fprintf(&b, `<text class="tl-tick tl-year" x="%.1f" y="%.1f" font-size="11" text-anchor="middle" fill="#333">%s</text>`, tx, axisY+30, esc(tk.year))
		}
	}
	if !c.PreparedOn.IsZero() {
		px := x(c.PreparedOn.Start())
		fmt.Fprintf(&b, `<line class="tl-today" x1="%.1f" y1="4" x2="%.1f" y2="%.1f" stroke="#b00020" stroke-width="1.5" stroke-dasharray="4 3"/>`, px, px, axisY)
		anchor := "end"
		tx := px - 4
		if px < tlLeft+120 {
			anchor, tx = "start", px+4
		}
		fmt.Fprintf(&b, `<text class="tl-today-label" x="%.1f" y="%.1f" font-size="10" text-anchor="%s" fill="#b00020">%s</text>`, tx, 4+9.0, anchor, esc(s.F("timeline.prepared_on", "date", s.Date(c.PreparedOn))))
	}

	for _, lb := range boxes {
		if lb.name == "treatment" {
			for _, br := range bars {
				x0 := x(br.t.Start.Start())
				endT := br.t.End.End()
				if br.ongoing {
					endT = c.PreparedOn.Start()
				}
				x1 := math.Max(x(endT), x0+4)
				by := lb.y + 4 + float64(br.row)*tlBarH
				cls := "tl-bar"
				if br.ongoing {
					cls += " tl-ongoing"
				}
				fmt.Fprintf(&b, `<rect class="%s" x="%.1f" y="%.1f" width="%.1f" height="18" rx="3" fill="#2f6f9f"/>`, cls, x0, by, x1-x0)
				label := br.t.Name
				if br.t.Cycles > 0 {
					label += " ×" + itoa(br.t.Cycles)
				}
				// Inside the bar when it fits, else after it.
				if float64(len([]rune(label)))*6.6+8 < x1-x0 {
					fmt.Fprintf(&b, `<text class="tl-bar-label" x="%.1f" y="%.1f" font-size="11" fill="#fff">%s</text>`, x0+4, by+13, esc(label))
				} else {
					anchor, tx := "start", x1+4
					if x1+float64(len([]rune(label)))*6.6 > tlWidth && x0-float64(len([]rune(label)))*6.6 > tlLeft {
						anchor, tx = "end", x0-4
					}
					fmt.Fprintf(&b, `<text class="tl-bar-label-out" x="%.1f" y="%.1f" font-size="11" text-anchor="%s" fill="#222">%s</text>`, tx, by+13, anchor, esc(label))
				}
			}
		}
		dy := lb.y + 15
		if lb.name == "treatment" {
			dy = lb.y + lb.h - 12
		}
		for _, e := range lanes[lb.name] {
			cx := x(e.Date.Start())
			if !e.Date.IsFull() {
				// A month or a year: its span, with the point at its middle.
				x0, x1 := x(e.Date.Start()), x(e.Date.End().AddDate(0, 0, 1))
				cx = (x0 + x1) / 2
				fmt.Fprintf(&b, `<rect class="tl-span" x="%.1f" y="%.1f" width="%.1f" height="4" rx="2" fill="#9fbfd8"/>`, x0, dy-2, x1-x0)
			}
			if e.Planned {
				fmt.Fprintf(&b, `<circle class="tl-dot tl-planned" cx="%.1f" cy="%.1f" r="5" fill="#fff" stroke="#6a3d9a" stroke-width="2" stroke-dasharray="2 2"/>`, cx, dy)
			} else {
				fmt.Fprintf(&b, `<circle class="tl-dot tl-%s" cx="%.1f" cy="%.1f" r="5" fill="#2f6f9f"/>`, lb.name, cx, dy)
			}
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

type tick struct {
	t     time.Time
	label string
	year  string
}

// ticks marks months or years, labelling at most about eight of them.
func ticks(t0, t1 time.Time, s *uiStrings) []tick {
	var out []tick
	months := (t1.Year()-t0.Year())*12 + int(t1.Month()-t0.Month())
	if months <= 24 {
		step := (months + 7) / 8
		if step < 1 {
			step = 1
		}
		t := time.Date(t0.Year(), t0.Month(), 1, 0, 0, 0, 0, time.UTC)
		if t.Before(t0) {
			t = t.AddDate(0, 1, 0)
		}
		first := true
		for i := 0; !t.After(t1); i, t = i+1, t.AddDate(0, 1, 0) {
			tk := tick{t: t}
			if i%step == 0 {
				tk.label = s.month("months_short_nominative", int(t.Month()))
				if first || t.Month() == time.January {
					tk.year = itoa(t.Year())
				}
				first = false
			}
			out = append(out, tk)
		}
		return out
	}
	years := t1.Year() - t0.Year()
	step := (years + 7) / 8
	if step < 1 {
		step = 1
	}
	for y := t0.Year() + 1; y <= t1.Year(); y++ {
		tk := tick{t: time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)}
		if (y-t0.Year()-1)%step == 0 {
			tk.year = itoa(y)
		}
		out = append(out, tk)
	}
	return out
}

func esc(s string) string { return template.HTMLEscapeString(s) }
