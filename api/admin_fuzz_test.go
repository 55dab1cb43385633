package api

import (
	"encoding/json"
	"testing"
)

// FuzzConfigBodies sends arbitrary bodies to the section and assignment
// routes: none may cause a 5xx, and every refusal is a well-formed error.
func FuzzConfigBodies(f *testing.F) {
	for _, seed := range []string{
		`{"yaml": "support: {}\nsales: {}\n"}`,
		`{"yaml": "support:\n  strategy: [\n"}`,
		`{"yaml": "bad: {}\n", "comment": "x"}`,
		`{"yaml": null}`, `{"yaml": 1}`, `{"comment": "only"}`,
		`{"queues": ["support"], "skills": {"billing": 3}}`,
		`{"queues": [{"queue": "sales", "penalty": 1}]}`,
		`{"queues": [1]}`, `{"skills": {"": 1}}`, `{"skills": []}`,
		`[]`, `null`, `""`, `{`, ``, "\x00", `{"yaml": "\u0000"}`, `{"yaml": "&a [*a]"}`,
	} {
		f.Add(seed)
	}
	h, _ := newAdminHarness(f)
	f.Fuzz(func(t *testing.T, body string) {
		for _, rt := range []struct{ token, method, path string }{
			{"role:admin", "POST", "/api/v1/config/sections/queues/check"},
			{"role:admin", "PUT", "/api/v1/config/sections/agents"},
			{"role:supervisor", "PUT", "/api/v1/agents/a2/assignment"},
		} {
			h.token = rt.token
			r := h.do(t, rt.method, rt.path, body)
			if r.Code >= 500 {
				t.Fatalf("%s %q: %d %s", rt.path, body, r.Code, r.Body)
			}
			if r.Code >= 400 {
				errorOf(t, r)
			} else if !json.Valid(r.Body) {
				t.Fatalf("%s %q: %d with invalid JSON %s", rt.path, body, r.Code, r.Body)
			}
		}
	})
}
