//go:build e2e

package testbed

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The end-to-end tests run the real switchboard binary against the real
// Asterisk testbed, with sipp as callers and agents' phones, and assert on
// what the API reports.

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

func switchboardBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "switchboard-e2e-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "switchboard")
		cmd := exec.Command("go", "build", "-race", "-o", binPath, "./cmd/switchboard")
		cmd.Dir = RepoDir()
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// e2eConfig is the flow the tests call: short prompts so a call takes
// seconds. Menu: 1 → queue support, 2 → goodbye; the queue's no-agent branch
// plays a message and hangs up.
const e2eConfig = `
routes: {default: main}
flows:
  main:
    start: greeting
    nodes:
      greeting: {play: {media: ["sound:beep"], next: menu}}
      menu:
        menu:
          prompt: ["sound:beep"]
          options: {"1": support, "2": goodbye}
          timeout: 2s
          attempts: 2
          invalid_prompt: ["sound:beep"]
          on_failure: goodbye
      support: {queue: {queue: support, no_agent: closed, on_timeout: goodbye}}
      closed: {play: {media: ["sound:beep"], next: goodbye}}
      goodbye: {play: {media: ["sound:beep"], next: bye}}
      bye: {hangup: {}}
queues:
  support: {max_wait: 60s, ring_timeout: 3s, wrap_up: 1s, hold_media: ["sound:beep"]}
agents:
  - {id: "1001", name: Ada, endpoint: PJSIP/1001, queues: [support]}
  - {id: "1002", name: Bo, endpoint: PJSIP/1002, queues: [support]}
`

// sb is a running switchboard process.
type sb struct {
	t       *testing.T
	bin     string
	cfgPath string
	base    string
	cmd     *exec.Cmd
	logBuf  *syncBuffer
	done    chan struct{}
	// tokens are API tokens by role, made with `switchboard token add`
	// before the first start (the API has no default credentials).
	tokens map[string]string
}

// token returns an API token with role, creating it with the CLI (which
// writes the database directly, so it works while switchboard runs).
func (s *sb) token(role string) string {
	s.t.Helper()
	if tok, ok := s.tokens[role]; ok {
		return tok
	}
	out, err := exec.Command(s.bin, "token", "add", "--config", s.cfgPath, "--name", "e2e-"+role+"-"+strings.TrimPrefix(s.base, "http://127.0.0.1:"), "--role", role).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			s.t.Fatalf("token add --role %s: %v\n%s", role, err, ee.Stderr)
		}
		s.t.Fatalf("token add --role %s: %v", role, err)
	}
	tok := strings.TrimSpace(string(out))
	if s.tokens == nil {
		s.tokens = map[string]string{}
	}
	s.tokens[role] = tok
	return tok
}

// roleFor is the role s.do acts as: admin for configuration, users,
// tokens and the audit log, a supervisor for everything else.
func roleFor(method, path string) string {
	for _, p := range []string{"/api/v1/config", "/api/v1/users", "/api/v1/tokens", "/api/v1/audit"} {
		if strings.HasPrefix(path, p) {
			return "admin"
		}
	}
	if strings.HasPrefix(path, "/api/v1/teams") && method != "GET" {
		return "admin"
	}
	return "supervisor"
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startSwitchboard writes a config for pbx and starts switchboard on it.
func startSwitchboard(t *testing.T, pbx *PBX) *sb {
	t.Helper()
	return startSwitchboardWith(t, pbx, e2eConfig)
}

// e2eHeader is every test config's start: where switchboard listens and
// keeps its data, and the testbed's ARI.
const e2eHeader = `listen: %s
data_dir: %s
log_level: debug
pbx:
  node: testbed
  ari: {url: "http://127.0.0.1:%d", user: switchboard, password: switchboard, app: switchboard}
`

// startSwitchboardWith starts switchboard on the header plus the test's
// routing config (routes, flows, queues, agents, …).
func startSwitchboardWith(t *testing.T, pbx *PBX, routing string) *sb {
	t.Helper()
	return launchSwitchboard(t, switchboardBinary(t), e2eHeader, pbx, routing)
}

// launchSwitchboard starts bin on header (e2eHeader's three verbs: listen,
// data_dir, ARI port) plus routing; the load benchmark passes its own
// binary (without -race) and header (without debug logging).
func launchSwitchboard(t *testing.T, bin, header string, pbx *PBX, routing string) *sb {
	t.Helper()
	return launchSwitchboardAs(t, bin, header, pbx, routing, (*sb).start)
}

// launchSwitchboardAs is launchSwitchboard with its own start: (*sb).start
// waits for the PBX link, a standby node's start for its standby answer.
func launchSwitchboardAs(t *testing.T, bin, header string, pbx *PBX, routing string, start func(*sb)) *sb {
	t.Helper()
	dir := t.TempDir()
	listen := fmt.Sprintf("127.0.0.1:%d", FreePort(t))
	cfgPath := filepath.Join(dir, "switchboard.yaml")
	cfg := fmt.Sprintf(header, listen, filepath.Join(dir, "data"), pbx.ARIPort) + routing
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	s := &sb{t: t, bin: bin, cfgPath: cfgPath, base: "http://" + listen}
	s.token("supervisor")
	s.token("admin")
	start(s)
	t.Cleanup(func() {
		// SB_E2E_DUMP=1 prints the logs of passing tests too (to see margins).
		dump := t.Failed() || os.Getenv("SB_E2E_DUMP") != ""
		if dump && s.cmd != nil {
			var list eventList
			s.do("GET", "/api/v1/events?limit=300", nil, &list)
			var b strings.Builder
			for _, e := range list.Events {
				fmt.Fprintf(&b, "%d %s %s %s %s\n", e.Seq, e.Time.Format("15:04:05.000"), e.Type, e.CallID, e.Data)
			}
			t.Logf("event log:\n%s", tail(b.String(), 80))
		}
		s.stop()
		if dump {
			t.Logf("switchboard log (tail):\n%s", tail(s.logBuf.String(), 60))
		}
	})
	return s
}

func (s *sb) start() {
	s.t.Helper()
	s.spawn()
	s.waitLinkUp(20 * time.Second)
}

// spawn starts the switchboard process, logging into logBuf.
func (s *sb) spawn() {
	s.t.Helper()
	s.logBuf = &syncBuffer{}
	s.cmd = exec.Command(s.bin, "serve", "--config", s.cfgPath)
	s.cmd.Stdout, s.cmd.Stderr = s.logBuf, s.logBuf
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := s.cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	s.done = make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(s.done) }()
}

