package routing

import (
	"fmt"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Calendar is a service's business hours: weekly hours (with lunch breaks
// as gaps between ranges), seasons that replace them between two dates,
// and holidays that close the day or give it its own hours.
type Calendar struct {
	TimeZone string         `yaml:"time_zone"` // IANA name; default the machine's
	Weekly   WeeklyHours    `yaml:"weekly"`
	Seasons  []Season       `yaml:"seasons"`
	Holidays []Holiday      `yaml:"holidays"`
	loc      *time.Location // resolved by Validate
}

// WeeklyHours maps days ("mon", "mon-fri", "sat,sun") to time ranges
// ("09:00-12:00"); "24h" is the whole day.
type WeeklyHours map[string][]string

// Season replaces the weekly hours from From to To (MM-DD, inclusive,
// wrapping over the new year: 11-01 to 03-31 is winter).
type Season struct {
	From   string      `yaml:"from"`
	To     string      `yaml:"to"`
	Weekly WeeklyHours `yaml:"weekly"`
}

// Holiday closes a date (YYYY-MM-DD), or opens it only for Hours.
type Holiday struct {
	Date  string   `yaml:"date"`
	Hours []string `yaml:"hours"`
	Name  string   `yaml:"name"`
}

// UnmarshalYAML takes "2026-10-01" or {date: …, hours: […], name: …}.
func (h *Holiday) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		h.Date = n.Value
		return nil
	}
	type plain Holiday
	return n.Decode((*plain)(h))
}

var dayNames = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// Open reports whether the calendar is open at t.
func (c *Calendar) Open(t time.Time) bool {
	loc := c.loc
	if loc == nil {
		loc = time.Local
	}
	t = t.In(loc)
	date := t.Format("2006-01-02")
	for _, h := range c.Holidays {
		if h.Date == date {
			return inRanges(t, h.Hours)
		}
	}
	weekly := c.Weekly
	md := t.Format("01-02")
	for _, s := range c.Seasons {
		if inSeason(md, s.From, s.To) {
			weekly = s.Weekly
			break
		}
	}
	day := dayNames[t.Weekday()]
	for spec, ranges := range weekly {
		if days, _ := parseDays(spec); days[day] && inRanges(t, ranges) {
			return true
		}
	}
	return false
}

func inSeason(md, from, to string) bool {
	if from <= to {
		return md >= from && md <= to
	}
	return md >= from || md <= to // wraps over the new year
}

func inRanges(t time.Time, ranges []string) bool {
	mins := t.Hour()*60 + t.Minute()
	for _, r := range ranges {
		from, to, err := parseRange(r)
		if err == nil && mins >= from && mins < to {
			return true
		}
	}
	return false
}

// parseRange reads "09:00-12:00" (or "24h") into minutes of the day.
func parseRange(r string) (from, to int, err error) {
	if r == "24h" {
		return 0, 24 * 60, nil
	}
	a, b, ok := strings.Cut(r, "-")
	if !ok {
		return 0, 0, fmt.Errorf("%q is not HH:MM-HH:MM", r)
	}
	if from, err = parseClock(a); err != nil {
		return 0, 0, err
	}
	if to, err = parseClock(b); err != nil {
		return 0, 0, err
	}
	if to <= from {
		return 0, 0, fmt.Errorf("%q ends before it starts", r)
	}
	return from, to, nil
}

func parseClock(s string) (int, error) {
	var h, m int
	if _, err := fmt.Sscanf(strings.TrimSpace(s), "%d:%d", &h, &m); err != nil || h < 0 || h > 24 || m < 0 || m > 59 || h == 24 && m != 0 {
		return 0, fmt.Errorf("%q is not a time of day HH:MM", s)
	}
	return h*60 + m, nil
}

// parseDays reads "mon-fri", "sat,sun", "mon" into a set of day names.
func parseDays(spec string) (map[string]bool, error) {
	out := map[string]bool{}
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(strings.ToLower(part))
		a, b, isRange := strings.Cut(part, "-")
		ia, ib := dayIndex(a), dayIndex(b)
		switch {
		case !isRange && ia >= 0:
			out[a] = true
		case isRange && ia >= 0 && ib >= 0:
			for i := ia; ; i = (i + 1) % 7 {
				out[dayNames[i]] = true
				if i == ib {
					break
				}
			}
		default:
			return nil, fmt.Errorf("%q is not a day or day range (mon, mon-fri, sat,sun)", spec)
		}
	}
	return out, nil
}

func dayIndex(d string) int {
	for i, n := range dayNames {
		if n == d {
			return i
		}
	}
	return -1
}

// validate checks every part and resolves the time zone.
func (c *Calendar) validate(key string, bad func(key, format string, a ...any)) {
	c.loc = time.Local
	if c.TimeZone != "" {
		loc, err := time.LoadLocation(c.TimeZone)
		if err != nil {
			bad(key+".time_zone", "unknown time zone %q", c.TimeZone)
		} else {
			c.loc = loc
		}
	}
	checkWeekly := func(k string, w WeeklyHours) {
		for _, spec := range sortedKeys(w) {
			if _, err := parseDays(spec); err != nil {
				bad(k+"."+spec, "%v", err)
			}
			for _, r := range w[spec] {
				if _, _, err := parseRange(r); err != nil {
					bad(k+"."+spec, "%v", err)
				}
			}
		}
	}
	checkWeekly(key+".weekly", c.Weekly)
	for i, s := range c.Seasons {
		sk := fmt.Sprintf("%s.seasons[%d]", key, i)
		for k, v := range map[string]string{"from": s.From, "to": s.To} {
			if _, err := time.Parse("01-02", v); err != nil {
				bad(sk+"."+k, "%q is not MM-DD", v)
			}
		}
		checkWeekly(sk+".weekly", s.Weekly)
	}
	for i, h := range c.Holidays {
		hk := fmt.Sprintf("%s.holidays[%d]", key, i)
		if _, err := time.Parse("2006-01-02", h.Date); err != nil {
			bad(hk+".date", "%q is not YYYY-MM-DD", h.Date)
		}
		for _, r := range h.Hours {
			if _, _, err := parseRange(r); err != nil {
				bad(hk+".hours", "%v", err)
			}
		}
	}
}
