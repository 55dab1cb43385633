package config

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"switchboard/api"
	"switchboard/auth"
	"switchboard/config/configtest"
	"switchboard/routing"
	"switchboard/routing/pbx"
	"switchboard/store"
)

// idleSwitch is a PBX that is connected and never calls.
type idleSwitch struct{}

func (idleSwitch) Run(ctx context.Context, events chan<- pbx.Event) error {
	events <- pbx.Resynced{}
	<-ctx.Done()
	return ctx.Err()
}
func (idleSwitch) Answer(context.Context, string) error                  { return nil }
func (idleSwitch) Play(context.Context, string, string, ...string) error { return nil }
func (idleSwitch) StopPlayback(context.Context, string) error            { return nil }
func (idleSwitch) Originate(context.Context, pbx.Originate) error        { return nil }
func (idleSwitch) Bridge(context.Context, string, ...string) error       { return nil }
func (idleSwitch) DestroyBridge(context.Context, string) error           { return nil }
func (idleSwitch) Hangup(context.Context, string, pbx.Cause) error       { return nil }

// tokens signs in "admin" and "lead" (team lead of team front).
type tokens struct{ api.Accounts }

func (tokens) Session(context.Context, string) (auth.Principal, error) {
	return auth.Principal{}, auth.ErrNoSession
}

func (tokens) Token(_ context.Context, raw string) (auth.Principal, error) {
	switch raw {
	case "admin":
		return auth.Principal{Username: "root", Role: auth.Admin, TokenID: 1}, nil
	case "lead":
		return auth.Principal{Username: "lee", Role: auth.TeamLead, Team: "front", TokenID: 2}, nil
	}
	return auth.Principal{}, auth.ErrNoSession
}

// TestSaveAndAssignThroughTheEngine runs a section save and an agent
// assignment through the API, the editor and a real engine: the agent
// stays signed in and ready, and a restart runs the saved version.
func TestSaveAndAssignThroughTheEngine(t *testing.T) {
	body := strings.Replace(editBase, `- {id: "1001", endpoint: PJSIP/1001, queues: [support]}`,
		"- {id: \"1001\", endpoint: PJSIP/1001, team: front, queues: [support]}\nteams:\n  front: {}", 1)
	path := configtest.WriteFile(t, body)
	ctx := t.Context()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "sb.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	file, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	ed := NewEditor(path, st, log)
	cfg, err := ed.Start(ctx, file)
	if err != nil {
		t.Fatal(err)
	}
	eng := routing.NewEngine(&cfg.Config, idleSwitch{}, st, routing.SystemClock{}, routing.RandomIDs(), log, nil)
	ed.eng = eng
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- eng.Run(runCtx) }()
	defer func() { cancel(); <-done }()
	if _, err := eng.SignIn(ctx, "1001", ""); err != nil {
		t.Fatal(err)
	}
	srv := api.New(api.Config{Accounts: tokens{}, Audit: st, ConfigEdit: api.ConfigEdit{Source: ed, Versions: st}}, eng, st, log, nil, nil)
	do := func(token, method, target, body string) (int, string) {
		req := httptest.NewRequestWithContext(ctx, method, target, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		srv.Handler().ServeHTTP(w, req)
		return w.Code, w.Body.String()
	}

	code, out := do("admin", "PUT", "/api/v1/config/sections/queues", `{"yaml": "support: {strategy: ring_all}\nsales: {}\n", "comment": "add sales"}`)
	if code != http.StatusOK || !strings.Contains(out, `"version":1`) {
		t.Fatalf("save: %d %s", code, out)
	}
	// A bad section names its line and changes nothing.
	code, out = do("admin", "PUT", "/api/v1/config/sections/queues", `{"yaml": "support: {}\nsales:\n  strategy: psychic\n"}`)
	if code != http.StatusUnprocessableEntity || !strings.Contains(out, `"line":3`) {
		t.Fatalf("bad save: %d %s", code, out)
	}

	code, out = do("lead", "PUT", "/api/v1/agents/1001/assignment", `{"queues": ["support", "sales"], "skills": {"billing": 5}}`)
	if code != http.StatusOK || !strings.Contains(out, `"version":2`) {
		t.Fatalf("assignment: %d %s", code, out)
	}
	a, err := eng.Agent(ctx, "1001")
	if err != nil || a.State != routing.Ready || !slices.Equal(a.Queues, []string{"support", "sales"}) || a.Skills["billing"] != 5 {
		t.Fatalf("agent after the assignment: %+v %v", a, err)
	}
	var qs []routing.QueueView
	if qs, err = eng.Queues(ctx); err != nil || len(qs) != 2 {
		t.Fatalf("queues: %+v %v", qs, err)
	}
	ents, _ := st.Audit(ctx, store.AuditFilter{})
	var actions []string
	for _, e := range ents {
		actions = append(actions, e.Action)
	}
	if !slices.Equal(actions, []string{"agent.assignment", "config.save"}) {
		t.Fatalf("audit: %v", actions)
	}

	// A restart runs version 2 over the file.
	again, _ := Load(path)
	cfg2, err := NewEditor(path, st, log).Start(ctx, again)
	if err != nil || cfg2.Queues["sales"] == nil || len(cfg2.Agents[0].Queues) != 2 {
		b, _ := json.Marshal(cfg2.Agents)
		t.Fatalf("restart: %v %s", err, b)
	}
}