// stop ends switchboard with SIGTERM, as systemd would, and waits.
func (s *sb) stop() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
		s.t.Error("switchboard did not stop within 10s of SIGTERM")
	}
	s.cmd = nil
}

// waitLinkUp waits until /healthz reports the PBX link up.
func (s *sb) waitLinkUp(within time.Duration) {
	s.t.Helper()
	s.eventually(within, "PBX link up in /healthz", func() bool {
		resp, err := http.Get(s.base + "/healthz")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		return resp.StatusCode == 200
	})
}

// eventually polls cond until it holds; the API is the only window the
// tests have on switchboard, so they poll it with a deadline.
func (s *sb) eventually(within time.Duration, what string, cond func() bool) {
	s.t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			s.t.Fatalf("timed out after %s waiting for %s", within, what)
		}
		select {
		case <-s.done:
			s.t.Fatalf("switchboard exited while waiting for %s", what)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func (s *sb) do(method, path string, body any, out any) int {
	s.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequestWithContext(context.Background(), method, s.base+path, rd)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+s.token(roleFor(method, path)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			s.t.Fatalf("%s %s: decode %q: %v", method, path, b, err)
		}
	}
	return resp.StatusCode
}

type agentView struct {
	ID, State, Reason, Endpoint string
	Queues                      []string
	Skills                      map[string]int
}

func (s *sb) agent(id string) agentView {
	var v agentView
	if code := s.do("GET", "/api/v1/agents/"+id, nil, &v); code != 200 {
		s.t.Fatalf("GET agent %s: %d", id, code)
	}
	return v
}

func (s *sb) signIn(id string) {
	s.t.Helper()
	var v agentView
	if code := s.do("POST", "/api/v1/agents/"+id+"/sign-in", map[string]string{}, &v); code != 200 || v.State != "ready" {
		s.t.Fatalf("sign in %s: %d %+v", id, code, v)
	}
}

type callView struct {
	ID            string   `json:"id"`
	Caller        string   `json:"caller"`
	IVRPath       []string `json:"ivr_path"`
	Queue         string   `json:"queue"`
	Agent         string   `json:"agent"`
	Offers        int      `json:"offers"`
	OfferFailures int      `json:"offer_failures"`
	EndedAt       *string  `json:"ended_at"`
	WaitSeconds   *float64 `json:"wait_seconds"`
	TalkSeconds   *float64 `json:"talk_seconds"`
	Outcome       string   `json:"outcome"`
	HangupBy      string   `json:"hangup_by"`
}

type callList struct {
	Calls []callView `json:"calls"`
}

type eventView struct {
	Seq    int64           `json:"seq"`
	Time   time.Time       `json:"time"`
	Type   string          `json:"type"`
	CallID string          `json:"call_id"`
	Data   json.RawMessage `json:"data"`
}

type eventList struct {
	Events []eventView `json:"events"`
}

// endedCalls waits until n calls have ended and returns them, newest first.
func (s *sb) endedCalls(n int, within time.Duration) []callView {
	s.t.Helper()
	var list callList
	s.eventually(within, fmt.Sprintf("%d ended calls", n), func() bool {
		list = callList{}
		s.do("GET", "/api/v1/calls?open=false", nil, &list)
		return len(list.Calls) >= n
	})
	return list.Calls
}

// callTypes lists the call.* event types of a call in log order and checks
// the sequence numbers strictly increase.
func (s *sb) callTypes(id string) []string {
	s.t.Helper()
	var out []string
	for _, typ := range s.allTypes(id) {
		if strings.HasPrefix(typ, "call.") {
			out = append(out, typ)
		}
	}
	return out
}

// allTypes lists every event type logged for a call: PBX inputs, timers,
// agent changes and decisions.
func (s *sb) allTypes(id string) []string {
	s.t.Helper()
	var list eventList
	if code := s.do("GET", "/api/v1/calls/"+id+"/events", nil, &list); code != 200 {
		s.t.Fatalf("events of %s: %d", id, code)
	}
	var out []string
	var last int64
	for _, e := range list.Events {
		if e.Seq <= last {
			s.t.Fatalf("event seq not increasing: %d after %d", e.Seq, last)
		}
		last = e.Seq
		out = append(out, e.Type)
	}
	return out
}

func tail(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
