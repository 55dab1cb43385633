package testbed

import (
	"bufio"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// benchLine is one milestone of a bench scenario's log (see loadscenario.go).
type benchLine struct {
	at     time.Time
	what   string
	callID string
	rest   []string // invite: caller: the number; phone: To, From
}

// parseBenchLog reads "[timestamp]|what|call-id|…" lines; sipp's
// [timestamp] is "date\ttime\tepoch.micros", of which the epoch is used.
func parseBenchLog(s string) ([]benchLine, error) {
	var out []benchLine
	sc := bufio.NewScanner(strings.NewReader(s))
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		f := strings.Split(line, "|")
		if len(f) < 3 {
			return nil, fmt.Errorf("bench log: malformed line %q", line)
		}
		ts := strings.Fields(f[0])
		if len(ts) == 0 {
			return nil, fmt.Errorf("bench log: no timestamp in %q", line)
		}
		epoch, err := strconv.ParseFloat(ts[len(ts)-1], 64)
		if err != nil {
			return nil, fmt.Errorf("bench log: timestamp of %q: %w", line, err)
		}
		sec, frac := math.Modf(epoch)
		at := time.Unix(int64(sec), int64(math.Round(frac*1e6))*1000)
		out = append(out, benchLine{at: at, what: f[1], callID: f[2], rest: f[3:]})
	}
	return out, sc.Err()
}

var sipUser = regexp.MustCompile(`sip:([^@;>]+)@`)

// phoneLeg is one INVITE to a benchmark agent, as its phone saw it.
type phoneLeg struct {
	agent, caller string
	invite, ok    time.Time // ok: the agent's 200; zero if none
	end           time.Time // its BYE or the PBX's; zero if none
}

// phoneLegs groups the phones' log by call: which agent, which caller (the
// From's user part), and when it was offered, answered and ended.
func phoneLegs(lines []benchLine) []*phoneLeg {
	byID := map[string]*phoneLeg{}
	var legs []*phoneLeg
	for _, l := range lines {
		leg := byID[l.callID]
		switch l.what {
		case "invite":
			leg = &phoneLeg{invite: l.at}
			if len(l.rest) >= 2 {
				if m := sipUser.FindStringSubmatch(l.rest[0]); m != nil {
					leg.agent = m[1]
				}
				if m := sipUser.FindStringSubmatch(l.rest[1]); m != nil {
					leg.caller = m[1]
				}
			}
			byID[l.callID] = leg
			legs = append(legs, leg)
		case "ok":
			if leg != nil {
				leg.ok = l.at
			}
		case "bye", "remote-bye":
			if leg != nil && leg.end.IsZero() {
				leg.end = l.at
			}
		}
	}
	return legs
}

// benchCaller is one call of the caller's sipp.
type benchCaller struct {
	number  string
	invite  time.Time
	agentOK time.Time // the first agent 200 for this caller ID; zero if none
}

func benchCallers(lines []benchLine) map[string]*benchCaller {
	out := map[string]*benchCaller{}
	for _, l := range lines {
		if l.what == "invite" && len(l.rest) > 0 {
			out[l.rest[0]] = &benchCaller{number: l.rest[0], invite: l.at}
		}
	}
	return out
}

// Percentiles in milliseconds; N is the sample count.
type Percentiles struct {
	N   int     `json:"n"`
	P50 float64 `json:"p50_ms"`
	P95 float64 `json:"p95_ms"`
	P99 float64 `json:"p99_ms"`
}

func percentiles(d []time.Duration) Percentiles {
	if len(d) == 0 {
		return Percentiles{}
	}
	s := slices.Clone(d)
	slices.Sort(s)
	at := func(p float64) float64 {
		i := int(math.Ceil(p*float64(len(s)))) - 1 // nearest rank
		i = max(0, min(i, len(s)-1))
		return float64(s[i].Microseconds()) / 1000
	}
	return Percentiles{N: len(s), P50: at(0.50), P95: at(0.95), P99: at(0.99)}
}

