// Package esltest is a fake FreeSWITCH for tests, in the manner of
// net/http/httptest: a real TCP event socket that speaks the Event Socket
// protocol byte for byte as FreeSWITCH 1.10 does (auth/request,
// command/reply, api/response, text/event-plain with URL-encoded values,
// Content-Length framing, disconnect notices; see wire.go) and plays a
// small switch behind it: parked inbound calls driven by a script, agent
// phones that answer, never answer or are busy, bridges, playbacks and
// hang-ups with FreeSWITCH's causes and event order. Close waits for every
// goroutine it started.
package esltest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"
)

// Option configures a Server.
type Option func(*Server)

// WithPassword sets the event socket password (default "ClueCon").
func WithPassword(p string) Option { return func(s *Server) { s.password = p } }

// WithPlayTime sets how long every playback lasts (default 50ms).
func WithPlayTime(d time.Duration) Option { return func(s *Server) { s.playTime = d } }

// WithOutbound makes new calls run `socket addr async full` (connect to
// the driver's outbound listener) instead of parking. addr is read when a
// call starts, so it may be set later with SetOutbound.
func WithOutbound(addr string) Option { return func(s *Server) { s.outbound = addr } }

// Server is a fake FreeSWITCH.
type Server struct {
	// Addr is the inbound event socket address, "127.0.0.1:port".
	Addr string

	ln       net.Listener
	password string
	playTime time.Duration
	recDir   string
	ctx      context.Context
	cancel   context.CancelFunc
	wg       sync.WaitGroup

	mu       sync.Mutex
	outbound string
	conns    map[*conn]bool
	chans    map[string]*channel
	phones   map[string]PhoneMode
	seq      int
	silent   bool
	commands []string
	accepted chan struct{}
}

// NewServer starts a fake FreeSWITCH on 127.0.0.1.
func NewServer(opts ...Option) *Server {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(fmt.Sprintf("esltest: listen: %v", err))
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{
		Addr: ln.Addr().String(), ln: ln, password: "ClueCon", playTime: 50 * time.Millisecond,
		ctx: ctx, cancel: cancel,
		conns: map[*conn]bool{}, chans: map[string]*channel{}, phones: map[string]PhoneMode{},
		accepted: make(chan struct{}, 100),
	}
	for _, o := range opts {
		o(s)
	}
	s.wg.Go(s.accept)
	return s
}

// Close drops every connection, stops every timer and waits.
func (s *Server) Close() {
	s.cancel()
	s.ln.Close()
	s.Drop()
	s.wg.Wait()
}

// SetOutbound sets the address new calls' socket application connects to.
func (s *Server) SetOutbound(addr string) {
	s.mu.Lock()
	s.outbound = addr
	s.mu.Unlock()
}

// Drop closes every event socket connection abruptly (no notice), as a
// crashed FreeSWITCH or a cut network would. Calls stay up.
func (s *Server) Drop() {
	s.mu.Lock()
	conns := s.conns
	s.conns = map[*conn]bool{}
	s.mu.Unlock()
	for c := range conns {
		c.nc.Close()
	}
}

// DropInbound closes the inbound event socket connections abruptly and
// leaves outbound sockets (one per call) up.
func (s *Server) DropInbound() {
	s.mu.Lock()
	var drop []*conn
	for c := range s.conns {
		if c.outbound == "" {
			drop = append(drop, c)
			delete(s.conns, c)
		}
	}
	s.mu.Unlock()
	for _, c := range drop {
		c.nc.Close()
	}
}

// SetSilent makes the switch stop answering and sending (true) — a
// half-open socket — or behave again (false).
func (s *Server) SetSilent(silent bool) {
	s.mu.Lock()
	s.silent = silent
	s.mu.Unlock()
}

// Accepted waits for the next inbound connection; false when ctx ends.
func (s *Server) Accepted(ctx context.Context) bool {
	select {
	case <-s.accepted:
		return true
	case <-ctx.Done():
		return false
	}
}

// Commands returns the first line of every command received, in order
// (auth passwords shown as "auth ***").
func (s *Server) Commands() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.commands...)
}

