package api

import (
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"switchboard/workforce"
)

var wfZone = time.FixedZone("+08:00", 8*3600)

// newWorkforceHarness: a1 and a3 in team front, a2 in back; the clock
// on 2026-12-10 (next month's deadline is the 29th).
func newWorkforceHarness(t testing.TB) (*harness, *ticketLog) {
	h := newHarness(t)
	h.agents.agents["a1"].Team = "front"
	h.agents.agents["a3"].Team = "front"
	h.agents.agents["a2"].Team = "back"
	l := &ticketLog{now: time.Date(2026, 12, 10, 9, 0, 0, 0, wfZone)}
	cfg := workforce.Config{TimeZone: "+08:00", Shifts: []workforce.ShiftConfig{
		{Name: "day", Start: "09:00", End: "17:00"}, {Name: "night", Start: "22:00", End: "06:00"}}}
	svc := workforce.NewService(cfg, workforce.Roster{"a1": "front", "a3": "front", "a2": "back"},
		[]workforce.Team{{Name: "front", MinReady: 1}, {Name: "back"}}, map[string]string{"2027-01-01": "元旦"}, l.submit, l.clock, nil)
	h.srv = New(Config{Accounts: fakeAccounts{}, Audit: h.store, Workforce: svc}, h.agents, h.store,
		slog.New(slog.NewTextHandler(h.logs, nil)), prometheus.NewRegistry(), nil)
	h.h = h.srv.Handler()
	return h, l
}

func TestWorkforceScheduleFlow(t *testing.T) {
	h, l := newWorkforceHarness(t)
	const lead = "role:team_lead:l1:front"
	body := `{"entries":[{"agent":"a1","date":"2027-01-04","shift":"day"},{"agent":"a3","date":"2027-01-04","shift":"night"}]}`
	for _, tc := range []struct {
		name, token, method, path, body string
		want                            int
		field                           string
	}{
		{"agent may not build", "role:agent:a1:front", "PUT", "/api/v1/schedules/front/2027-01", body, 403, ""},
		{"lead of another team", "role:team_lead:l2:back", "PUT", "/api/v1/schedules/front/2027-01", body, 403, ""},
		{"bad month", lead, "PUT", "/api/v1/schedules/front/2027-1", body, 400, "month"},
		{"overlapping shifts", lead, "PUT", "/api/v1/schedules/front/2027-01",
			`{"entries":[{"agent":"a1","date":"2027-01-04","shift":"night"},{"agent":"a1","date":"2027-01-04","shift":"night"}]}`, 400, "entries[1]"},
		{"agent of another team", lead, "PUT", "/api/v1/schedules/front/2027-01",
			`{"entries":[{"agent":"a2","date":"2027-01-04","shift":"day"}]}`, 400, "entries[0].agent"},
		{"unknown field", lead, "PUT", "/api/v1/schedules/front/2027-01", `{"entries":[],"x":1}`, 400, ""},
		{"publish before saving", lead, "POST", "/api/v1/schedules/front/2027-01/publish", "", 404, ""},
		{"save", lead, "PUT", "/api/v1/schedules/front/2027-01", body, 200, ""},
		{"a lead may not override", lead, "POST", "/api/v1/schedules/front/2027-01/publish", `{"override":true,"reason":"x"}`, 403, ""},
		{"publish", lead, "POST", "/api/v1/schedules/front/2027-01/publish", "", 200, ""},
		{"publish again", lead, "POST", "/api/v1/schedules/front/2027-01/publish", "", 409, "month"},
		{"save a published month", lead, "PUT", "/api/v1/schedules/front/2027-01", body, 400, "month"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h.token = tc.token
			r := h.do(t, tc.method, tc.path, tc.body)
			if r.Code != tc.want {
				t.Fatalf("%d %s", r.Code, r.Body)
			}
			if tc.field != "" {
				if e := errorOf(t, r); e.Field != tc.field {
					t.Fatalf("field %q, want %q: %s", e.Field, tc.field, r.Body)
				}
			}
		})
	}
	if es := auditOf(t, h, "schedule.publish"); len(es) != 3 {
		t.Errorf("publish audits: %d", len(es))
	}
	// The agent sees their published shift, with the holiday list.
	h.token = "role:agent:a1:front"
	r := h.do(t, "GET", "/api/v1/schedules/mine?month=2027-01", "")
	if r.Code != 200 || !strings.Contains(string(r.Body), `"shift":"day"`) || !strings.Contains(string(r.Body), "元旦") {
		t.Fatalf("mine: %d %s", r.Code, r.Body)
	}
	// Past the 29th: refused naming the rule; a supervisor overrides.
	l.mu.Lock()
	l.now = time.Date(2026, 12, 30, 9, 0, 0, 0, wfZone)
	l.mu.Unlock()
	h.token = "role:team_lead:l2:back"
	if r := h.do(t, "PUT", "/api/v1/schedules/back/2027-01", `{"entries":[{"agent":"a2","date":"2027-01-02","shift":"day"}]}`); r.Code != 200 {
		t.Fatalf("save back: %d %s", r.Code, r.Body)
	}
	r = h.do(t, "POST", "/api/v1/schedules/back/2027-01/publish", "")
	if e := errorOf(t, r); r.Code != 409 || e.Code != CodeDeadline || e.Field != "publish_by" {
		t.Fatalf("late: %d %s", r.Code, r.Body)
	}
	h.token = "role:supervisor"
	if r := h.do(t, "POST", "/api/v1/schedules/back/2027-01/publish", `{"override":true}`); r.Code != 400 || errorOf(t, r).Field != "reason" {
		t.Fatalf("no reason: %d %s", r.Code, r.Body)
	}
	if r := h.do(t, "POST", "/api/v1/schedules/back/2027-01/publish", `{"override":true,"reason":"new hires"}`); r.Code != 200 ||
		!strings.Contains(string(r.Body), `"late":true`) {
		t.Fatalf("override: %d %s", r.Code, r.Body)
	}
	var types []string
	for _, rec := range l.recs {
		types = append(types, rec.Type)
	}
	if strings.Join(types, ",") != "schedule.saved,schedule.published,schedule.saved,schedule.published" {
		t.Errorf("records %v", types)
	}
}

