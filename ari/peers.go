package ari

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"switchboard/routing/pbx"
)

// Trunk and phone health. Asterisk qualifies each AOR with OPTIONS
// (qualify_frequency) and reports the result as ContactStatusChange,
// EndpointStateChange and PeerStatusChange, once the application is
// subscribed to endpoint:PJSIP. Each becomes a pbx.PeerState; after a
// reconnect the endpoint listing gives the trunks' state as it is now.

// Wire types for endpoint events (events.json, endpoints.json).
type wireEndpoint struct {
	Technology string `json:"technology"`
	Resource   string `json:"resource"`
	State      string `json:"state"` // "online", "offline", "unknown"
}

type wireContact struct {
	URI    string `json:"uri"`
	Status string `json:"contact_status"` // Reachable, Unreachable, NonQualified, Unknown, Removed
	AOR    string `json:"aor"`
	RTTus  string `json:"roundtrip_usec"` // a string in ARI's model
}

type wirePeer struct {
	Status string `json:"peer_status"` // Reachable, Unreachable, …
	Cause  string `json:"cause"`
}

// endpointSource is the subscription that brings endpoint events.
const endpointSource = "endpoint:PJSIP"

// peerState turns an endpoint event into a PeerState, or nil when it says
// nothing about reachability (Unknown before the first qualify, another
// technology).
func (d *decoder) peerState(base pbx.Base, m *wireMessage) (pbx.Event, error) {
	if m.Endpoint == nil || m.Endpoint.Resource == "" {
		return nil, fmt.Errorf("%s without endpoint", m.Type)
	}
	if m.Endpoint.Technology != "" && m.Endpoint.Technology != "PJSIP" {
		return nil, nil
	}
	var reachable, known bool
	var detail string
	var rtt time.Duration
	switch m.Type {
	case "ContactStatusChange":
		if m.Contact == nil {
			return nil, fmt.Errorf("ContactStatusChange without contact_info")
		}
		detail = m.Contact.Status
		reachable, known = contactReachable(detail)
		if us, err := strconv.ParseInt(m.Contact.RTTus, 10, 64); err == nil && us > 0 {
			rtt = time.Duration(us) * time.Microsecond
		}
	case "PeerStatusChange":
		if m.Peer == nil {
			return nil, fmt.Errorf("PeerStatusChange without peer")
		}
		detail = m.Peer.Status
		reachable, known = contactReachable(detail)
	default: // EndpointStateChange
		detail = m.Endpoint.State
		reachable, known = endpointReachable(detail)
	}
	if !known {
		return nil, nil
	}
	return peerState(d.trunks, base, m.Endpoint.Resource, reachable, detail, rtt), nil
}

func peerState(trunks map[string]bool, base pbx.Base, resource string, reachable bool, detail string, rtt time.Duration) pbx.PeerState {
	ps := pbx.PeerState{Base: base, Peer: resource, Trunk: trunks[resource], Reachable: reachable, Detail: detail, RTT: rtt}
	if !ps.Trunk {
		ps.Peer = "PJSIP/" + resource // phones are named as agents' endpoints are
	}
	return ps
}

// contactReachable reads a contact or peer status. NonQualified (qualify
// off) counts as reachable: nothing says otherwise.
func contactReachable(s string) (reachable, known bool) {
	switch s {
	case "Reachable", "NonQualified":
		return true, true
	case "Unreachable", "Removed":
		return false, true
	}
	return false, false
}

func endpointReachable(s string) (reachable, known bool) {
	switch s {
	case "online":
		return true, true
	case "offline":
		return false, true
	}
	return false, false
}

// peerChanged reports whether ev should reach the engine: a PeerState only
// when the peer's reachability changed (Asterisk repeats EndpointStateChange
// "online" whenever a channel comes or goes on the endpoint, and the three
// event types say the same thing). Resynced forgets what was reported, so
// the listing after a reconnect always goes through.
func (d *decoder) peerChanged(ev pbx.Event) bool {
	switch ev := ev.(type) {
	case pbx.Resynced:
		d.reachable = nil
	case pbx.PeerState:
		if last, ok := d.reachable[ev.Peer]; ok && last == ev.Reachable {
			return false
		}
		if d.reachable == nil {
			d.reachable = map[string]bool{}
		}
		d.reachable[ev.Peer] = ev.Reachable
	}
	return true
}

// subscribeEndpoints makes the application's endpoint subscriptions the
// trunks', exactly. Only the trunks: an endpoint subscription also delivers
// every channel event of that endpoint (observed on Asterisk 22), so
// endpoint:PJSIP would double the events of every call; a trunk's channels
// are our legs. Asterisk keeps an application's subscriptions across
// websocket reconnects (observed), so ones left by an earlier config or
// version are removed first.
func (d *Driver) subscribeEndpoints(ctx context.Context) error {
	var app struct {
		EndpointIDs []string `json:"endpoint_ids"`
	}
	if err := d.rest.do(ctx, opGetApp, []string{d.cfg.App}, nil, nil, &app); err != nil {
		return fmt.Errorf("ari: get application: %w", err)
	}
	want := map[string]bool{}
	for _, t := range d.cfg.Trunks {
		want["PJSIP/"+t] = true
	}
	var stale, src []string
	for _, id := range app.EndpointIDs {
		if !want[id] {
			stale = append(stale, "endpoint:"+id)
		}
	}
	if len(stale) > 0 {
		err := d.rest.do(ctx, opUnsubscribe, []string{d.cfg.App}, map[string][]string{"eventSource": {strings.Join(stale, ",")}}, nil, nil)
		if err != nil {
			return fmt.Errorf("ari: unsubscribe %s: %w", strings.Join(stale, ","), err)
		}
		d.log.Info("ari stale endpoint subscriptions removed", "sources", stale)
	}
	for _, t := range d.cfg.Trunks {
		src = append(src, endpointSource+"/"+t)
	}
	if len(src) == 0 {
		return nil
	}
	err := d.rest.do(ctx, opSubscribe, []string{d.cfg.App}, map[string][]string{"eventSource": {strings.Join(src, ",")}}, nil, nil)
	if err != nil {
		return fmt.Errorf("ari: subscribe %s: %w", strings.Join(src, ","), err)
	}
	return nil
}

// trunkStates lists the PJSIP endpoints and reports each configured trunk's
// state, so the engine starts from the truth after a (re)connect. A trunk
// Asterisk does not know is reported unreachable ("missing"): it cannot be
// dialled.
func (d *Driver) trunkStates(ctx context.Context) ([]pbx.PeerState, error) {
	if len(d.cfg.Trunks) == 0 {
		return nil, nil
	}
	var eps []wireEndpoint
	if err := d.rest.do(ctx, opListEndpoints, []string{"PJSIP"}, nil, nil, &eps); err != nil {
		return nil, fmt.Errorf("ari: list endpoints: %w", err)
	}
	state := map[string]string{}
	for _, e := range eps {
		state[e.Resource] = e.State
	}
	base := pbx.Base{Time: d.clock(), Node: d.cfg.Node}
	var out []pbx.PeerState
	for _, t := range d.cfg.Trunks {
		s, ok := state[t]
		if !ok {
			out = append(out, peerState(d.trunks, base, t, false, "missing", 0))
			continue
		}
		if reachable, known := endpointReachable(s); known {
			out = append(out, peerState(d.trunks, base, t, reachable, s, 0))
		}
	}
	return out, nil
}
