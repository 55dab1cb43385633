//go:build e2e

package testbed

import (
	"fmt"
	"testing"
	"time"
)

// reportTable is the part of GET /api/v1/reports/{name} the test reads.
type reportTable struct {
	Columns []struct {
		Key string `json:"key"`
	} `json:"columns"`
	Rows []struct {
		Key    string     `json:"key"`
		Values []*float64 `json:"values"`
	} `json:"rows"`
}

func (r reportTable) value(t *testing.T, row, col string) float64 {
	t.Helper()
	for _, rw := range r.Rows {
		if rw.Key != row {
			continue
		}
		for i, c := range r.Columns {
			if c.Key == col {
				if rw.Values[i] == nil {
					return -1
				}
				return *rw.Values[i]
			}
		}
	}
	t.Fatalf("no %s/%s in the report", row, col)
	return 0
}

// TestE2EReportCountsRealCalls places real calls (answered, short abandon,
// long abandon, no agent) and checks the report counts each as docs/kpis.md
// says.
func TestE2EReportCountsRealCalls(t *testing.T) {
	p := StartPBX(t)
	s := startSwitchboard(t, p)
	StartPhone(t, p, 1, Answer(1*time.Second))
	s.signIn("1001")

	// Answered: rings 1 s, talk 3 s.
	if res := caller(p, "1", Pause(3*time.Second), HangUp()).Run(t); res.Err != nil {
		t.Fatalf("answered caller: %v\n%s", res.Err, res.ErrorLog)
	}
	s.endedCalls(1, 10*time.Second)
	s.eventually(10*time.Second, "agent ready after wrap-up", func() bool { return s.agent("1001").State == "ready" })

	// Abandons: nobody ready, the caller waits 1 s (short) then 8 s (long).
	if code := s.do("PUT", "/api/v1/agents/1001/state", map[string]string{"state": "not_ready", "reason": "break"}, nil); code != 200 {
		t.Fatalf("not ready: %d", code)
	}
	for i, wait := range []time.Duration{time.Second, 8 * time.Second} {
		if res := caller(p, "1", Pause(wait), HangUp()).Run(t); res.Err != nil {
			t.Fatalf("abandoning caller: %v\n%s", res.Err, res.ErrorLog)
		}
		s.endedCalls(2+i, 10*time.Second)
	}

	// No agent: signed out, the queue step takes the no-agent branch.
	if code := s.do("POST", "/api/v1/agents/1001/sign-out", map[string]string{"reason": "end of shift"}, nil); code != 200 {
		t.Fatalf("sign out: %d", code)
	}
	if res := caller(p, "1", ExpectBYE(30*time.Second)).Run(t); res.Err != nil {
		t.Fatalf("no-agent caller: %v\n%s", res.Err, res.ErrorLog)
	}
	calls := s.endedCalls(4, 10*time.Second)
	outcomes := map[string]int{}
	for _, c := range calls {
		outcomes[c.Outcome]++
	}
	if outcomes["answered"] != 1 || outcomes["abandoned_queue"] != 2 || outcomes["no_agent"] != 1 {
		t.Fatalf("outcomes %v", outcomes)
	}

	now := time.Now()
	period := fmt.Sprintf("from=%s&to=%s", now.AddDate(0, 0, -1).Format(time.DateOnly), now.Format(time.DateOnly))
	var byQueue reportTable
	if code := s.do("GET", "/api/v1/reports/summary?group=queue&"+period, nil, &byQueue); code != 200 {
		t.Fatalf("report: %d", code)
	}
	for col, want := range map[string]float64{
		"offered": 3, "answered": 1, "answered_sl": 1, "abandoned_queue": 2, "short_abandoned": 1,
		"abandoned_ringing": 0, "answer_rate": 50, "abandon_rate": 50, "handled": 1,
	} {
		if got := byQueue.value(t, "support", col); got != want {
			t.Errorf("support %s = %v, want %v", col, got, want)
		}
	}
	if got := byQueue.value(t, "", "no_agent"); got != 1 {
		t.Errorf("no_agent = %v, want 1", got)
	}
	if asa := byQueue.value(t, "support", "asa"); asa < 0.9 || asa > 5 {
		t.Errorf("ASA %v, want about the 1 s ring", asa)
	}
	if talk := byQueue.value(t, "support", "talk"); talk < 2 || talk > 5 {
		t.Errorf("talk %v, want about 3 s", talk)
	}

	var byAgent reportTable
	if code := s.do("GET", "/api/v1/reports/summary?group=agent&"+period, nil, &byAgent); code != 200 {
		t.Fatalf("agent report: %d", code)
	}
	if got := byAgent.value(t, "1001", "answered"); got != 1 {
		t.Errorf("1001 answered %v", got)
	}
	if got := byAgent.value(t, "1001", "not_ready"); got < 8 {
		t.Errorf("1001 not ready %v s, want the break (≥ 8 s)", got)
	}
	if got := byAgent.value(t, "1001", "wrap_up"); got <= 0 {
		t.Errorf("1001 wrap-up %v", got)
	}
	// The no-agent call came after sign-out: nobody was offered it.
	if got := byAgent.value(t, "1001", "offers"); got != 1 {
		t.Errorf("1001 offers %v, want 1", got)
	}
}
