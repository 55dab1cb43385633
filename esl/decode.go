package esl

import (
	"strconv"
	"strings"
	"time"

	"switchboard/routing/pbx"
)

// Event names the driver subscribes to and decodes (FreeSWITCH's
// switch_event_types_t names).
const (
	evChannelCreate    = "CHANNEL_CREATE"
	evChannelPark      = "CHANNEL_PARK"
	evChannelProgress  = "CHANNEL_PROGRESS"
	evChannelProgMedia = "CHANNEL_PROGRESS_MEDIA"
	evChannelAnswer    = "CHANNEL_ANSWER"
	evChannelBridge    = "CHANNEL_BRIDGE"
	evChannelUnbridge  = "CHANNEL_UNBRIDGE"
	evExecuteComplete  = "CHANNEL_EXECUTE_COMPLETE"
	evChannelHangup    = "CHANNEL_HANGUP"
	evHangupComplete   = "CHANNEL_HANGUP_COMPLETE"
	evChannelDestroy   = "CHANNEL_DESTROY"
	evDTMF             = "DTMF"
	evPlaybackStart    = "PLAYBACK_START"
	evPlaybackStop     = "PLAYBACK_STOP"
	evRecordStart      = "RECORD_START"
	evRecordStop       = "RECORD_STOP"
	evBackgroundJob    = "BACKGROUND_JOB"
	evHeartbeat        = "HEARTBEAT"
	evCustom           = "CUSTOM"
	// subGatewayState is mod_sofia's gateway state event (a CUSTOM
	// subclass, subscribed in its own command).
	subGatewayState = "sofia::gateway_state"
)

// subscribed is the inbound subscription. BACKGROUND_JOB goes in its own
// command: FreeSWITCH reads every word after CUSTOM as a subclass
// (fixtures README), so keeping it apart keeps the list safe to extend.
var subscribed = []string{
	evChannelCreate, evChannelPark, evChannelProgress, evChannelProgMedia, evChannelAnswer,
	evChannelBridge, evChannelUnbridge, evExecuteComplete, evChannelHangup, evHangupComplete,
	evDTMF, evPlaybackStart, evPlaybackStop, evRecordStart, evRecordStop, evHeartbeat,
}

// Header names (as FreeSWITCH writes them).
const (
	hdrUniqueID       = "Unique-ID"
	hdrDirection      = "Call-Direction"
	hdrCallerNumber   = "Caller-Caller-ID-Number"
	hdrDestination    = "Caller-Destination-Number"
	hdrSIPCallID      = "variable_sip_call_id"
	hdrArgs           = "variable_switchboard_args"
	hdrHangupCause    = "Hangup-Cause"
	hdrQ850           = "variable_hangup_cause_q850"
	hdrDTMFDigit      = "DTMF-Digit"
	hdrDTMFDuration   = "DTMF-Duration"
	hdrAppUUID        = "Application-UUID"
	hdrAppResponse    = "Application-Response"
	hdrJobUUID        = "Job-UUID"
	hdrTimestamp      = "Event-Date-Timestamp"
	hdrControlledUUID = "Controlled-Session-UUID"
	hdrCurrentApp     = "variable_current_application"
	hdrSubclass       = "Event-Subclass"
	// hdrSIPTermStatus is the far end's final SIP response on a sofia leg.
	hdrSIPTermStatus = "variable_sip_term_status"
	// sofia::gateway_state headers (mod_sofia sofia_reg.c).
	hdrGateway    = "Gateway"
	hdrPingStatus = "Ping-Status" // UP, DOWN, INVALID
	hdrGWState    = "State"       // NOREG, REGED, FAILED, …
)

// registry is what the decoder asks the driver about channels, jobs and
// playbacks that commands created; the driver guards it with its lock.
type registry interface {
	isLeg(channel string) bool
	endLeg(channel string)
	// job returns the leg a bgapi originate job was for, and forgets it.
	job(jobID string) (leg string, ok bool)
	// playback returns the playback an Application-UUID stands for, and
	// forgets it.
	playback(appUUID string) (id, channel string, ok bool)
}

