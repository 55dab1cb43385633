//go:build e2e

package testbed

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"gopkg.in/yaml.v3"

	"switchboard/api"
	"switchboard/ari"
	"switchboard/auth"
	"switchboard/routing"
	"switchboard/store"
)

// Must-hold d of issue 7: a supervisor listens to a live call, whispers to
// the agent and barges in, each time from their own phone (a sipp UAS
// whose SDP points RTP at a counter here), on the real Asterisk. The
// stack runs in this process (ARI driver, engine, store, API over HTTP
// with a bearer token), so the test does not depend on how the binary
// signs people in.

const superviseConfig = `
routes: {default: main}
flows:
  main:
    start: menu
    nodes:
      menu:
        menu:
          prompt: ["sound:beep"]
          options: {"1": support}
          timeout: 3s
          on_failure: bye
      support: {queue: {queue: support, on_timeout: bye}}
      bye: {hangup: {}}
queues:
  support: {max_wait: 60s, ring_timeout: 5s, wrap_up: 1s}
teams:
  front: {}
agents:
  - {id: "1001", name: Ada, endpoint: PJSIP/1001, queues: [support], team: front}
shared_phones: [PJSIP/1008, PJSIP/1009] # the supervisors' desk phones
`

// rtpCounter counts the RTP packets reaching a UDP port.
type rtpCounter struct {
	conn *net.UDPConn
	mu   sync.Mutex
	n    int
	pts  map[byte]int // payload type → packets
	done chan struct{}
}

func newRTPCounter(t *testing.T) *rtpCounter {
	t.Helper()
	var conn *net.UDPConn
	for try := 0; conn == nil; try++ {
		port, err := FreeUDPPortRange(2)
		if err == nil {
			conn, err = net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port})
		}
		if err != nil && try > 10 {
			t.Fatal(err)
		}
	}
	c := &rtpCounter{conn: conn, pts: map[byte]int{}, done: make(chan struct{})}
	go c.read()
	t.Cleanup(func() { conn.Close(); <-c.done })
	return c
}

func (c *rtpCounter) port() int { return c.conn.LocalAddr().(*net.UDPAddr).Port }

func (c *rtpCounter) read() {
	defer close(c.done)
	buf := make([]byte, 2048)
	for {
		n, err := c.conn.Read(buf)
		if err != nil {
			return
		}
		if n < 12 || buf[0]>>6 != 2 { // not RTP version 2
			continue
		}
		c.mu.Lock()
		c.n++
		c.pts[buf[1]&0x7f]++
		c.mu.Unlock()
	}
}

func (c *rtpCounter) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

// waitMore waits until at least want packets arrived after from.
func (c *rtpCounter) waitMore(from, want int, within time.Duration) (int, error) {
	deadline := time.Now().Add(within)
	for {
		got := c.count() - from
		if got >= want {
			return got, nil
		}
		if time.Now().After(deadline) {
			return got, fmt.Errorf("%d RTP packets in %v, want at least %d", got, within, want)
		}
		time.Sleep(20 * time.Millisecond) // a UDP socket has no event to wait on
	}
}

// startMediaPhone is StartPhone for user 100n, but its SDP sends the PBX's
// RTP to mediaPort (an rtpCounter) instead of sipp's own media socket.
func startMediaPhone(t *testing.T, p *PBX, n int, m PhoneMode, mediaPort int) *Phone {
	t.Helper()
	user := fmt.Sprintf("100%d", n)
	dir, err := os.MkdirTemp(t.TempDir(), "phone-"+user+"-*")
	if err != nil {
		t.Fatal(err)
	}
	scenario := PhoneScenario(user, m)
	if !strings.Contains(scenario, "m=audio [media_port]") {
		t.Fatal("phone scenario has no media line to redirect")
	}
	scenario = strings.Replace(scenario, "m=audio [media_port]", fmt.Sprintf("m=audio %d", mediaPort), 1)
	proc, err := startSipp(t, dir, "phone", scenario, []string{"-p", fmt.Sprint(p.AgentPort(n))}, 30*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	ph := &Phone{User: user, Port: p.AgentPort(n), Mode: m, proc: proc}
	if err := waitUDPBound(p.AgentPort(n), proc, 5*time.Second); err != nil {
		t.Fatalf("phone %s: %v; output: %s", user, err, readFile(proc.outFile))
	}
	return ph
}

// tokenAccounts signs requests in by bearer token only.
type tokenAccounts struct {
	api.Accounts
	tokens map[string]auth.Principal
}

func (a tokenAccounts) Session(context.Context, string) (auth.Principal, error) {
	return auth.Principal{}, auth.ErrNoSession
}

func (a tokenAccounts) Token(_ context.Context, raw string) (auth.Principal, error) {
	p, ok := a.tokens[raw]
	if !ok {
		return auth.Principal{}, auth.ErrNoSession
	}
	return p, nil
}

// stack is Switchboard run in this process against the testbed.
type stack struct {
	t   *testing.T
	eng *routing.Engine
	st  *store.Store
	url string
}

func startStack(t *testing.T, p *PBX, config string, tokens map[string]auth.Principal) *stack {
	t.Helper()
	var cfg routing.Config
	dec := yaml.NewDecoder(strings.NewReader(config))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil {
		t.Fatal(err)
	}
	cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("switchboard log (tail):\n%s", tail(logs.String(), 80))
		}
	})
	ctx, cancel := context.WithCancel(context.Background())
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "sb.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	drv, err := ari.New(ari.Config{URL: fmt.Sprintf("http://127.0.0.1:%d", p.ARIPort), User: p.User, Password: p.Password,
		App: p.App, Node: "testbed"}, log, nil)
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	eng := routing.NewEngine(&cfg, drv, st, routing.SystemClock{}, routing.RandomIDs(), log, reg)
	srv := api.New(api.Config{Accounts: tokenAccounts{tokens: tokens}, Audit: st}, eng, st, log, reg, nil)
	hs := httptest.NewServer(srv.Handler())
	done := make(chan struct{})
	go func() { defer close(done); _ = eng.Run(ctx) }()
	t.Cleanup(func() {
		hs.Close()
		cancel()
		<-done
		st.Close()
	})
	s := &stack{t: t, eng: eng, st: st, url: hs.URL}
	s.eventually(20*time.Second, "PBX link up", eng.LinkUp)
	return s
}

