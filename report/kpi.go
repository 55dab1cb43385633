package report

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"switchboard/report/rollup"
)

// Column is one column of a report table. Definition is the KPI's
// definition as docs/kpis.md states it, shown on the page beside the number.
type Column struct {
	Key        string `json:"key"`
	Label      string `json:"label"`
	Unit       string `json:"unit"` // count | seconds | percent
	Definition string `json:"definition"`
}

// Units of columns.
const (
	UnitCount   = "count"
	UnitSeconds = "seconds"
	UnitPercent = "percent"
	UnitScore   = "score" // a 1-5 survey score, to 0.01
)

// metrics are the rollup sums of one group (store metric names).
type metrics map[string]float64

func (m metrics) add(o metrics) {
	for k, v := range o {
		if strings.HasPrefix(k, "max_") {
			m[k] = math.Max(m[k], v)
		} else {
			m[k] += v
		}
	}
}

// kpi is a column and how to compute it from a group's metrics; ok false
// means undefined (a rate over zero calls), shown empty.
type kpi struct {
	Column
	value func(m metrics) (v float64, ok bool)
}

func count(metric string) func(metrics) (float64, bool) {
	return func(m metrics) (float64, bool) { return m[metric], true }
}

func ratio(num, den func(metrics) float64) func(metrics) (float64, bool) {
	return func(m metrics) (float64, bool) {
		d := den(m)
		if d <= 0 {
			return 0, false
		}
		return 100 * num(m) / d, true
	}
}

func per(num, den func(metrics) float64) func(metrics) (float64, bool) {
	return func(m metrics) (float64, bool) {
		d := den(m)
		if d <= 0 {
			return 0, false
		}
		return num(m) / d, true
	}
}

func get(metric string) func(metrics) float64 { return func(m metrics) float64 { return m[metric] } }

func sum(fs ...func(metrics) float64) func(metrics) float64 {
	return func(m metrics) float64 {
		t := 0.0
		for _, f := range fs {
			t += f(m)
		}
		return t
	}
}

func minus(a, b func(metrics) float64) func(metrics) float64 {
	return func(m metrics) float64 { return a(m) - b(m) }
}

var (
	offered   = get("offered")
	short     = get("short_abandoned")
	abandoned = sum(get("abandoned_queue"), get("abandoned_ringing"))
	netOffer  = minus(offered, short)
	handling  = sum(get("state_s:on_call"), get("state_s:wrap_up"))
)

