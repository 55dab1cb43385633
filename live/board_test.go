package live

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"switchboard/report"
	"switchboard/routing"
	"switchboard/store"
	"switchboard/store/storetest"
)

var now = time.Date(2026, 3, 14, 10, 0, 0, 0, time.UTC)

type fakeEngine struct {
	mu     sync.Mutex
	queues []routing.QueueView
	agents []routing.AgentView
	calls  int
}

func (f *fakeEngine) Queues(context.Context) ([]routing.QueueView, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	return append([]routing.QueueView(nil), f.queues...), nil
}

func (f *fakeEngine) Agents(context.Context) ([]routing.AgentView, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]routing.AgentView(nil), f.agents...), nil
}

func (f *fakeEngine) setWaiting(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queues[0].Waiting = n
}

func newEngine() *fakeEngine {
	return &fakeEngine{
		queues: []routing.QueueView{{Name: "support", Waiting: 2, LongestWaitSeconds: 45,
			Agents:       map[string]int{"ready": 1, "on_call": 1},
			ServiceLevel: routing.SLView{TargetPercent: 80, WithinSeconds: 20}}},
		agents: []routing.AgentView{
			{ID: "a1", State: routing.Ready, Team: "front"},
			{ID: "a2", State: routing.OnCall, Team: "front"},
			{ID: "a3", State: routing.SignedOut},
		},
	}
}

func mkrec(at time.Time, typ, call, agent, queue string, data any) *routing.Record {
	b, _ := json.Marshal(data)
	return &routing.Record{Time: at, Type: typ, CallID: call, AgentID: agent, Queue: queue, Data: b}
}

// call appends one call's records: queued at q, answered after wait (by
// agent) or ended with outcome after wait.
func call(id string, q time.Time, wait time.Duration, agent, outcome string) []*routing.Record {
	out := []*routing.Record{
		mkrec(q.Add(-5*time.Second), routing.EvCallArrived, id, "", "", routing.CallArrivedData{Caller: "13812345678"}),
		mkrec(q, routing.EvCallQueued, id, "", "support", routing.QueuedData{Queue: "support"}),
	}
	if agent != "" {
		out = append(out,
			mkrec(q.Add(wait), routing.EvCallAnswered, id, agent, "support", routing.OfferData{Agent: agent}),
			mkrec(q.Add(wait+time.Minute), routing.EvCallEnded, id, agent, "support", routing.EndedData{Outcome: routing.OutcomeAnswered}))
	} else {
		out = append(out, mkrec(q.Add(wait), routing.EvCallEnded, id, "", "support", routing.EndedData{Outcome: outcome}))
	}
	return out
}

// seededStore: today c4 (08:00, answered after 30 s by a2), c1 (09:50,
// answered after 10 s by a1), c2 (09:55, short abandon after 3 s), c3
// (09:56, abandoned after 40 s).
func seededStore(t *testing.T) (*store.Store, *report.Builder) {
	return storeWith(t, now,
		call("c4", now.Add(-2*time.Hour), 30*time.Second, "a2", ""),
		call("c1", now.Add(-10*time.Minute), 10*time.Second, "a1", ""),
		call("c2", now.Add(-5*time.Minute), 3*time.Second, "", routing.OutcomeAbandonedQueue),
		call("c3", now.Add(-4*time.Minute), 40*time.Second, "", routing.OutcomeAbandonedQueue),
	)
}

// storeWith is a store (reports in UTC, support's T 20 s) holding calls,
// and a report builder over it whose clock reads at.
func storeWith(t *testing.T, at time.Time, calls ...[]*routing.Record) (*store.Store, *report.Builder) {
	t.Helper()
	st := storetest.New(t)
	if _, err := st.SetRollupConfig(t.Context(), store.RollupConfig{Location: time.UTC, QueueSL: map[string]time.Duration{"support": 20 * time.Second}}); err != nil {
		t.Fatal(err)
	}
	var recs []*routing.Record
	for _, c := range calls {
		recs = append(recs, c...)
	}
	if len(recs) > 0 {
		if err := st.Append(t.Context(), recs...); err != nil {
			t.Fatal(err)
		}
	}
	b := report.NewBuilder(st, report.Config{Location: time.UTC, Queues: []string{"support"},
		Teams: []report.Team{{ID: "front", Name: "Front desk"}}, AgentTeam: map[string]string{"a1": "front", "a2": "front"}},
		func() time.Time { return at })
	return st, b
}

