package routing

import (
	"encoding/json"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	"switchboard/routing/pbx"
)

func TestCalendarOpen(t *testing.T) {
	cal := &Calendar{
		TimeZone: "Asia/Shanghai",
		Weekly:   WeeklyHours{"mon-fri": {"09:00-12:00", "13:30-18:00"}, "sat": {"09:00-12:00"}},
		Seasons:  []Season{{From: "11-15", To: "02-28", Weekly: WeeklyHours{"mon-fri": {"09:00-12:00", "13:30-17:30"}}}},
		Holidays: []Holiday{{Date: "2026-10-01"}, {Date: "2026-10-08", Hours: []string{"10:00-12:00"}}},
	}
	var errs []string
	cal.validate("c", func(k, f string, a ...any) { errs = append(errs, k) })
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	sh := cal.loc
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, sh)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		when string
		open bool
	}{
		{"2026-09-28 08:59", false}, // Monday, before hours
		{"2026-09-28 09:00", true},
		{"2026-09-28 12:30", false}, // lunch
		{"2026-09-28 13:30", true},
		{"2026-09-28 17:45", true},  // summer: open to 18:00
		{"2026-11-16 17:45", false}, // winter season: closes 17:30
		{"2026-02-27 17:00", true},  // the season wraps over the new year
		{"2026-10-03 10:00", true},  // Saturday morning
		{"2026-10-04 10:00", false}, // Sunday
		{"2026-10-01 10:00", false}, // holiday, a Thursday
		{"2026-10-08 11:00", true},  // holiday with its own hours
		{"2026-10-08 14:00", false},
	}
	for _, tt := range tests {
		if got := cal.Open(at(tt.when)); got != tt.open {
			t.Errorf("%s: open %v, want %v", tt.when, got, tt.open)
		}
	}
	// The same instant in UTC is judged in the calendar's zone.
	if !cal.Open(at("2026-09-28 09:30").UTC()) {
		t.Error("time zone ignored")
	}
}

func TestCalendarValidation(t *testing.T) {
	cal := &Calendar{TimeZone: "Mars/Olympus", Weekly: WeeklyHours{"funday": {"9-5"}, "mon": {"18:00-09:00"}},
		Holidays: []Holiday{{Date: "2026-13-01"}}}
	var keys []string
	cal.validate("calendars.x", func(k, f string, a ...any) { keys = append(keys, k) })
	for _, want := range []string{"calendars.x.time_zone", "calendars.x.weekly.funday", "calendars.x.weekly.mon", "calendars.x.holidays[0].date"} {
		if !slices.Contains(keys, want) {
			t.Errorf("no error for %s (got %v)", want, keys)
		}
	}
}

// ivrConfig exercises the steps: a time condition, collect + dial by
// extension with busy/no answer to a message, a screened extension, a
// survey after the agent, a callback.
func ivrConfig(t *testing.T) *Config {
	cfg := &Config{
		Routes: map[string]string{"default": "main"},
		Calendars: map[string]*Calendar{
			"always": {Weekly: WeeklyHours{"mon-sun": {"24h"}}},
			"never":  {},
		},
		Extensions: map[string]*Extension{
			"8001": {Endpoint: "PJSIP/1004", Name: "Boss", Screen: true},
			"8002": {Endpoint: "PJSIP/1005", Name: "Sales office"},
		},
		Flows: map[string]*Flow{"main": {Start: "hours", Nodes: map[string]*Node{
			"hours":  {Time: &TimeNode{Calendar: "always", Open: "ext", Closed: "night"}},
			"night":  {Play: &PlayNode{Media: []string{"sound:closed"}}},
			"ext":    {Collect: &CollectNode{Prompt: []string{"sound:enter-ext"}, Min: 4, Max: 4, Var: "ext", Next: "dial", OnTimeout: "queue"}},
			"dial":   {Dial: &DialNode{Extension: "${ext}", OnBusy: "leave", OnNoAnswer: "leave", OnUnknown: "queue", OnDecline: "leave", AcceptPrompt: []string{"sound:press-1"}}},
			"leave":  {Message: &MessageNode{Prompt: []string{"sound:leave-msg"}, Target: "${target}", Next: "thanks"}},
			"thanks": {Play: &PlayNode{Media: []string{"sound:thanks"}}},
			"queue":  {Queue: &QueueNode{Queue: "q", Survey: "survey"}},
			"survey": {Survey: &SurveyNode{Prompt: []string{"sound:rate"}, Thanks: []string{"sound:thanks"}}},
			"cb":     {Callback: &CallbackNode{Prompt: []string{"sound:we-will-call"}}},
			"jump":   {Goto: &GotoNode{Flow: "main", Node: "cb"}},
			"setvar": {Set: &SetNode{Var: "who", Value: "caller ${caller}", Next: "jump"}},
		}}},
		Queues: map[string]*Queue{"q": {}},
		Agents: []AgentConfig{{ID: "a1", Endpoint: "PJSIP/1001", Queues: member("q")}},
	}
	cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	return cfg
}

