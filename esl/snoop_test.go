package esl_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"switchboard/esl"
	"switchboard/esl/esltest"
	"switchboard/routing/pbx"
)

// The supervisor's leg against the fake FreeSWITCH: the originate runs
// eavesdrop on the target with the mode's variables, and the leg reports
// like any leg. The fake does not model eavesdrop's audio; that the
// variables do what their names say is FreeSWITCH's documentation, not a
// capture (fixtures/esl has no eavesdrop session).
func TestSnoopModes(t *testing.T) {
	for _, tt := range []struct {
		mode pbx.SnoopMode
		vars []string
		not  []string
	}{
		{pbx.SnoopListen, nil, []string{"eavesdrop_whisper_aleg", "eavesdrop_whisper_bleg"}},
		{pbx.SnoopWhisper, []string{"eavesdrop_whisper_aleg=true"}, []string{"eavesdrop_whisper_bleg"}},
		{pbx.SnoopBarge, []string{"eavesdrop_whisper_aleg=true", "eavesdrop_whisper_bleg=true"}, nil},
	} {
		t.Run(tt.mode.String(), func(t *testing.T) {
			srv := esltest.NewServer()
			t.Cleanup(srv.Close)
			srv.SetPhone("user/1009", esltest.Answer(50*time.Millisecond))
			drv, next := runDriver(t, srv)
			ctx := t.Context()

			err := drv.Snoop(ctx, pbx.Snoop{Channel: "sup-1", Target: "agent-leg-1", Endpoint: "user/1009",
				CallerID: "13800000000", Timeout: 20 * time.Second, Mode: tt.mode})
			if err != nil {
				t.Fatal(err)
			}
			var cmd string
			for _, c := range srv.Commands() {
				if strings.HasPrefix(c, "bgapi originate ") {
					cmd = c
				}
			}
			if !strings.HasSuffix(cmd, "}user/1009 &eavesdrop(agent-leg-1)") ||
				!strings.Contains(cmd, "origination_uuid=sup-1") || !strings.Contains(cmd, "eavesdrop_enable_dtmf=false") {
				t.Fatalf("originate %q", cmd)
			}
			for _, v := range tt.vars {
				if !strings.Contains(cmd, v) {
					t.Errorf("originate %q lacks %s", cmd, v)
				}
			}
			for _, v := range tt.not {
				if strings.Contains(cmd, v) {
					t.Errorf("originate %q has %s", cmd, v)
				}
			}
			var kinds []string
			for len(kinds) < 2 {
				ev := next()
				switch ev := ev.(type) {
				case pbx.LegRinging:
					kinds = append(kinds, "ringing:"+ev.Channel)
				case pbx.LegAnswered:
					kinds = append(kinds, "answered:"+ev.Channel)
				}
			}
			if strings.Join(kinds, " ") != "ringing:sup-1 answered:sup-1" {
				t.Fatalf("leg events %v", kinds)
			}
			if err := drv.Hangup(ctx, "sup-1", pbx.CauseNormal); err != nil {
				t.Fatal(err)
			}
			for {
				if h, ok := next().(pbx.ChannelHungUp); ok && h.Channel == "sup-1" {
					break
				}
			}
		})
	}
}

func TestSnoopRefused(t *testing.T) {
	drv, err := esl.New(esl.Config{Addr: "127.0.0.1:1"}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := drv.Snoop(ctx, pbx.Snoop{Channel: "sup-1", Target: "t", Endpoint: "user/1009", Mode: 7}); !errors.Is(err, pbx.ErrUnsupported) {
		t.Errorf("unknown mode: %v", err)
	}
	if err := drv.Snoop(ctx, pbx.Snoop{Channel: "sup-1", Target: "a b", Endpoint: "user/1009"}); err == nil {
		t.Error("target with a space: no error")
	}
	if err := drv.Snoop(ctx, pbx.Snoop{Channel: "sup-1", Endpoint: "user/1009"}); err == nil {
		t.Error("no target: no error")
	}
}
