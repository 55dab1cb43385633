package esltest

import (
	"bufio"
	"context"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"
)

// channel is one call leg of the fake switch.
type channel struct {
	uuid, name, direction, cid, dest, app string
	answered, hungup, ringing             bool
	peer                                  string
	playing                               string // Application-UUID of the playback going on
	playSeq                               int
	steps                                 []Step
	run                                   *CallRun
	out                                   *conn             // the outbound socket controlling it
	byCaller                              bool              // the hang-up came from the caller's script
	vars                                  map[string]string // set by the set/unset applications
	rec                                   *recording        // the record application running
	recSeq                                int
	queue                                 []map[string]string // sendmsg executes waiting behind rec
}

// Step is one action of a scripted caller, run once the call is answered.
type Step struct {
	pause  time.Duration
	digit  string
	hangup bool
}

// Pause waits d.
func Pause(d time.Duration) Step { return Step{pause: d} }

// Digit sends one DTMF digit (RFC 2833, 160 ms).
func Digit(d string) Step { return Step{digit: d} }

// HangUp hangs the call up from the caller's side.
func HangUp() Step { return Step{hangup: true} }

// Call is a scripted inbound call.
type Call struct {
	From, Number string
	Steps        []Step // run after the answer; without HangUp the caller waits for the switch to hang up
}

// CallRun is a call in progress.
type CallRun struct {
	UUID string
	done chan struct{}
	// RemoteHangup: the switch side hung up (not the caller's script).
	remote bool
}

// Done is closed when the call has ended.
func (r *CallRun) Done() <-chan struct{} { return r.done }

// RemoteHangup reports, after Done, whether the switch side ended the call.
func (r *CallRun) RemoteHangup() bool { <-r.done; return r.remote }

// PhoneMode is how an agent phone answers an originate.
type PhoneMode struct {
	kind       int
	ring, talk time.Duration
}

const (
	phoneAnswer = iota
	phoneNever
	phoneBusy
)

// Answer rings for ring, then answers.
func Answer(ring time.Duration) PhoneMode { return PhoneMode{kind: phoneAnswer, ring: ring} }

// AnswerAndHangUp answers after ring and hangs up after talk.
func AnswerAndHangUp(ring, talk time.Duration) PhoneMode {
	return PhoneMode{kind: phoneAnswer, ring: ring, talk: talk}
}

// NeverAnswer rings until the originate times out (NO_ANSWER).
var NeverAnswer = PhoneMode{kind: phoneNever}

// Busy answers 486 at once (USER_BUSY).
var Busy = PhoneMode{kind: phoneBusy}

// SetPhone says how the phone behind endpoint (a dial string such as
// "user/1001") answers. Originates to an endpoint without a phone fail
// with SUBSCRIBER_ABSENT and make no channel.
func (s *Server) SetPhone(endpoint string, m PhoneMode) {
	s.mu.Lock()
	s.phones[endpoint] = m
	s.mu.Unlock()
}

// Call starts an inbound call: CHANNEL_CREATE, then CHANNEL_PARK (or, with
// WithOutbound, the socket application connecting to the driver).
func (s *Server) Call(c Call) *CallRun {
	s.mu.Lock()
	defer s.mu.Unlock()
	from := c.From
	if from == "" {
		from = "5550100"
	}
	ch := &channel{
		uuid: s.newUUID(), direction: "inbound", cid: from, dest: c.Number,
		name: "sofia/esltest/" + from + "@127.0.0.1:5090", app: "park", steps: c.Steps,
	}
	ch.run = &CallRun{UUID: ch.uuid, done: make(chan struct{})}
	s.chans[ch.uuid] = ch
	s.emit(ch, "CHANNEL_CREATE")
	if s.outbound != "" {
		ch.app = "socket"
		ch.answered = true // the dialplan answers before socket
		s.emit(ch, "CHANNEL_ANSWER")
		addr := s.outbound
		s.wg.Go(func() { s.dialOutbound(ch, addr) })
		return ch.run
	}
	s.emit(ch, "CHANNEL_PARK")
	return ch.run
}