// waiting is a call queued at q and still waiting.
func waiting(id string, q time.Time) []*routing.Record {
	return call(id, q, 0, "", "")[:2]
}

// TestBoardRatesLeaveUndecidedOut: a caller still waiting within
// T is neither within nor missed yet (the day's first caller does not
// turn the board red); one waiting past T counts as missed.
// Abandon rate leaves out every caller still waiting: they have not
// abandoned yet, whatever their wait.
func TestBoardRatesLeaveUndecidedOut(t *testing.T) {
	midnight := time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name                 string
		at                   time.Time
		calls                [][]*routing.Record
		today, in30, abandon any
	}{
		{"the day's first caller, 5 s in", now, [][]*routing.Record{waiting("w1", now.Add(-5*time.Second))}, nil, nil, nil},
		{"the day's first caller, past T", now, [][]*routing.Record{waiting("w1", now.Add(-time.Minute))}, 0.0, 0.0, nil},
		{"00:00:05, one undecided caller from each day", midnight.Add(5 * time.Second), [][]*routing.Record{
			call("c1", midnight.Add(-20*time.Second), 5*time.Second, "a1", ""), // yesterday, within T
			waiting("w1", midnight.Add(-2*time.Second)),                        // yesterday, undecided
			call("c2", midnight, time.Second, "a2", ""),                        // today, within T
			waiting("w2", midnight.Add(3*time.Second)),                         // today, undecided
		}, 100.0, 100.0, 0.0}, // today c2 of (c2, w2) − w2; 30 min (c1, c2) of four − two undecided
		{"with the seeded day", now, [][]*routing.Record{
			call("c4", now.Add(-2*time.Hour), 30*time.Second, "a2", ""),
			call("c1", now.Add(-10*time.Minute), 10*time.Second, "a1", ""),
			call("c2", now.Add(-5*time.Minute), 3*time.Second, "", routing.OutcomeAbandonedQueue),
			call("c3", now.Add(-4*time.Minute), 40*time.Second, "", routing.OutcomeAbandonedQueue),
			waiting("w1", now.Add(-5*time.Second)), // undecided
			waiting("w2", now.Add(-time.Minute)),   // missed
		}, 25.0, 33.33, 33.33}, // SL today 1 within of 6 − 1 short − 1 undecided; 30 min 1 of 5 − 1 − 1; abandon (2 − 1 short) of 6 − 1 − 2 waiting
	} {
		t.Run(tt.name, func(t *testing.T) {
			st, rep := storeWith(t, tt.at, tt.calls...)
			b := NewBoard(BoardConfig{Now: func() time.Time { return tt.at }, ShortAbandon: 5 * time.Second}, newEngine(), rep, st, NewHub(0, nil, nil), nil)
			w, err := b.Compute(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			q := w.Queues[0]
			val := func(p *float64) any {
				if p == nil {
					return nil
				}
				return *p
			}
			if got := val(q.ServiceLevel); got != tt.today {
				t.Errorf("service level today %v, want %v", got, tt.today)
			}
			if got := val(q.ServiceLevel30m); got != tt.in30 {
				t.Errorf("service level 30 min %v, want %v", got, tt.in30)
			}
			if got := val(q.AbandonRate); got != tt.abandon {
				t.Errorf("abandon rate today %v, want %v", got, tt.abandon)
			}
		})
	}
}

func thresholds(t *testing.T, src string) WallboardConfig {
	t.Helper()
	var w WallboardConfig
	dec := yaml.NewDecoder(strings.NewReader(src))
	dec.KnownFields(true)
	if err := dec.Decode(&w); err != nil {
		t.Fatal(err)
	}
	return w
}

