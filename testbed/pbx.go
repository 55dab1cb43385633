// Package testbed drives a real Asterisk 22 on 127.0.0.1 (testbed/pbx.sh) and
// SIP peers made of sipp processes: callers (UAC) and agents' phones (UAS).
//
// The end-to-end tests that use it carry the build tag e2e:
//
//	go test -p 1 -tags e2e ./testbed/...
package testbed

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// PBX is the testbed Asterisk as pbx.sh runs it. Fields mirror the SB_*
// environment variables pbx.sh reads; the zero value is not useful, use
// DefaultPBX.
type PBX struct {
	Script        string // path of pbx.sh
	Root          string // SB_PBX_ROOT
	RunDir        string // SB_PBX_RUN
	SIPPort       int    // SB_SIP_PORT
	ARIPort       int    // SB_ARI_PORT
	RTPStart      int    // SB_RTP_START
	RTPEnd        int    // SB_RTP_END
	AgentBasePort int    // SB_AGENT_BASE_PORT: agent 100N's phone is at AgentBasePort+N
	// CarrierBasePort (SB_CARRIER_BASE_PORT): trunks carrier-good,
	// carrier-503 and carrier-silent are at CarrierBasePort+1..3.
	CarrierBasePort int
	User            string // ARI user (SB_ARI_USER)
	Password        string // ARI password (SB_ARI_PASS)
	App             string // the Stasis application the dialplan hands calls to
}

// RepoDir is the module root (the directory above testbed/).
func RepoDir() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		wd, _ := os.Getwd()
		return filepath.Dir(wd)
	}
	return filepath.Dir(filepath.Dir(file))
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

func envStr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// scriptRoot asks pbx.sh where its root is by default (a path keyed by
// what goes into the root, outside the clone), so the key lives in one place.
func scriptRoot(script string) string {
	out, err := exec.Command("bash", script, "env").Output()
	if err != nil {
		return ""
	}
	for line := range strings.SplitSeq(string(out), "\n") {
		if v, ok := strings.CutPrefix(line, "SB_PBX_ROOT="); ok {
			return v
		}
	}
	return ""
}

// DefaultPBX describes the PBX from the SB_* environment, with pbx.sh's defaults.
func DefaultPBX() *PBX {
	repo := RepoDir()
	return &PBX{
		Script:          filepath.Join(repo, "testbed", "pbx.sh"),
		Root:            envStr("SB_PBX_ROOT", scriptRoot(filepath.Join(repo, "testbed", "pbx.sh"))),
		RunDir:          envStr("SB_PBX_RUN", filepath.Join(repo, ".cache", "testbed-run")),
		SIPPort:         envInt("SB_SIP_PORT", 5060),
		ARIPort:         envInt("SB_ARI_PORT", 8088),
		RTPStart:        envInt("SB_RTP_START", 10000),
		RTPEnd:          envInt("SB_RTP_END", 10999),
		AgentBasePort:   envInt("SB_AGENT_BASE_PORT", 5200),
		CarrierBasePort: envInt("SB_CARRIER_BASE_PORT", 5600),
		User:            envStr("SB_ARI_USER", "switchboard"),
		Password:        envStr("SB_ARI_PASS", "switchboard"),
		App:             "switchboard",
	}
}

// Env is the environment pbx.sh runs with.
func (p *PBX) Env() []string {
	return append(os.Environ(),
		"SB_PBX_ROOT="+p.Root,
		"SB_PBX_RUN="+p.RunDir,
		"SB_SIP_PORT="+strconv.Itoa(p.SIPPort),
		"SB_ARI_PORT="+strconv.Itoa(p.ARIPort),
		"SB_RTP_START="+strconv.Itoa(p.RTPStart),
		"SB_RTP_END="+strconv.Itoa(p.RTPEnd),
		"SB_AGENT_BASE_PORT="+strconv.Itoa(p.AgentBasePort),
		"SB_CARRIER_BASE_PORT="+strconv.Itoa(p.CarrierBasePort),
		"SB_ARI_USER="+p.User,
		"SB_ARI_PASS="+p.Password,
	)
}

