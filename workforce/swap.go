package workforce

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"switchboard/routing"
)

// Shift swaps (换班): agent A's published shift on ADate and agent B's on
// BDate change hands. Rules, each refused by name (*RuleError): not with
// oneself (a field error), at most MaxSwapsPerMonth per agent a month
// (max_per_month), the earlier day at least SwapLeadDays working days
// ahead (working_days_ahead), neither day a holiday (no_holidays), and
// never a moment of a scheduled shift under the team's minimum that was
// not under it before (min_staffing). The lead of each agent's team
// approves (a supervisor for any team); the swap applies to the schedules
// when every team involved has approved.

// Swap records.
const (
	EvSwapRequested = "schedule.swap_requested" // SwapData
	EvSwapDecided   = "schedule.swap_decided"   // SwapDecisionData
)

// Swap limits.
const (
	MaxSwapsPerMonth = 2
	SwapLeadDays     = 2
)

// SwapData is schedule.swap_requested.
type SwapData struct {
	ID    string `json:"id"`
	A     string `json:"a"`
	ADate string `json:"a_date"`
	B     string `json:"b"`
	BDate string `json:"b_date"`
	By    string `json:"by"`
}

// SwapDecisionData is schedule.swap_decided: one approval (for Teams) or
// the refusal.
type SwapDecisionData struct {
	ID       string   `json:"id"`
	Decision string   `json:"decision"` // approve | refuse
	Teams    []string `json:"teams"`    // the teams this approval speaks for
	By       string   `json:"by"`
}

// Swap is a request as the Book holds it.
type Swap struct {
	SwapData
	AShift   string     `json:"a_shift"`
	BShift   string     `json:"b_shift"`
	State    LeaveState `json:"state"` // pending, approved, refused
	Approved []string   `json:"approved_teams"`
	Need     []string   `json:"teams"`
}

// RuleError is a swap refused by a named rule (→ 409).
type RuleError struct {
	Rule, Reason string
}

func (e *RuleError) Error() string { return e.Rule + ": " + e.Reason }

// ErrNoSwap: no such swap request.
var ErrNoSwap = errors.New("workforce: no such swap request")

// published finds agent's published entry on date, and its team.
func (b *Book) published(agent, date string) (Entry, string, bool) {
	team := b.roster[agent]
	if len(date) < 7 {
		return Entry{}, "", false
	}
	s := b.sched[key(team, date[:7])]
	if s == nil || s.State != StatePublished {
		return Entry{}, "", false
	}
	for _, e := range s.Entries {
		if e.Agent == agent && e.Date == date {
			return e, team, true
		}
	}
	return Entry{}, "", false
}

func (b *Book) workingDay(d time.Time, holidays map[string]string) bool {
	wd := d.Weekday()
	return wd != time.Saturday && wd != time.Sunday && holidays[d.Format(time.DateOnly)] == ""
}

// coverage is how many of team's agents are scheduled at t in entries.
func (b *Book) coverage(entries []Entry, t time.Time) int {
	n := 0
	for _, e := range entries {
		from, to, _, err := b.interval(e)
		if err == nil && !t.Before(from) && t.Before(to) {
			n++
		}
	}
	return n
}

// teamEntries is every published entry of team in months.
func (b *Book) teamEntries(team string, months ...string) []Entry {
	var out []Entry
	for _, m := range slices.Compact(months) {
		if s := b.sched[key(team, m)]; s != nil && s.State == StatePublished {
			out = append(out, s.Entries...)
		}
	}
	return out
}

// swapped is entries with the swap's two entries exchanged.
func swapped(entries []Entry, ea, eb Entry) []Entry {
	out := make([]Entry, 0, len(entries))
	for _, e := range entries {
		switch e {
		case ea:
			e = Entry{Agent: ea.Agent, Date: eb.Date, Shift: eb.Shift}
		case eb:
			e = Entry{Agent: eb.Agent, Date: ea.Date, Shift: ea.Shift}
		}
		out = append(out, e)
	}
	return out
}

