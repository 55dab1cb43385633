package api

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"time"

	"github.com/labstack/echo/v4"

	"switchboard/auth"
	"switchboard/quality"
	"switchboard/routing"
	"switchboard/store"
)

// The monthly sampling: POST draws a month (once: a second draw is a
// 409), from the recordings started in it and the agents who signed in
// in it (agent.state records); GET shows the month's progress per agent,
// so shortfalls (agents under the minimum scored) show before the month
// ends.

// sampleRequest is the body of POST /api/v1/quality/sampling.
type sampleRequest struct {
	Month string `json:"month"`
}

// monthSpan parses a month (2026-11) in the server's time zone.
func monthSpan(field, s string) (time.Time, time.Time, error) {
	t, err := time.ParseInLocation("2006-01", s, time.Local)
	if err != nil {
		return t, t, badRequest(field, "must be a month such as 2026-11")
	}
	return t, t.AddDate(0, 1, 0), nil
}

func (h qualityHandlers) sample(c echo.Context) error {
	var req sampleRequest
	if err := decodeBody(c, &req, true); err != nil {
		return err
	}
	from, to, err := monthSpan("month", req.Month)
	if err != nil {
		return err
	}
	if h.index == nil {
		return errNoRecordingIndex()
	}
	ctx := c.Request().Context()
	in := quality.SampleInput{Month: req.Month}
	if in.Agents, err = h.activeAgents(ctx, from, to); err != nil {
		return err
	}
	for page := 0; page < maxSamplePages; page++ {
		rp, err := h.index.Recordings(ctx, store.RecordingFilter{From: from, To: to, Limit: store.MaxLimit, Offset: page * store.MaxLimit})
		if err != nil {
			return err
		}
		for _, r := range rp.Recordings {
			in.Calls = append(in.Calls, quality.Candidate{Recording: r.ID, Call: r.CallID, Agent: r.Agent, Team: r.Team,
				Queue: r.Queue, Started: r.StartedAt.In(time.Local), Disposition: r.Disposition})
		}
		if len(rp.Recordings) < store.MaxLimit {
			break
		}
	}
	d, err := h.svc.Sample(ctx, in)
	detail := qualityAudit{Month: req.Month}
	if err != nil {
		detail.Error = err.Error()
		h.aud.refused(c, "quality.sample", req.Month, err, detail)
		return qualityError(err)
	}
	if err := h.aud.record(c, "quality.sample", req.Month, true, detail); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, d)
}

// activeAgents are the agents with an agent.state record in [from, to):
// they signed in that month.
func (h qualityHandlers) activeAgents(ctx context.Context, from, to time.Time) ([]string, error) {
	seen := map[string]bool{}
	var after int64
	for page := 0; page < maxSamplePages; page++ {
		recs, err := h.calls.Events(ctx, store.EventFilter{TypePrefix: routing.EvAgentState, AfterSeq: after, Limit: store.MaxLimit})
		if err != nil {
			return nil, fmt.Errorf("active agents: %w", err)
		}
		for _, r := range recs {
			if r.AgentID != "" && !r.Time.Before(from) && r.Time.Before(to) {
				seen[r.AgentID] = true
			}
		}
		if len(recs) < store.MaxLimit {
			break
		}
		after = recs[len(recs)-1].Seq
	}
	out := make([]string, 0, len(seen))
	for a := range seen {
		out = append(out, a)
	}
	sort.Strings(out)
	return out, nil
}

// agentProgress is one agent's month.
type agentProgress struct {
	Agent   string `json:"agent"`
	Sampled int    `json:"sampled"`
	Scored  int    `json:"scored"`
	Due     int    `json:"due"`
	Min     int    `json:"min"`
	Short   bool   `json:"short"` // scored fewer than min so far
}

// samplingView is GET /api/v1/quality/sampling's body.
type samplingView struct {
	Month      string              `json:"month"`
	Sampled    bool                `json:"sampled"`
	Min        int                 `json:"min"`
	Max        int                 `json:"max"`
	Agents     []agentProgress     `json:"agents"`
	Shortfalls []quality.Shortfall `json:"shortfalls"`
}

func (h qualityHandlers) sampling(c echo.Context) error {
	q := newQuery(c.QueryParams(), "month")
	if q.err != nil {
		return q.err
	}
	month := q.str("month")
	if _, _, err := monthSpan("month", month); err != nil {
		return err
	}
	ctx := c.Request().Context()
	p := principalOf(c)
	sc, err := h.evalScope(ctx, p)
	if err != nil {
		return err
	}
	cfg := h.svc.SamplingConfig()
	d, ok := h.svc.Sampled(month)
	v := samplingView{Month: month, Sampled: ok, Min: cfg.Min, Max: cfg.Max, Agents: []agentProgress{}, Shortfalls: []quality.Shortfall{}}
	byAgent := map[string]*agentProgress{}
	for _, e := range h.svc.List(quality.Filter{Month: month}) {
		if !sc.sees(e) {
			continue
		}
		a := byAgent[e.Agent]
		if a == nil {
			a = &agentProgress{Agent: e.Agent, Min: cfg.Min}
			byAgent[e.Agent] = a
		}
		a.Sampled++
		if e.State == quality.StateDue {
			a.Due++
		} else {
			a.Scored++
		}
	}
	for _, s := range d.Shortfalls {
		if p.Role != auth.TeamLead || sc.sees(quality.Evaluation{Agent: s.Agent, State: quality.StateScored}) {
			v.Shortfalls = append(v.Shortfalls, s)
			if byAgent[s.Agent] == nil {
				byAgent[s.Agent] = &agentProgress{Agent: s.Agent, Min: cfg.Min}
			}
		}
	}
	for _, a := range byAgent {
		a.Short = a.Scored < a.Min
		v.Agents = append(v.Agents, *a)
	}
	sort.Slice(v.Agents, func(i, j int) bool { return v.Agents[i].Agent < v.Agents[j].Agent })
	return c.JSON(http.StatusOK, v)
}
