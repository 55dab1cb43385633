package api

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"switchboard/customers"
)

// TestEveryCallReadIsScoped walks every route that returns a logged
// call's data with a call of another team: each refuses the team lead
// with 403, and lets the call's own team lead and a supervisor through.
// A new route under /api/v1/calls/:id is covered by being there.
func TestEveryCallReadIsScoped(t *testing.T) {
	h := newHarness(t)
	h.agents.agents["a1"].Team = "blue" // c1 is a1's call
	param := regexp.MustCompile(`:[A-Za-z_]+`)
	checked := 0
	for _, r := range h.srv.routes() {
		if !readsCall(r) {
			if strings.HasPrefix(r.path, callRoutes) && r.method == http.MethodGet {
				t.Errorf("%s %s returns a call's data without the scope check", r.method, r.path)
			}
			continue
		}
		target := param.ReplaceAllString(r.path, "c1")
		body := ""
		if r.method != http.MethodGet {
			body = "{}"
		}
		for _, tc := range []struct {
			token   string
			refused bool
		}{
			{"role:team_lead:lead9:green", true},
			{"role:team_lead:lead1:blue", false},
			{"role:supervisor", false},
		} {
			h.token = tc.token
			res := h.do(t, r.method, target, body)
			refused := res.Code == http.StatusForbidden && strings.Contains(string(res.Body), "not yours or your team's")
			if refused != tc.refused {
				t.Errorf("%s %s as %s: %d %s (want refused=%v)", r.method, target, tc.token, res.Code, res.Body, tc.refused)
			}
		}
		checked++
	}
	if checked < 4 {
		t.Fatalf("only %d call routes checked", checked)
	}
}

// TestContactsAreScoped: a customer's contact history shows a team lead
// only the calls of their own team.
func TestContactsAreScoped(t *testing.T) {
	h, fd := newDeskHarness(t)
	fd.agents["a1"].Team = "blue"
	id, err := customers.NewService(h.store.CustomerIndex(), appendDecision(h.store)).Save(t.Context(), customers.Data{Name: "Ann", Numbers: []string{"+1555"}})
	if err != nil {
		t.Fatal(err)
	}
	path := "/api/v1/customers/" + strconv.FormatInt(id, 10) + "/contacts"
	count := func(token string) int {
		t.Helper()
		h.token = token
		res := h.do(t, "GET", path, "")
		if res.Code != 200 {
			t.Fatalf("%s: %d %s", token, res.Code, res.Body)
		}
		var b contactList
		if err := json.Unmarshal(res.Body, &b); err != nil {
			t.Fatal(err)
		}
		return len(b.Contacts)
	}
	if n := count("role:supervisor"); n != 1 {
		t.Fatalf("supervisor sees %d contacts, want 1 (c1)", n)
	}
	if n := count("role:team_lead:lead1:blue"); n != 1 {
		t.Errorf("a1's own lead sees %d contacts, want 1", n)
	}
	if n := count("role:team_lead:lead9:green"); n != 0 {
		t.Errorf("another team's lead sees %d contacts, want 0", n)
	}
}
