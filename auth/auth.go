// Package auth is who may use Switchboard: people with accounts and roles,
// their browser sessions, API tokens for programs, and the limits on
// guessing passwords. It stores through Store (the SQLite/Postgres store
// implements it) and never keeps a password or a session id in the clear.
package auth

import (
	"errors"
	"fmt"
	"time"
)

// Role is what a person or token may see and do; api's route table maps
// every route to the roles allowed.
type Role string

const (
	Agent      Role = "agent"      // their own state, calls and messages
	TeamLead   Role = "team_lead"  // 值班长: their team
	Supervisor Role = "supervisor" // 主管: every queue and team
	Quality    Role = "quality"    // 质检员: recordings and scoring, masked numbers
	Admin      Role = "admin"      // configuration, users, tokens, the audit log
)

// Roles lists every role, least privileged first.
var Roles = []Role{Agent, TeamLead, Supervisor, Quality, Admin}

// ParseRole checks s names a role.
func ParseRole(s string) (Role, error) {
	for _, r := range Roles {
		if string(r) == s {
			return r, nil
		}
	}
	return "", &FieldError{Field: "role", Reason: fmt.Sprintf("%q is not a role (agent, team_lead, supervisor, quality, admin)", s)}
}

// Languages the UI speaks; the first is the default.
var Languages = []string{"zh", "en"}

// Principal is who made a request: a signed-in user or an API token.
type Principal struct {
	UserID   int64  `json:"user_id,omitempty"`
	Username string `json:"username"`
	Name     string `json:"name"`
	Role     Role   `json:"role"`
	// AgentID is the routing agent this user is ("" for users who take no
	// calls). An agent acts only on this agent.
	AgentID string `json:"agent_id,omitempty"`
	// Team is the agent's team, or the team a team lead leads.
	Team string `json:"team,omitempty"`
	Lang string `json:"lang"`
	// TokenID is set when the request came with an API token (Username is
	// then "token:<name>").
	TokenID int64 `json:"token_id,omitempty"`
	// CSRF is the session's anti-forgery token ("" for tokens, which need
	// none: they are not sent by browsers on their own).
	CSRF string `json:"-"`
	// Expires is when the session ends if nothing is done before.
	Expires time.Time `json:"expires,omitzero"`
}

// User is an account as an admin sees it (never its password hash).
type User struct {
	ID        int64     `json:"id"`
	Username  string    `json:"username"`
	Name      string    `json:"name"`
	Role      Role      `json:"role"`
	AgentID   string    `json:"agent_id,omitempty"`
	Team      string    `json:"team,omitempty"`
	Lang      string    `json:"lang"`
	Disabled  bool      `json:"disabled"`
	CreatedAt time.Time `json:"created_at"`
}

// NewUser is an account to create.
type NewUser struct {
	Username string `json:"username"`
	Name     string `json:"name"`
	Role     Role   `json:"role"`
	AgentID  string `json:"agent_id"`
	Team     string `json:"team"`
	Lang     string `json:"lang"`
	Password string `json:"password"`
}

// UserPatch changes an account; nil fields stay. Changing the role or the
// password, or disabling, ends the user's sessions.
type UserPatch struct {
	Name     *string `json:"name"`
	Role     *Role   `json:"role"`
	AgentID  *string `json:"agent_id"`
	Team     *string `json:"team"`
	Lang     *string `json:"lang"`
	Password *string `json:"password"`
	Disabled *bool   `json:"disabled"`
}

// Token is an API token as an admin sees it (never its secret).
type Token struct {
	ID        int64      `json:"id"`
	Name      string     `json:"name"`
	Role      Role       `json:"role"`
	CreatedBy string     `json:"created_by"`
	CreatedAt time.Time  `json:"created_at"`
	LastUsed  *time.Time `json:"last_used,omitempty"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
	// ExpiresAt is when the token stops working. Tokens made before
	// expiry existed have none stored and end MaxTokenLife after creation.
	ExpiresAt time.Time `json:"expires_at"`
}

// TokenSpec is what CreateToken needs.
type TokenSpec struct {
	Name      string
	Role      Role
	CreatedBy string // a username
	// ValidFor is how long the token works: zero is DefaultTokenLife;
	// one day to MaxTokenLife.
	ValidFor time.Duration
}

// Session is a new browser session: ID goes in the cookie, CSRF in every
// state-changing request's X-CSRF-Token header.
type Session struct {
	ID        string
	Principal Principal
}

// Config is the auth section of the config file.
type Config struct {
	// SessionIdle ends a session after this long without a request.
	SessionIdle time.Duration `yaml:"session_idle"`
	// SessionMax ends a session this long after sign-in, however busy.
	SessionMax time.Duration `yaml:"session_max"`
	// LoginAttempts failed sign-ins at one account from one address within
	// LoginWindow before further tries from there are refused until the
	// window passes (the account's owner elsewhere is not locked out).
	LoginAttempts int `yaml:"login_attempts"`
	// AddressAttempts is the limit per address (a whole floor behind one
	// NAT address shares it) and per account from all addresses together
	// (guessing spread over many addresses); default 10×LoginAttempts.
	AddressAttempts int           `yaml:"login_attempts_per_address"`
	LoginWindow     time.Duration `yaml:"login_window"`
	// SecureCookie marks the session cookie Secure (serve behind TLS); the
	// API then also sends Strict-Transport-Security.
	SecureCookie bool `yaml:"secure_cookie"`
	// MaxSessions is how many sessions one user holds at once; a sign-in
	// past it ends the oldest (a stolen password cannot pile up sessions,
	// and a forgotten browser does not keep one forever).
	MaxSessions int `yaml:"max_sessions"`
}

// Defaults for a zero Config.
const (
	DefaultSessionIdle   = 30 * time.Minute
	DefaultSessionMax    = 12 * time.Hour
	DefaultLoginAttempts = 5
	// DefaultAddressAttempts multiplies LoginAttempts for the per-address
	// limit when it is not set.
	DefaultAddressAttempts = 10
	DefaultLoginWindow     = 15 * time.Minute
	DefaultMaxSessions     = 5
)

// CookieName is the session cookie.
const CookieName = "sb_session"

// Errors.
var (
	// ErrBadCredentials: unknown user, wrong password or disabled account
	// (one error, so sign-in does not tell which).
	ErrBadCredentials = errors.New("auth: wrong username or password")
	// ErrNoSession: the session or token is unknown, expired or revoked.
	ErrNoSession = errors.New("auth: not signed in or session expired")
	// ErrNotFound: no user, token or team with that id.
	ErrNotFound = errors.New("auth: not found")
)

// FieldError is bad input, naming the field.
type FieldError struct {
	Field  string
	Reason string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Reason }

// LimitedError: too many failed sign-ins; try again after RetryAfter.
type LimitedError struct {
	RetryAfter time.Duration
}

func (e *LimitedError) Error() string {
	return fmt.Sprintf("auth: too many failed sign-ins; try again in %s", e.RetryAfter.Round(time.Second))
}
