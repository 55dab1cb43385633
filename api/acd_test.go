package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"switchboard/routing"
	"switchboard/store"
)

func TestApproveAndRefuse(t *testing.T) {
	h := newHarness(t)
	// No request pending: a policy refusal, 409 with its code.
	r := h.do(t, http.MethodPost, "/api/v1/agents/a1/approve", "")
	if e := errorOf(t, r); r.Code != http.StatusConflict || e.Code != "no_request" {
		t.Fatalf("approve with nothing pending: %d %+v", r.Code, e)
	}
	h.agents.agents["a1"].PendingNotReady = "meal"
	r = h.do(t, http.MethodPost, "/api/v1/agents/a1/approve", "")
	var a routing.AgentView
	if err := json.Unmarshal(r.Body, &a); r.Code != http.StatusOK || err != nil || a.State != routing.NotReady || a.Reason != "meal" {
		t.Fatalf("approve: %d %s", r.Code, r.Body)
	}
	if r := h.do(t, http.MethodPost, "/api/v1/agents/nobody/refuse", ""); r.Code != http.StatusNotFound {
		t.Fatalf("refuse for an unknown agent: %d", r.Code)
	}
}

func TestQueues(t *testing.T) {
	h := newHarness(t)
	r := h.do(t, http.MethodGet, "/api/v1/queues", "")
	var body queueList
	if err := json.Unmarshal(r.Body, &body); r.Code != http.StatusOK || err != nil || len(body.Queues) != 1 || body.Queues[0].Waiting != 2 {
		t.Fatalf("queues: %d %s", r.Code, r.Body)
	}
}

func TestDecisions(t *testing.T) {
	h := newHarness(t)
	d := routing.DecisionData{Trigger: "queued", Queue: "support", Strategy: "longest_idle", Rule: "queue", ConfigVersion: 3,
		Candidates: []routing.CandidateScore{{Agent: "a1", Score: 12, Chosen: true}, {Agent: "a2", Score: 3}}, Winners: []string{"a1"}}
	if err := h.store.Append(t.Context(), rec(5, routing.EvCallDecision, "c1", "", "support", d)); err != nil {
		t.Fatal(err)
	}
	r := h.do(t, http.MethodGet, "/api/v1/calls/c1/decisions", "")
	var body decisionList
	if err := json.Unmarshal(r.Body, &body); r.Code != http.StatusOK || err != nil {
		t.Fatalf("decisions: %d %s", r.Code, r.Body)
	}
	if len(body.Decisions) != 1 || body.Decisions[0].Winners[0] != "a1" || body.Decisions[0].ConfigVersion != 3 || len(body.Decisions[0].Candidates) != 2 {
		t.Fatalf("decisions body: %s", r.Body)
	}
	if r := h.do(t, http.MethodGet, "/api/v1/calls/c2/decisions", ""); r.Code != http.StatusOK || string(r.Body) == "" {
		t.Fatalf("a call without decisions: %d", r.Code)
	}
	if r := h.do(t, http.MethodGet, "/api/v1/calls/nope/decisions", ""); r.Code != http.StatusNotFound {
		t.Fatalf("unknown call: %d", r.Code)
	}
}

func TestReload(t *testing.T) {
	h := newHarness(t)
	h.token = "role:admin"
	if r := h.do(t, http.MethodPost, "/api/v1/config/reload", ""); r.Code != http.StatusNotImplemented {
		t.Fatalf("reload without a reloader: %d", r.Code)
	}
	calls := 0
	reload := func(context.Context) (int, error) {
		calls++
		if calls == 2 {
			return 0, &routing.ConfigError{Err: errors.New("x.yaml:3: queues.q.strategy: unknown strategy")}
		}
		return 7, nil
	}
	srv := New(Config{Reload: reload, Accounts: fakeAccounts{}}, h.agents, h.store, slog.New(slog.DiscardHandler), prometheus.NewRegistry(), nil)
	h.h = srv.Handler()
	r := h.do(t, http.MethodPost, "/api/v1/config/reload", "")
	if r.Code != http.StatusOK || string(r.Body) != "{\"version\":7}\n" {
		t.Fatalf("reload: %d %s", r.Code, r.Body)
	}
	r = h.do(t, http.MethodPost, "/api/v1/config/reload", "")
	if e := errorOf(t, r); r.Code != http.StatusUnprocessableEntity || e.Code != "invalid_config" || e.Field != "config" {
		t.Fatalf("bad config: %d %+v", r.Code, e)
	}
}

func TestCalendarMode(t *testing.T) {
	h := newHarness(t)
	r := h.do(t, http.MethodPut, "/api/v1/calendars/office/mode", `{"mode":"night"}`)
	var v routing.CalendarView
	if err := json.Unmarshal(r.Body, &v); r.Code != http.StatusOK || err != nil || v.Mode != "night" || v.Open {
		t.Fatalf("night: %d %s", r.Code, r.Body)
	}
	if r := h.do(t, http.MethodPut, "/api/v1/calendars/office/mode", `{"mode":"dusk"}`); r.Code != http.StatusBadRequest || errorOf(t, r).Field != "mode" {
		t.Fatalf("bad mode: %d %s", r.Code, r.Body)
	}
	if r := h.do(t, http.MethodPut, "/api/v1/calendars/office/mode", `{}`); r.Code != http.StatusBadRequest || errorOf(t, r).Field != "mode" {
		t.Fatalf("no mode: %d %s", r.Code, r.Body)
	}
	if r := h.do(t, http.MethodPut, "/api/v1/calendars/nope/mode", `{"mode":"day"}`); r.Code != http.StatusNotFound {
		t.Fatalf("unknown calendar: %d", r.Code)
	}
	if r := h.do(t, http.MethodGet, "/api/v1/calendars", ""); r.Code != http.StatusOK {
		t.Fatalf("list: %d", r.Code)
	}
	// Every switch is audited (newest first), one the engine refuses (dusk,
	// the unknown calendar) as tried then failed; an empty body never
	// reaches it.
	es, err := h.store.Audit(t.Context(), store.AuditFilter{Action: "calendar.mode"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range es {
		got = append(got, fmt.Sprintf("%s:%v", e.Target, e.OK))
	}
	if want := "nope:false nope:true office:false office:true office:true"; strings.Join(got, " ") != want {
		t.Errorf("audit %v, want %s", got, want)
	}
}
