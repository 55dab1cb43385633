//go:build e2e

package testbed

import (
	"strconv"
	"testing"
	"time"
)

// TestBrowserAuth is browser test e: an agent's session gets 403 on
// supervisor and admin routes, a change without the CSRF token is
// refused, an idle session expires, and sign-in is rate-limited.
func TestBrowserAuth(t *testing.T) {
	p := StartPBX(t)
	s := startSwitchboardWith(t, p, e2eConfig+`
auth: {session_idle: 3s, login_attempts: 5, login_window: 10m}
`)
	agentPW := s.user("ada", "agent", "1001", "")
	// The display name holds HTML, which every page must show as text.
	var u map[string]any
	if code := s.do("GET", "/api/v1/users", nil, &u); code != 200 {
		t.Fatalf("users: %d", code)
	}
	users := u["users"].([]any)
	id := users[len(users)-1].(map[string]any)["id"]
	if code := s.do("PATCH", "/api/v1/users/"+jsonNum(id), map[string]any{"name": "<b>Ada</b>"}, nil); code != 200 {
		t.Fatalf("rename: %d", code)
	}
	boPW := s.user("bo", "agent", "1002", "")

	b := runBrowser(t, s, "auth.mjs", "SB_AGENT_PW="+agentPW, "SB_BO_PW="+boPW, "SB_IDLE_MS=3000")
	b.step("idle", time.Minute, nil)
	b.step("done", time.Minute, nil)
	b.finish(30 * time.Second)

	// The audit log has the failed and the successful sign-ins.
	var audit struct {
		Entries []struct {
			Actor, Action string
			OK            bool
		}
	}
	if code := s.do("GET", "/api/v1/audit?action=auth.", nil, &audit); code != 200 {
		t.Fatalf("audit: %d", code)
	}
	var okIn, failed int
	for _, e := range audit.Entries {
		if e.Action == "auth.sign_in" && e.OK && e.Actor == "ada" {
			okIn++
		}
		if e.Action == "auth.sign_in" && !e.OK {
			failed++
		}
	}
	if okIn != 1 || failed < 6 {
		t.Fatalf("audit: %d sign-ins by ada, %d failed; want 1 and ≥6: %+v", okIn, failed, audit.Entries)
	}
}

func jsonNum(v any) string {
	if f, ok := v.(float64); ok {
		return strconv.FormatInt(int64(f), 10)
	}
	return ""
}
