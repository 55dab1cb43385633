package auth

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// TokenPrefix starts every API token, so a leaked one is recognisable (and
// secret scanners can look for it).
const TokenPrefix = "sbt_"

var tokenNameRE = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// CreateToken makes an API token acting with role; raw is its secret,
// shown this once and stored only as a SHA-256. createdBy is who asked
// (a username). Names are unique among tokens not revoked.
func (s *Service) CreateToken(ctx context.Context, name string, role Role, createdBy string) (string, Token, error) {
	name = strings.TrimSpace(name)
	if !tokenNameRE.MatchString(name) {
		return "", Token{}, &FieldError{Field: "name", Reason: "1 to 64 of A-Z, a-z, 0-9, '.', '_', '-'"}
	}
	if _, err := ParseRole(string(role)); err != nil {
		return "", Token{}, err
	}
	raw := TokenPrefix + randomString()
	t := Token{Name: name, Role: role, CreatedBy: createdBy, CreatedAt: s.now()}
	id, err := s.st.InsertToken(ctx, TokenRecord{Token: t, Hash: digest(raw)})
	if err != nil {
		return "", Token{}, err
	}
	t.ID = id
	s.log.Info("token created", "name", name, "role", role, "by", createdBy)
	return raw, t, nil
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
	if t.RevokedAt != nil {
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