// source says which socket an event came over.
type source uint8

const (
	fromInbound source = iota
	fromOutbound
)

// decoder turns FreeSWITCH events into pbx events. It is used by one
// goroutine (the deliverer), in the order FreeSWITCH sent the events, and
// keeps the per-channel state that makes each pbx event happen once.
type decoder struct {
	node    string
	reg     registry
	ended   endedSet
	arrived map[string]bool // inbound calls reported, until they end
	rung    map[string]bool // legs whose LegRinging was reported
	up      map[string]bool // legs whose LegAnswered was reported
}

func newDecoder(node string, reg registry) *decoder {
	return &decoder{node: node, reg: reg, arrived: map[string]bool{}, rung: map[string]bool{}, up: map[string]bool{}}
}

// eventTime is Event-Date-Timestamp (µs since the epoch), or recv.
func eventTime(ev *Event, recv time.Time) time.Time {
	if us, err := strconv.ParseInt(ev.Get(hdrTimestamp), 10, 64); err == nil && us > 0 {
		return time.UnixMicro(us).UTC()
	}
	return recv
}

// decode returns the pbx event for one FreeSWITCH event, or nil for an
// event the engine does not need.
func (d *decoder) decode(ev *Event, src source, recv time.Time) pbx.Event {
	base := pbx.Base{Time: eventTime(ev, recv), Node: d.node}
	if src == fromOutbound {
		// An outbound socket's myevents repeat what the inbound link
		// delivers. Taking every channel event from the one inbound stream
		// keeps FreeSWITCH's order across channels (two sockets would race:
		// a caller's hang-up could overtake its agent's); the outbound
		// socket gives the call's arrival (connect), its control (sendmsg)
		// and, if it is lost, its end.
		return nil
	}
	ch := ev.Get(hdrUniqueID)
	if out, ok := d.decodeCallRecord(base, ev); ok {
		return out
	}
	if out, ok := d.decodeRecord(base, ev, ch); ok {
		return out
	}
	switch ev.Name() {
	case evChannelPark:
		if ch == "" || d.reg.isLeg(ch) || d.arrived[ch] || ev.Get(hdrDirection) != "inbound" || d.ended.has(ch) {
			return nil
		}
		if ev.Get(hdrCurrentApp) == "socket" {
			// The socket application parks its channel after connect: that
			// call arrived through its outbound socket (connect), not here.
			return nil
		}
		return d.arrive(base, ev)

	case evChannelProgress, evChannelProgMedia:
		if ch == "" || !d.reg.isLeg(ch) || d.rung[ch] {
			return nil
		}
		d.rung[ch] = true
		return pbx.LegRinging{Base: base, Channel: ch}

	case evChannelAnswer:
		if ch == "" || !d.reg.isLeg(ch) || d.up[ch] {
			return nil
		}
		d.up[ch] = true
		return pbx.LegAnswered{Base: base, Channel: ch}

	case evDTMF:
		if ch == "" {
			return nil
		}
		samples, _ := strconv.Atoi(ev.Get(hdrDTMFDuration))
		return pbx.DTMFReceived{
			Base:    base,
			Channel: ch,
			Digit:   ev.Get(hdrDTMFDigit),
			// DTMF-Duration is in RTP timestamp units: 8 kHz for telephone-event.
			Duration: time.Duration(samples) * time.Millisecond / 8,
		}

	case evExecuteComplete:
		id, pch, ok := d.reg.playback(ev.Get(hdrAppUUID))
		if !ok {
			return nil
		}
		if pch == "" {
			pch = ch
		}
		return pbx.PlaybackFinished{
			Base:       base,
			PlaybackID: id,
			Channel:    pch,
			Failed:     ev.Get(hdrAppResponse) != "FILE PLAYED",
		}

	case evChannelHangup, evHangupComplete, evChannelDestroy:
		if ch == "" {
			return nil
		}
		if out := d.end(base, ch, eventCause(ev), sipCode(ev)); out != nil {
			return out
		}
		return d.recordEnded(base, ev, ch)

	case evBackgroundJob:
		leg, ok := d.reg.job(ev.Get(hdrJobUUID))
		if !ok || strings.HasPrefix(ev.Body, "+OK") {
			return nil
		}
		// The originate failed. When the leg existed its CHANNEL_HANGUP came
		// first and this is a repeat; when FreeSWITCH refused it outright
		// (bad endpoint) this is the only word on it.
		return d.end(base, leg, jobCause(ev.Body), 0)

	case evCustom:
		if ev.Get(hdrSubclass) == subGatewayState {
			return gatewayState(base, ev)
		}
	}
	return nil
}

