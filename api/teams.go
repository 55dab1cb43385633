package api

import (
	"context"
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"switchboard/auth"
	"switchboard/routing"
)

// Teams: the routing config's teams (teams: and each agent's team:) are
// the one team model (docs/teams.md). Accounts pick a configured team and
// name a configured agent; a team lead sees the agents the config puts
// in their team, and is told why when there are none.

// TeamSource is the teams of the routing config in force
// (*config.Editor), by id.
type TeamSource interface {
	Teams() map[string]routing.Team
}

// teamDirectory reads the configured teams and agents: the teams from
// src (nil: the teams the agents are in), the agents as the engine knows
// them.
type teamDirectory struct {
	src    TeamSource
	agents agentReader
}

// read is the directory and each team's title.
func (td teamDirectory) read(ctx context.Context) (auth.Directory, map[string]string, error) {
	views, err := td.agents.Agents(ctx)
	if err != nil {
		return auth.Directory{}, nil, err
	}
	d, titles := td.of(views)
	return d, titles, nil
}

// of is the directory with views as the configured agents.
func (td teamDirectory) of(views []routing.AgentView) (auth.Directory, map[string]string) {
	d := auth.Directory{Agents: make(map[string]string, len(views))}
	titles := map[string]string{}
	for _, v := range views {
		d.Agents[v.ID] = v.Team
		if td.src == nil && v.Team != "" {
			titles[v.Team] = v.Team
		}
	}
	if td.src != nil {
		for id, t := range td.src.Teams() {
			titles[id] = t.Name
			if t.Name == "" {
				titles[id] = id
			}
		}
	}
	for id := range titles {
		d.Teams = append(d.Teams, id)
	}
	slices.Sort(d.Teams)
	return d, titles
}

// teamView is a configured team as GET /api/v1/teams lists it.
type teamView struct {
	Name   string   `json:"name"`   // the team id in the routing config
	Title  string   `json:"title"`  // its name: there
	Agents []string `json:"agents"` // the configured agents in it
}

func (td teamDirectory) routes() []route {
	return []route{{http.MethodGet, "/api/v1/teams", td.listTeams, signedIn}}
}

func (td teamDirectory) listTeams(c echo.Context) error {
	d, titles, err := td.read(c.Request().Context())
	if err != nil {
		return err
	}
	out := make([]teamView, 0, len(d.Teams))
	for _, id := range d.Teams {
		out = append(out, teamView{Name: id, Title: titles[id], Agents: d.Members(id)})
	}
	return c.JSON(http.StatusOK, map[string]any{"teams": out})
}

// notice tells a caller why a listing is empty when it should not be.
type notice struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Why a team lead sees nobody.
const (
	NoticeNoTeam      = "no_team"      // the lead's account has no team
	NoticeTeamUnknown = "team_unknown" // their team is not in the routing config
	NoticeTeamEmpty   = "team_empty"   // no configured agent is in their team
)

// leadNotice is why team lead p sees no agent of their team, or nil.
func leadNotice(p auth.Principal, d auth.Directory) *notice {
	if p.Role != auth.TeamLead {
		return nil
	}
	switch {
	case p.Team == "":
		return &notice{NoticeNoTeam, "your account has no team: an admin picks one of the configured teams for it"}
	case !slices.Contains(d.Teams, p.Team):
		return &notice{NoticeTeamUnknown, "your team " + p.Team + " is not in the routing config: an admin adds it there or picks another for your account"}
	case len(d.Members(p.Team)) == 0:
		return &notice{NoticeTeamEmpty, "no agent in the routing config is in your team " + p.Team + ": an admin sets team: " + p.Team + " on its agents"}
	}
	return nil
}
