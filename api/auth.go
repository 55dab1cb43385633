package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"switchboard/auth"
	"switchboard/store"
)

// Accounts is what the sign-in, user, team and token routes need
// (*auth.Service is one).
type Accounts interface {
	Authenticator
	Login(ctx context.Context, username, password, addr string) (auth.Session, error)
	Logout(ctx context.Context, sessionID string) error
	SetLang(ctx context.Context, userID int64, lang string) error
	Users(ctx context.Context) ([]auth.User, error)
	User(ctx context.Context, id int64) (auth.User, error)
	CreateUser(ctx context.Context, u auth.NewUser) (auth.User, error)
	UpdateUser(ctx context.Context, id int64, p auth.UserPatch) (auth.User, error)
	Tokens(ctx context.Context) ([]auth.Token, error)
	CreateToken(ctx context.Context, name string, role auth.Role, createdBy string) (raw string, t auth.Token, err error)
	RevokeToken(ctx context.Context, id int64) error
	Teams(ctx context.Context) ([]auth.Team, error)
	PutTeam(ctx context.Context, t auth.Team) (auth.Team, error)
	DeleteTeam(ctx context.Context, name string) error
}

// CodeBadCredentials: wrong username or password (401 on sign-in).
const CodeBadCredentials = "bad_credentials"

func (s *Server) authRoutes() []route {
	return slices.Concat(requires(s.cfg.Accounts != nil, errNoAccounts,
		route{http.MethodPost, "/api/v1/auth/login", s.login, public},
		route{http.MethodPost, "/api/v1/auth/logout", s.logout, signedIn},
		route{http.MethodPut, "/api/v1/auth/me/lang", s.putLang, signedIn},

		route{http.MethodGet, "/api/v1/users", s.listUsers, admins},
		route{http.MethodPost, "/api/v1/users", s.createUser, admins},
		route{http.MethodGet, "/api/v1/users/:id", s.getUser, admins},
		route{http.MethodPatch, "/api/v1/users/:id", s.patchUser, admins},
		route{http.MethodGet, "/api/v1/teams", s.listTeams, signedIn},
		route{http.MethodPut, "/api/v1/teams/:name", s.putTeam, admins},
		route{http.MethodDelete, "/api/v1/teams/:name", s.deleteTeam, admins},
		route{http.MethodGet, "/api/v1/tokens", s.listTokens, admins},
		route{http.MethodPost, "/api/v1/tokens", s.createToken, admins},
		route{http.MethodDelete, "/api/v1/tokens/:id", s.revokeToken, admins},
	), requires(s.cfg.Audit != nil, errNoAudit,
		route{http.MethodGet, "/api/v1/audit", s.listAudit, admins},
	), []route{
		{http.MethodGet, "/api/v1/auth/me", s.me, signedIn},
		{http.MethodPost, "/api/v1/calls/:id/reveal", s.revealCaller, allow(auth.TeamLead, auth.Supervisor)},
		{http.MethodPost, "/api/v1/messages/:id/reveal", s.revealMessageCaller, allow(auth.TeamLead, auth.Supervisor)},
	})
}

// me is the body of sign-in and GET /auth/me: who you are and the CSRF
// token to send back on every change.
type me struct {
	auth.Principal
	CSRF string `json:"csrf,omitempty"`
}

type loginBody struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

func (s *Server) login(c echo.Context) error {
	acc := s.cfg.Accounts
	var b loginBody
	if err := decodeBody(c, &b, true); err != nil {
		return err
	}
	if b.Username == "" {
		return badRequest("username", "required")
	}
	if b.Password == "" {
		return badRequest("password", "required")
	}
	sess, err := acc.Login(c.Request().Context(), b.Username, b.Password, c.RealIP())
	if err != nil {
		// Failed sign-ins are audited under the name tried (no principal yet).
		c.Set(principalKey, auth.Principal{Username: b.Username})
		why := "bad_credentials"
		var lim *auth.LimitedError
		if errors.As(err, &lim) {
			why = "rate_limited"
		}
		if aerr := s.audit(c, "auth.sign_in", b.Username, false, map[string]string{"why": why}); aerr != nil {
			s.log.Error("audit of a failed sign-in", "err", aerr)
		}
		return err
	}
	c.Set(principalKey, sess.Principal)
	if err := s.audit(c, "auth.sign_in", b.Username, true, nil); err != nil {
		_ = acc.Logout(c.Request().Context(), sess.ID)
		return err
	}
	c.SetCookie(&http.Cookie{Name: auth.CookieName, Value: sess.ID, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: s.cfg.SecureCookie})
	return c.JSON(http.StatusOK, me{Principal: sess.Principal, CSRF: sess.Principal.CSRF})
}

