package pbx

import "time"

// Event is something the PBX reported. Drivers decode their wire format
// into these types at the edge; the engine has one type switch over them.
type Event interface {
	// Kind is a stable name used in logs and the event log.
	Kind() string
	// At is when the PBX said it happened (driver's receive time if the
	// PBX gave none).
	At() time.Time
}

// Base carries what every event has.
type Base struct {
	Time time.Time `json:"time"`
	// Node names the PBX the event came from (one driver per node).
	Node string `json:"node,omitempty"`
}

// At implements Event.
func (b Base) At() time.Time { return b.Time }

// CallArrived: the PBX handed a new inbound call to us (Asterisk:
// StasisStart of a channel we did not originate).
type CallArrived struct {
	Base
	Channel   string   `json:"channel"`
	Caller    string   `json:"caller"` // caller ID number
	Called    string   `json:"called"` // the dialled number (DID / extension)
	Args      []string `json:"args"`   // Stasis(app,args…) / socket args
	SIPCallID string   `json:"sip_call_id,omitempty"`
}

// LegRinging: an originated leg is ringing the far end.
type LegRinging struct {
	Base
	Channel string `json:"channel"`
}

// LegAnswered: an originated leg was answered and is ours to bridge.
type LegAnswered struct {
	Base
	Channel string `json:"channel"`
}

// DTMFReceived: a digit on a channel (RFC 2833, INFO or in-band as the PBX
// decoded it). Digits reach the engine in the order pressed.
type DTMFReceived struct {
	Base
	Channel  string        `json:"channel"`
	Digit    string        `json:"digit"`
	Duration time.Duration `json:"duration"`
}

// PlaybackFinished: a Play finished or was stopped.
type PlaybackFinished struct {
	Base
	PlaybackID string `json:"playback_id"`
	Channel    string `json:"channel"`
	// Failed is set when the media could not be played (missing file).
	Failed bool `json:"failed,omitempty"`
}

// ChannelHungUp: a channel ended, for whatever reason. A driver reports it
// once per channel, on the first of the PBX's end signals.
type ChannelHungUp struct {
	Base
	Channel string `json:"channel"`
	Cause   Cause  `json:"cause"`
	// SIPCode is the far end's final SIP response (503, 486, …) where the
	// PBX reports it (Asterisk's tech_cause, FreeSWITCH's
	// sip_term_status); 0 when unknown. Trunk failover reads it first and
	// falls back to Cause.
	SIPCode int `json:"sip_code,omitempty"`
}

// PeerState: the PBX's view of a SIP peer changed: a trunk or a phone
// became reachable or unreachable (Asterisk: ContactStatusChange /
// EndpointStateChange; FreeSWITCH: sofia::gateway_state, sofia::register).
// Peer is the name the config gives it (dialplan.trunks[].name, or the
// phone's endpoint as agents are configured, e.g. "PJSIP/1001").
type PeerState struct {
	Base
	Peer      string `json:"peer"`
	Trunk     bool   `json:"trunk,omitempty"` // Peer is a trunk, not a phone
	Reachable bool   `json:"reachable"`
	// Detail is the PBX's own word (e.g. "Unreachable", "DOWN", "NonQualified").
	Detail string `json:"detail,omitempty"`
	// RTT is the last qualify round trip, when the PBX gives one.
	RTT time.Duration `json:"rtt,omitempty"`
}

// ChannelInfo is a live channel as the PBX lists it after a reconnect.
type ChannelInfo struct {
	Channel  string `json:"channel"`
	State    string `json:"state"` // "Up", "Ring", "Ringing", …
	Caller   string `json:"caller"`
	Called   string `json:"called"`
	BridgeID string `json:"bridge_id,omitempty"`
}

// Resynced: the driver (re)connected and lists the channels the PBX still
// holds for this application. Calls the engine knows but that are missing
// here ended while the link was down.
type Resynced struct {
	Base
	Channels []ChannelInfo `json:"channels"`
	Bridges  []string      `json:"bridges"`
}

// LinkDown: the connection to the PBX was lost; the driver is reconnecting.
type LinkDown struct {
	Base
	Reason string `json:"reason"`
}

// CommandFailed: a command the engine issued failed for a reason other
// than the channel being gone. The engine decides what to do with the call.
type CommandFailed struct {
	Base
	Channel string `json:"channel"`
	Command string `json:"command"`
	Err     string `json:"error"`
}

func (CallArrived) Kind() string      { return "call_arrived" }
func (LegRinging) Kind() string       { return "leg_ringing" }
func (LegAnswered) Kind() string      { return "leg_answered" }
func (DTMFReceived) Kind() string     { return "dtmf" }
func (PlaybackFinished) Kind() string { return "playback_finished" }
func (ChannelHungUp) Kind() string    { return "channel_hungup" }
func (Resynced) Kind() string         { return "resynced" }
func (LinkDown) Kind() string         { return "link_down" }
func (CommandFailed) Kind() string    { return "command_failed" }
func (PeerState) Kind() string        { return "peer_state" }