func TestBoardCompute(t *testing.T) {
	st, rep := seededStore(t)
	cfg := BoardConfig{
		Wallboard: thresholds(t, `
thresholds:
  waiting: {amber: 2, red: 5}
  longest_wait: {amber: 30s, red: 1m}
  service_level: {amber: 80, red: 50}
  service_level_30m: {amber: 60, red: 40}
  abandon_rate: {amber: 50, red: 60}
  asa: {amber: 25, red: 40}
  ready: {amber: 2, red: 1}
teams:
  ready: {red: 2}
`),
		Teams: []report.Team{{ID: "front", Name: "Front desk"}, {ID: "back", Name: "Back office"}},
		Now:   func() time.Time { return now },
	}
	b := NewBoard(cfg, newEngine(), rep, st, NewHub(0, nil, nil), nil)
	w, err := b.Compute(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Queues) != 1 {
		t.Fatalf("queues %+v", w.Queues)
	}
	q := w.Queues[0]
	f := func(p *float64) any {
		if p == nil {
			return nil
		}
		return *p
	}
	// Today: offered 4, answered 2 (1 within 20 s), abandoned 2 (1 short).
	got := map[string]any{
		"waiting": q.Waiting, "offered": q.Offered, "answered": q.Answered, "abandoned": q.Abandoned,
		"sl": f(q.ServiceLevel), "asa": f(q.ASASeconds), "abandon_rate": f(q.AbandonRate),
		"sl30": f(q.ServiceLevel30m), "offered30": q.Offered30m, "status": q.Status,
	}
	want := map[string]any{
		"waiting": 2, "offered": 4, "answered": 2, "abandoned": 2,
		"sl": 33.33, "asa": 20.0, "abandon_rate": 33.33,
		"sl30": 50.0, "offered30": 3, "status": StatusRed,
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	wantMarks := map[string]string{
		MetricWaiting: StatusAmber, MetricLongestWait: StatusAmber, MetricServiceLevel: StatusRed,
		MetricServiceLevel30m: StatusAmber, MetricReady: StatusAmber, // 1 ready, amber below 2, red below 1
	}
	if len(q.Marks) != len(wantMarks) {
		t.Errorf("marks %v, want %v", q.Marks, wantMarks)
	}
	for m, s := range wantMarks {
		if q.Marks[m] != s {
			t.Errorf("mark %s = %q, want %q", m, q.Marks[m], s)
		}
	}
	// Teams: configured ones in order, then agents in no team.
	var teams []string
	for _, tm := range w.Teams {
		teams = append(teams, tm.ID+":"+tm.Status)
	}
	if strings.Join(teams, ",") != "front:red,back:red,:ok" {
		t.Errorf("teams %v", teams)
	}
	if fr := w.Teams[0]; fr.Answered != 2 || fr.Agents["ready"] != 1 || fr.Agents["on_call"] != 1 || fr.Name != "Front desk" {
		t.Errorf("front %+v", fr)
	}
	// Red alerts first.
	if len(w.Alerts) != 7 || w.Alerts[0].Level != StatusRed || w.Alerts[len(w.Alerts)-1].Level != StatusAmber {
		t.Errorf("alerts %+v", w.Alerts)
	}
}

func TestBoardQueueOverride(t *testing.T) {
	w := thresholds(t, `
thresholds:
  waiting: {amber: 1, red: 2}
queues:
  support:
    waiting: {}
`)
	b := NewBoard(BoardConfig{Wallboard: w, Now: func() time.Time { return now }}, newEngine(), nil, nil, NewHub(0, nil, nil), nil)
	got, err := b.Compute(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if q := got.Queues[0]; q.Status != StatusOK || len(got.Alerts) != 0 || q.ServiceLevel != nil {
		t.Fatalf("override off: %+v alerts %+v", q, got.Alerts)
	}
}

func TestThresholdsValidate(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string // substrings of the error, none: valid
	}{
		{"valid", `{thresholds: {waiting: {amber: 3, red: 6}, service_level: {amber: 80, red: 70}, asa: {amber: 20s, red: 1m}}}`, nil},
		{"only red", `{thresholds: {ready: {red: 1}}}`, nil},
		{"red below amber", `{thresholds: {waiting: {amber: 6, red: 3}}}`, []string{"wallboard.thresholds.waiting.red: 3 must not be below amber"}},
		{"sl red above amber", `{thresholds: {service_level: {amber: 70, red: 80}}}`, []string{"wallboard.thresholds.service_level.red: 80 must not be above amber"}},
		{"percent", `{thresholds: {abandon_rate: {amber: 150}}}`, []string{"wallboard.thresholds.abandon_rate.amber: 150 is not a percentage"}},
		{"negative", `{teams: {ready: {amber: -1}}}`, []string{"wallboard.teams.ready.amber: -1 must be a number ≥ 0"}},
		{"unknown queue", `{queues: {nope: {waiting: {amber: 1}}}}`, []string{"wallboard.queues.nope: no such queue"}},
		{"override checked", `{queues: {support: {asa: {amber: 30s, red: 10s}}}}`, []string{"wallboard.queues.support.asa.red: 10 must not be below amber (30)"}},
		{"all reported", `{thresholds: {waiting: {amber: 6, red: 3}, asa: {amber: -2}}}`, []string{"waiting.red", "asa.amber"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := thresholds(t, tt.src).Validate([]string{"support"})
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error, want %v", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestLevelYAML(t *testing.T) {
	var l Limit
	if err := yaml.Unmarshal([]byte(`{amber: 1m30s, red: 120}`), &l); err != nil || l.Amber != 90 || l.Red != 120 {
		t.Fatalf("got %+v, %v", l, err)
	}
	err := yaml.Unmarshal([]byte("amber: lots"), &l)
	if err == nil || !strings.Contains(err.Error(), `line 1: "lots" is not a number or a duration`) {
		t.Fatalf("bad level: %v", err)
	}
}

// A relevant record brings a new snapshot within MinInterval; others do
// not; Run ends when the hub closes.
func TestBoardRunRefreshesOnRecords(t *testing.T) {
	hub := NewHub(16, nil, nil)
	eng := newEngine()
	b := NewBoard(BoardConfig{MinInterval: 10 * time.Millisecond, Idle: time.Hour}, eng, nil, nil, hub, nil)
	ran := make(chan error)
	go func() { ran <- b.Run(t.Context()) }()
	next := func() *Snapshot {
		t.Helper()
		cur, changed := b.Latest()
		for cur == nil {
			<-changed
			cur, changed = b.Latest()
		}
		return cur
	}
	first := next()
	if first.Board.Queues[0].Waiting != 2 {
		t.Fatalf("first %+v", first.Board.Queues)
	}
	_, changed := b.Latest()
	eng.setWaiting(3)
	start := time.Now()
	hub.Publish(&routing.Record{Seq: 1, Type: routing.EvCallQueued, CallID: "c9", Queue: "support"})
	select {
	case <-changed:
	case <-time.After(time.Second):
		t.Fatal("no new snapshot within 1 s of call.queued")
	}
	if s, _ := b.Latest(); s.Board.Queues[0].Waiting != 3 {
		t.Fatalf("after record: %+v", s.Board.Queues)
	}
	t.Logf("snapshot %v after the record", time.Since(start))
	hub.Close()
	if err := <-ran; err != nil {
		t.Fatal(err)
	}
}

// A burst of records makes a few snapshots, not one per record.
func TestBoardRunThrottles(t *testing.T) {
	hub := NewHub(4096, nil, nil)
	eng := newEngine()
	b := NewBoard(BoardConfig{MinInterval: 50 * time.Millisecond, Idle: time.Hour}, eng, nil, nil, hub, nil)
	ctx, cancel := context.WithCancel(t.Context())
	ran := make(chan error)
	go func() { ran <- b.Run(ctx) }()
	for cur, changed := b.Latest(); cur == nil; cur, changed = b.Latest() {
		<-changed
	}
	start := time.Now()
	for i := range 200 {
		hub.Publish(&routing.Record{Seq: int64(i + 1), Type: routing.EvAgentState, AgentID: "a1"})
		time.Sleep(time.Millisecond) // a burst spread over ~200 ms+
	}
	elapsed := time.Since(start)
	// Let the trailing snapshot come, if it has not.
	_, changed := b.Latest()
	select {
	case <-changed:
	case <-time.After(200 * time.Millisecond):
	}
	cancel()
	<-ran
	eng.mu.Lock()
	n := eng.calls
	eng.mu.Unlock()
	max := int(elapsed/(50*time.Millisecond)) + 3
	if n > max {
		t.Fatalf("%d snapshots for 200 records in %v; want at most %d", n, elapsed, max)
	}
}
