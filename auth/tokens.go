package auth

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// TokenPrefix starts every API token, so a leaked one is recognisable (and
// secret scanners can look for it).
const TokenPrefix = "sbt_"

var tokenNameRE = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// Token lifetimes: a token that is never rotated is a credential that
// never stops working once leaked.
const (
	DefaultTokenLife = 90 * 24 * time.Hour
	MaxTokenLife     = 366 * 24 * time.Hour
	minTokenLife     = 24 * time.Hour
	// MaxLiveTokens caps tokens neither revoked nor expired: each is a
	// standing credential an admin should be able to account for.
	MaxLiveTokens = 50
)

// ErrTooManyTokens: MaxLiveTokens are live; revoke one first.
var ErrTooManyTokens = fmt.Errorf("auth: %d live API tokens already; revoke one first", MaxLiveTokens)

// CreateToken makes an API token acting with spec.Role; raw is its secret,
// shown this once and stored only as a SHA-256. Names are unique among
// tokens not revoked.
func (s *Service) CreateToken(ctx context.Context, spec TokenSpec) (string, Token, error) {
	name := strings.TrimSpace(spec.Name)
	if !tokenNameRE.MatchString(name) {
		return "", Token{}, &FieldError{Field: "name", Reason: "1 to 64 of A-Z, a-z, 0-9, '.', '_', '-'"}
	}
	if _, err := ParseRole(string(spec.Role)); err != nil {
		return "", Token{}, err
	}
	life := spec.ValidFor
	if life == 0 {
		life = DefaultTokenLife
	}
	if life < minTokenLife || life > MaxTokenLife {
		return "", Token{}, &FieldError{Field: "valid_days", Reason: fmt.Sprintf("1 to %d days", MaxTokenLife/(24*time.Hour))}
	}
	now := s.now()
	all, err := s.st.ListTokens(ctx)
	if err != nil {
		return "", Token{}, err
	}
	live := 0
	for _, t := range all {
		switch {
		case t.Live(now):
			live++
		case t.RevokedAt == nil && t.Name == name:
			// An expired token still holds its name; it ended at its
			// expiry, so say so and free the name.
			if err := s.st.RevokeToken(ctx, t.ID, t.ExpiresAt); err != nil {
				return "", Token{}, err
			}
		}
	}
	if live >= MaxLiveTokens {
		return "", Token{}, ErrTooManyTokens
	}
	raw := TokenPrefix + randomString()
	t := Token{Name: name, Role: spec.Role, CreatedBy: spec.CreatedBy, CreatedAt: now, ExpiresAt: now.Add(life)}
	id, err := s.st.InsertToken(ctx, TokenRecord{Token: t, Hash: digest(raw)})
	if err != nil {
		return "", Token{}, err
	}
	t.ID = id
	s.log.Info("token created", "name", name, "role", spec.Role, "by", spec.CreatedBy, "expires", t.ExpiresAt)
	return raw, t, nil
}

// Live: neither revoked nor expired at now.
func (t Token) Live(now time.Time) bool {
	return t.RevokedAt == nil && now.Before(t.ExpiresAt)
}

// Token is who holds the raw token: Username "token:<name>". Unknown and
// revoked tokens answer ErrNoSession.
func (s *Service) Token(ctx context.Context, raw string) (Principal, error) {
	if !strings.HasPrefix(raw, TokenPrefix) || len(raw) > 128 {
		return Principal{}, ErrNoSession
	}
	t, err := s.st.TokenByHash(ctx, digest(raw))
	if errors.Is(err, ErrNotFound) {
		return Principal{}, ErrNoSession
	}
	if err != nil {
		return Principal{}, err
	}
	if !t.Live(s.now()) {
		return Principal{}, ErrNoSession
	}
	if now := s.now(); t.LastUsed == nil || now.Sub(*t.LastUsed) >= tokenTouchEvery {
		if err := s.st.TouchToken(ctx, t.ID, now); err != nil {
			return Principal{}, fmt.Errorf("auth: touch token: %w", err)
		}
	}
	return Principal{Username: "token:" + t.Name, Name: t.Name, Role: t.Role, TokenID: t.ID, Lang: Languages[0]}, nil
}

// RevokeToken ends a token for good (ErrNotFound for an unknown id;
// revoking twice is not an error).
func (s *Service) RevokeToken(ctx context.Context, id int64) error {
	if err := s.st.RevokeToken(ctx, id, s.now()); err != nil {
		return err
	}
	s.log.Info("token revoked", "id", id)
	return nil
}

// Tokens is every token, revoked ones too, newest first.
func (s *Service) Tokens(ctx context.Context) ([]Token, error) {
	return s.st.ListTokens(ctx)
}
