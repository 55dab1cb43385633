package ari

import (
	"context"
	"errors"
	"testing"
	"time"

	"switchboard/ari/aritest"
	"switchboard/routing/pbx"
)

// After connecting, the driver subscribes to endpoint events and reports
// every configured trunk's state from the endpoint listing: the engine
// starts from what Asterisk knows, not from "all up".
func TestTrunkStatesAfterConnect(t *testing.T) {
	srv := aritest.NewServer()
	defer srv.Close()
	srv.SetEndpoints(aritest.Endpoint("good", "online"), aritest.Endpoint("dead", "offline"), aritest.Endpoint("1001", "online"))
	r := start(t, srv, func(c *Config) { c.Trunks = []string{"good", "dead", "typo"} })
	if _, ok := r.next().(pbx.Resynced); !ok {
		t.Fatal("want Resynced first")
	}
	want := []pbx.PeerState{
		{Peer: "good", Trunk: true, Reachable: true, Detail: "online"},
		{Peer: "dead", Trunk: true, Reachable: false, Detail: "offline"},
		{Peer: "typo", Trunk: true, Reachable: false, Detail: "missing"},
	}
	for _, w := range want {
		got, ok := r.next().(pbx.PeerState)
		if !ok || got.Peer != w.Peer || got.Trunk != w.Trunk || got.Reachable != w.Reachable || got.Detail != w.Detail || got.Node != "pbx1" {
			t.Fatalf("got %+v, want %+v", got, w)
		}
	}
	var subscribed bool
	for _, q := range srv.Requests() {
		if q.Method == "POST" && q.Path == "/applications/switchboard/subscription" && q.Query.Get("eventSource") == "endpoint:PJSIP/good,endpoint:PJSIP/dead,endpoint:PJSIP/typo" {
			subscribed = true
		}
	}
	if !subscribed {
		t.Errorf("no endpoint subscription: %+v", srv.Requests())
	}
}

// Qualify results become PeerState: trunks by name, phones as PJSIP/NAME,
// with the round trip; Unknown (before any qualify) says nothing.
func TestEndpointEventsArePeerStates(t *testing.T) {
	srv := aritest.NewServer()
	defer srv.Close()
	srv.SetEndpoints(aritest.Endpoint("good", "online"))
	r := start(t, srv, func(c *Config) { c.Trunks = []string{"good"} })
	if _, ok := r.next().(pbx.Resynced); !ok {
		t.Fatal("want Resynced first")
	}
	if ps, ok := r.next().(pbx.PeerState); !ok || !ps.Reachable {
		t.Fatalf("want the listing's PeerState, got %+v", ps)
	}
	r.emit(
		aritest.ContactStatusChange("good", "sip:127.0.0.1:5601", "Unknown", 0),
		aritest.ContactStatusChange("good", "sip:127.0.0.1:5601", "Unreachable", 0),
		aritest.EndpointStateChange("good", "offline"), // says the same: not repeated
		aritest.ContactStatusChange("good", "sip:127.0.0.1:5601", "Reachable", 1520),
		aritest.EndpointStateChange("good", "online"),
		aritest.PeerStatusChange("1001", "Unreachable"),
	)
	want := []pbx.PeerState{
		{Peer: "good", Trunk: true, Reachable: false, Detail: "Unreachable"},
		{Peer: "good", Trunk: true, Reachable: true, Detail: "Reachable", RTT: 1520 * time.Microsecond},
		{Peer: "PJSIP/1001", Reachable: false, Detail: "Unreachable"},
	}
	for _, w := range want {
		got, ok := r.next().(pbx.PeerState)
		got.Base = pbx.Base{}
		if !ok || got != w {
			t.Fatalf("got %+v, want %+v", got, w)
		}
	}
}

// A leg through a trunk dials PJSIP/NUMBER@TRUNK; the far end's final SIP
// response (tech_cause) reaches the engine as SIPCode.
func TestOriginateThroughTrunk(t *testing.T) {
	r, srv := startedDriver(t)
	err := r.d.Originate(context.Background(), pbx.Originate{Channel: "out-1", Trunk: "carrier-a", Number: "+4930123456", Timeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	expectRequests(t, srv, want{"POST", "/channels/out-1", "app=switchboard&endpoint=PJSIP%2F%2B4930123456%40carrier-a&timeout=30"})
	r.emit(aritest.ChannelDestroyedSIP("out-1", 34, 503, "Circuit/channel congestion"))
	got, ok := r.next().(pbx.ChannelHungUp)
	if !ok || got.Channel != "out-1" || got.SIPCode != 503 || got.Cause != 34 {
		t.Fatalf("got %+v, want out-1 hung up with SIP 503, cause 34", got)
	}
}

// A number or trunk that could dial something else is refused before
// any request: nothing is dialled.
func TestOriginateRefusesBadDialString(t *testing.T) {
	r, srv := startedDriver(t)
	for _, req := range []pbx.Originate{
		{Channel: "o", Trunk: "a", Number: ""},
		{Channel: "o", Trunk: "a", Number: "12&PJSIP/1001"},
		{Channel: "o", Trunk: "a", Number: "12a"},
		{Channel: "o", Trunk: "a", Number: "+123456789012345678901"},
		{Channel: "o", Trunk: "a/b", Number: "123"},
		{Channel: "o", Trunk: "a@b", Number: "123"},
		{Channel: "o"},
	} {
		if err := r.d.Originate(context.Background(), req); !errors.Is(err, pbx.ErrBadDial) {
			t.Errorf("%+v: err %v, want ErrBadDial", req, err)
		}
	}
	expectNoRequest(t, srv, "after refused originates")
}

// A trunk Asterisk holds unreachable refuses the originate with 500
// "Allocation failed" (observed): the error reaches the engine and the leg
// is not kept waiting for events that never come.
func TestOriginateUnreachableTrunkFails(t *testing.T) {
	r, srv := startedDriver(t)
	srv.Respond("POST", "/channels/out-2", 500, `{"message":"Allocation failed"}`)
	err := r.d.Originate(context.Background(), pbx.Originate{Channel: "out-2", Trunk: "carrier-a", Number: "123"})
	if err == nil {
		t.Fatal("want an error")
	}
	if r.d.isLeg("out-2") {
		t.Error("refused leg still known")
	}
}

// Asterisk keeps an application's subscriptions across reconnects: one
// left from before (here the whole PJSIP technology, which would repeat
// every call's channel events) is removed, the trunks' are (re)added.
func TestStaleEndpointSubscriptionRemoved(t *testing.T) {
	srv := aritest.NewServer()
	defer srv.Close()
	srv.Respond("GET", "/applications/switchboard", 200,
		`{"name":"switchboard","channel_ids":[],"bridge_ids":[],"endpoint_ids":["PJSIP","PJSIP/good","PJSIP/old"],"device_names":[]}`)
	srv.SetEndpoints(aritest.Endpoint("good", "online"))
	r := start(t, srv, func(c *Config) { c.Trunks = []string{"good"} })
	if _, ok := r.next().(pbx.Resynced); !ok {
		t.Fatal("want Resynced first")
	}
	var removed, added string
	for _, q := range srv.Requests() {
		if q.Path != "/applications/switchboard/subscription" {
			continue
		}
		switch q.Method {
		case "DELETE":
			removed = q.Query.Get("eventSource")
		case "POST":
			added = q.Query.Get("eventSource")
		}
	}
	if removed != "endpoint:PJSIP,endpoint:PJSIP/old" || added != "endpoint:PJSIP/good" {
		t.Errorf("removed %q, added %q", removed, added)
	}
}
