//go:build e2e

package testbed

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
)

// crashLoadRouting: ten agents (the bench phones 2001..2010, one sipp
// for all), one queue, no prompts, no wrap-up.
func crashLoadRouting(agents int) string {
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
	for n := 1; n <= agents; n++ {
		fmt.Fprintf(&b, "  - {id: \"%d\", endpoint: PJSIP/%d, queues: [bench], wrap_up: 0s}\n", 2000+n, 2000+n)
	}
	return b.String()
}

// TestE2ELoadSwitchboardKilled is issue 13's crash test under load on the
// real Asterisk: 3 calls a second for 10 s to 10 agents talking 3 s;
// Switchboard is killed with SIGKILL 4 s in, while callers wait, phones
// ring and agents talk, and started again on the same data a second
// later. Compared call by call, the sipp side against the API:
//   - every call that reached Switchboard has one complete record
//     (ended, an outcome; answered ones with an agent and a talk time);
//   - no caller reached two agents (no second conversation for a call an
//     agent had answered before the crash);
//   - every caller who reached Switchboard and stayed was answered;
//   - no agent is left reserved, ringing or on a call, and Asterisk holds
//     no channel afterwards.
//
// Callers arriving while no Switchboard is connected get the dialplan's
// fallback (no Stasis app): they never reach it and are only counted.
// (The ARI goes through a proxy, so TestE2ELoadARIDropped can share the
// load; here nothing cuts it.)
func TestE2ELoadSwitchboardKilled(t *testing.T) {
	loadOutage(t, startSwitchboardWith, func(t *testing.T, s *sb, _ *cutProxy) *sb {
		s.kill()
		killed := time.Now()
		time.Sleep(time.Second)
		s.start()
		t.Logf("switchboard back %v after SIGKILL", time.Since(killed).Round(10*time.Millisecond))
		return s
	})
}

// TestE2ELoadARIDropped is the same load with the ARI link (websocket and
// REST) cut through a proxy 4 s in and refused for 2 s, Switchboard
// running on: the same call-by-call comparison holds.
func TestE2ELoadARIDropped(t *testing.T) {
	loadOutage(t, startSwitchboardWith, func(t *testing.T, s *sb, proxy *cutProxy) *sb {
		proxy.setDown(true)
		proxy.cut()
		cut := time.Now()
		time.Sleep(2 * time.Second)
		proxy.setDown(false)
		s.waitLinkUp(30 * time.Second)
		t.Logf("link back %v after the cut", time.Since(cut).Round(10*time.Millisecond))
		return s
	})
}

