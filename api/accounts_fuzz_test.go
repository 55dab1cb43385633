package api

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"switchboard/auth"
	"switchboard/store/storetest"
)

// FuzzAccountBodies throws arbitrary bodies at sign-in and the account
// routes: never a 5xx, every error a JSON error body.
func FuzzAccountBodies(f *testing.F) {
	for _, seed := range []string{
		`{"username":"root","password":"grey heron at dawn 1"}`,
		`{"username":"a","password":""}`, `{"username":1}`, `{"username":"x","password":"y","z":1}`,
		`{"username":"ann","name":"<b>Ann</b>","role":"agent","agent_id":"1001","team":"front","password":"0123456789"}`,
		`{"username":"ann","name":"Ann","role":"agent","agent_id":"a1","team":"front","password":"grey heron at dusk 2"}`,
		`{"role":"team_lead","team":"front"}`, `{"agent_id":"a2"}`,
		`{"username":"ANN","name":"","role":"root","password":"short"}`, `{"name":"x","role":"admin"}`,
		`{"role":"team_lead","team":"../x"}`, `{"disabled":true}`, `{"lang":"fr"}`,
		`[]`, `null`, `{`, ``, "\x00", `{"password":{"a":[1]}}`, strings.Repeat(`{"a":`, 50),
	} {
		f.Add(seed)
	}
	cost := auth.PasswordCost
	auth.PasswordCost = bcrypt.MinCost
	f.Cleanup(func() { auth.PasswordCost = cost })
	st := storetest.New(f)
	svc := auth.New(auth.Config{LoginAttempts: 1 << 30}, st, time.Now, nil)
	if _, err := svc.CreateUser(f.Context(), auth.NewUser{Username: "root", Name: "Root", Role: auth.Admin, Password: "grey heron at dawn 1"}); err != nil {
		f.Fatal(err)
	}
	tok, _, err := svc.CreateToken(f.Context(), auth.TokenSpec{Name: "fuzz", Role: auth.Admin, CreatedBy: "test"})
	if err != nil {
		f.Fatal(err)
	}
	h := New(Config{Accounts: svc, Audit: st}, newFakeAgents(), st, nil, nil, nil).Handler()
	f.Fuzz(func(t *testing.T, body string) {
		for _, rt := range [][2]string{
			{"POST", "/api/v1/auth/login"}, {"POST", "/api/v1/users"}, {"PATCH", "/api/v1/users/1"},
			{"POST", "/api/v1/tokens"},
		} {
			req := httptest.NewRequestWithContext(t.Context(), rt[0], rt[1], strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			if rt[1] != "/api/v1/auth/login" {
				req.Header.Set("Authorization", "Bearer "+tok)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code >= 500 {
				t.Fatalf("%s %s %q: %d %s", rt[0], rt[1], body, w.Code, w.Body)
			}
			if w.Code >= 400 && !strings.Contains(w.Body.String(), `"error"`) {
				t.Fatalf("%s %s %q: %d without an error body: %s", rt[0], rt[1], body, w.Code, w.Body)
			}
		}
	})
}