func TestWorkforceImportPerLine(t *testing.T) {
	h, _ := newWorkforceHarness(t)
	h.token = "role:team_lead:l1:front"
	do := func(csv string) response {
		req := httptest.NewRequestWithContext(t.Context(), "POST", "/api/v1/schedules/front/2027-01/import", strings.NewReader(csv))
		req.Header.Set("Content-Type", "text/csv")
		req.Header.Set("Authorization", "Bearer "+h.token)
		w := httptest.NewRecorder()
		h.h.ServeHTTP(w, req)
		return response{Code: w.Code, Body: w.Body.Bytes()}
	}
	r := do("agent,date,shift\na1,2027-01-04,day\na9,2027-01-04,day\na3,2027-01-04,late\nonly,two\n")
	if r.Code != 400 {
		t.Fatalf("%d %s", r.Code, r.Body)
	}
	b := decode[importErrors](t, r)
	got := map[int]string{}
	for _, le := range b.Lines {
		got[le.Line] = le.Field
	}
	if len(got) != 3 || got[3] != "agent" || got[4] != "shift" || got[5] != "line" || b.Error.Field != "body" {
		t.Fatalf("lines %+v", b.Lines)
	}
	if r := do("a1,2027-01-04,day\na3,2027-01-05,night\n"); r.Code != 200 || !strings.Contains(string(r.Body), `"state":"draft"`) {
		t.Fatalf("import: %d %s", r.Code, r.Body)
	}
}

