package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"switchboard/auth"
)

// Accounts: sign-in and sign-out, users and API tokens. An account's
// team and agent are checked against the routing config (teams.go).

// Accounts is what the sign-in, user and token routes need
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
	CreateToken(ctx context.Context, spec auth.TokenSpec) (raw string, t auth.Token, err error)
	RevokeToken(ctx context.Context, id int64) error
}

// CodeBadCredentials: wrong username or password (401 on sign-in).
const CodeBadCredentials = "bad_credentials"

// accountHandlers serves the account routes; it is built only with an
// Accounts (without one the routes answer 503, see Server.authRoutes).
type accountHandlers struct {
	acc          Accounts
	aud          auditor
	log          *slog.Logger
	secureCookie bool // the session cookie is Secure (behind TLS)
	privacy      Privacy
	dir          teamDirectory // what accounts may name
}

func (h accountHandlers) routes() []route {
	return []route{
		{http.MethodPost, "/api/v1/auth/login", h.login, public},
		{http.MethodPost, "/api/v1/auth/logout", h.logout, signedIn},
		{http.MethodPut, "/api/v1/auth/me/lang", h.putLang, signedIn},

		{http.MethodGet, "/api/v1/users", h.listUsers, admins},
		{http.MethodPost, "/api/v1/users", h.createUser, admins},
		{http.MethodGet, "/api/v1/users/:id", h.getUser, admins},
		{http.MethodPatch, "/api/v1/users/:id", h.patchUser, admins},
		{http.MethodGet, "/api/v1/tokens", h.listTokens, admins},
		{http.MethodPost, "/api/v1/tokens", h.createToken, admins},
		{http.MethodDelete, "/api/v1/tokens/:id", h.revokeToken, admins},
	}
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

func (h accountHandlers) login(c echo.Context) error {
	// Sign-in has no CSRF token yet, so a cross-site form could post
	// text/plain to sign a victim in as the attacker (login CSRF); a JSON
	// content type needs a preflight no other origin gets.
	if mt, _, _ := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType)); mt != echo.MIMEApplicationJSON {
		return &Error{Status: http.StatusUnsupportedMediaType, Code: CodeBadRequest, Field: "Content-Type",
			Message: "sign-in takes application/json"}
	}
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
	sess, err := h.acc.Login(c.Request().Context(), b.Username, b.Password, c.RealIP())
	if err != nil {
		// Failed sign-ins are audited under the name tried (no principal yet).
		c.Set(principalKey, auth.Principal{Username: b.Username})
		why := "bad_credentials"
		var lim *auth.LimitedError
		if errors.As(err, &lim) {
			why = "rate_limited"
		}
		if aerr := h.aud.record(c, "auth.sign_in", b.Username, false, map[string]string{"why": why}); aerr != nil {
			h.log.Error("audit of a failed sign-in", "err", aerr)
		}
		return err
	}
	c.Set(principalKey, sess.Principal)
	if err := h.aud.record(c, "auth.sign_in", b.Username, true, nil); err != nil {
		_ = h.acc.Logout(c.Request().Context(), sess.ID)
		return err
	}
	c.SetCookie(&http.Cookie{Name: auth.CookieName, Value: sess.ID, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: h.secureCookie})
	return c.JSON(http.StatusOK, me{Principal: sess.Principal, CSRF: sess.Principal.CSRF})
}

func (h accountHandlers) logout(c echo.Context) error {
	if ck, err := c.Cookie(auth.CookieName); err == nil && ck.Value != "" {
		if err := h.acc.Logout(c.Request().Context(), ck.Value); err != nil {
			return err
		}
	}
	if err := h.aud.record(c, "auth.sign_out", principalOf(c).Username, true, nil); err != nil {
		h.log.Error("audit of a sign-out", "err", err)
	}
	c.SetCookie(&http.Cookie{Name: auth.CookieName, Value: "", Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: h.secureCookie, MaxAge: -1})
	return c.NoContent(http.StatusNoContent)
}

// getMe handles GET /api/v1/auth/me: the principal the guard found.
func getMe(c echo.Context) error {
	p := principalOf(c)
	return c.JSON(http.StatusOK, me{Principal: p, CSRF: p.CSRF})
}

