package tickets

import (
	"testing"
	"time"

	"switchboard/routing"
)

// The routing calendar itself (weekly hours with a lunch break, a
// holiday) drives a business-hours category's clocks through the Service.
func TestServiceBusinessHoursOnRoutingCalendar(t *testing.T) {
	cal := &routing.Calendar{
		Weekly:   routing.WeeklyHours{"mon-fri": {"09:00-12:00", "13:00-18:00"}},
		Holidays: []routing.Holiday{{Date: "2026-10-01", Name: "国庆"}, {Date: "2026-10-02"}},
	}
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, time.Local)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	cfg := Config{Calendar: "office", Categories: []CategoryConfig{{Name: "complaint", BusinessHours: true,
		DispatchWithin: routing.Duration(time.Hour), ResolveWithin: routing.Duration(8 * time.Hour)}}}
	for _, tc := range []struct {
		name, created, dispatch, resolve string
	}{
		{"morning", "2026-09-28 10:00", "2026-09-28 11:00", "2026-09-29 10:00"},
		{"over lunch", "2026-09-28 11:30", "2026-09-28 13:30", "2026-09-29 11:30"},
		{"across midnight", "2026-09-28 17:30", "2026-09-29 09:30", "2026-09-29 17:30"},
		{"created at night", "2026-09-28 23:10", "2026-09-29 10:00", "2026-09-29 18:00"},
		{"over the holidays and the weekend", "2026-09-30 17:30", "2026-10-05 09:30", "2026-10-05 17:30"},
	} {
		l := &fakeLog{now: at(tc.created)}
		s := NewService(cfg, cal, l.submit, func() time.Time { return l.now }, nil)
		tk, err := s.Create(t.Context(), NewTicket{Customer: "1", Category: "complaint", Source: "api", By: "crm"})
		if err != nil {
			t.Fatal(err)
		}
		if !tk.DispatchDue.Equal(at(tc.dispatch)) || !tk.ResolveDue.Equal(at(tc.resolve)) {
			t.Errorf("%s: dispatch %s resolve %s, want %s and %s", tc.name, tk.DispatchDue, tk.ResolveDue, tc.dispatch, tc.resolve)
		}
	}
}