// callKPIs are the columns of the call groupings (interval, day, queue),
// in docs/kpis.md's order.
var callKPIs = []kpi{
	{Column{"offered", "Offered", UnitCount, "Calls offered to a queue (a call.queued record), counted in the interval of that record."}, count("offered")},
	{Column{"answered", "Answered", UnitCount, "Offered calls an agent answered (call.answered)."}, count("answered")},
	{Column{"answered_sl", "Answered within T", UnitCount, "Answered calls whose wait (call.queued to call.answered) was at most the queue's threshold T."}, count("answered_sl")},
	{Column{"abandoned_queue", "Abandoned in queue", UnitCount, "Offered calls the caller hung up while waiting, no agent ringing (outcome abandoned_queue)."}, count("abandoned_queue")},
	{Column{"abandoned_ringing", "Abandoned while ringing", UnitCount, "Offered calls the caller hung up while an agent's phone rang (outcome abandoned_ringing)."}, count("abandoned_ringing")},
	{Column{"short_abandoned", "Short abandons", UnitCount, "Abandons in queue or while ringing within S seconds of call.queued; included in the two abandon counts, excluded from the rates."}, count("short_abandoned")},
	{Column{"abandoned_ivr", "Abandoned in IVR", UnitCount, "Calls the caller hung up in the IVR before reaching a queue (outcome abandoned_ivr); not offered."}, count("abandoned_ivr")},
	{Column{"queue_timeout", "Timed out in queue", UnitCount, "Offered calls that left the queue at its max wait (outcome queue_timeout)."}, count("queue_timeout")},
	{Column{"no_agent", "No agent signed in", UnitCount, "Calls that reached a queue step while nobody serving the queue was signed in (outcome no_agent); not offered."}, count("no_agent")},
	{Column{"answer_rate", "Answer rate", UnitPercent, "answered ÷ (offered − short abandons) × 100."}, ratio(get("answered"), netOffer)},
	{Column{"sl_offered", "Service level (of offered)", UnitPercent, "answered within T ÷ (offered − short abandons) × 100."}, ratio(get("answered_sl"), netOffer)},
	{Column{"sl_answered", "Service level (of answered)", UnitPercent, "answered within T ÷ answered × 100."}, ratio(get("answered_sl"), get("answered"))},
	{Column{"abandon_rate", "Abandon rate", UnitPercent, "(abandoned in queue + while ringing − short abandons) ÷ (offered − short abandons) × 100."}, ratio(minus(abandoned, short), netOffer)},
	{Column{"asa", "ASA", UnitSeconds, "Average speed of answer: sum of waits of answered calls ÷ answered."}, per(get("wait_answered_s"), get("answered"))},
	{Column{"avg_wait", "Average wait", UnitSeconds, "Sum of waits ÷ offered calls that left the queue (answered, abandoned, timed out); wait runs from call.queued to call.answered or call.ended."}, per(get("wait_s"), get("waited"))},
	{Column{"max_wait", "Longest wait", UnitSeconds, "The longest wait of an offered call that left the queue."},
		func(m metrics) (float64, bool) { return m["max_wait_s"], m["waited"] > 0 }},
	{Column{"handled", "Handled", UnitCount, "Answered calls that have ended (talk complete)."}, count("handled")},
	{Column{"talk", "Talk time", UnitSeconds, "Sum of call.answered to call.ended over handled calls."}, count("talk_s")},
	{Column{"wrap", "Wrap-up time", UnitSeconds, "Sum of the agents' wrap_up state time after these calls (agent.state wrap_up to the next state)."}, count("wrap_s")},
	{Column{"aht", "AHT", UnitSeconds, "Average handle time: (talk + hold + wrap-up) ÷ handled; hold is the desk's hold (call.held to call.resumed), not in talk."}, per(sum(get("talk_s"), get("hold_s"), get("wrap_s")), get("handled"))},
	surveysKPI, surveyAvgKPI,
	{Column{"messages", "Messages left", UnitCount, "Messages callers recorded (call.message), counted on their call: its offer interval and queue, or its arrival if it never queued."}, count("messages")},
	{Column{"messages_handled", "Messages handled", UnitCount, "Those messages marked handled (the first message.handled of each), counted on the message's call like messages left, whenever they were handled."}, count("messages_handled")},
	{Column{"message_handle_avg", "Average time to handle", UnitSeconds, "Sum of (message.handled − call.message) times ÷ messages handled."}, per(get("message_handle_s"), get("messages_handled"))},
	{Column{"callbacks", "Callbacks requested", UnitCount, "Callers who asked to be called back (call.callback), counted on their call."}, count("callbacks")},
	{Column{"callbacks_connected", "Callbacks connected", UnitCount, "Callbacks whose customer answered and was bridged to an agent (work.connected), in the queue and interval they connected."}, count("callbacks_connected")},
	{Column{"callbacks_failed", "Callbacks not reached", UnitCount, "Callbacks closed without a connection (work.closed: max_attempts, window_passed), in the interval they closed."}, count("callbacks_failed")},
	{Column{"callback_wait_avg", "Average callback wait", UnitSeconds, "Sum of (work.connected − the caller's place in the queue, queued_at) ÷ callbacks connected: the virtual-hold wait."}, per(get("callback_wait_s"), get("callbacks_connected"))},
	{Column{"outbound", "Outbound calls", UnitCount, "Calls placed from the desk or for a callback (call.dialled), counted in the interval they were dialled; not in offered or answered."}, count("outbound")},
	{Column{"outbound_answered", "Outbound answered", UnitCount, "Those calls the callee answered (call.answered after call.dialled)."}, count("outbound_answered")},
	{Column{"outbound_talk", "Outbound talk time", UnitSeconds, "Sum of the callee's answer to call.ended over outbound calls that have ended."}, count("outbound_talk_s")},
	{Column{"outbound_aht", "Outbound AHT", UnitSeconds, "(outbound talk + the wrap-up after those calls) ÷ outbound calls answered and ended."}, per(sum(get("outbound_talk_s"), get("outbound_wrap_s")), get("outbound_handled"))},
}

