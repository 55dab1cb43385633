package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"switchboard/live"
	"switchboard/routing"
	"switchboard/routing/pbx"
	"switchboard/store"
	"switchboard/store/storetest"
)

// fakeRecordings is a pbx.RecordingFetcher over a map.
type fakeRecordings map[string][]byte

var errPBXDown = errors.New("ari: connection refused")

func (f fakeRecordings) FetchRecording(ctx context.Context, name string) (io.ReadCloser, error) {
	if name == "msg-boom" {
		return nil, errPBXDown
	}
	b, ok := f[name]
	if !ok {
		return nil, fmt.Errorf("recording %s: %w", name, fs.ErrNotExist)
	}
	return io.NopCloser(bytes.NewReader(b)), nil
}

var wav = []byte("RIFF\x24\x00\x00\x00WAVEfmt fake audio")

type msgHarness struct {
	*harness
	store *store.Store
	hub   *live.Hub
}

// engineAgents is the fake agents with a real routing engine marking
// messages handled, its journal the store teed to the live feed as in serve.
type engineAgents struct {
	*fakeAgents
	eng *routing.Engine
}

func (a engineAgents) MarkMessageHandled(ctx context.Context, r routing.MessageHandledRequest) error {
	return a.eng.MarkMessageHandled(ctx, r)
}

// idleSwitch is a PBX that never calls.
type idleSwitch struct{ pbx.Switch }

func (idleSwitch) Run(ctx context.Context, _ chan<- pbx.Event) error { <-ctx.Done(); return ctx.Err() }

// fixedClock stands the engine's time still at now.
type fixedClock struct{ now time.Time }

func (c fixedClock) Now() time.Time { return c.now }
func (fixedClock) AfterFunc(d time.Duration, f func()) func() bool {
	return time.AfterFunc(d, f).Stop
}