func (p *PBX) run(timeout time.Duration, args ...string) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", append([]string{p.Script}, args...)...)
	cmd.Env = p.Env()
	cmd.WaitDelay = 2 * time.Second
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("testbed: pbx.sh %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}

// Start builds the root if needed (minutes, once) and starts Asterisk unless it
// is already running; it returns when ARI answers.
func (p *PBX) Start() error { return p.run(10*time.Minute, "start") }

// Stop stops Asterisk (by the PID in its pid file). Idempotent.
func (p *PBX) Stop() error { return p.run(30*time.Second, "stop") }

// Restart stops and starts Asterisk; calls in progress are lost.
func (p *PBX) Restart() error { return p.run(2*time.Minute, "restart") }

// Running reports whether ARI answers.
func (p *PBX) Running() bool {
	req, _ := http.NewRequest(http.MethodGet, p.ARIURL()+"/asterisk/info", nil)
	req.SetBasicAuth(p.User, p.Password)
	c := http.Client{Timeout: 2 * time.Second}
	resp, err := c.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// ARIURL is the ARI base URL, "http://127.0.0.1:8088/ari".
func (p *PBX) ARIURL() string { return fmt.Sprintf("http://127.0.0.1:%d/ari", p.ARIPort) }

// EventsURL is the ARI events websocket URL for app (credentials in api_key).
func (p *PBX) EventsURL(app string) string {
	return fmt.Sprintf("ws://127.0.0.1:%d/ari/events?app=%s&api_key=%s:%s", p.ARIPort, app, p.User, p.Password)
}

// SIPAddr is where callers send INVITEs, "127.0.0.1:5060".
func (p *PBX) SIPAddr() string { return fmt.Sprintf("127.0.0.1:%d", p.SIPPort) }

// AgentPort is the UDP port of agent 100N's phone.
func (p *PBX) AgentPort(n int) int { return p.AgentBasePort + n }

// AgentEndpoint is the ARI endpoint of agent 100N, "PJSIP/100N".
func (p *PBX) AgentEndpoint(n int) string { return fmt.Sprintf("PJSIP/100%d", n) }

// SpecDir is the directory of Asterisk's ARI JSON (Swagger 1.2) spec files.
func (p *PBX) SpecDir() string { return filepath.Join(p.Root, "usr", "share", "asterisk", "rest-api") }

// MessagesLog is Asterisk's log file.
func (p *PBX) MessagesLog() string {
	return filepath.Join(p.Root, "var", "log", "asterisk", "messages.log")
}

var (
	lockMu sync.Mutex
	// mainActive is set by Main; startedHere records that a test of this
	// process started Asterisk, so Main stops it at the end.
	mainActive  atomic.Bool
	startedHere atomic.Bool
)

// lock takes the PBX lock shared by all test processes (flock on
// RunDir/e2e.lock) and returns its release.
func (p *PBX) lock() (func(), error) {
	if err := os.MkdirAll(p.RunDir, 0o755); err != nil {
		return nil, err
	}
	lockMu.Lock()
	f, err := os.OpenFile(filepath.Join(p.RunDir, "e2e.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		lockMu.Unlock()
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		lockMu.Unlock()
		return nil, err
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
		lockMu.Unlock()
	}, nil
}

// Main is a TestMain for packages with e2e tests:
//
//	func TestMain(m *testing.M) { testbed.Main(m) }
//
// With it, a PBX started by StartPBX stays up for the package's later tests
// and is stopped once at the end (unless SB_PBX_KEEP=1), instead of being
// started and stopped around every test (about 2.5 s each).
func Main(m *testing.M) {
	mainActive.Store(true)
	code := m.Run()
	if startedHere.Load() && os.Getenv("SB_PBX_KEEP") != "1" {
		p := DefaultPBX()
		if unlock, err := p.lock(); err == nil {
			if err := p.Stop(); err != nil {
				fmt.Fprintln(os.Stderr, err)
			}
			unlock()
		}
	}
	os.Exit(code)
}

// StartPBX starts the testbed PBX for a test (or uses the running one) and
// holds an exclusive lock on it until the test ends, so e2e tests in
// different packages never share or restart it under each other. If this call
// started Asterisk, the test's cleanup stops it again (or, under Main, the
// end of the package's tests), unless SB_PBX_KEEP=1.
// It fails the test when not running as root (chroot needs it).
func StartPBX(t testing.TB) *PBX {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Fatal("testbed: the PBX needs root (chroot)")
	}
	p := DefaultPBX()
	unlock, err := p.lock()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(unlock)
	wasRunning := p.Running()
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	switch {
	case wasRunning || os.Getenv("SB_PBX_KEEP") == "1":
	case mainActive.Load():
		startedHere.Store(true)
	default:
		t.Cleanup(func() {
			if err := p.Stop(); err != nil {
				t.Error(err)
			}
		})
	}
	return p
}

// FreePort is a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
