//go:build e2e

package testbed

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// adminConfig is e2eConfig's flow with two queues written out key by key,
// so that each setting has a line of its own in the admin page's editor.
const adminConfig = `
routes: {default: main}
flows:
  main:
    start: support
    nodes:
      support: {queue: {queue: support, no_agent: bye, on_timeout: bye}}
      bye: {hangup: {}}
queues:
  support:
    strategy: longest_idle
    max_wait: 60s
    ring_timeout: 3s
    wrap_up: 1s
  sales:
    strategy: longest_idle
    max_wait: 60s
    ring_timeout: 3s
    wrap_up: 1s
agents:
  - {id: "1001", name: Ada, endpoint: PJSIP/1001, queues: [support, sales], team: front}
teams:
  front: {name: "<i id=pwn2>Front</i> desk"}
  night: {name: Night}
`

// TestBrowserAdmin walks the admin page in chromium (web-test/admin.mjs):
// the routing config's teams are listed (a title holding HTML as text,
// a team without agents warned) and a team lead whose name holds HTML is
// made in one of them; an account naming an agent the config does not
// have is refused at the field; a lead of a team without agents is warned
// on the users tab and on their own page; an API
// token is shown once and revoked; a queues edit with an unknown strategy
// is refused at its line and not saved; the fixed edit is saved as
// version 1, diffed, run by the engine with a signed-in agent staying
// signed in, and rolled back as version 2; the audit log's config. filter
// has both; the team lead gets the forbidden page and 403.
func TestBrowserAdmin(t *testing.T) {
	p := StartPBX(t)
	s := startSwitchboardWith(t, p, adminConfig)
	adminPW := s.user("root", "admin", "", "")
	// Signed in before any save: every save and the rollback must keep
	// them signed in (hot reload).
	s.signIn("1001")

	b := runBrowser(t, s, "admin.mjs", "SB_ADMIN=root", "SB_ADMIN_PW="+adminPW, "SB_LEAD_PW=pw-lee-0123456789")

	// The token the page showed works until it is revoked.
	var tok struct{ Token string }
	b.step("token", time.Minute, &tok)
	if code := bearer(t, s, tok.Token, "/api/v1/queues"); code != http.StatusOK {
		t.Fatalf("the new token: GET /api/v1/queues = %d, want 200", code)
	}
	b.send("go")
	b.step("revoked", 30*time.Second, nil)
	if code := bearer(t, s, tok.Token, "/api/v1/queues"); code != http.StatusUnauthorized {
		t.Fatalf("the revoked token: GET /api/v1/queues = %d, want 401", code)
	}
	var toks map[string]any
	if code := s.do("GET", "/api/v1/tokens", nil, &toks); code != 200 {
		t.Fatalf("tokens: %d", code)
	}
	if raw, _ := json.Marshal(toks); strings.Contains(string(raw), tok.Token) {
		t.Fatal("GET /api/v1/tokens holds a raw token")
	}
	b.send("go")

	// Version 1 runs: sales rings round robin for 5 s; the agent is still in.
	b.step("saved", time.Minute, nil)
	checkSales(t, s, 1, "round_robin", "ring_timeout: 5s")
	b.send("go")

	// Version 2 (the rollback) runs the file's values again.
	b.step("rolled", time.Minute, nil)
	checkSales(t, s, 2, "longest_idle", "ring_timeout: 3s")
	b.send("go")

	b.step("done", time.Minute, nil)
	b.finish(30 * time.Second)

	// The lead was made in the browser with the name as typed.
	var us struct {
		Users []struct{ Username, Name, Role, Team string }
	}
	if code := s.do("GET", "/api/v1/users", nil, &us); code != 200 {
		t.Fatalf("users: %d", code)
	}
	found := false
	for _, u := range us.Users {
		if u.Username == "lee" {
			found = true
			if u.Name != "<img src=x id=pwn>Lee" || u.Role != "team_lead" || u.Team != "front" {
				t.Errorf("the lead as stored: %+v", u)
			}
		}
	}
	if !found {
		t.Error("the lead made in the browser is not listed")
	}
}

// checkSales checks that config version v is active with the sales queue
// holding yaml, that the engine runs sales with strategy, and that agent
// 1001 is still signed in.
func checkSales(t *testing.T, s *sb, v int, strategy, yaml string) {
	t.Helper()
	var cfg struct {
		Version  int
		Sections []struct{ Name, YAML string }
	}
	if code := s.do("GET", "/api/v1/config", nil, &cfg); code != 200 {
		t.Fatalf("config: %d", code)
	}
	if cfg.Version != v {
		t.Errorf("active config version %d, want %d", cfg.Version, v)
	}
	for _, sec := range cfg.Sections {
		if sec.Name == "queues" {
			_, salesText, _ := strings.Cut(sec.YAML, "sales:")
			if !strings.Contains(salesText, yaml) || !strings.Contains(salesText, "strategy: "+strategy) {
				t.Errorf("version %d's sales queue lacks %q / strategy %s:\n%s", v, yaml, strategy, sec.YAML)
			}
		}
	}
	var qs struct {
		Queues []struct{ Name, Strategy string }
	}
	if code := s.do("GET", "/api/v1/queues", nil, &qs); code != 200 {
		t.Fatalf("queues: %d", code)
	}
	got := ""
	for _, q := range qs.Queues {
		if q.Name == "sales" {
			got = q.Strategy
		}
	}
	if got != strategy {
		t.Errorf("the engine runs sales with strategy %q, want %q (version %d)", got, strategy, v)
	}
	if a := s.agent("1001"); a.State != "ready" {
		t.Errorf("agent 1001 after version %d: %s, want still ready", v, a.State)
	}
}

// bearer calls GET path with token and returns the status.
func bearer(t *testing.T, s *sb, token, path string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
