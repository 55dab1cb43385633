package routing

import (
	"encoding/json"
	"testing"
	"time"
)

// A sign-out forced by someone else carries who and why on the
// agent.state record and the agent's view until the next sign-in; it is
// restored from the log; the agent's own sign-out carries neither.
func TestForcedSignOutWhoAndWhy(t *testing.T) {
	h := newACD(t, &Queue{}, &Queue{}, AgentConfig{ID: "a1", Queues: member("q")})
	h.signIn("a1")
	n := len(h.recs)
	out := h.in(agentCommand{Op: "sign_out", Agent: "a1", By: "lead1", Reason: "shift over"})
	if out.Err != nil {
		t.Fatal(out.Err)
	}
	var st AgentStateData
	for _, r := range h.recs[n:] {
		if r.Type == EvAgentState {
			if err := json.Unmarshal(r.Data, &st); err != nil {
				t.Fatal(err)
			}
		}
	}
	if st.To != "signed_out" || st.By != "lead1" || st.Note != "shift over" {
		t.Fatalf("record %+v", st)
	}
	if v := h.agent("a1"); v.SignedOutBy != "lead1" || v.SignOutNote != "shift over" {
		t.Fatalf("view %+v", v)
	}
	h.signIn("a1")
	if v := h.agent("a1"); v.SignedOutBy != "" || v.SignOutNote != "" {
		t.Fatalf("after sign-in %+v", v)
	}
	// Their own sign-out: no one and no reason, whatever the command says.
	h.in(agentCommand{Op: "sign_out", Agent: "a1", Reason: "stray"})
	if v := h.agent("a1"); v.SignedOutBy != "" || v.SignOutNote != "" {
		t.Fatalf("own sign-out %+v", v)
	}
	// After a restart the log's record says it again.
	h.m.RestoreAgent(h.now, "a1", AgentStateData{From: "ready", To: "signed_out", By: "sup", Note: "audit"}, h.now.Add(-time.Minute))
	if v := h.agent("a1"); v.SignedOutBy != "sup" || v.SignOutNote != "audit" {
		t.Fatalf("restored %+v", v)
	}
}
