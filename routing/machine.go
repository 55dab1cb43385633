package routing

import (
	"fmt"
	"log/slog"
	"time"

	"switchboard/routing/pbx"
)

// IDs makes new identifiers; "call", "leg", "pb", "br" are the prefixes used.
// Injected so a replay makes the same IDs.
type IDs func(prefix string) string

// Output is what handling one input produced: records to write to the log
// first, then commands for the PBX and timer changes, and for API commands
// a reply.
type Output struct {
	Records  []*Record
	Commands []Command
	Timers   []timerSet
	Cancels  []string
	Reply    any
	Err      error
}

// TimerFired is the input a timer set by the machine produces.
type TimerFired struct {
	Name string
}

// Machine holds all live routing state and decides. It does no I/O: the
// clock and IDs come from outside and decisions come back as Output, so
// a day of inputs replays to the same outputs. Not safe for concurrent use;
// the Engine owns it.
type Machine struct {
	*effects
	cfg    *Config
	ids    IDs
	flows  map[string]*Flow
	roster *roster
	acd    *acd

	agents    map[string]*agent
	calls     map[string]*call // by call ID
	byChannel map[string]*call // caller channel and agent legs
	playbacks map[string]*call
	restored  map[string]RestoredCall
	// pendingRec maps recordings in progress to their call; a message is
	// kept even when the caller hangs up before it is stored.
	pendingRec map[string]*call

	supervisors *supervisors
	desk        *desk
	calendars   *calendars
	inbox       *inbox
	trunks      *trunks
	outbound    *outbound
	work        *workItems
	recorder    *recorder
	controls    *controls
	chats       *chats
	// phonesDown are the phones the PBX reports unreachable.
	phonesDown map[string]bool
}

// NewMachine builds a machine for a validated config.
func NewMachine(cfg *Config, ids IDs, log *slog.Logger) *Machine {
	m := &Machine{
		effects: newEffects(log), ids: ids, agents: map[string]*agent{}, calls: map[string]*call{},
		byChannel: map[string]*call{}, playbacks: map[string]*call{}, restored: map[string]RestoredCall{},
		pendingRec: map[string]*call{},
	}
	m.roster = &roster{effects: m.effects, agents: m.agents}
	m.recorder = newRecorder(m.effects, func() *Config { return m.cfg })
	m.acd = &acd{
		effects: m.effects, ids: ids, roster: m.roster, flow: m,
		offers: map[string]*offer{}, recent: map[string]time.Time{}, byChannel: m.byChannel, rec: m.recorder,
	}
	m.acd.ann = announcer{ac: m.acd}
	m.roster.onReady = m.acd.agentReady
	m.supervisors = &supervisors{effects: m.effects, ids: ids, calls: m.calls, legs: map[string]*supervision{}}
	m.calendars = &calendars{effects: m.effects, modes: map[string]string{}}
	m.inbox = &inbox{effects: m.effects, handled: map[string]time.Time{}}
	m.trunks = &trunks{effects: m.effects}
	m.phonesDown = map[string]bool{}
	m.outbound = &outbound{
		effects: m.effects, ids: ids, agents: m.agents, calls: m.calls, byChannel: m.byChannel,
		roster: m.roster, trunks: m.trunks, calendars: m.calendars, supervisors: m.supervisors, rec: m.recorder,
	}
	m.work = newWorkItems(m.effects, ids, m.agents, m.roster, m.acd, m.outbound)
	m.outbound.work = m.work
	m.roster.onReady = m.work.agentReady
	m.controls = newControls(m.effects, m.calls, func(c *call) string {
		if q := m.acd.queues[c.queue]; q != nil && q.cfg.MOH != "" {
			return q.cfg.MOH
		}
		return "default"
	})
	m.chats = newChats(m.effects, ids, m.agents, m.roster, m.acd, m.calendars)
	m.desk = &desk{
		effects: m.effects, agents: m.agents, calls: m.calls, byChannel: m.byChannel,
		roster: m.roster, acd: m.acd, supervisors: m.supervisors, outbound: m.outbound, flow: m,
		ringExtension: func(c *call) { dialStep{}.ringExtension(m, c) },
		previews:      m.work,
		rec:           m.recorder,
		controls:      m.controls,
	}
	m.apply(cfg)
	return m
}

