package replay

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"switchboard/routing"
)

// Report compares a period as recorded, simulated under the old config and
// simulated under the new one.
type Report struct {
	Since       time.Time     `json:"since"`
	Until       time.Time     `json:"until"`
	Calls       int           `json:"calls"` // calls that arrived in the period
	OldConfig   string        `json:"old_config"`
	NewConfig   string        `json:"new_config"`
	Assumptions []string      `json:"assumptions"`
	Notes       []string      `json:"notes,omitempty"`
	Queues      []QueueReport `json:"queues"` // by name, then "total"
}

// QueueReport is one queue's (or the total's) row group.
type QueueReport struct {
	Queue     string  `json:"queue"`
	Threshold float64 `json:"threshold_s"` // the service-level threshold used, seconds
	Actual    Stats   `json:"actual"`
	Old       Stats   `json:"old"`
	New       Stats   `json:"new"`
	Delta     Stats   `json:"delta"` // new − old
}

// TotalName names the total row.
const TotalName = "total"

// Compare simulates w under oldCfg and newCfg (both validated) and sets
// them beside the recorded actuals. Service levels are counted against the
// new config's thresholds (the old config's for queues the new one lacks),
// for all three columns, so they compare like with like.
func Compare(w *Workload, oldCfg, newCfg *routing.Config, oldName, newName string, opt Options) (*Report, error) {
	opt.fill()
	within := map[string]time.Duration{}
	for _, cfg := range []*routing.Config{oldCfg, newCfg} {
		for name, q := range cfg.Queues {
			within[name] = q.ServiceLevel.Within.D()
		}
	}
	actual := newTally(within)
	for _, r := range w.recorded {
		if err := actual.add(r); err != nil {
			return nil, fmt.Errorf("replay: recorded call %s: %w", r.CallID, err)
		}
	}
	run := func(cfg *routing.Config, o Options) (*Tally, error) {
		recs, err := Simulate(cfg, w, o)
		if err != nil {
			return nil, err
		}
		t := newTally(within)
		for _, r := range recs {
			if err := t.add(r); err != nil {
				return nil, fmt.Errorf("replay: simulated call %s: %w", r.CallID, err)
			}
		}
		return t.result(), nil
	}
	// AlwaysOn and Shifts describe agents the new config adds: the old
	// simulation runs the log's agents only.
	oldOpt, newOpt := opt, opt
	oldOpt.AlwaysOn, oldOpt.Shifts = nil, nil
	added := addedAgents(oldCfg, newCfg, w, opt)
	newOpt.AlwaysOn = append(slices.Clone(opt.AlwaysOn), added...)
	oldT, err := run(oldCfg, oldOpt)
	if err != nil {
		return nil, fmt.Errorf("old config: %w", err)
	}
	newT, err := run(newCfg, newOpt)
	if err != nil {
		return nil, fmt.Errorf("new config: %w", err)
	}
	actT := actual.result()

	rep := &Report{
		Since: w.Start, Until: w.End, Calls: len(w.Calls), OldConfig: oldName, NewConfig: newName,
		Assumptions: assumptions(opt),
	}
	if w.Reloads > 0 {
		rep.Notes = append(rep.Notes, fmt.Sprintf("the config was reloaded %d time(s) during the period; the old simulation runs one config throughout", w.Reloads))
	}
	for _, id := range sortedKeys(opt.Shifts) {
		rep.Notes = append(rep.Notes, fmt.Sprintf("in the new simulation agent %s works agent %s's recorded shift", id, opt.Shifts[id]))
	}
	if len(added) > 0 {
		rep.Notes = append(rep.Notes, "agents new in the new config, with no shift given, work the whole period: "+strings.Join(added, ", "))
	}
	names := map[string]bool{}
	for _, t := range []*Tally{actT, oldT, newT} {
		for q := range t.Queues {
			names[q] = true
		}
	}
	for _, q := range sortedKeys(names) {
		rep.Queues = append(rep.Queues, row(q, within, actT.Queues[q], oldT.Queues[q], newT.Queues[q]))
	}
	rep.Queues = append(rep.Queues, row(TotalName, nil, actT.Total, oldT.Total, newT.Total))
	return rep, nil
}

// addedAgents are the agents of cfg that old lacks and the log never
// mentions (no command, no shift given): nothing says when they work, so
// they work the whole period.
func addedAgents(old, cfg *routing.Config, w *Workload, opt Options) []string {
	known := map[string]bool{}
	for _, a := range old.Agents {
		known[a.ID] = true
	}
	for _, c := range w.Commands {
		known[c.Agent] = true
	}
	for _, id := range opt.AlwaysOn {
		known[id] = true
	}
	for id := range opt.Shifts {
		known[id] = true
	}
	var ids []string
	for _, a := range cfg.Agents {
		if !known[a.ID] && a.Endpoint != "" {
			ids = append(ids, a.ID)
		}
	}
	return ids
}

