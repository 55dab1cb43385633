package tickets

import (
	"errors"
	"sort"
	"time"

	"switchboard/report"
)

// The ticket report: per category or team, the tickets created in a
// period, how many were dispatched and how many within their dispatch
// SLA, how many went overdue (dispatched late, or still new past the
// deadline), how many were resolved and the average time to resolution.
// A projection of the Book, laid out as a report.Table so it is written
// as CSV or XLSX like every other report.

// Groupings of the ticket report.
const (
	GroupCategory = "category"
	GroupTeam     = "team"
)

// NotDispatched is the team row of tickets not dispatched to a team.
const NotDispatched = "(not dispatched)"

var reportColumns = []report.Column{
	{Key: "created", Label: "Created", Unit: report.UnitCount, Definition: "Tickets created in the period."},
	{Key: "dispatched", Label: "Dispatched", Unit: report.UnitCount, Definition: "Of those, dispatched (to a team or an agent)."},
	{Key: "dispatched_sla", Label: "Dispatched within SLA", Unit: report.UnitCount, Definition: "Of those, first dispatched by their dispatch deadline."},
	{Key: "dispatched_sla_rate", Label: "Dispatched within SLA %", Unit: report.UnitPercent, Definition: "Dispatched within SLA over created."},
	{Key: "overdue", Label: "Overdue", Unit: report.UnitCount, Definition: "Dispatched after the deadline, or still new past it (工单滞留)."},
	{Key: "resolved", Label: "Resolved", Unit: report.UnitCount, Definition: "Of those, resolved (first resolution)."},
	{Key: "resolution_time", Label: "Average resolution time", Unit: report.UnitSeconds, Definition: "Created to first resolved, over the resolved."},
}

type reportRow struct {
	created, dispatched, withinSLA, overdue, resolved int
	resolveSecs                                       float64
}

func (r *reportRow) add(t *Ticket, now time.Time) {
	r.created++
	if !t.DispatchedAt.IsZero() {
		r.dispatched++
		if !t.DispatchedAt.After(t.DispatchDue) {
			r.withinSLA++
		} else {
			r.overdue++
		}
	} else if now.After(t.DispatchDue) {
		r.overdue++
	}
	if !t.ResolvedAt.IsZero() {
		r.resolved++
		r.resolveSecs += t.ResolvedAt.Sub(t.CreatedAt).Seconds()
	}
}

func (r *reportRow) values() []*float64 {
	f := func(v float64) *float64 { return &v }
	out := []*float64{f(float64(r.created)), f(float64(r.dispatched)), f(float64(r.withinSLA)), nil,
		f(float64(r.overdue)), f(float64(r.resolved)), nil}
	if r.created > 0 {
		out[3] = f(float64(int64(float64(r.withinSLA)*1000/float64(r.created)+0.5)) / 10)
	}
	if r.resolved > 0 {
		out[6] = f(float64(int64(r.resolveSecs/float64(r.resolved)*10+0.5)) / 10)
	}
	return out
}

// ErrGroup is an unknown grouping.
var ErrGroup = errors.New("unknown ticket report grouping")

// Report builds the ticket report of the tickets created in span, by
// group (category or team), judged at now.
func (b *Book) Report(group string, span report.Span, now time.Time) (*report.Table, error) {
	if group == "" {
		group = GroupCategory
	}
	if group != GroupCategory && group != GroupTeam {
		return nil, &report.FieldError{Field: "group", Message: "must be category or team", Err: ErrGroup}
	}
	rows := map[string]*reportRow{}
	if group == GroupCategory {
		for name := range b.cats {
			rows[name] = &reportRow{}
		}
	}
	var total reportRow
	for _, t := range b.tickets {
		if t.CreatedAt.Before(span.Start()) || !t.CreatedAt.Before(span.End()) {
			continue
		}
		key := t.Category
		if group == GroupTeam {
			key = t.Team
			if key == "" {
				key = NotDispatched
			}
		}
		if rows[key] == nil {
			rows[key] = &reportRow{}
		}
		rows[key].add(t, now)
		total.add(t, now)
	}
	keys := make([]string, 0, len(rows))
	for k := range rows {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	label := map[string]string{GroupCategory: "Category", GroupTeam: "Team"}[group]
	tb := &report.Table{Report: "tickets", Title: "Tickets", Group: group, GroupName: label,
		From: span.From.Format(time.DateOnly), To: span.To.Format(time.DateOnly), TimeZone: span.From.Location().String(),
		Columns: reportColumns, Rows: []report.Row{}, Notes: []string{"Tickets counted by the day they were created; overdue judged at " + now.Format(time.RFC3339) + "."}}
	for _, k := range keys {
		tb.Rows = append(tb.Rows, report.Row{Key: k, Label: k, Values: rows[k].values()})
	}
	tb.Total = report.Row{Key: "total", Label: "Total", Values: total.values()}
	return tb, nil
}