func (s *stack) eventually(within time.Duration, what string, cond func() bool) {
	s.t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			s.t.Fatalf("timed out after %s waiting for %s", within, what)
		}
		time.Sleep(50 * time.Millisecond) // the engine's state is read through its API: poll
	}
}

func (s *stack) post(token, path string, body any, out any) int {
	s.t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", s.url+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(data, out); err != nil {
			s.t.Fatalf("POST %s: %s: %v", path, data, err)
		}
	}
	if resp.StatusCode >= 300 {
		s.t.Logf("POST %s: %d %s", path, resp.StatusCode, data)
	}
	return resp.StatusCode
}

// supervisionEnded returns the call.supervision_ended record of leg, if any.
func (s *stack) supervisionEnded(leg string) (routing.SupervisionEndedData, bool) {
	evs, err := s.st.Events(context.Background(), store.EventFilter{TypePrefix: routing.EvCallSupervisionEnded, Limit: 100})
	if err != nil {
		s.t.Fatal(err)
	}
	for _, e := range evs {
		var d routing.SupervisionEndedData
		if json.Unmarshal(e.Data, &d) == nil && d.Leg == leg {
			return d, true
		}
	}
	return routing.SupervisionEndedData{}, false
}

// bridgeOf lists the channels of the Asterisk bridge holding channel.
func bridgeOf(t *testing.T, p *PBX, channel string) []string {
	t.Helper()
	code, body, err := p.ARI("GET", "/bridges", nil)
	if err != nil || code != 200 {
		t.Fatalf("list bridges: %d %v", code, err)
	}
	var bridges []struct {
		ID       string   `json:"id"`
		Channels []string `json:"channels"`
	}
	if err := json.Unmarshal(body, &bridges); err != nil {
		t.Fatal(err)
	}
	for _, b := range bridges {
		if slices.Contains(b.Channels, channel) {
			return b.Channels
		}
	}
	return nil
}

