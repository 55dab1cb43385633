package main

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"switchboard/store"
)

// TestStandbyAnswers: a node without the lease that cannot reach the owner
// tells every client who owns the partition and when to retry.
func TestStandbyAnswers(t *testing.T) {
	own := &ownership{node: "sb-b", part: "pbx1", ttl: 9 * time.Second, metrics: newLeaseMetrics("pbx1")}
	sb := &standby{own: own, log: slog.New(slog.DiscardHandler)}
	sb.set(store.Holder{Owner: "sb-a", OwnerURL: "http://127.0.0.1:1/", Epoch: 4, ExpiresIn: 7200 * time.Millisecond}, nil)
	h := sb.handler()
	do := func(method, path string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
		return rec
	}

	for _, tt := range []struct{ method, path string }{{"GET", "/api/v1/calls"}, {"POST", "/api/v1/agents/1001/state"}, {"POST", "/ui/desk"}} {
		rec := do(tt.method, tt.path)
		var body struct {
			Error struct {
				Code, Message, Owner string
				OwnerURL             string `json:"owner_url"`
			}
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Fatalf("%s %s: %v: %s", tt.method, tt.path, err, rec.Body)
		}
		if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") != "8" || body.Error.Code != "standby" ||
			body.Error.Owner != "sb-a" || body.Error.OwnerURL != "http://127.0.0.1:1/" || !strings.Contains(body.Error.Message, "owned by node sb-a") {
			t.Errorf("%s %s: %d Retry-After %q %+v", tt.method, tt.path, rec.Code, rec.Header().Get("Retry-After"), body.Error)
		}
	}
	rec := do("GET", "/healthz")
	var hz struct {
		Status  string
		Cluster map[string]any
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &hz); err != nil || rec.Code != 503 || hz.Status != "standby" ||
		hz.Cluster["owner"] != "sb-a" || hz.Cluster["role"] != "standby" || hz.Cluster["partition"] != "pbx1" {
		t.Errorf("healthz: %d %s (%v)", rec.Code, rec.Body, err)
	}
	if rec := do("GET", "/metrics"); rec.Code != 200 || !strings.Contains(rec.Body.String(), `switchboard_cluster_partition_owned{partition="pbx1"} 0`) {
		t.Errorf("metrics: %d %s", rec.Code, rec.Body)
	}

	// A partition moving (lapsed, nobody took it yet): a poll's wait.
	sb.set(store.Holder{}, nil)
	if rec := do("GET", "/api/v1/calls"); rec.Header().Get("Retry-After") != "3" || !strings.Contains(rec.Body.String(), "is moving") {
		t.Errorf("moving: Retry-After %q %s", rec.Header().Get("Retry-After"), rec.Body)
	}
}

// TestStandbyForwards: with the owner's URL known, a standby passes the
// API and the pages on to it, saying who the client was.
func TestStandbyForwards(t *testing.T) {
	owner := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Seen", r.Method+" "+r.URL.RequestURI()+" via "+r.Header.Get("X-Switchboard-Via")+" for "+r.Header.Get("X-Forwarded-For")+" auth "+r.Header.Get("Authorization"))
		w.WriteHeader(http.StatusTeapot)
	}))
	own := &ownership{node: "sb-b", part: "pbx1", ttl: 9 * time.Second, metrics: newLeaseMetrics("pbx1")}
	sb := &standby{own: own, log: slog.New(slog.DiscardHandler)}
	sb.set(store.Holder{Owner: "sb-a", OwnerURL: owner.URL, Epoch: 2, ExpiresIn: 8 * time.Second}, nil)
	h := sb.handler()
	req := httptest.NewRequest("POST", "/api/v1/agents/1001/state?x=1", strings.NewReader(`{"state":"ready"}`))
	req.RemoteAddr = "192.0.2.7:4711"
	req.Header.Set("Authorization", "Bearer t")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if want := "POST /api/v1/agents/1001/state?x=1 via sb-b for 192.0.2.7 auth Bearer t"; rec.Code != http.StatusTeapot || rec.Header().Get("X-Seen") != want {
		t.Errorf("forwarded: %d %q, want 418 %q", rec.Code, rec.Header().Get("X-Seen"), want)
	}
	// /healthz and /metrics are the standby's own.
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("healthz forwarded: %d", rec.Code)
	}
	owner.Close() // the owner died: until the lease moves, the standby's 503
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/calls", nil))
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), `"code":"standby"`) {
		t.Errorf("owner gone: %d %s", rec.Code, rec.Body)
	}
}