// checkStaffing: after the swap, no moment of the two shifts has a team
// under its minimum that was not under it before.
func (b *Book) checkStaffing(ea, eb Entry, minimum map[string]int) error {
	months := []string{ea.Date[:7], eb.Date[:7]}
	sort.Strings(months)
	for _, team := range slices.Compact([]string{b.roster[ea.Agent], b.roster[eb.Agent]}) {
		before := b.teamEntries(team, months...)
		after := swapped(before, ea, eb)
		// Coverage changes only at entries' starts and ends: check those
		// inside the two shifts, and the shifts' starts.
		var points []time.Time
		for _, e := range []Entry{ea, eb} {
			from, to, _, _ := b.interval(e)
			points = append(points, from)
			for _, o := range after {
				of, ot, _, err := b.interval(o)
				if err != nil {
					continue
				}
				for _, p := range []time.Time{of, ot} {
					if !p.Before(from) && p.Before(to) {
						points = append(points, p)
					}
				}
			}
		}
		for _, p := range points {
			nb, na := b.coverage(before, p), b.coverage(after, p)
			if na < minimum[team] && na < nb {
				return &RuleError{Rule: "min_staffing", Reason: fmt.Sprintf("team %s would have %d scheduled at %s, under its minimum of %d",
					team, na, p.Format("2006-01-02 15:04"), minimum[team])}
			}
		}
	}
	return nil
}

// DecideSwap is the schedule.swap_requested record. Errors: *FieldError,
// *RuleError.
func (b *Book) DecideSwap(a, aDate, bAgent, bDate, by string, holidays map[string]string, minimum map[string]int, now time.Time) (*routing.Record, error) {
	if a == bAgent {
		return nil, &FieldError{Field: "with", Reason: "a swap with oneself"}
	}
	ea, _, ok := b.published(a, aDate)
	if !ok {
		return nil, &FieldError{Field: "date", Reason: fmt.Sprintf("agent %s has no published shift on %s", a, aDate)}
	}
	eb, _, ok := b.published(bAgent, bDate)
	if !ok {
		return nil, &FieldError{Field: "with_date", Reason: fmt.Sprintf("agent %s has no published shift on %s", bAgent, bDate)}
	}
	if ea.Date == eb.Date && ea.Shift == eb.Shift {
		return nil, &FieldError{Field: "with_date", Reason: "the same shift on the same day: nothing to swap"}
	}
	for _, d := range []string{aDate, bDate} {
		if n := holidays[d]; n != "" {
			return nil, &RuleError{Rule: "no_holidays", Reason: fmt.Sprintf("%s is a holiday (%s)", d, n)}
		}
	}
	first := min(aDate, bDate)
	fd, _ := time.ParseInLocation(time.DateOnly, first, b.loc)
	today := now.In(b.loc)
	today = time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, b.loc)
	work := 0
	for d := today.AddDate(0, 0, 1); !d.After(fd) && work < SwapLeadDays; d = d.AddDate(0, 0, 1) {
		if b.workingDay(d, holidays) {
			work++
		}
	}
	if work < SwapLeadDays {
		return nil, &RuleError{Rule: "working_days_ahead", Reason: fmt.Sprintf("%s is less than %d working days ahead", first, SwapLeadDays)}
	}
	// A swap counts for both its agents in the month of each of its days:
	// 31 January ↔ 1 February is one of each agent's January swaps and one
	// of their February swaps.
	for _, ag := range []string{a, bAgent} {
		for _, m := range swapMonths(aDate, bDate) {
			n := 0
			for _, s := range b.swaps {
				if s.State != LeaveRefused && (s.A == ag || s.B == ag) && slices.Contains(swapMonths(s.ADate, s.BDate), m) {
					n++
				}
			}
			if n >= MaxSwapsPerMonth {
				return nil, &RuleError{Rule: "max_per_month", Reason: fmt.Sprintf("agent %s has %d swaps in %s already", ag, n, m)}
			}
		}
	}
	// Each agent's new shift goes into their own team's schedule of the
	// month it falls in, which must be published (a draft would lose it
	// at its next save).
	for _, mv := range [][2]string{{a, bDate}, {bAgent, aDate}} {
		team, m := b.roster[mv[0]], mv[1][:7]
		if s := b.sched[key(team, m)]; s == nil || s.State != StatePublished {
			return nil, &FieldError{Field: "with_date", Reason: fmt.Sprintf("agent %s would move to %s, but team %s's schedule for %s is not published", mv[0], mv[1], team, m)}
		}
	}
	// Each agent's new shift must not overlap their others.
	for _, pair := range [][2]Entry{{ea, {Agent: a, Date: eb.Date, Shift: eb.Shift}}, {eb, {Agent: bAgent, Date: ea.Date, Shift: ea.Shift}}} {
		old, nw := pair[0], pair[1]
		nf, nt, _, _ := b.interval(nw)
		for _, o := range b.teamEntries(b.roster[old.Agent], nw.Date[:7], old.Date[:7]) {
			if o.Agent != old.Agent || o == old {
				continue
			}
			of, ot, _, err := b.interval(o)
			if err == nil && nf.Before(ot) && of.Before(nt) {
				return nil, &FieldError{Field: "with_date", Reason: fmt.Sprintf("agent %s would work %s %s over their %s %s", old.Agent, nw.Date, nw.Shift, o.Date, o.Shift)}
			}
		}
	}
	if err := b.checkStaffing(ea, eb, minimum); err != nil {
		return nil, err
	}
	id := fmt.Sprintf("S%06d", len(b.swaps)+1)
	return record(EvSwapRequested, SwapData{ID: id, A: a, ADate: aDate, B: bAgent, BDate: bDate, By: by})
}

