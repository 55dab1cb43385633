package api

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"switchboard/routing"
	"switchboard/tickets"
)

// ticketLog stands in for the engine loop and journal under the tickets
// service: decisions run at its now, their records are kept.
type ticketLog struct {
	mu   sync.Mutex
	now  time.Time
	recs []routing.Record
}

func (l *ticketLog) submit(_ context.Context, d routing.Decision) (any, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	recs, reply, err := d(l.now)
	if err != nil {
		return nil, err
	}
	for _, r := range recs {
		r.Time, r.Seq = l.now, int64(len(l.recs)+1)
		l.recs = append(l.recs, *r)
	}
	return reply, nil
}

func (l *ticketLog) clock() time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.now
}

// newTicketHarness: the harness with a tickets service; a1 and a3 are in
// team front, a2 in team back.
func newTicketHarness(t testing.TB) (*harness, *ticketLog) {
	h := newHarness(t)
	h.agents.agents["a1"].Team = "front"
	h.agents.agents["a3"].Team = "front"
	h.agents.agents["a2"].Team = "back"
	l := &ticketLog{now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	cfg := tickets.Config{Categories: []tickets.CategoryConfig{
		{Name: "complaint", DispatchWithin: routing.Duration(10 * time.Minute)}, {Name: "billing"}}}
	svc := tickets.NewService(cfg, nil, l.submit, l.clock, nil)
	h.srv = New(Config{Accounts: fakeAccounts{}, Audit: h.store, Tickets: svc}, h.agents, h.store,
		slog.New(slog.NewTextHandler(h.logs, nil)), prometheus.NewRegistry(), nil)
	h.h = h.srv.Handler()
	return h, l
}

func TestTicketsCreateAndScope(t *testing.T) {
	h, _ := newTicketHarness(t)
	h.token = "role:agent:a1:front"
	r := h.do(t, "POST", "/api/v1/tickets", `{"customer":"42","category":"complaint","description":"rude","calls":["c1"],"source":"desk"}`)
	if r.Code != 201 {
		t.Fatalf("create: %d %s", r.Code, r.Body)
	}
	tk := decode[tickets.Ticket](t, r)
	if tk.ID != "T000001" || tk.State != tickets.StateNew || tk.CreatedBy != "a1" || tk.Source != "desk" {
		t.Fatalf("ticket %+v", tk)
	}
	h.token = "role:supervisor"
	if r := h.do(t, "POST", "/api/v1/tickets", `{"customer":"43","category":"billing"}`); r.Code != 201 {
		t.Fatalf("create 2: %d %s", r.Code, r.Body)
	}
	for _, tc := range []struct {
		token string
		want  int
	}{
		{"role:agent:a1:front", 1}, // their own
		{"role:agent:a2:back", 0},
		{"role:team_lead:lead:front", 2}, // new tickets are every lead's to dispatch
		{"role:supervisor", 2},
		{"role:quality", 2},
	} {
		h.token = tc.token
		r := h.do(t, "GET", "/api/v1/tickets", "")
		if p := decode[ticketPage](t, r); r.Code != 200 || p.Total != tc.want || len(p.Tickets) != tc.want {
			t.Errorf("%s lists %d %s, want %d", tc.token, r.Code, r.Body, tc.want)
		}
	}
	h.token = "role:agent:a2:back"
	if r := h.do(t, "GET", "/api/v1/tickets/T000001", ""); r.Code != 404 {
		t.Fatalf("out-of-scope get: %d", r.Code)
	}
	h.token = "role:supervisor"
	if p := decode[ticketPage](t, h.do(t, "GET", "/api/v1/tickets?limit=1&offset=1", "")); p.Total != 2 || len(p.Tickets) != 1 || p.Tickets[0].ID != "T000002" {
		t.Fatalf("page 2: %+v", p)
	}
	var creates int
	for _, e := range h.audits(t) {
		if e.Action == "ticket.create" && e.OK {
			creates++
		}
	}
	if creates != 2 {
		t.Fatalf("%d ticket.create audits", creates)
	}
}

func TestTicketsBadInputNamesField(t *testing.T) {
	h, l := newTicketHarness(t)
	for _, tc := range []struct{ method, path, body, field string }{
		{"POST", "/api/v1/tickets", `{"customer":"42","category":"nope"}`, "category"},
		{"POST", "/api/v1/tickets", `{"category":"billing"}`, "customer"},
		{"POST", "/api/v1/tickets", `{"customer":"42","category":"billing","priority":"max"}`, "priority"},
		{"POST", "/api/v1/tickets", `{"customer":"42","category":"billing","source":"fax"}`, "source"},
		{"POST", "/api/v1/tickets", `{"customer":"42","category":"billing","calls":[""]}`, "calls"},
		{"POST", "/api/v1/tickets", `{"customer":"42","category":"billing","colour":"red"}`, "colour"},
		{"GET", "/api/v1/tickets?state=lost", "", "state"},
		{"GET", "/api/v1/tickets?category=nope", "", "category"},
		{"GET", "/api/v1/tickets?overdue=maybe", "", "overdue"},
		{"GET", "/api/v1/tickets?offset=-1", "", "offset"},
	} {
		r := h.do(t, tc.method, tc.path, tc.body)
		if e := errorOf(t, r); r.Code != 400 || e.Field != tc.field {
			t.Errorf("%s %s %s: %d field %q, want 400 %q", tc.method, tc.path, tc.body, r.Code, e.Field, tc.field)
		}
	}
	if len(l.recs) != 0 {
		t.Fatalf("refused input wrote %d records", len(l.recs))
	}
}

func TestTicketsTransitions(t *testing.T) {
	h, l := newTicketHarness(t)
	h.token = "role:supervisor"
	if r := h.do(t, "POST", "/api/v1/tickets", `{"customer":"42","category":"complaint"}`); r.Code != 201 {
		t.Fatalf("create: %d %s", r.Code, r.Body)
	}
	h.do(t, "POST", "/api/v1/tickets", `{"customer":"43","category":"complaint"}`)
	tr := func(token, id, body string) response {
		h.token = token
		return h.do(t, "POST", "/api/v1/tickets/"+id+"/transitions", body)
	}
	steps := []struct {
		token, body string
		code        int
		field       string
	}{
		{"role:agent:a1:front", `{"action":"dispatch","team":"front"}`, 404, ""}, // not yet theirs to see
		{"role:team_lead:lead:front", `{"action":"dispatch","team":"back"}`, 403, ""},
		{"role:team_lead:lead:front", `{"action":"dispatch","team":"nowhere"}`, 400, "team"},
		{"role:team_lead:lead:front", `{"action":"dispatch","agent":"zz"}`, 400, "agent"},
		{"role:team_lead:lead:front", `{"action":"dispatch"}`, 400, "team"},
		{"role:team_lead:lead:front", `{"action":"fly"}`, 400, "action"},
		{"role:team_lead:lead:front", `{"action":"close"}`, 409, "action"},
		{"role:team_lead:lead:front", `{"action":"dispatch","team":"front","note":"yours"}`, 200, ""},
		{"role:agent:a2:back", `{"action":"start"}`, 404, ""}, // not theirs to see
		{"role:agent:a1:front", `{"action":"start","team":"front"}`, 400, "team"},
		{"role:agent:a1:front", `{"action":"start"}`, 200, ""},
		{"role:agent:a1:front", `{"action":"resolve","note":"refunded"}`, 200, ""},
		{"role:agent:a1:front", `{"action":"close"}`, 403, ""},
		{"role:team_lead:lead:front", `{"action":"close"}`, 200, ""},
		{"role:team_lead:lead:front", `{"action":"resolve"}`, 409, "action"},
		{"role:supervisor", `{"action":"reopen"}`, 200, ""},
	}
	for i, s := range steps {
		r := tr(s.token, "T000001", s.body)
		if r.Code != s.code {
			t.Fatalf("step %d %s %s: %d %s, want %d", i, s.token, s.body, r.Code, r.Body, s.code)
		}
		if s.field != "" {
			if e := errorOf(t, r); e.Field != s.field {
				t.Fatalf("step %d: field %q, want %q", i, e.Field, s.field)
			}
		}
	}
	h.token = "role:supervisor"
	got := decode[tickets.Ticket](t, h.do(t, "GET", "/api/v1/tickets/T000001", ""))
	if got.State != tickets.StateInProgress || len(got.History) != 5 || got.History[0].By != "lead" ||
		got.History[0].Team != "front" || got.History[1].By != "a1" {
		t.Fatalf("history %+v", got)
	}
	// The second ticket, left alone past its 10-minute dispatch SLA, is overdue.
	l.mu.Lock()
	l.now = l.now.Add(11 * time.Minute)
	l.mu.Unlock()
	p := decode[ticketPage](t, h.do(t, "GET", "/api/v1/tickets?overdue=true", ""))
	if p.Total != 1 || p.Tickets[0].ID != "T000002" || !p.Tickets[0].OverdueNow {
		t.Fatalf("overdue %+v", p)
	}
	if r := h.do(t, "GET", "/api/v1/tickets/categories", ""); r.Code != 200 || !strings.Contains(string(r.Body), "complaint") {
		t.Fatalf("categories %d %s", r.Code, r.Body)
	}
}

func FuzzTicketBodies(f *testing.F) {
	paths := []string{"/api/v1/tickets", "/api/v1/tickets/T000001/transitions"}
	f.Add(uint8(0), `{"customer":"42","category":"complaint","calls":["c1"]}`)
	f.Add(uint8(1), `{"action":"dispatch","team":"front"}`)
	f.Add(uint8(1), `{"action":"close","note":"x"}`)
	f.Add(uint8(0), `{"customer":1}`)
	h, _ := newTicketHarness(f)
	h.do(f, "POST", "/api/v1/tickets", `{"customer":"seed","category":"billing"}`)
	f.Fuzz(func(t *testing.T, which uint8, body string) {
		r := h.do(t, "POST", paths[int(which)%len(paths)], body)
		if r.Code >= 500 {
			t.Fatalf("%q: %d %s", body, r.Code, r.Body)
		}
		if r.Code >= 400 {
			errorOf(t, r)
		}
	})
}

func TestTicketReportRoute(t *testing.T) {
	h, _ := newTicketHarness(t)
	h.do(t, "POST", "/api/v1/tickets", `{"customer":"42","category":"complaint"}`)
	r := h.do(t, "GET", "/api/v1/tickets/report?period=custom&from=2026-03-02&to=2026-03-02", "")
	tb := decode[struct {
		Report string
		Rows   []struct {
			Key    string
			Values []*float64
		}
	}](t, r)
	if r.Code != 200 || tb.Report != "tickets" || len(tb.Rows) != 2 || tb.Rows[1].Key != "complaint" || *tb.Rows[1].Values[0] != 1 {
		t.Fatalf("report %d %s", r.Code, r.Body)
	}
	csv := h.do(t, "GET", "/api/v1/tickets/report?group=team&period=custom&from=2026-03-02&to=2026-03-02&format=csv", "")
	if csv.Code != 200 || !strings.HasPrefix(csv.Hdr.Get("Content-Type"), "text/csv") || !strings.Contains(string(csv.Body), "Dispatched within SLA") ||
		!strings.Contains(string(csv.Body), tickets.NotDispatched) {
		t.Fatalf("csv %d %s", csv.Code, csv.Body)
	}
	xlsx := h.do(t, "GET", "/api/v1/tickets/report?format=xlsx", "")
	if xlsx.Code != 200 || len(xlsx.Body) < 100 || string(xlsx.Body[:2]) != "PK" {
		t.Fatalf("xlsx %d", xlsx.Code)
	}
	for _, q := range []string{"group=colour", "format=pdf", "period=someday", "colour=red"} {
		r := h.do(t, "GET", "/api/v1/tickets/report?"+q, "")
		if r.Code != 400 {
			t.Errorf("%s: %d", q, r.Code)
		}
	}
	h.token = "role:agent:a1:front"
	if r := h.do(t, "GET", "/api/v1/tickets/report", ""); r.Code != 403 {
		t.Fatalf("agent reads the report: %d", r.Code)
	}
}
