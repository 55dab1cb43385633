package workforce

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"switchboard/routing"
)

// Config is the workforce: section: the shift templates schedules are
// built from, the time zone they are read in, the calendar whose holidays
// they show, and the floor's deadlines.
type Config struct {
	// TimeZone is a fixed offset ("+08:00") or an IANA name; default UTC.
	// Fixed offsets keep shift lengths free of DST.
	TimeZone string        `yaml:"time_zone"`
	Shifts   []ShiftConfig `yaml:"shifts"`
	// Calendar names the routing calendar (calendars:) whose holidays the
	// schedule shows.
	Calendar string `yaml:"calendar"`
	// RequestsBy is the day of the month requests for next month close
	// (default 27); PublishBy the day next month's schedule is published
	// by (default 29).
	RequestsBy int `yaml:"requests_by"`
	PublishBy  int `yaml:"publish_by"`
	// Grace is how long before a shift an agent signs in and after it
	// signs out (default 5m).
	Grace routing.Duration `yaml:"grace"`
	// Leave is who approves how many days of leave a month.
	Leave LeaveConfig `yaml:"leave"`
}

// ShiftConfig is one shift template. End before Start crosses midnight.
type ShiftConfig struct {
	Name   string   `yaml:"name" json:"name"`
	Start  string   `yaml:"start" json:"start"` // "08:00"
	End    string   `yaml:"end" json:"end"`     // "17:00"; "02:00" is the next day
	Breaks []Window `yaml:"breaks" json:"breaks,omitempty"`
	Meals  []Window `yaml:"meals" json:"meals,omitempty"`
}

// Window is when a break or meal is taken and for how long at most.
type Window struct {
	Start     string           `yaml:"start" json:"start"`
	End       string           `yaml:"end" json:"end"`
	Allowance routing.Duration `yaml:"allowance" json:"allowance"`
}

// Defaults of the floor's rules.
const (
	DefaultRequestsBy = 27
	DefaultPublishBy  = 29
	DefaultGrace      = 5 * time.Minute
)

func (c Config) requestsBy() int {
	if c.RequestsBy == 0 {
		return DefaultRequestsBy
	}
	return c.RequestsBy
}

func (c Config) publishBy() int {
	if c.PublishBy == 0 {
		return DefaultPublishBy
	}
	return c.PublishBy
}

func (c Config) grace() time.Duration {
	if c.Grace == 0 {
		return DefaultGrace
	}
	return c.Grace.D()
}

