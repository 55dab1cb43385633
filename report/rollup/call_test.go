package rollup

import (
	"testing"
	"time"

	"switchboard/routing"
)

// A call answered after 12 s and talked 60 s: its queue and agent metrics,
// and removing it again leaves nothing.
func TestContrib(t *testing.T) {
	t0 := time.Date(2026, 12, 2, 9, 7, 0, 0, time.UTC)
	call := &Call{ID: "c1", Queue: "support", Agent: "1001", FirstAt: t0, ArrivedAt: t0, QueuedAt: t0.Add(3 * time.Second),
		AnsweredAt: t0.Add(15 * time.Second), EndedAt: t0.Add(75 * time.Second), Outcome: routing.OutcomeAnswered, SurveyScore: 4}
	c := Config{}
	tl := NewTally()
	c.Contrib(tl, call, 1)
	b := "2026-12-02T09:00:00.000000000Z"
	for metric, want := range map[string]float64{"calls": 1, "offered": 1, "answered": 1, "answered_sl": 1,
		"wait_answered_s": 12, "talk_s": 60, "handled": 1, "waited": 1, "wait_le_20s": 1, "surveys": 1, "survey_score_4": 1} {
		if got := tl.Sum[Key{Grain15m, DimQueue, b, "support", metric}]; got != want {
			t.Errorf("queue %s = %v, want %v", metric, got, want)
		}
	}
	if got := tl.Sum[Key{GrainDay, DimAgent, "2026-12-02", "1001", "answered_sl"}]; got != 1 {
		t.Errorf("agent answered_sl = %v", got)
	}
	if got := tl.Max[Key{Grain15m, DimQueue, b, "support", "max_wait_s"}]; got != 12 {
		t.Errorf("max_wait_s = %v", got)
	}
	c.Contrib(tl, call, -1)
	for k, v := range tl.Sum {
		if v > 1e-9 || v < -1e-9 {
			t.Errorf("%v = %v after removing the call", k, v)
		}
	}
}

// Time in a state is split at 15-minute boundaries.
func TestRecordAgentStateSpends(t *testing.T) {
	t0 := time.Date(2026, 12, 2, 9, 10, 0, 0, time.UTC)
	look := fakeLookup{agents: map[string]*AgentNow{"1001": {State: routing.Ready.String(), Since: t0}}}
	rec := &routing.Record{Type: routing.EvAgentState, AgentID: "1001", Time: t0.Add(10 * time.Minute),
		Data: []byte(`{"from":"ready","to":"reserved"}`)}
	tl := NewTally()
	if err := (Config{}).Record(tl, rec, look); err != nil {
		t.Fatal(err)
	}
	m := "state_s:" + routing.Ready.String()
	if a, b := tl.Sum[Key{Grain15m, DimAgents, "2026-12-02T09:00:00.000000000Z", "", m}], tl.Sum[Key{Grain15m, DimAgents, "2026-12-02T09:15:00.000000000Z", "", m}]; a != 300 || b != 300 {
		t.Errorf("split = %v + %v, want 300 + 300", a, b)
	}
	if a := look.agents["1001"]; a.State != "reserved" || !a.Since.Equal(rec.Time) {
		t.Errorf("agent now %+v", a)
	}
}

type fakeLookup struct{ agents map[string]*AgentNow }

func (fakeLookup) Call(string) (*Call, error)       { return nil, nil }
func (fakeLookup) Message(string) (*Message, error) { return nil, nil }
func (f fakeLookup) Agent(id string) (*AgentNow, error) {
	if f.agents[id] == nil {
		f.agents[id] = &AgentNow{}
	}
	return f.agents[id], nil
}

// A call held 20 s of its 60 s: 40 s talk, 20 s hold, both in AHT's sum.
func TestContribHold(t *testing.T) {
	t0 := time.Date(2026, 12, 2, 9, 7, 0, 0, time.UTC)
	call := &Call{ID: "c1", Queue: "support", Agent: "1001", FirstAt: t0, ArrivedAt: t0, QueuedAt: t0,
		AnsweredAt: t0.Add(5 * time.Second), EndedAt: t0.Add(65 * time.Second), Outcome: routing.OutcomeAnswered, HoldSeconds: 20}
	tl := NewTally()
	Config{}.Contrib(tl, call, 1)
	for metric, want := range map[string]float64{"talk_s": 40, "hold_s": 20, "handled": 1} {
		if got := tl.Sum[Key{GrainDay, DimAgent, "2026-12-02", "1001", metric}]; got != want {
			t.Errorf("agent %s = %v, want %v", metric, got, want)
		}
	}
}