func (s *Server) logout(c echo.Context) error {
	acc := s.cfg.Accounts
	if ck, err := c.Cookie(auth.CookieName); err == nil && ck.Value != "" {
		if err := acc.Logout(c.Request().Context(), ck.Value); err != nil {
			return err
		}
	}
	if err := s.audit(c, "auth.sign_out", principalOf(c).Username, true, nil); err != nil {
		s.log.Error("audit of a sign-out", "err", err)
	}
	c.SetCookie(&http.Cookie{Name: auth.CookieName, Value: "", Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: s.cfg.SecureCookie, MaxAge: -1})
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) me(c echo.Context) error {
	p := principalOf(c)
	return c.JSON(http.StatusOK, me{Principal: p, CSRF: p.CSRF})
}

func (s *Server) putLang(c echo.Context) error {
	acc := s.cfg.Accounts
	var b struct {
		Lang string `json:"lang"`
	}
	if err := decodeBody(c, &b, true); err != nil {
		return err
	}
	if !slices.Contains(auth.Languages, b.Lang) {
		return badRequest("lang", "must be one of %s", strings.Join(auth.Languages, ", "))
	}
	p := principalOf(c)
	if p.UserID == 0 {
		return badRequest("lang", "API tokens have no language")
	}
	if err := acc.SetLang(c.Request().Context(), p.UserID, b.Lang); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) listUsers(c echo.Context) error {
	acc := s.cfg.Accounts
	us, err := acc.Users(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"users": nonNil(us)})
}

func idParam(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, &Error{Status: http.StatusNotFound, Code: CodeNotFound, Field: "id", Message: "no such id"}
	}
	return id, nil
}

func (s *Server) getUser(c echo.Context) error {
	acc := s.cfg.Accounts
	id, err := idParam(c)
	if err != nil {
		return err
	}
	u, err := acc.User(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, u)
}

func (s *Server) createUser(c echo.Context) error {
	acc := s.cfg.Accounts
	var b auth.NewUser
	if err := decodeBody(c, &b, true); err != nil {
		return err
	}
	detail := b
	detail.Password = ""
	if err := s.audit(c, "user.create", b.Username, true, detail); err != nil {
		return err
	}
	u, err := acc.CreateUser(c.Request().Context(), b)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, u)
}

func (s *Server) patchUser(c echo.Context) error {
	acc := s.cfg.Accounts
	id, err := idParam(c)
	if err != nil {
		return err
	}
	var b auth.UserPatch
	if err := decodeBody(c, &b, true); err != nil {
		return err
	}
	ctx := c.Request().Context()
	before, err := acc.User(ctx, id)
	if err != nil {
		return err
	}
	if b.Role != nil {
		if _, err := auth.ParseRole(string(*b.Role)); err != nil {
			return err
		}
	}
	change := b
	change.Password = nil
	if err := s.audit(c, "user.update", before.Username, true, map[string]any{
		"before": before, "change": change, "password_changed": b.Password != nil}); err != nil {
		return err
	}
	u, err := acc.UpdateUser(ctx, id, b)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, u)
}

func (s *Server) listTeams(c echo.Context) error {
	acc := s.cfg.Accounts
	ts, err := acc.Teams(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"teams": nonNil(ts)})
}

func (s *Server) putTeam(c echo.Context) error {
	acc := s.cfg.Accounts
	var b struct {
		Title string `json:"title"`
	}
	if err := decodeBody(c, &b, true); err != nil {
		return err
	}
	t := auth.Team{Name: c.Param("name"), Title: b.Title}
	if err := s.audit(c, "team.put", t.Name, true, t); err != nil {
		return err
	}
	t, err := acc.PutTeam(c.Request().Context(), t)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, t)
}

func (s *Server) deleteTeam(c echo.Context) error {
	acc := s.cfg.Accounts
	if err := s.audit(c, "team.delete", c.Param("name"), true, nil); err != nil {
		return err
	}
	if err := acc.DeleteTeam(c.Request().Context(), c.Param("name")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) listTokens(c echo.Context) error {
	acc := s.cfg.Accounts
	ts, err := acc.Tokens(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"tokens": nonNil(ts)})
}

