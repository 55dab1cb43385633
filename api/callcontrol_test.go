package api

import (
	"context"
	"log/slog"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"switchboard/routing"
)

// fakeControls: call c1 is a1's, connected and not held; c-queued is not
// connected.
type fakeControls struct{ asked []string }

func (f *fakeControls) Do(ctx context.Context, op string, r routing.ControlRequest) (routing.ControlState, error) {
	switch {
	case r.Call == "c-queued":
		return routing.ControlState{}, &routing.CallStateError{Call: r.Call, Op: op, State: "not_connected"}
	case r.Call != "c1":
		return routing.ControlState{}, routing.ErrUnknownCall
	case r.Scope.Agent != "" && r.Scope.Agent != "a1":
		return routing.ControlState{}, routing.ErrNotYourCall
	case op == routing.ControlResume:
		return routing.ControlState{}, &routing.CallStateError{Call: r.Call, Op: op, State: "talking"}
	}
	f.asked = append(f.asked, op+" "+r.Call+" "+r.By)
	return routing.ControlState{CallID: r.Call, Held: op == routing.ControlHold}, nil
}

func TestCallControls(t *testing.T) {
	h := newHarness(t)
	fc := &fakeControls{}
	h.srv = New(Config{Accounts: fakeAccounts{}, Audit: h.store, CallControls: fc}, h.agents, h.store,
		slog.New(slog.DiscardHandler), prometheus.NewRegistry(), nil)
	h.h = h.srv.Handler()
	for _, tt := range []struct {
		name, token, path string
		code              int
		errCode           string
	}{
		{"agent holds own call", "role:agent:a1:front", "/api/v1/calls/c1/hold", 200, ""},
		{"supervisor mutes", "role:supervisor", "/api/v1/calls/c1/mute", 200, ""},
		{"another agent", "role:agent:a2:front", "/api/v1/calls/c1/hold", 403, CodeNotYourCall},
		{"resume while talking", "role:agent:a1:front", "/api/v1/calls/c1/resume", 409, CodeInvalidCallState},
		{"hold while not connected", "role:supervisor", "/api/v1/calls/c-queued/hold", 409, CodeInvalidCallState},
		{"unknown call", "role:supervisor", "/api/v1/calls/nope/hangup", 404, CodeNotFound},
		{"quality may not", "role:quality", "/api/v1/calls/c1/hold", 403, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h.token = tt.token
			r := h.do(t, "POST", tt.path, "")
			if r.Code != tt.code {
				t.Fatalf("%d %s, want %d", r.Code, r.Body, tt.code)
			}
			if tt.errCode != "" {
				if e := errorOf(t, r); e.Code != tt.errCode {
					t.Fatalf("code %s, want %s", e.Code, tt.errCode)
				}
			}
		})
	}
	if len(fc.asked) != 2 || fc.asked[0] != "hold c1 test-agent" {
		t.Fatalf("engine asked %v", fc.asked)
	}
}

func TestCallControlsNotConfigured(t *testing.T) {
	h := newHarness(t)
	if r := h.do(t, "POST", "/api/v1/calls/c1/hold", ""); r.Code != 501 {
		t.Fatalf("%d %s, want 501", r.Code, r.Body)
	}
}
