package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"switchboard/store"
)

// TestStandbyAnswers: a node without the lease tells every client who owns
// the partition and when to retry; browsers go on to the owner.
func TestStandbyAnswers(t *testing.T) {
	own := &ownership{node: "sb-b", part: "pbx1", ttl: 9 * time.Second, metrics: newLeaseMetrics("pbx1")}
	sb := &standby{own: own}
	sb.set(store.Holder{Owner: "sb-a", OwnerURL: "http://10.0.0.5:8080/", Epoch: 4, ExpiresIn: 7200 * time.Millisecond}, nil)
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
			body.Error.Owner != "sb-a" || body.Error.OwnerURL != "http://10.0.0.5:8080/" || !strings.Contains(body.Error.Message, "owned by node sb-a") {
			t.Errorf("%s %s: %d Retry-After %q %+v", tt.method, tt.path, rec.Code, rec.Header().Get("Retry-After"), body.Error)
		}
	}
	if rec := do("GET", "/ui/desk?x=1"); rec.Code != http.StatusTemporaryRedirect || rec.Header().Get("Location") != "http://10.0.0.5:8080/ui/desk?x=1" {
		t.Errorf("a browser on the standby: %d to %q", rec.Code, rec.Header().Get("Location"))
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
