package workforce

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"switchboard/routing"
)

// Leave: an agent asks for days off; a team lead approves up to
// leave.lead_days a month per agent, a supervisor up to
// leave.supervisor_days (defaults 3 and 5). Days are calendar days, the
// request's and the agent's other approved leave in the same month.

// Leave records (schedule.* so they are restored with the schedules).
const (
	EvLeaveRequested = "schedule.leave_requested" // LeaveData
	EvLeaveDecided   = "schedule.leave_decided"   // LeaveDecisionData
)

// LeaveData is schedule.leave_requested.
type LeaveData struct {
	ID     string `json:"id"`
	Agent  string `json:"agent"`
	From   string `json:"from"` // first day, YYYY-MM-DD
	To     string `json:"to"`   // last day
	Reason string `json:"reason,omitempty"`
	By     string `json:"by"`
}

// LeaveDecisionData is schedule.leave_decided.
type LeaveDecisionData struct {
	ID       string     `json:"id"`
	Decision LeaveState `json:"decision"` // approved, refused, withdrawn
	By       string     `json:"by"`
	Role     string     `json:"role"`
	Note     string     `json:"note,omitempty"`
}

// LeaveState is pending → approved | refused | withdrawn.
type LeaveState string

// Leave states.
const (
	LeavePending   LeaveState = "pending"
	LeaveApproved  LeaveState = "approved"
	LeaveRefused   LeaveState = "refused"
	LeaveWithdrawn LeaveState = "withdrawn"
)

// Leave is a request as the Book holds it.
type Leave struct {
	LeaveData
	Days      int        `json:"days"`
	State     LeaveState `json:"state"`
	At        time.Time  `json:"requested_at"`
	DecidedBy string     `json:"decided_by,omitempty"`
	DecidedAt time.Time  `json:"decided_at,omitzero"`
	Note      string     `json:"note,omitempty"`
	team      string
}

// LeaveConfig is the workforce.leave: limits.
type LeaveConfig struct {
	LeadDays       int `yaml:"lead_days"`
	SupervisorDays int `yaml:"supervisor_days"`
}

// Default leave limits, days a month per agent.
const (
	DefaultLeadDays       = 3
	DefaultSupervisorDays = 5
)

// Limit is the days a month role may approve ("team_lead", "supervisor").
func (c LeaveConfig) Limit(role string) int {
	switch role {
	case "team_lead":
		if c.LeadDays > 0 {
			return c.LeadDays
		}
		return DefaultLeadDays
	case "supervisor":
		if c.SupervisorDays > 0 {
			return c.SupervisorDays
		}
		return DefaultSupervisorDays
	}
	return 0
}

// LimitError: approving would pass the approver's limit.
type LimitError struct {
	Rule         string // lead_days | supervisor_days
	Limit, Would int
	Agent, Month string
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("%s: approving gives agent %s %d day(s) of leave in %s; this role approves at most %d",
		e.Rule, e.Agent, e.Would, e.Month, e.Limit)
}

// LeaveStateError: the request is no longer pending (→ 409).
type LeaveStateError struct {
	ID    string
	State LeaveState
}

func (e *LeaveStateError) Error() string {
	return fmt.Sprintf("leave %s is %s: only a pending request is decided", e.ID, e.State)
}

// ErrNoLeave: no such leave request.
var ErrNoLeave = errors.New("workforce: no such leave request")

func (b *Book) days(from, to string) (time.Time, time.Time, error) {
	f, err := time.ParseInLocation(time.DateOnly, from, b.loc)
	if err != nil {
		return time.Time{}, time.Time{}, &FieldError{Field: "from", Reason: fmt.Sprintf("%q is not YYYY-MM-DD", from)}
	}
	t, err := time.ParseInLocation(time.DateOnly, to, b.loc)
	if err != nil {
		return time.Time{}, time.Time{}, &FieldError{Field: "to", Reason: fmt.Sprintf("%q is not YYYY-MM-DD", to)}
	}
	return f, t, nil
}

