package auth

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
)

// Limits of account fields.
const (
	MinPassword = 10 // characters
	maxPassword = 72 // bytes: bcrypt ignores the rest
	maxName     = 100
)

var (
	usernameRE = regexp.MustCompile(`^[a-z0-9._-]{2,64}$`)
	teamRE     = regexp.MustCompile(`^[a-z0-9_-]{1,64}$`)
	agentIDRE  = regexp.MustCompile(`^[A-Za-z0-9._@+-]{1,64}$`)
)

// Users is every account, by username.
func (s *Service) Users(ctx context.Context) ([]User, error) {
	return s.st.ListUsers(ctx)
}

// User is one account (ErrNotFound for an unknown id).
func (s *Service) User(ctx context.Context, id int64) (User, error) {
	a, err := s.st.UserByID(ctx, id)
	return a.User, err
}

// UserNamed is the account with that username (ErrNotFound).
func (s *Service) UserNamed(ctx context.Context, username string) (User, error) {
	a, err := s.st.UserByName(ctx, username)
	return a.User, err
}

// CreateUser checks and stores a new account (the team and agent it
// names are checked against the routing config by the caller: Directory).
// Errors are *FieldError naming the field (username taken, weak
// password, ...).
func (s *Service) CreateUser(ctx context.Context, nu NewUser) (User, error) {
	u := User{
		Username: strings.ToLower(strings.TrimSpace(nu.Username)), Name: strings.TrimSpace(nu.Name), Role: nu.Role,
		AgentID: strings.TrimSpace(nu.AgentID), Team: strings.TrimSpace(nu.Team), Lang: nu.Lang,
		CreatedAt: s.now(),
	}
	if u.Lang == "" {
		u.Lang = Languages[0]
	}
	if !usernameRE.MatchString(u.Username) {
		return User{}, &FieldError{Field: "username", Reason: "2 to 64 of a-z, 0-9, '.', '_', '-'"}
	}
	if err := checkUser(u); err != nil {
		return User{}, err
	}
	hash, err := hashPassword(u.Username, nu.Password)
	if err != nil {
		return User{}, err
	}
	if _, err := s.st.UserByName(ctx, u.Username); err == nil {
		return User{}, &FieldError{Field: "username", Reason: fmt.Sprintf("%q is taken", u.Username)}
	} else if !errors.Is(err, ErrNotFound) {
		return User{}, err
	}
	id, err := s.st.InsertUser(ctx, Account{User: u, PasswordHash: hash})
	if err != nil {
		return User{}, err
	}
	u.ID = id
	s.log.Info("user created", "username", u.Username, "role", u.Role)
	return u, nil
}

// UpdateUser applies p to the account. Changing the role or the password,
// or disabling the account, ends its sessions. The last enabled admin
// cannot be demoted or disabled.
func (s *Service) UpdateUser(ctx context.Context, id int64, p UserPatch) (User, error) {
	a, err := s.st.UserByID(ctx, id)
	if err != nil {
		return User{}, err
	}
	was := a.User
	u := &a.User
	if p.Name != nil {
		u.Name = strings.TrimSpace(*p.Name)
	}
	if p.Role != nil {
		u.Role = *p.Role
	}
	if p.AgentID != nil {
		u.AgentID = strings.TrimSpace(*p.AgentID)
	}
	if p.Team != nil {
		u.Team = strings.TrimSpace(*p.Team)
	}
	if p.Lang != nil {
		u.Lang = *p.Lang
	}
	if p.Disabled != nil {
		u.Disabled = *p.Disabled
	}
	if err := checkUser(*u); err != nil {
		return User{}, err
	}
	if p.Password != nil {
		if a.PasswordHash, err = hashPassword(u.Username, *p.Password); err != nil {
			return User{}, err
		}
	}
	if was.Role == Admin && !was.Disabled && (u.Role != Admin || u.Disabled) {
		if err := s.keepAnAdmin(ctx, was.ID, p.Disabled != nil && *p.Disabled); err != nil {
			return User{}, err
		}
	}
	if err := s.st.UpdateUser(ctx, a); err != nil {
		return User{}, err
	}
	if u.Role != was.Role || p.Password != nil || u.Disabled && !was.Disabled {
		if err := s.st.DeleteUserSessions(ctx, id); err != nil {
			return User{}, fmt.Errorf("auth: end %s's sessions: %w", u.Username, err)
		}
	}
	s.log.Info("user changed", "username", u.Username, "role", u.Role, "disabled", u.Disabled, "password", p.Password != nil)
	return *u, nil
}

