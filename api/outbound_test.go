package api

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"switchboard/routing"
	"switchboard/routing/pbx"
	"switchboard/store"
)

// dialSwitch is a PBX that only notes what it is asked to originate.
type dialSwitch struct {
	mu   sync.Mutex
	orig []pbx.Originate
	done chan pbx.Originate // each originate, for a test to await
}

func (s *dialSwitch) Run(ctx context.Context, _ chan<- pbx.Event) error {
	<-ctx.Done()
	return ctx.Err()
}
func (s *dialSwitch) Answer(context.Context, string) error { return nil }
func (s *dialSwitch) Play(context.Context, string, string, ...string) error {
	return nil
}
func (s *dialSwitch) StopPlayback(context.Context, string) error { return nil }
func (s *dialSwitch) Originate(_ context.Context, r pbx.Originate) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.orig = append(s.orig, r)
	select {
	case s.done <- r:
	default:
	}
	return nil
}
func (s *dialSwitch) Bridge(context.Context, string, ...string) error { return nil }
func (s *dialSwitch) DestroyBridge(context.Context, string) error     { return nil }
func (s *dialSwitch) Hangup(context.Context, string, pbx.Cause) error { return nil }

func (s *dialSwitch) originated() []pbx.Originate {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]pbx.Originate(nil), s.orig...)
}

func dialConfig() *routing.Config {
	cfg := &routing.Config{
		Flows:  map[string]*routing.Flow{"main": {Start: "bye", Nodes: map[string]*routing.Node{"bye": {Hangup: &struct{}{}}}}},
		Queues: map[string]*routing.Queue{"support": {}},
		Agents: []routing.AgentConfig{
			{ID: "a1", Endpoint: "PJSIP/1001", Queues: []routing.QueueMember{{Queue: "support"}}},
			{ID: "a2", Endpoint: "PJSIP/1002", Queues: []routing.QueueMember{{Queue: "support"}}},
		},
		Trunks:      []routing.Trunk{{Name: "carrier1"}},
		TrunkGroups: map[string]*routing.TrunkGroup{"out": {Members: []routing.TrunkMember{{Trunk: "carrier1"}}}},
		Calendars:   map[string]*routing.Calendar{},
	}
	cfg.Outbound.Manual = "out"
	cfg.Outbound.DoNotCall = []string{"+4930999"}
	cfg.Outbound.Numbers.CountryCode, cfg.Outbound.Numbers.NationalPrefix = "49", "0"
	cfg.Outbound.RestrictedPrefixes = []routing.RestrictedPrefix{{Prefix: "+49900", Why: routing.WhyPremium, Roles: []string{"supervisor"}}}
	cfg.Defaults()
	return cfg
}

// newDialHarness serves the API over a real engine on a PBX that only
// notes originates: a1 is signed in.
func newDialHarness(t testing.TB, cfg *routing.Config) (*harness, *dialSwitch) {
	h, sw, _ := newEngineHarness(t, cfg)
	return h, sw
}

// newEngineHarness is newDialHarness that also returns the engine.
func newEngineHarness(t testing.TB, cfg *routing.Config) (*harness, *dialSwitch, *routing.Engine) {
	t.Helper()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t)
	sw := &dialSwitch{done: make(chan pbx.Originate, 16)}
	log := slog.New(slog.DiscardHandler)
	eng := routing.NewEngine(cfg, sw, h.store, routing.SystemClock{}, routing.SequentialIDs(), log, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = eng.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	if _, err := eng.SignIn(t.Context(), "a1", ""); err != nil {
		t.Fatal(err)
	}
	h.srv = New(Config{Accounts: fakeAccounts{}, Audit: h.store}, eng, h.store, log, prometheus.NewRegistry(), nil)
	h.h = h.srv.Handler()
	return h, sw, eng
}

