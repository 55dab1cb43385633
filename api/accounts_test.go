package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"switchboard/auth"
	"switchboard/store"
	"switchboard/store/storetest"
)

var _ Accounts = (*auth.Service)(nil)

// TestAccountsWithTheRealService drives sign-in and the account routes
// through auth.Service on a real store: the service's errors get their
// HTTP codes and fields.
func TestAccountsWithTheRealService(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	h, _ := realAccounts(t, auth.Config{LoginAttempts: 2, AddressAttempts: 2}, func() time.Time { return now })

	var cookie *http.Cookie
	csrf := ""
	do := func(method, path, body string) *httptest.ResponseRecorder {
		t.Helper()
		req := httptest.NewRequestWithContext(t.Context(), method, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.RemoteAddr = "192.0.2.1:4000"
		if cookie != nil {
			req.AddCookie(cookie)
		}
		if csrf != "" {
			req.Header.Set(CSRFHeader, csrf)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w
	}
	check := func(w *httptest.ResponseRecorder, status int, code, field string) {
		t.Helper()
		var b errorBody
		_ = json.Unmarshal(w.Body.Bytes(), &b)
		if w.Code != status || b.Error.Code != code || b.Error.Field != field {
			t.Errorf("got %d %s, want %d code %q field %q", w.Code, w.Body, status, code, field)
		}
	}

	check(do("POST", "/api/v1/auth/login", `{"username":"root","password":"wrong password"}`), 401, CodeBadCredentials, "")
	check(do("POST", "/api/v1/auth/login", `{"username":"nobody","password":"wrong password"}`), 401, CodeBadCredentials, "")
	w := do("POST", "/api/v1/auth/login", `{"username":"root","password":"grey heron at dawn 1"}`)
	check(w, 429, CodeRateLimited, "")
	if w.Header().Get("Retry-After") != "900" {
		t.Errorf("Retry-After %q, want 900", w.Header().Get("Retry-After"))
	}
	now = now.Add(16 * time.Minute)
	w = do("POST", "/api/v1/auth/login", `{"username":"root","password":"grey heron at dawn 1"}`)
	if w.Code != 200 {
		t.Fatalf("sign in: %d %s", w.Code, w.Body)
	}
	cookie = w.Result().Cookies()[0]
	var me struct{ CSRF string }
	if err := json.Unmarshal(w.Body.Bytes(), &me); err != nil || me.CSRF == "" {
		t.Fatalf("sign-in body %s", w.Body)
	}
	check(do("POST", "/api/v1/users", `{}`), 403, CodeCSRF, CSRFHeader)
	csrf = me.CSRF
	check(do("POST", "/api/v1/users", `{"username":"ann","name":"Ann","role":"agent","agent_id":"a1","password":"short"}`), 400, CodeBadRequest, "password")
	check(do("POST", "/api/v1/users", `{"username":"root","name":"R","role":"admin","password":"long enough pw"}`), 400, CodeBadRequest, "username")
	// The refused creation is audited as a refusal, with why, and nothing
	// says it succeeded.
	var audit struct{ Entries []store.AuditEntry }
	if w := do("GET", "/api/v1/audit?action=user.create&target=root", ""); w.Code != 200 || json.Unmarshal(w.Body.Bytes(), &audit) != nil {
		t.Fatalf("audit: %d %s", w.Code, w.Body)
	}
	if es := audit.Entries; len(es) != 1 || es[0].OK || !strings.Contains(string(es[0].Detail), `"error":"\"root\" is taken"`) {
		t.Errorf("audit of the refused creation (newest first): %+v", es)
	}
	check(do("GET", "/api/v1/users/99", ""), 404, CodeNotFound, "")
	check(do("DELETE", "/api/v1/tokens/99", ""), 404, CodeNotFound, "")
	// An admin never sees callers' numbers, so cannot mint a token that does.
	check(do("POST", "/api/v1/tokens", `{"name":"crm","role":"supervisor"}`), 403, CodeForbidden, "role")
	check(do("POST", "/api/v1/tokens", `{"name":"crm","role":"quality","valid_days":0}`), 400, CodeBadRequest, "valid_days")
	check(do("POST", "/api/v1/tokens", `{"name":"crm","role":"quality","valid_days":367}`), 400, CodeBadRequest, "valid_days")
	w = do("POST", "/api/v1/tokens", `{"name":"crm","role":"quality","valid_days":2}`)
	var tok struct {
		Token     string    `json:"token"`
		ExpiresAt time.Time `json:"expires_at"`
	}
	if w.Code != 201 || json.Unmarshal(w.Body.Bytes(), &tok) != nil || !tok.ExpiresAt.Equal(now.Add(48*time.Hour)) {
		t.Fatalf("create token: %d %s; want 201 expiring in 2 days", w.Code, w.Body)
	}
	audit.Entries = nil
	if w := do("GET", "/api/v1/audit?action=token.create", ""); w.Code != 200 || json.Unmarshal(w.Body.Bytes(), &audit) != nil {
		t.Fatalf("audit: %d %s", w.Code, w.Body)
	}
	if es := audit.Entries; len(es) != 1 || !es[0].OK || es[0].Target != "crm" {
		t.Errorf("token.create audit = %+v, want the one made", es)
	}
	audit.Entries = nil
	if w := do("GET", "/api/v1/audit?action=access.denied", ""); w.Code != 200 || json.Unmarshal(w.Body.Bytes(), &audit) != nil {
		t.Fatalf("audit: %d %s", w.Code, w.Body)
	}
	// Newest first: the refused supervisor token, then the missing CSRF
	// header at the start.
	if es := audit.Entries; len(es) != 2 || es[0].OK || es[0].Target != "POST /api/v1/tokens" || !strings.Contains(string(es[0].Detail), "sees callers' numbers") ||
		es[1].Target != "POST /api/v1/users" || !strings.Contains(string(es[1].Detail), "csrf") {
		t.Errorf("access.denied audit = %+v, want the refused supervisor token and the missing CSRF header", es)
	}
	bearer := func(at time.Time) int {
		t.Helper()
		req := httptest.NewRequestWithContext(t.Context(), "GET", "/api/v1/auth/me", nil)
		req.Header.Set("Authorization", "Bearer "+tok.Token)
		req.RemoteAddr = "192.0.2.1:4000"
		w := httptest.NewRecorder()
		saved := now
		now = at
		h.ServeHTTP(w, req)
		now = saved
		return w.Code
	}
	if code := bearer(now.Add(47 * time.Hour)); code != 200 {
		t.Errorf("token before its expiry: %d, want 200", code)
	}
	if code := bearer(now.Add(48 * time.Hour)); code != 401 {
		t.Errorf("token at its expiry: %d, want 401", code)
	}
	check(do("PATCH", "/api/v1/users/1", `{"role":"agent","agent_id":"a1"}`), 400, CodeBadRequest, "role") // the only admin
	if w := do("GET", "/api/v1/auth/me", ""); w.Code != 200 {
		t.Errorf("me: %d %s", w.Code, w.Body)
	}
	now = now.Add(auth.DefaultSessionIdle)
	check(do("GET", "/api/v1/auth/me", ""), 401, CodeUnauthorized, "")
}

// realAccounts is the API over auth.Service on a real store (bcrypt at its
// cheapest), with one admin, root, whose password is "grey heron at dawn 1".
func realAccounts(t *testing.T, cfg auth.Config, now func() time.Time) (http.Handler, *store.Store) {
	t.Helper()
	cost := auth.PasswordCost
	auth.PasswordCost = bcrypt.MinCost
	t.Cleanup(func() { auth.PasswordCost = cost })
	st := storetest.New(t)
	svc := auth.New(cfg, st, now, nil)
	if _, err := svc.CreateUser(t.Context(), auth.NewUser{Username: "root", Name: "Root", Role: auth.Admin, Password: "grey heron at dawn 1"}); err != nil {
		t.Fatal(err)
	}
	return New(Config{Accounts: svc, Audit: st}, newFakeAgents(), st, nil, nil, nil).Handler(), st
}