func newIVR(t *testing.T) *harness {
	return &harness{t: t, m: NewMachine(ivrConfig(t), SequentialIDs(), slog.New(slog.NewTextHandler(io.Discard, nil))),
		now: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
}

// arriveAtCollect brings a call to the extension prompt's end.
func (h *harness) arriveAtCollect(ch string) {
	h.t.Helper()
	out := h.in(pbx.CallArrived{Channel: ch, Caller: "13900001111", Called: "100"})
	h.in(pbx.PlaybackFinished{PlaybackID: find[cmdPlay](h.t, out).PlaybackID, Channel: ch})
}

func (h *harness) digits(ch, s string) Output {
	var out Output
	for _, d := range s {
		out = h.in(pbx.DTMFReceived{Channel: ch, Digit: string(d)})
	}
	return out
}

func (h *harness) recordsOf(typ string) []json.RawMessage {
	var out []json.RawMessage
	for _, r := range h.recs {
		if r.Type == typ {
			out = append(out, r.Data)
		}
	}
	return out
}

func TestTimeStepAndDayNightMode(t *testing.T) {
	h := newIVR(t)
	h.in(pbx.CallArrived{Channel: "c1", Called: "100"})
	if got := h.ivrPath(); !slices.Equal(got, []string{"open>ext"}) && !slices.Equal(got, []string{"hours", "open>ext"}) {
		t.Fatalf("path %v", got)
	}
	// A supervisor flips to night mode: the next call hears the night message.
	if out := h.in(modeCommand{Op: "mode", Calendar: "always", Mode: ModeNight}); out.Err != nil || out.Reply.(CalendarView).Open {
		t.Fatalf("mode: %v %+v", out.Err, out.Reply)
	}
	h.recs = nil
	h.in(pbx.CallArrived{Channel: "c2", Called: "100"})
	if got := h.ivrPath(); !slices.Equal(got, []string{"hours", "closed>night"}) {
		t.Fatalf("path in night mode %v", got)
	}
	if out := h.in(modeCommand{Op: "mode", Calendar: "nope", Mode: ModeDay}); out.Err != ErrUnknownCalendar {
		t.Fatalf("unknown calendar: %v", out.Err)
	}
	if out := h.in(modeCommand{Op: "mode", Calendar: "always", Mode: "dusk"}); !isField(out.Err, "mode") {
		t.Fatalf("bad mode: %v", out.Err)
	}
}

func TestDialExtension(t *testing.T) {
	tests := []struct {
		name   string
		digits string
		then   func(h *harness, leg string)
		path   []string
	}{
		{"answered: put through", "8002", func(h *harness, leg string) {
			out := h.in(pbx.LegAnswered{Channel: leg})
			if br := find[cmdBridge](h.t, out); !slices.Equal(br.Channels, []string{"c1", leg}) {
				h.t.Fatalf("bridged %v", br.Channels)
			}
		}, []string{"hours", "open>ext", "8002>dial"}},
		{"busy: leave a message", "8002", func(h *harness, leg string) {
			h.in(pbx.ChannelHungUp{Channel: leg, Cause: pbx.CauseUserBusy})
		}, []string{"hours", "open>ext", "8002>dial", "busy>leave"}},
		{"no answer: leave a message", "8002", func(h *harness, leg string) {
			h.advance(30 * time.Second)
			out := h.in(TimerFired{Name: "dial:call-1"})
			if hu := find[cmdHangup](h.t, out); hu.Channel != leg {
				h.t.Fatalf("hung up %s", hu.Channel)
			}
		}, []string{"hours", "open>ext", "8002>dial", "no_answer>leave"}},
		{"unknown extension: the general queue", "9999", nil, []string{"hours", "open>ext", "9999>dial", "unknown>queue"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newIVR(t)
			h.arriveAtCollect("c1")
			out := h.digits("c1", tt.digits)
			if tt.then != nil {
				orig := find[cmdOriginate](t, out)
				if orig.Req.Endpoint != "PJSIP/1005" {
					t.Fatalf("rang %s", orig.Req.Endpoint)
				}
				tt.then(h, orig.Req.Channel)
			}
			if got := h.ivrPath(); !slices.Equal(got, tt.path) {
				t.Fatalf("path %v, want %v", got, tt.path)
			}
		})
	}
}

func TestMessageKeptWhenTheCallerHangsUp(t *testing.T) {
	h := newIVR(t)
	h.arriveAtCollect("c1")
	leg := find[cmdOriginate](t, h.digits("c1", "8002")).Req.Channel
	out := h.in(pbx.ChannelHungUp{Channel: leg, Cause: pbx.CauseUserBusy})
	out = h.in(pbx.PlaybackFinished{PlaybackID: find[cmdPlay](t, out).PlaybackID, Channel: "c1"})
	rec := find[cmdRecord](t, out)
	if rec.Rec.Channel != "c1" || rec.Rec.TerminateOn != "#" || !rec.Rec.Beep {
		t.Fatalf("record %+v", rec.Rec)
	}
	h.in(pbx.ChannelHungUp{Channel: "c1", Cause: pbx.CauseNormal}) // said their piece, hung up
	h.in(pbx.RecordingFinished{Channel: "c1", Name: rec.Rec.Name, Duration: 7 * time.Second})
	msgs := h.recordsOf(EvCallMessage)
	if len(msgs) != 1 {
		t.Fatalf("messages: %d", len(msgs))
	}
	var d MessageData
	_ = json.Unmarshal(msgs[0], &d)
	if d.Target != "8002" || d.TargetKind != "extension" || d.Caller != "13900001111" || d.DurationSeconds != 7 {
		t.Fatalf("message %+v", d)
	}
}

func TestScreenedTransfer(t *testing.T) {
	for _, tt := range []struct {
		digit string
		want  string // "bridged" or the path's last step
	}{{"1", "bridged"}, {"2", "declined>leave"}} {
		t.Run(tt.digit, func(t *testing.T) {
			h := newIVR(t)
			h.arriveAtCollect("c1")
			out := h.digits("c1", "8001")
			rec := find[cmdRecord](t, out) // the caller's name first
			if has[cmdOriginate](out) {
				t.Fatal("rang the boss before the caller said who they are")
			}
			out = h.in(pbx.RecordingFinished{Channel: "c1", Name: rec.Rec.Name, Duration: 2 * time.Second})
			leg := find[cmdOriginate](t, out).Req.Channel
			out = h.in(pbx.LegAnswered{Channel: leg})
			ann := find[cmdPlay](t, out)
			if ann.Channel != leg || ann.Media[0] != "recording:"+rec.Rec.Name {
				t.Fatalf("announcement %+v", ann)
			}
			out = h.in(pbx.DTMFReceived{Channel: leg, Digit: tt.digit})
			if tt.want == "bridged" {
				find[cmdBridge](t, out)
				return
			}
			if hu := find[cmdHangup](t, out); hu.Channel != leg {
				t.Fatalf("declined: hung up %s", hu.Channel)
			}
			if p := h.ivrPath(); p[len(p)-1] != tt.want {
				t.Fatalf("path %v", p)
			}
		})
	}
}

func TestSurveyAfterTheAgentHangsUp(t *testing.T) {
	h := newIVR(t)
	h.signIn("a1")
	h.arriveAtCollect("c1")
	h.advance(6 * time.Second)
	out := h.in(TimerFired{Name: "menu:call-1"}) // no extension typed: the queue
	leg := find[cmdOriginate](t, out).Req.Channel
	h.in(pbx.LegAnswered{Channel: leg})
	h.advance(time.Minute)
	out = h.in(pbx.ChannelHungUp{Channel: leg, Cause: pbx.CauseNormal})
	if has[cmdHangup](out) {
		t.Fatal("the caller was hung up instead of surveyed")
	}
	if got := h.ended(); got.Outcome != OutcomeAnswered || got.HangupBy != "agent" {
		t.Fatalf("ended %+v", got)
	}
	if h.agent("a1").State != WrapUp {
		t.Fatalf("agent %s", h.agent("a1").State)
	}
	// The prompt goes after the bridge is destroyed, in the call's order
	// (a play racing the destroy is lost on Asterisk 22).
	destroy := find[cmdDestroyBridge](t, out)
	var prompt cmdPlay
	order := ""
	for _, c := range out.Commands {
		switch c := c.(type) {
		case cmdDestroyBridge:
			order += "destroy,"
		case cmdInCall:
			if p, ok := c.Cmd.(cmdPlay); ok && c.Key() == destroy.Key() {
				prompt, order = p, order+"play,"
			}
		case cmdPlay:
			t.Fatalf("the survey prompt %+v runs in the channel's order, beside the bridge's destroy", c)
		}
	}
	if order != "destroy,play," || prompt.Channel != "c1" {
		t.Fatalf("commands %v: order %q", out.Commands, order)
	}
	out = h.in(pbx.PlaybackFinished{PlaybackID: prompt.PlaybackID, Channel: "c1"})
	out = h.in(pbx.DTMFReceived{Channel: "c1", Digit: "4"})
	out = h.in(pbx.PlaybackFinished{PlaybackID: find[cmdPlay](t, out).PlaybackID, Channel: "c1"})
	find[cmdHangup](t, out)
	var s SurveyData
	if sv := h.recordsOf(EvCallSurvey); len(sv) != 1 || json.Unmarshal(sv[0], &s) != nil || s.Score != 4 || s.Agent != "a1" {
		t.Fatalf("survey %+v", s)
	}
	if n := len(h.recordsOf(EvCallEnded)); n != 1 {
		t.Fatalf("call.ended written %d times", n)
	}
}

func TestSetGotoCallback(t *testing.T) {
	h := newIVR(t)
	c := &call{id: "call-x", channel: "cx", caller: "138", flow: h.m.flows["main"], flowName: "main"}
	h.m.calls[c.id], h.m.byChannel[c.channel] = c, c
	out := h.m.Handle(h.now, pbx.DTMFReceived{}) // prime m.out
	_ = out
	var o Output
	h.m.now, h.m.out = h.now, &o
	h.m.enterNode(c, "setvar", "")
	h.m.out = nil
	if c.vars["who"] != "caller 138" || c.node != "cb" {
		t.Fatalf("vars %v node %s", c.vars, c.node)
	}
	var cb CallbackData
	for _, r := range o.Records {
		if r.Type == EvCallCallback {
			_ = json.Unmarshal(r.Data, &cb)
		}
	}
	if cb.Number != "138" {
		t.Fatalf("callback %+v", cb)
	}
}

func TestDirectoryByName(t *testing.T) {
	cfg := ivrConfig(t)
	cfg.Extensions["8003"] = &Extension{Endpoint: "PJSIP/1006", Name: "张伟", Spell: "Zhang Wei", Department: "sales"}
	cfg.Extensions["8004"] = &Extension{Endpoint: "PJSIP/1007", Name: "Wang Li", Department: "service"}
	cfg.Flows["main"].Nodes["ext"] = &Node{Directory: &DirectoryNode{Prompt: []string{"sound:dir-intro"}, Var: "ext", Next: "dial", OnNoMatch: "queue"}}
	cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ keys, want string }{
		{"942", "8003"}, // Z-H-A: Zhang
		{"926", "8004"}, // W-A-N: Wang
		{"111", "no_match>queue"},
		{"9#", "8003"}, // # ends early: the lowest match
	} {
		t.Run(tt.keys, func(t *testing.T) {
			h := &harness{t: t, m: NewMachine(cfg, SequentialIDs(), slog.New(slog.NewTextHandler(io.Discard, nil))),
				now: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
			h.arriveAtCollect("c1")
			out := h.digits("c1", tt.keys)
			path := h.ivrPath()
			if tt.want == "no_match>queue" {
				if path[len(path)-1] != tt.want {
					t.Fatalf("path %v", path)
				}
				return
			}
			if h.m.byChannel["c1"].vars["ext"] != tt.want {
				t.Fatalf("matched %q, want %s (path %v)", h.m.byChannel["c1"].vars["ext"], tt.want, path)
			}
			find[cmdOriginate](t, out)
		})
	}
	if k := keyed("Zhang Wei"); k != "94264934" {
		t.Fatalf("keyed %s", k)
	}
}