// newToken is the answer to creating a token: the only time its secret is
// shown.
type newToken struct {
	auth.Token
	Secret string `json:"token"`
}

func (s *Server) createToken(c echo.Context) error {
	acc := s.cfg.Accounts
	var b struct {
		Name string    `json:"name"`
		Role auth.Role `json:"role"`
	}
	if err := decodeBody(c, &b, true); err != nil {
		return err
	}
	if strings.TrimSpace(b.Name) == "" {
		return badRequest("name", "required")
	}
	if _, err := auth.ParseRole(string(b.Role)); err != nil {
		return err
	}
	if err := s.audit(c, "token.create", b.Name, true, map[string]any{"role": b.Role}); err != nil {
		return err
	}
	raw, t, err := acc.CreateToken(c.Request().Context(), b.Name, b.Role, principalOf(c).Username)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, newToken{Token: t, Secret: raw})
}

func (s *Server) revokeToken(c echo.Context) error {
	acc := s.cfg.Accounts
	id, err := idParam(c)
	if err != nil {
		return err
	}
	target := "token " + c.Param("id")
	if ts, err := acc.Tokens(c.Request().Context()); err == nil {
		for _, t := range ts {
			if t.ID == id {
				target = t.Name + " (token " + c.Param("id") + ")"
			}
		}
	}
	if err := s.audit(c, "token.revoke", target, true, nil); err != nil {
		return err
	}
	if err := acc.RevokeToken(c.Request().Context(), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) listAudit(c echo.Context) error {
	q := c.QueryParams()
	f := store.AuditFilter{Actor: q.Get("actor"), Action: q.Get("action"), Target: q.Get("target")}
	var err error
	if f.Since, err = timeParam(q.Get("since"), "since"); err != nil {
		return err
	}
	if f.Until, err = timeParam(q.Get("until"), "until"); err != nil {
		return err
	}
	if v := q.Get("before"); v != "" {
		if f.Before, err = strconv.ParseInt(v, 10, 64); err != nil || f.Before <= 0 {
			return badRequest("before", "must be a positive sequence number")
		}
	}
	if v := q.Get("limit"); v != "" {
		if f.Limit, err = strconv.Atoi(v); err != nil || f.Limit <= 0 || f.Limit > store.MaxLimit {
			return badRequest("limit", "must be 1..%d", store.MaxLimit)
		}
	}
	es, err := s.cfg.Audit.Audit(c.Request().Context(), f)
	if err != nil {
		return err
	}
	next := int64(0)
	if len(es) > 0 {
		next = es[len(es)-1].Seq
	}
	return c.JSON(http.StatusOK, map[string]any{"entries": nonNil(es), "next_before": next})
}

// timeParam reads an RFC 3339 time or a YYYY-MM-DD date (UTC midnight).
func timeParam(v, name string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		return t, nil
	}
	return time.Time{}, badRequest(name, "must be an RFC 3339 time or YYYY-MM-DD")
}

func nonNil[T any](v []T) []T {
	if v == nil {
		return []T{}
	}
	return v
}

// revealed is the answer to a reveal: one full number, sent unmasked.
type revealed struct {
	Number string `json:"number"`
}

func (s *Server) mayReveal(c echo.Context) error {
	p := principalOf(c)
	if !slices.Contains(s.cfg.Privacy.Reveal, p.Role) {
		return forbidden("role " + string(p.Role) + " may not reveal numbers")
	}
	return nil
}

func (s *Server) revealCaller(c echo.Context) error {
	if err := s.mayReveal(c); err != nil {
		return err
	}
	call, err := s.store.Call(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	if err := s.callScope(c, call); err != nil {
		return err
	}
	if err := s.audit(c, "number.reveal", "call:"+call.ID, true, nil); err != nil {
		return err
	}
	b, _ := json.Marshal(revealed{Number: call.Caller})
	return c.JSONBlob(http.StatusOK, b)
}

func (s *Server) revealMessageCaller(c echo.Context) error {
	if err := s.mayReveal(c); err != nil {
		return err
	}
	if s.opt.messages == nil {
		return errNoMessages()
	}
	ms := s.opt.messages
	m, err := ms.Message(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	if err := s.messageScope(c, m); err != nil {
		return err
	}
	if err := s.audit(c, "number.reveal", "message:"+m.ID, true, nil); err != nil {
		return err
	}
	b, _ := json.Marshal(revealed{Number: m.Caller})
	return c.JSONBlob(http.StatusOK, b)
}
