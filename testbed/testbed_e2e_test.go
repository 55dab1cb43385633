//go:build e2e

package testbed

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func mustARI(t *testing.T, p *PBX, method, path string, want ...int) []byte {
	t.Helper()
	code, body, err := p.ARI(method, path, nil)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	for _, w := range want {
		if code == w {
			return body
		}
	}
	t.Fatalf("%s %s: %d %s (want %v)", method, path, code, body, want)
	return nil
}

// A caller dials 100, Asterisk hands it to the Stasis app, the app answers,
// the caller's RFC 2833 digits arrive in order, and the app hangs up.
func TestCallerDigitsReachARI(t *testing.T) {
	p := StartPBX(t)
	w := WatchARI(t, p, p.App)

	digits := []string{"1", "2", "*", "#"}
	steps := []Step{Pause(100 * time.Millisecond)}
	for _, d := range digits {
		steps = append(steps, Digit(d))
	}
	steps = append(steps, ExpectBYE(10*time.Second))
	run := Caller{Target: p.SIPAddr(), Number: "100", From: "5551234", Steps: steps}.Start(t)

	start := w.WaitType(10*time.Second, "StasisStart", "")
	id := start.Channel.ID
	if len(start.Args) != 1 || start.Args[0] != "100" {
		t.Errorf("StasisStart args = %q, want [100]", start.Args)
	}
	if start.Channel.Caller.Number != "5551234" {
		t.Errorf("caller number = %q", start.Channel.Caller.Number)
	}
	mustARI(t, p, http.MethodPost, "/channels/"+id+"/answer", http.StatusNoContent)

	for _, d := range digits {
		ev := w.WaitType(5*time.Second, "ChannelDtmfReceived", id)
		if ev.Digit != d {
			t.Fatalf("digit %q, want %q (events: %s)", ev.Digit, d, w.Seen())
		}
	}
	mustARI(t, p, http.MethodDelete, "/channels/"+id, http.StatusNoContent)
	w.WaitType(5*time.Second, "StasisEnd", id)

	res := run.Wait()
	if res.Err != nil {
		t.Fatalf("caller: %v\nlog:\n%s", res.Err, res.Log)
	}
	if !res.RemoteHangup {
		t.Errorf("caller did not see the PBX's BYE; log:\n%s", res.Log)
	}
}

// With no application connected, Stasis() fails and the dialplan's fallback
// answers, plays a prompt and hangs up.
func TestFallbackWithoutApp(t *testing.T) {
	p := StartPBX(t)
	res := Caller{Target: p.SIPAddr(), Number: "100", Steps: []Step{ExpectBYE(30 * time.Second)}}.Run(t)
	if res.Err != nil || !res.RemoteHangup {
		t.Fatalf("caller: err=%v remoteHangup=%v\nlog:\n%s\nerrors:\n%s", res.Err, res.RemoteHangup, res.Log, res.ErrorLog)
	}
}

// A caller that hangs up itself while the app keeps the call.
func TestCallerHangsUp(t *testing.T) {
	p := StartPBX(t)
	w := WatchARI(t, p, p.App)
	run := Caller{Target: p.SIPAddr(), Number: "4242", Steps: []Step{Pause(200 * time.Millisecond), HangUp()}}.Start(t)
	start := w.WaitType(10*time.Second, "StasisStart", "")
	if len(start.Args) != 1 || start.Args[0] != "4242" {
		t.Errorf("args %q", start.Args)
	}
	mustARI(t, p, http.MethodPost, "/channels/"+start.Channel.ID+"/answer", http.StatusNoContent)
	w.WaitType(10*time.Second, "StasisEnd", start.Channel.ID)
	if res := run.Wait(); res.Err != nil || res.RemoteHangup {
		t.Fatalf("caller: err=%v remoteHangup=%v\n%s", res.Err, res.RemoteHangup, res.Log)
	}
}

