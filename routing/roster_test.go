package routing

import (
	"errors"
	"strings"
	"testing"
)

// Two agents cannot sign in on the same phone: the second is refused,
// naming who holds it, and stays signed out; once the phone is free, it
// may sign in.
func TestSignInPhoneTaken(t *testing.T) {
	h := newDeskHarness(t)
	h.signIn("a1") // on PJSIP/1001
	n := len(h.recs)
	_, err := h.agentCmd("sign_in", "a3", "pjsip/1001")
	var pe *PolicyError
	if !errors.As(err, &pe) || pe.Code != CodeEndpointTaken || pe.Field != "endpoint" || !strings.Contains(pe.Message, "a1") || !strings.Contains(pe.Message, "PJSIP/1001") {
		t.Fatalf("second agent on PJSIP/1001: %v", err)
	}
	if h.agent("a3").State != SignedOut || h.agent("a3").Endpoint != "" {
		t.Fatalf("refused agent %+v", h.agent("a3"))
	}
	for _, r := range h.recs[n:] {
		if r.Type == EvAgentState {
			t.Fatalf("a refused sign-in wrote %s", r.Type)
		}
	}
	// The holder signing in again on their own phone is not a conflict.
	if _, err := h.agentCmd("sign_in", "a1", "PJSIP/1001"); err != nil {
		t.Fatalf("holder again: %v", err)
	}
	if _, err := h.agentCmd("sign_out", "a1", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := h.agentCmd("sign_in", "a3", "PJSIP/1001"); err != nil {
		t.Fatalf("phone free again: %v", err)
	}
}

// Whether a sign-in on a phone is refused as taken, by what the phone's
// holder is doing: every state but signed out holds the phone; the phone
// is matched without regard to case; the holder's own sign-in is not a
// conflict.
func TestSignInPhoneTakenTable(t *testing.T) {
	for _, tc := range []struct {
		name   string
		holder func(h *harness) // a1 on PJSIP/1001, then this
		who    string           // signs in on ep
		ep     string
		taken  bool
	}{
		{"holder ready", nil, "a3", "PJSIP/1001", true},
		{"holder ready, other case", nil, "a3", "pjsip/1001", true},
		{"holder not ready", func(h *harness) { h.agentCmd("not_ready", "a1", "break") }, "a3", "PJSIP/1001", true},
		{"holder on a call", func(h *harness) { h.talking() }, "a3", "PJSIP/1001", true},
		{"holder signed out", func(h *harness) { h.agentCmd("sign_out", "a1", "") }, "a3", "PJSIP/1001", false},
		{"another phone", nil, "a3", "PJSIP/1009", false},
		{"the holder again", nil, "a1", "PJSIP/1001", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newDeskHarness(t)
			h.signIn("a1")
			if tc.holder != nil {
				tc.holder(h)
			}
			_, err := h.agentCmd("sign_in", tc.who, tc.ep)
			var pe *PolicyError
			taken := errors.As(err, &pe) && pe.Code == CodeEndpointTaken
			if taken != tc.taken {
				t.Fatalf("%s on %s: %v, want taken %v", tc.who, tc.ep, err, tc.taken)
			}
			if taken && (pe.Field != "endpoint" || !strings.Contains(pe.Message, "agent a1") || h.agent(tc.who).State != SignedOut) {
				t.Fatalf("refusal %+v, %s %+v", pe, tc.who, h.agent(tc.who))
			}
			if !taken && err != nil {
				t.Fatalf("%s on %s: %v", tc.who, tc.ep, err)
			}
		})
	}
}

// A pending not-ready request can be withdrawn by the agent: recorded,
// gone, and a second withdrawal is refused.
func TestWithdrawPendingNotReady(t *testing.T) {
	h := newDeskHarness(t)
	h.m.cfg.Teams["t2"].MinReady, h.m.cfg.Teams["t2"].Approval = 1, ApprovalLead
	h.signIn("a3")
	if _, err := h.agentCmd("not_ready", "a3", "break"); err != nil || h.agent("a3").PendingNotReady != "break" {
		t.Fatalf("request: %v %+v", err, h.agent("a3"))
	}
	if _, err := h.agentCmd("withdraw", "a3", ""); err != nil {
		t.Fatal(err)
	}
	var d RequestData
	if !h.lastRecord(EvAgentRequest, &d) || d.Status != "withdrawn" || d.Reason != "break" {
		t.Fatalf("withdrawal record %+v", d)
	}
	if a := h.agent("a3"); a.PendingNotReady != "" || a.State != Ready {
		t.Fatalf("after the withdrawal %+v", a)
	}
	var pe *PolicyError
	if _, err := h.agentCmd("withdraw", "a3", ""); !errors.As(err, &pe) || pe.Code != "no_request" {
		t.Fatalf("second withdrawal: %v", err)
	}
	if _, err := h.agentCmd("approve", "a3", ""); err == nil {
		t.Fatal("a withdrawn request was approved")
	}
}