func row(q string, within map[string]time.Duration, act, old, nw *Stats) QueueReport {
	r := QueueReport{Queue: q}
	if d, ok := within[q]; ok {
		r.Threshold = d.Seconds()
	}
	for _, p := range []struct {
		dst *Stats
		src *Stats
	}{{&r.Actual, act}, {&r.Old, old}, {&r.New, nw}} {
		if p.src != nil {
			*p.dst = *p.src
		} else {
			*p.dst = Stats{SL: -1}
		}
	}
	o, n := r.Old, r.New
	r.Delta = Stats{
		Offered: n.Offered - o.Offered, Answered: n.Answered - o.Answered,
		AnsweredWithin: n.AnsweredWithin - o.AnsweredWithin, SLBase: n.SLBase - o.SLBase,
		ASA: n.ASA - o.ASA, AvgWait: n.AvgWait - o.AvgWait, MaxWait: n.MaxWait - o.MaxWait,
		AbandonedQueue: n.AbandonedQueue - o.AbandonedQueue, AbandonedRinging: n.AbandonedRinging - o.AbandonedRinging,
		Overflowed: n.Overflowed - o.Overflowed, TimedOut: n.TimedOut - o.TimedOut,
		AbandonedIVR: n.AbandonedIVR - o.AbandonedIVR,
	}
	if o.SL >= 0 && n.SL >= 0 {
		r.Delta.SL = n.SL - o.SL
	}
	return r
}

func assumptions(o Options) []string {
	patience := "without limit (only the config's max wait and flow end their wait)"
	if o.ExtraPatience >= 0 {
		patience = "their recorded wait + " + o.ExtraPatience.String()
	}
	return []string{
		"callers arrive, press digits and (if they hung up waiting) hang up at their recorded times after arrival",
		"callers who did not hang up waiting would have waited " + patience,
		"answered callers talk their recorded talk time; the others the period's median talk time (" + o.DefaultTalk.String() + " if nobody was answered)",
		"each media item plays " + o.Media.String() + "; hold media loops",
		"agents' phones ring at once and answer after the agent's median ring time (" + o.Ring.String() + " if never seen); they miss the recorded share of offers, spread evenly, with the recorded cause",
		"an agent who missed an offer is ready again after their median recovery time (" + o.Recovery.String() + " if never seen)",
		"agents' sign-in, ready, not-ready and sign-out commands are replayed at their times; a not-ready or sign-out refused while on a call is retried when the call is done",
		"service levels use the new config's thresholds for all three runs; callers who hung up within the threshold are left out",
	}
}

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteText writes the report as a table.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "replay %s .. %s: %d calls\n", r.Since.UTC().Format(time.RFC3339), r.Until.UTC().Format(time.RFC3339), r.Calls)
	fmt.Fprintf(&b, "old config: %s\nnew config: %s\n", r.OldConfig, r.NewConfig)
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "note: %s\n", n)
	}
	b.WriteString("\n")
	tw := tabwriter.NewWriter(&b, 2, 8, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "queue\trun\toffered\tanswered\twithin SL\tSL %\tASA s\tavg wait s\tmax wait s\taband queue\taband ringing\toverflowed\ttimed out\t")
	for _, q := range r.Queues {
		name := q.Queue
		if q.Threshold > 0 {
			name += fmt.Sprintf(" (SL %gs)", q.Threshold)
		}
		for i, run := range []struct {
			label string
			s     Stats
		}{{"actual", q.Actual}, {"old sim", q.Old}, {"new sim", q.New}, {"new-old", q.Delta}} {
			label := ""
			if i == 0 {
				label = name
			}
			delta := i == 3
			s := run.s
			sl := pct(s.SL, delta, q.Old.SL >= 0 && q.New.SL >= 0)
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", label, run.label,
				num(s.Offered, delta), num(s.Answered, delta), num(s.AnsweredWithin, delta), sl,
				secs(s.ASA, delta), secs(s.AvgWait, delta), secs(s.MaxWait, delta),
				num(s.AbandonedQueue, delta), num(s.AbandonedRinging, delta), num(s.Overflowed, delta), num(s.TimedOut, delta))
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	b.WriteString("\nassumptions:\n")
	for _, a := range r.Assumptions {
		fmt.Fprintf(&b, "  - %s\n", a)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func num(n int, delta bool) string {
	if delta {
		return fmt.Sprintf("%+d", n)
	}
	return fmt.Sprint(n)
}

func secs(v float64, delta bool) string {
	if delta {
		return fmt.Sprintf("%+.1f", v)
	}
	return fmt.Sprintf("%.1f", v)
}

func pct(v float64, delta, both bool) string {
	switch {
	case delta && !both:
		return "-"
	case delta:
		return fmt.Sprintf("%+.1f", v)
	case v < 0:
		return "-"
	}
	return fmt.Sprintf("%.1f", v)
}

// QueueNames lists the report's queues (without the total).
func (r *Report) QueueNames() []string {
	var names []string
	for _, q := range r.Queues {
		if q.Queue != TotalName {
			names = append(names, q.Queue)
		}
	}
	return slices.Clip(names)
}