// gatewayState reads a trunk's reachability from its OPTIONS ping
// (Ping-Status). INVALID (ping off, or not yet pinged) says nothing.
func gatewayState(base pbx.Base, ev *Event) pbx.Event {
	gw := ev.Get(hdrGateway)
	var reachable bool
	switch ev.Get(hdrPingStatus) {
	case "UP":
		reachable = true
	case "DOWN":
	default:
		return nil
	}
	if gw == "" {
		return nil
	}
	return pbx.PeerState{Base: base, Peer: gw, Trunk: true, Reachable: reachable,
		Detail: ev.Get(hdrPingStatus) + " " + ev.Get(hdrGWState)}
}

// sipCode is the far end's final SIP response, when the leg has one.
func sipCode(ev *Event) int {
	n, err := strconv.Atoi(ev.Get(hdrSIPTermStatus))
	if err != nil || n < 100 || n > 699 {
		return 0
	}
	return n
}

// arrive reports an inbound call: a parked channel (inbound mode) or the
// channel data of an outbound socket's connect.
func (d *decoder) arrive(base pbx.Base, ev *Event) pbx.Event {
	ch := ev.Get(hdrUniqueID)
	d.arrived[ch] = true
	args := []string{}
	if a := ev.Get(hdrArgs); a != "" {
		args = strings.Split(a, ",")
	}
	return pbx.CallArrived{
		Base:      base,
		Channel:   ch,
		Caller:    ev.Get(hdrCallerNumber),
		Called:    ev.Get(hdrDestination),
		Args:      args,
		SIPCallID: ev.Get(hdrSIPCallID),
	}
}

// end reports a channel's end once, on the first of its end signals
// (CHANNEL_HANGUP, CHANNEL_HANGUP_COMPLETE, CHANNEL_DESTROY, a failed
// originate's BACKGROUND_JOB, an outbound socket lost).
func (d *decoder) end(base pbx.Base, ch string, cause pbx.Cause, sip int) pbx.Event {
	if !d.ended.add(ch, base.Time) {
		return nil
	}
	delete(d.arrived, ch)
	delete(d.rung, ch)
	delete(d.up, ch)
	d.reg.endLeg(ch)
	if cause == 0 {
		cause = pbx.CauseNormal
	}
	return pbx.ChannelHungUp{Base: base, Channel: ch, Cause: cause, SIPCode: sip}
}

// eventCause is the Q.850 cause of a hang-up event: the numeric variable
// when the event has it (CHANNEL_HANGUP_COMPLETE), else the cause name.
func eventCause(ev *Event) pbx.Cause {
	if n, err := strconv.Atoi(ev.Get(hdrQ850)); err == nil && n > 0 {
		return pbx.Cause(n)
	}
	return causeByName[ev.Get(hdrHangupCause)]
}

