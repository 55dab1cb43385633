package esl_test

import (
	"log/slog"
	"os"
	"testing"
	"time"

	"switchboard/esl"
	"switchboard/esl/esltest"
	"switchboard/routing/pbx"
	"switchboard/routing/pbx/pbxtest"
)

// harness runs the conformance suite against the fake FreeSWITCH, in
// inbound mode (parked calls) or outbound mode (the socket application
// connects to the driver for each call).
type harness struct{ outbound bool }

type rig struct {
	srv *esltest.Server
	drv *esl.Driver
}

func (h harness) Start(t *testing.T) pbxtest.Rig {
	srv := esltest.NewServer()
	t.Cleanup(srv.Close)
	cfg := esl.Config{Addr: srv.Addr, Password: "ClueCon", Node: "fs1", PingInterval: time.Second, PBXRecordingsDir: "/recordings"}
	if h.outbound {
		cfg.OutboundListen = "127.0.0.1:0"
	}
	drv, err := esl.New(cfg, testLogger(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{srv: srv, drv: drv}
	return r
}

func (r *rig) Switch() pbx.Switch { return r.drv }

func (r *rig) Call(t *testing.T, c pbxtest.Call) {
	// Outbound mode: the socket application dials the driver's listener.
	r.srv.SetOutbound(r.drv.OutboundAddr())
	var steps []esltest.Step
	for _, s := range c.Steps {
		switch s.Kind {
		case pbxtest.StepPause:
			steps = append(steps, esltest.Pause(s.Pause))
		case pbxtest.StepDigit:
			steps = append(steps, esltest.Digit(s.Digit))
		case pbxtest.StepHangUp:
			steps = append(steps, esltest.HangUp())
		case pbxtest.StepWaitHangup:
			// the fake caller waits for the switch by doing nothing
		}
	}
	r.srv.Call(esltest.Call{From: c.From, Number: c.Number, Steps: steps})
}

func (r *rig) Phone(t *testing.T, n int, m pbxtest.PhoneMode) string {
	endpoint := "user/100" + string(rune('0'+n))
	switch m.Kind {
	case pbxtest.PhoneAnswer:
		r.srv.SetPhone(endpoint, esltest.AnswerAndHangUp(m.Ring, m.Talk))
	case pbxtest.PhoneNeverAnswer:
		r.srv.SetPhone(endpoint, esltest.NeverAnswer)
	case pbxtest.PhoneBusy:
		r.srv.SetPhone(endpoint, esltest.Busy)
	}
	return endpoint
}

func (r *rig) DropLink(t *testing.T) { r.srv.DropInbound() }

func (r *rig) Media() string { return "sound:ivr/ivr-welcome" }

func TestConformanceInbound(t *testing.T) { pbxtest.Run(t, harness{}) }

func TestConformanceOutbound(t *testing.T) { pbxtest.Run(t, harness{outbound: true}) }

func testLogger(t *testing.T) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}
