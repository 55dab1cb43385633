package api

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"switchboard/auth"
	"switchboard/routing"
)

// Who may call what. Every route in routes() declares its access; the
// guard below enforces it before the handler runs, and handlers narrow it
// further to the caller's own agent or team (agentScope, callScope).
// TestEveryRouteDeclaresAccess walks Echo's routes against this table.

// access is a route's permission: public, or the roles allowed.
type access struct {
	public bool
	roles  []auth.Role
}

func allow(roles ...auth.Role) access { return access{roles: roles} }

var (
	// public: no sign-in (health, metrics, the sign-in page and its assets).
	public = access{public: true}
	// signedIn: any role.
	signedIn = allow(auth.Roles...)
	// floor: those who take and run calls (agents act on their own only).
	floor = allow(auth.Agent, auth.TeamLead, auth.Supervisor)
	// leads: team leads (their team) and supervisors.
	leads = allow(auth.TeamLead, auth.Supervisor)
	// supervisors: every queue and team.
	supervisors = allow(auth.Supervisor)
	// admins: configuration, users, tokens, the audit log.
	admins = allow(auth.Admin)
)

func (a access) allows(r auth.Role) bool { return a.public || slices.Contains(a.roles, r) }

// Authenticator turns a session cookie or an API token into a Principal
// (*auth.Service is one). Both answer auth.ErrNoSession when unknown or
// expired; Session also slides the idle timeout.
type Authenticator interface {
	Session(ctx context.Context, id string) (auth.Principal, error)
	Token(ctx context.Context, raw string) (auth.Principal, error)
}

// Codes of authorization errors.
const (
	CodeUnauthorized = "unauthorized" // 401: no or expired session/token
	CodeForbidden    = "forbidden"    // 403: the role may not
	CodeCSRF         = "csrf"         // 403: missing or wrong X-CSRF-Token
	CodeRateLimited  = "rate_limited" // 429: too many failed sign-ins
)

// CSRFHeader carries the session's CSRF token on state-changing requests.
const CSRFHeader = "X-CSRF-Token"

const principalKey = "sb.principal"

// principalOf is who made the request; the zero Principal on public routes
// without a session.
func principalOf(c echo.Context) auth.Principal {
	p, _ := c.Get(principalKey).(auth.Principal)
	return p
}

func forbidden(msg string) *Error {
	return &Error{Status: http.StatusForbidden, Code: CodeForbidden, Message: msg}
}

// guard wraps a route's handler with authentication, the role check and,
// for browser sessions, the CSRF check; a refusal of a signed-in caller is
// audited (denied.go), wherever it came from.
func (s *Server) guard(r route) echo.HandlerFunc {
	return func(c echo.Context) error {
		err := s.admit(c, r)
		s.auditDenied(c, err)
		return err
	}
}

// admit is guard's work: who, may they, and the handler.
func (s *Server) admit(c echo.Context, r route) error {
	p, err := s.authenticate(c)
	if err != nil && !r.access.public {
		return err
	}
	if err == nil {
		c.Set(principalKey, p)
	}
	if r.access.public {
		return r.handler(c)
	}
	if !r.access.allows(p.Role) {
		return forbidden("role " + string(p.Role) + " may not " + r.method + " " + r.path)
	}
	if p.TokenID == 0 && !safeMethod(c.Request().Method) {
		got := c.Request().Header.Get(CSRFHeader)
		if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(p.CSRF)) != 1 {
			return &Error{Status: http.StatusForbidden, Code: CodeCSRF, Field: CSRFHeader,
				Message: "missing or wrong CSRF token; reload the page"}
		}
	}
	if readsCall(r) {
		if err := s.callInScope(c); err != nil {
			return err
		}
	}
	return r.handler(c)
}

// callRoutes prefixes every route about one call.
const callRoutes = "/api/v1/calls/:id"

// readsCall: the route returns a logged call's data (the call, its events,
// its decisions, its caller's number), so the caller must have the call in
// scope (scope.go) — checked here, once, so that no such route can forget
// it. Actions on a live call (wrap-up, transfer, listen…) are scoped by
// the engine, which knows who holds the call now (routing.Scope).
func readsCall(r route) bool {
	return strings.HasPrefix(r.path, callRoutes) && (safeMethod(r.method) || strings.HasSuffix(r.path, "/reveal"))
}

// callInScope refuses a call that is not the caller's to see: 404 when
// it does not exist, 403 when it is someone else's.
func (s *Server) callInScope(c echo.Context) error {
	call, err := s.store.Call(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return s.scope.callScope(c, call)
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// authenticate reads the bearer token or the session cookie.
func (s *Server) authenticate(c echo.Context) (auth.Principal, error) {
	unauth := &Error{Status: http.StatusUnauthorized, Code: CodeUnauthorized, Message: "sign in first (session cookie or Authorization: Bearer token)"}
	if s.auth == nil {
		return auth.Principal{}, unauth
	}
	ctx := c.Request().Context()
	var (
		p   auth.Principal
		err error
	)
	if h := c.Request().Header.Get(echo.HeaderAuthorization); h != "" {
		raw, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			return p, &Error{Status: http.StatusUnauthorized, Code: CodeUnauthorized, Field: "Authorization", Message: "expected 'Bearer <token>'"}
		}
		p, err = s.auth.Token(ctx, strings.TrimSpace(raw))
	} else if ck, cerr := c.Cookie(auth.CookieName); cerr == nil && ck.Value != "" {
		p, err = s.auth.Session(ctx, ck.Value)
	} else {
		return p, unauth
	}
	if errors.Is(err, auth.ErrNoSession) {
		unauth.Message = "session expired or token unknown; sign in again"
		return p, unauth
	}
	if err != nil {
		return p, err
	}
	return p, nil
}

// unknownAgent is the answer for an agent id that lookup did not find: to
// anyone but a supervisor the same refusal as another team's agent, so
// that 404 against 403 does not tell which ids exist.
func unknownAgent(p auth.Principal, id string, err error) error {
	if errors.Is(err, routing.ErrUnknownAgent) && p.Role != auth.Supervisor {
		if scopeErr := agentScope(p, id, ""); scopeErr != nil {
			return scopeErr
		}
	}
	return err
}

// agentScope checks the caller may see or act on agent id: agents only
// themselves, team leads their team (team is the agent's team, as the
// engine knows it), supervisors everyone.
func agentScope(p auth.Principal, id, team string) error {
	switch p.Role {
	case auth.Supervisor:
		return nil
	case auth.TeamLead:
		if p.AgentID == id || (p.Team != "" && p.Team == team) {
			return nil
		}
		return forbidden("agent " + id + " is not in your team")
	case auth.Agent:
		if p.AgentID != "" && p.AgentID == id {
			return nil
		}
		return forbidden("agents may act only on themselves")
	}
	return forbidden("role " + string(p.Role) + " may not act on agents")
}