// startEngine runs a routing engine writing to j until the test ends.
func startEngine(t *testing.T, j routing.Journal, now time.Time) *routing.Engine {
	t.Helper()
	cfg := &routing.Config{Flows: map[string]*routing.Flow{"main": {Start: "bye", Nodes: map[string]*routing.Node{"bye": {Hangup: &struct{}{}}}}}}
	cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	eng := routing.NewEngine(cfg, idleSwitch{}, j, fixedClock{now}, routing.SequentialIDs(), slog.New(slog.DiscardHandler), nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- eng.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return eng
}

// msg is the call.message record of a message left for target.
func msg(sec int, call, id, target, kind string) *routing.Record {
	return rec(sec, routing.EvCallMessage, call, "", "", routing.MessageData{
		Recording: id, Target: target, TargetKind: kind, Caller: "+1555", DurationSeconds: 9})
}

// newMessageHarness: a server over a real store holding three messages
// (msg-c1 for agent 1001, msg-c2 for group sales, msg-c3 for 1001, whose
// recording the PBX lost, and msg-boom whose fetch fails); recordings nil
// leaves Config.Recordings unset.
func newMessageHarness(t *testing.T, recordings fakeRecordings) *msgHarness {
	t.Helper()
	st := storetest.New(t,
		msg(10, "c1", "msg-c1", "1001", "agent"),
		msg(20, "c2", "msg-c2", "sales", "group"),
		msg(30, "c3", "msg-c3", "1001", "agent"),
		msg(40, "c4", "msg-boom", "1002", "agent"),
	)
	hub := live.NewHub(64, nil, nil)
	eng := startEngine(t, live.Tee{Next: st, Hub: hub}, t0.Add(time.Hour))
	cfg := Config{Accounts: fakeAccounts{}, Audit: st, Live: hub}
	if recordings != nil {
		cfg.Recordings = recordings
	}
	srv := New(cfg, engineAgents{newFakeAgents(), eng}, st, nil, nil, nil)
	return &msgHarness{harness: &harness{srv: srv, h: srv.Handler(), store: st, token: "role:supervisor"}, store: st, hub: hub}
}

func TestMessagesList(t *testing.T) {
	h := newMessageHarness(t, nil)
	for _, tt := range []struct {
		query string
		want  string
	}{
		{"", "msg-boom msg-c3 msg-c2 msg-c1"},
		{"?target=1001", "msg-c3 msg-c1"},
		{"?target=1001&limit=1", "msg-c3"},
		{"?handled=true", ""},
		{"?handled=false&target=sales", "msg-c2"},
	} {
		r := h.do(t, "GET", "/api/v1/messages"+tt.query, "")
		if r.Code != 200 {
			t.Fatalf("%s: %d %s", tt.query, r.Code, r.Body)
		}
		body := decode[messageList](t, r)
		var got []string
		for _, m := range body.Messages {
			got = append(got, m.ID)
		}
		if strings.Join(got, " ") != tt.want || body.Messages == nil {
			t.Errorf("%s: %v, want %s", tt.query, got, tt.want)
		}
	}
	for _, tt := range []struct{ query, field string }{
		{"?handled=maybe", "handled"},
		{"?limit=0", "limit"},
		{"?status=open", "status"},
	} {
		r := h.do(t, "GET", "/api/v1/messages"+tt.query, "")
		if e := errorOf(t, r); r.Code != 400 || e.Field != tt.field {
			t.Errorf("%s: %d %+v, want 400 naming %s", tt.query, r.Code, e, tt.field)
		}
	}

	r := h.do(t, "GET", "/api/v1/messages/msg-c2", "")
	m := decode[store.Message](t, r)
	if r.Code != 200 || m.CallID != "c2" || m.Target != "sales" || m.TargetKind != "group" || m.HandledAt != nil {
		t.Errorf("msg-c2: %d %s", r.Code, r.Body)
	}
	r = h.do(t, "GET", "/api/v1/messages/nope", "")
	if e := errorOf(t, r); r.Code != 404 || e.Code != CodeNotFound {
		t.Errorf("unknown: %d %+v", r.Code, e)
	}
}

func TestMessageHandled(t *testing.T) {
	h := newMessageHarness(t, nil)
	// Someone else's name is refused: who handled it is the session's.
	r := h.do(t, "POST", "/api/v1/messages/msg-c1/handled", `{"by": "1001", "note": "called back"}`)
	if e := errorOf(t, r); r.Code != 400 || e.Field != "by" {
		t.Fatalf("a supervisor naming agent 1001: %d %+v", r.Code, e)
	}
	h.token = "role:agent:1001"
	r = h.do(t, "POST", "/api/v1/messages/msg-c1/handled", `{"note": "called back"}`)
	m := decode[store.Message](t, r)
	if r.Code != 200 || m.HandledAt == nil || !m.HandledAt.Equal(t0.Add(time.Hour)) || m.HandledBy != "1001" || m.Note != "called back" {
		t.Fatalf("handled: %d %s", r.Code, r.Body)
	}
	// The log holds it, on the message's call.
	evs, err := h.store.Events(t.Context(), store.EventFilter{CallID: "c1", TypePrefix: routing.EvMessageHandled})
	if err != nil || len(evs) != 1 || !strings.Contains(string(evs[0].Data), `"recording":"msg-c1"`) {
		t.Errorf("log: %v %+v", err, evs)
	}

	h.token = "role:supervisor"
	r = h.do(t, "POST", "/api/v1/messages/msg-c1/handled", `{}`)
	if e := errorOf(t, r); r.Code != 409 || e.Code != CodeAlreadyHandled || !strings.Contains(e.Message, "1001") {
		t.Errorf("twice: %d %+v", r.Code, e)
	}
	r = h.do(t, "GET", "/api/v1/messages?handled=true", "")
	if l := decode[messageList](t, r); len(l.Messages) != 1 || l.Messages[0].HandledBy != "1001" {
		t.Errorf("after a refused second mark: %s", r.Body)
	}

	for _, tt := range []struct {
		id, body string
		status   int
		code     string
		field    string
	}{
		{"nope", `{}`, 404, CodeNotFound, ""},
		{"msg-c2", `{"by": 1001}`, 400, CodeBadRequest, "by"},
		{"msg-c2", `{"by": "1002"}`, 400, CodeBadRequest, "by"},
		{"msg-c2", `{"not": "x"}`, 400, CodeBadRequest, "not"},
		{"msg-c2", `{"note": "` + strings.Repeat("x", maxNote+1) + `"}`, 400, CodeBadRequest, "note"},
		{"msg-c2", ``, 400, CodeBadRequest, ""},
		{"msg-c2", `{"note": "x"`, 400, CodeBadRequest, ""},
	} {
		r := h.do(t, "POST", "/api/v1/messages/"+tt.id+"/handled", tt.body)
		e := errorOf(t, r)
		if r.Code != tt.status || e.Code != tt.code || e.Field != tt.field {
			t.Errorf("%s %.40q: %d %+v, want %d %s field %q", tt.id, tt.body, r.Code, e, tt.status, tt.code, tt.field)
		}
	}
	if m, _ := h.store.Message(t.Context(), "msg-c2"); m.HandledAt != nil {
		t.Errorf("bad requests handled msg-c2: %+v", m)
	}
}

// The live feed shows message.handled: the engine wrote it, and the
// journal fanned it out once durable.
func TestMessageHandledOnLiveFeed(t *testing.T) {
	h := newMessageHarness(t, nil)
	ts := httptest.NewServer(h.h)
	t.Cleanup(ts.Close)
	feed := (&liveHarness{ts: ts}).connect(t, "role:supervisor", "", "")
	if r := h.do(t, "POST", "/api/v1/messages/msg-c2/handled", `{"by": "test-supervisor"}`); r.Code != 200 {
		t.Fatalf("handled: %d %s", r.Code, r.Body)
	}
	// The engine's own start-up records (config.applied) may still be
	// on their way when the feed connects: skip them, not the one wanted.
	var (
		ev  sseEvent
		rec routing.Record
	)
	for range 10 {
		ev = feed.next(t, "record")
		if err := json.Unmarshal([]byte(ev.Data), &rec); err != nil {
			t.Fatal(err)
		}
		if rec.Type != routing.EvConfigApplied {
			break
		}
	}
	var d routing.MessageHandledData
	if err := json.Unmarshal(rec.Data, &d); err != nil || rec.Type != routing.EvMessageHandled || rec.CallID != "c2" ||
		d.Recording != "msg-c2" || d.By != "test-supervisor" || ev.ID != strconv.FormatInt(rec.Seq, 10) {
		t.Fatalf("live record %s: %+v %+v", ev.Data, rec, d)
	}
}

// A server whose agent service cannot mark messages (no engine) says so.
func TestMessageHandledWithoutEngine(t *testing.T) {
	st := storetest.New(t, msg(10, "c1", "msg-c1", "1001", "agent"))
	srv := New(Config{Accounts: fakeAccounts{}, Audit: st}, newFakeAgents(), st, nil, nil, nil)
	h := &harness{srv: srv, h: srv.Handler(), store: st, token: "role:supervisor"}
	r := h.do(t, "POST", "/api/v1/messages/msg-c1/handled", `{}`)
	if e := errorOf(t, r); r.Code != 501 || e.Code != "not_configured" {
		t.Fatalf("%d %+v, want 501 not_configured", r.Code, e)
	}
	if m, _ := st.Message(t.Context(), "msg-c1"); m.HandledAt != nil {
		t.Fatalf("marked without an engine: %+v", m)
	}
}

// TestMessageHandledRace: clients marking the same message at once get
// one 200; the others 409, and the log holds one message.handled.
func TestMessageHandledRace(t *testing.T) {
	h := newMessageHarness(t, nil)
	const n = 8
	codes := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			req := httptest.NewRequest("POST", "/api/v1/messages/msg-c3/handled", strings.NewReader(fmt.Sprintf(`{"note": "try %d"}`, i)))
			req.Header.Set("Authorization", "Bearer "+h.token)
			w := httptest.NewRecorder()
			h.h.ServeHTTP(w, req)
			codes[i] = w.Code
		})
	}
	wg.Wait()
	ok := 0
	for _, c := range codes {
		switch c {
		case 200:
			ok++
		case 409:
		default:
			t.Errorf("status %d", c)
		}
	}
	evs, _ := h.store.Events(t.Context(), store.EventFilter{TypePrefix: routing.EvMessageHandled})
	if ok != 1 || len(evs) != 1 {
		t.Errorf("%d answered 200 (%v), %d records, want 1 and 1", ok, codes, len(evs))
	}
}

