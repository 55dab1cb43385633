//go:build e2e

package testbed

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"
)

// cutProxy forwards TCP from a loopback port to the ARI, and can cut
// every connection through it and refuse new ones for a while: the ARI
// websocket dropped as a flaky network or a firewall would drop it.
type cutProxy struct {
	ln     net.Listener
	target string

	mu    sync.Mutex
	conns map[net.Conn]bool
	down  bool
}

func startCutProxy(t *testing.T, target string) *cutProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{ln: ln, target: target, conns: map[net.Conn]bool{}}
	t.Cleanup(func() { ln.Close(); p.cut() })
	go p.serve()
	return p
}

func (p *cutProxy) port() int { return p.ln.Addr().(*net.TCPAddr).Port }

func (p *cutProxy) serve() {
	for {
		in, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		down := p.down
		if !down {
			p.conns[in] = true
		}
		p.mu.Unlock()
		if down {
			in.Close() // refused while the link is down
			continue
		}
		go p.pipe(in)
	}
}

func (p *cutProxy) pipe(in net.Conn) {
	out, err := net.DialTimeout("tcp", p.target, 2*time.Second)
	if err != nil {
		in.Close()
		return
	}
	p.mu.Lock()
	p.conns[out] = true
	p.mu.Unlock()
	done := make(chan struct{}, 2)
	cp := func(dst, src net.Conn) {
		_, _ = io.Copy(dst, src)
		done <- struct{}{}
	}
	go cp(out, in)
	go cp(in, out)
	<-done
	in.Close()
	out.Close()
	p.mu.Lock()
	delete(p.conns, in)
	delete(p.conns, out)
	p.mu.Unlock()
}

// cut closes every connection through the proxy.
func (p *cutProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		c.Close()
	}
}

// setDown refuses (true) or allows (false) new connections.
func (p *cutProxy) setDown(down bool) {
	p.mu.Lock()
	p.down = down
	p.mu.Unlock()
}

// callRecord is what the outage tests read of a call.
type callRecord struct {
	ID         string     `json:"id"`
	Agent      string     `json:"agent"`
	Outcome    string     `json:"outcome"`
	Cause      string     `json:"cause"`
	Offers     int        `json:"offers"`
	QueuedAt   *time.Time `json:"queued_at"`
	AnsweredAt *time.Time `json:"answered_at"`
	EndedAt    *time.Time `json:"ended_at"`
	Talk       *float64   `json:"talk_seconds"`
}

// callRecords reads the n ended calls, ordered by the time they queued.
func (s *sb) callRecords(n int, within time.Duration) []callRecord {
	s.t.Helper()
	var got []callRecord
	for _, cv := range s.endedCalls(n, within) {
		var r callRecord
		if code := s.do("GET", "/api/v1/calls/"+cv.ID, nil, &r); code != 200 {
			s.t.Fatalf("call %s: %d", cv.ID, code)
		}
		got = append(got, r)
	}
	for i := range got {
		for j := i + 1; j < len(got); j++ {
			if got[j].QueuedAt != nil && (got[i].QueuedAt == nil || got[j].QueuedAt.Before(*got[i].QueuedAt)) {
				got[i], got[j] = got[j], got[i]
			}
		}
	}
	b, _ := json.Marshal(got)
	s.t.Logf("calls: %s", b)
	return got
}

// waitingInQueue waits until n callers wait in support with no agent.
func (s *sb) waitingInQueue(n int) {
	s.t.Helper()
	s.eventually(10*time.Second, fmt.Sprintf("%d callers waiting", n), func() bool {
		var list struct {
			Calls []struct{ Queue, Agent string }
		}
		s.do("GET", "/api/v1/calls?open=true", nil, &list)
		w := 0
		for _, c := range list.Calls {
			if c.Queue == "support" && c.Agent == "" {
				w++
			}
		}
		return w >= n
	})
}

// noChannelsLeft waits until Asterisk holds no channel.
func noChannelsLeft(s *sb, p *PBX) {
	s.t.Helper()
	s.eventually(10*time.Second, "no channel left in Asterisk", func() bool {
		code, body, err := p.ARI("GET", "/channels", nil)
		return err == nil && code == 200 && string(body) == "[]"
	})
}

