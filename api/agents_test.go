package api

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"switchboard/routing"
)

// teamHarness: a1 and a3 in team front, a2 in team back.
func teamHarness(t *testing.T) *harness {
	h := newHarness(t)
	h.agents.agents["a1"].Team = "front"
	h.agents.agents["a2"].Team = "back"
	h.agents.agents["a3"].Team = "front"
	return h
}

func TestAgentScope(t *testing.T) {
	h := teamHarness(t)
	for _, tt := range []struct {
		token string
		list  []string
		get   map[string]int // agent → status of GET
	}{
		{"role:agent:a1:front", []string{"a1"}, map[string]int{"a1": 200, "a2": 403, "a3": 403, "nobody": 403}},
		{"role:agent", []string{}, map[string]int{"a1": 403}},
		{"role:team_lead:a1:front", []string{"a1", "a3"}, map[string]int{"a1": 200, "a2": 403, "a3": 200, "nobody": 403}}, // an unknown id answers like another team's: ids cannot be probed
		{"role:team_lead::back", []string{"a2"}, map[string]int{"a1": 403, "a2": 200, "nobody": 403}},
		{"role:supervisor", []string{"a1", "a2", "a3"}, map[string]int{"a1": 200, "a2": 200, "nobody": 404}},
		{"role:quality", nil, map[string]int{"a1": 403}},
		{"role:admin", nil, map[string]int{"a1": 403}},
	} {
		t.Run(tt.token, func(t *testing.T) {
			h.token = tt.token
			r := h.do(t, "GET", "/api/v1/agents", "")
			if tt.list == nil {
				if r.Code != 403 {
					t.Fatalf("list: %d", r.Code)
				}
			} else {
				var ids []string
				for _, a := range decode[agentList](t, r).Agents {
					ids = append(ids, a.ID)
				}
				if r.Code != 200 || !slices.Equal(ids, tt.list) && !(len(ids) == 0 && len(tt.list) == 0) {
					t.Fatalf("list: %d %v, want %v", r.Code, ids, tt.list)
				}
			}
			for id, code := range tt.get {
				if r := h.do(t, "GET", "/api/v1/agents/"+id, ""); r.Code != code {
					t.Errorf("GET %s: %d, want %d", id, r.Code, code)
				}
			}
		})
	}
	// Nobody acts outside their scope either, and nothing happens.
	before := len(h.audits(t))
	refused := []struct{ token, method, path, body string }{
		{"role:agent:a1:front", "PUT", "/api/v1/agents/a2/state", `{"state":"not_ready","reason":"break"}`},
		{"role:agent:a1:front", "POST", "/api/v1/agents/a2/sign-out", `{"reason":"x"}`},
		{"role:agent:a1:front", "PUT", "/api/v1/agents/a2/state", `{}`}, // 403 before the body is judged
		{"role:team_lead:a1:front", "POST", "/api/v1/agents/a2/sign-in", `{"endpoint":"bad"}`},
		{"role:agent:a1:front", "POST", "/api/v1/agents/a1/approve", ``},
		{"role:team_lead:a1:front", "PUT", "/api/v1/agents/a2/state", `{"state":"not_ready","reason":"break"}`},
		{"role:team_lead:a1:front", "POST", "/api/v1/agents/a2/sign-in", ``},
		{"role:team_lead:a1:front", "POST", "/api/v1/agents/a2/refuse", ``},
	}
	for _, tt := range refused {
		h.token = tt.token
		if r := h.do(t, tt.method, tt.path, tt.body); r.Code != http.StatusForbidden {
			t.Errorf("%s %s %s: %d %s", tt.token, tt.method, tt.path, r.Code, r.Body)
		}
	}
	if a := h.agents.agents["a2"]; a.State != routing.Ready {
		t.Fatalf("a2 changed by refused requests: %+v", a)
	}
	// Every refusal is audited as such, with who asked for what.
	es := h.audits(t)[before:]
	if len(es) != len(refused) {
		t.Fatalf("%d audit entries for %d refused requests: %+v", len(es), len(refused), es)
	}
	for i, e := range es {
		want := refused[i]
		if e.Action != "access.denied" || e.OK || e.Target != want.method+" "+want.path || e.Actor != "test-"+strings.Split(want.token, ":")[1] {
			t.Errorf("audit %d = %s %v %s %q, want access.denied of %s %s by %s", i, e.Action, e.OK, e.Actor, e.Target, want.method, want.path, want.token)
		}
	}
}

