package config

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"switchboard/api"
	"switchboard/routing"
	"switchboard/store"
)

const editBase = `flows:
  main:
    start: q
    nodes:
      q:
        queue: {queue: support}
routes:
  default: main
queues:
  # the only queue
  support:
    strategy: ring_all
agents:
  - {id: "1001", endpoint: PJSIP/1001, queues: [support]}
`

type fakeLatest struct {
	v  store.ConfigVersion
	ok bool
}

func (f *fakeLatest) LatestConfigVersion(context.Context) (store.ConfigVersion, bool, error) {
	return f.v, f.ok, nil
}

type fakeReloader struct {
	calls int
	last  *routing.Config
	err   error
}

func (f *fakeReloader) Reload(_ context.Context, cfg *routing.Config) (int, error) {
	if f.err != nil {
		return 0, f.err
	}
	f.calls++
	f.last = cfg
	return f.calls + 1, nil
}

func newTestEditor(t testing.TB, body string, latest *fakeLatest) (*Editor, *fakeReloader, *Config) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "switchboard.yaml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	file, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	e := NewEditor(path, latest, slog.New(slog.DiscardHandler))
	cfg, err := e.Start(t.Context(), file)
	if err != nil {
		t.Fatal(err)
	}
	eng := &fakeReloader{}
	e.eng = eng
	return e, eng, cfg
}

func TestFileSectionsKeepTheFileText(t *testing.T) {
	e, _, _ := newTestEditor(t, editBase, &fakeLatest{})
	v, secs := e.Active()
	if v != 0 {
		t.Fatalf("active %d", v)
	}
	if want := "# the only queue\nsupport:\n  strategy: ring_all\n"; secs["queues"] != want {
		t.Errorf("queues section %q, want %q", secs["queues"], want)
	}
	if want := "- {id: \"1001\", endpoint: PJSIP/1001, queues: [support]}\n"; secs["agents"] != want {
		t.Errorf("agents section %q, want %q", secs["agents"], want)
	}
	// Left out of the file: the built-in default's.
	if !strings.Contains(secs["not_ready_reasons"], "break") {
		t.Errorf("not_ready_reasons %q", secs["not_ready_reasons"])
	}
	for _, n := range e.Sections() {
		if _, ok := secs[n]; !ok {
			t.Errorf("section %s missing", n)
		}
	}
	if err := e.Check(secs); err != nil {
		t.Fatalf("the file's own sections: %v", err)
	}
}

func TestCheckNamesSectionAndLine(t *testing.T) {
	e, _, _ := newTestEditor(t, editBase, &fakeLatest{})
	_, secs := e.Active()
	tests := []struct {
		name, section, text string
		want                api.ConfigProblem
	}{
		{"syntax", "queues", "support:\n  strategy: [\n", api.ConfigProblem{Section: "queues", Line: 2}},
		{"unknown key", "queues", "support:\n  strategy: ring_all\n  stratgy: x\n", api.ConfigProblem{Section: "queues", Line: 3}},
		{"bad duration", "queues", "support:\n  max_wait: soon\n", api.ConfigProblem{Section: "queues", Line: 2}},
		{"bad strategy", "queues", "support:\n  wrap_up: 5s\n  strategy: psychic\n", api.ConfigProblem{Section: "queues", Line: 3}},
		{"unknown queue in agents", "agents", "- id: \"1001\"\n  queues: [support]\n- id: \"1002\"\n  queues: [nowhere]\n", api.ConfigProblem{Section: "agents", Line: 4}},
		{"removed queue breaks a flow", "queues", "sales: {}\n", api.ConfigProblem{Section: "flows", Line: 5}},
		{"wrong shape", "agents", "id: 1\n", api.ConfigProblem{Section: "agents", Line: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			next := map[string]string{}
			for k, v := range secs {
				next[k] = v
			}
			next[tt.section] = tt.text
			err := e.Check(next)
			var ps api.ConfigProblems
			if !errors.As(err, &ps) || len(ps) == 0 {
				t.Fatalf("want problems, got %v", err)
			}
			found := false
			for _, p := range ps {
				if p.Section == tt.want.Section && p.Line == tt.want.Line && p.Message != "" {
					found = true
				}
			}
			if !found {
				t.Fatalf("want %s:%d in %+v", tt.want.Section, tt.want.Line, ps)
			}
		})
	}
}

