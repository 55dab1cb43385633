package api

import (
	"strings"
	"testing"
)

func TestHandoverFlow(t *testing.T) {
	h, _ := newWorkforceHarness(t)
	body := `{"date":"2027-01-04","shift":"day","text":"busy afternoon","items":[{"kind":"equipment_fault","ref":"PJSIP/1003","note":"headset"}]}`
	for _, tc := range []struct {
		name, token, method, path, body string
		want                            int
		field                           string
	}{
		{"agent may not", "role:agent:a1:front", "POST", "/api/v1/handovers", body, 403, ""},
		{"other team", "role:team_lead:l1:front", "POST", "/api/v1/handovers", `{"team":"back","date":"2027-01-04","shift":"day","text":"x"}`, 403, ""},
		{"bad kind", "role:team_lead:l1:front", "POST", "/api/v1/handovers", `{"date":"2027-01-04","shift":"day","items":[{"kind":"x"}]}`, 400, "items[0].kind"},
		{"write", "role:team_lead:l1:front", "POST", "/api/v1/handovers", body, 201, ""},
		{"writer may not ack", "role:team_lead:l1:front", "POST", "/api/v1/handovers/H000001/ack", "", 400, "by"},
		{"other team's lead", "role:team_lead:l2:back", "POST", "/api/v1/handovers/H000001/ack", "", 403, ""},
		{"incoming lead acks", "role:team_lead:l9:front", "POST", "/api/v1/handovers/H000001/ack", "", 200, ""},
		{"twice", "role:team_lead:l9:front", "POST", "/api/v1/handovers/H000001/ack", "", 409, ""},
		{"unknown", "role:supervisor", "POST", "/api/v1/handovers/H9/ack", "", 404, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h.token = tc.token
			r := h.do(t, tc.method, tc.path, tc.body)
			if r.Code != tc.want {
				t.Fatalf("%d %s", r.Code, r.Body)
			}
			if tc.field != "" {
				if e := errorOf(t, r); e.Field != tc.field {
					t.Fatalf("field %q, want %q", e.Field, tc.field)
				}
			}
		})
	}
	h.token = "role:team_lead:l2:back"
	if r := h.do(t, "GET", "/api/v1/handovers", ""); !strings.Contains(string(r.Body), `"handovers":[]`) {
		t.Errorf("back sees: %s", r.Body)
	}
	h.token = "role:supervisor"
	if r := h.do(t, "GET", "/api/v1/handovers?team=front", ""); !strings.Contains(string(r.Body), `"acked_by":"l9"`) {
		t.Errorf("front: %s", r.Body)
	}
}