// Location is the schedules' time zone (Validate has accepted it).
func (c Config) Location() *time.Location {
	loc, err := parseZone(c.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// parseZone reads "+08:00", "-05:30", "UTC" or an IANA name.
func parseZone(s string) (*time.Location, error) {
	if s == "" || s == "UTC" || s == "Z" {
		return time.UTC, nil
	}
	if s[0] == '+' || s[0] == '-' {
		hm := strings.SplitN(s[1:], ":", 2)
		if len(hm) != 2 {
			return nil, fmt.Errorf("offset %q is not ±HH:MM", s)
		}
		h, err1 := strconv.Atoi(hm[0])
		m, err2 := strconv.Atoi(hm[1])
		if err1 != nil || err2 != nil || h > 14 || m > 59 || len(hm[0]) != 2 || len(hm[1]) != 2 {
			return nil, fmt.Errorf("offset %q is not ±HH:MM", s)
		}
		off := h*3600 + m*60
		if s[0] == '-' {
			off = -off
		}
		return time.FixedZone(s, off), nil
	}
	return time.LoadLocation(s)
}

// clock reads "HH:MM" as minutes after midnight.
func clock(s string) (int, error) {
	t, err := time.Parse("15:04", s)
	if err != nil || len(s) != 5 {
		return 0, fmt.Errorf("%q is not HH:MM", s)
	}
	return t.Hour()*60 + t.Minute(), nil
}

// Validate reports every problem as "workforce.key: problem".
func (c Config) Validate(rc *routing.Config) error {
	var errs []error
	bad := func(key, format string, a ...any) {
		errs = append(errs, fmt.Errorf("workforce.%s: %s", key, fmt.Sprintf(format, a...)))
	}
	if _, err := parseZone(c.TimeZone); err != nil {
		bad("time_zone", "%v", err)
	}
	if c.Calendar != "" && rc.Calendars[c.Calendar] == nil {
		bad("calendar", "unknown calendar %q", c.Calendar)
	}
	if c.RequestsBy < 0 || c.RequestsBy > 28 {
		bad("requests_by", "must be a day 1-28")
	}
	if c.PublishBy < 0 || c.PublishBy > 31 {
		bad("publish_by", "must be a day 1-31")
	}
	if c.Leave.LeadDays < 0 || c.Leave.SupervisorDays < 0 {
		bad("leave", "limits must not be negative")
	}
	if c.Grace < 0 {
		bad("grace", "must not be negative")
	}
	seen := map[string]bool{}
	for i, s := range c.Shifts {
		key := fmt.Sprintf("shifts[%d]", i)
		switch {
		case s.Name == "":
			bad(key+".name", "required")
		case seen[s.Name]:
			bad(key+".name", "shift %q is defined twice", s.Name)
		case strings.ContainsAny(s.Name, ",\"\r\n"):
			bad(key+".name", "must not contain commas, quotes or line breaks")
		}
		seen[s.Name] = true
		if _, err := s.template(); err != nil {
			var fe *FieldError
			if errors.As(err, &fe) {
				bad(key+"."+fe.Field, "%s", fe.Reason)
			} else {
				bad(key, "%v", err)
			}
		}
	}
	return errors.Join(errs...)
}

// template is the shift as minute offsets from the start of its day.
func (s ShiftConfig) template() (Shift, error) {
	start, err := clock(s.Start)
	if err != nil {
		return Shift{}, &FieldError{Field: "start", Reason: err.Error()}
	}
	end, err := clock(s.End)
	if err != nil {
		return Shift{}, &FieldError{Field: "end", Reason: err.Error()}
	}
	if end == start {
		return Shift{}, &FieldError{Field: "end", Reason: "a shift must not start and end at the same time"}
	}
	if end < start {
		end += 24 * 60 // crosses midnight
	}
	sh := Shift{Name: s.Name, Start: start, End: end}
	win := func(field string, ws []Window) ([]span, error) {
		var out []span
		for j, w := range ws {
			f := fmt.Sprintf("%s[%d]", field, j)
			a, err := clock(w.Start)
			if err != nil {
				return nil, &FieldError{Field: f + ".start", Reason: err.Error()}
			}
			b, err := clock(w.End)
			if err != nil {
				return nil, &FieldError{Field: f + ".end", Reason: err.Error()}
			}
			// A window is read on the shift's own run of minutes, so a
			// night shift's 01:00 break falls after its 22:00 start.
			if a < start {
				a += 24 * 60
			}
			if b <= a {
				b += 24 * 60
			}
			if a < start || b > end {
				return nil, &FieldError{Field: f, Reason: "must lie within the shift"}
			}
			if w.Allowance <= 0 || w.Allowance.D() > time.Duration(b-a)*time.Minute {
				return nil, &FieldError{Field: f + ".allowance", Reason: "must be more than 0 and fit the window"}
			}
			out = append(out, span{From: a, To: b, Allow: w.Allowance.D()})
		}
		return out, nil
	}
	if sh.Breaks, err = win("breaks", s.Breaks); err != nil {
		return Shift{}, err
	}
	meals, err := win("meals", s.Meals)
	if err != nil {
		return Shift{}, err
	}
	sh.Breaks = append(sh.Breaks, meals...)
	return sh, nil
}

// Shift is a template resolved: minutes from the day's midnight (End may
// pass 24h), and its break and meal windows the same way.
type Shift struct {
	Name       string
	Start, End int
	Breaks     []span
}

// span is a window of minutes with an allowance.
type span struct {
	From, To int
	Allow    time.Duration
}

// On is the shift's interval on day (a date in loc).
func (s Shift) On(day time.Time) (time.Time, time.Time) {
	d := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, day.Location())
	return d.Add(time.Duration(s.Start) * time.Minute), d.Add(time.Duration(s.End) * time.Minute)
}
