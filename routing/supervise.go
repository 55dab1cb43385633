package routing

import (
	"time"

	"switchboard/routing/pbx"
)

// Supervisors on live calls: listen, whisper or barge from their own
// phone. The machine records who did what, asks the PBX for the
// supervisor's leg (pbx.Snooper) and records the leg's end; the driver
// connects the leg as the mode says.

// superviseCommand is an API request to supervise a call, handled in the
// engine loop like any other input (and logged as one).
type superviseCommand struct {
	Op       string `json:"op"` // "supervise"
	Call     string `json:"call"`
	Mode     string `json:"mode"` // listen, whisper, barge
	Endpoint string `json:"endpoint"`
	By       string `json:"by"` // who asked (a username)
}

// SupervisionView is a supervisor's leg on a call, as the API shows it.
type SupervisionView struct {
	CallID   string `json:"call_id"`
	Leg      string `json:"leg"`
	Mode     string `json:"mode"`
	Endpoint string `json:"endpoint"`
	By       string `json:"by"`
	Agent    string `json:"agent,omitempty"` // the agent supervised
}

// superviseRing is how long a supervisor's phone rings.
const superviseRing = 30 * time.Second

// supervisors are the supervisors' legs on live calls, by leg ID, until
// each leg's end is known. The machine routes a leg's PBX events here.
type supervisors struct {
	*effects
	cfg   *Config // the phones a supervisor may be called on
	ids   IDs
	calls map[string]*call // the machine's, read only
	legs  map[string]*supervision
}

// supervision is a supervisor's leg until its end is known.
type supervision struct {
	call              *call
	leg, by, endpoint string
	mode              pbx.SnoopMode
	// at: asked for; answeredAt: the supervisor picked up; dropped: we
	// hung the leg up (its end is on the way).
	at, answeredAt, dropped time.Time
}

func (sv *supervisors) supervise(cmd superviseCommand) (any, error) {
	mode, err := pbx.ParseSnoopMode(cmd.Mode)
	if err != nil {
		return nil, &FieldError{Field: "mode", Reason: "must be listen, whisper or barge"}
	}
	switch {
	case cmd.Endpoint == "":
		return nil, &FieldError{Field: "endpoint", Reason: "required: the phone to call the supervisor on"}
	case !validEndpoint(cmd.Endpoint):
		return nil, &FieldError{Field: "endpoint", Reason: "must be TECH/resource, e.g. PJSIP/1001"}
	case sv.cfg != nil && sv.cfg.supervisorMayUse(cmd.Endpoint) != nil:
		return nil, sv.cfg.supervisorMayUse(cmd.Endpoint)
	case cmd.By == "":
		return nil, &FieldError{Field: "by", Reason: "required: who supervises"}
	}
	c := sv.calls[cmd.Call]
	if c == nil || c.phase == phaseEnded {
		return nil, ErrUnknownCall
	}
	if c.phase != phaseBridged || c.leg == "" || c.bridge == "" {
		return nil, &PolicyError{Code: "not_connected", Message: "call " + c.id + " is not connected to an agent"}
	}
	if c.out != nil {
		// Its legs are the other way round (leg is the callee): a whisper
		// would reach the customer. Not yet.
		return nil, &PolicyError{Code: "not_supported", Message: "outbound call " + c.id + " cannot be supervised yet"}
	}
	for _, s := range c.supervisors {
		if s.endpoint == cmd.Endpoint {
			return nil, &PolicyError{Code: "already_supervising", Message: cmd.Endpoint + " is on call " + c.id + " already"}
		}
	}
	s := &supervision{call: c, leg: sv.ids("leg"), by: cmd.By, endpoint: cmd.Endpoint, mode: mode, at: sv.now}
	sv.legs[s.leg] = s
	c.supervisors = append(c.supervisors, s)
	sv.record(&Record{Type: EvCallSupervised, CallID: c.id, Queue: c.queue, AgentID: agentID(c.agent)},
		SupervisedData{By: s.by, Mode: mode.String(), Endpoint: s.endpoint, Leg: s.leg})
	// The supervisor's phone shows whom they join, not the caller's
	// number (which their role may not be allowed to see in full).
	shown := agentID(c.agent)
	if shown == "" {
		shown = c.dial.ext
	}
	sv.emit(cmdSnoop{Call: c.id, Req: pbx.Snoop{
		Channel: s.leg, Target: c.leg, Endpoint: s.endpoint, CallerID: shown,
		Timeout: superviseRing, Mode: mode, Bridge: c.bridge,
	}})
	return s.view(), nil
}

func (s *supervision) view() SupervisionView {
	return SupervisionView{CallID: s.call.id, Leg: s.leg, Mode: s.mode.String(), Endpoint: s.endpoint,
		By: s.by, Agent: agentID(s.call.agent)}
}

// answered: the supervisor picked up. If the talk ended while
// their phone rang, they are hung up at once.
func (sv *supervisors) answered(s *supervision) {
	if s.answeredAt.IsZero() {
		s.answeredAt = sv.now
	}
	if s.call.phase != phaseBridged || !s.dropped.IsZero() {
		sv.drop(s)
	}
}

// dropAll hangs up every supervisor of c (the talk is over); each
// leg's end is recorded when the PBX reports it.
func (sv *supervisors) dropAll(c *call) {
	for _, s := range c.supervisors {
		sv.drop(s)
	}
}

func (sv *supervisors) drop(s *supervision) {
	if sv.legs[s.leg] == nil {
		return
	}
	s.dropped = sv.now
	sv.emit(cmdHangup{Call: s.call.id, Channel: s.leg, Cause: pbx.CauseNormal})
}

// ended records the end of a supervisor's leg and forgets it.
func (sv *supervisors) ended(s *supervision, cause string) {
	delete(sv.legs, s.leg)
	c := s.call
	for i, x := range c.supervisors {
		if x == s {
			c.supervisors = append(c.supervisors[:i:i], c.supervisors[i+1:]...)
			break
		}
	}
	d := SupervisionEndedData{By: s.by, Mode: s.mode.String(), Endpoint: s.endpoint, Leg: s.leg,
		Cause: cause, Answered: !s.answeredAt.IsZero()}
	if d.Answered {
		d.Seconds = sv.now.Sub(s.answeredAt).Seconds()
	}
	sv.record(&Record{Type: EvCallSupervisionEnded, CallID: c.id, Queue: c.queue, AgentID: agentID(c.agent)}, d)
}

// reconcile ends the supervisors' legs the PBX no longer has.
func (sv *supervisors) reconcile(live map[string]pbx.ChannelInfo, judgeBefore time.Time, why string) {
	for _, leg := range sortedKeys(sv.legs) {
		s := sv.legs[leg]
		if _, up := live[leg]; !up && !s.at.After(judgeBefore) {
			sv.ended(s, why)
		}
	}
}
