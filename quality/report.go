package quality

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"switchboard/report"
)

// The quality summary: per agent or team, the evaluations scored in a
// period, their average standing score, critical failures, each
// section's average share of its weight, the trend against the period
// before (same length; the month before for a whole month), and the
// items most often missed (training needs) in the notes. A projection of
// the Book, as a report.Table so it downloads as CSV or XLSX.

// Groupings of the quality summary.
const (
	GroupAgent = "agent"
	GroupTeam  = "team"
)

// ErrGroup is an unknown grouping.
var ErrGroup = errors.New("unknown quality report grouping")

// NoTeam is the team row of agents evaluated outside any team.
const NoTeam = "(no team)"

type sumRow struct {
	n, critical int
	score       float64
	section     map[string][2]float64 // score, max
	missed      map[string]int
}

func (r *sumRow) add(e *Evaluation) {
	r.n++
	r.score += e.Score
	if e.Result == nil {
		return
	}
	if len(e.Result.CriticalFailed) > 0 {
		r.critical++
	}
	for _, s := range e.Result.Sections {
		v := r.section[s.Section]
		r.section[s.Section] = [2]float64{v[0] + s.Score, v[1] + s.Max}
	}
	for _, m := range e.Result.Missed {
		r.missed[m]++
	}
}

func (r *sumRow) avg() *float64 {
	if r.n == 0 {
		return nil
	}
	v := round2(r.score / float64(r.n))
	return &v
}

// PreviousSpan is the period before s: the month before a whole month,
// else as many days before.
func PreviousSpan(s report.Span) report.Span {
	if s.From.Day() == 1 && s.End().Day() == 1 && s.End().Equal(s.From.AddDate(0, 1, 0)) {
		from := s.From.AddDate(0, -1, 0)
		return report.Span{From: from, To: s.From.AddDate(0, 0, -1)}
	}
	days := int(s.End().Sub(s.Start()).Hours()/24 + 0.5)
	return report.Span{From: s.From.AddDate(0, 0, -days), To: s.From.AddDate(0, 0, -1)}
}

// Report is the quality summary of span by group (agent or team).
func (b *Book) Report(group string, span report.Span) (*report.Table, error) {
	if group == "" {
		group = GroupAgent
	}
	if group != GroupAgent && group != GroupTeam {
		return nil, &report.FieldError{Field: "group", Message: "must be agent or team", Err: ErrGroup}
	}
	prev := PreviousSpan(span)
	cur, before := map[string]*sumRow{}, map[string]*sumRow{}
	total, totalPrev := newSumRow(), newSumRow()
	sections := []string{}
	seenSection := map[string]bool{}
	for _, f := range b.Forms() {
		for _, s := range f.Sections {
			if !seenSection[s.ID] {
				seenSection[s.ID] = true
				sections = append(sections, s.ID)
			}
		}
	}
	for _, e := range b.evals {
		if e.State == StateDue || e.ScoredAt == nil {
			continue
		}
		key := e.Agent
		if group == GroupTeam {
			key = e.Team
			if key == "" {
				key = NoTeam
			}
		}
		at := *e.ScoredAt
		switch {
		case !at.Before(span.Start()) && at.Before(span.End()):
			if cur[key] == nil {
				cur[key] = newSumRow()
			}
			cur[key].add(e)
			total.add(e)
		case !at.Before(prev.Start()) && at.Before(prev.End()):
			if before[key] == nil {
				before[key] = newSumRow()
			}
			before[key].add(e)
			totalPrev.add(e)
		}
	}
	cols := []report.Column{
		{Key: "evaluations", Label: "Evaluations", Unit: report.UnitCount, Definition: "Evaluations scored in the period."},
		{Key: "average", Label: "Average score", Unit: report.UnitCount, Definition: "Average standing score out of 100 (a settled dispute's score where changed)."},
		{Key: "critical", Label: "Critical failures", Unit: report.UnitCount, Definition: "Evaluations with a critical item scored 0 (score 0)."},
		{Key: "trend", Label: "Trend", Unit: report.UnitCount, Definition: "Average score minus the previous period's (" + prev.From.Format(time.DateOnly) + " to " + prev.To.Format(time.DateOnly) + ")."},
	}
	for _, s := range sections {
		cols = append(cols, report.Column{Key: "section_" + s, Label: "Section " + s + " %", Unit: report.UnitPercent, Definition: "Section " + s + "'s points over its weight, in the period."})
	}
	keys := make([]string, 0, len(cur))
	for k := range cur {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	label := map[string]string{GroupAgent: "Agent", GroupTeam: "Team"}[group]
	tb := &report.Table{Report: "quality", Title: "Service quality inspection (质检)", Group: group, GroupName: label,
		From: span.From.Format(time.DateOnly), To: span.To.Format(time.DateOnly), TimeZone: span.From.Location().String(),
		Columns: cols, Rows: []report.Row{}, Notes: []string{"Evaluations counted by the day they were scored."}}
	values := func(r, p *sumRow) []*float64 {
		f := func(v float64) *float64 { return &v }
		out := []*float64{f(float64(r.n)), r.avg(), f(float64(r.critical)), nil}
		if a, pa := r.avg(), p.avg(); a != nil && pa != nil {
			out[3] = f(round2(*a - *pa))
		}
		for _, s := range sections {
			v, ok := r.section[s]
			if !ok || v[1] == 0 {
				out = append(out, nil)
				continue
			}
			out = append(out, f(round2(v[0]*100/v[1])))
		}
		return out
	}
	for _, k := range keys {
		p := before[k]
		if p == nil {
			p = newSumRow()
		}
		tb.Rows = append(tb.Rows, report.Row{Key: k, Label: k, Values: values(cur[k], p)})
		if needs := trainingNeeds(cur[k].missed, 3); needs != "" {
			tb.Notes = append(tb.Notes, fmt.Sprintf("Training needs, %s: %s", k, needs))
		}
	}
	tb.Total = report.Row{Key: "total", Label: "Total", Values: values(total, totalPrev)}
	if needs := trainingNeeds(total.missed, 5); needs != "" {
		tb.Notes = append(tb.Notes, "Items most often missed: "+needs)
	}
	return tb, nil
}

func newSumRow() *sumRow { return &sumRow{section: map[string][2]float64{}, missed: map[string]int{}} }

// trainingNeeds is the n items missed most often, "item (count)".
func trainingNeeds(missed map[string]int, n int) string {
	items := make([]string, 0, len(missed))
	for k := range missed {
		items = append(items, k)
	}
	sort.Slice(items, func(i, j int) bool {
		if missed[items[i]] != missed[items[j]] {
			return missed[items[i]] > missed[items[j]]
		}
		return items[i] < items[j]
	})
	if len(items) > n {
		items = items[:n]
	}
	parts := make([]string, len(items))
	for i, k := range items {
		parts[i] = fmt.Sprintf("%s (%d)", k, missed[k])
	}
	return strings.Join(parts, ", ")
}