func (s *Server) sortedChannels() []*channel {
	ids := make([]string, 0, len(s.chans))
	for id := range s.chans {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	out := make([]*channel, len(ids))
	for i, id := range ids {
		out[i] = s.chans[id]
	}
	return out
}

// headers are the channel headers every channel event carries, in
// FreeSWITCH's order (a subset: the ones a controller reads).
func (s *Server) headers(ch *channel, name string) []Header {
	now := time.Now()
	callState, answerState := "RINGING", "ringing"
	if ch.answered {
		callState, answerState = "ACTIVE", "answered"
	}
	if ch.hungup {
		callState, answerState = "HANGUP", "hangup"
	}
	return []Header{
		{"Event-Name", name},
		{"Core-UUID", "440df6b1-5a32-4f37-8b36-9af028d1d6e8"},
		{"FreeSWITCH-Hostname", "esltest"},
		{"FreeSWITCH-Switchname", "esltest"},
		{"Event-Date-Local", now.Format("2006-01-02 15:04:05")},
		{"Event-Date-Timestamp", strconv.FormatInt(now.UnixMicro(), 10)},
		{"Event-Sequence", strconv.Itoa(s.nextSeq())},
		{"Channel-State", "CS_EXECUTE"},
		{"Channel-Call-State", callState},
		{"Channel-Name", ch.name},
		{"Unique-ID", ch.uuid},
		{"Call-Direction", ch.direction},
		{"Answer-State", answerState},
		{"Caller-Caller-ID-Number", ch.cid},
		{"Caller-Destination-Number", ch.dest},
		{"Caller-Unique-ID", ch.uuid},
		{"variable_sip_call_id", ch.uuid + "@127.0.0.1"},
	}
}

func (s *Server) nextSeq() int { s.seq++; return 1000 + s.seq }

// emit sends a channel event to every connection subscribed to it and to
// the channel's outbound socket (myevents).
func (s *Server) emit(ch *channel, name string, extra ...Header) {
	s.send(name, ch, PlainEvent(append(s.headers(ch, name), extra...), ""))
}

func (s *Server) send(name string, ch *channel, msg string) {
	if s.silent {
		return
	}
	for c := range s.conns {
		switch {
		case c.outbound != "":
			if ch != nil && c.outbound == ch.uuid && c.myevents && name != "PLAYBACK_START" && name != "PLAYBACK_STOP" {
				c.write(msg)
			}
		case c.subs[name] || c.subs["ALL"]:
			c.write(msg)
		}
	}
}

// job sends a BACKGROUND_JOB with the command's result.
func (s *Server) job(jobID, command, result string) {
	now := time.Now()
	s.send("BACKGROUND_JOB", nil, PlainEvent([]Header{
		{"Event-Name", "BACKGROUND_JOB"},
		{"Core-UUID", "440df6b1-5a32-4f37-8b36-9af028d1d6e8"},
		{"FreeSWITCH-Hostname", "esltest"},
		{"Event-Date-Timestamp", strconv.FormatInt(now.UnixMicro(), 10)},
		{"Event-Sequence", strconv.Itoa(s.nextSeq())},
		{"Job-UUID", jobID},
		{"Job-Command", command},
	}, result))
}

func (s *Server) answer(ch *channel) {
	if ch.answered && ch.direction == "inbound" && ch.out == nil {
		return
	}
	if !ch.answered {
		ch.answered = true
		s.emit(ch, "CHANNEL_ANSWER")
	}
	s.runSteps(ch, 0)
}

// ringReady is ring_ready: an unanswered channel indicates ringing (the
// caller's phone gets 180) and FreeSWITCH reports CHANNEL_PROGRESS.
func (s *Server) ringReady(ch *channel) {
	if ch.answered || ch.ringing {
		return
	}
	ch.ringing = true
	s.emit(ch, "CHANNEL_PROGRESS")
}

// runSteps runs the caller's script from step i.
func (s *Server) runSteps(ch *channel, i int) {
	for ; i < len(ch.steps) && !ch.hungup; i++ {
		st := ch.steps[i]
		switch {
		case st.pause > 0:
			next := i + 1
			s.after(st.pause, func() { s.runSteps(ch, next) })
			return
		case st.digit != "":
			s.emit(ch, "DTMF", Header{"DTMF-Digit", st.digit}, Header{"DTMF-Duration", "1280"}, Header{"DTMF-Source", "ENDPOINT"})
			recorder{s}.recordDigit(ch, st.digit)
		case st.hangup:
			ch.byCaller = true
			s.hangup(ch, "NORMAL_CLEARING")
		}
	}
}

// hangup ends ch with cause, in FreeSWITCH's order: CHANNEL_HANGUP,
// CHANNEL_UNBRIDGE (if bridged), CHANNEL_HANGUP_COMPLETE; a bridged peer
// follows (uuid_bridge legs hang up together).
func (s *Server) hangup(ch *channel, cause string) {
	if ch.hungup {
		return
	}
	ch.hungup = true
	q850 := strconv.Itoa(q850[cause])
	s.emit(ch, "CHANNEL_HANGUP", Header{"Hangup-Cause", cause})
	ch.queue = nil // queued applications do not run on a hung-up channel
	if ch.playing != "" {
		s.finishPlayback(ch, "FILE PLAYED")
	}
	if ch.rec != nil {
		// FreeSWITCH keeps what was recorded.
		recorder{s}.stopRecord(ch, "success-silence")
	}
	if ch.peer != "" {
		s.emit(ch, "CHANNEL_UNBRIDGE", Header{"Hangup-Cause", cause}, Header{"Other-Leg-Unique-ID", ch.peer})
	}
	s.emit(ch, "CHANNEL_HANGUP_COMPLETE", Header{"Hangup-Cause", cause},
		Header{"variable_hangup_cause", cause}, Header{"variable_hangup_cause_q850", q850})
	delete(s.chans, ch.uuid)
	if ch.out != nil {
		if ch.out.linger {
			ch.out.write(LingerNotice(ch.uuid, ch.name))
		} else {
			ch.out.write(OutboundDisconnect(ch.uuid))
			ch.out.nc.Close()
		}
	}
	if ch.run != nil {
		ch.run.remote = !ch.byCaller
		close(ch.run.done)
	}
	if p := s.chans[ch.peer]; p != nil {
		s.hangup(p, "NORMAL_CLEARING")
	}
}

var q850 = map[string]int{
	"NORMAL_CLEARING": 16, "USER_BUSY": 17, "NO_USER_RESPONSE": 18, "NO_ANSWER": 19,
	"SUBSCRIBER_ABSENT": 20, "CALL_REJECTED": 21, "ORIGINATOR_CANCEL": 487,
}

func (s *Server) bridge(a, b *channel) {
	a.peer, b.peer = b.uuid, a.uuid
	a.app, b.app = "", ""
	s.emit(a, "CHANNEL_BRIDGE", Header{"Other-Leg-Unique-ID", b.uuid})
}

func (s *Server) unbridgeToPark(a *channel) {
	b := s.chans[a.peer]
	a.peer = ""
	s.emit(a, "CHANNEL_UNBRIDGE")
	a.app = "park"
	s.emit(a, "CHANNEL_PARK")
	if b != nil {
		b.peer, b.app = "", "park"
		s.emit(b, "CHANNEL_PARK")
	}
}

// sendmsg executes an application (playback, answer) or hangs up.
func (s *Server) sendmsg(ch *channel, h map[string]string) {
	switch h["call-command"] {
	case "hangup":
		cause := h["hangup-cause"]
		if cause == "" {
			cause = "NORMAL_CLEARING"
		}
		s.hangup(ch, cause)
	case "execute":
		s.execApp(ch, h, false)
	}
}

// execApp runs one application (queued: it comes off the channel's queue).
func (s *Server) execApp(ch *channel, h map[string]string, queued bool) {
	if s.execute(ch, h, queued) {
		return
	}
	app, arg, appUUID := h["execute-app-name"], h["execute-app-arg"], h["event-uuid"]
	if appUUID == "" {
		appUUID = s.newUUID()
	}
	exec := []Header{{"Application", app}, {"Application-Data", arg}, {"Application-UUID", appUUID}}
	s.emit(ch, "CHANNEL_EXECUTE", exec...)
	switch app {
	case "playback":
		if strings.Contains(arg, "missing") {
			s.emit(ch, "CHANNEL_EXECUTE_COMPLETE", append(exec, Header{"Application-Response", "FILE NOT FOUND"})...)
			return
		}
		ch.playing, ch.playSeq = appUUID, ch.playSeq+1
		seq := ch.playSeq
		s.emit(ch, "PLAYBACK_START", Header{"Playback-File-Path", arg})
		if strings.HasPrefix(arg, "local_stream://") {
			ch.app = "playback" // endless music on hold: only uuid_break ends it
			break
		}
		s.after(s.playTime, func() {
			if ch.playing == appUUID && ch.playSeq == seq && !ch.hungup {
				s.finishPlayback(ch, "FILE PLAYED")
			}
		})
		ch.app = "playback"
	case "answer":
		s.emit(ch, "CHANNEL_EXECUTE_COMPLETE", append(exec, Header{"Application-Response", "_none_"})...)
		s.answer(ch)
	case "ring_ready":
		s.emit(ch, "CHANNEL_EXECUTE_COMPLETE", append(exec, Header{"Application-Response", "_none_"})...)
		s.ringReady(ch)
	default:
		s.emit(ch, "CHANNEL_EXECUTE_COMPLETE", append(exec, Header{"Application-Response", "_none_"})...)
	}
}

func (s *Server) finishPlayback(ch *channel, response string) {
	appUUID := ch.playing
	ch.playing = ""
	s.emit(ch, "PLAYBACK_STOP", Header{"Playback-Status", "done"})
	s.emit(ch, "CHANNEL_EXECUTE_COMPLETE", Header{"Application", "playback"},
		Header{"Application-Response", response}, Header{"Application-UUID", appUUID})
	s.runQueue(ch)
}

// stopPlayback is uuid_break: it ends the playback or recording going on.
func (s *Server) stopPlayback(ch *channel) {
	if ch.playing != "" {
		s.finishPlayback(ch, "FILE PLAYED")
	}
	if ch.rec != nil {
		recorder{s}.stopRecord(ch, "success-silence")
	}
}

// bgapi runs a background command: originate is the one the fake knows.
func (s *Server) bgapi(arg, jobID string) {
	verb, rest, _ := strings.Cut(arg, " ")
	if verb != "originate" {
		s.job(jobID, verb, UnknownAPI(verb))
		return
	}
	vars := map[string]string{}
	if strings.HasPrefix(rest, "{") {
		end := strings.IndexByte(rest, '}')
		if end < 0 {
			s.job(jobID, verb, "-ERR INVALID_URL\n")
			return
		}
		for _, kv := range splitVars(rest[1:end]) {
			k, v, _ := strings.Cut(kv, "=")
			vars[k] = strings.Trim(v, "'")
		}
		rest = rest[end+1:]
	}
	endpoint, _, _ := strings.Cut(rest, " ")
	mode, ok := s.phones[endpoint]
	if !ok {
		s.job(jobID, verb, "-ERR SUBSCRIBER_ABSENT\n")
		return
	}
	uuid := vars["origination_uuid"]
	if uuid == "" {
		uuid = s.newUUID()
	}
	num := endpoint[strings.LastIndexByte(endpoint, '/')+1:]
	ch := &channel{uuid: uuid, direction: "outbound", cid: vars["origination_caller_id_number"], dest: num,
		name: "sofia/esltest/" + num, app: ""}
	s.chans[uuid] = ch
	s.emit(ch, "CHANNEL_CREATE")
	fail := func(cause string) {
		s.hangup(ch, cause)
		s.job(jobID, verb, "-ERR "+cause+"\n")
	}
	switch mode.kind {
	case phoneBusy:
		s.after(10*time.Millisecond, func() { fail("USER_BUSY") })
	case phoneNever:
		s.emit(ch, "CHANNEL_PROGRESS")
		timeout, err := strconv.Atoi(vars["originate_timeout"])
		if err != nil || timeout <= 0 {
			timeout = 60
		}
		s.after(time.Duration(timeout)*time.Second, func() {
			if !ch.hungup {
				fail("NO_ANSWER")
			}
		})
	default:
		s.emit(ch, "CHANNEL_PROGRESS")
		s.after(mode.ring, func() {
			if ch.hungup {
				return
			}
			ch.answered, ch.app = true, "park"
			s.emit(ch, "CHANNEL_ANSWER")
			s.emit(ch, "CHANNEL_PARK")
			s.job(jobID, verb, "+OK "+uuid+"\n")
			if mode.talk > 0 {
				s.after(mode.talk, func() { s.hangup(ch, "NORMAL_CLEARING") })
			}
		})
	}
}

// splitVars splits "a=1,b=x\,y" on unescaped commas.
func splitVars(s string) []string {
	var out []string
	var cur strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && i+1 < len(s) && s[i+1] == ',':
			cur.WriteByte(',')
			i++
		case s[i] == ',':
			out = append(out, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(s[i])
		}
	}
	return append(out, cur.String())
}