// SetLang is the language the user's pages speak.
func (s *Service) SetLang(ctx context.Context, userID int64, lang string) error {
	_, err := s.UpdateUser(ctx, userID, UserPatch{Lang: &lang})
	return err
}

// keepAnAdmin refuses to demote or disable the only enabled admin, which
// would leave nobody able to manage accounts (but the CLI).
func (s *Service) keepAnAdmin(ctx context.Context, id int64, disabling bool) error {
	users, err := s.st.ListUsers(ctx)
	if err != nil {
		return err
	}
	for _, o := range users {
		if o.ID != id && o.Role == Admin && !o.Disabled {
			return nil
		}
	}
	if disabling {
		return &FieldError{Field: "disabled", Reason: "this is the only enabled admin"}
	}
	return &FieldError{Field: "role", Reason: "this is the only enabled admin"}
}

// checkUser checks every field of u but the username and password.
func checkUser(u User) error {
	if err := checkName("name", u.Name); err != nil {
		return err
	}
	if _, err := ParseRole(string(u.Role)); err != nil {
		return err
	}
	if !slices.Contains(Languages, u.Lang) {
		return &FieldError{Field: "lang", Reason: fmt.Sprintf("%q is not one of %s", u.Lang, strings.Join(Languages, ", "))}
	}
	if u.AgentID != "" && !agentIDRE.MatchString(u.AgentID) {
		return &FieldError{Field: "agent_id", Reason: "1 to 64 of A-Z, a-z, 0-9, '.', '_', '@', '+', '-'"}
	}
	if u.Role == Agent && u.AgentID == "" {
		return &FieldError{Field: "agent_id", Reason: "an agent needs the agent id they take calls as"}
	}
	if u.Role == TeamLead && u.Team == "" {
		return &FieldError{Field: "team", Reason: "a team lead needs the team they lead"}
	}
	if u.Team != "" && !teamRE.MatchString(u.Team) {
		return &FieldError{Field: "team", Reason: "1 to 64 of a-z, 0-9, '_', '-'"}
	}
	return nil
}

// CheckPassword is why password may not be username's (nil: it may).
func CheckPassword(username, password string) error {
	switch {
	case utf8.RuneCountInString(password) < MinPassword:
		return &FieldError{Field: "password", Reason: fmt.Sprintf("at least %d characters", MinPassword)}
	case len(password) > maxPassword:
		return &FieldError{Field: "password", Reason: fmt.Sprintf("at most %d bytes", maxPassword)}
	case strings.EqualFold(strings.TrimSpace(password), username):
		return &FieldError{Field: "password", Reason: "must not be the username"}
	case !utf8.ValidString(password):
		return &FieldError{Field: "password", Reason: "not valid UTF-8"}
	case username != "" && len(username) >= 4 && strings.Contains(strings.ToLower(password), strings.ToLower(username)):
		return &FieldError{Field: "password", Reason: "must not contain the username"}
	}
	if why := weakReason(password); why != "" {
		return &FieldError{Field: "password", Reason: "too easy to guess: it " + why}
	}
	return nil
}

func hashPassword(username, password string) (string, error) {
	if err := CheckPassword(username, password); err != nil {
		return "", err
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), PasswordCost)
	if err != nil {
		return "", fmt.Errorf("auth: hash password: %w", err)
	}
	return string(h), nil
}

// checkName checks a display name or title: required, one line, short.
func checkName(field, v string) error {
	switch {
	case v == "":
		return &FieldError{Field: field, Reason: "required"}
	case utf8.RuneCountInString(v) > maxName:
		return &FieldError{Field: field, Reason: fmt.Sprintf("at most %d characters", maxName)}
	case !utf8.ValidString(v) || strings.ContainsFunc(v, unicode.IsControl):
		return &FieldError{Field: field, Reason: "no control characters"}
	}
	return nil
}
