package store

import (
	"errors"
	"testing"

	"switchboard/auth"
)

func TestUsers(t *testing.T) { eachBackend(t, testUsers) }

func testUsers(t *testing.T) {
	s, _ := openTest(t)
	ctx := t.Context()
	ann := auth.Account{User: auth.User{Username: "ann", Name: "Ann", Role: auth.Agent, AgentID: "1001",
		Team: "front", Lang: "zh", CreatedAt: t0}, PasswordHash: "$2a$hash"}
	id, err := s.InsertUser(ctx, ann)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.UserByName(ctx, "ann")
	if err != nil {
		t.Fatal(err)
	}
	ann.ID = id
	if got.User != ann.User || got.PasswordHash != ann.PasswordHash {
		t.Errorf("UserByName = %+v, want %+v", got, ann)
	}

	for _, tc := range []struct {
		name  string
		a     auth.Account
		field string
	}{
		{"same username", auth.Account{User: auth.User{Username: "ann", Name: "Other", Role: auth.Admin, Lang: "en", CreatedAt: t0}}, "username"},
		{"same agent", auth.Account{User: auth.User{Username: "bob", Name: "Bob", Role: auth.Agent, AgentID: "1001", Lang: "en", CreatedAt: t0}}, "agent_id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.InsertUser(ctx, tc.a)
			var fe *auth.FieldError
			if !errors.As(err, &fe) || fe.Field != tc.field {
				t.Fatalf("InsertUser = %v, want a FieldError on %s", err, tc.field)
			}
		})
	}
	// Accounts with no agent id do not collide.
	for _, u := range []string{"boss", "carol"} {
		if _, err := s.InsertUser(ctx, auth.Account{User: auth.User{Username: u, Name: u, Role: auth.Supervisor, Lang: "en", CreatedAt: t0}}); err != nil {
			t.Fatal(err)
		}
	}

	ann.Role, ann.Disabled, ann.Lang, ann.PasswordHash = auth.TeamLead, true, "en", "$2a$other"
	if err := s.UpdateUser(ctx, ann); err != nil {
		t.Fatal(err)
	}
	got, err = s.UserByID(ctx, id)
	if err != nil || got.User != ann.User || got.PasswordHash != "$2a$other" {
		t.Errorf("after update = %+v, %v; want %+v", got, err, ann)
	}
	users, err := s.ListUsers(ctx)
	if err != nil || len(users) != 3 || users[0].Username != "ann" || users[2].Username != "carol" {
		t.Errorf("ListUsers = %+v, %v", users, err)
	}

	for name, err := range map[string]error{
		"by id":   func() error { _, err := s.UserByID(ctx, 999); return err }(),
		"by name": func() error { _, err := s.UserByName(ctx, "nobody"); return err }(),
		"update":  s.UpdateUser(ctx, auth.Account{User: auth.User{ID: 999}}),
	} {
		if !errors.Is(err, auth.ErrNotFound) {
			t.Errorf("%s: %v, want auth.ErrNotFound", name, err)
		}
	}
}

func TestSessions(t *testing.T) { eachBackend(t, testSessions) }