// The app refuses a call before answering it: the caller sees the final
// status (busy → 486) and acknowledges it.
func TestCallerRejected(t *testing.T) {
	p := StartPBX(t)
	w := WatchARI(t, p, p.App)
	run := Caller{Target: p.SIPAddr(), Number: "100", Reject: 486}.Start(t)
	ev := w.WaitType(10*time.Second, "StasisStart", "")
	mustARI(t, p, http.MethodDelete, "/channels/"+ev.Channel.ID+"?reason=busy", http.StatusNoContent)
	res := run.Wait()
	if res.Err != nil || res.Rejected != 486 {
		t.Fatalf("caller: err=%v rejected=%d\n%s\n%s", res.Err, res.Rejected, res.Log, res.ErrorLog)
	}
}

type originated struct {
	events []ARIEvent
}

func (o *originated) has(typ string) (ARIEvent, bool) {
	for _, ev := range o.events {
		if ev.Type == typ {
			return ev, true
		}
	}
	return ARIEvent{}, false
}

// Originate to agents' phones: one answers, one is busy, one never answers.
func TestOriginateToPhones(t *testing.T) {
	p := StartPBX(t)
	w := WatchARI(t, p, p.App)
	answer := StartPhone(t, p, 1, Answer(200*time.Millisecond))
	busy := StartPhone(t, p, 2, Busy)
	never := StartPhone(t, p, 3, NeverAnswer)

	originate := func(agent int, id string, timeout int) {
		q := url.Values{
			"endpoint":  {p.AgentEndpoint(agent)},
			"app":       {p.App},
			"channelId": {id},
			"timeout":   {fmt.Sprint(timeout)},
			"callerId":  {"Switchboard <100>"},
		}
		// PBX-FACTS: a header on the agent leg via PJSIP_HEADER.
		body := map[string]any{"variables": map[string]string{"PJSIP_HEADER(add,X-Switchboard-Call)": id}}
		code, resp, err := p.ARI(http.MethodPost, "/channels?"+q.Encode(), body)
		if err != nil || code != http.StatusOK {
			t.Fatalf("originate %s: %d %s %v", id, code, resp, err)
		}
	}
	stamp := time.Now().UnixNano()
	idAnswer := fmt.Sprintf("ans-%d", stamp)
	idBusy := fmt.Sprintf("busy-%d", stamp)
	idNever := fmt.Sprintf("never-%d", stamp)
	began := time.Now()
	originate(3, idNever, 3)
	originate(1, idAnswer, 10)
	originate(2, idBusy, 10)

	legs := map[string]*originated{idAnswer: {}, idBusy: {}, idNever: {}}
	doneAt := map[string]time.Duration{}
	finished := func() bool {
		_, a := legs[idAnswer].has("StasisStart")
		_, b := legs[idBusy].has("ChannelDestroyed")
		_, c := legs[idNever].has("ChannelDestroyed")
		return a && b && c
	}
	for !finished() {
		ev, err := w.Next(10 * time.Second)
		if err != nil {
			t.Fatalf("%v; seen: %s", err, w.Seen())
		}
		if l, ok := legs[ev.Channel.ID]; ok {
			l.events = append(l.events, ev)
			if ev.Type == "ChannelDestroyed" || ev.Type == "StasisStart" {
				doneAt[ev.Channel.ID+" "+ev.Type] = time.Since(began)
			}
		}
	}
	if ev, _ := legs[idBusy].has("ChannelDestroyed"); ev.Cause != 17 {
		t.Errorf("busy leg: cause %d %q, want 17", ev.Cause, ev.CauseTxt)
	}
	if ev, _ := legs[idNever].has("ChannelDestroyed"); ev.Cause != 19 {
		t.Errorf("unanswered leg: cause %d %q, want 19", ev.Cause, ev.CauseTxt)
	}
	if _, ok := legs[idBusy].has("StasisStart"); ok {
		t.Errorf("busy leg entered Stasis")
	}
	if _, ok := legs[idNever].has("StasisStart"); ok {
		t.Errorf("unanswered leg entered Stasis")
	}
	for k, v := range doneAt {
		t.Logf("%s after %v", k, v.Round(time.Millisecond))
	}
	for id, l := range legs {
		var types []string
		for _, ev := range l.events {
			s := ev.Type
			if ev.Type == "ChannelDestroyed" {
				s += fmt.Sprintf("(cause %d %s)", ev.Cause, ev.CauseTxt)
			}
			types = append(types, s)
		}
		t.Logf("%s: %s", strings.SplitN(id, "-", 2)[0], strings.Join(types, " "))
	}

	// The answered leg: check the header arrived, then hang up from ARI.
	var ch struct {
		State string `json:"state"`
	}
	json.Unmarshal(mustARI(t, p, http.MethodGet, "/channels/"+idAnswer, http.StatusOK), &ch)
	if ch.State != "Up" {
		t.Errorf("answered leg state %q", ch.State)
	}
	mustARI(t, p, http.MethodDelete, "/channels/"+idAnswer, http.StatusNoContent)
	if err := answer.WaitCount("remote-bye", 1, 5*time.Second); err != nil {
		t.Fatal(err)
	}

	// The same phone serves a second call.
	id2 := fmt.Sprintf("ans2-%d", stamp)
	originate(1, id2, 10)
	w.WaitType(10*time.Second, "StasisStart", id2)
	mustARI(t, p, http.MethodDelete, "/channels/"+id2, http.StatusNoContent)
	if err := answer.WaitCount("remote-bye", 2, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if err := never.WaitCount("cancelled", 1, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if n := answer.Calls(); n != 2 {
		t.Errorf("answering phone got %d calls, want 2", n)
	}
	if n := busy.Calls(); n != 1 {
		t.Errorf("busy phone got %d calls, want 1", n)
	}
	if n := never.Calls(); n != 1 {
		t.Errorf("unanswered phone got %d calls, want 1", n)
	}
	for _, ph := range []*Phone{answer, busy, never} {
		if e := ph.ErrorLog(); e != "" {
			t.Errorf("phone %s unexpected messages:\n%s", ph.User, e)
		}
	}
}

// A phone that hangs up itself after a talk time.
func TestPhoneHangsUp(t *testing.T) {
	p := StartPBX(t)
	w := WatchARI(t, p, p.App)
	ph := StartPhone(t, p, 4, AnswerAndHangUp(0, 300*time.Millisecond))
	id := fmt.Sprintf("talk-%d", time.Now().UnixNano())
	code, body, err := p.ARI(http.MethodPost, "/channels?endpoint=PJSIP/1004&app="+p.App+"&channelId="+id+"&timeout=10", nil)
	if err != nil || code != http.StatusOK {
		t.Fatalf("originate: %d %s %v", code, body, err)
	}
	w.WaitType(5*time.Second, "StasisStart", id)
	w.WaitType(5*time.Second, "StasisEnd", id)
	if err := ph.WaitCount("local-bye", 1, 2*time.Second); err != nil {
		t.Fatal(err)
	}
	if e := ph.ErrorLog(); e != "" {
		t.Errorf("unexpected messages:\n%s", e)
	}
}

// Restart mid-test: ARI comes back and calls work again.
func TestRestart(t *testing.T) {
	p := StartPBX(t)
	if err := p.Restart(); err != nil {
		t.Fatal(err)
	}
	if !p.Running() {
		t.Fatal("ARI not answering after restart")
	}
	w := WatchARI(t, p, p.App)
	run := Caller{Target: p.SIPAddr(), Number: "100", Steps: []Step{ExpectBYE(5 * time.Second)}}.Start(t)
	ev := w.WaitType(10*time.Second, "StasisStart", "")
	mustARI(t, p, http.MethodPost, "/channels/"+ev.Channel.ID+"/answer", http.StatusNoContent)
	mustARI(t, p, http.MethodDelete, "/channels/"+ev.Channel.ID, http.StatusNoContent)
	if res := run.Wait(); res.Err != nil {
		t.Fatal(res.Err)
	}
}

func TestMain(m *testing.M) { Main(m) }
