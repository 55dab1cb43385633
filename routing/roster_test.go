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
	h.m.cfg.SharedPhones = append(h.m.cfg.SharedPhones, "PJSIP/1001") // a1's, shared: a3 may use it when free
	h.signIn("a1")                                                    // on PJSIP/1001
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

// Only declared phones are rung: an agent signs in on their own phone or
// a shared one (shared_phones:), never on another agent's, a trunk, a Local
// channel into some context or a remote host; a supervisor listens only
// from a declared phone. Refusals write nothing.
func TestSignInOnlyDeclaredPhones(t *testing.T) {
	for _, tt := range []struct {
		agent, endpoint string
		ok              bool
		why             string
	}{
		{"a1", "PJSIP/1001", true, ""},
		{"a1", "pjsip/1001", true, ""},
		{"a1", "PJSIP/9999", true, ""}, // shared hot desk
		{"a1", "PJSIP/1002", false, "agent a2's own phone"},
		{"a1", "Local/900@from-internal", false, "not a declared phone"},
		{"a1", "PJSIP/+19005550100@carrier", false, "not a declared phone"},
		{"a1", "IAX2/evil.example/100", false, "not a declared phone"},
		{"a1", "PJSIP/1001@other", false, "not a declared phone"},
		{"a1", "[origination_caller_id_number=1]user/1001", false, "not a declared phone"},
		{"a1", "PJSIP/1001&PJSIP/1002", false, "not a declared phone"},
	} {
		t.Run(tt.endpoint, func(t *testing.T) {
			h := newHarness(t)
			n := len(h.recs)
			_, err := h.agentCmd("sign_in", tt.agent, tt.endpoint)
			if tt.ok {
				if err != nil || h.agent(tt.agent).State != Ready {
					t.Fatalf("sign in on %s: %v", tt.endpoint, err)
				}
				return
			}
			var pe *PolicyError
			if !errors.As(err, &pe) || pe.Code != CodeEndpointNotDeclared || pe.Field != "endpoint" || !strings.Contains(pe.Message, tt.why) {
				t.Fatalf("sign in on %s: %v, want %s refused (%s)", tt.endpoint, err, CodeEndpointNotDeclared, tt.why)
			}
			if h.agent(tt.agent).State != SignedOut {
				t.Fatalf("refused sign-in left %+v", h.agent(tt.agent))
			}
			for _, r := range h.recs[n:] {
				if r.Type == EvAgentState || r.Type == EvAgentLogin {
					t.Fatalf("a refused sign-in wrote %s", r.Type)
				}
			}
		})
	}
}

func TestPhonesConfigErrors(t *testing.T) {
	cfg := testConfig()
	cfg.SharedPhones = []string{"PJSIP/1010", "pjsip/1010", "1011"}
	err := cfg.Validate()
	for _, want := range []string{"shared_phones[1]: \"pjsip/1010\" is listed twice", "shared_phones[2]: \"1011\": must be TECH/resource"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not say %s", err, want)
		}
	}
}
