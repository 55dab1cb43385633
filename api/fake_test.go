package api

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"time"

	"switchboard/auth"
	"switchboard/routing"
)

// fakeAgents is a hand-written AgentService: a few agents and a small state
// machine, plus agents that fail in set ways.
type fakeAgents struct {
	mu     sync.Mutex
	agents map[string]*routing.AgentView
	now    time.Time
	// supervised lists the Supervise calls (supervise_test.go).
	supervised []string
}

// Agent IDs the fake treats specially.
const (
	agentBoom    = "boom"    // every call fails with an unexpected error
	agentStopped = "stopped" // the engine is stopped
	agentPanic   = "panic"   // the service panics
)

// endpointUnknown is refused by the fake's SignIn as the engine would.
const endpointUnknown = "PJSIP/nobody"

var errBoom = errors.New("database on fire: secret detail")

func newFakeAgents() *fakeAgents {
	now := time.Date(2025, 3, 14, 8, 0, 0, 0, time.UTC)
	f := &fakeAgents{agents: map[string]*routing.AgentView{}, now: now}
	for _, a := range []routing.AgentView{
		{ID: "a1", Name: "Ada", State: routing.SignedOut, Queues: []string{"support"}},
		{ID: "a2", Name: "Bob", State: routing.Ready, Endpoint: "PJSIP/1002", Queues: []string{"sales"}},
		{ID: "a3", Name: "Cy", State: routing.OnCall, Endpoint: "PJSIP/1003", Queues: []string{"support"}, CallID: "c1"},
	} {
		a.Since = now
		f.agents[a.ID] = &a
	}
	return f
}

func (f *fakeAgents) Agents(ctx context.Context) ([]routing.AgentView, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []routing.AgentView
	for _, a := range f.agents {
		out = append(out, *a)
	}
	slices.SortFunc(out, func(a, b routing.AgentView) int {
		if a.ID < b.ID {
			return -1
		}
		return 1
	})
	return out, nil
}

func (f *fakeAgents) Agent(ctx context.Context, id string) (routing.AgentView, error) {
	return f.change(id, nil)
}

func (f *fakeAgents) SignIn(ctx context.Context, id, endpoint string) (routing.AgentView, error) {
	if endpoint == endpointUnknown {
		return routing.AgentView{}, &routing.FieldError{Field: "endpoint", Reason: "no such endpoint on any PBX"}
	}
	return f.change(id, func(a *routing.AgentView) error {
		// As the engine: a phone another signed-in agent is on is refused.
		for _, o := range f.agents {
			if o.ID != id && o.State != routing.SignedOut && endpoint != "" && o.Endpoint == endpoint {
				return &routing.PolicyError{Code: routing.CodeEndpointTaken, Field: "endpoint",
					Message: "phone " + endpoint + " is in use by agent " + o.ID + " (" + o.Name + "), who is signed in on it"}
			}
		}
		if err := f.move(a, routing.Ready, routing.SignedOut); err != nil {
			return err
		}
		a.Endpoint = endpoint
		if a.Endpoint == "" {
			a.Endpoint = "PJSIP/default-" + a.ID
		}
		return nil
	})
}

func (f *fakeAgents) SignOut(ctx context.Context, id, by, reason string) (routing.AgentView, error) {
	return f.change(id, func(a *routing.AgentView) error {
		if err := f.move(a, routing.SignedOut, routing.Ready, routing.NotReady, routing.WrapUp); err != nil {
			return err
		}
		a.Endpoint, a.Reason = "", ""
		a.SignedOutBy, a.SignOutNote = by, reason
		return nil
	})
}

func (f *fakeAgents) SetReady(ctx context.Context, id string) (routing.AgentView, error) {
	return f.change(id, func(a *routing.AgentView) error {
		a.Reason = ""
		return f.move(a, routing.Ready, routing.NotReady, routing.WrapUp)
	})
}

func (f *fakeAgents) SetNotReady(ctx context.Context, id, reason string) (routing.AgentView, error) {
	return f.change(id, func(a *routing.AgentView) error {
		if err := f.move(a, routing.NotReady, routing.Ready, routing.NotReady, routing.WrapUp); err != nil {
			return err
		}
		a.Reason = reason
		return nil
	})
}

