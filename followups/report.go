package followups

import (
	"encoding/json"
	"errors"
	"sort"
	"time"

	"switchboard/report"
	"switchboard/routing"
)

// The follow-up report: per agent or team, the calls wrapped up in a
// period (by the wrap-up's day), those whose follow-up was asked for, how
// many of those were reached within 72 h of the wrap-up (coverage, the
// regulation's 100%), and the results: average satisfaction, not
// satisfied, closed unreached (attempts used, wrong number). A
// projection of the Book (call.wrapped and followup.* records), laid out
// as a report.Table so it is written as CSV or XLSX like every other.

// Groupings of the follow-up report.
const (
	GroupAgent = "agent"
	GroupTeam  = "team"
)

// CoverageWindow is the regulation's: followed up within 72 h.
const CoverageWindow = 72 * time.Hour

// wrapUp is one call.wrapped as the report counts it.
type wrapUp struct {
	at       time.Time
	agent    string
	followUp bool
}

var reportColumns = []report.Column{
	{Key: "wrapped", Label: "Calls wrapped up", Unit: report.UnitCount, Definition: "Calls wrapped up in the period (call.wrapped)."},
	{Key: "asked", Label: "Follow-up asked", Unit: report.UnitCount, Definition: "Of those, with follow-up needed (the disposition's default or the box)."},
	{Key: "covered", Label: "Followed up within 72 h", Unit: report.UnitCount, Definition: "Of those asked, whose follow-up reached the customer within 72 h of the wrap-up."},
	{Key: "coverage", Label: "Coverage %", Unit: report.UnitPercent, Definition: "Followed up within 72 h over follow-up asked."},
	{Key: "reached", Label: "Follow-ups reached", Unit: report.UnitCount, Definition: "Follow-up tasks of the period's calls closed reached."},
	{Key: "satisfaction", Label: "Average follow-up satisfaction", Unit: report.UnitScore, Definition: "Average satisfaction (1-5) given on reached follow-ups."},
	{Key: "not_satisfied", Label: "Not satisfied", Unit: report.UnitCount, Definition: "Reached follow-ups whose customer was not satisfied."},
	{Key: "unreached", Label: "Closed unreached", Unit: report.UnitCount, Definition: "Follow-ups closed after the allowed attempts or on a wrong number."},
}

type reportRow struct {
	wrapped, asked, covered, reached, scored, notSatisfied, unreached int
	satSum                                                            int
}

func (r *reportRow) values() []*float64 {
	f := func(v float64) *float64 { return &v }
	out := []*float64{f(float64(r.wrapped)), f(float64(r.asked)), f(float64(r.covered)), nil,
		f(float64(r.reached)), nil, f(float64(r.notSatisfied)), f(float64(r.unreached))}
	if r.asked > 0 {
		out[3] = f(float64(int64(float64(r.covered)*1000/float64(r.asked)+0.5)) / 10)
	}
	if r.scored > 0 {
		out[5] = f(float64(int64(float64(r.satSum)*100/float64(r.scored)+0.5)) / 100)
	}
	return out
}

// ErrGroup is an unknown grouping.
var ErrGroup = errors.New("unknown follow-up report grouping")

func (b *Book) applyWrapUp(rec *routing.Record) {
	var d routing.WrapUpData
	if json.Unmarshal(rec.Data, &d) != nil || rec.CallID == "" {
		return
	}
	if _, seen := b.wraps[rec.CallID]; !seen {
		b.wrapOrder = append(b.wrapOrder, rec.CallID)
	}
	b.wraps[rec.CallID] = wrapUp{at: rec.Time, agent: d.Agent, followUp: d.FollowUp}
}

// Report builds the follow-up report of the calls wrapped up in span, by
// group (agent or team; teams maps agents to their team).
func (b *Book) Report(group string, span report.Span, teams map[string]string) (*report.Table, error) {
	if group == "" {
		group = GroupAgent
	}
	if group != GroupAgent && group != GroupTeam {
		return nil, &report.FieldError{Field: "group", Message: "must be agent or team", Err: ErrGroup}
	}
	rows := map[string]*reportRow{}
	var total reportRow
	for _, call := range b.wrapOrder {
		w := b.wraps[call]
		if w.at.Before(span.Start()) || !w.at.Before(span.End()) {
			continue
		}
		key := w.agent
		if group == GroupTeam {
			key = teams[w.agent]
		}
		if key == "" {
			key = "(none)"
		}
		if rows[key] == nil {
			rows[key] = &reportRow{}
		}
		for _, r := range []*reportRow{rows[key], &total} {
			r.wrapped++
			if w.followUp {
				r.asked++
			}
		}
		t := b.tasks[b.fromCall[call]]
		if t == nil {
			continue
		}
		for _, r := range []*reportRow{rows[key], &total} {
			r.addTask(t, w)
		}
	}
	keys := make([]string, 0, len(rows))
	for k := range rows {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	label := map[string]string{GroupAgent: "Agent", GroupTeam: "Team"}[group]
	tb := &report.Table{Report: "followups", Title: "Follow-ups", Group: group, GroupName: label,
		From: span.From.Format(time.DateOnly), To: span.To.Format(time.DateOnly), TimeZone: span.From.Location().String(),
		Columns: reportColumns, Rows: []report.Row{},
		Notes: []string{"Calls counted by the day they were wrapped up; coverage is a reached follow-up within 72 h of the wrap-up."}}
	for _, k := range keys {
		tb.Rows = append(tb.Rows, report.Row{Key: k, Label: k, Values: rows[k].values()})
	}
	tb.Total = report.Row{Key: "total", Label: "Total", Values: total.values()}
	return tb, nil
}

func (r *reportRow) addTask(t *Task, w wrapUp) {
	switch t.Reason {
	case ClosedAttempts, ClosedWrongNumber:
		r.unreached++
	case ClosedReached:
		r.reached++
		last := t.Attempts[len(t.Attempts)-1]
		if w.followUp && !last.At.After(w.at.Add(CoverageWindow)) {
			r.covered++
		}
		switch last.Result {
		case Satisfied:
			r.scored++
			r.satSum += last.Satisfaction
		case NotSatisfied:
			r.notSatisfied++
		}
	}
}