// loadOutage runs the load on the Switchboard launch starts, calls
// outage 4 s into the arrivals, and compares the sipp side with the API
// of the Switchboard outage returns (the same one, or the node that took
// over) call by call (see TestE2ELoadSwitchboardKilled). Switchboard
// reaches the ARI through a proxy the outage may cut.
func loadOutage(t *testing.T, launch func(t *testing.T, via *PBX, routing string) *sb, outage func(t *testing.T, s *sb, proxy *cutProxy) *sb) {
	const (
		agents   = 10
		cps      = 3
		arrivals = 10 * time.Second
		talk     = 3 * time.Second
		patience = 25 * time.Second
		outageAt = 4 * time.Second
	)
	p := StartPBX(t)
	proxy := startCutProxy(t, fmt.Sprintf("127.0.0.1:%d", p.ARIPort))
	via := *p
	via.ARIPort = proxy.port()
	dir := t.TempDir()
	phonePort := envInt("SB_BENCH_PHONE_PORT", 5300)
	life := arrivals + patience + talk + 60*time.Second
	phones, err := startSipp(t, dir, "phones", BenchPhonesScenario(talk), []string{"-p", strconv.Itoa(phonePort)}, life)
	if err != nil {
		t.Fatal(err)
	}
	if err := waitUDPBound(phonePort, phones, 5*time.Second); err != nil {
		t.Fatalf("phones: %v; output: %s", err, readFile(phones.outFile))
	}
	s := launch(t, &via, crashLoadRouting(agents))
	for n := 1; n <= agents; n++ {
		s.signIn(strconv.Itoa(2000 + n))
	}

	calls := cps * int(arrivals/time.Second)
	port, err := FreeUDPPort()
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"-s", "200", p.SIPAddr(), "-m", strconv.Itoa(calls), "-r", strconv.Itoa(cps), "-rp", "1000",
		"-l", strconv.Itoa(calls), "-p", strconv.Itoa(port)}
	const prefix = "7900"
	callers, err := startSipp(t, dir, "callers", BenchCallerScenario(prefix, patience, talk), args, arrivals+patience+talk+30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(outageAt) // the load's own clock: sipp paces the arrivals
	outageStart := time.Now()
	s = outage(t, s, proxy)
	outageLen := time.Since(outageStart)
	if code, err := callers.wait(); err != nil || code != 0 {
		t.Logf("callers' sipp exited %d (%v); errors (tail): %s", code, err, lastLines(sippErrors(readFile(callers.errFile)), 20))
	}
	s.eventually(20*time.Second, "no agent reserved, ringing or on a call", func() bool {
		for n := 1; n <= agents; n++ {
			if st := s.agent(strconv.Itoa(2000 + n)).State; st != "ready" {
				return false
			}
		}
		return true
	})
	noChannelsLeft(s, p)
	phones.kill()
	_, _ = phones.wait()

	callerLines, err := parseBenchLog(readFile(callers.logFile))
	if err != nil {
		t.Fatal(err)
	}
	phoneLines, err := parseBenchLog(readFile(phones.logFile))
	if err != nil {
		t.Fatal(err)
	}
	placed := benchCallers(callerLines)
	if len(placed) != calls {
		t.Fatalf("sipp placed %d calls, want %d", len(placed), calls)
	}
	legs := map[string][]*phoneLeg{} // by caller number
	for _, l := range phoneLegs(phoneLines) {
		legs[l.caller] = append(legs[l.caller], l)
	}

	// Every call Switchboard saw, by caller number.
	var list struct {
		Calls []struct {
			ID, Caller, Agent, Outcome string
			Talk                       *float64   `json:"talk_seconds"`
			Ended                      *time.Time `json:"ended_at"`
			Offers                     int
		}
	}
	s.eventually(20*time.Second, "every call ended", func() bool {
		list.Calls = nil
		s.do("GET", "/api/v1/calls?limit=500", nil, &list)
		for _, c := range list.Calls {
			if c.Ended == nil {
				return false
			}
		}
		return len(list.Calls) > 0
	})
	seen := map[string]int{}
	answered, fallback, ghosts := 0, 0, 0
	for _, c := range list.Calls {
		seen[c.Caller]++
		if c.Outcome == "" || c.Ended == nil {
			t.Errorf("call %s (%s): incomplete record %+v", c.ID, c.Caller, c)
		}
		if c.Outcome == "answered" {
			answered++
			if c.Agent == "" || c.Talk == nil || *c.Talk <= 0 {
				t.Errorf("call %s (%s): answered with agent %q talk %v", c.ID, c.Caller, c.Agent, c.Talk)
			}
		}
	}
	for num := range placed {
		n := seen[num]
		if n > 1 {
			t.Errorf("caller %s has %d call records", num, n)
		}
		// A conversation: an agent's phone answered and the leg lasted
		// past a second. A leg that the engine hung up right after it
		// answered (an originate of an offer it had already given up on,
		// racing the link's return) is a ghost ring, counted apart.
		agentsAnswered := 0
		for _, l := range legs[num] {
			switch {
			case l.ok.IsZero():
			case !l.end.IsZero() && l.end.Sub(l.ok) < time.Second:
				ghosts++
				t.Logf("caller %s: ghost leg to %s, answered and hung up after %v", num, l.agent, l.end.Sub(l.ok).Round(time.Millisecond))
			default:
				agentsAnswered++
			}
		}
		if agentsAnswered > 1 {
			t.Errorf("caller %s talked to %d agents (one call, two conversations)", num, agentsAnswered)
		}
		if n == 0 {
			fallback++ // arrived while no Switchboard was connected
			continue
		}
		if agentsAnswered != 1 {
			t.Errorf("caller %s reached Switchboard but %d agents answered them", num, agentsAnswered)
		}
	}
	t.Logf("%d calls placed: %d reached Switchboard (%d answered by an agent), %d arrived during the outage (the dialplan's fallback); %d ghost legs",
		calls, len(seen), answered, fallback, ghosts)
	// Every caller who arrived while a Switchboard was connected reaches
	// it: at most the outage's arrivals (plus 2 s either side for the link
	// coming up and going down) get the fallback.
	if most := cps * int((outageLen+2*time.Second+time.Second-1)/time.Second); fallback > most {
		t.Errorf("%d calls got the fallback during an outage of %v; at most %d arrived then", fallback, outageLen.Round(10*time.Millisecond), most)
	}
}