// Survey columns: a survey (call.survey, after the call's call.ended)
// counts on its call, like every call KPI, and for the agent who answered it.
var (
	surveysKPI   = kpi{Column{"surveys", "Surveys", UnitCount, "Post-call surveys the caller scored (call.survey, score 1-5), counted on the call: the interval and queue it was offered to, the agent who answered it."}, count("surveys")}
	surveyAvgKPI = kpi{Column{"survey_avg", "Average score", UnitScore, "Sum of survey scores ÷ surveys (1 = worst, 5 = best)."}, per(get("survey_score"), get("surveys"))}
)

// satisfactionKPIs are the satisfaction report's columns, in every grouping.
var satisfactionKPIs = func() []kpi {
	out := []kpi{surveysKPI, surveyAvgKPI}
	for n := 1; n <= 5; n++ {
		out = append(out, kpi{Column{fmt.Sprintf("score_%d", n), fmt.Sprintf("Scored %d", n), UnitCount,
			fmt.Sprintf("Surveys scored %d.", n)}, count(rollup.SurveyScoreMetric(n))})
	}
	for n := 1; n <= 5; n++ {
		out = append(out, kpi{Column{fmt.Sprintf("score_%d_pct", n), fmt.Sprintf("Scored %d (%%)", n), UnitPercent,
			fmt.Sprintf("Surveys scored %d ÷ surveys × 100.", n)}, ratio(get(rollup.SurveyScoreMetric(n)), get("surveys"))})
	}
	return out
}()

// waitKPIs are the wait-time distribution, over offered calls that left the
// queue.
var waitKPIs = func() []kpi {
	var out []kpi
	for i := 0; i <= len(rollup.WaitBins); i++ {
		m := rollup.WaitBinMetric(i)
		label := "Waited > " + rollup.WaitBins[len(rollup.WaitBins)-1].String()
		def := "Offered calls that left the queue after waiting longer than " + rollup.WaitBins[len(rollup.WaitBins)-1].String() + "."
		if i < len(rollup.WaitBins) {
			lo := "0s"
			if i > 0 {
				lo = rollup.WaitBins[i-1].String()
			}
			label = "Waited ≤ " + rollup.WaitBins[i].String()
			def = "Offered calls that left the queue after a wait over " + lo + " and at most " + rollup.WaitBins[i].String() + "."
			if i == 0 {
				def = "Offered calls that left the queue after a wait of at most " + rollup.WaitBins[i].String() + "."
			}
		}
		out = append(out, kpi{Column{m, label, UnitCount, def}, count(m)})
	}
	return out
}()

// stateKPIs are agent time by state (seconds), summed over agents.
var stateKPIs = []kpi{
	{Column{"signed_in", "Signed-in time", UnitSeconds, "Time agents spent in any state but signed_out (agent.state records)."},
		func(m metrics) (float64, bool) {
			t := 0.0
			for k, v := range m {
				if strings.HasPrefix(k, "state_s:") {
					t += v
				}
			}
			return t, true
		}},
	{Column{"ready", "Ready (idle)", UnitSeconds, "Time in state ready: signed in, waiting for a call."}, count("state_s:ready")},
	{Column{"not_ready", "Not ready", UnitSeconds, "Time in state not_ready, all reasons; by reason in the not_ready: columns."}, count("state_s:not_ready")},
	{Column{"reserved", "Reserved", UnitSeconds, "Time in state reserved: chosen for a call, phone about to ring."}, count("state_s:reserved")},
	{Column{"ringing", "Ringing", UnitSeconds, "Time in state ringing."}, count("state_s:ringing")},
	{Column{"on_call", "On call", UnitSeconds, "Time in state on_call."}, count("state_s:on_call")},
	{Column{"wrap_up", "Wrap-up", UnitSeconds, "Time in state wrap_up (after-call work)."}, count("state_s:wrap_up")},
	{Column{"occupancy", "Occupancy", UnitPercent, "handling ÷ (handling + ready) × 100, handling = on_call + wrap_up time; reserved and ringing count in neither."},
		ratio(handling, sum(handling, get("state_s:ready")))},
}

