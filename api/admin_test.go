package api

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"gopkg.in/yaml.v3"

	"switchboard/store"
)

// fakeSource is a hand-written ConfigSource: sections must be YAML, a
// queue named "bad" is invalid, and an agent may only serve queues of the
// queues section.
type fakeSource struct {
	mu       sync.Mutex
	file     map[string]string
	version  int
	sections map[string]string
	applies  int
	refuse   error // Apply's answer when set
}

func newFakeSource() *fakeSource {
	file := map[string]string{
		"queues": "# queues\nsupport:\n  strategy: ring_all\nsales: {}\n",
		"agents": "- {id: a1, queues: [support]}\n- id: a2\n  queues: [sales, {queue: support, penalty: 2}]\n  skills: {billing: 3}\n",
		"flows":  "main:\n  start: q\n",
	}
	return &fakeSource{file: file, sections: maps.Clone(file)}
}

func (f *fakeSource) Sections() []string { return []string{"queues", "agents", "flows"} }

func (f *fakeSource) Active() (int, map[string]string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.version, maps.Clone(f.sections)
}

func (f *fakeSource) File() (map[string]string, error) { return maps.Clone(f.file), nil }

var fakeLine = regexp.MustCompile(`line (\d+): (.*)`)

func (f *fakeSource) Check(secs map[string]string) error {
	var ps ConfigProblems
	queues := map[string]any{}
	for _, name := range f.Sections() {
		var n yaml.Node
		if err := yaml.Unmarshal([]byte(secs[name]), &n); err != nil {
			p := ConfigProblem{Section: name, Message: err.Error()}
			if m := fakeLine.FindStringSubmatch(err.Error()); m != nil {
				p.Line, _ = strconv.Atoi(m[1])
				p.Message = m[2]
			}
			ps = append(ps, p)
			continue
		}
		if name == "queues" && len(n.Content) > 0 {
			m := n.Content[0]
			for i := 0; i+1 < len(m.Content); i += 2 {
				queues[m.Content[i].Value] = true
				if m.Content[i].Value == "bad" {
					ps = append(ps, ConfigProblem{Section: name, Line: m.Content[i].Line, Message: "queues.bad: unknown strategy"})
				}
			}
		}
	}
	var agents []struct {
		ID     string `yaml:"id"`
		Queues []any  `yaml:"queues"`
	}
	if yaml.Unmarshal([]byte(secs["agents"]), &agents) == nil {
		for i, a := range agents {
			for _, q := range a.Queues {
				if s, ok := q.(string); ok && queues[s] == nil {
					ps = append(ps, ConfigProblem{Section: "agents", Message: fmt.Sprintf("agents[%d].queues: unknown queue %q", i, s)})
				}
			}
		}
	}
	if len(ps) > 0 {
		return ps
	}
	return nil
}

func (f *fakeSource) Apply(ctx context.Context, parent int, secs map[string]string, commit func(string) (int, error)) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if parent != f.version {
		return 0, ErrConfigConflict
	}
	if f.refuse != nil {
		return 0, f.refuse
	}
	f.applies++
	n, err := commit("base-hash")
	if err != nil {
		return 0, err
	}
	f.version, f.sections = n, maps.Clone(secs)
	return 40 + f.applies, nil
}

func newAdminHarness(t testing.TB) (*harness, *fakeSource) {
	h := newHarness(t)
	src := newFakeSource()
	h.srv = New(Config{Accounts: fakeAccounts{}, Audit: h.store, ConfigEdit: ConfigEdit{Source: src, Versions: h.store}},
		h.agents, h.store, nil, prometheus.NewRegistry(), nil)
	h.h = h.srv.Handler()
	h.token = "role:admin"
	return h, src
}