func TestMessageRecording(t *testing.T) {
	h := newMessageHarness(t, fakeRecordings{"msg-c1": wav})
	r := h.do(t, "GET", "/api/v1/messages/msg-c1/recording", "")
	if r.Code != 200 || !bytes.Equal(r.Body, wav) || r.Hdr.Get("Content-Type") != "audio/wav" ||
		r.Hdr.Get("Content-Disposition") != `inline; filename=msg-c1.wav` {
		t.Errorf("recording: %d %v %q", r.Code, r.Hdr, r.Body)
	}
	for _, tt := range []struct {
		id     string
		status int
		code   string
	}{
		{"nope", 404, CodeNotFound},
		{"msg-c3", 404, CodeNotFound},
		{"msg-boom", http.StatusBadGateway, "pbx_error"},
	} {
		r := h.do(t, "GET", "/api/v1/messages/"+tt.id+"/recording", "")
		if e := errorOf(t, r); r.Code != tt.status || e.Code != tt.code || strings.Contains(e.Message, "refused") {
			t.Errorf("%s: %d %+v, want %d %s", tt.id, r.Code, e, tt.status, tt.code)
		}
	}

	h = newMessageHarness(t, nil)
	r = h.do(t, "GET", "/api/v1/messages/msg-c1/recording", "")
	if e := errorOf(t, r); r.Code != http.StatusNotImplemented || e.Code != "not_configured" {
		t.Errorf("no fetcher: %d %+v", r.Code, e)
	}
	if r := h.do(t, "GET", "/api/v1/messages/nope/recording", ""); r.Code != 404 {
		t.Errorf("no fetcher, unknown message: %d", r.Code)
	}
}

