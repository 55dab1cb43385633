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
