package api

import (
	"strings"
	"testing"
)

func TestSwapFlow(t *testing.T) {
	h, _ := newWorkforceHarness(t)
	h.token = "role:supervisor"
	for team, body := range map[string]string{
		"front": `{"entries":[{"agent":"a1","date":"2027-01-07","shift":"day"},{"agent":"a3","date":"2027-01-08","shift":"day"},
			{"agent":"a1","date":"2027-01-11","shift":"day"},{"agent":"a3","date":"2027-01-11","shift":"day"}]}`,
		"back": `{"entries":[{"agent":"a2","date":"2027-01-12","shift":"day"}]}`,
	} {
		if r := h.do(t, "PUT", "/api/v1/schedules/"+team+"/2027-01", body); r.Code != 200 {
			t.Fatal(r.Code, string(r.Body))
		}
		if r := h.do(t, "POST", "/api/v1/schedules/"+team+"/2027-01/publish", ""); r.Code != 200 {
			t.Fatal(r.Code, string(r.Body))
		}
	}
	const (
		a1    = "role:agent:a1:front"
		front = "role:team_lead:l1:front"
		back  = "role:team_lead:l2:back"
	)
	for _, tc := range []struct {
		name, token, method, path, body string
		want                            int
		field                           string
	}{
		{"with oneself", a1, "POST", "/api/v1/swaps", `{"date":"2027-01-07","with":"a1","with_date":"2027-01-07"}`, 400, "with"},
		{"leaves front empty on the 7th", a1, "POST", "/api/v1/swaps", `{"date":"2027-01-07","with":"a2","with_date":"2027-01-12"}`, 409, "min_staffing"},
		{"for someone else", a1, "POST", "/api/v1/swaps", `{"agent":"a3","date":"2027-01-08","with":"a1","with_date":"2027-01-07"}`, 403, ""},
		{"within the team", a1, "POST", "/api/v1/swaps", `{"date":"2027-01-07","with":"a3","with_date":"2027-01-08"}`, 201, ""},
		{"agent may not decide", a1, "POST", "/api/v1/swaps/S000001/decision", `{"decision":"approve"}`, 403, ""},
		{"lead of another team", back, "POST", "/api/v1/swaps/S000001/decision", `{"decision":"approve"}`, 403, ""},
		{"front's lead approves: done", front, "POST", "/api/v1/swaps/S000001/decision", `{"decision":"approve"}`, 200, ""},
		{"decided already", front, "POST", "/api/v1/swaps/S000001/decision", `{"decision":"refuse"}`, 409, "decision"},
		{"across teams", a1, "POST", "/api/v1/swaps", `{"date":"2027-01-11","with":"a2","with_date":"2027-01-12"}`, 201, ""},
		{"front approves", front, "POST", "/api/v1/swaps/S000002/decision", `{"decision":"approve"}`, 200, ""},
		{"back approves", back, "POST", "/api/v1/swaps/S000002/decision", `{"decision":"approve"}`, 200, ""},
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
		})
	}
	h.token = a1
	r := h.do(t, "GET", "/api/v1/schedules/mine?month=2027-01", "")
	if b := string(r.Body); !strings.Contains(b, `"date":"2027-01-08"`) || !strings.Contains(b, `"date":"2027-01-12"`) || strings.Contains(b, `"date":"2027-01-07"`) {
		t.Fatalf("a1 after the swaps: %s", b)
	}
	if r := h.do(t, "GET", "/api/v1/swaps", ""); strings.Count(string(r.Body), `"state":"approved"`) != 2 {
		t.Errorf("swaps: %s", r.Body)
	}
	if es := auditOf(t, h, "swap.decide"); len(es) < 4 {
		t.Errorf("audits %d", len(es))
	}
}