// DecideSwapDecision is one approval (teams it speaks for: a lead's own,
// a supervisor's all) or a refusal. The last approval re-checks staffing.
// Errors: ErrNoSwap, *LeaveStateError, *RuleError, *FieldError.
func (b *Book) DecideSwapDecision(id, decision string, teams []string, by string, minimum map[string]int) (*routing.Record, error) {
	s := b.swap(id)
	if s == nil {
		return nil, ErrNoSwap
	}
	if s.State != LeavePending {
		return nil, &LeaveStateError{ID: id, State: s.State}
	}
	var speaks []string
	for _, t := range s.Need {
		if slices.Contains(teams, t) {
			speaks = append(speaks, t)
		}
	}
	if len(speaks) == 0 {
		return nil, &FieldError{Field: "decision", Reason: "only the leads of " + fmt.Sprint(s.Need) + " decide this swap"}
	}
	switch decision {
	case "approve":
		done := true
		for _, t := range s.Need {
			done = done && (slices.Contains(s.Approved, t) || slices.Contains(speaks, t))
		}
		if done {
			ea := Entry{Agent: s.A, Date: s.ADate, Shift: s.AShift}
			eb := Entry{Agent: s.B, Date: s.BDate, Shift: s.BShift}
			if err := b.checkStaffing(ea, eb, minimum); err != nil {
				return nil, err
			}
		}
	case "refuse":
	default:
		return nil, &FieldError{Field: "decision", Reason: "must be approve or refuse"}
	}
	return record(EvSwapDecided, SwapDecisionData{ID: id, Decision: decision, Teams: speaks, By: by})
}

func (b *Book) swap(id string) *Swap {
	for _, s := range b.swaps {
		if s.ID == id {
			return s
		}
	}
	return nil
}

