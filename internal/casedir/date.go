package casedir

import (
	"fmt"
	"time"
)

// Date is a calendar date that may be partial: a year, a year and month, or a
// full date. The zero Date means "not given".
type Date struct {
	Year  int
	Month int // 0 when only the year is known
	Day   int // 0 when only the year (and month) is known
}

// IsZero reports whether the date was not given.
func (d Date) IsZero() bool { return d.Year == 0 }

// IsFull reports whether year, month and day are all known.
func (d Date) IsFull() bool { return d.Year != 0 && d.Month != 0 && d.Day != 0 }

// String formats the date as written in case.toml: "2026-08-12", "2026-08" or "2026".
func (d Date) String() string {
	switch {
	case d.Year == 0:
		return ""
	case d.Month == 0:
		return fmt.Sprintf("%04d", d.Year)
	case d.Day == 0:
		return fmt.Sprintf("%04d-%02d", d.Year, d.Month)
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
}

// Start returns the first day the date can mean, at midnight UTC:
// "2026-08" starts on 2026-08-01.
func (d Date) Start() time.Time {
	m, day := d.Month, d.Day
	if m == 0 {
		m = 1
	}
	if day == 0 {
		day = 1
	}
	return time.Date(d.Year, time.Month(m), day, 0, 0, 0, 0, time.UTC)
}

// End returns the last day the date can mean, at midnight UTC:
// "2026-08" ends on 2026-08-31.
func (d Date) End() time.Time {
	switch {
	case d.Month == 0:
		return time.Date(d.Year, 12, 31, 0, 0, 0, 0, time.UTC)
	case d.Day == 0:
		return time.Date(d.Year, time.Month(d.Month)+1, 0, 0, 0, 0, 0, time.UTC)
	}
	return d.Start()
}

// Compare orders dates by their first possible day, then puts the more
// precise date first; it returns -1, 0 or +1.
func (d Date) Compare(e Date) int {
	if c := d.Start().Compare(e.Start()); c != 0 {
		return c
	}
	return precision(e) - precision(d)
}

func precision(d Date) int {
	switch {
	case d.Year == 0:
		return 0
	case d.Month == 0:
		return 1
	case d.Day == 0:
		return 2
	}
	return 3
}

// DaysBefore returns how many whole days d's last possible day lies before
// ref (negative when after).
func (d Date) DaysBefore(ref Date) int {
	return int(ref.Start().Sub(d.End()).Hours() / 24)
}

// FromTime returns the full Date of t's calendar day.
func FromTime(t time.Time) Date {
	return Date{Year: t.Year(), Month: int(t.Month()), Day: t.Day()}
}