// Handle runs one input through the machine at time now.
func (m *Machine) Handle(now time.Time, in any) Output {
	var out Output
	m.now, m.out = now, &out
	defer func() { m.out = nil }()
	switch in := in.(type) {
	case pbx.Event:
		m.onPBX(in)
	case TimerFired:
		m.record(&Record{Type: EvTimer}, TimerData{Name: in.Name})
		m.onTimer(in.Name)
	case Audit:
		m.record(&Record{Type: EvAudit}, in)
		m.onAudit(in)
	case configApplied:
		m.recordConfig()
	case modeCommand:
		if in.Mode != "" {
			m.record(&Record{Type: EvCommand}, in)
		}
		out.Reply, out.Err = m.calendars.command(in)
	case reloadCommand:
		out.Err = m.reload(in.cfg)
		out.Reply = m.acd.version
	case deskCommand:
		if in.Op != "desk" && (in.Op != "draft" || !m.desk.sameDraft(in)) {
			m.record(&Record{Type: EvCommand, AgentID: in.Agent, CallID: in.Call}, in)
		}
		out.Reply, out.Err = m.desk.command(in)
	case messageCommand:
		out.Err = m.inbox.markHandled(in)
	case recordingCommand:
		out.Reply, out.Err = m.recorder.command(in)
	case superviseCommand:
		m.record(&Record{Type: EvCommand, CallID: in.Call}, in)
		out.Reply, out.Err = m.supervisors.supervise(in)
	case controlCommand:
		m.record(&Record{Type: EvCommand, CallID: in.Call}, in)
		out.Reply, out.Err = m.controls.command(in)
	case dialCommand:
		m.record(&Record{Type: EvCommand, AgentID: in.Agent}, in)
		out.Reply, out.Err = m.outbound.dial(in)
	case workCommand:
		if in.Op != "list" {
			m.record(&Record{Type: EvCommand, AgentID: in.Agent}, in)
		}
		out.Reply, out.Err = m.work.command(in)
	case trunksCommand:
		out.Reply = m.trunks.view()
	case decideCommand:
		out.Reply, out.Err = runDecision(m.effects, in)
	case chatCommand:
		out.Reply, out.Err = m.chats.command(in)
	case agentCommand:
		if in.Op != "list" && in.Op != "get" && in.Op != "queues" {
			m.record(&Record{Type: EvCommand, AgentID: in.Agent}, in)
		}
		out.Reply, out.Err = m.onAgentCommand(in)
	default:
		m.log.Warn("input skipped", "type", fmt.Sprintf("%T", in))
	}
	m.chats.settle()
	return out
}