func (h accountHandlers) putLang(c echo.Context) error {
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
	if err := h.acc.SetLang(c.Request().Context(), p.UserID, b.Lang); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (h accountHandlers) listUsers(c echo.Context) error {
	us, err := h.acc.Users(c.Request().Context())
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

func (h accountHandlers) getUser(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	u, err := h.acc.User(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, u)
}

func (h accountHandlers) createUser(c echo.Context) error {
	var b auth.NewUser
	if err := decodeBody(c, &b, true); err != nil {
		return err
	}
	detail := b
	detail.Password = ""
	u, err := h.create(c.Request().Context(), b)
	// Audited with its outcome: a refused creation is a refusal, with why.
	if err != nil {
		h.aud.refused(c, "user.create", b.Username, err, refusal{detail, httpError(err).Message})
		return err
	}
	if err := h.aud.record(c, "user.create", b.Username, true, detail); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, u)
}

// refusal is an audit entry's detail for a refused change: what was
// asked and why it was refused.
type refusal struct {
	Asked any    `json:"asked"`
	Error string `json:"error"`
}

// create checks the team and agent b names against the routing config,
// then creates the account; an agent's account without a team is in
// their agent's team.
func (h accountHandlers) create(ctx context.Context, b auth.NewUser) (auth.User, error) {
	d, _, err := h.dir.read(ctx)
	if err != nil {
		return auth.User{}, err
	}
	u := auth.User{Role: b.Role, AgentID: strings.TrimSpace(b.AgentID), Team: strings.TrimSpace(b.Team)}
	if err := d.Check(u); err != nil {
		return auth.User{}, err
	}
	b.Team = d.AgentTeam(u)
	return h.acc.CreateUser(ctx, b)
}

func (h accountHandlers) patchUser(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	var b auth.UserPatch
	if err := decodeBody(c, &b, true); err != nil {
		return err
	}
	ctx := c.Request().Context()
	before, err := h.acc.User(ctx, id)
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
	detail := map[string]any{"before": before, "change": change, "password_changed": b.Password != nil}
	u, err := h.update(ctx, before, b)
	if err != nil {
		h.aud.refused(c, "user.update", before.Username, err, refusal{detail, httpError(err).Message})
		return err
	}
	if err := h.aud.record(c, "user.update", before.Username, true, detail); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, u)
}

// update checks a change of role, team or agent against the routing
// config, then makes it (other changes are not held up by a config that
// has moved on since).
func (h accountHandlers) update(ctx context.Context, before auth.User, b auth.UserPatch) (auth.User, error) {
	if b.Role != nil || b.Team != nil || b.AgentID != nil {
		d, _, err := h.dir.read(ctx)
		if err != nil {
			return auth.User{}, err
		}
		after := before
		if b.Role != nil {
			after.Role = *b.Role
		}
		if b.Team != nil {
			after.Team = strings.TrimSpace(*b.Team)
		}
		if b.AgentID != nil {
			after.AgentID = strings.TrimSpace(*b.AgentID)
		}
		if err := d.Check(after); err != nil {
			return auth.User{}, err
		}
		if t := d.AgentTeam(after); t != after.Team {
			b.Team = &t
		}
	}
	return h.acc.UpdateUser(ctx, before.ID, b)
}

func (h accountHandlers) listTokens(c echo.Context) error {
	ts, err := h.acc.Tokens(c.Request().Context())
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

func (h accountHandlers) createToken(c echo.Context) error {
	var b struct {
		Name      string    `json:"name"`
		Role      auth.Role `json:"role"`
		ValidDays *int      `json:"valid_days"`
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
	spec := auth.TokenSpec{Name: b.Name, Role: b.Role, CreatedBy: principalOf(c).Username}
	if b.ValidDays != nil {
		if *b.ValidDays < 1 || *b.ValidDays > int(auth.MaxTokenLife/(24*time.Hour)) {
			return badRequest("valid_days", "1 to %d days", auth.MaxTokenLife/(24*time.Hour))
		}
		spec.ValidFor = time.Duration(*b.ValidDays) * 24 * time.Hour
	}
	// Admins never see callers' numbers (privacy.go); a token of a role
	// that does would let them see them anyway. Such tokens are made on the
	// host (`switchboard token add`), where the operator answers for them.
	if h.privacy.seesNumbers(b.Role) && !h.privacy.seesNumbers(principalOf(c).Role) {
		e := forbidden(fmt.Sprintf("a %s token sees callers' numbers, which an %s does not; make it on the host with `switchboard token add`", b.Role, principalOf(c).Role))
		e.Field = "role"
		return e
	}
	raw, t, err := h.acc.CreateToken(c.Request().Context(), spec)
	if aerr := h.aud.record(c, "token.create", b.Name, err == nil, map[string]any{"role": b.Role}); aerr != nil {
		return aerr
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, newToken{Token: t, Secret: raw})
}

func (h accountHandlers) revokeToken(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	target := "token " + c.Param("id")
	if ts, err := h.acc.Tokens(c.Request().Context()); err == nil {
		for _, t := range ts {
			if t.ID == id {
				target = t.Name + " (token " + c.Param("id") + ")"
			}
		}
	}
	if err := h.aud.record(c, "token.revoke", target, true, nil); err != nil {
		return err
	}
	if err := h.acc.RevokeToken(c.Request().Context(), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
