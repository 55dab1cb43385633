package api

import (
	"encoding/json"
	"testing"
)

// FuzzStateBody sends arbitrary bodies to PUT .../state: none may cause a
// 5xx, and every refusal is a well-formed error body.
func FuzzStateBody(f *testing.F) {
	for _, seed := range []string{
		`{"state": "ready"}`,
		`{"state": "not_ready", "reason": "break"}`,
		`{"state": "not_ready"}`,
		`{"state": 1}`,
		`{"state": "ready", "x": 1}`,
		`{"state": "ready"}{}`,
		`[]`, `null`, `""`, `{`, ``, "\x00", `{"reason": {"a": [1, 2]}}`,
		`{"state": "ready", "state": "not_ready"}`,
	} {
		f.Add(seed)
	}
	h := newHarness(f)
	f.Fuzz(func(t *testing.T, body string) {
		for _, path := range []string{"/api/v1/agents/a2/state", "/api/v1/agents/a1/sign-in"} {
			method := "PUT"
			if path == "/api/v1/agents/a1/sign-in" {
				method = "POST"
			}
			r := h.do(t, method, path, body)
			if r.Code >= 500 {
				t.Fatalf("%s %q: %d %s", path, body, r.Code, r.Body)
			}
			if r.Code >= 400 {
				errorOf(t, r)
			} else if !json.Valid(r.Body) {
				t.Fatalf("%s %q: %d with invalid JSON %s", path, body, r.Code, r.Body)
			}
		}
	})
}