// LoadStep is what one step of the benchmark measured for one system.
type LoadStep struct {
	System    string  `json:"system"` // "app_queue" or "switchboard"
	CPS       int     `json:"cps"`    // offered calls per second
	Seconds   float64 `json:"seconds"`
	Offered   int     `json:"offered"`
	Answered  int     `json:"answered"` // by an agent (its 200 OK)
	Abandoned int     `json:"abandoned"`
	// ToAgent: the caller's INVITE → the answering agent's 200 OK.
	ToAgent Percentiles `json:"to_agent"`
	// FreeToOffer: an agent's call ends (BYE) → the next INVITE to that
	// agent, counted only while a caller of the step was waiting.
	FreeToOffer Percentiles `json:"free_to_offer"`
	// AnsweredPerSec: agent answers over the span from the first to the last.
	AnsweredPerSec float64 `json:"answered_per_sec"`
	// CPU in % of one core over the step; -1 when the process was not running.
	CPUAsterisk    float64 `json:"cpu_asterisk_pct"`
	CPUSwitchboard float64 `json:"cpu_switchboard_pct"`
}

// analyzeStep computes a step from the caller's log and the phones' legs.
// Legs of other steps are told apart by the caller ID.
func analyzeStep(callerLog []benchLine, legs []*phoneLeg) LoadStep {
	callers := benchCallers(callerLog)
	var st LoadStep
	st.Offered = len(callers)
	var toAgent []time.Duration
	var firstOK, lastOK time.Time
	for _, leg := range legs {
		c := callers[leg.caller]
		if c == nil {
			continue
		}
		if leg.ok.IsZero() || !c.agentOK.IsZero() {
			continue
		}
		c.agentOK = leg.ok
		toAgent = append(toAgent, leg.ok.Sub(c.invite))
		if firstOK.IsZero() || leg.ok.Before(firstOK) {
			firstOK = leg.ok
		}
		if leg.ok.After(lastOK) {
			lastOK = leg.ok
		}
	}
	st.Answered = len(toAgent)
	st.Abandoned = st.Offered - st.Answered
	st.ToAgent = percentiles(toAgent)
	if span := lastOK.Sub(firstOK).Seconds(); st.Answered > 1 && span > 0 {
		st.AnsweredPerSec = float64(st.Answered-1) / span
	}
	st.FreeToOffer = percentiles(freeToOffer(callers, legs))
	return st
}

// freeToOffer: for each leg of this step's callers that ended, the time to
// the next INVITE to the same agent when that INVITE is for a caller who
// was already waiting when the agent came free. (A later caller is not
// counted: under light load the ACD rightly picks an agent idle longer.)
func freeToOffer(callers map[string]*benchCaller, legs []*phoneLeg) []time.Duration {
	byAgent := map[string][]*phoneLeg{}
	for _, leg := range legs {
		byAgent[leg.agent] = append(byAgent[leg.agent], leg)
	}
	var out []time.Duration
	for _, agentLegs := range byAgent {
		slices.SortFunc(agentLegs, func(a, b *phoneLeg) int { return a.invite.Compare(b.invite) })
		for i, leg := range agentLegs {
			if leg.end.IsZero() || callers[leg.caller] == nil || i+1 >= len(agentLegs) {
				continue
			}
			next := callers[agentLegs[i+1].caller]
			if next == nil || !next.invite.Before(leg.end) {
				continue
			}
			out = append(out, agentLegs[i+1].invite.Sub(leg.end))
		}
	}
	return out
}

// LoadTable renders the steps as one table: per step, a row per system.
func LoadTable(steps []LoadStep) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-22s %4s %7s %8s %6s | %8s %8s %8s | %8s %8s %5s | %7s | %6s %6s\n",
		"system", "cps", "offered", "answered", "aband",
		"toAg p50", "p95", "p99", "free p50", "p95", "n", "ans/s", "cpuAst", "cpuSB")
	cpu := func(v float64) string {
		if v < 0 {
			return "-"
		}
		return fmt.Sprintf("%.1f", v)
	}
	for _, s := range steps {
		fmt.Fprintf(&b, "%-22s %4d %7d %8d %6d | %8.1f %8.1f %8.1f | %8.1f %8.1f %5d | %7.1f | %6s %6s\n",
			s.System, s.CPS, s.Offered, s.Answered, s.Abandoned,
			s.ToAgent.P50, s.ToAgent.P95, s.ToAgent.P99,
			s.FreeToOffer.P50, s.FreeToOffer.P95, s.FreeToOffer.N,
			s.AnsweredPerSec, cpu(s.CPUAsterisk), cpu(s.CPUSwitchboard))
	}
	b.WriteString("times in ms, from sipp's SIP timestamps (one clock); toAg: caller INVITE → agent 200 OK;\n" +
		"free: agent's call ends (BYE) → next INVITE to it while callers wait; cpu: % of one core (/proc utime+stime)\n")
	return b.String()
}