func jsonBody(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func auditOf(t *testing.T, h *harness, action string) []store.AuditEntry {
	t.Helper()
	es, err := h.store.Audit(t.Context(), store.AuditFilter{Action: action})
	if err != nil {
		t.Fatal(err)
	}
	return es
}

func TestConfigSectionSave(t *testing.T) {
	h, src := newAdminHarness(t)
	r := h.do(t, "GET", "/api/v1/config", "")
	got := decode[configBody](t, r)
	if r.Code != 200 || got.Version != 0 || len(got.Sections) != 3 || got.Sections[0].Name != "queues" || !strings.Contains(got.Sections[0].YAML, "ring_all") {
		t.Fatalf("get config: %d %s", r.Code, r.Body)
	}

	// Bad YAML: 422 naming the line within the section (yaml.v3 names the
	// line of the block the problem is in); nothing applied.
	r = h.do(t, "PUT", "/api/v1/config/sections/queues", jsonBody(map[string]string{"yaml": "support:\n  strategy: ring_all\n\tsales: {}\n"}))
	var bad configErrorBody
	json.Unmarshal(r.Body, &bad)
	if r.Code != http.StatusUnprocessableEntity || bad.Error.Field != "yaml" || bad.Error.Line != 2 || bad.Error.Section != "queues" || bad.Error.Message == "" {
		t.Fatalf("bad yaml: %d %s", r.Code, r.Body)
	}
	// Valid YAML, invalid config: the line of the bad key.
	r = h.do(t, "PUT", "/api/v1/config/sections/queues", jsonBody(map[string]string{"yaml": "support: {}\nsales: {}\nbad: {}\n"}))
	bad = configErrorBody{}
	json.Unmarshal(r.Body, &bad)
	if r.Code != http.StatusUnprocessableEntity || bad.Error.Line != 3 || len(bad.Error.Problems) != 1 {
		t.Fatalf("invalid config: %d %s", r.Code, r.Body)
	}
	// A problem in another section names that section.
	r = h.do(t, "POST", "/api/v1/config/sections/queues/check", jsonBody(map[string]string{"yaml": "support: {}\n"}))
	bad = configErrorBody{}
	json.Unmarshal(r.Body, &bad)
	if r.Code != http.StatusUnprocessableEntity || bad.Error.Section != "agents" || !strings.HasPrefix(bad.Error.Message, "agents: ") {
		t.Fatalf("other section: %d %s", r.Code, r.Body)
	}
	if src.applies != 0 || len(auditOf(t, h, "config.save")) != 0 {
		t.Fatalf("refused saves applied (%d) or audited", src.applies)
	}
	if r := h.do(t, "POST", "/api/v1/config/sections/queues/check", jsonBody(map[string]string{"yaml": "support: {}\nsales: {}\n"})); r.Code != 200 {
		t.Fatalf("check: %d %s", r.Code, r.Body)
	}

	// A valid save: version 1 over 0, applied once, audited with before/after.
	newQueues := "support:\n  strategy: top_down\nsales: {}\n"
	r = h.do(t, "PUT", "/api/v1/config/sections/queues", jsonBody(map[string]string{"yaml": newQueues, "comment": "top down"}))
	saved := decode[savedBody](t, r)
	if r.Code != 200 || saved.Version != 1 || saved.EngineVersion != 41 || len(saved.Changed) != 1 || src.applies != 1 {
		t.Fatalf("save: %d %s (applies %d)", r.Code, r.Body, src.applies)
	}
	v, err := h.store.ConfigVersion(t.Context(), 1)
	if err != nil || v.Sections["queues"] != newQueues || v.Author != "test-admin" || v.Comment != "top down" || v.Parent != 0 || v.Base != "base-hash" {
		t.Fatalf("stored: %+v %v", v, err)
	}
	as := auditOf(t, h, "config.save")
	var detail map[string]any
	if len(as) != 1 || as[0].Target != "queues" || !as[0].OK || json.Unmarshal(as[0].Detail, &detail) != nil || detail["after"] != newQueues || detail["before"] == nil {
		t.Fatalf("audit: %+v", as)
	}
	// The same text again: nothing new.
	r = h.do(t, "PUT", "/api/v1/config/sections/queues", jsonBody(map[string]string{"yaml": newQueues}))
	if saved := decode[savedBody](t, r); r.Code != 200 || saved.Version != 1 || src.applies != 1 {
		t.Fatalf("unchanged save: %d %s", r.Code, r.Body)
	}
	// A second save is version 2 over 1.
	r = h.do(t, "PUT", "/api/v1/config/sections/flows", jsonBody(map[string]string{"yaml": "main:\n  start: x\n"}))
	if saved := decode[savedBody](t, r); r.Code != 200 || saved.Version != 2 || src.applies != 2 {
		t.Fatalf("second save: %d %s", r.Code, r.Body)
	}

	// The engine refuses: a 422, and an audit entry saying it failed.
	src.refuse = ConfigProblems{{Section: "agents", Message: "agents: a2 cannot be removed while signed in"}}
	r = h.do(t, "PUT", "/api/v1/config/sections/flows", jsonBody(map[string]string{"yaml": "main:\n  start: y\n"}))
	if r.Code != http.StatusUnprocessableEntity {
		t.Fatalf("refused by the engine: %d %s", r.Code, r.Body)
	}
	if as := auditOf(t, h, "config.save"); len(as) != 4 || as[0].OK {
		t.Fatalf("refusal audit: %+v", as)
	}
	src.refuse = nil
}

func TestConfigSectionBadRequests(t *testing.T) {
	h, _ := newAdminHarness(t)
	for _, tc := range []struct {
		path, body string
		code       int
		field      string
	}{
		{"/api/v1/config/sections/nope", `{"yaml": ""}`, 404, ""},
		{"/api/v1/config/sections/queues", `{}`, 400, "yaml"},
		{"/api/v1/config/sections/queues", `{"yaml": 1}`, 400, "yaml"},
		{"/api/v1/config/sections/queues", `{"yaml": "", "extra": 1}`, 400, "extra"},
		{"/api/v1/config/sections/queues", jsonBody(map[string]string{"yaml": "", "comment": strings.Repeat("x", 501)}), 400, "comment"},
		{"/api/v1/config/sections/queues", jsonBody(map[string]string{"yaml": strings.Repeat("x", maxSectionBody)}), 413, ""},
	} {
		r := h.do(t, "PUT", tc.path, tc.body)
		if e := errorOf(t, r); r.Code != tc.code || e.Field != tc.field {
			t.Errorf("%s %.40s: %d %s", tc.path, tc.body, r.Code, r.Body)
		}
	}
}

func TestConfigVersionsDiffRollback(t *testing.T) {
	h, src := newAdminHarness(t)
	q1 := "support:\n  strategy: top_down\nsales: {}\n"
	q2 := "support:\n  strategy: random\nsales: {}\n"
	for _, q := range []string{q1, q2} {
		if r := h.do(t, "PUT", "/api/v1/config/sections/queues", jsonBody(map[string]string{"yaml": q})); r.Code != 200 {
			t.Fatalf("save: %d %s", r.Code, r.Body)
		}
	}
	r := h.do(t, "GET", "/api/v1/config/versions", "")
	list := decode[versionList](t, r)
	if r.Code != 200 || list.Active != 2 || len(list.Versions) != 3 || list.Versions[0].Version != 2 || list.Versions[2].Version != 0 {
		t.Fatalf("versions: %d %s", r.Code, r.Body)
	}
	r = h.do(t, "GET", "/api/v1/config/versions?limit=1", "")
	if list := decode[versionList](t, r); len(list.Versions) != 1 || list.Versions[0].Version != 2 {
		t.Fatalf("first page: %s", r.Body)
	}
	r = h.do(t, "GET", "/api/v1/config/versions/1", "")
	one := decode[struct {
		Version  int             `json:"version"`
		Sections []configSection `json:"sections"`
	}](t, r)
	if r.Code != 200 || one.Version != 1 || one.Sections[0].YAML != q1 {
		t.Fatalf("version 1: %d %s", r.Code, r.Body)
	}
	if r := h.do(t, "GET", "/api/v1/config/versions/9", ""); r.Code != 404 {
		t.Fatalf("unknown version: %d", r.Code)
	}
	if r := h.do(t, "GET", "/api/v1/config/versions/x", ""); r.Code != 400 {
		t.Fatalf("bad version: %d", r.Code)
	}

	r = h.do(t, "GET", "/api/v1/config/versions/2/diff", "")
	d := decode[diffBody](t, r)
	want := "--- v1/queues\n+++ v2/queues\n@@ -1,3 +1,3 @@\n support:\n-  strategy: top_down\n+  strategy: random\n sales: {}\n"
	if r.Code != 200 || d.Against != 1 || len(d.Sections) != 1 || d.Diff != want {
		t.Fatalf("diff: %d %s", r.Code, r.Body)
	}
	r = h.do(t, "GET", "/api/v1/config/versions/2/diff?against=0", "")
	if d := decode[diffBody](t, r); r.Code != 200 || d.Against != 0 || !strings.Contains(d.Diff, "-# queues\n") {
		t.Fatalf("diff against the file: %d %s", r.Code, r.Body)
	}
	if r := h.do(t, "GET", "/api/v1/config/versions/2/diff?against=7", ""); r.Code != 400 {
		t.Fatalf("diff against unknown: %d %s", r.Code, r.Body)
	}

	// Rollback to 1: version 3 with 1's content, applied, audited.
	r = h.do(t, "POST", "/api/v1/config/versions/1/rollback", `{"comment": "random was a mistake"}`)
	saved := decode[savedBody](t, r)
	if r.Code != 200 || saved.Version != 3 || src.applies != 3 {
		t.Fatalf("rollback: %d %s", r.Code, r.Body)
	}
	if _, secs := src.Active(); secs["queues"] != q1 {
		t.Fatalf("after rollback: %q", secs["queues"])
	}
	v, _ := h.store.ConfigVersion(t.Context(), 3)
	if v.Parent != 2 || !strings.HasPrefix(v.Comment, "rollback to version 1") {
		t.Fatalf("rollback version: %+v", v)
	}
	as := auditOf(t, h, "config.rollback")
	if len(as) != 1 || as[0].Target != "version 1" || !strings.Contains(string(as[0].Detail), `"to":1`) {
		t.Fatalf("rollback audit: %+v", as)
	}
	// Rollback to the file (version 0), without a body.
	if r := h.do(t, "POST", "/api/v1/config/versions/0/rollback", ""); r.Code != 200 {
		t.Fatalf("rollback to file: %d %s", r.Code, r.Body)
	}
	if _, secs := src.Active(); secs["queues"] != src.file["queues"] {
		t.Fatalf("after rollback to file: %q", secs["queues"])
	}
}

func TestConfigRoutesRoles(t *testing.T) {
	h, _ := newAdminHarness(t)
	for _, role := range []string{"role:agent:a1", "role:team_lead:a1:front", "role:supervisor", "role:quality"} {
		h.token = role
		for _, rt := range []struct{ method, path, body string }{
			{"GET", "/api/v1/config", ""},
			{"PUT", "/api/v1/config/sections/queues", `{"yaml": ""}`},
			{"GET", "/api/v1/config/versions", ""},
			{"POST", "/api/v1/config/versions/0/rollback", ""},
		} {
			if r := h.do(t, rt.method, rt.path, rt.body); r.Code != 403 {
				t.Errorf("%s %s %s: %d", role, rt.method, rt.path, r.Code)
			}
		}
	}
}

func TestAgentAssignment(t *testing.T) {
	h, src := newAdminHarness(t)
	h.agents.agents["a2"].Team = "front"
	body := `{"queues": ["support", "sales"], "skills": {"billing": 5, "普通话": 3}}`

	for _, tc := range []struct {
		token string
		id    string
		code  int
	}{
		{"role:agent:a2:front", "a2", 403},
		{"role:admin", "a2", 403},
		{"role:team_lead:a9:back", "a2", 403},
		{"role:team_lead:a9:front", "nobody", 403}, // like another team's agent: ids cannot be probed
		{"role:supervisor", "nobody", 404},
	} {
		h.token = tc.token
		if r := h.do(t, "PUT", "/api/v1/agents/"+tc.id+"/assignment", body); r.Code != tc.code {
			t.Errorf("%s on %s: %d %s", tc.token, tc.id, r.Code, r.Body)
		}
	}
	if src.applies != 0 {
		t.Fatal("a refused assignment was applied")
	}

	h.token = "role:team_lead:a9:front"
	r := h.do(t, "PUT", "/api/v1/agents/a2/assignment", body)
	got := decode[assignmentBody](t, r)
	if r.Code != 200 || got.Version != 1 || src.applies != 1 || len(got.Changed) != 1 || got.Changed[0] != "agents" {
		t.Fatalf("assignment: %d %s", r.Code, r.Body)
	}
	_, secs := src.Active()
	want := "- {id: a1, queues: [support]}\n- id: a2\n  queues: [{queue: support, penalty: 2}, sales]\n  skills: {billing: 5, 普通话: 3}\n"
	if secs["agents"] != want {
		t.Fatalf("agents section:\n%s\nwant:\n%s", secs["agents"], want)
	}
	if secs["queues"] != src.file["queues"] {
		t.Fatal("another section changed")
	}
	as := auditOf(t, h, "agent.assignment")
	if len(as) != 1 || as[0].Target != "a2" || as[0].Actor != "test-team_lead" ||
		!strings.Contains(string(as[0].Detail), `"before":{"queues":[{"queue":"sales"},{"queue":"support","penalty":2}],"skills":{"billing":3}}`) {
		t.Fatalf("audit: %+v", as)
	}

	// Supervisors may move anyone; an unknown queue is refused at the agents section.
	h.token = "role:supervisor"
	r = h.do(t, "PUT", "/api/v1/agents/a1/assignment", `{"queues": ["nowhere"]}`)
	if e := errorOf(t, r); r.Code != 422 || e.Field != "yaml" {
		t.Fatalf("unknown queue: %d %s", r.Code, r.Body)
	}
	for _, bad := range []string{`{}`, `{"queues": [""]}`, `{"queues": ["a", "a"]}`, `{"skills": {"x": 11}}`, `{"skills": {"1x": 1}}`,
		`{"queues": [{"queue": "a", "penalty": -1}]}`, `{"queues": [{"queue": "a", "pen": 1}]}`, `{"queues": "support"}`} {
		if r := h.do(t, "PUT", "/api/v1/agents/a1/assignment", bad); r.Code != 400 {
			t.Errorf("%s: %d %s", bad, r.Code, r.Body)
		}
	}
}