// DecideLeave is the schedule.leave_requested record. Errors:
// *FieldError, *DeadlineError (requests for next month close on
// requestsBy of this one).
func (b *Book) DecideLeave(agent, from, to, reason, by string, requestsBy int, now time.Time) (*routing.Record, error) {
	if _, ok := b.roster[agent]; !ok || agent == "" {
		return nil, &FieldError{Field: "agent", Reason: fmt.Sprintf("unknown agent %q", agent)}
	}
	f, t, err := b.days(from, to)
	if err != nil {
		return nil, err
	}
	today := now.In(b.loc)
	today = time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, b.loc)
	switch {
	case f.Before(today):
		return nil, &FieldError{Field: "from", Reason: "a leave in the past: " + from}
	case t.Before(f):
		return nil, &FieldError{Field: "to", Reason: "must not be before from"}
	case t.Format("2006-01") != f.Format("2006-01"):
		return nil, &FieldError{Field: "to", Reason: "a request stays in one month (file one per month)"}
	case len(reason) > 2000:
		return nil, &FieldError{Field: "reason", Reason: "is longer than 2000 bytes"}
	}
	month := time.Date(f.Year(), f.Month(), 1, 0, 0, 0, 0, b.loc)
	thisMonth := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, b.loc)
	if month.After(thisMonth) {
		if d := PublishDeadline(month, requestsBy); !now.Before(d) && month.Equal(thisMonth.AddDate(0, 1, 0)) {
			return nil, &DeadlineError{Rule: "requests_by", Month: month.Format("2006-01"), Deadline: d}
		}
	}
	for _, l := range b.leaves {
		if l.Agent == agent && (l.State == LeavePending || l.State == LeaveApproved) && l.From <= to && from <= l.To {
			return nil, &FieldError{Field: "from", Reason: fmt.Sprintf("overlaps leave %s (%s to %s)", l.ID, l.From, l.To)}
		}
	}
	id := fmt.Sprintf("L%06d", len(b.leaves)+1)
	return record(EvLeaveRequested, LeaveData{ID: id, Agent: agent, From: from, To: to, Reason: strings.TrimSpace(reason), By: by})
}

// DecideLeaveDecision is the schedule.leave_decided record. Approving
// counts the agent's approved days in the month against role's limit.
// Errors: ErrNoLeave, *LeaveStateError, *LimitError.
func (b *Book) DecideLeaveDecision(id string, decision LeaveState, by, role, note string, limits LeaveConfig) (*routing.Record, error) {
	l := b.leave(id)
	if l == nil {
		return nil, ErrNoLeave
	}
	if l.State != LeavePending {
		return nil, &LeaveStateError{ID: id, State: l.State}
	}
	switch decision {
	case LeaveApproved:
		month := l.From[:7]
		would := l.Days
		for _, o := range b.leaves {
			if o.Agent == l.Agent && o.State == LeaveApproved && o.From[:7] == month {
				would += o.Days
			}
		}
		limit := limits.Limit(role)
		if would > limit {
			rule := "lead_days"
			if role == "supervisor" {
				rule = "supervisor_days"
			}
			return nil, &LimitError{Rule: rule, Limit: limit, Would: would, Agent: l.Agent, Month: month}
		}
	case LeaveRefused, LeaveWithdrawn:
	default:
		return nil, &FieldError{Field: "decision", Reason: "must be approve, refuse or withdraw"}
	}
	return record(EvLeaveDecided, LeaveDecisionData{ID: id, Decision: decision, By: by, Role: role, Note: note})
}

func (b *Book) leave(id string) *Leave {
	for _, l := range b.leaves {
		if l.ID == id {
			return l
		}
	}
	return nil
}

func (b *Book) applyLeave(rec *routing.Record) error {
	switch rec.Type {
	case EvLeaveRequested:
		d, err := routing.Decode[LeaveData](rec)
		if err != nil {
			return fmt.Errorf("workforce: %w", err)
		}
		f, t, err := b.days(d.From, d.To)
		if err != nil {
			return fmt.Errorf("workforce: record %d: %w", rec.Seq, err)
		}
		b.leaves = append(b.leaves, &Leave{LeaveData: d, Days: int(t.Sub(f).Hours()/24+0.5) + 1, State: LeavePending,
			At: rec.Time, team: b.roster[d.Agent]})
	case EvLeaveDecided:
		d, err := routing.Decode[LeaveDecisionData](rec)
		if err != nil {
			return fmt.Errorf("workforce: %w", err)
		}
		l := b.leave(d.ID)
		if l == nil {
			return fmt.Errorf("workforce: record %d decides unknown leave %s", rec.Seq, d.ID)
		}
		l.State, l.DecidedBy, l.DecidedAt, l.Note = d.Decision, d.By, rec.Time, d.Note
	}
	return nil
}

// Leaves is the requests of agent ("" all) or team ("" all), newest first.
func (b *Book) Leaves(agent, team string) []Leave {
	out := []Leave{}
	for _, l := range b.leaves {
		if (agent == "" || l.Agent == agent) && (team == "" || l.team == team) {
			out = append(out, *l)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].ID > out[j].ID })
	return out
}

// LeaveByID is one request.
func (b *Book) LeaveByID(id string) (Leave, bool) {
	l := b.leave(id)
	if l == nil {
		return Leave{}, false
	}
	return *l, true
}