func TestApplySavesAndReloads(t *testing.T) {
	latest := &fakeLatest{}
	e, eng, _ := newTestEditor(t, editBase, latest)
	_, secs := e.Active()
	next := map[string]string{}
	for k, v := range secs {
		next[k] = v
	}
	next["queues"] = "support:\n  strategy: top_down\n"
	commits := 0
	_, err := e.Apply(t.Context(), 0, next, func(base string) (int, error) {
		commits++
		if base == "" {
			t.Error("no base hash")
		}
		return 1, nil
	})
	if err != nil || commits != 1 || eng.calls != 1 || eng.last.Queues["support"].Strategy != "top_down" {
		t.Fatalf("apply: %v commits %d reloads %d", err, commits, eng.calls)
	}
	if v, got := e.Active(); v != 1 || got["queues"] != next["queues"] {
		t.Fatalf("active %d %q", v, got["queues"])
	}
	// A save over version 0 now conflicts.
	if _, err := e.Apply(t.Context(), 0, next, func(string) (int, error) { return 2, nil }); !errors.Is(err, api.ErrConfigConflict) {
		t.Fatalf("stale parent: %v", err)
	}
	// The engine refuses: a problem, nothing committed.
	eng.err = &routing.ConfigError{Err: errors.New("agents: 1001 cannot be removed while signed in (ready)")}
	_, err = e.Apply(t.Context(), 1, next, func(string) (int, error) { t.Error("committed"); return 2, nil })
	var ps api.ConfigProblems
	if !errors.As(err, &ps) || ps[0].Section != "agents" {
		t.Fatalf("engine refusal: %v", err)
	}
	eng.err = nil

	// A reload lays the latest saved version over the file.
	latest.v, latest.ok = store.ConfigVersion{Version: 7, Sections: map[string]string{"queues": "support:\n  strategy: random\n"}}, true
	if _, err := e.Reload(t.Context()); err != nil {
		t.Fatal(err)
	}
	if v, _ := e.Active(); v != 7 || eng.last.Queues["support"].Strategy != "random" {
		t.Fatalf("after reload: version %d strategy %s", v, eng.last.Queues["support"].Strategy)
	}
}

func TestStartRunsLatestVersionOrFallsBack(t *testing.T) {
	good := &fakeLatest{v: store.ConfigVersion{Version: 3, Sections: map[string]string{"queues": "support: {strategy: random}\n"}}, ok: true}
	e, _, cfg := newTestEditor(t, editBase, good)
	if v, _ := e.Active(); v != 3 || cfg.Queues["support"].Strategy != "random" {
		t.Fatalf("start: version %d strategy %s", v, cfg.Queues["support"].Strategy)
	}
	bad := &fakeLatest{v: store.ConfigVersion{Version: 4, Sections: map[string]string{"queues": "other: {}\n"}}, ok: true}
	e, _, cfg = newTestEditor(t, editBase, bad)
	if v, _ := e.Active(); v != 0 || cfg.Queues["support"] == nil {
		t.Fatalf("fallback: version %d", v)
	}
}

func TestFlowsDirFlowsAreTheFlowsSection(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "flows"), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "flows", "main.yaml"), []byte("start: q\nnodes:\n  q: {queue: {queue: support}}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	body := strings.Replace(editBase, "flows:\n  main:\n    start: q\n    nodes:\n      q:\n        queue: {queue: support}\n", "flows_dir: flows\n", 1)
	path := filepath.Join(dir, "sb.yaml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	secs, _, err := fileSections(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secs["flows"], "main:\n  start: q\n") {
		t.Fatalf("flows section %q", secs["flows"])
	}
}