// move sets a's state to to if a is in one of from.
func (f *fakeAgents) move(a *routing.AgentView, to routing.AgentState, from ...routing.AgentState) error {
	if !slices.Contains(from, a.State) {
		return &routing.TransitionError{Agent: a.ID, From: a.State, To: to}
	}
	a.State, a.Since = to, f.now
	return nil
}

// change runs fn on agent id under the lock and returns the agent after it.
func (f *fakeAgents) change(id string, fn func(*routing.AgentView) error) (routing.AgentView, error) {
	switch id {
	case agentBoom:
		return routing.AgentView{}, errBoom
	case agentStopped:
		return routing.AgentView{}, routing.ErrStopped
	case agentPanic:
		panic("fake agent service panicked")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	a, ok := f.agents[id]
	if !ok {
		return routing.AgentView{}, routing.ErrUnknownAgent
	}
	if fn != nil {
		if err := fn(a); err != nil {
			return routing.AgentView{}, err
		}
	}
	return *a, nil
}

func (f *fakeAgents) Approve(ctx context.Context, id string) (routing.AgentView, error) {
	return f.change(id, func(a *routing.AgentView) error {
		if a.PendingNotReady == "" {
			return &routing.PolicyError{Code: "no_request", Message: "no pending request"}
		}
		a.State, a.Reason, a.PendingNotReady = routing.NotReady, a.PendingNotReady, ""
		return nil
	})
}

func (f *fakeAgents) Refuse(ctx context.Context, id string) (routing.AgentView, error) {
	return f.change(id, func(a *routing.AgentView) error {
		if a.PendingNotReady == "" {
			return &routing.PolicyError{Code: "no_request", Message: "no pending request"}
		}
		a.PendingNotReady = ""
		return nil
	})
}

func (f *fakeAgents) Withdraw(ctx context.Context, id string) (routing.AgentView, error) {
	return f.Refuse(ctx, id) // the same change: the request is gone
}

func (f *fakeAgents) Queues(ctx context.Context) ([]routing.QueueView, error) {
	return []routing.QueueView{{Name: "support", Strategy: "longest_idle", Waiting: 2, Agents: map[string]int{"ready": 1}}}, nil
}

func (f *fakeAgents) Calendars(ctx context.Context) ([]routing.CalendarView, error) {
	return []routing.CalendarView{{Name: "office", Mode: "auto", Open: true}}, nil
}

func (f *fakeAgents) SetMode(ctx context.Context, calendar, mode string) (routing.CalendarView, error) {
	if calendar != "office" {
		return routing.CalendarView{}, routing.ErrUnknownCalendar
	}
	if mode != "day" && mode != "night" && mode != "auto" {
		return routing.CalendarView{}, &routing.FieldError{Field: "mode", Reason: "must be auto, day or night"}
	}
	return routing.CalendarView{Name: calendar, Mode: mode, Open: mode != "night"}, nil
}

// fakeAccounts authenticates bearer tokens "role:<role>[:agent[:team]]"
// so tests can act as any role; real sessions are tested against
// auth.Service in auth_test.go.
type fakeAccounts struct{ Accounts }

func (fakeAccounts) Session(context.Context, string) (auth.Principal, error) {
	return auth.Principal{}, auth.ErrNoSession
}

func (fakeAccounts) Token(_ context.Context, raw string) (auth.Principal, error) {
	parts := strings.Split(raw, ":")
	if len(parts) < 2 || parts[0] != "role" {
		return auth.Principal{}, auth.ErrNoSession
	}
	role, err := auth.ParseRole(parts[1])
	if err != nil {
		return auth.Principal{}, auth.ErrNoSession
	}
	p := auth.Principal{Username: "test-" + parts[1], Role: role, TokenID: 1, Lang: "en"}
	if len(parts) > 2 {
		p.AgentID = parts[2]
	}
	if len(parts) > 3 {
		p.Team = parts[3]
	}
	return p, nil
}