func TestForcedStatesAudited(t *testing.T) {
	h := teamHarness(t)
	type entry struct {
		action string
		ok     bool
		detail forceDetail
	}
	steps := []struct {
		name, token, method, path, body string
		code                            int
		field                           string
		audit                           []entry
	}{
		{"agent goes not ready: not forced", "role:agent:a2:back", "PUT", "/api/v1/agents/a2/state", `{"state":"not_ready","reason":"break"}`, 200, "", nil},
		{"lead's own agent: not forced", "role:team_lead:a1:front", "POST", "/api/v1/agents/a1/sign-in", `{"endpoint":"PJSIP/1001"}`, 200, "", nil},
		{"supervisor forces ready", "role:supervisor", "PUT", "/api/v1/agents/a2/state", `{"state":"ready"}`, 200, "",
			[]entry{{"agent.force_state", true, forceDetail{Agent: "a2", Team: "back", Before: "not_ready(break)", After: "ready"}}}},
		{"forced not ready needs a reason", "role:team_lead::back", "PUT", "/api/v1/agents/a2/state", `{"state":"not_ready"}`, 400, "reason", nil},
		{"lead forces not ready", "role:team_lead::back", "PUT", "/api/v1/agents/a2/state", `{"state":"not_ready","reason":"meeting"}`, 200, "",
			[]entry{{"agent.force_state", true, forceDetail{Agent: "a2", Team: "back", Before: "ready", After: "not_ready", Reason: "meeting"}}}},
		{"forced sign-out needs a reason", "role:team_lead::back", "POST", "/api/v1/agents/a2/sign-out", ``, 400, "reason", nil},
		{"forced sign-out, reason too long", "role:team_lead::back", "POST", "/api/v1/agents/a2/sign-out", `{"reason":"` + strings.Repeat("x", 101) + `"}`, 400, "reason", nil},
		{"lead forces sign-out", "role:team_lead::back", "POST", "/api/v1/agents/a2/sign-out", `{"reason":"went home"}`, 200, "",
			[]entry{{"agent.force_sign_out", true, forceDetail{Agent: "a2", Team: "back", Before: "not_ready(meeting)", After: "signed_out", Reason: "went home"}}}},
		{"forced sign-out refused by the engine", "role:supervisor", "POST", "/api/v1/agents/a3/sign-out", `{"reason":"x"}`, 409, "",
			[]entry{
				{"agent.force_sign_out", true, forceDetail{Agent: "a3", Team: "front", Before: "on_call", After: "signed_out", Reason: "x"}},
				{"agent.force_sign_out", false, forceDetail{Agent: "a3", Team: "front", Before: "on_call", After: "signed_out", Reason: "x",
					Error: "agent a3: cannot go from on_call to signed_out"}},
			}},
		{"lead signs an agent in", "role:team_lead:a1:front", "POST", "/api/v1/agents/a2/sign-in", ``, 403, "", nil},
		{"supervisor signs an agent in", "role:supervisor", "POST", "/api/v1/agents/a2/sign-in", `{"endpoint":"PJSIP/1002"}`, 200, "",
			[]entry{{"agent.force_state", true, forceDetail{Agent: "a2", Team: "back", Before: "signed_out", After: "ready"}}}},
	}
	seen := 0
	for _, s := range steps {
		h.token = s.token
		r := h.do(t, s.method, s.path, s.body)
		if r.Code != s.code {
			t.Fatalf("%s: %d %s", s.name, r.Code, r.Body)
		}
		if s.field != "" {
			if e := errorOf(t, r); e.Field != s.field {
				t.Fatalf("%s: field %q", s.name, e.Field)
			}
		}
		es := h.actions(t)
		if len(es)-seen != len(s.audit) {
			t.Fatalf("%s: %d new audit entries, want %d: %+v", s.name, len(es)-seen, len(s.audit), es[seen:])
		}
		for i, want := range s.audit {
			e := es[seen+i]
			var d forceDetail
			if err := json.Unmarshal(e.Detail, &d); err != nil {
				t.Fatal(err)
			}
			if e.Action != want.action || e.OK != want.ok || e.Target != want.detail.Agent || d != want.detail || e.Actor != "test-"+strings.Split(s.token, ":")[1] {
				t.Fatalf("%s: audit %s %v %s %s %+v\nwant %+v", s.name, e.Action, e.OK, e.Actor, e.Target, d, want)
			}
		}
		seen = len(es)
		if s.name == "lead forces sign-out" {
			var v routing.AgentView
			if err := json.Unmarshal(r.Body, &v); err != nil || v.SignedOutBy != "test-team_lead" || v.SignOutNote != "went home" {
				t.Fatalf("%s: the view says who and why: %+v %v", s.name, v, err)
			}
		}
	}
}

