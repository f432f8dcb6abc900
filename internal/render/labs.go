package render

import (
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
