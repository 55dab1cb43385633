//go:build e2e && loadbench

package testbed

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"switchboard/store/pgtest"
)

// The load benchmark (make bench-load): the same calls through Asterisk's
// own app_queue and through Switchboard, on the same testbed Asterisk, in
// one run. 40 agents (2001..2040, pbx.sh) are played by ONE sipp on one port
// that answers at once and hangs up after benchTalk; callers come from ONE
// sipp per step at each rate for benchArrivals. Times come from the sipp
// logs' wall-clock timestamps (loadscenario.go), CPU from /proc.
const (
	benchAgents   = 40
	benchArrivals = 15 * time.Second
	benchTalk     = time.Second
	// benchPatience: a caller nobody has answered by then hangs up (counted
	// as abandoned); it bounds every step under overload.
	benchPatience = 20 * time.Second
	// benchSettle lets the last calls end and the agents come free before
	// the next step.
	benchSettle = 3 * time.Second
)

// benchHeader is e2eHeader without debug logging (it would be most of
// Switchboard's CPU at 60 cps).
const benchHeader = `listen: %s
data_dir: %s
log_level: info
pbx:
  node: testbed
  ari: {url: "http://127.0.0.1:%d", user: switchboard, password: switchboard, app: switchboard}
`

// benchRouting: every number goes straight to one queue (no prompts),
// longest idle. The queue's wrap_up: 0s would become 10 s (a known bug of
// queue defaults), so each agent carries wrap_up: 0s, which is honoured.
func benchRouting() string {
	var b strings.Builder
	b.WriteString(`routes: {default: bench}
flows:
  bench:
    start: queue
    nodes:
      queue: {queue: {queue: bench}}
queues:
  bench: {strategy: longest_idle, join_empty: true, max_wait: 5m, ring_timeout: 15s}
agents:
`)
	for n := 1; n <= benchAgents; n++ {
		fmt.Fprintf(&b, "  - {id: \"%d\", endpoint: PJSIP/%d, queues: [bench], wrap_up: 0s}\n", 2000+n, 2000+n)
	}
	return b.String()
}

// benchRun is the benchmark's record: the machine, the load, the steps.
type benchRun struct {
	Started  time.Time  `json:"started"`
	Commit   string     `json:"commit"`
	CPUs     int        `json:"cpus"`
	LoadAvg  [2]string  `json:"loadavg_start_end"`
	Agents   int        `json:"agents"`
	Arrivals string     `json:"arrivals_per_step"`
	Talk     string     `json:"talk"`
	Patience string     `json:"patience"`
	Steps    []LoadStep `json:"steps"`
}

