package routing

import (
	"slices"
	"time"
)

// agent is the engine's live view of one agent.
type agent struct {
	id, name string
	endpoint string // the phone the agent signed in on
	queues   []string
	penalty  map[string]int // queue → penalty, for the queues served
	skills   map[string]int
	team     string
	wrapUp   *Duration // overrides the queue's
	state    AgentState
	work     string // the work item reserved for (or dialled by) the agent
	reason   string
	since    time.Time // when the current state began
	// idleSince is when the agent last became ready; longest idle first.
	idleSince time.Time
	callID    string
	offer     *offer // the pending offer while reserved or ringing
	// lastCall is the call the agent answered last: it may still be
	// wrapped up after the wrap-up time ran out.
	lastCall  string
	wrapQueue string // that call's queue, for the wrap-up time
	order     int    // position in config, breaks ties

	// Since sign-in, for the fewest-calls and least-talk-time strategies.
	answered int
	talk     time.Duration

	// pending is a not-ready request waiting for the team lead; approved
	// is one the lead allowed, applied when the agent is next free.
	pending, approved string

	// deviceDown: the PBX reports the agent's phone unreachable; the
	// agent is offered no calls until it is reachable again.
	deviceDown bool

	// draft is the wrap-up the agent is typing (wrapup.go); extended is
	// the extension this wrap-up has had (0: none yet).
	draft    *wrapDraft
	extended time.Duration

	// forcedBy and forcedNote: who signed the agent out (someone else)
	// and why, until the agent signs in again; the desk says so.
	forcedBy, forcedNote string

	// chats is how many chats the agent holds or is offered; chatSince
	// when they last got or gave one back; chatCap their own capacity
	// (nil: their team's or the config's).
	chats     int
	chatSince time.Time
	chatCap   *int
}

func newAgent(ac AgentConfig, order int) *agent {
	a := &agent{id: ac.ID, order: order}
	a.configure(ac)
	return a
}

// configure applies the agent's config; live state stays as it is.
func (a *agent) configure(ac AgentConfig) {
	a.name, a.skills, a.team, a.wrapUp, a.chatCap = ac.Name, ac.Skills, ac.Team, ac.WrapUp, ac.Chat
	a.queues = a.queues[:0]
	a.penalty = make(map[string]int, len(ac.Queues))
	for _, q := range ac.Queues {
		a.queues = append(a.queues, q.Queue)
		a.penalty[q.Queue] = q.Penalty
	}
}

func (a *agent) view() AgentView {
	return AgentView{
		ID: a.id, Name: a.name, State: a.state, Reason: a.reason, Since: a.since,
		Endpoint: a.endpoint, Queues: slices.Clone(a.queues), CallID: a.callID,
		Skills: a.skills, Team: a.team, PendingNotReady: a.pending, DeviceUnreachable: a.deviceDown,
		SignedOutBy: a.forcedBy, SignOutNote: a.forcedNote,
	}
}

func (a *agent) serves(queue string) bool {
	_, ok := a.penalty[queue]
	return ok
}

// working is what a team's minimum counts: signed in and not on a break.
func (a *agent) working() bool {
	return a.state != SignedOut && a.state != NotReady
}

func timerAllowance(a *agent) string { return "allowance:" + a.id }