func TestE2ESupervise(t *testing.T) {
	p := StartPBX(t)
	tokens := map[string]auth.Principal{
		"lead":  {Username: "lead-front", Role: auth.TeamLead, Team: "front", TokenID: 1},
		"other": {Username: "lead-back", Role: auth.TeamLead, Team: "back", TokenID: 2},
		"sup":   {Username: "sup", Role: auth.Supervisor, TokenID: 3},
	}
	s := startStack(t, p, superviseConfig, tokens)

	agentPhone := StartPhone(t, p, 1, Answer(300*time.Millisecond))
	rtp := newRTPCounter(t)
	// The supervisor answers after 300 ms and hangs up 3 s later.
	supPhone := startMediaPhone(t, p, 9, AnswerAndHangUp(300*time.Millisecond, 3*time.Second), rtp.port())
	if _, err := s.eng.SignIn(context.Background(), "1001", ""); err != nil {
		t.Fatal(err)
	}

	// The caller talks (7 s of speech, three times) so there is audio to hear.
	speech := []Step{Audio(SpeechPcap, 7*time.Second), Audio(SpeechPcap, 7*time.Second), Audio(SpeechPcap, 7*time.Second), Audio(SpeechPcap, 7*time.Second)}
	run := Caller{Target: p.SIPAddr(), Number: "100", From: "13800138000",
		Steps: append([]Step{Pause(800 * time.Millisecond), Digit("1")}, append(speech, HangUp())...)}.Start(t)
	t.Cleanup(func() { run.Stop() })
	if err := agentPhone.WaitCount("answered", 1, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	var callID string
	s.eventually(5*time.Second, "agent 1001 on the call", func() bool {
		a, err := s.eng.Agent(context.Background(), "1001")
		callID = a.CallID
		return err == nil && a.State == routing.OnCall && callID != ""
	})
	if n := rtp.count(); n != 0 {
		t.Fatalf("%d RTP packets before anyone supervised", n)
	}

	// Someone else's team lead may not.
	if code := s.post("other", "/api/v1/calls/"+callID+"/listen", map[string]string{"endpoint": "PJSIP/1009"}, nil); code != 403 {
		t.Fatalf("lead of another team: %d, want 403", code)
	}

	for i, tt := range []struct {
		mode, token string
	}{
		{"listen", "lead"},
		{"whisper", "lead"},
		{"barge", "sup"},
	} {
		var v routing.SupervisionView
		if code := s.post(tt.token, "/api/v1/calls/"+callID+"/"+tt.mode, map[string]string{"endpoint": "PJSIP/1009"}, &v); code != 202 {
			t.Fatalf("%s: %d", tt.mode, code)
		}
		if err := supPhone.WaitCount("answered", i+1, 10*time.Second); err != nil {
			t.Fatalf("%s: supervisor's phone: %v", tt.mode, err)
		}
		from := rtp.count()
		got, err := rtp.waitMore(from, 50, 2500*time.Millisecond) // 1 s of 20 ms packets
		if err != nil {
			t.Fatalf("%s: the supervisor's phone: %v", tt.mode, err)
		}
		// Where the supervisor's leg sits in Asterisk: with a snoop channel
		// of its own, or in the call's bridge with the caller and the agent.
		members := bridgeOf(t, p, v.Leg)
		switch tt.mode {
		case "barge":
			if len(members) != 3 {
				t.Errorf("barge: the leg's bridge holds %v, want caller, agent and supervisor", members)
			}
		default:
			if len(members) != 2 || !slices.Contains(members, "spy-"+v.Leg) {
				t.Errorf("%s: the leg's bridge holds %v, want it and its snoop channel", tt.mode, members)
			}
		}
		if err := supPhone.WaitCount("local-bye", i+1, 6*time.Second); err != nil {
			t.Fatalf("%s: %v", tt.mode, err)
		}
		var end routing.SupervisionEndedData
		s.eventually(5*time.Second, tt.mode+" supervision's end in the event log", func() bool {
			var ok bool
			end, ok = s.supervisionEnded(v.Leg)
			return ok
		})
		if !end.Answered || end.Mode != tt.mode || end.Seconds < 2 {
			t.Errorf("%s: end %+v", tt.mode, end)
		}
		// Hung up means silent: no more RTP to the supervisor's port.
		time.Sleep(300 * time.Millisecond) // let packets in flight land
		after := rtp.count()
		time.Sleep(500 * time.Millisecond) // a window in which none may arrive
		if more := rtp.count() - after; more > 0 {
			t.Errorf("%s: %d RTP packets after the supervisor hung up", tt.mode, more)
		}
		t.Logf("%s: %d RTP packets to the supervisor within the first 2.5 s (payload types %v); bridge %v", tt.mode, got, rtp.pts, members)
		if a, _ := s.eng.Agent(context.Background(), "1001"); a.State != routing.OnCall || a.CallID != callID {
			t.Fatalf("%s: the agent left the call: %+v", tt.mode, a)
		}
	}

	// A supervisor still listening when the call ends is hung up with it.
	lastPhone := StartPhone(t, p, 8, Answer(300*time.Millisecond))
	var last routing.SupervisionView
	if code := s.post("sup", "/api/v1/calls/"+callID+"/listen", map[string]string{"endpoint": "PJSIP/1008"}, &last); code != 202 {
		t.Fatalf("last listen: %d", code)
	}
	if err := lastPhone.WaitCount("answered", 1, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if err := lastPhone.WaitCount("remote-bye", 1, 30*time.Second); err != nil {
		t.Fatalf("the listening supervisor was not hung up with the call: %v", err)
	}
	s.eventually(5*time.Second, "the last supervision's end", func() bool {
		_, ok := s.supervisionEnded(last.Leg)
		return ok
	})

	// Every one was audited, by whom and on what.
	entries, err := s.st.Audit(context.Background(), store.AuditFilter{Action: "call.", Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, fmt.Sprintf("%s %s %s %v", e.Action, e.Actor, e.Target, e.OK))
	}
	slices.Reverse(got)
	want := []string{
		"call.listen lead-front " + callID + " true",
		"call.whisper lead-front " + callID + " true",
		"call.barge sup " + callID + " true",
		"call.listen sup " + callID + " true",
	}
	if !slices.Equal(got, want) {
		t.Errorf("audit\n got %v\nwant %v", got, want)
	}
	res := run.Wait()
	if res.Err != nil {
		t.Fatalf("caller: %v\n%s", res.Err, res.ErrorLog)
	}
	if e := supPhone.ErrorLog(); e != "" {
		t.Errorf("supervisor's phone errors:\n%s", e)
	}
}
