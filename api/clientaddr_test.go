package api

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"switchboard/auth"
	"switchboard/store"
	"switchboard/store/storetest"
)

func TestClientAddr(t *testing.T) {
	proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.0.2.7/32")}
	tests := []struct {
		name, peer string
		xff        []string
		realIP     string
		want       string
	}{
		{"no proxy: headers ignored", "198.51.100.4:5000", []string{"203.0.113.9"}, "203.0.113.8", "198.51.100.4"},
		{"no proxy: huge header ignored", "198.51.100.4:5000", []string{strings.Repeat("9", 10000)}, "", "198.51.100.4"},
		{"trusted proxy: client is the rightmost untrusted hop", "10.1.2.3:5000", []string{"203.0.113.1, 203.0.113.9, 10.9.9.9"}, "", "203.0.113.9"},
		{"trusted proxy: several header lines", "192.0.2.7:5000", []string{"203.0.113.1", "203.0.113.2"}, "", "203.0.113.2"},
		{"trusted proxy: garbage hop stops the walk", "10.1.2.3:5000", []string{"203.0.113.1, <script>, 10.9.9.9"}, "", "10.9.9.9"},
		{"trusted proxy: only X-Real-IP", "10.1.2.3:5000", nil, " 203.0.113.5 ", "203.0.113.5"},
		{"trusted proxy: X-Real-IP garbage", "10.1.2.3:5000", nil, "not-an-ip", "10.1.2.3"},
		{"trusted proxy: every hop trusted", "10.1.2.3:5000", []string{"10.4.4.4"}, "", "10.4.4.4"},
		{"mapped v4 peer", "[::ffff:198.51.100.4]:5000", nil, "", "198.51.100.4"},
		{"v6 client behind proxy", "10.1.2.3:5000", []string{"2001:db8::1"}, "", "2001:db8::1"},
	}
	get := clientAddr(proxies)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.RemoteAddr = tt.peer
			for _, v := range tt.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if tt.realIP != "" {
				r.Header.Set("X-Real-IP", tt.realIP)
			}
			if got := get(r); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestForwardedHeadersDoNotSpoofTheLimiter is the review's attack: failed
// sign-ins each "from" another forged address, then the right password
// from yet another. Without a trusted proxy the limiter and the audit log
// see the peer, so the address is locked and the audit holds no forged
// text.
func TestForwardedHeadersDoNotSpoofTheLimiter(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	h, st := realAccounts(t, auth.Config{LoginAttempts: 100, AddressAttempts: 3}, func() time.Time { return now })
	login := func(password, forged string) int {
		req := httptest.NewRequestWithContext(t.Context(), "POST", "/api/v1/auth/login",
			strings.NewReader(`{"username":"root","password":"`+password+`"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Forwarded-For", forged)
		req.Header.Set("X-Real-IP", forged)
		req.RemoteAddr = "198.51.100.4:4000"
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w.Code
	}
	for i := range 3 {
		if code := login("wrong password", "203.0.113."+string(rune('1'+i))+strings.Repeat(" ", 2000)); code != 401 {
			t.Fatalf("failure %d: %d", i, code)
		}
	}
	if code := login("grey heron at dawn 1", "203.0.113.200"); code != 429 {
		t.Errorf("right password from a forged address after the address limit: %d, want 429", code)
	}
	entries, err := st.Audit(t.Context(), store.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) == 0 {
		t.Fatal("no audit entries for the sign-ins")
	}
	for _, e := range entries {
		if e.Addr != "198.51.100.4" {
			t.Errorf("audit %s has address %q, want the peer's", e.Action, e.Addr)
		}
	}
}

// TestOversizedHeadersRefused: the server refuses a request whose headers
// pass the cap before any handler (or the limiter) sees them.
func TestOversizedHeadersRefused(t *testing.T) {
	srv := New(Config{}, newFakeAgents(), storetest.New(t), nil, nil, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() { cancel(); <-served })
	url := "http://" + ln.Addr().String()
	req, _ := http.NewRequestWithContext(t.Context(), "GET", url+"/healthz", nil)
	req.Header.Set("X-Forwarded-For", strings.Repeat("1", 900<<10))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("900 KB header: %d, want 431", resp.StatusCode)
	}
}

// TestSignInTakesOnlyJSON: a cross-site form can post text/plain without
// a preflight (login CSRF); sign-in refuses it before looking at the body.
func TestSignInTakesOnlyJSON(t *testing.T) {
	h := newHarness(t)
	for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", ""} {
		req := httptest.NewRequestWithContext(t.Context(), "POST", "/api/v1/auth/login",
			strings.NewReader(`{"username":"root","password":"grey heron at dawn 1"}`))
		if ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		w := httptest.NewRecorder()
		h.h.ServeHTTP(w, req)
		if w.Code != http.StatusUnsupportedMediaType || !strings.Contains(w.Body.String(), `"field":"Content-Type"`) {
			t.Errorf("sign-in as %q: %d %s, want 415 naming Content-Type", ct, w.Code, w.Body)
		}
	}
}

// TestAPIAnswersAreNotCached: answers carry numbers and notes; no cache
// may keep them, errors included.
func TestAPIAnswersAreNotCached(t *testing.T) {
	h := newHarness(t)
	for _, path := range []string{"/api/v1/calls", "/api/v1/calls/nope", "/api/v1/openapi.json"} {
		if res := h.do(t, "GET", path, ""); res.Hdr.Get("Cache-Control") != "no-store" {
			t.Errorf("GET %s: Cache-Control %q, want no-store", path, res.Hdr.Get("Cache-Control"))
		}
	}
}

// TestHSTSBehindTLS: with secure_cookie (Switchboard behind a TLS proxy)
// every answer tells the browser to use HTTPS only; without it (plain HTTP
// on one machine) none does, or the browser would lock itself out.
func TestHSTSBehindTLS(t *testing.T) {
	for _, secure := range []bool{false, true} {
		srv := New(Config{Accounts: fakeAccounts{}, Audit: storetest.New(t), SecureCookie: secure}, newFakeAgents(), storetest.New(t),
			slog.New(slog.DiscardHandler), prometheus.NewRegistry(), nil)
		w := httptest.NewRecorder()
		srv.Handler().ServeHTTP(w, httptest.NewRequestWithContext(t.Context(), "GET", "/ui/login", nil))
		got := w.Header().Get("Strict-Transport-Security")
		if secure != (got == "max-age=31536000") {
			t.Errorf("secure_cookie %v: Strict-Transport-Security %q", secure, got)
		}
	}
}
