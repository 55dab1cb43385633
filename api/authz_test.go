package api

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"switchboard/auth"
)

// TestEveryRouteDeclaresAccess walks every route Echo has registered: each
// must come from the route table with a declared access (public or at
// least one role), so a route added without a permission fails here.
func TestEveryRouteDeclaresAccess(t *testing.T) {
	h := newHarness(t)
	table := map[string]access{}
	for _, r := range h.srv.routes() {
		table[r.method+" "+r.path] = r.access
	}
	n := 0
	for _, er := range h.srv.echo.Routes() {
		if er.Method == echoAny {
			continue
		}
		a, ok := table[er.Method+" "+er.Path]
		if !ok {
			t.Errorf("%s %s is registered outside the route table", er.Method, er.Path)
			continue
		}
		if !a.public && len(a.roles) == 0 {
			t.Errorf("%s %s declares no roles", er.Method, er.Path)
		}
		n++
	}
	if n < 20 {
		t.Fatalf("only %d routes", n)
	}
}

const echoAny = "echo_route_any"

// TestRoleTableEnforced calls every route as every role: the guard lets
// through exactly the roles the table names (handlers may still refuse
// out-of-scope objects, with a different message), refuses requests
// without credentials with 401, and public routes answer everyone.
func TestRoleTableEnforced(t *testing.T) {
	h := newHarness(t)
	param := regexp.MustCompile(`:[A-Za-z_]+`)
	for _, r := range h.srv.routes() {
		if strings.HasSuffix(r.path, "/live") {
			continue // a stream: its access is checked in live_test.go
		}
		target := param.ReplaceAllString(r.path, "x")
		body := ""
		if r.method != http.MethodGet {
			body = "{}"
		}
		for _, role := range append([]auth.Role{""}, auth.Roles...) {
			h.token = ""
			if role != "" {
				h.token = "role:" + string(role)
			}
			res := h.do(t, r.method, target, body)
			guarded := false
			if res.Code == http.StatusUnauthorized || res.Code == http.StatusForbidden {
				e := errorOf(t, res)
				guarded = e.Code == CodeUnauthorized || (e.Code == CodeForbidden && strings.HasPrefix(e.Message, "role "))
			}
			switch {
			case r.access.public && guarded:
				t.Errorf("%s %s is public but refused %q: %d", r.method, r.path, role, res.Code)
			case r.access.public:
			case role == "" && res.Code != http.StatusUnauthorized:
				t.Errorf("%s %s without credentials: %d, want 401", r.method, r.path, res.Code)
			case role != "" && r.access.allows(role) && guarded:
				t.Errorf("%s %s refused allowed role %s: %d %s", r.method, r.path, role, res.Code, res.Body)
			case role != "" && !r.access.allows(role) && (!guarded || res.Code != http.StatusForbidden):
				t.Errorf("%s %s let role %s through: %d %s", r.method, r.path, role, res.Code, res.Body)
			}
		}
	}
}

// TestAgentRefusedSupervisorAndAdminRoutes: an agent gets 403 on every
// route only leads, supervisors or admins may use.
func TestAgentRefusedSupervisorAndAdminRoutes(t *testing.T) {
	h := newHarness(t)
	h.token = "role:agent:a1"
	param := regexp.MustCompile(`:[A-Za-z_]+`)
	checked := 0
	for _, r := range h.srv.routes() {
		if r.access.public || r.access.allows(auth.Agent) {
			continue
		}
		res := h.do(t, r.method, param.ReplaceAllString(r.path, "x"), "{}")
		if res.Code != http.StatusForbidden {
			t.Errorf("agent %s %s: %d", r.method, r.path, res.Code)
		}
		checked++
	}
	if checked < 10 {
		t.Fatalf("only %d supervisor/admin routes", checked)
	}
}
