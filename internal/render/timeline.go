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
	// One report's results on one day are one entry, naming the tests.
	type reportDay struct {
		date casedir.Date
		file *casedir.Attachment
	}
	var reports []reportDay
	results := map[reportDay][]casedir.Biomarker{}
	for _, b := range c.Biomarkers {
		k := reportDay{b.Date, b.Document}
		if b.Document == nil {
			k = reportDay{date: b.Date}
		}
		if _, ok := results[k]; !ok {
			reports = append(reports, k)
		}
		results[k] = append(results[k], b)
	}
	for _, k := range reports {
		bs := results[k]
		if k.file == nil || len(bs) == 1 {
			for _, b := range bs {
				add(TimelineEntry{Date: b.Date, Kind: "biomarker", Lane: "diagnosis", Title: b.Name + ": " + biomarkerResult(b, s), Anchor: "#biomarkers", File: b.Document})
			}
			continue
		}
		var names []string
		for _, b := range bs {
			names = append(names, b.Name)
		}
		add(TimelineEntry{Date: k.date, Kind: "biomarker", Lane: "diagnosis", Title: strings.Join(names, ", "), Anchor: "#biomarkers", File: k.file})
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
		if holdsFile(out, doc.Date, doc.File) {
			continue // the lab or result entry of that day already links it
		}
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

// holdsFile reports whether an entry of the day already links file: a lab
// and the document holding it are one entry.
func holdsFile(entries []TimelineEntry, d casedir.Date, file *casedir.Attachment) bool {
	if file == nil {
		return false
	}
	for _, e := range entries {
		if e.File == file && e.Date == d {
			return true
		}
	}
	return false
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
	tlLeft   = 126.0
	tlRight  = 784.0
	tlLaneH  = 42.0 // a lane: a row of labels above a row of dots
	tlBarH   = 26.0
	tlAxisH  = 40.0
	tlFont   = 11.0
	tlHitR   = 11.0 // the tap target around a dot
	tlLabelN = 18   // a dot's label is cut to this many characters
)

var laneOrder = []string{"diagnosis", "imaging", "treatment", "labs", "other", "plan"}

// tlScale maps time to the drawing's x.
type tlScale struct{ t0, t1 time.Time }

func (sc tlScale) x(t time.Time) float64 {
	return tlLeft + (tlRight-tlLeft)*float64(t.Sub(sc.t0))/float64(sc.t1.Sub(sc.t0))
}

// tlBar is one treatment's bar, a row each in order of start, so that
// lines of therapy read top to bottom and no label covers another bar.
type tlBar struct {
	t          casedir.Treatment
	row        int
	ongoing    bool
	start, end time.Time
}

// tlLane is one row of the drawing.
type tlLane struct {
	name    string
	y, h    float64
	entries []TimelineEntry
}

// timelineSVG draws the entries on lanes over a time axis, treatments as
// bars. Each dot is a link to its entry with a <title> and a tap target;
// labels are drawn where they meet no other. On a phone the list below
// (which a screen reader also reads) is the timeline, top to bottom.
func timelineSVG(c *casedir.Case, s *uiStrings, entries []TimelineEntry) template.HTML {
	if len(entries) == 0 {
		return ""
	}
	sc := timelineScale(c, entries)
	bars := timelineBars(c, sc)
	lanes, height := timelineLanes(entries, bars)
	pl := newPlacer(tlWidth, height)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="timeline-chart" viewBox="0 0 %.0f %.0f" width="%.0f" height="%.0f" role="group" aria-labelledby="timeline-chart-title">`, tlWidth, height, tlWidth, height)
	fmt.Fprintf(&b, `<title id="timeline-chart-title">%s</title>`, esc(s.F("timeline.chart_label", "from", s.Date(entries[0].Date), "to", s.Date(entries[len(entries)-1].Date))))
	axisY := height - tlAxisH
	timelineBackground(&b, pl, lanes, s)
	timelineAxis(&b, pl, sc, axisY, s)
	timelineToday(&b, pl, c, sc, axisY, s)
	for _, ln := range lanes {
		if ln.name == "treatment" {
			timelineBarsDraw(&b, pl, sc, ln, bars, c, s)
		}
		timelineDots(&b, pl, sc, ln, s)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// timelineScale spans the entries, the treatments' ends and prepared_on,
// at least two months, with a little air at both ends.
func timelineScale(c *casedir.Case, entries []TimelineEntry) tlScale {
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
	return tlScale{t0.Add(-pad), t1.Add(pad)}
}

// timelineBars lays out the treatment bars; an ongoing one runs to
// prepared_on.
func timelineBars(c *casedir.Case, sc tlScale) []tlBar {
	treatments := append([]casedir.Treatment(nil), c.Treatments...)
	sort.SliceStable(treatments, func(i, j int) bool { return treatments[i].Start.Compare(treatments[j].Start) < 0 })
	var bars []tlBar
	for i, t := range treatments {
		end := t.End.End()
		ongoing := t.End.IsZero()
		if ongoing {
			end = c.PreparedOn.Start()
			if end.Before(t.Start.End()) {
				end = t.Start.End()
			}
		}
		bars = append(bars, tlBar{t: t, row: i, ongoing: ongoing, start: t.Start.Start(), end: end})
	}
	return bars
}

// timelineLanes sorts the entries into lanes (treatment starts and ends
// are the bars) and stacks the lanes that have something; height is the
// drawing's, with the axis.
func timelineLanes(entries []TimelineEntry, bars []tlBar) ([]tlLane, float64) {
	by := map[string][]TimelineEntry{}
	for _, e := range entries {
		if e.Lane == "treatment" && (e.Kind == "treatment-start" || e.Kind == "treatment-end") {
			continue
		}
		by[e.Lane] = append(by[e.Lane], e)
	}
	var lanes []tlLane
	y := 16.0 // room for the prepared-on label
	for _, l := range laneOrder {
		h := tlLaneH
		if l == "treatment" {
			if len(bars) == 0 && len(by[l]) == 0 {
				continue
			}
			h = math.Max(tlLaneH, float64(len(bars))*tlBarH+6)
			if len(by[l]) > 0 {
				h += tlLaneH
			}
		} else if len(by[l]) == 0 {
			continue
		}
		lanes = append(lanes, tlLane{name: l, y: y, h: h, entries: by[l]})
		y += h
	}
	return lanes, y + tlAxisH
}

// timelineBackground draws the lanes' backgrounds and names.
func timelineBackground(b *strings.Builder, pl *placer, lanes []tlLane, s *uiStrings) {
	for i, ln := range lanes {
		cls := "tl-lane"
		if i%2 == 1 {
			cls += " tl-lane-alt"
		}
		fmt.Fprintf(b, `<rect class="%s" x="0" y="%.1f" width="%.0f" height="%.1f" fill="#f4f6f8"/>`, cls, ln.y, tlWidth, ln.h)
		name := s.T("timeline.lane." + ln.name)
		if c, ok := pl.place(name, tlFont+1, labelAt{x: 6, y: ln.y + 18, anchor: "start"}); ok {
			fmt.Fprintf(b, `<text class="tl-lane-name" x="%.1f" y="%.1f" font-size="%.0f" fill="#333">%s</text>`, c.x, c.y, tlFont+1, esc(name))
		}
	}
}

// timelineAxis draws the time axis with the month or year ticks that fit.
func timelineAxis(b *strings.Builder, pl *placer, sc tlScale, axisY float64, s *uiStrings) {
	fmt.Fprintf(b, `<line class="tl-axis" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#555" stroke-width="1"/>`, tlLeft, axisY, tlRight, axisY)
	pl.take(box{0, axisY - 1, tlWidth, axisY + 1}) // no dot label across the axis
	for _, tk := range ticks(sc.t0, sc.t1, s) {
		tx := sc.x(tk.t)
		fmt.Fprintf(b, `<line class="tl-grid" x1="%.1f" y1="16" x2="%.1f" y2="%.1f" stroke="#ccc" stroke-width="0.5"/>`, tx, tx, axisY+4)
		if tk.label != "" {
			if c, ok := pl.place(tk.label, tlFont, labelAt{x: tx, y: axisY + 17, anchor: "middle"}); ok {
				fmt.Fprintf(b, `<text class="tl-tick" x="%.1f" y="%.1f" font-size="%.0f" text-anchor="middle" fill="#333">%s</text>`, c.x, c.y, tlFont, esc(tk.label))
			}
		}
		if tk.year != "" {
			if c, ok := pl.place(tk.year, tlFont, labelAt{x: tx, y: axisY + 33, anchor: "middle"}); ok {
				fmt.Fprintf(b, `<text class="tl-tick tl-year" x="%.1f" y="%.1f" font-size="%.0f" text-anchor="middle" fill="#333">%s</text>`, c.x, c.y, tlFont, esc(tk.year))
			}
		}
	}
}

// timelineToday marks prepared_on with a dashed line and its label.
func timelineToday(b *strings.Builder, pl *placer, c *casedir.Case, sc tlScale, axisY float64, s *uiStrings) {
	if c.PreparedOn.IsZero() {
		return
	}
	px := sc.x(c.PreparedOn.Start())
	fmt.Fprintf(b, `<line class="tl-today" x1="%.1f" y1="4" x2="%.1f" y2="%.1f" stroke="#b00020" stroke-width="1.5" stroke-dasharray="4 3"/>`, px, px, axisY)
	label := s.F("timeline.prepared_on", "date", s.Date(c.PreparedOn))
	if at, ok := pl.place(label, tlFont-1, labelAt{x: px - 4, y: 12, anchor: "end"}, labelAt{x: px + 4, y: 12, anchor: "start"}); ok {
		fmt.Fprintf(b, `<text class="tl-today-label" x="%.1f" y="%.1f" font-size="%.0f" text-anchor="%s" fill="#b00020">%s</text>`, at.x, at.y, tlFont-1, at.anchor, esc(label))
	}
}

// timelineBarsDraw draws the treatment bars with their names inside when
// they fit, else beside them, else only in the bar's <title>.
func timelineBarsDraw(b *strings.Builder, pl *placer, sc tlScale, ln tlLane, bars []tlBar, c *casedir.Case, s *uiStrings) {
	for i, br := range bars {
		x0 := sc.x(br.start)
		x1 := math.Max(sc.x(br.end), x0+4)
		by := ln.y + 4 + float64(br.row)*tlBarH
		cls := "tl-bar"
		switch {
		case br.t.Ongoing():
			cls += " tl-ongoing"
		case br.ongoing:
			cls += " tl-end-unknown" // open-ended, but the case does not say ongoing
		}
		label := br.t.Name
		if br.t.Cycles > 0 {
			label += " ×" + itoa(br.t.Cycles)
		}
		when := s.Date(br.t.Start) + " – " + treatmentEndText(br.t, s)
		fmt.Fprintf(b, `<a href="#%s"><title>%s</title><rect class="%s" x="%.1f" y="%.1f" width="%.1f" height="18" rx="3" fill="#2f6f9f"/></a>`,
			treatmentAnchor(c, br.t, i), esc(label+", "+when), cls, x0, by, x1-x0)
		inside := textBox(label, x0+4, by+13, tlFont, "start")
		if inside.x1 < x1-2 && pl.fits(inside) {
			pl.take(inside)
			fmt.Fprintf(b, `<text class="tl-bar-label" x="%.1f" y="%.1f" font-size="%.0f" fill="#fff">%s</text>`, x0+4, by+13, tlFont, esc(label))
			continue
		}
		pl.take(box{x0, by, x1, by + 18})
		if at, ok := pl.place(label, tlFont, labelAt{x: x1 + 4, y: by + 13, anchor: "start"}, labelAt{x: x0 - 4, y: by + 13, anchor: "end"}); ok {
			fmt.Fprintf(b, `<text class="tl-bar-label-out" x="%.1f" y="%.1f" font-size="%.0f" text-anchor="%s" fill="#222">%s</text>`, at.x, at.y, tlFont, at.anchor, esc(label))
		}
	}
}

// treatmentAnchor is the in-page anchor of a treatment, by its place in
// the case (bars are sorted by start).
func treatmentAnchor(c *casedir.Case, t casedir.Treatment, fallback int) string {
	for i := range c.Treatments {
		if c.Treatments[i].Name == t.Name && c.Treatments[i].Start == t.Start {
			return "treatment-" + itoa(i+1)
		}
	}
	return "treatment-" + itoa(fallback+1)
}

// timelineDots draws a lane's entries: a dot (a span for a month or a
// year) linked to its entry, with a <title>, a tap target, and a short
// label above or below where it fits.
func timelineDots(b *strings.Builder, pl *placer, sc tlScale, ln tlLane, s *uiStrings) {
	dy := ln.y + 27
	if ln.name == "treatment" {
		dy = ln.y + ln.h - 12
	}
	// Dots first, so that no label covers one.
	type dot struct {
		e  TimelineEntry
		cx float64
	}
	var dots []dot
	for _, e := range ln.entries {
		cx := sc.x(e.Date.Start())
		if !e.Date.IsFull() {
			cx = (sc.x(e.Date.Start()) + sc.x(e.Date.End().AddDate(0, 0, 1))) / 2
		}
		dots = append(dots, dot{e, cx})
		pl.take(box{cx - 5, dy - 5, cx + 5, dy + 5})
	}
	for _, d := range dots {
		e, cx := d.e, d.cx
		tip := esc(s.Date(e.Date) + " · " + joinNonEmpty(": ", e.Label, e.Title))
		fmt.Fprintf(b, `<a class="tl-link" href="%s"><title>%s</title>`, esc(e.Anchor), tip)
		if !e.Date.IsFull() {
			x0, x1 := sc.x(e.Date.Start()), sc.x(e.Date.End().AddDate(0, 0, 1))
			fmt.Fprintf(b, `<rect class="tl-span" x="%.1f" y="%.1f" width="%.1f" height="4" rx="2" fill="#9fbfd8"/>`, x0, dy-2, x1-x0)
		}
		if e.Planned {
			fmt.Fprintf(b, `<circle class="tl-dot tl-planned" cx="%.1f" cy="%.1f" r="5" fill="#fff" stroke="#6a3d9a" stroke-width="2" stroke-dasharray="2 2"/>`, cx, dy)
		} else if e.Kind == "progression" {
			// A progression is drawn as a red diamond, distinct from every other entry.
			fmt.Fprintf(b, `<polygon class="tl-dot tl-progression" points="%.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f" fill="#b00020"/>`, cx, dy-6, cx+6, dy, cx, dy+6, cx-6, dy)
		} else {
			fmt.Fprintf(b, `<circle class="tl-dot tl-%s" cx="%.1f" cy="%.1f" r="5" fill="#2f6f9f"/>`, ln.name, cx, dy)
		}
		fmt.Fprintf(b, `<circle class="tl-hit" cx="%.1f" cy="%.1f" r="%.0f" fill="transparent"/></a>`, cx, dy, tlHitR)
	}
	for _, d := range dots {
		label := dotLabel(d.e)
		above := clampAnchor(label, d.cx, tlFont-1, tlLeft, tlWidth)
		above.y = dy - 9
		below := above
		below.y = dy + 16
		if at, ok := pl.place(label, tlFont-1, above, below); ok {
			fmt.Fprintf(b, `<text class="tl-dot-label" x="%.1f" y="%.1f" font-size="%.0f" text-anchor="%s" fill="#333">%s</text>`, at.x, at.y, tlFont-1, at.anchor, esc(label))
		}
	}
}

// dotLabel is an entry's short label: the first part of its title, cut.
func dotLabel(e TimelineEntry) string {
	t := e.Title
	if i := strings.IndexAny(t, ",:;("); i > 0 {
		t = t[:i]
	}
	t = strings.TrimSpace(t)
	if t == "" {
		t = e.Label
	}
	if r := []rune(t); len(r) > tlLabelN {
		t = strings.TrimSpace(string(r[:tlLabelN-1])) + "…"
	}
	return t
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
