package api

import (
	"context"
	"slices"

	"github.com/labstack/echo/v4"

	"switchboard/auth"
	"switchboard/routing"
	"switchboard/store"
)

// Scope: what a signed-in principal may see beyond their role's routes.
// Agents see their own calls and messages, team leads their team's,
// supervisors and quality inspectors every call.

// scoper decides scope from the agents as the engine knows them (their
// team, their queues).
type scoper struct {
	agents agentReader
}

// agentReader is what scope reads of the agents.
type agentReader interface {
	Agents(ctx context.Context) ([]routing.AgentView, error)
	Agent(ctx context.Context, id string) (routing.AgentView, error)
}

// teamAgents lists the agents of team as the engine knows them.
func (sc scoper) teamAgents(ctx context.Context, team string) ([]string, error) {
	views, err := sc.agents.Agents(ctx)
	if err != nil {
		return nil, err
	}
	out := []string{}
	for _, v := range views {
		if team != "" && v.Team == team {
			out = append(out, v.ID)
		}
	}
	return out, nil
}

// agentInScope says whether p may see agent id's calls and messages.
func (sc scoper) agentInScope(ctx context.Context, p auth.Principal, id string) (bool, error) {
	switch p.Role {
	case auth.Supervisor, auth.Quality:
		return true, nil
	case auth.Agent:
		return p.AgentID != "" && p.AgentID == id, nil
	case auth.TeamLead:
		if p.AgentID != "" && p.AgentID == id {
			return true, nil
		}
		team, err := sc.teamAgents(ctx, p.Team)
		return slices.Contains(team, id), err
	}
	return false, nil
}

// scopeCallFilter narrows a calls listing to what the caller may see.
func (sc scoper) scopeCallFilter(c echo.Context, f *store.CallFilter) error {
	p := principalOf(c)
	switch p.Role {
	case auth.Supervisor, auth.Quality:
		return nil
	case auth.Agent:
		if p.AgentID == "" {
			f.Agents = []string{}
		} else {
			f.Agents = []string{p.AgentID}
		}
		return nil
	case auth.TeamLead:
		team, err := sc.teamAgents(c.Request().Context(), p.Team)
		if err != nil {
			return err
		}
		if p.AgentID != "" {
			team = append(team, p.AgentID)
		}
		f.Agents = team
		return nil
	}
	f.Agents = []string{}
	return nil
}

// callScope refuses a call the caller may not see (403: the call exists,
// but it is someone else's).
func (sc scoper) callScope(c echo.Context, call store.Call) error {
	ok, err := sc.agentInScope(c.Request().Context(), principalOf(c), call.Agent)
	if err != nil {
		return err
	}
	if !ok {
		return forbidden("this call is not yours or your team's")
	}
	return nil
}

// messageScope: a message is its target's (an agent, or every agent of
// the target group) and, for team leads, their team's (their agents' and
// the groups their team serves); supervisors see all. Quality inspectors
// have no access to messages.
func (sc scoper) messageScope(c echo.Context, m store.Message) error {
	if ok, err := sc.messageInScope(c.Request().Context(), principalOf(c), m); err != nil || ok {
		return err
	}
	return forbidden("this message is not for you or your team")
}

func (sc scoper) messageInScope(ctx context.Context, p auth.Principal, m store.Message) (bool, error) {
	switch p.Role {
	case auth.Supervisor:
		return true, nil
	case auth.Agent, auth.TeamLead:
	default:
		return false, nil
	}
	switch m.TargetKind {
	case "agent":
		return sc.agentInScope(ctx, p, m.Target)
	case "group":
		if p.Role == auth.TeamLead {
			return sc.teamServes(ctx, p, m.Target)
		}
		v, err := sc.agents.Agent(ctx, p.AgentID)
		if err != nil {
			return false, nil
		}
		return slices.Contains(v.Queues, m.Target), nil
	}
	// Messages for an extension belong to no agent: supervisors and leads.
	return p.Role == auth.TeamLead, nil
}

// teamServes says whether the lead or an agent of their team serves queue:
// a group's messages are the business of the teams that answer it.
func (sc scoper) teamServes(ctx context.Context, p auth.Principal, queue string) (bool, error) {
	views, err := sc.agents.Agents(ctx)
	if err != nil {
		return false, err
	}
	for _, v := range views {
		mine := (p.AgentID != "" && v.ID == p.AgentID) || (p.Team != "" && v.Team == p.Team)
		if mine && slices.Contains(v.Queues, queue) {
			return true, nil
		}
	}
	return false, nil
}