func TestDialRefusalsDialNothing(t *testing.T) {
	cfg := dialConfig()
	cfg.Calendars["closed"] = &routing.Calendar{}
	h, sw := newDialHarness(t, cfg)
	for _, tt := range []struct {
		token, body string
		status      int
		code, field string
	}{
		{"role:agent:a1", `{"number":""}`, 400, "bad_request", "number"},
		{"role:agent:a1", `{"number":"call me"}`, 400, "bad_request", "number"},
		{"role:agent:a1", `{"number":"` + strings.Repeat("1", 30) + `"}`, 400, "bad_request", "number"},
		{"role:agent:a1", `{"number":"12"}`, 400, "bad_request", "number"},
		{"role:agent:a1", `{"number":"030 999"}`, 403, routing.RefuseDoNotCall, ""},
		{"role:agent:a1", `{"number":"0900 123456"}`, 403, routing.RefuseRestricted, ""},
		{"role:agent:a1", `{"number":"0301234","agent":"a2"}`, 403, "forbidden", ""},
		{"role:agent:a1", `{"number":"0301234","colour":"red"}`, 400, "bad_request", "colour"},
		{"role:supervisor", `{"number":"0301234","agent":"a2"}`, 409, routing.RefuseAgentBusy, ""},
		{"role:quality", `{"number":"0301234"}`, 403, "forbidden", ""},
	} {
		h.token = tt.token
		r := h.do(t, "POST", "/api/v1/desk/dial", tt.body)
		var body struct {
			Error struct{ Code, Message, Field string }
		}
		_ = json.Unmarshal(r.Body, &body)
		if r.Code != tt.status || body.Error.Code != tt.code || body.Error.Field != tt.field {
			t.Errorf("%s %s: %d %s, want %d %s field %q", tt.token, tt.body, r.Code, r.Body, tt.status, tt.code, tt.field)
		}
	}
	if o := sw.originated(); len(o) != 0 {
		t.Fatalf("refused dials originated %+v", o)
	}
	// Each refusal the engine gave is in the audit log.
	es, err := h.store.Audit(t.Context(), store.AuditFilter{Action: "desk.dial"})
	if err != nil || len(es) < 5 {
		t.Fatalf("audit %d entries, %v", len(es), err)
	}
	for _, e := range es {
		if e.OK {
			t.Errorf("a refusal audited as done: %+v", e)
		}
	}
}

func TestDialRingsTheAgentFirst(t *testing.T) {
	h, sw := newDialHarness(t, dialConfig())
	h.token = "role:agent:a1"
	r := h.do(t, "POST", "/api/v1/desk/dial", `{"number":"030 1234 567","customer_id":7}`)
	if r.Code != http.StatusAccepted {
		t.Fatalf("%d %s", r.Code, r.Body)
	}
	var v routing.DeskCall
	if err := json.Unmarshal(r.Body, &v); err != nil || v.Direction != "outbound" || v.Number != "+49301234567" || v.Phase != "calling_agent" {
		t.Fatalf("%+v %v", v, err)
	}
	select { // the executor runs after the log write
	case <-sw.done:
	case <-time.After(5 * time.Second):
		t.Fatal("nothing originated")
	}
	o := sw.originated()
	if len(o) != 1 || o[0].Endpoint != "PJSIP/1001" || o[0].Trunk != "" {
		t.Fatalf("originated %+v", o)
	}
	// A second dial while the first rings is the agent's conflict.
	if r := h.do(t, "POST", "/api/v1/desk/dial", `{"number":"0301234568"}`); r.Code != http.StatusConflict {
		t.Fatalf("%d %s", r.Code, r.Body)
	}
	h.token = "role:supervisor"
	r = h.do(t, "GET", "/api/v1/trunks", "")
	var tv routing.TrunksView
	if err := json.Unmarshal(r.Body, &tv); r.Code != 200 || err != nil || len(tv.Trunks) != 1 || tv.Trunks[0].State != "up" ||
		len(tv.Groups) != 1 || tv.Groups[0].Calls != 1 {
		t.Fatalf("%d %s", r.Code, r.Body)
	}
	h.token = "role:agent:a1"
	if r := h.do(t, "GET", "/api/v1/trunks", ""); r.Code != http.StatusForbidden {
		t.Fatalf("agent sees trunks: %d", r.Code)
	}
}

