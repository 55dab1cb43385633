package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// PasswordCost is the bcrypt cost of new password hashes. Tests lower it
// to bcrypt.MinCost; hashes keep the cost they were made with.
var PasswordCost = bcrypt.DefaultCost

// Throttles of the last-seen writes: a busy page polls often, and every
// request need not cost a database write. A session's last request is
// written at most every sessionTouchEvery (or a tenth of the idle time, if
// shorter), so it may end up to that much before its idle time.
const (
	sessionTouchEvery = 5 * time.Second
	tokenTouchEvery   = time.Minute
)

// Service signs people in and checks sessions and API tokens; it also
// manages users, teams and tokens for the admin routes.
type Service struct {
	cfg   Config
	st    Store
	now   func() time.Time
	log   *slog.Logger
	limit *limiter
	// dummy is a hash to compare against when the username is unknown, so
	// that answering takes as long as for a known one.
	dummy func() []byte
}

// New makes a Service; zero fields of cfg get the defaults, a nil now is
// time.Now and a nil log discards.
func New(cfg Config, st Store, now func() time.Time, log *slog.Logger) *Service {
	if cfg.SessionIdle <= 0 {
		cfg.SessionIdle = DefaultSessionIdle
	}
	if cfg.SessionMax <= 0 {
		cfg.SessionMax = DefaultSessionMax
	}
	if cfg.LoginAttempts <= 0 {
		cfg.LoginAttempts = DefaultLoginAttempts
	}
	if cfg.AddressAttempts <= 0 {
		cfg.AddressAttempts = DefaultAddressAttempts * cfg.LoginAttempts
	}
	if cfg.MaxSessions <= 0 {
		cfg.MaxSessions = DefaultMaxSessions
	}
	if cfg.LoginWindow <= 0 {
		cfg.LoginWindow = DefaultLoginWindow
	}
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{
		cfg: cfg, st: st, now: now, log: log.With("component", "auth"),
		limit: newLimiter(cfg.LoginAttempts, cfg.AddressAttempts, cfg.LoginWindow),
		dummy: sync.OnceValue(func() []byte {
			h, _ := bcrypt.GenerateFromPassword([]byte("not anyone's password"), PasswordCost)
			return h
		}),
	}
}

// Config is the configuration in force, defaults applied.
func (s *Service) Config() Config { return s.cfg }

// Login checks username and password and starts a session. Failures are
// counted per account from this address, per address and per account from
// anywhere: past Config.LoginAttempts (the first) or
// Config.AddressAttempts (the other two) within Config.LoginWindow, Login
// answers *LimitedError without looking at the password. Otherwise a wrong password, an unknown user and a disabled
// account all answer ErrBadCredentials.
func (s *Service) Login(ctx context.Context, username, password, addr string) (Session, error) {
	now := s.now()
	username = strings.ToLower(strings.TrimSpace(username))
	userKey, addrKey := "user:"+username, "addr:"+hostOf(addr)
	if len(userKey) > 80 { // no account has a name that long; keep the limiter's keys small
		userKey = userKey[:80]
	}
	pairKey := "pair:" + hostOf(addr) + "|" + userKey
	if wait := s.limit.attempt(now, pairKey, userKey, addrKey); wait > 0 {
		s.log.Warn("sign-in refused: too many failures", "username", username, "addr", addr, "retry_after", wait)
		return Session{}, &LimitedError{RetryAfter: wait}
	}
	a, err := s.st.UserByName(ctx, username)
	switch {
	case errors.Is(err, ErrNotFound):
		_ = bcrypt.CompareHashAndPassword(s.dummy(), []byte(password))
		return Session{}, ErrBadCredentials
	case err != nil:
		return Session{}, err
	}
	if bcrypt.CompareHashAndPassword([]byte(a.PasswordHash), []byte(password)) != nil || a.Disabled {
		return Session{}, ErrBadCredentials
	}
	s.limit.succeeded(now, userKey, pairKey, addrKey)

	// Sign-ins are rare next to requests: a good time to drop dead sessions.
	if err := s.st.PruneSessions(ctx, now.Add(-s.cfg.SessionIdle), now.Add(-s.cfg.SessionMax)); err != nil {
		s.log.Warn("pruning expired sessions failed", "err", err)
	}
	id, csrf := randomString(), randomString()
	rec := SessionRecord{Hash: digest(id), UserID: a.ID, CSRF: csrf, Addr: addr, CreatedAt: now, LastSeen: now}
	if err := s.st.InsertSession(ctx, rec); err != nil {
		return Session{}, fmt.Errorf("auth: start session: %w", err)
	}
	if err := s.st.TrimUserSessions(ctx, a.ID, s.cfg.MaxSessions); err != nil {
		s.log.Warn("ending sessions past the cap failed", "username", a.Username, "err", err)
	}
	s.log.Info("signed in", "username", a.Username, "role", a.Role, "addr", addr)
	return Session{ID: id, Principal: s.principal(a.User, rec)}, nil
}