// TestMessageAccessScope: a message and its recording are its target's
// (the agent, or the agents serving the target group), their team lead's
// and the supervisors'; anyone else gets 403 before the PBX is asked, and
// a listing shows only what the caller may open.
func TestMessageAccessScope(t *testing.T) {
	st := storetest.New(t,
		msg(10, "c1", "m-a1", "a1", "agent"),
		msg(20, "c2", "m-sales", "sales", "group"),
		msg(30, "c3", "m-ext", "8001", "extension"),
	)
	agents := newFakeAgents()
	agents.agents["a1"].Team = "front" // a1 serves support, a2 serves sales
	agents.agents["a2"].Team = "back"
	recs := fakeRecordings{"m-a1": wav, "m-sales": wav, "m-ext": wav}
	srv := New(Config{Now: func() time.Time { return t0.Add(time.Hour) }, Accounts: fakeAccounts{}, Audit: st, Recordings: recs},
		agents, st, nil, nil, nil)
	h := &harness{srv: srv, h: srv.Handler(), store: st}

	for _, tt := range []struct {
		token string
		may   string // the messages this caller may open, as listed
	}{
		{"role:agent:a1", "m-a1"},
		{"role:agent:a2", "m-sales"},
		{"role:agent:a3", ""},
		{"role:agent", ""},
		{"role:team_lead::front", "m-ext m-a1"}, // nobody in front serves sales
		{"role:team_lead::back", "m-ext m-sales"},
		{"role:supervisor", "m-ext m-sales m-a1"},
	} {
		h.token = tt.token
		r := h.do(t, "GET", "/api/v1/messages", "")
		if r.Code != 200 {
			t.Fatalf("%s: list %d %s", tt.token, r.Code, r.Body)
		}
		var listed []string
		for _, m := range decode[messageList](t, r).Messages {
			listed = append(listed, m.ID)
		}
		if strings.Join(listed, " ") != tt.may {
			t.Errorf("%s lists %v, want %q", tt.token, listed, tt.may)
		}
		for _, id := range []string{"m-a1", "m-sales", "m-ext"} {
			want := http.StatusForbidden
			if strings.Contains(" "+tt.may+" ", " "+id+" ") {
				want = http.StatusOK
			}
			for _, path := range []string{"/api/v1/messages/" + id, "/api/v1/messages/" + id + "/recording"} {
				if r := h.do(t, "GET", path, ""); r.Code != want {
					t.Errorf("%s GET %s: %d, want %d", tt.token, path, r.Code, want)
				}
			}
		}
	}
	// Quality inspectors and admins have no messages at all.
	for _, tok := range []string{"role:quality", "role:admin"} {
		h.token = tok
		if r := h.do(t, "GET", "/api/v1/messages/m-a1/recording", ""); r.Code != http.StatusForbidden {
			t.Errorf("%s: recording %d, want 403", tok, r.Code)
		}
	}
	// Each playback that was let through is audited; refusals never reached the PBX.
	entries, err := st.Audit(t.Context(), store.AuditFilter{Action: "recording.play", Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1+1+2+2+3 {
		t.Errorf("%d recording.play entries, want 9 (one per playback allowed)", len(entries))
	}
}
