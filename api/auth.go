package api

import (
	"context"

	"switchboard/auth"
)

// Accounts is what the sign-in, user, team and token routes need
// (*auth.Service is one).
type Accounts interface {
	Authenticator
	Login(ctx context.Context, username, password, addr string) (auth.Session, error)
	Logout(ctx context.Context, sessionID string) error
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

func (s *Server) authRoutes() []route { return nil }