// jobCause reads "-ERR USER_BUSY\n" (originate's failure body).
func jobCause(body string) pbx.Cause {
	rest, _ := strings.CutPrefix(strings.TrimSpace(body), "-ERR")
	name := strings.TrimSpace(rest)
	if c, ok := causeByName[name]; ok {
		return c
	}
	return causeByName["NORMAL_TEMPORARY_FAILURE"]
}

// causeByName maps FreeSWITCH's cause names (switch_channel.c
// CAUSE_CHART) to Q.850 codes; causeNames is the reverse for uuid_kill.
var causeByName = map[string]pbx.Cause{
	"UNALLOCATED_NUMBER":         1,
	"NO_ROUTE_DESTINATION":       3,
	"NORMAL_CLEARING":            16,
	"USER_BUSY":                  17,
	"NO_USER_RESPONSE":           18,
	"NO_ANSWER":                  19,
	"SUBSCRIBER_ABSENT":          20,
	"CALL_REJECTED":              21,
	"NUMBER_CHANGED":             22,
	"DESTINATION_OUT_OF_ORDER":   27,
	"INVALID_NUMBER_FORMAT":      28,
	"NORMAL_UNSPECIFIED":         31,
	"NORMAL_CIRCUIT_CONGESTION":  34,
	"NETWORK_OUT_OF_ORDER":       38,
	"NORMAL_TEMPORARY_FAILURE":   41,
	"SWITCH_CONGESTION":          42,
	"REQUESTED_CHAN_UNAVAIL":     44,
	"BEARERCAPABILITY_NOTAVAIL":  58,
	"INCOMPATIBLE_DESTINATION":   88,
	"RECOVERY_ON_TIMER_EXPIRE":   102,
	"INTERWORKING":               127,
	"ORIGINATOR_CANCEL":          487,
	"ALLOTTED_TIMEOUT":           602,
	"LOSE_RACE":                  502,
	"MANAGER_REQUEST":            503,
	"USER_NOT_REGISTERED":        606,
	"GATEWAY_DOWN":               609,
	"INVALID_GATEWAY":            608,
	"MEDIA_TIMEOUT":              604,
	"PROGRESS_TIMEOUT":           607,
	"ATTENDED_TRANSFER":          0,
	"SYSTEM_SHUTDOWN":            0,
	"CRASH":                      0,
	"UNKNOWN":                    0,
	"NONE":                       0,
	"EXCHANGE_ROUTING_ERROR":     25,
	"FACILITY_REJECTED":          29,
	"RESPONSE_TO_STATUS_ENQUIRY": 30,
}

// causeName is the name uuid_kill takes for a Q.850 cause.
func causeName(c pbx.Cause) string {
	if c == 0 {
		return "NORMAL_CLEARING"
	}
	best := ""
	for name, v := range causeByName {
		if v == c && (best == "" || name < best) {
			best = name
		}
	}
	if best == "" {
		return "NORMAL_CLEARING"
	}
	return best
}

// endedSet remembers channels whose end was reported, long enough to drop
// the end signals that follow the first (they come within milliseconds;
// a failed originate's BACKGROUND_JOB within a second). Two generations
// swapped every endedTTL bound its memory without a sweep.
type endedSet struct {
	cur, prev map[string]struct{}
	since     time.Time
}

const endedTTL = time.Minute

// add marks channel ended; it reports false if it already was.
func (s *endedSet) add(channel string, now time.Time) bool {
	if s.cur == nil {
		s.cur, s.since = map[string]struct{}{}, now
	}
	if now.Sub(s.since) > endedTTL || now.Before(s.since.Add(-endedTTL)) {
		s.prev, s.cur, s.since = s.cur, map[string]struct{}{}, now
	}
	if s.has(channel) {
		return false
	}
	s.cur[channel] = struct{}{}
	return true
}

func (s *endedSet) has(channel string) bool {
	if _, ok := s.cur[channel]; ok {
		return true
	}
	_, ok := s.prev[channel]
	return ok
}