// dialOutbound plays the socket application: connect to the driver, wait
// for "connect", answer with the channel data, then serve the socket like
// an inbound one bound to ch.
func (s *Server) dialOutbound(ch *channel, addr string) {
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	s.mu.Lock()
	if err != nil {
		// socket failed: the dialplan's fallback (socket_resume) takes the call.
		s.hangup(ch, "DESTINATION_OUT_OF_ORDER")
		s.mu.Unlock()
		return
	}
	c := &conn{nc: nc, subs: map[string]bool{}, outbound: ch.uuid, authed: true}
	ch.out = c
	s.conns[c] = true
	s.mu.Unlock()
	stop := context.AfterFunc(s.ctx, func() { nc.Close() })
	defer stop()
	r := bufio.NewReader(nc)
	line, err := r.ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "connect" {
		nc.Close()
		return
	}
	r.ReadString('\n') // the blank line
	s.mu.Lock()
	data := s.headers(ch, "CHANNEL_DATA")
	data = append(data, Header{"variable_current_application", "socket"})
	c.write(ConnectReply(data))
	s.mu.Unlock()
	s.serveReader(c, r)
}

// serveReader is serve for a connection whose reader already exists.
func (s *Server) serveReader(c *conn, r *bufio.Reader) {
	defer func() {
		c.nc.Close()
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
	}()
	for {
		var lines []string
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			line = strings.TrimRight(line, "\r\n")
			if line == "" {
				if len(lines) == 0 {
					continue
				}
				break
			}
			lines = append(lines, line)
		}
		if !s.command(c, lines) {
			return
		}
	}
}