// Channels lists the UUIDs of the live channels.
func (s *Server) Channels() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for id := range s.chans {
		out = append(out, id)
	}
	return out
}

// after runs f (with the lock held) after d, unless the server closes.
func (s *Server) after(d time.Duration, f func()) {
	s.wg.Go(func() {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-s.ctx.Done():
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		f()
	})
}

func (s *Server) newUUID() string {
	s.seq++
	return fmt.Sprintf("e5170000-0000-4000-8000-%012d", s.seq)
}

// conn is one event socket connection: inbound (a client dialled us) or
// outbound (we dialled the client for channel uuid).
type conn struct {
	nc       net.Conn
	wmu      sync.Mutex
	authed   bool
	subs     map[string]bool
	outbound string // the controlled channel, for outbound sockets
	myevents bool
	linger   bool
}

func (c *conn) write(msg string) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.nc.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.nc.Write([]byte(msg)); err != nil {
		c.nc.Close()
	}
}

func (s *Server) accept() {
	for {
		nc, err := s.ln.Accept()
		if err != nil {
			return
		}
		c := &conn{nc: nc, subs: map[string]bool{}}
		s.mu.Lock()
		s.conns[c] = true
		s.mu.Unlock()
		select {
		case s.accepted <- struct{}{}:
		default:
		}
		c.write(AuthRequest)
		s.wg.Go(func() { s.serve(c) })
	}
}

// serve reads commands (lines up to a blank line) and answers each.
func (s *Server) serve(c *conn) { s.serveReader(c, bufio.NewReader(c.nc)) }

// command answers one command; false closes the connection.
func (s *Server) command(c *conn, lines []string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	first := lines[0]
	logged := first
	if strings.HasPrefix(first, "auth ") {
		logged = "auth ***"
	}
	s.commands = append(s.commands, logged)
	if s.silent {
		return true
	}
	verb, arg, _ := strings.Cut(first, " ")
	if !c.authed && c.outbound == "" {
		if verb != "auth" {
			c.write(CommandNotFnd)
			return true
		}
		if arg != s.password {
			c.write(AuthInvalid)
			c.write(Disconnect)
			return false
		}
		c.authed = true
		c.write(AuthAccepted)
		return true
	}
	headers := map[string]string{}
	for _, l := range lines[1:] {
		k, v, _ := strings.Cut(l, ": ")
		headers[strings.ToLower(k)] = v
	}
	switch verb {
	case "event":
		words := strings.Fields(arg)
		if len(words) < 2 || words[0] != "plain" {
			c.write(NoKeywords)
			return true
		}
		for _, w := range words[1:] {
			c.subs[w] = true
		}
		c.write(EventsEnabled)
	case "api":
		c.write(APIResponse(s.api(arg)))
	case "bgapi":
		job := headers["job-uuid"]
		if job == "" {
			job = s.newUUID()
		}
		c.write(JobAccepted(job))
		s.bgapi(arg, job)
	case "sendmsg":
		uuid := arg
		if uuid == "" {
			uuid = c.outbound
		}
		ch := s.chans[uuid]
		if ch == nil {
			c.write(InvalidSession(uuid))
			return true
		}
		c.write(ReplyOK)
		s.sendmsg(ch, headers)
	case "myevents":
		c.myevents = true
		c.write(MyEventsOK)
	case "linger":
		c.linger = true
		c.write(WillLinger)
	case "exit":
		c.write(Bye)
		if c.outbound != "" {
			c.write(OutboundDisconnect(c.outbound))
		} else {
			c.write(Disconnect)
		}
		return false
	default:
		c.write(CommandNotFnd)
	}
	return true
}

