package routing

import "time"

// The wrap-up an agent is typing: a draft saved as they type (during the
// call or in wrap-up), stored as the call's wrap-up when wrap-up ends
// without one, and the one extension of the wrap-up time a queue allows.

// wrapDraft is what the agent has typed for a call's wrap-up so far.
type wrapDraft struct {
	call        string
	disposition string
	notes       string
	followUp    *bool
}

// WrapDraft is a draft as the desk shows it back.
type WrapDraft struct {
	Disposition string `json:"disposition"`
	Notes       string `json:"notes"`
	FollowUp    *bool  `json:"follow_up,omitempty"`
}

// WrapDraftRequest saves what an agent has typed for a call's wrap-up.
type WrapDraftRequest struct {
	Agent       string
	Call        string
	Disposition string // "" or one of the config's
	Notes       string
	FollowUp    *bool
	Scope       Scope
}

// sameDraft: the draft cmd would save is the one the agent has; saving it
// again would only add a record.
func (dk *desk) sameDraft(cmd deskCommand) bool {
	a := dk.agents[cmd.Agent]
	if a == nil || a.draft == nil {
		return false
	}
	d := a.draft
	return d.call == cmd.Call && d.disposition == cmd.Disposition && d.notes == cmd.Notes &&
		sameBool(d.followUp, cmd.FollowUp)
}

func sameBool(x, y *bool) bool { return (x == nil) == (y == nil) && (x == nil || *x == *y) }

// saveDraft keeps what the agent typed for a call they hold (on it or in
// its wrap-up); the command's record is the draft's.
func (dk *desk) saveDraft(cmd deskCommand) (any, error) {
	if cmd.Disposition != "" && dk.disposition(cmd.Disposition) == nil {
		return nil, dk.badDisposition()
	}
	if cmd.Agent == "" {
		return nil, &FieldError{Field: "agent", Reason: "required for a draft"}
	}
	a, err := dk.holderOf(cmd.Call, cmd.Agent)
	if err != nil {
		return nil, err
	}
	if !inScope(a, cmd.OnlyAgent, cmd.OnlyTeam) {
		return nil, ErrNotYourCall
	}
	if a.callID != cmd.Call || (a.state != OnCall && a.state != WrapUp) {
		return nil, &PolicyError{Code: "wrap_up_over", Message: "the wrap-up of call " + cmd.Call + " is over; submit it instead"}
	}
	a.draft = &wrapDraft{call: cmd.Call, disposition: cmd.Disposition, notes: cmd.Notes, followUp: cmd.FollowUp}
	return dk.draftView(a), nil
}

func (dk *desk) draftView(a *agent) *WrapDraft {
	if a.draft == nil || a.draft.call != a.callID {
		return nil
	}
	return &WrapDraft{Disposition: a.draft.disposition, Notes: a.draft.notes, FollowUp: a.draft.followUp}
}

// keepDraft stores the draft of call as its wrap-up when the agent leaves
// wrap-up without submitting one (the timer ran out, they went ready or
// signed out), so typed work is never lost. Recorded as by "draft".
func (ro *roster) keepDraft(a *agent, call string) {
	d := a.draft
	a.draft = nil
	if d == nil || d.call != call || (d.disposition == "" && d.notes == "") {
		return
	}
	follow := false
	for _, x := range ro.cfg.Dispositions {
		if x.Code == d.disposition {
			follow = x.FollowUp
		}
	}
	if d.followUp != nil {
		follow = *d.followUp
	}
	ro.record(&Record{Type: EvCallWrapped, CallID: call, AgentID: a.id, Queue: a.wrapQueue}, WrapUpData{
		Agent: a.id, Disposition: d.disposition, Notes: d.notes, FollowUp: follow, By: WrappedByDraft,
	})
}

// WrappedByDraft is call.wrapped's By when the agent's draft was stored
// because wrap-up ended without a submitted wrap-up.
const WrappedByDraft = "draft"

// extendWrapUp gives the agent's wrap-up the queue's extension, once.
func (dk *desk) extendWrapUp(cmd deskCommand) (any, error) {
	a := dk.agents[cmd.Agent]
	if a == nil {
		return nil, ErrUnknownAgent
	}
	if !inScope(a, cmd.OnlyAgent, cmd.OnlyTeam) {
		return nil, ErrNotYourCall
	}
	if a.state != WrapUp {
		return nil, &PolicyError{Code: "not_in_wrap_up", Message: "agent " + a.id + " is " + a.state.String() + ", not in wrap-up"}
	}
	ext := dk.roster.wrapUpExtend(a.wrapQueue)
	switch {
	case ext <= 0:
		return nil, &PolicyError{Code: "no_extension", Message: "queue " + a.wrapQueue + " allows no wrap-up extension"}
	case a.extended > 0:
		return nil, &PolicyError{Code: "already_extended", Message: "wrap-up was extended once already"}
	}
	a.extended = ext
	dk.setTimer(timerWrapUp(a), dk.roster.wrapUpEnds(a).Sub(dk.now))
	return dk.view(a), nil
}

func (ro *roster) wrapUpExtend(queue string) time.Duration {
	if q := ro.cfg.Queues[queue]; q != nil {
		return q.WrapUpExtend.D()
	}
	return 0
}

// wrapUpEnds is when the agent's current wrap-up ends by itself.
func (ro *roster) wrapUpEnds(a *agent) time.Time {
	return a.since.Add(ro.wrapUpFor(a, a.wrapQueue) + a.extended)
}
