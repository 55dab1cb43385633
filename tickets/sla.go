package tickets

import (
	"fmt"
	"time"
)

// Hours says whether the business is open at a time; routing.Calendar
// satisfies it, so tickets reuse the routing calendar and holidays.
type Hours interface {
	Open(t time.Time) bool
}

// Category is one configured ticket category and its SLA targets.
type Category struct {
	Name           string
	DispatchWithin time.Duration // 0 → DefaultDispatch
	ResolveWithin  time.Duration // 0 → no resolution target
	BusinessHours  bool          // count only open time (Hours)
}

// DefaultDispatch is the dispatch SLA when a category sets none.
const DefaultDispatch = 60 * time.Minute

// maxWalk bounds a business-hours walk: a calendar closed for longer is a
// config problem, not a reason to loop.
const maxWalk = 400 * 24 * time.Hour

// Deadline is start plus d, counting only open minutes when hours is not
// nil. Time is walked a minute at a time from start, so a deadline falls
// across midnight, weekends and holidays as the calendar says.
func Deadline(start time.Time, d time.Duration, hours Hours) (time.Time, error) {
	if hours == nil {
		return start.Add(d), nil
	}
	t, left := start, d
	for left > 0 {
		if t.Sub(start) > maxWalk {
			return time.Time{}, fmt.Errorf("tickets: calendar has under %s open within %s of %s", d, maxWalk, start.Format(time.RFC3339))
		}
		step := time.Minute - time.Duration(t.Second())*time.Second - time.Duration(t.Nanosecond())
		if step > left {
			step = left
		}
		if hours.Open(t) {
			left -= step
		}
		t = t.Add(step)
	}
	return t, nil
}
