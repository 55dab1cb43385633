package auth

import (
	"context"
	"time"
)

// Store is what Service keeps its accounts, sessions, tokens and teams in
// (*store.Store is one). Lookups of a missing row answer an error wrapping
// ErrNotFound; inserts that break a uniqueness rule answer a *FieldError
// naming the field ("username", "agent_id", "name").
type Store interface {
	InsertUser(ctx context.Context, a Account) (int64, error)
	// UpdateUser writes every field of a.User but ID, Username and
	// CreatedAt, and a.PasswordHash.
	UpdateUser(ctx context.Context, a Account) error
	UserByID(ctx context.Context, id int64) (Account, error)
	UserByName(ctx context.Context, username string) (Account, error)
	// ListUsers is every account, by username.
	ListUsers(ctx context.Context) ([]User, error)

	InsertSession(ctx context.Context, s SessionRecord) error
	SessionByHash(ctx context.Context, hash []byte) (SessionRecord, error)
	TouchSession(ctx context.Context, hash []byte, at time.Time) error
	// DeleteSession is not an error for an unknown session.
	DeleteSession(ctx context.Context, hash []byte) error
	DeleteUserSessions(ctx context.Context, userID int64) error
	// PruneSessions deletes sessions last seen before idleBefore or
	// created before createdBefore.
	PruneSessions(ctx context.Context, idleBefore, createdBefore time.Time) error
	// TrimUserSessions ends the user's oldest sessions past the newest
	// keep.
	TrimUserSessions(ctx context.Context, userID int64, keep int) error

	InsertToken(ctx context.Context, t TokenRecord) (int64, error)
	TokenByHash(ctx context.Context, hash []byte) (Token, error)
	TouchToken(ctx context.Context, id int64, at time.Time) error
	// RevokeToken sets revoked_at if it is not set (ErrNotFound for an
	// unknown id).
	RevokeToken(ctx context.Context, id int64, at time.Time) error
	// ListTokens is every token, newest first.
	ListTokens(ctx context.Context) ([]Token, error)
}

// Account is a user as stored: with the bcrypt hash of the password.
type Account struct {
	User
	PasswordHash string
}

// SessionRecord is a browser session as stored: the SHA-256 of its id,
// never the id itself.
type SessionRecord struct {
	Hash      []byte
	UserID    int64
	CSRF      string
	Addr      string
	CreatedAt time.Time
	LastSeen  time.Time
}

// TokenRecord is an API token to store: the SHA-256 of its secret, never
// the secret itself.
type TokenRecord struct {
	Token
	Hash []byte
}
