package api

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"switchboard/routing"
	"switchboard/store"
)

// newCallbackHarness is the dial harness with a callbacks group and the
// engine at hand: a1 is signed in, so a callback is reserved for a1 at once.
func newCallbackHarness(t testing.TB) (*harness, *dialSwitch, *routing.Engine) {
	t.Helper()
	cfg := dialConfig()
	cfg.Outbound.Callbacks = "out"
	cfg.Agents = append(cfg.Agents, routing.AgentConfig{ID: "a3", Endpoint: "PJSIP/1003", Queues: []routing.QueueMember{{Queue: "billing"}}})
	cfg.Queues["billing"] = &routing.Queue{}
	cfg.Defaults()
	return newEngineHarness(t, cfg)
}

func TestCallbackPreviewAcceptAndSkip(t *testing.T) {
	h, sw, eng := newCallbackHarness(t)
	it, err := eng.Enqueue(t.Context(), routing.EnqueueRequest{Kind: routing.WorkCallback, Number: "030 1234 567", Queue: "support", Origin: "call-x"})
	if err != nil {
		t.Fatal(err)
	}
	h.token = "role:agent:a1"
	var desk routing.DeskView
	if r := h.do(t, "GET", "/api/v1/agents/a1/desk", ""); r.Code != 200 || json.Unmarshal(r.Body, &desk) != nil || desk.Callback == nil || desk.Callback.ID != it.ID {
		t.Fatalf("desk preview: %d %s", r.Code, r.Body)
	}
	for _, tt := range []struct {
		token, path, body string
		status            int
		code, field       string
	}{
		{"role:agent:a1", "/skip", `{}`, 400, "bad_request", "reason"},
		{"role:agent:a1", "/skip", ``, 400, "bad_request", ""},
		{"role:agent:a1", "/accept", `{"reason":"x"}`, 400, "bad_request", "reason"},
		{"role:agent:a1", "/accept", `{"agent":"a2"}`, 403, "forbidden", ""},
		{"role:supervisor", "/accept", `{"agent":"a2"}`, 409, routing.RefuseNotReserved, ""},
		{"role:quality", "/accept", ``, 403, "forbidden", ""},
	} {
		h.token = tt.token
		r := h.do(t, "POST", "/api/v1/desk/callbacks/"+it.ID+tt.path, tt.body)
		var body struct {
			Error struct{ Code, Field string }
		}
		_ = json.Unmarshal(r.Body, &body)
		if r.Code != tt.status || body.Error.Code != tt.code || body.Error.Field != tt.field {
			t.Errorf("%s %s %s: %d %s, want %d %s field %q", tt.token, tt.path, tt.body, r.Code, r.Body, tt.status, tt.code, tt.field)
		}
	}
	h.token = "role:agent:a1"
	if r := h.do(t, "POST", "/api/v1/desk/callbacks/cb-nope/accept", ""); r.Code != 404 {
		t.Fatalf("unknown callback: %d %s", r.Code, r.Body)
	}
	if o := sw.originated(); len(o) != 0 {
		t.Fatalf("refusals dialled %+v", o)
	}
	r := h.do(t, "POST", "/api/v1/desk/callbacks/"+it.ID+"/accept", "")
	var v routing.WorkItemView
	if r.Code != 200 || json.Unmarshal(r.Body, &v) != nil || v.State != routing.WorkDialling || v.Call == "" {
		t.Fatalf("accept: %d %s", r.Code, r.Body)
	}
	select {
	case o := <-sw.done:
		if o.Endpoint != "PJSIP/1001" {
			t.Fatalf("first the agent's phone: %+v", o)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("nothing originated")
	}
	if r := h.do(t, "POST", "/api/v1/desk/callbacks/"+it.ID+"/accept", ""); r.Code != http.StatusConflict {
		t.Fatalf("a second accept: %d %s", r.Code, r.Body)
	}
	es, err := h.store.Audit(t.Context(), store.AuditFilter{Action: "desk.callback.accept"})
	if err != nil || len(es) < 2 {
		t.Fatalf("audit %d entries, %v", len(es), err)
	}
}

func TestCallbackListScope(t *testing.T) {
	h, _, eng := newCallbackHarness(t)
	for _, q := range []string{"support", "billing"} {
		if _, err := eng.Enqueue(t.Context(), routing.EnqueueRequest{Kind: routing.WorkCallback, Number: "0301234567", Queue: q}); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct {
		token  string
		status int
		n      int
	}{
		{"role:supervisor", 200, 2},
		{"role:quality", 200, 2},
		{"role:agent:a1", 200, 1},
		{"role:agent:a3", 200, 1},
		{"role:agent", 200, 0},
		{"role:admin", 403, 0},
	} {
		h.token = tt.token
		r := h.do(t, "GET", "/api/v1/callbacks", "")
		var v []routing.WorkItemView
		if r.Code != tt.status || (r.Code == 200 && (json.Unmarshal(r.Body, &v) != nil || len(v) != tt.n)) {
			t.Errorf("%s: %d %s, want %d with %d", tt.token, r.Code, r.Body, tt.status, tt.n)
		}
	}
}

// FuzzCallbackAnswerBody: no body makes a 5xx; refusals are error bodies.
func FuzzCallbackAnswerBody(f *testing.F) {
	for _, seed := range []string{`{"reason":"wrong_language"}`, `{"agent":"a1"}`, `{}`, ``, `[]`, `{"reason":1}`, `{"reason":"x"}{}`, "\x00"} {
		f.Add(seed)
	}
	h, _, _ := newCallbackHarness(f)
	h.token = "role:agent:a1"
	f.Fuzz(func(t *testing.T, body string) {
		for _, op := range []string{"skip", "accept"} {
			r := h.do(t, "POST", "/api/v1/desk/callbacks/cb-1/"+op, body)
			if r.Code >= 500 {
				t.Fatalf("%s %q: %d %s", op, body, r.Code, r.Body)
			}
			if r.Code >= 400 {
				errorOf(t, r)
			}
		}
	})
}