func testSessions(t *testing.T) {
	s, _ := openTest(t)
	ctx := t.Context()
	uid, err := s.InsertUser(ctx, auth.Account{User: auth.User{Username: "ann", Name: "Ann", Role: auth.Admin, Lang: "zh", CreatedAt: t0}})
	if err != nil {
		t.Fatal(err)
	}
	mk := func(h string, created, seen float64) auth.SessionRecord {
		return auth.SessionRecord{Hash: []byte(h), UserID: uid, CSRF: "csrf-" + h, Addr: "10.0.0.1", CreatedAt: at(created), LastSeen: at(seen)}
	}
	for _, r := range []auth.SessionRecord{mk("a", 0, 0), mk("b", 0, 100), mk("c", 50, 50)} {
		if err := s.InsertSession(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.TouchSession(ctx, []byte("a"), at(60)); err != nil {
		t.Fatal(err)
	}
	got, err := s.SessionByHash(ctx, []byte("a"))
	want := mk("a", 0, 60)
	if err != nil || string(got.Hash) != "a" || got.CSRF != want.CSRF || !got.LastSeen.Equal(want.LastSeen) || !got.CreatedAt.Equal(at(0)) || got.UserID != uid {
		t.Errorf("SessionByHash = %+v, %v; want %+v", got, err, want)
	}
	// Idle before 55 drops c (seen 50); a was touched at 60.
	if err := s.PruneSessions(ctx, at(55), at(-1)); err != nil {
		t.Fatal(err)
	}
	left := func() (n []string) {
		for _, h := range []string{"a", "b", "c"} {
			if _, err := s.SessionByHash(ctx, []byte(h)); err == nil {
				n = append(n, h)
			} else if !errors.Is(err, auth.ErrNotFound) {
				t.Fatal(err)
			}
		}
		return n
	}
	if l := left(); len(l) != 2 || l[0] != "a" || l[1] != "b" {
		t.Errorf("after idle prune: %v, want [a b]", l)
	}
	// Created before 10 drops a and b, however recently seen.
	if err := s.PruneSessions(ctx, at(0), at(10)); err != nil {
		t.Fatal(err)
	}
	if l := left(); len(l) != 0 {
		t.Errorf("after absolute prune: %v, want none", l)
	}
	if err := s.InsertSession(ctx, mk("a", 0, 0)); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteSession(ctx, []byte("a")); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteSession(ctx, []byte("gone")); err != nil {
		t.Errorf("deleting an unknown session: %v", err)
	}
	if err := s.InsertSession(ctx, mk("d", 0, 0)); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteUserSessions(ctx, uid); err != nil {
		t.Fatal(err)
	}
	if l := left(); len(l) != 0 {
		t.Errorf("after DeleteUserSessions: %v", l)
	}
}

func TestTokensAndTeams(t *testing.T) { eachBackend(t, testTokensAndTeams) }

func testTokensAndTeams(t *testing.T) {
	s, _ := openTest(t)
	ctx := t.Context()
	rec := auth.TokenRecord{Token: auth.Token{Name: "crm", Role: auth.Supervisor, CreatedBy: "ann", CreatedAt: t0}, Hash: []byte("h1")}
	id, err := s.InsertToken(ctx, rec)
	if err != nil {
		t.Fatal(err)
	}
	rec.Hash = []byte("h2")
	var fe *auth.FieldError
	if _, err := s.InsertToken(ctx, rec); !errors.As(err, &fe) || fe.Field != "name" {
		t.Errorf("a second live token named crm: %v, want a FieldError on name", err)
	}
	if err := s.TouchToken(ctx, id, at(5)); err != nil {
		t.Fatal(err)
	}
	tok, err := s.TokenByHash(ctx, []byte("h1"))
	if err != nil || tok.ID != id || tok.Name != "crm" || tok.Role != auth.Supervisor || tok.LastUsed == nil || !tok.LastUsed.Equal(at(5)) || tok.RevokedAt != nil {
		t.Errorf("TokenByHash = %+v, %v", tok, err)
	}
	for _, when := range []float64{10, 20} { // the second revoke keeps the first time
		if err := s.RevokeToken(ctx, id, at(when)); err != nil {
			t.Fatal(err)
		}
	}
	if tok, _ = s.TokenByHash(ctx, []byte("h1")); tok.RevokedAt == nil || !tok.RevokedAt.Equal(at(10)) {
		t.Errorf("revoked at %v, want %v", tok.RevokedAt, at(10))
	}
	// Its name is free again once revoked.
	if _, err := s.InsertToken(ctx, rec); err != nil {
		t.Errorf("a new crm after revoking the old: %v", err)
	}
	if toks, err := s.ListTokens(ctx); err != nil || len(toks) != 2 || toks[0].ID <= toks[1].ID {
		t.Errorf("ListTokens = %+v, %v; want 2, newest first", toks, err)
	}
	if err := s.RevokeToken(ctx, 999, t0); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("revoking an unknown token: %v", err)
	}
	if _, err := s.TokenByHash(ctx, []byte("nope")); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("unknown token: %v", err)
	}
}