// api answers an api command with the body FreeSWITCH gives.
func (s *Server) api(arg string) string {
	f := strings.Fields(arg)
	if len(f) == 0 {
		return UnknownAPI("")
	}
	ch := func(i int) *channel {
		if len(f) > i {
			return s.chans[f[i]]
		}
		return nil
	}
	switch f[0] {
	case "version":
		return BodyVersion
	case "show":
		if strings.Join(f[1:], " ") == "channels as json" {
			return s.showChannels()
		}
	case "uuid_answer":
		c := ch(1)
		if c == nil {
			return BodyAnswerUnknown
		}
		s.answer(c)
		return BodyOK
	case "uuid_ring_ready":
		// Not in the captures: mod_commands' source answers like uuid_answer.
		c := ch(1)
		if c == nil {
			return BodyAnswerUnknown
		}
		s.ringReady(c)
		return BodyOK
	case "uuid_kill":
		c := ch(1)
		if c == nil {
			return BodyNoSuchChannel
		}
		cause := "NORMAL_CLEARING"
		if len(f) > 2 {
			cause = f[2]
		}
		s.hangup(c, cause)
		return BodyOK
	case "uuid_bridge":
		a, b := ch(1), ch(2)
		if a == nil || b == nil {
			return BodyBridgeUnknown
		}
		s.bridge(a, b)
		return "+OK " + b.uuid + "\n"
	case "uuid_break":
		c := ch(1)
		if c == nil {
			return BodyNoSuchChannel
		}
		s.stopPlayback(c)
		return BodyOK
	case "uuid_transfer":
		c := ch(1)
		if c == nil {
			return BodyNoSuchChannel
		}
		s.unbridgeToPark(c)
		return BodyOK
	case "uuid_record":
		// As mod_commands 1.10 answers: start and stop fire RECORD_START
		// and RECORD_STOP; pause and resume (the media bug's pause flag)
		// fire nothing; an unknown path is refused.
		c := ch(1)
		if c == nil || len(f) < 4 {
			return BodyRecordUnknown
		}
		p := f[3]
		_, known := c.sessionRecs[p]
		switch f[2] {
		case "start":
			if c.sessionRecs == nil {
				c.sessionRecs = map[string]bool{}
			}
			c.sessionRecs[p] = false
			s.emit(c, "RECORD_START", Header{"Record-File-Path", p})
		case "stop":
			if !known {
				return "-ERR Cannot stop record session!\n"
			}
			delete(c.sessionRecs, p)
			s.emit(c, "RECORD_STOP", Header{"Record-File-Path", p})
		case "pause", "resume":
			if !known {
				return "-ERR Cannot " + f[2] + " recording session!\n"
			}
			c.sessionRecs[p] = f[2] == "pause"
		default:
			return "-USAGE: <uuid> [start|stop|mask|unmask|pause|resume] <path> [<limit>] [<recording_vars>]\n"
		}
		return BodySuccess
	}
	return UnknownAPI(f[0])
}

func (s *Server) showChannels() string {
	if len(s.chans) == 0 {
		return BodyNoChannels
	}
	var rows []string
	for _, c := range s.sortedChannels() {
		state := "RINGING"
		if c.answered {
			state = "ACTIVE"
		}
		rows = append(rows, fmt.Sprintf(`{"uuid":%q,"direction":%q,"created":"2026-11-22 19:16:27","created_epoch":"1795374987",`+
			`"name":%q,"state":"CS_EXECUTE","cid_name":%q,"cid_num":%q,"ip_addr":"127.0.0.1","dest":%q,`+
			`"application":%q,"application_data":"","dialplan":"XML","context":"default","read_codec":"PCMU","read_rate":"8000",`+
			`"read_bit_rate":"64000","write_codec":"PCMU","write_rate":"8000","write_bit_rate":"64000","secure":"",`+
			`"hostname":"esltest","presence_id":"","presence_data":"","accountcode":"","callstate":%q,"callee_name":"",`+
			`"callee_num":"","callee_direction":"","call_uuid":"","sent_callee_name":"","sent_callee_num":"",`+
			`"initial_cid_name":%q,"initial_cid_num":%q,"initial_ip_addr":"127.0.0.1","initial_dest":%q,`+
			`"initial_dialplan":"XML","initial_context":"default"}`,
			c.uuid, c.direction, c.name, c.cid, c.cid, c.dest, c.app, state, c.cid, c.cid, c.dest))
	}
	return fmt.Sprintf("{\"row_count\": %d, \"rows\": [%s]}\n", len(rows), strings.Join(rows, ",\n"))
}

// errNoPhone: originate to an endpoint no phone was set for.
var errNoPhone = errors.New("no such phone")