func (m *Machine) onPBX(ev pbx.Event) {
	rec := &Record{Type: EvPBX + ev.Kind()}
	if ch := eventChannel(ev); ch != "" {
		if c := m.byChannel[ch]; c != nil {
			rec.CallID, rec.Queue = c.id, c.queue
			if o := m.acd.offers[ch]; o != nil {
				rec.AgentID = o.agent.id
			} else if c.agent != nil && ch == c.leg {
				rec.AgentID = c.agent.id
			}
		} else if s := m.supervisors.legs[ch]; s != nil {
			rec.CallID, rec.Queue = s.call.id, s.call.queue
		}
	}
	m.record(rec, ev)

	if ch := eventChannel(ev); ch != "" {
		if c := m.byChannel[ch]; c != nil && c.out != nil {
			m.outbound.onEvent(c, ev)
			return
		}
	}
	switch ev := ev.(type) {
	case pbx.CallArrived:
		m.onArrived(ev)
		if c := m.byChannel[ev.Channel]; c != nil {
			rec.CallID = c.id // the input belongs to the call it created
		}
	case pbx.DTMFReceived:
		c := m.byChannel[ev.Channel]
		switch {
		case c == nil:
		case ev.Channel == c.channel:
			m.onDigit(c, ev.Digit)
		case ev.Channel == c.dial.leg && c.dial.answered:
			dialStep{}.onScreenDigit(m, c, ev.Digit)
		}
	case pbx.RecordingFinished:
		if !m.recorder.finished(ev) {
			messageStep{}.onRecordingFinished(m, ev)
		}
	case pbx.PlaybackFinished:
		if c := m.playbacks[ev.PlaybackID]; c != nil {
			delete(m.playbacks, ev.PlaybackID)
			m.onPlaybackDone(c, ev.PlaybackID)
		}
	case pbx.LegRinging:
		m.acd.onLegRinging(ev.Channel)
	case pbx.LegAnswered:
		m.onLegAnswered(ev.Channel)
	case pbx.ChannelHungUp:
		m.onHungUp(ev.Channel, ev.Cause)
	case pbx.CommandFailed:
		m.onCommandFailed(ev)
	case pbx.Resynced:
		m.onResynced(ev)
	case pbx.PeerState:
		if ev.Trunk {
			m.trunks.peer(ev)
		} else {
			m.outbound.peer(ev, m.phonesDown)
		}
	case pbx.LinkDown:
		// Calls stay as they are: the PBX keeps them, and Resynced tells
		// us which survived.
	default:
		m.log.Debug("event skipped", "kind", ev.Kind())
	}
}

func eventChannel(ev pbx.Event) string {
	switch ev := ev.(type) {
	case pbx.CallArrived:
		return ev.Channel
	case pbx.DTMFReceived:
		return ev.Channel
	case pbx.PlaybackFinished:
		return ev.Channel
	case pbx.LegRinging:
		return ev.Channel
	case pbx.LegAnswered:
		return ev.Channel
	case pbx.ChannelHungUp:
		return ev.Channel
	case pbx.CommandFailed:
		return ev.Channel
	case pbx.RecordingFinished:
		return ev.Channel
	}
	return ""
}

func (m *Machine) onCommandFailed(ev pbx.CommandFailed) {
	if _, ok := recorderCommands[ev.Command]; ok {
		// A recording the PBX refused: a record and an alert, not the
		// call's end.
		if c := m.byChannel[ev.Channel]; c != nil {
			m.recorder.commandFailed(ev, c.id)
		}
		return
	}
	if s := m.supervisors.legs[ev.Channel]; s != nil {
		if ev.Command == "snoop" {
			// No leg, or one that will be hung up: either way it is over.
			m.emit(cmdHangup{Call: s.call.id, Channel: s.leg, Cause: pbx.CauseNormal})
			m.supervisors.ended(s, "failed: "+ev.Err)
		}
		return
	}
	c := m.byChannel[ev.Channel]
	if c == nil {
		return
	}
	switch o := m.acd.offers[ev.Channel]; {
	case o != nil && ev.Command == "originate":
		// The phone could not even be called: same as an unanswered offer.
		// (A leg already answered proves the originate worked after all.)
		m.acd.dropLeg(o, "originate_failed")
	case ev.Channel == c.channel && (ev.Command == "answer" || ev.Command == "ring" || ev.Command == "bridge"):
		m.endCall(c, OutcomeLost, "command_failed:"+ev.Command, "switchboard")
		m.emit(cmdHangup{Call: c.id, Channel: c.channel})
	}
}

// onLegAnswered: a leg we rang picked up: a supervisor, an extension a
// dial step rings, or an agent offered a call.
func (m *Machine) onLegAnswered(leg string) {
	if s := m.supervisors.legs[leg]; s != nil {
		m.supervisors.answered(s)
		return
	}
	if c := m.byChannel[leg]; c != nil && c.dial.leg == leg && c.phase == phaseIVR {
		dialStep{}.onDialAnswered(m, c)
		return
	}
	m.acd.answered(leg)
}
