package report

import (
	"context"
	"sort"
	"strings"
	"time"

	"switchboard/report/rollup"
	"switchboard/store"
)

// trunkKPIs are the trunk grouping's columns: outbound tries through each
// trunk (call.trunk_attempt) and the talk of the calls it connected.
var trunkKPIs = []kpi{
	{Column{"attempts", "Attempts", UnitCount, "Tries of an outbound call through the trunk (call.trunk_attempt), skipped ones excluded, by the day the try ended."}, count("attempts")},
	{Column{"answered", "Answered", UnitCount, "Tries the callee answered (result answered)."}, count("answered")},
	{Column{"asr", "ASR", UnitPercent, "Answer-seizure ratio: answered ÷ attempts × 100."}, ratio(get("answered"), get("attempts"))},
	{Column{"failed", "Carrier failures", UnitCount, "Tries the carrier refused (5xx, 404, 408, channel limit): each moved on to the next trunk (result failed)."}, count("failed")},
	{Column{"timeouts", "No answer to INVITE", UnitCount, "Tries with no provisional answer within the group's invite_timeout (result timeout); each moved on."}, count("timeouts")},
	{Column{"callee", "Busy / no answer / declined", UnitCount, "Tries the callee ended (busy, no answer, declined): not the trunk's fault, no failover (result callee)."}, count("callee")},
	{Column{"aborted", "Cancelled by the agent", UnitCount, "Tries the agent hung up on while they rang (result aborted)."}, count("aborted")},
	{Column{"failovers", "Failovers", UnitCount, "Tries after which the same call moved on to the next trunk of its group."}, count("failovers")},
	{Column{"skipped", "Skipped", UnitCount, "Times the trunk was passed over, down or at max_channels (result skipped); not attempts."}, count("skipped")},
	{Column{"connected", "Calls connected", UnitCount, "Outbound calls that talked through the trunk and have ended, by the day they were dialled."}, count("connected")},
	{Column{"talk", "Talk time", UnitSeconds, "Sum of call.answered (the callee answered) to call.ended over those calls: the trunk's minutes."}, count("talk_s")},
	{Column{"acd", "ACD", UnitSeconds, "Average call duration: talk time ÷ calls connected."}, per(get("talk_s"), get("connected"))},
}

// whyKPIs are the trunk_cause grouping's one column.
var whyKPIs = []kpi{
	{Column{"attempts", "Tries", UnitCount, "Tries through the trunk that did not connect, by why: the SIP answer (sip_503), invite_timeout, max_channels, trunk_down, or the callee's answer (busy, no_answer)."}, count("attempts")},
}

// byTrunk groups outbound trunk use by trunk: the configured trunks, then
// any other seen in the period (since removed from the config).
func (b *Builder) byTrunk(ctx context.Context, t *Table, span Span) error {
	t.GroupName = "Trunk"
	g := newGroups()
	for _, name := range b.cfg.Trunks {
		g.get(name, name)
	}
	cells, err := b.dayCells(ctx, rollup.DimTrunk, span)
	if err != nil {
		return err
	}
	for _, c := range cells {
		g.get(c.Key, c.Key).add(metrics{c.Metric: c.Value})
	}
	t.fill(g, trunkKPIs, nil)
	t.Notes = append(t.Notes, "Trunks carry outbound calls only (click-to-dial, callbacks); inbound calls arrive on the PBX and are not counted here. Tries count on the day they ended, talk on the day the call was dialled.")
	return nil
}

// byTrunkCause groups the tries that did not connect by trunk and why.
func (b *Builder) byTrunkCause(ctx context.Context, t *Table, span Span) error {
	t.GroupName = "Trunk · why"
	g := newGroups()
	cells, err := b.dayCells(ctx, rollup.DimTrunkWhy, span)
	if err != nil {
		return err
	}
	for _, c := range cells {
		trunk, why, _ := strings.Cut(c.Key, "/")
		g.get(c.Key, trunk+" · "+why).add(metrics{c.Metric: c.Value})
	}
	t.fill(g, whyKPIs, nil)
	return nil
}

// dayCells reads a day-grain dimension over span, by key, in key order.
func (b *Builder) dayCells(ctx context.Context, dim string, span Span) ([]store.RollupCell, error) {
	cells, err := b.src.Rollup(ctx, store.RollupQuery{Grain: rollup.GrainDay, Dim: dim,
		From: span.From.Format(time.DateOnly), To: span.End().Format(time.DateOnly), ByKey: true})
	if err != nil {
		return nil, err
	}
	sort.SliceStable(cells, func(i, j int) bool { return cells[i].Key < cells[j].Key })
	return cells, nil
}