func TestDialTrunksDown(t *testing.T) {
	cfg := dialConfig()
	cfg.Outbound.Manual = ""
	h, sw := newDialHarness(t, cfg)
	h.token = "role:agent:a1"
	r := h.do(t, "POST", "/api/v1/desk/dial", `{"number":"0301234567"}`)
	if r.Code != http.StatusServiceUnavailable || !strings.Contains(string(r.Body), routing.RefuseNoGroup) {
		t.Fatalf("%d %s", r.Code, r.Body)
	}
	if len(sw.originated()) != 0 {
		t.Fatal("dialled")
	}
}

func FuzzDialBody(f *testing.F) {
	for _, s := range []string{`{"number":"0301234567"}`, `{"number":"+1 (555) 010"}`, `{"number":"x"}`, `{}`, `{"number":1}`, `[]`} {
		f.Add(s)
	}
	h, _ := newDialHarness(f, dialConfig())
	h.token = "role:agent:a1"
	f.Fuzz(func(t *testing.T, body string) {
		r := h.do(t, "POST", "/api/v1/desk/dial", body)
		if r.Code >= 500 && r.Code != http.StatusServiceUnavailable {
			t.Fatalf("%q: %d %s", body, r.Code, r.Body)
		}
		if r.Code >= 400 {
			var e struct {
				Error struct{ Code string }
			}
			if json.Unmarshal(r.Body, &e) != nil || e.Error.Code == "" {
				t.Fatalf("%q: error body %s", body, r.Body)
			}
		}
	})
}

func TestCallsByDirection(t *testing.T) {
	h := newHarness(t)
	h.token = "role:supervisor"
	if r := h.do(t, "GET", "/api/v1/calls?direction=sideways", ""); r.Code != 400 || !strings.Contains(string(r.Body), `"field":"direction"`) {
		t.Fatalf("%d %s", r.Code, r.Body)
	}
	r := h.do(t, "GET", "/api/v1/calls?direction=outbound", "")
	var l struct{ Calls []store.Call }
	if err := json.Unmarshal(r.Body, &l); r.Code != 200 || err != nil || len(l.Calls) != 0 {
		t.Fatalf("the seed has only inbound calls: %d %s", r.Code, r.Body)
	}
	r = h.do(t, "GET", "/api/v1/calls?direction=inbound", "")
	if err := json.Unmarshal(r.Body, &l); r.Code != 200 || err != nil || len(l.Calls) == 0 || l.Calls[0].Direction != "inbound" {
		t.Fatalf("%d %s", r.Code, r.Body)
	}
}

// TestSignInOnlyOnDeclaredPhones: through the API and the real engine, an
// agent's sign-in on a dial string nobody declared (a trunk to a premium
// number, a Local channel, another agent's phone) is a 403 naming the
// field, nothing is rung and the refusal is audited as denied; their own
// phone still works.
func TestSignInOnlyOnDeclaredPhones(t *testing.T) {
	h, sw, eng := newEngineHarness(t, dialConfig())
	if _, err := eng.SignOut(t.Context(), "a1", "", ""); err != nil {
		t.Fatal(err)
	}
	h.token = "role:agent:a1"
	for _, ep := range []string{"PJSIP/+19005550100@carrier", "Local/900@from-internal", "PJSIP/1002", "IAX2/evil.example/100"} {
		r := h.do(t, "POST", "/api/v1/agents/a1/sign-in", `{"endpoint":"`+ep+`"}`)
		var body struct {
			Error struct{ Code, Message, Field string }
		}
		_ = json.Unmarshal(r.Body, &body)
		if r.Code != 403 || body.Error.Code != routing.CodeEndpointNotDeclared || body.Error.Field != "endpoint" {
			t.Errorf("sign in on %s: %d %s", ep, r.Code, r.Body)
		}
	}
	if o := sw.originated(); len(o) != 0 {
		t.Fatalf("refused sign-ins rang %+v", o)
	}
	es, err := h.store.Audit(t.Context(), store.AuditFilter{Action: "access.denied"})
	if err != nil || len(es) != 4 {
		t.Fatalf("%d access.denied entries for 4 refused sign-ins (%v)", len(es), err)
	}
	if r := h.do(t, "POST", "/api/v1/agents/a1/sign-in", `{"endpoint":"PJSIP/1001"}`); r.Code != 200 {
		t.Fatalf("own phone: %d %s", r.Code, r.Body)
	}
}
