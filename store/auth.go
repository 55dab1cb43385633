package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"

	"switchboard/auth"
)

// Accounts persists users, sessions and API tokens: the auth concern of
// the store, its own type so Store stays a set of concerns rather than one
// type with every method. It shares the store's database and writer lock.
type Accounts struct {
	db  *sqlx.DB
	wmu *sync.Mutex // the Store's: one writer at a time in this process
}

// Accounts: users, teams, browser sessions and API tokens for
// auth.Service. Missing rows answer auth.ErrNotFound;
// a broken uniqueness rule answers *auth.FieldError naming the column.

var _ auth.Store = (*Store)(nil)

type userRow struct {
	ID           int64  `db:"id"`
	Username     string `db:"username"`
	Name         string `db:"name"`
	Role         string `db:"role"`
	AgentID      string `db:"agent_id"`
	Team         string `db:"team"`
	Lang         string `db:"lang"`
	PasswordHash string `db:"password_hash"`
	Disabled     bool   `db:"disabled"`
	CreatedAt    dbTime `db:"created_at"`
}

func (r *userRow) user() auth.User {
	return auth.User{ID: r.ID, Username: r.Username, Name: r.Name, Role: auth.Role(r.Role),
		AgentID: r.AgentID, Team: r.Team, Lang: r.Lang, Disabled: r.Disabled, CreatedAt: r.CreatedAt.T}
}

const userColumns = `id, username, name, role, agent_id, team, lang, password_hash, disabled, created_at`