func (b *Book) applySwap(rec *routing.Record) error {
	switch rec.Type {
	case EvSwapRequested:
		d, err := routing.Decode[SwapData](rec)
		if err != nil {
			return fmt.Errorf("workforce: %w", err)
		}
		ea, ta, ok1 := b.published(d.A, d.ADate)
		eb, tb, ok2 := b.published(d.B, d.BDate)
		if !ok1 || !ok2 {
			return fmt.Errorf("workforce: record %d swaps shifts not published", rec.Seq)
		}
		b.swaps = append(b.swaps, &Swap{SwapData: d, AShift: ea.Shift, BShift: eb.Shift, State: LeavePending,
			Need: slices.Compact([]string{ta, tb})})
	case EvSwapDecided:
		d, err := routing.Decode[SwapDecisionData](rec)
		if err != nil {
			return fmt.Errorf("workforce: %w", err)
		}
		s := b.swap(d.ID)
		if s == nil {
			return fmt.Errorf("workforce: record %d decides unknown swap %s", rec.Seq, d.ID)
		}
		if d.Decision == "refuse" {
			s.State = LeaveRefused
			return nil
		}
		for _, t := range d.Teams {
			if !slices.Contains(s.Approved, t) {
				s.Approved = append(s.Approved, t)
			}
		}
		for _, t := range s.Need {
			if !slices.Contains(s.Approved, t) {
				return nil
			}
		}
		s.State = LeaveApproved
		ea := Entry{Agent: s.A, Date: s.ADate, Shift: s.AShift}
		eb := Entry{Agent: s.B, Date: s.BDate, Shift: s.BShift}
		// Each entry leaves its schedule and joins its agent's team's
		// schedule of the month it now falls in: the two days may be in
		// different months, the two agents in different teams.
		if err := b.move(ea, Entry{Agent: ea.Agent, Date: eb.Date, Shift: eb.Shift}); err != nil {
			return fmt.Errorf("workforce: record %d: %w", rec.Seq, err)
		}
		if err := b.move(eb, Entry{Agent: eb.Agent, Date: ea.Date, Shift: ea.Shift}); err != nil {
			return fmt.Errorf("workforce: record %d: %w", rec.Seq, err)
		}
	}
	return nil
}

// swapMonths is the months of a swap's two days, once each.
func swapMonths(aDate, bDate string) []string {
	if aDate[:7] == bDate[:7] {
		return []string{aDate[:7]}
	}
	return []string{aDate[:7], bDate[:7]}
}

// move takes old out of its published schedule and puts nw into its
// agent's team's published schedule of nw's month, kept in date order.
func (b *Book) move(old, nw Entry) error {
	team := b.roster[old.Agent]
	from, to := b.sched[key(team, old.Date[:7])], b.sched[key(team, nw.Date[:7])]
	if from == nil || to == nil || from.State != StatePublished || to.State != StatePublished {
		return fmt.Errorf("swap of %s moves %s to an unpublished month", old.Agent, nw.Date)
	}
	i := slices.Index(from.Entries, old)
	if i < 0 {
		return fmt.Errorf("swap of %s: no entry %s %s", old.Agent, old.Date, old.Shift)
	}
	from.Entries = slices.Delete(slices.Clone(from.Entries), i, i+1)
	j, _ := slices.BinarySearchFunc(to.Entries, nw, func(e, t Entry) int {
		if e.Date != t.Date {
			return strings.Compare(e.Date, t.Date)
		}
		return strings.Compare(e.Agent, t.Agent)
	})
	to.Entries = slices.Insert(slices.Clone(to.Entries), j, nw)
	return nil
}

// Swaps is the swap requests involving team ("" all), newest first.
func (b *Book) Swaps(team string) []Swap {
	out := []Swap{}
	for _, s := range b.swaps {
		if team == "" || slices.Contains(s.Need, team) {
			c := *s
			c.Approved = slices.Clone(s.Approved)
			out = append(out, c)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].ID > out[j].ID })
	return out
}
