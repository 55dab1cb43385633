package api

import (
	"strings"
	"testing"
)

func TestLeaveFlow(t *testing.T) {
	h, l := newWorkforceHarness(t)
	const (
		agent = "role:agent:a1:front"
		lead  = "role:team_lead:l1:front"
	)
	var ids []string
	for _, tc := range []struct {
		name, token, method, path, body string
		want                            int
		field                           string
	}{
		{"past", agent, "POST", "/api/v1/leave", `{"from":"2026-12-01","to":"2026-12-02"}`, 400, "from"},
		{"for someone else", agent, "POST", "/api/v1/leave", `{"agent":"a3","from":"2026-12-14","to":"2026-12-15"}`, 403, ""},
		{"to before from", agent, "POST", "/api/v1/leave", `{"from":"2026-12-15","to":"2026-12-14"}`, 400, "to"},
		{"request 2 days", agent, "POST", "/api/v1/leave", `{"from":"2026-12-14","to":"2026-12-15","reason":"family"}`, 201, ""},
		{"request 2 more", agent, "POST", "/api/v1/leave", `{"from":"2026-12-21","to":"2026-12-22"}`, 201, ""},
		{"agent may not approve", agent, "POST", "/api/v1/leave/L000001/decision", `{"decision":"approve"}`, 403, ""},
		{"lead of another team", "role:team_lead:l2:back", "POST", "/api/v1/leave/L000001/decision", `{"decision":"approve"}`, 403, ""},
		{"bad decision", lead, "POST", "/api/v1/leave/L000001/decision", `{"decision":"maybe"}`, 400, "decision"},
		{"unknown", lead, "POST", "/api/v1/leave/L999/decision", `{"decision":"approve"}`, 404, ""},
		{"lead approves", lead, "POST", "/api/v1/leave/L000001/decision", `{"decision":"approve"}`, 200, ""},
		{"decided already", lead, "POST", "/api/v1/leave/L000001/decision", `{"decision":"refuse"}`, 409, "decision"},
		{"over the lead's 3 days", lead, "POST", "/api/v1/leave/L000002/decision", `{"decision":"approve"}`, 409, "lead_days"},
		{"supervisor approves (≤ 5)", "role:supervisor", "POST", "/api/v1/leave/L000002/decision", `{"decision":"approve"}`, 200, ""},
		{"bad state filter", agent, "GET", "/api/v1/leave?state=x", "", 400, "state"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h.token = tc.token
			r := h.do(t, tc.method, tc.path, tc.body)
			if r.Code != tc.want {
				t.Fatalf("%d %s", r.Code, r.Body)
			}
			if tc.field != "" {
				if e := errorOf(t, r); e.Field != tc.field {
					t.Fatalf("field %q, want %q: %s", e.Field, tc.field, r.Body)
				}
			}
			if r.Code == 201 {
				ids = append(ids, string(r.Body))
			}
		})
	}
	if len(ids) != 2 {
		t.Fatalf("created %d", len(ids))
	}
	h.token = agent
	r := h.do(t, "GET", "/api/v1/leave?state=approved", "")
	if r.Code != 200 || strings.Count(string(r.Body), `"state":"approved"`) != 2 {
		t.Fatalf("list: %s", r.Body)
	}
	h.token = "role:agent:a3:front"
	if r := h.do(t, "GET", "/api/v1/leave", ""); !strings.Contains(string(r.Body), `"leave":[]`) {
		t.Errorf("another agent sees: %s", r.Body)
	}
	if es := auditOf(t, h, "leave.decide"); len(es) < 3 {
		t.Errorf("decide audits %d", len(es))
	}
	var types []string
	for _, rec := range l.recs {
		types = append(types, rec.Type)
	}
	if strings.Join(types, ",") != "schedule.leave_requested,schedule.leave_requested,schedule.leave_decided,schedule.leave_decided" {
		t.Errorf("records %v", types)
	}
}
