package esl

import (
	"testing"
	"time"

	"switchboard/routing/pbx"
)

func trunkEvent(h map[string]string) *Event {
	hdr := Header{"Event-Date-Timestamp": "1796236007000000"}
	for k, v := range h {
		hdr[k] = v
	}
	return &Event{Header: hdr}
}

// A gateway's OPTIONS ping going DOWN and UP (sofia::gateway_state, as
// mod_sofia fires it for a register=false gateway) is the trunk's
// reachability; INVALID (ping off) says nothing.
func TestGatewayStateIsPeerState(t *testing.T) {
	dec := newDecoder("fs", &fakeRegistry{legs: map[string]bool{}, jobs: map[string]string{}, playbacks: map[string]string{}})
	for _, tc := range []struct {
		ping, state string
		want        *pbx.PeerState
	}{
		{"DOWN", "NOREG", &pbx.PeerState{Peer: "carrier-a", Trunk: true, Reachable: false, Detail: "DOWN NOREG"}},
		{"UP", "NOREG", &pbx.PeerState{Peer: "carrier-a", Trunk: true, Reachable: true, Detail: "UP NOREG"}},
		{"INVALID", "NOREG", nil},
	} {
		ev := trunkEvent(map[string]string{"Event-Name": "CUSTOM", "Event-Subclass": "sofia::gateway_state",
			"Gateway": "carrier-a", "State": tc.state, "Ping-Status": tc.ping})
		got := dec.decode(ev, fromInbound, time.Time{})
		if tc.want == nil {
			if got != nil {
				t.Errorf("%s: got %+v, want nothing", tc.ping, got)
			}
			continue
		}
		ps, ok := got.(pbx.PeerState)
		ps.Base = pbx.Base{}
		if !ok || ps != *tc.want {
			t.Errorf("%s: got %+v, want %+v", tc.ping, got, *tc.want)
		}
	}
}

// The far end's final response (variable_sip_term_status) reaches the
// engine as SIPCode beside the Q.850 cause.
func TestHangupCarriesSIPTermStatus(t *testing.T) {
	dec := newDecoder("fs", &fakeRegistry{legs: map[string]bool{"out-1": true}, jobs: map[string]string{}, playbacks: map[string]string{}})
	ev := trunkEvent(map[string]string{"Event-Name": "CHANNEL_HANGUP", "Unique-ID": "out-1",
		"Hangup-Cause": "NORMAL_CIRCUIT_CONGESTION", "variable_hangup_cause_q850": "34", "variable_sip_term_status": "503"})
	got, ok := dec.decode(ev, fromInbound, time.Time{}).(pbx.ChannelHungUp)
	if !ok || got.Channel != "out-1" || got.Cause != 34 || got.SIPCode != 503 {
		t.Fatalf("got %+v, want out-1 cause 34 SIP 503", got)
	}
}
