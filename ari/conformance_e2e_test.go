//go:build e2e

package ari_test

import (
	"fmt"
	"log/slog"
	"os"
	"testing"

	"switchboard/ari"
	"switchboard/routing/pbx"
	"switchboard/routing/pbx/pbxtest"
	"switchboard/testbed"
)

// harness runs the conformance suite against the real Asterisk testbed:
// sipp callers and agent phones, and the driver reaching ARI through a
// proxy the suite can cut (the link drop is a real closed socket).
type harness struct{}

type rig struct {
	p     *testbed.PBX
	proxy *pbxtest.Proxy
	drv   *ari.Driver
}

func (harness) Start(t *testing.T) pbxtest.Rig {
	p := testbed.StartPBX(t)
	proxy := pbxtest.NewProxy(t, fmt.Sprintf("127.0.0.1:%d", p.ARIPort))
	log := slog.New(slog.DiscardHandler)
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	drv, err := ari.New(ari.Config{
		URL: "http://" + proxy.Addr, User: p.User, Password: p.Password, App: p.App, Node: "testbed",
	}, log, nil)
	if err != nil {
		t.Fatal(err)
	}
	return &rig{p: p, proxy: proxy, drv: drv}
}

func (r *rig) Switch() pbx.Switch { return r.drv }

func (r *rig) Call(t *testing.T, c pbxtest.Call) {
	var steps []testbed.Step
	for _, s := range c.Steps {
		switch s.Kind {
		case pbxtest.StepPause:
			steps = append(steps, testbed.Pause(s.Pause))
		case pbxtest.StepDigit:
			steps = append(steps, testbed.Digit(s.Digit))
		case pbxtest.StepHangUp:
			steps = append(steps, testbed.HangUp())
		case pbxtest.StepWaitHangup:
			steps = append(steps, testbed.ExpectBYE(s.Pause))
		}
	}
	run := testbed.Caller{Target: r.p.SIPAddr(), Number: c.Number, From: c.From, Steps: steps}.Start(t)
	t.Cleanup(func() { run.Stop() })
}

func (r *rig) Phone(t *testing.T, n int, m pbxtest.PhoneMode) string {
	var mode testbed.PhoneMode
	switch m.Kind {
	case pbxtest.PhoneAnswer:
		mode = testbed.AnswerAndHangUp(m.Ring, m.Talk)
		if m.Talk == 0 {
			mode = testbed.Answer(m.Ring)
		}
	case pbxtest.PhoneNeverAnswer:
		mode = testbed.NeverAnswer
	case pbxtest.PhoneBusy:
		mode = testbed.Busy
	}
	testbed.StartPhone(t, r.p, n, mode)
	return r.p.AgentEndpoint(n)
}

func (r *rig) DropLink(t *testing.T) { r.proxy.Drop() }

func (r *rig) Media() string { return "sound:hello-world" }

func TestE2EConformance(t *testing.T) { pbxtest.Run(t, harness{}) }
