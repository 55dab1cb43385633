package api

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"switchboard/routing"
	"switchboard/store"
)

// Supervise makes the fake agents a CallSupervisor: live calls are those
// an agent is on; "c-queued" is live but not connected.
func (f *fakeAgents) Supervise(ctx context.Context, callID, mode, endpoint, by string) (routing.SupervisionView, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if callID == "c-queued" {
		return routing.SupervisionView{}, &routing.PolicyError{Code: "not_connected", Message: "call c-queued is not connected to an agent"}
	}
	for _, a := range f.agents {
		if a.CallID == callID && a.State == routing.OnCall {
			f.supervised = append(f.supervised, mode+" "+callID+" "+endpoint+" "+by)
			return routing.SupervisionView{CallID: callID, Leg: "leg-s1", Mode: mode, Endpoint: endpoint, By: by, Agent: a.ID}, nil
		}
	}
	return routing.SupervisionView{}, routing.ErrUnknownCall
}

// audits returns the audit log, oldest first.
func (h *harness) audits(t *testing.T) []store.AuditEntry {
	t.Helper()
	es, err := h.store.Audit(t.Context(), store.AuditFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for i, j := 0, len(es)-1; i < j; i, j = i+1, j-1 {
		es[i], es[j] = es[j], es[i]
	}
	return es
}

// actions is the audit log without the access.denied entries (denied.go),
// for tests about what an action itself audits.
func (h *harness) actions(t *testing.T) []store.AuditEntry {
	t.Helper()
	var out []store.AuditEntry
	for _, e := range h.audits(t) {
		if e.Action != "access.denied" {
			out = append(out, e)
		}
	}
	return out
}

func TestSupervise(t *testing.T) {
	h := newHarness(t)
	h.agents.agents["a3"].Team = "front"
	h.agents.agents["a1"].Team = "front" // the lead's own agent, signed out
	h.agents.agents["a2"].Team = "back"  // signed in on PJSIP/1002
	for _, tt := range []struct {
		name, token, path, body string
		code                    int
		field                   string // of a 400
		did                     string // what the engine was asked
	}{
		{"supervisor listens from a given phone", "role:supervisor", "/api/v1/calls/c1/listen", `{"endpoint":"PJSIP/1009"}`, 202, "", "listen c1 PJSIP/1009 test-supervisor"},
		{"lead of the team whispers", "role:team_lead:a1:front", "/api/v1/calls/c1/whisper", `{"endpoint":"PJSIP/1008"}`, 202, "", "whisper c1 PJSIP/1008 test-team_lead"},
		{"own phone by default", "role:supervisor:a2", "/api/v1/calls/c1/barge", ``, 202, "", "barge c1 PJSIP/1002 test-supervisor"},
		{"no phone to default to", "role:team_lead:a1:front", "/api/v1/calls/c1/listen", `{}`, 400, "endpoint", ""},
		{"no agent at all", "role:supervisor", "/api/v1/calls/c1/listen", `{}`, 400, "endpoint", ""},
		{"bad endpoint", "role:supervisor", "/api/v1/calls/c1/listen", `{"endpoint":"1009 <b>"}`, 400, "endpoint", ""},
		{"unknown field", "role:supervisor", "/api/v1/calls/c1/listen", `{"endpoint":"PJSIP/1009","spy":1}`, 400, "spy", ""},
		{"malformed", "role:supervisor", "/api/v1/calls/c1/listen", `{"endpoint":`, 400, "", ""},
		{"lead of another team", "role:team_lead:a2:back", "/api/v1/calls/c1/listen", `{"endpoint":"PJSIP/1009"}`, 403, "", ""},
		{"agent", "role:agent:a2:front", "/api/v1/calls/c1/listen", `{"endpoint":"PJSIP/1009"}`, 403, "", ""},
		{"quality", "role:quality", "/api/v1/calls/c1/barge", `{"endpoint":"PJSIP/1009"}`, 403, "", ""},
		{"admin", "role:admin", "/api/v1/calls/c1/barge", `{"endpoint":"PJSIP/1009"}`, 403, "", ""},
		{"own call", "role:team_lead:a3:front", "/api/v1/calls/c1/listen", `{"endpoint":"PJSIP/1009"}`, 403, "", ""},
		{"lead: no such call", "role:team_lead:a1:front", "/api/v1/calls/nope/listen", `{"endpoint":"PJSIP/1009"}`, 404, "", ""},
		{"supervisor: no such call", "role:supervisor", "/api/v1/calls/nope/listen", `{"endpoint":"PJSIP/1009"}`, 404, "", ""},
		{"not connected", "role:supervisor", "/api/v1/calls/c-queued/listen", `{"endpoint":"PJSIP/1009"}`, 409, "", ""},
		{"no token", "", "/api/v1/calls/c1/listen", `{"endpoint":"PJSIP/1009"}`, 401, "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h.agents.supervised = nil
			h.token = tt.token
			r := h.do(t, "POST", tt.path, tt.body)
			if r.Code != tt.code {
				t.Fatalf("%d %s, want %d", r.Code, r.Body, tt.code)
			}
			if tt.code != 202 {
				if e := errorOf(t, r); e.Field != tt.field {
					t.Fatalf("field %q, want %q (%s)", e.Field, tt.field, e.Message)
				}
				if tt.code < 404 && len(h.agents.supervised) != 0 {
					t.Fatalf("refused, yet the engine was asked: %v", h.agents.supervised)
				}
				return
			}
			if len(h.agents.supervised) != 1 || h.agents.supervised[0] != tt.did {
				t.Fatalf("engine asked %v, want %q", h.agents.supervised, tt.did)
			}
			var v routing.SupervisionView
			if err := json.Unmarshal(r.Body, &v); err != nil || v.Leg == "" || v.Agent != "a3" {
				t.Fatalf("reply %s: %v", r.Body, err)
			}
		})
	}

	// Every accepted request was audited before it acted; a refusal by the
	// engine is audited as failed. Refusals before the audit leave none.
	var got []string
	for _, e := range h.actions(t) {
		var d map[string]string
		_ = json.Unmarshal(e.Detail, &d)
		ok := "ok"
		if !e.OK {
			ok = "failed"
		}
		got = append(got, strings.Join([]string{e.Action, e.Target, e.Actor, d["endpoint"], d["agent"], ok}, " "))
	}
	want := []string{
		"call.listen c1 test-supervisor PJSIP/1009 a3 ok",
		"call.whisper c1 test-team_lead PJSIP/1008 a3 ok",
		"call.barge c1 test-supervisor PJSIP/1002 a3 ok",
		"call.listen nope test-supervisor PJSIP/1009  ok",
		"call.listen nope test-supervisor PJSIP/1009  failed",
		"call.listen c-queued test-supervisor PJSIP/1009  ok",
		"call.listen c-queued test-supervisor PJSIP/1009  failed",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("audit log\n got %q\nwant %q", got, want)
	}
}