// TestLoadBench runs the load benchmark; it is built only with the loadbench tag (make
// bench-load). SB_LOAD_BENCH_CPS (default 10,20,30,40,60) and
// SB_LOAD_BENCH_SYSTEMS (default app_queue,switchboard) narrow it;
// "switchboard_unfiltered" is Switchboard with the Stasis application's
// event filter cleared after it connected (every event type, as before the
// ari driver set one), to measure what the filter saves.
// SB_LOAD_BENCH_PROFILE=CPS takes a CPU profile of Switchboard during the
// arrivals of that step (.cache/bench-load/switchboard-cpu.pprof, and its
// top in switchboard-cpu-top.txt).
func TestLoadBench(t *testing.T) {
	rates, err := benchInts(envStr("SB_LOAD_BENCH_CPS", "10,20,30,40,60"))
	if err != nil {
		t.Fatal(err)
	}
	profileCPS := envInt("SB_LOAD_BENCH_PROFILE", 0)
	pprofPort := FreePort(t)
	systems := strings.Split(envStr("SB_LOAD_BENCH_SYSTEMS", "app_queue,switchboard"), ",")
	run := benchRun{Started: time.Now().UTC(), Commit: gitCommit(), CPUs: runtime.NumCPU(), Agents: benchAgents,
		Arrivals: benchArrivals.String(), Talk: benchTalk.String(), Patience: benchPatience.String()}
	run.LoadAvg[0] = loadAvg()

	p := StartPBX(t)
	// An Asterisk started by an older pbx.sh lacks the bench agents or
	// app_queue: restart it with this checkout's configuration.
	if code, _, err := p.ARI("GET", "/endpoints/PJSIP/2040", nil); err != nil || code != 200 {
		t.Logf("the running Asterisk has no PJSIP/2040 (%d, %v): restarting it", code, err)
		if err := p.Restart(); err != nil {
			t.Fatal(err)
		}
	}
	astPID, err := asteriskPID(p)
	if err != nil {
		t.Fatal(err)
	}
	bin := benchSwitchboardBinary(t)
	dir := t.TempDir()
	if keep := os.Getenv("SB_LOAD_BENCH_DIR"); keep != "" {
		dir = keep // keep the sipp scenarios and logs to look at
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// Bounded: the phones live as long as every step could take.
	phonesLife := time.Duration(len(rates)*len(systems)) * (benchArrivals + benchPatience + benchTalk + 30*time.Second)
	phonePort := envInt("SB_BENCH_PHONE_PORT", 5300)
	phones, err := startSipp(t, dir, "bench-phones", BenchPhonesScenario(benchTalk),
		[]string{"-p", strconv.Itoa(phonePort)}, phonesLife)
	if err != nil {
		t.Fatal(err)
	}
	if err := waitUDPBound(phonePort, phones, 5*time.Second); err != nil {
		t.Fatalf("bench phones: %v; output: %s", err, readFile(phones.outFile))
	}

	type pending struct {
		step      LoadStep
		callerLog string
	}
	var done []pending
	for si, system := range systems {
		number := "appqueue"
		var s *sb
		sbPID := -1
		switch system {
		case "app_queue":
		case "switchboard", "switchboard_unfiltered", "switchboard_postgres":
			number = "200"
			if profileCPS > 0 {
				t.Setenv("SWITCHBOARD_PPROF", fmt.Sprintf("127.0.0.1:%d", pprofPort))
			}
			header := benchHeader
			if system == "switchboard_postgres" {
				// The store on a PostgreSQL the test starts (its server's
				// own CPU is not in the Switchboard column).
				header = strings.Replace(header, "log_level: info\n", "log_level: info\nstore: {kind: postgres, dsn: '"+pgtest.DSN(t)+"'}\n", 1)
			}
			s = launchSwitchboard(t, bin, header, p, benchRouting())
			for n := 1; n <= benchAgents; n++ {
				s.signIn(strconv.Itoa(2000 + n))
			}
			sbPID = s.cmd.Process.Pid
			if system == "switchboard_unfiltered" {
				clearEventFilter(t, p)
			}
		default:
			t.Fatalf("SB_LOAD_BENCH_SYSTEMS: unknown system %q (app_queue, switchboard, switchboard_unfiltered, switchboard_postgres)", system)
		}
		for ri, cps := range rates {
			prefix := fmt.Sprintf("7%d%d", si, ri) // caller IDs 7<system><step><call number>
			var prof chan []byte
			if s != nil && cps == profileCPS {
				prof = fetchProfile(t, pprofPort, benchArrivals)
			}
			step, log := benchStep(t, dir, p, number, prefix, cps, astPID, sbPID)
			if prof != nil {
				saveProfile(t, bin, <-prof)
			}
			step.System = system
			t.Logf("%s at %d cps: done (load %s)", system, cps, loadAvg())
			done = append(done, pending{step, log})
			time.Sleep(benchSettle)
		}
		if s != nil {
			s.stop()
		}
	}
	phones.kill()
	_, _ = phones.wait()
	run.LoadAvg[1] = loadAvg()

	phoneLines, err := parseBenchLog(readFile(phones.logFile))
	if err != nil {
		t.Fatal(err)
	}
	legs := phoneLegs(phoneLines)
	for _, d := range done {
		lines, err := parseBenchLog(d.callerLog)
		if err != nil {
			t.Fatal(err)
		}
		st := analyzeStep(lines, legs)
		st.System, st.CPS, st.Seconds = d.step.System, d.step.CPS, d.step.Seconds
		st.CPUAsterisk, st.CPUSwitchboard = d.step.CPUAsterisk, d.step.CPUSwitchboard
		run.Steps = append(run.Steps, st)
	}
	table := fmt.Sprintf("load benchmark %s, commit %s, %d CPUs, load average %s → %s\n%d agents, %v arrivals per step, %v talk, %v patience\n%s",
		run.Started.Format(time.RFC3339), run.Commit, run.CPUs, run.LoadAvg[0], run.LoadAvg[1],
		benchAgents, benchArrivals, benchTalk, benchPatience, LoadTable(run.Steps))
	t.Log("\n" + table)
	writeBenchResults(t, run, table)
	for _, st := range run.Steps {
		if st.Answered == 0 {
			t.Errorf("%s at %d cps: no call reached an agent", st.System, st.CPS)
		}
	}
}

// benchStep places cps calls a second for benchArrivals to number and
// waits for the caller's sipp to finish; the step carries CPU and time,
// the returned log the caller's milestones.
func benchStep(t *testing.T, dir string, p *PBX, number, prefix string, cps, astPID, sbPID int) (LoadStep, string) {
	t.Helper()
	calls := cps * int(benchArrivals/time.Second)
	port, err := FreeUDPPort()
	if err != nil {
		t.Fatal(err)
	}
	args := []string{
		"-s", number, p.SIPAddr(),
		"-m", strconv.Itoa(calls), "-r", strconv.Itoa(cps), "-rp", "1000",
		"-l", strconv.Itoa(calls), "-p", strconv.Itoa(port),
	}
	life := benchArrivals + benchPatience + benchTalk + 15*time.Second
	ast0, err := SampleCPU(astPID)
	if err != nil {
		t.Fatal(err)
	}
	sb0 := sampleOptional(sbPID)
	name := fmt.Sprintf("caller-%s-%d", prefix, cps)
	proc, err := startSipp(t, dir, name, BenchCallerScenario(prefix, benchPatience, benchTalk), args, life)
	if err != nil {
		t.Fatal(err)
	}
	code, err := proc.wait()
	ast1, _ := SampleCPU(astPID)
	sb1 := sampleOptional(sbPID)
	if err != nil || code != 0 {
		// Not fatal: under overload some calls end in sipp's own errors;
		// the numbers say how many were served.
		t.Logf("%s: sipp exited %d (%v); errors (tail): %s", name, code, err, lastLines(sippErrors(readFile(proc.errFile)), 60))
	}
	st := LoadStep{CPS: cps, Seconds: ast1.At.Sub(ast0.At).Seconds(), CPUAsterisk: CPUPercent(ast0, ast1), CPUSwitchboard: -1}
	if sbPID > 0 {
		st.CPUSwitchboard = CPUPercent(sb0, sb1)
	}
	return st, readFile(proc.logFile)
}

func sampleOptional(pid int) CPUSample {
	if pid <= 0 {
		return CPUSample{}
	}
	s, _ := SampleCPU(pid)
	return s
}

func asteriskPID(p *PBX) (int, error) {
	b, err := os.ReadFile(filepath.Join(p.RunDir, "asterisk.pid"))
	if err != nil {
		return 0, fmt.Errorf("asterisk pid: %w", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return 0, fmt.Errorf("asterisk pid file: %w", err)
	}
	return pid, nil
}

// benchSwitchboardBinary builds switchboard without -race (the e2e tests'
// binary has it, which would multiply its CPU).
func benchSwitchboardBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "switchboard")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/switchboard")
	cmd.Dir = RepoDir()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func benchInts(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("SB_LOAD_BENCH_CPS: %q is not a positive rate", f)
		}
		out = append(out, n)
	}
	return out, nil
}