func TestWorkforceAdherenceReport(t *testing.T) {
	h, l := newWorkforceHarness(t)
	h.token = "role:supervisor"
	if r := h.do(t, "PUT", "/api/v1/schedules/front/2027-01", `{"entries":[{"agent":"a1","date":"2027-01-04","shift":"day"}]}`); r.Code != 200 {
		t.Fatal(r.Code, string(r.Body))
	}
	if r := h.do(t, "POST", "/api/v1/schedules/front/2027-01/publish", ""); r.Code != 200 {
		t.Fatal(r.Code, string(r.Body))
	}
	l.mu.Lock()
	l.now = time.Date(2027, 1, 5, 9, 0, 0, 0, wfZone)
	l.mu.Unlock()
	h.token = "role:team_lead:l1:front"
	for _, tc := range []struct {
		q    string
		want int
	}{
		{"month=2027-01", 200}, {"month=2027-01&format=csv", 200}, {"month=2027-01&format=xlsx", 200},
		{"month=2027-01&group=queue", 400}, {"month=jan", 400}, {"month=2027-01&team=back", 403},
	} {
		if r := h.do(t, "GET", "/api/v1/workforce/adherence?"+tc.q, ""); r.Code != tc.want {
			t.Errorf("%s: %d %s", tc.q, r.Code, r.Body)
		}
	}
	r := h.do(t, "GET", "/api/v1/workforce/adherence?month=2027-01&format=csv", "")
	if !strings.Contains(string(r.Body), "a1") {
		t.Errorf("csv: %s", r.Body)
	}
	if r := h.do(t, "POST", "/api/v1/workforce/excuses", `{"agent":"a2","from":"2027-01-04T09:00:00+08:00","to":"2027-01-04T10:00:00+08:00","reason":"x"}`); r.Code != 403 {
		t.Errorf("excuse other team: %d", r.Code)
	}
	if r := h.do(t, "POST", "/api/v1/workforce/excuses", `{"agent":"a1","from":"2027-01-04T09:00:00+08:00","to":"2027-01-04T10:00:00+08:00","reason":"PC broke"}`); r.Code != 201 {
		t.Errorf("excuse: %d %s", r.Code, r.Body)
	}
	if es := auditOf(t, h, "schedule.excuse"); len(es) != 1 {
		t.Errorf("excuse audits %d", len(es))
	}
	if r := h.do(t, "GET", "/api/v1/workforce/floor", ""); r.Code != 200 || !strings.Contains(string(r.Body), `"team":"front"`) ||
		strings.Contains(string(r.Body), `"team":"back"`) {
		t.Errorf("floor: %d %s", r.Code, r.Body)
	}
}

// FuzzWorkforceBodies: no body makes a workforce route fail with 5xx, and
// every refusal is an error body.
func FuzzWorkforceBodies(f *testing.F) {
	routes := [][2]string{{"PUT", "/api/v1/schedules/front/2027-01"}, {"POST", "/api/v1/schedules/front/2027-01/publish"},
		{"POST", "/api/v1/workforce/excuses"}, {"POST", "/api/v1/schedules/front/2027-01/import"},
		{"POST", "/api/v1/leave"}, {"POST", "/api/v1/leave/L000001/decision"},
		{"POST", "/api/v1/swaps"}, {"POST", "/api/v1/swaps/S000001/decision"}, {"POST", "/api/v1/handovers"}}
	f.Add(uint8(0), `{"entries":[{"agent":"a1","date":"2027-01-04","shift":"day"}]}`)
	f.Add(uint8(1), `{"override":true,"reason":"r"}`)
	f.Add(uint8(2), `{"agent":"a1","from":"2026-12-01T09:00:00Z","to":"2026-12-01T10:00:00Z","reason":"x"}`)
	f.Add(uint8(3), "a1,2027-01-04,day\n")
	f.Add(uint8(4), `{"agent":"a1","from":"2026-12-14","to":"2026-12-15"}`)
	f.Add(uint8(5), `{"decision":"approve"}`)
	f.Add(uint8(8), `{"team":"front","date":"2027-01-04","shift":"day","items":[{"kind":"incident"}]}`)
	f.Add(uint8(6), `{"agent":"a1","date":"2027-01-04","with":"a3","with_date":"2027-01-05"}`)
	h, _ := newWorkforceHarness(f)
	h.token = "role:supervisor"
	f.Fuzz(func(t *testing.T, n uint8, body string) {
		rt := routes[int(n)%len(routes)]
		r := h.do(t, rt[0], rt[1], body)
		if r.Code >= 500 {
			t.Fatalf("%s %s %q: %d %s", rt[0], rt[1], body, r.Code, r.Body)
		}
		if r.Code >= 400 && r.Code != 404 {
			errorOf(t, r)
		}
	})
}