// TestE2EARIDroppedMidCall is issue 13's link-drop test on the real
// Asterisk: the ARI websocket (and every REST connection) is cut while
// agent 1001 talks to caller A and B and C wait, and refused for two
// seconds. The driver reconnects and resyncs: A's talk goes on to its
// end, B and C are answered after it in the order they queued, every
// call is offered once and has one complete record, no caller is cut off,
// the agent ends ready and Asterisk holds no channel afterwards.
func TestE2EARIDroppedMidCall(t *testing.T) {
	p := StartPBX(t)
	proxy := startCutProxy(t, fmt.Sprintf("127.0.0.1:%d", p.ARIPort))
	via := *p
	via.ARIPort = proxy.port()
	s := startSwitchboardWith(t, &via, e2eConfig)
	StartPhone(t, p, 1, Answer(300*time.Millisecond))
	s.signIn("1001")

	a := caller(p, "1", Pause(12*time.Second), HangUp()).Start(t)
	defer a.Stop()
	s.eventually(10*time.Second, "1001 talking to A", func() bool { return s.agent("1001").State == "on_call" })
	b := caller(p, "1", Pause(20*time.Second), HangUp()).Start(t)
	defer b.Stop()
	s.waitingInQueue(1)
	c := caller(p, "1", Pause(30*time.Second), HangUp()).Start(t)
	defer c.Stop()
	s.waitingInQueue(2)

	proxy.setDown(true)
	proxy.cut()
	cutAt := time.Now()
	s.eventually(5*time.Second, "/healthz reports the link down", func() bool {
		resp, err := httpGet(s.base + "/healthz")
		return err == nil && resp != 200
	})
	time.Sleep(2 * time.Second) // the outage: the PBX goes on without us
	proxy.setDown(false)
	s.waitLinkUp(30 * time.Second)
	t.Logf("link back %v after the cut", time.Since(cutAt).Round(10*time.Millisecond))

	for name, r := range map[string]*CallerRun{"A": a, "B": b, "C": c} {
		if res := r.Wait(); res.Err != nil {
			t.Errorf("caller %s: %v\n%s", name, res.Err, res.ErrorLog)
		}
	}
	got := s.callRecords(3, 20*time.Second)
	for i, r := range got {
		if r.Outcome != "answered" || r.Agent != "1001" || r.Offers != 1 || r.AnsweredAt == nil {
			t.Errorf("call %c: %+v, want answered by 1001 after one offer", 'A'+i, r)
		}
	}
	if len(got) == 3 && got[1].AnsweredAt != nil && got[2].AnsweredAt != nil && !got[1].AnsweredAt.Before(*got[2].AnsweredAt) {
		t.Errorf("C (queued after B) was answered first: B %v, C %v", got[1].AnsweredAt, got[2].AnsweredAt)
	}
	if len(got) == 3 && got[0].Talk != nil && (*got[0].Talk < 8 || *got[0].Talk > 13) {
		t.Errorf("A's talk %.1f s across the cut, want its ~10 s", *got[0].Talk)
	}
	s.eventually(10*time.Second, "1001 ready at the end", func() bool { return s.agent("1001").State == "ready" })
	noChannelsLeft(s, p)
}

// TestE2EAsteriskRestartedMidCall: Asterisk itself restarts while agent
// 1001 talks to A and B waits. Every channel dies with it, so both calls
// must end, each with one complete record (A answered, its talk up to the
// restart; B never answered), the agent must not be left on a call that
// no longer exists, and the next caller is answered as usual.
func TestE2EAsteriskRestartedMidCall(t *testing.T) {
	p := StartPBX(t)
	s := startSwitchboard(t, p)
	StartPhone(t, p, 1, Answer(300*time.Millisecond))
	s.signIn("1001")

	a := caller(p, "1", Pause(30*time.Second), HangUp()).Start(t)
	defer a.Stop()
	s.eventually(10*time.Second, "1001 talking to A", func() bool { return s.agent("1001").State == "on_call" })
	b := caller(p, "1", Pause(30*time.Second), HangUp()).Start(t)
	defer b.Stop()
	s.waitingInQueue(1)
	time.Sleep(2 * time.Second) // A talks a while
	restartAt := time.Now()
	if err := p.Restart(); err != nil {
		t.Fatal(err)
	}
	s.waitLinkUp(30 * time.Second)
	t.Logf("Asterisk back and resynced %v after the restart began", time.Since(restartAt).Round(10*time.Millisecond))
	a.Stop()
	b.Stop()

	got := s.callRecords(2, 20*time.Second)
	if len(got) == 2 {
		if r := got[0]; r.Outcome != "answered" || r.Agent != "1001" || r.Offers != 1 || r.Talk == nil || *r.Talk < 1 || *r.Talk > 15 || r.EndedAt == nil {
			t.Errorf("A: %+v, want answered by 1001, ended at the restart", r)
		}
		if r := got[1]; r.Outcome == "answered" || r.AnsweredAt != nil || r.EndedAt == nil {
			t.Errorf("B: %+v, want ended unanswered", r)
		}
	}
	s.eventually(15*time.Second, "1001 off the dead call", func() bool {
		st := s.agent("1001").State
		return st == "ready" || st == "wrap_up"
	})
	noChannelsLeft(s, p)
	// The phone re-registers with the new Asterisk; then calls route again.
	s.eventually(30*time.Second, "1001 registered again", func() bool {
		code, body, err := p.ARI("GET", "/endpoints/PJSIP/1001", nil)
		var ep struct{ State string }
		return err == nil && code == 200 && json.Unmarshal(body, &ep) == nil && ep.State == "online"
	})
	s.eventually(10*time.Second, "1001 ready", func() bool { return s.agent("1001").State == "ready" })
	answeredCall(t, p, s, 2)
}

// httpGet is a GET's status code.
func httpGet(url string) (int, error) {
	c := http.Client{Timeout: 2 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}
