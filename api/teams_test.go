package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"switchboard/auth"
	"switchboard/routing"
	"switchboard/store"
	"switchboard/store/storetest"
)

// fakeTeams is a routing config's teams: front and back have agents
// (teamHarness), night has none.
type fakeTeams struct{}

func (fakeTeams) Teams() map[string]routing.Team {
	return map[string]routing.Team{"front": {Name: "前台 Front"}, "back": {Name: "Back office"}, "night": {}}
}

// teamAccounts is the API over a real auth.Service whose agents are in
// teams (a1, a3 front; a2 back) of a config with teams front, back and
// night; root is the admin.
func teamAccounts(t *testing.T) (func(method, path, body string) *httptest.ResponseRecorder, *store.Store) {
	t.Helper()
	cost := auth.PasswordCost
	auth.PasswordCost = bcrypt.MinCost
	t.Cleanup(func() { auth.PasswordCost = cost })
	st := storetest.New(t)
	svc := auth.New(auth.Config{}, st, time.Now, nil)
	if _, err := svc.CreateUser(t.Context(), auth.NewUser{Username: "root", Name: "Root", Role: auth.Admin, Password: "grey heron at dawn 1"}); err != nil {
		t.Fatal(err)
	}
	tok, _, err := svc.CreateToken(t.Context(), auth.TokenSpec{Name: "t", Role: auth.Admin, CreatedBy: "test"})
	if err != nil {
		t.Fatal(err)
	}
	agents := newFakeAgents()
	agents.agents["a1"].Team, agents.agents["a2"].Team, agents.agents["a3"].Team = "front", "back", "front"
	h := New(Config{Accounts: svc, Audit: st, Teams: fakeTeams{}}, agents, st, nil, nil, nil).Handler()
	return func(method, path, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequestWithContext(t.Context(), method, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+tok)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w
	}, st
}

// The teams are the routing config's: listed with their title and
// configured agents, and the only ones an account may name.
func TestTeamsAreTheConfigs(t *testing.T) {
	do, st := teamAccounts(t)
	w := do("GET", "/api/v1/teams", "")
	var list struct{ Teams []teamView }
	if w.Code != 200 || json.Unmarshal(w.Body.Bytes(), &list) != nil {
		t.Fatalf("teams: %d %s", w.Code, w.Body)
	}
	want := []teamView{{"back", "Back office", []string{"a2"}}, {"front", "前台 Front", []string{"a1", "a3"}}, {"night", "night", []string{}}}
	if !slices.EqualFunc(list.Teams, want, func(a, b teamView) bool {
		return a.Name == b.Name && a.Title == b.Title && slices.Equal(a.Agents, b.Agents)
	}) {
		t.Errorf("teams %+v, want %+v", list.Teams, want)
	}
	// Teams are edited in the routing config, not here.
	if w := do("PUT", "/api/v1/teams/front", `{"title":"x"}`); w.Code != http.StatusNotFound && w.Code != http.StatusMethodNotAllowed {
		t.Errorf("PUT a team: %d", w.Code)
	}

	user := func(body string) string { return `{"name":"N","password":"grey heron at dusk 2",` + body + `}` }
	for _, tc := range []struct {
		name, body, field string
	}{
		{"lead of a team not configured", user(`"username":"lu","role":"team_lead","team":"nights"`), "team"},
		{"agent not configured", user(`"username":"zed","role":"agent","agent_id":"1009"`), "agent_id"},
		{"agent in another team than their agent's", user(`"username":"ada","role":"agent","agent_id":"a1","team":"back"`), "team"},
		{"lead who takes calls as an unknown agent", user(`"username":"lu","role":"team_lead","team":"front","agent_id":"x9"`), "agent_id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := do("POST", "/api/v1/users", tc.body)
			var e errorBody
			if w.Code != 400 || json.Unmarshal(w.Body.Bytes(), &e) != nil || e.Error.Field != tc.field {
				t.Fatalf("%d %s, want 400 at %s", w.Code, w.Body, tc.field)
			}
		})
	}
	// Each refusal is audited as refused, with why; none as a success.
	es, err := st.Audit(t.Context(), store.AuditFilter{Action: "user.create"})
	if err != nil || len(es) != 4 { // root's own creation is not through the API
		t.Fatalf("audit %d entries, %v", len(es), err)
	}
	for _, e := range es {
		if e.OK || !strings.Contains(string(e.Detail), "routing config") {
			t.Errorf("refusal audited as %+v %s", e, e.Detail)
		}
	}

	// An agent's account left without a team is in their agent's team.
	w = do("POST", "/api/v1/users", user(`"username":"ada","role":"agent","agent_id":"a1"`))
	var ada auth.User
	if w.Code != 201 || json.Unmarshal(w.Body.Bytes(), &ada) != nil || ada.Team != "front" {
		t.Fatalf("agent without a team: %d %s", w.Code, w.Body)
	}
	// A lead may lead a configured team with nobody in it yet (they are
	// told so on their page, TestLeadNotice).
	if w := do("POST", "/api/v1/users", user(`"username":"nat","role":"team_lead","team":"night"`)); w.Code != 201 {
		t.Fatalf("lead of night: %d %s", w.Code, w.Body)
	}
	// A change of team is checked too; a change of name is not held up.
	var e errorBody
	if w := do("PATCH", "/api/v1/users/"+itoa(ada.ID), `{"team":"back"}`); w.Code != 400 || json.Unmarshal(w.Body.Bytes(), &e) != nil || e.Error.Field != "team" {
		t.Errorf("ada to back: %d %s", w.Code, w.Body)
	}
	if w := do("PATCH", "/api/v1/users/"+itoa(ada.ID), `{"name":"Ada L."}`); w.Code != 200 {
		t.Errorf("rename: %d %s", w.Code, w.Body)
	}
	ups, _ := st.Audit(t.Context(), store.AuditFilter{Action: "user.update"})
	if len(ups) != 2 || ups[1].OK || !ups[0].OK {
		t.Errorf("user.update audit (newest first): %+v", ups)
	}
}

// A team lead who would see nobody is told why.
func TestLeadNotice(t *testing.T) {
	h := teamHarness(t)
	h.srv = New(Config{Accounts: fakeAccounts{}, Audit: h.store, Teams: fakeTeams{}}, h.agents, h.store, nil, nil, nil)
	h.h = h.srv.Handler()
	for _, tc := range []struct {
		token, code string
	}{
		{"role:team_lead", NoticeNoTeam},
		{"role:team_lead::nights", NoticeTeamUnknown},
		{"role:team_lead::night", NoticeTeamEmpty},
		{"role:team_lead::front", ""},
		{"role:supervisor", ""},
	} {
		h.token = tc.token
		l := decode[agentList](t, h.do(t, "GET", "/api/v1/agents", ""))
		switch {
		case tc.code == "" && l.Notice != nil:
			t.Errorf("%s: notice %+v", tc.token, l.Notice)
		case tc.code != "" && (l.Notice == nil || l.Notice.Code != tc.code || l.Notice.Message == ""):
			t.Errorf("%s: notice %+v, want %s", tc.token, l.Notice, tc.code)
		}
	}
}