func TestApproveRefuseAudited(t *testing.T) {
	h := teamHarness(t)
	h.token = "role:team_lead:a1:front"
	h.agents.agents["a3"].PendingNotReady = "meal"
	r := h.do(t, http.MethodPost, "/api/v1/agents/a3/refuse", "")
	if r.Code != 200 {
		t.Fatalf("refuse: %d %s", r.Code, r.Body)
	}
	h.agents.agents["a3"].PendingNotReady = "toilet"
	h.agents.agents["a3"].State = routing.Ready
	if r := h.do(t, http.MethodPost, "/api/v1/agents/a3/approve", ""); r.Code != 200 {
		t.Fatalf("approve: %d %s", r.Code, r.Body)
	}
	if r := h.do(t, http.MethodPost, "/api/v1/agents/a3/approve", ""); r.Code != 409 {
		t.Fatalf("approve with nothing pending: %d %s", r.Code, r.Body)
	}
	var got []string
	for _, e := range h.audits(t) {
		var d forceDetail
		_ = json.Unmarshal(e.Detail, &d)
		got = append(got, e.Action+" "+e.Target+" "+d.Reason+" "+d.Before+">"+d.After)
	}
	want := []string{
		"agent.refuse a3 meal on_call>on_call",
		"agent.approve a3 toilet ready>not_ready",
		"agent.approve a3  not_ready(toilet)>not_ready",
		"agent.approve a3  not_ready(toilet)>not_ready",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("audit\n got %q\nwant %q", got, want)
	}
}

// Without an audit log a forced action does not happen (503); the
// agent's own actions go on.
func TestForcedNeedsAuditLog(t *testing.T) {
	h := teamHarness(t)
	h.h = New(Config{Accounts: fakeAccounts{}}, h.agents, h.store, nil, nil, nil).Handler()
	r := h.do(t, "PUT", "/api/v1/agents/a2/state", `{"state":"not_ready","reason":"break"}`)
	if r.Code != http.StatusServiceUnavailable || h.agents.agents["a2"].State != routing.Ready {
		t.Fatalf("forced without audit log: %d %s", r.Code, r.Body)
	}
	h.token = "role:agent:a2:back"
	if r := h.do(t, "PUT", "/api/v1/agents/a2/state", `{"state":"not_ready","reason":"break"}`); r.Code != 200 {
		t.Fatalf("own: %d %s", r.Code, r.Body)
	}
}

// A sign-in on a phone another agent is signed in on is a 409 naming the
// field and who holds the phone.
func TestSignInPhoneTaken(t *testing.T) {
	h := newHarness(t)
	h.token = "role:agent:a1"
	r := h.do(t, http.MethodPost, "/api/v1/agents/a1/sign-in", `{"endpoint":"PJSIP/1002"}`)
	if r.Code != http.StatusConflict {
		t.Fatalf("a1 on a2's phone: %d %s", r.Code, r.Body)
	}
	if e := errorOf(t, r); e.Field != "endpoint" || e.Code != routing.CodeEndpointTaken || !strings.Contains(e.Message, "a2 (Bob)") {
		t.Fatalf("error %+v", e)
	}
	if r := h.do(t, http.MethodPost, "/api/v1/agents/a1/sign-in", `{"endpoint":"PJSIP/1001"}`); r.Code != 200 {
		t.Fatalf("a1 on a free phone: %d %s", r.Code, r.Body)
	}
}

// An agent withdraws their own pending not-ready request; not another's.
func TestWithdrawRequest(t *testing.T) {
	h := newHarness(t)
	h.agents.agents["a3"].PendingNotReady = "meal"
	h.token = "role:agent:a1"
	if r := h.do(t, http.MethodPost, "/api/v1/agents/a3/withdraw", ""); r.Code != http.StatusForbidden {
		t.Fatalf("another agent's request: %d %s", r.Code, r.Body)
	}
	h.token = "role:agent:a3"
	if r := h.do(t, http.MethodPost, "/api/v1/agents/a3/withdraw", ""); r.Code != 200 || h.agents.agents["a3"].PendingNotReady != "" {
		t.Fatalf("withdraw: %d %s", r.Code, r.Body)
	}
	if r := h.do(t, http.MethodPost, "/api/v1/agents/a3/withdraw", ""); r.Code != http.StatusConflict || errorOf(t, r).Code != "no_request" {
		t.Fatalf("second withdrawal: %d %s", r.Code, r.Body)
	}
}