func loadAvg() string {
	f := strings.Fields(readFile("/proc/loadavg"))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

func gitCommit() string {
	out, err := exec.Command("git", "-C", RepoDir(), "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return "?"
	}
	return strings.TrimSpace(string(out))
}

// writeBenchResults keeps the table and its JSON under .cache/bench-load/,
// stamped and as latest.*, for comparing runs.
func writeBenchResults(t *testing.T, run benchRun, table string) {
	t.Helper()
	dir := filepath.Join(RepoDir(), ".cache", "bench-load")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	js, err := json.MarshalIndent(run, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	stamp := run.Started.Format("20060102T150405Z")
	for _, f := range []struct {
		name string
		data []byte
	}{
		{stamp + ".txt", []byte(table)}, {stamp + ".json", js},
		{"latest.txt", []byte(table)}, {"latest.json", js},
	} {
		if err := os.WriteFile(filepath.Join(dir, f.name), f.data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("results: %s/%s.{txt,json}", dir, stamp)
}

// fetchProfile asks Switchboard's pprof listener for a CPU profile of d;
// the channel gets it (nil on failure) when d is over.
func fetchProfile(t *testing.T, port int, d time.Duration) chan []byte {
	out := make(chan []byte, 1)
	go func() {
		url := fmt.Sprintf("http://127.0.0.1:%d/debug/pprof/profile?seconds=%d", port, int(d/time.Second))
		c := http.Client{Timeout: d + 30*time.Second}
		resp, err := c.Get(url)
		if err != nil {
			t.Logf("profile: %v", err)
			out <- nil
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil || resp.StatusCode != 200 {
			t.Logf("profile: %d %v", resp.StatusCode, err)
			b = nil
		}
		out <- b
	}()
	return out
}

// saveProfile writes the profile and `go tool pprof -top` of it under
// .cache/bench-load/.
func saveProfile(t *testing.T, bin string, prof []byte) {
	t.Helper()
	if prof == nil {
		t.Error("no CPU profile of Switchboard")
		return
	}
	dir := filepath.Join(RepoDir(), ".cache", "bench-load")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	pf := filepath.Join(dir, "switchboard-cpu.pprof")
	if err := os.WriteFile(pf, prof, 0o644); err != nil {
		t.Fatal(err)
	}
	top, err := exec.Command("go", "tool", "pprof", "-top", "-nodecount=40", bin, pf).CombinedOutput()
	if err != nil {
		t.Errorf("go tool pprof: %v\n%s", err, top)
		return
	}
	cum, _ := exec.Command("go", "tool", "pprof", "-top", "-cum", "-nodecount=40", bin, pf).CombinedOutput()
	text := string(top) + "\n--- by cumulative time ---\n" + string(cum)
	if err := os.WriteFile(filepath.Join(dir, "switchboard-cpu-top.txt"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("CPU profile: %s (top: switchboard-cpu-top.txt)\n%s", pf, firstLines(string(top), 25))
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n")
}

// clearEventFilter empties the Stasis application's event filter that the
// ari driver set at connect: Asterisk then sends every event type again.
func clearEventFilter(t *testing.T, p *PBX) {
	t.Helper()
	body := map[string][]any{"allowed": {}, "disallowed": {}}
	code, resp, err := p.ARI("PUT", "/applications/"+p.App+"/eventFilter", body)
	if err != nil || code != 200 {
		t.Fatalf("clear the event filter: %d %v %s", code, err, resp)
	}
	var app struct {
		EventsAllowed []any `json:"events_allowed"`
	}
	if err := json.Unmarshal(resp, &app); err != nil || len(app.EventsAllowed) != 0 {
		t.Fatalf("event filter after clearing: %s (%v)", resp, err)
	}
}