// A server over an engine that cannot supervise answers 501; without an
// audit log, 503 and nothing done.
func TestSuperviseUnavailable(t *testing.T) {
	h := newHarness(t)
	srv := New(Config{Accounts: fakeAccounts{}}, noSupervise{h.agents}, h.store, nil, nil, nil)
	h.h = srv.Handler()
	if r := h.do(t, "POST", "/api/v1/calls/c1/listen", `{"endpoint":"PJSIP/1009"}`); r.Code != http.StatusNotImplemented {
		t.Fatalf("%d %s", r.Code, r.Body)
	}
	srv = New(Config{Accounts: fakeAccounts{}}, h.agents, h.store, nil, nil, nil)
	h.h = srv.Handler()
	if r := h.do(t, "POST", "/api/v1/calls/c1/listen", `{"endpoint":"PJSIP/1009"}`); r.Code != http.StatusServiceUnavailable || len(h.agents.supervised) != 0 {
		t.Fatalf("%d %s; engine asked %v", r.Code, r.Body, h.agents.supervised)
	}
}

// noSupervise hides the fake's Supervise.
type noSupervise struct{ AgentService }

// FuzzSuperviseBody sends arbitrary bodies to the supervise and forced
// sign-out routes: none may cause a 5xx, every refusal is an error body.
func FuzzSuperviseBody(f *testing.F) {
	for _, seed := range []string{
		`{"endpoint": "PJSIP/1009"}`, `{}`, ``, `{"endpoint": 1}`, `{"endpoint": "a b"}`,
		`{"reason": "went home"}`, `{"reason": ["x"]}`, `{"endpoint": "PJSIP/1"}{}`, `null`, `[]`, "\x00",
		`{"endpoint": "` + strings.Repeat("x/", 200) + `"}`,
	} {
		f.Add(seed)
	}
	h := newHarness(f)
	f.Fuzz(func(t *testing.T, body string) {
		for _, path := range []string{"/api/v1/calls/c1/listen", "/api/v1/calls/c1/barge", "/api/v1/agents/a2/sign-out"} {
			r := h.do(t, "POST", path, body)
			if r.Code >= 500 {
				t.Fatalf("%s %q: %d %s", path, body, r.Code, r.Body)
			}
			if r.Code >= 400 {
				errorOf(t, r)
			} else if !json.Valid(r.Body) {
				t.Fatalf("%s %q: %d with invalid JSON %s", path, body, r.Code, r.Body)
			}
			if path == "/api/v1/agents/a2/sign-out" && r.Code == 200 {
				h.agents.agents["a2"].State = routing.Ready // back, for the next input
			}
		}
	})
}