// InsertUser stores a new account and returns its id.
func (s *Accounts) InsertUser(ctx context.Context, a auth.Account) (int64, error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	var id int64
	err := s.db.GetContext(ctx, &id, `INSERT INTO users (username, name, role, agent_id, team, lang, password_hash, disabled, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		a.Username, a.Name, string(a.Role), a.AgentID, a.Team, a.Lang, a.PasswordHash, a.Disabled, someTime(a.CreatedAt))
	if err != nil {
		return 0, uniqueError(err, "insert user")
	}
	return id, nil
}

// UpdateUser writes the account's fields but its id, username and
// creation time.
func (s *Accounts) UpdateUser(ctx context.Context, a auth.Account) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	res, err := s.db.ExecContext(ctx, `UPDATE users SET name = ?, role = ?, agent_id = ?, team = ?, lang = ?,
		password_hash = ?, disabled = ? WHERE id = ?`,
		a.Name, string(a.Role), a.AgentID, a.Team, a.Lang, a.PasswordHash, a.Disabled, a.ID)
	if err != nil {
		return uniqueError(err, "update user")
	}
	return oneRow(res, fmt.Sprintf("user %d", a.ID))
}

// UserByID is the account with that id.
func (s *Accounts) UserByID(ctx context.Context, id int64) (auth.Account, error) {
	return s.account(ctx, fmt.Sprintf("user %d", id), "id = ?", id)
}

// UserByName is the account with that username.
func (s *Accounts) UserByName(ctx context.Context, username string) (auth.Account, error) {
	return s.account(ctx, fmt.Sprintf("user %q", username), "username = ?", username)
}

func (s *Accounts) account(ctx context.Context, what, where string, arg any) (auth.Account, error) {
	var r userRow
	if err := s.db.GetContext(ctx, &r, `SELECT `+userColumns+` FROM users WHERE `+where, arg); err != nil {
		return auth.Account{}, authNotFound(err, what)
	}
	return auth.Account{User: r.user(), PasswordHash: r.PasswordHash}, nil
}

// ListUsers is every account, by username.
func (s *Accounts) ListUsers(ctx context.Context) ([]auth.User, error) {
	var rows []userRow
	if err := s.db.SelectContext(ctx, &rows, `SELECT `+userColumns+` FROM users ORDER BY username`); err != nil {
		return nil, fmt.Errorf("store: users: %w", err)
	}
	out := make([]auth.User, len(rows))
	for i := range rows {
		out[i] = rows[i].user()
	}
	return out, nil
}

type sessionRow struct {
	Hash      []byte `db:"id_hash"`
	UserID    int64  `db:"user_id"`
	CSRF      string `db:"csrf"`
	Addr      string `db:"addr"`
	CreatedAt dbTime `db:"created_at"`
	LastSeen  dbTime `db:"last_seen"`
}

// InsertSession stores a new browser session.
func (s *Accounts) InsertSession(ctx context.Context, r auth.SessionRecord) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	_, err := s.db.ExecContext(ctx, `INSERT INTO sessions (id_hash, user_id, csrf, addr, created_at, last_seen)
		VALUES (?, ?, ?, ?, ?, ?)`, r.Hash, r.UserID, r.CSRF, r.Addr, someTime(r.CreatedAt), someTime(r.LastSeen))
	if err != nil {
		return fmt.Errorf("store: insert session: %w", err)
	}
	return nil
}

// SessionByHash is the session whose id hashes to hash.
func (s *Accounts) SessionByHash(ctx context.Context, hash []byte) (auth.SessionRecord, error) {
	var r sessionRow
	err := s.db.GetContext(ctx, &r, `SELECT id_hash, user_id, csrf, addr, created_at, last_seen FROM sessions WHERE id_hash = ?`, hash)
	if err != nil {
		return auth.SessionRecord{}, authNotFound(err, "session")
	}
	return auth.SessionRecord{Hash: r.Hash, UserID: r.UserID, CSRF: r.CSRF, Addr: r.Addr,
		CreatedAt: r.CreatedAt.T, LastSeen: r.LastSeen.T}, nil
}

// TouchSession sets the session's last request time.
func (s *Accounts) TouchSession(ctx context.Context, hash []byte, at time.Time) error {
	return s.authExec(ctx, "touch session", `UPDATE sessions SET last_seen = ? WHERE id_hash = ?`, someTime(at), hash)
}

// DeleteSession ends one session (none is not an error).
func (s *Accounts) DeleteSession(ctx context.Context, hash []byte) error {
	return s.authExec(ctx, "delete session", `DELETE FROM sessions WHERE id_hash = ?`, hash)
}

// DeleteUserSessions ends every session of the user.
func (s *Accounts) DeleteUserSessions(ctx context.Context, userID int64) error {
	return s.authExec(ctx, "delete user sessions", `DELETE FROM sessions WHERE user_id = ?`, userID)
}

// PruneSessions deletes sessions idle since before idleBefore or created
// before createdBefore.
func (s *Accounts) PruneSessions(ctx context.Context, idleBefore, createdBefore time.Time) error {
	return s.authExec(ctx, "prune sessions", `DELETE FROM sessions WHERE last_seen < ? OR created_at < ?`,
		someTime(idleBefore), someTime(createdBefore))
}

// TrimUserSessions ends the user's sessions but the keep newest (by
// sign-in time, then id for ties).
func (s *Accounts) TrimUserSessions(ctx context.Context, userID int64, keep int) error {
	return s.authExec(ctx, "trim user sessions", `DELETE FROM sessions WHERE user_id = ? AND id_hash NOT IN
		(SELECT id_hash FROM sessions WHERE user_id = ? ORDER BY created_at DESC, id_hash DESC LIMIT ?)`, userID, userID, keep)
}

type tokenRow struct {
	ID        int64  `db:"id"`
	Name      string `db:"name"`
	Role      string `db:"role"`
	CreatedBy string `db:"created_by"`
	CreatedAt dbTime `db:"created_at"`
	LastUsed  dbTime `db:"last_used"`
	RevokedAt dbTime `db:"revoked_at"`
	ExpiresAt dbTime `db:"expires_at"`
}

func (r *tokenRow) token() auth.Token {
	t := auth.Token{ID: r.ID, Name: r.Name, Role: auth.Role(r.Role), CreatedBy: r.CreatedBy,
		CreatedAt: r.CreatedAt.T, LastUsed: r.LastUsed.ptr(), RevokedAt: r.RevokedAt.ptr(), ExpiresAt: r.ExpiresAt.T}
	if !r.ExpiresAt.Valid {
		t.ExpiresAt = r.CreatedAt.T.Add(auth.MaxTokenLife)
	}
	return t
}

const tokenColumns = `id, name, role, created_by, created_at, last_used, revoked_at, expires_at`

// InsertToken stores a new API token and returns its id.
func (s *Accounts) InsertToken(ctx context.Context, t auth.TokenRecord) (int64, error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	var id int64
	err := s.db.GetContext(ctx, &id, `INSERT INTO api_tokens (name, role, secret_hash, created_by, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, t.Name, string(t.Role), t.Hash, t.CreatedBy, someTime(t.CreatedAt), someTime(t.ExpiresAt))
	if err != nil {
		return 0, uniqueError(err, "insert token")
	}
	return id, nil
}

// TokenByHash is the token whose secret hashes to hash, revoked or not.
func (s *Accounts) TokenByHash(ctx context.Context, hash []byte) (auth.Token, error) {
	var r tokenRow
	if err := s.db.GetContext(ctx, &r, `SELECT `+tokenColumns+` FROM api_tokens WHERE secret_hash = ?`, hash); err != nil {
		return auth.Token{}, authNotFound(err, "token")
	}
	return r.token(), nil
}

// TouchToken sets the token's last use.
func (s *Accounts) TouchToken(ctx context.Context, id int64, at time.Time) error {
	return s.authExec(ctx, "touch token", `UPDATE api_tokens SET last_used = ? WHERE id = ?`, someTime(at), id)
}

// RevokeToken ends the token (revoking twice keeps the first time).
func (s *Accounts) RevokeToken(ctx context.Context, id int64, at time.Time) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	res, err := s.db.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?`, someTime(at), id)
	if err != nil {
		return fmt.Errorf("store: revoke token: %w", err)
	}
	return oneRow(res, fmt.Sprintf("token %d", id))
}

// ListTokens is every token, newest first.
func (s *Accounts) ListTokens(ctx context.Context) ([]auth.Token, error) {
	var rows []tokenRow
	if err := s.db.SelectContext(ctx, &rows, `SELECT `+tokenColumns+` FROM api_tokens ORDER BY id DESC`); err != nil {
		return nil, fmt.Errorf("store: tokens: %w", err)
	}
	out := make([]auth.Token, len(rows))
	for i := range rows {
		out[i] = rows[i].token()
	}
	return out, nil
}

// authExec runs one write under wmu.
func (s *Accounts) authExec(ctx context.Context, what, q string, args ...any) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if _, err := s.db.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("store: %s: %w", what, err)
	}
	return nil
}

// authNotFound is notFound for auth.Service, which knows auth.ErrNotFound.
func authNotFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: %w", what, auth.ErrNotFound)
	}
	return fmt.Errorf("store: %s: %w", what, err)
}

// oneRow answers not found when an update or delete touched no row.
func oneRow(res sql.Result, what string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: %s: %w", what, err)
	}
	if n == 0 {
		return authNotFound(sql.ErrNoRows, what)
	}
	return nil
}

// uniqueError turns a UNIQUE constraint failure ("UNIQUE constraint
// failed: users.username") into a *auth.FieldError naming the column.
func uniqueError(err error, what string) error {
	if col, ok := uniqueViolation(err); ok {
		return &auth.FieldError{Field: col, Reason: "already taken"}
	}
	return fmt.Errorf("store: %s: %w", what, err)
}
