package ari

import (
	"context"
	"testing"

	"switchboard/ari/aritest"
)

// Hold takes the caller out of the bridge onto music on hold; resume
// stops it and adds them back; mute is the agent leg's direction in.
func TestCallControlsRequests(t *testing.T) {
	srv := aritest.NewServer(aritest.WithCredentials("switchboard", "secret"))
	defer srv.Close()
	cc := newTestDriver(t, srv).CallControls()
	ctx := context.Background()
	steps := []struct {
		call                func() error
		method, path, query string
	}{
		{func() error { return cc.Hold(ctx, "br-1", "in-1", "default") }, "POST", "/bridges/br-1/removeChannel", "channel=in-1"},
		{nil, "POST", "/channels/in-1/moh", "mohClass=default"},
		{func() error { return cc.Resume(ctx, "br-1", "in-1") }, "DELETE", "/channels/in-1/moh", ""},
		{nil, "POST", "/bridges/br-1", "type=mixing"},
		{nil, "POST", "/bridges/br-1/addChannel", "channel=in-1"},
		{func() error { return cc.Mute(ctx, "leg-1") }, "POST", "/channels/leg-1/mute", "direction=in"},
		{func() error { return cc.Unmute(ctx, "leg-1") }, "DELETE", "/channels/leg-1/mute", "direction=in"},
	}
	for _, s := range steps {
		if s.call != nil {
			if err := s.call(); err != nil {
				t.Fatalf("%s %s: %v", s.method, s.path, err)
			}
		}
	}
	reqs := srv.Requests()
	if len(reqs) != len(steps) {
		t.Fatalf("%d requests, want %d: %+v", len(reqs), len(steps), reqs)
	}
	for i, s := range steps {
		r := reqs[i]
		if r.Method != s.method || r.Path != s.path || r.Query.Encode() != s.query {
			t.Errorf("request %d: %s %s?%s, want %s %s?%s", i, r.Method, r.Path, r.Query.Encode(), s.method, s.path, s.query)
		}
	}
}