// agentCallKPIs are the per-agent call columns.
var agentCallKPIs = []kpi{
	{Column{"offers", "Offers", UnitCount, "Times the agent's phone was rung for a call (call.offered), by the day the call was offered to the queue."}, count("offers")},
	{Column{"answered", "Answered", UnitCount, "Calls the agent answered (call.answered)."}, count("answered")},
	{Column{"answered_sl", "Answered within T", UnitCount, "Calls the agent answered within the queue's threshold T."}, count("answered_sl")},
	{Column{"offer_failures", "Offers not answered", UnitCount, "Offers the agent did not take: no answer, busy, unreachable (call.offer_failed)."}, count("offer_failures")},
	{Column{"handled", "Handled", UnitCount, "Answered calls that have ended."}, count("handled")},
	{Column{"talk", "Talk time", UnitSeconds, "Sum of call.answered to call.ended over the agent's handled calls."}, count("talk_s")},
	{Column{"wrap", "Wrap-up time", UnitSeconds, "The agent's wrap_up time after those calls."}, count("wrap_s")},
	{Column{"aht", "AHT", UnitSeconds, "(talk + hold + wrap-up) ÷ handled; hold from call.held to call.resumed."}, per(sum(get("talk_s"), get("hold_s"), get("wrap_s")), get("handled"))},
	{Column{"outbound", "Outbound calls", UnitCount, "Calls the agent placed or called back (call.dialled), by the day they were dialled; not in answered, handled or AHT."}, count("outbound")},
	{Column{"outbound_answered", "Outbound answered", UnitCount, "Those calls the callee answered."}, count("outbound_answered")},
	{Column{"outbound_talk", "Outbound talk time", UnitSeconds, "Sum of the callee's answer to call.ended over those calls that have ended."}, count("outbound_talk_s")},
	{Column{"outbound_aht", "Outbound AHT", UnitSeconds, "(outbound talk + the wrap-up after those calls) ÷ outbound calls answered and ended."}, per(sum(get("outbound_talk_s"), get("outbound_wrap_s")), get("outbound_handled"))},
	surveysKPI, surveyAvgKPI,
}

// agentMessageKPIs are messages left for an agent (call.message with
// target_kind agent), by the day of the message's call; agent and team
// groupings.
var agentMessageKPIs = []kpi{
	{Column{"for_messages", "Messages for the agent", UnitCount, "Messages left for the agent (call.message with target_kind agent), by the day of the message's call."}, count("for_messages")},
	{Column{"for_messages_handled", "Their messages handled", UnitCount, "Those messages marked handled (message.handled, by anyone)."}, count("for_messages_handled")},
	{Column{"for_message_handle_avg", "Their average time to handle", UnitSeconds, "Sum of (message.handled − call.message) ÷ those messages handled."}, per(get("for_message_handle_s"), get("for_messages_handled"))},
}

// teamAgentKPIs are the offer columns of the team grouping: offers to the
// team's members, whichever team (if any) the call ends up counted for.
var teamAgentKPIs = []kpi{
	{Column{"offers", "Offers to members", UnitCount, "Times a member's phone was rung for a call (call.offered), by the day the call was offered to the queue."}, count("offers")},
	{Column{"offer_failures", "Offers not answered", UnitCount, "Offers members did not take: no answer, busy, unreachable (call.offer_failed)."}, count("offer_failures")},
}

