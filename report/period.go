package report

import (
	"fmt"
	"time"
)

// Named periods, relative to now in the report time zone. Weeks start on
// Monday.
const (
	PeriodToday     = "today"
	PeriodYesterday = "yesterday"
	PeriodThisWeek  = "this_week"
	PeriodLastWeek  = "last_week"
	PeriodThisMonth = "this_month"
	PeriodLastMonth = "last_month"
	PeriodCustom    = "custom" // From and To
)

// Periods lists the named periods.
var Periods = []string{PeriodToday, PeriodYesterday, PeriodThisWeek, PeriodLastWeek, PeriodThisMonth, PeriodLastMonth, PeriodCustom}

// MaxDays is the longest period a report covers.
const MaxDays = 400

// Span is a report's period: whole local days From..To, both included.
type Span struct {
	From, To time.Time // local midnights; To is the last day
}

// Start and End are the instants the period covers, [Start, End).
func (s Span) Start() time.Time { return s.From }
func (s Span) End() time.Time   { return s.To.AddDate(0, 0, 1) }

// Days is the number of days in the period.
//
// Arithmetic on the calendar dates, not a walk over the days: a request for
// 0001-01-01..9999-12-31 is refused at once rather than after 3.6 million
// steps (issue 13).
func (s Span) Days() int {
	if s.From.After(s.To) {
		return 0
	}
	return civilDay(s.To) - civilDay(s.From) + 1
}

// civilDay numbers t's calendar date (in t's own location), one per day,
// whatever the day's length across a DST change.
func civilDay(t time.Time) int {
	y, m, d := t.Date()
	return int(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400) // exact: a multiple of 86400, negative or not
}

func midnight(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
}

// ResolvePeriod turns a named period, or from/to dates (YYYY-MM-DD, both
// included) for custom, into a Span at now in loc.
func ResolvePeriod(period, from, to string, now time.Time, loc *time.Location) (Span, error) {
	if period == "" {
		period = PeriodCustom
		if from == "" && to == "" {
			period = PeriodToday
		}
	}
	today := midnight(now, loc)
	var s Span
	switch period {
	case PeriodToday:
		s = Span{today, today}
	case PeriodYesterday:
		y := today.AddDate(0, 0, -1)
		s = Span{y, y}
	case PeriodThisWeek, PeriodLastWeek:
		mon := today.AddDate(0, 0, -((int(today.Weekday()) + 6) % 7))
		if period == PeriodLastWeek {
			mon = mon.AddDate(0, 0, -7)
		}
		s = Span{mon, mon.AddDate(0, 0, 6)}
		if period == PeriodThisWeek {
			s.To = today
		}
	case PeriodThisMonth, PeriodLastMonth:
		first := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, loc)
		if period == PeriodLastMonth {
			first = first.AddDate(0, -1, 0)
			s = Span{first, first.AddDate(0, 1, -1)}
		} else {
			s = Span{first, today}
		}
	case PeriodCustom:
		f, err := parseDate("from", from, loc)
		if err != nil {
			return Span{}, err
		}
		t, err := parseDate("to", to, loc)
		if err != nil {
			return Span{}, err
		}
		s = Span{f, t}
	default:
		return Span{}, &FieldError{Field: "period", Message: fmt.Sprintf("unknown period %q (known: %v)", period, Periods)}
	}
	if period != PeriodCustom && (from != "" || to != "") {
		return Span{}, &FieldError{Field: "period", Message: "give either a named period or from and to, not both"}
	}
	if s.From.After(s.To) {
		return Span{}, &FieldError{Field: "from", Message: "must not be after to"}
	}
	if s.Days() > MaxDays {
		return Span{}, &FieldError{Field: "to", Message: fmt.Sprintf("the period is %d days; at most %d", s.Days(), MaxDays)}
	}
	return s, nil
}

func parseDate(field, v string, loc *time.Location) (time.Time, error) {
	if v == "" {
		return time.Time{}, &FieldError{Field: field, Message: "required for a custom period (a date such as 2025-03-14)"}
	}
	t, err := time.ParseInLocation(time.DateOnly, v, loc)
	if err != nil {
		return time.Time{}, &FieldError{Field: field, Message: "must be a date such as 2025-03-14"}
	}
	return t, nil
}
