package auth

import (
	"fmt"
	"slices"
	"strings"
)

// Directory is what accounts may name of the routing config: its teams
// and its agents with each one's team. The routing config is the one
// source of teams (docs/teams.md); an account only picks from it.
type Directory struct {
	Teams  []string          // the configured team ids
	Agents map[string]string // configured agent id → their team ("" for none)
}

// Check says why u names what the routing config does not have (a
// *FieldError), nil if every team and agent it names is configured: the
// team is a configured team, the agent id a configured agent, and an
// agent's account is in their agent's team.
func (d Directory) Check(u User) error {
	if u.Team != "" && !slices.Contains(d.Teams, u.Team) {
		return &FieldError{Field: "team", Reason: fmt.Sprintf("no team %q in the routing config; teams: %s", u.Team, d.teamList())}
	}
	if u.AgentID == "" {
		return nil
	}
	team, ok := d.Agents[u.AgentID]
	if !ok {
		return &FieldError{Field: "agent_id", Reason: fmt.Sprintf("no agent %q in the routing config", u.AgentID)}
	}
	if u.Role == Agent && u.Team != "" && u.Team != team {
		if team == "" {
			return &FieldError{Field: "team", Reason: fmt.Sprintf("agent %s is in no team in the routing config", u.AgentID)}
		}
		return &FieldError{Field: "team", Reason: fmt.Sprintf("agent %s is in team %q in the routing config", u.AgentID, team)}
	}
	return nil
}

// AgentTeam is the configured team of an agent's account: what an
// agent's account left without a team is given.
func (d Directory) AgentTeam(u User) string {
	if u.Role == Agent && u.Team == "" {
		return d.Agents[u.AgentID]
	}
	return u.Team
}

// Members are the configured agents of team, sorted.
func (d Directory) Members(team string) []string {
	out := []string{}
	for id, t := range d.Agents {
		if team != "" && t == team {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

func (d Directory) teamList() string {
	if len(d.Teams) == 0 {
		return "none configured"
	}
	ts := slices.Clone(d.Teams)
	slices.Sort(ts)
	return strings.Join(ts, ", ")
}
