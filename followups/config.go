package followups

import (
	"errors"
	"fmt"
	"sort"
	"time"

	"switchboard/routing"
)

// Config is the followups: section.
type Config struct {
	// DueWithin is how long after resolution a task is due (72h).
	DueWithin routing.Duration `yaml:"due_within"`
	// Dispositions sets due_within per wrap-up disposition code.
	Dispositions map[string]routing.Duration `yaml:"dispositions"`
	// MaxAttempts is how many failed attempts close a task (3–5).
	MaxAttempts int `yaml:"max_attempts"`
	// RetryAfter spaces failed attempts.
	RetryAfter routing.Duration `yaml:"retry_after"`
	// Queue is the routing queue whose agents dial due follow-ups (as
	// work items of kind follow_up, through outbound.follow_ups trunks);
	// "" leaves them to be dialled by hand.
	Queue string `yaml:"queue"`
	// FromTickets opens a follow-up when a ticket is closed.
	FromTickets bool `yaml:"from_tickets"`
	// AppointmentWindow is the morning window an appointment's call falls
	// in on its day ("09:00"–"11:00"), in the reports' time zone.
	AppointmentWindow Window `yaml:"appointment_window"`
	// Calendar names the routing calendar whose open hours appointments
	// may be booked in ("": any time).
	Calendar string `yaml:"calendar"`
	// AppointmentSlot is how long an appointment holds its agent: two of
	// one agent closer than this conflict (default 30m).
	AppointmentSlot routing.Duration `yaml:"appointment_slot"`
}

// Window is a time-of-day span, "HH:MM".
type Window struct {
	From string `yaml:"from" json:"from"`
	To   string `yaml:"to" json:"to"`
}

// clock parses "HH:MM" into minutes after midnight.
func clock(s string) (int, error) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, fmt.Errorf("want HH:MM, got %q", s)
	}
	return t.Hour()*60 + t.Minute(), nil
}

// Validate reports every problem as "followups.key: problem" against the
// routing config's dispositions.
func (c Config) Validate(rc *routing.Config) error {
	var errs []error
	bad := func(key, format string, a ...any) {
		errs = append(errs, fmt.Errorf("followups.%s: %s", key, fmt.Sprintf(format, a...)))
	}
	if c.DueWithin <= 0 {
		bad("due_within", "must be more than 0")
	}
	if c.MaxAttempts < 3 || c.MaxAttempts > 5 {
		bad("max_attempts", "must be 3, 4 or 5, got %d", c.MaxAttempts)
	}
	if c.RetryAfter < 0 {
		bad("retry_after", "must not be negative")
	}
	if c.Calendar != "" && rc.Calendars[c.Calendar] == nil {
		bad("calendar", "unknown calendar %q", c.Calendar)
	}
	if c.AppointmentSlot < 0 {
		bad("appointment_slot", "must not be negative")
	}
	if c.Queue != "" && rc.Queues[c.Queue] == nil {
		bad("queue", "unknown queue %q", c.Queue)
	}
	codes := map[string]bool{}
	for _, d := range rc.Dispositions {
		codes[d.Code] = true
	}
	keys := make([]string, 0, len(c.Dispositions))
	for k := range c.Dispositions {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !codes[k] {
			bad("dispositions."+k, "unknown disposition %q", k)
		}
		if c.Dispositions[k] <= 0 {
			bad("dispositions."+k, "must be more than 0")
		}
	}
	from, err1 := clock(c.AppointmentWindow.From)
	if err1 != nil {
		bad("appointment_window.from", "%v", err1)
	}
	to, err2 := clock(c.AppointmentWindow.To)
	if err2 != nil {
		bad("appointment_window.to", "%v", err2)
	}
	if err1 == nil && err2 == nil && to <= from {
		bad("appointment_window.to", "must be after from")
	}
	return errors.Join(errs...)
}

// rules is the config as the Book uses it.
type rules struct {
	due         time.Duration
	byDisp      map[string]time.Duration
	maxAttempts int
	retry       time.Duration
	winFrom     int // minutes after midnight
	winTo       int
	loc         *time.Location
	slot        time.Duration
}

func (c Config) rules(loc *time.Location) rules {
	r := rules{due: c.DueWithin.D(), byDisp: map[string]time.Duration{}, maxAttempts: c.MaxAttempts,
		retry: c.RetryAfter.D(), loc: loc, slot: c.AppointmentSlot.D()}
	if r.due <= 0 {
		r.due = DefaultDue
	}
	if r.maxAttempts == 0 {
		r.maxAttempts = DefaultMaxAttempts
	}
	for k, d := range c.Dispositions {
		r.byDisp[k] = d.D()
	}
	var err error
	if r.winFrom, err = clock(c.AppointmentWindow.From); err != nil {
		r.winFrom = 9 * 60
	}
	if r.winTo, err = clock(c.AppointmentWindow.To); err != nil || r.winTo <= r.winFrom {
		r.winTo = 11 * 60
	}
	if r.loc == nil {
		r.loc = time.Local
	}
	return r
}

// Defaults the Book falls back on for a config never validated (tests).
const (
	DefaultDue         = 72 * time.Hour
	DefaultMaxAttempts = 3
)

// DueAt is when a follow-up of a call resolved at resolved with
// disposition disp falls due: the disposition's due_within, else the
// default (72 h).
func (r rules) DueAt(resolved time.Time, disp string) time.Time {
	if d, ok := r.byDisp[disp]; ok && d > 0 {
		return resolved.Add(d)
	}
	return resolved.Add(r.due)
}

// Window is the appointment window on the day of at, in the rules' zone.
func (r rules) Window(at time.Time) (from, to time.Time) {
	l := at.In(r.loc)
	day := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, r.loc)
	return day.Add(time.Duration(r.winFrom) * time.Minute), day.Add(time.Duration(r.winTo) * time.Minute)
}