// agentEventKPIs count agent.alert and agent.request records by the day
// they were written.
var agentEventKPIs = []kpi{
	{Column{"break_overruns", "Break overruns", UnitCount, "Not-ready episodes that outlasted their reason's allowance (agent.alert break_overrun), by the day of the alert."}, count("break_overruns")},
	{Column{"nr_requests", "Not-ready requests", UnitCount, "Not-ready requests put to the team lead because the team would drop below min_ready (agent.request pending)."}, count("requests_pending")},
	{Column{"nr_approved", "Requests approved", UnitCount, "Pending not-ready requests the lead approved (agent.request approved)."}, count("requests_approved")},
	{Column{"nr_refused", "Requests refused", UnitCount, "Pending not-ready requests the lead refused (agent.request refused); requests refused at once by approval: refuse write no record and are not counted."}, count("requests_refused")},
}

// reasonKPIs are not-ready time by reason, one column per reason seen or
// configured.
func reasonKPIs(seen []metrics, configured []string) []kpi {
	set := map[string]bool{}
	for _, r := range configured {
		set[r] = true
	}
	for _, m := range seen {
		for k := range m {
			if r, ok := strings.CutPrefix(k, "reason_s:"); ok {
				set[r] = true
			}
		}
	}
	var reasons []string
	for r := range set {
		reasons = append(reasons, r)
	}
	sort.Strings(reasons)
	var out []kpi
	for _, r := range reasons {
		label := r
		if label == "" {
			label = "(no reason)"
		}
		out = append(out, kpi{Column{"not_ready:" + r, "Not ready: " + label, UnitSeconds,
			"Time in state not_ready with reason " + label + "."}, count("reason_s:" + r)})
	}
	return out
}

// dispositionKPIs are the columns of the disposition grouping.
var dispositionKPIs = []kpi{
	{Column{"answered", "Answered", UnitCount, "Answered calls whose latest wrap-up (call.wrapped) gave this disposition; \"(not wrapped up)\" for none."}, count("answered")},
	{Column{"follow_ups", "Follow-up needed", UnitCount, "Those calls wrapped up with \"follow-up needed\"."}, count("follow_ups")},
	{Column{"follow_up_rate", "Follow-up rate", UnitPercent, "follow-up needed ÷ answered × 100."}, ratio(get("follow_ups"), get("answered"))},
	{Column{"transferred", "Transferred", UnitCount, "Those calls transferred at least once (call.transferred)."}, count("transferred")},
	{Column{"handled", "Handled", UnitCount, "Those calls that have ended."}, count("handled")},
	{Column{"avg_talk", "Average talk", UnitSeconds, "Sum of first call.answered to call.ended ÷ handled."}, per(get("talk_s"), get("handled"))},
}

// ivrKPIs are the IVR node columns: entries, caller hang-ups, and one
// column per exit (input → next node) seen.
func ivrKPIs(seen []metrics) []kpi {
	out := []kpi{
		{Column{"entries", "Entries", UnitCount, "Times callers entered the node (call.ivr naming it), replays of a menu included."}, count("entries")},
		{Column{"hangups", "Hang-ups", UnitCount, "Callers who hung up in the node (outcome abandoned_ivr, the node last in the call's IVR path)."}, count("hangups")},
	}
	set := map[string]bool{}
	for _, m := range seen {
		for k := range m {
			if strings.HasPrefix(k, "exit:") {
				set[k] = true
			}
		}
	}
	var exits []string
	for k := range set {
		exits = append(exits, k)
	}
	sort.Strings(exits)
	for _, k := range exits {
		label := strings.TrimPrefix(k, "exit:")
		out = append(out, kpi{Column{k, "Exit " + label, UnitCount,
			"Times callers left the node by " + label + " (input → next node; \"next\" when no input was involved)."}, count(k)})
	}
	return out
}

// round gives every value the precision all outputs share: counts whole,
// seconds to 0.1 s, percentages to 0.01.
func round(unit string, v float64) float64 {
	switch unit {
	case UnitSeconds:
		return math.Round(v*10) / 10
	case UnitPercent, UnitScore:
		return math.Round(v*100) / 100
	}
	return math.Round(v)
}
