package auth_test

import (
	"testing"

	"switchboard/auth"
)

// An account names only what the routing config has: a configured team, a
// configured agent, and for an agent their agent's team.
func TestDirectoryCheck(t *testing.T) {
	d := auth.Directory{Teams: []string{"front", "back"}, Agents: map[string]string{"1001": "front", "1002": "back", "1009": ""}}
	for _, tc := range []struct {
		name  string
		u     auth.User
		field string
	}{
		{"agent in their team", auth.User{Role: auth.Agent, AgentID: "1001", Team: "front"}, ""},
		{"agent without a team given", auth.User{Role: auth.Agent, AgentID: "1001"}, ""},
		{"agent in another configured team", auth.User{Role: auth.Agent, AgentID: "1001", Team: "back"}, "team"},
		{"agent of no team given one", auth.User{Role: auth.Agent, AgentID: "1009", Team: "front"}, "team"},
		{"unknown agent", auth.User{Role: auth.Agent, AgentID: "1003"}, "agent_id"},
		{"lead of a configured team", auth.User{Role: auth.TeamLead, Team: "back"}, ""},
		{"lead of an unknown team", auth.User{Role: auth.TeamLead, Team: "night"}, "team"},
		{"lead who takes calls in another team", auth.User{Role: auth.TeamLead, Team: "back", AgentID: "1001"}, ""},
		{"lead as an unknown agent", auth.User{Role: auth.TeamLead, Team: "back", AgentID: "x"}, "agent_id"},
		{"supervisor", auth.User{Role: auth.Supervisor}, ""},
		{"supervisor in an unknown team", auth.User{Role: auth.Supervisor, Team: "night"}, "team"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := d.Check(tc.u); fieldOf(err) != tc.field {
				t.Errorf("Check(%+v) = %v, want field %q", tc.u, err, tc.field)
			}
		})
	}
	if got := (auth.Directory{}).Check(auth.User{Role: auth.TeamLead, Team: "x"}); fieldOf(got) != "team" {
		t.Errorf("no teams configured: %v", got)
	}
	if got := d.AgentTeam(auth.User{Role: auth.Agent, AgentID: "1002"}); got != "back" {
		t.Errorf("an agent's account without a team gets %q", got)
	}
	if got := d.Members("front"); len(got) != 1 || got[0] != "1001" {
		t.Errorf("members of front: %v", got)
	}
	if got := d.Members(""); len(got) != 0 {
		t.Errorf("members of no team: %v", got)
	}
}