// Session is who holds the session id (the cookie's value). It answers
// ErrNoSession when the id is unknown, the session has been idle longer
// than Config.SessionIdle or is older than Config.SessionMax, or the user
// has been disabled. A valid session's idle time starts again.
func (s *Service) Session(ctx context.Context, id string) (Principal, error) {
	if id == "" || len(id) > 128 {
		return Principal{}, ErrNoSession
	}
	hash := digest(id)
	rec, err := s.st.SessionByHash(ctx, hash)
	if errors.Is(err, ErrNotFound) {
		return Principal{}, ErrNoSession
	}
	if err != nil {
		return Principal{}, err
	}
	now := s.now()
	if !now.Before(s.expires(rec)) {
		return Principal{}, s.endSession(ctx, hash)
	}
	a, err := s.st.UserByID(ctx, rec.UserID)
	if errors.Is(err, ErrNotFound) || err == nil && a.Disabled {
		return Principal{}, s.endSession(ctx, hash)
	}
	if err != nil {
		return Principal{}, err
	}
	if now.Sub(rec.LastSeen) >= min(sessionTouchEvery, s.cfg.SessionIdle/10) {
		if err := s.st.TouchSession(ctx, hash, now); err != nil {
			return Principal{}, fmt.Errorf("auth: touch session: %w", err)
		}
		rec.LastSeen = now
	}
	return s.principal(a.User, rec), nil
}

// Logout ends the session (an unknown one is not an error).
func (s *Service) Logout(ctx context.Context, id string) error {
	if id == "" {
		return nil
	}
	return s.st.DeleteSession(ctx, digest(id))
}

// endSession deletes a dead session and answers ErrNoSession (or the
// delete's error).
func (s *Service) endSession(ctx context.Context, hash []byte) error {
	if err := s.st.DeleteSession(ctx, hash); err != nil {
		return fmt.Errorf("auth: end session: %w", err)
	}
	return ErrNoSession
}

// expires is when rec ends if nothing is done before.
func (s *Service) expires(rec SessionRecord) time.Time {
	idle, abs := rec.LastSeen.Add(s.cfg.SessionIdle), rec.CreatedAt.Add(s.cfg.SessionMax)
	if idle.Before(abs) {
		return idle
	}
	return abs
}

func (s *Service) principal(u User, rec SessionRecord) Principal {
	return Principal{
		UserID: u.ID, Username: u.Username, Name: u.Name, Role: u.Role,
		AgentID: u.AgentID, Team: u.Team, Lang: u.Lang,
		CSRF: rec.CSRF, Expires: s.expires(rec),
	}
}

// randomString is 32 random bytes, base64url without padding.
func randomString() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand since Go 1.24)
	return base64.RawURLEncoding.EncodeToString(b)
}

// digest is what is stored of a session id or a token.
func digest(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// hostOf drops the port of host:port, so one client counts as one address
// whichever port it comes from.
func hostOf(addr string) string {
	if h, _, err := net.SplitHostPort(addr); err == nil {
		return h
	}
	return addr
}
