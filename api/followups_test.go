package api

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"switchboard/followups"
	"switchboard/routing"
)

// newFollowUpHarness: the harness with a follow-ups service; a1 and a3
// are in team front, a2 in team back.
func newFollowUpHarness(t testing.TB) (*harness, *ticketLog) {
	h := newHarness(t)
	h.agents.agents["a1"].Team = "front"
	h.agents.agents["a3"].Team = "front"
	h.agents.agents["a2"].Team = "back"
	l := &ticketLog{now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	cfg := followups.Config{DueWithin: routing.Duration(72 * time.Hour), MaxAttempts: 3, RetryAfter: routing.Duration(time.Hour),
		AppointmentWindow: followups.Window{From: "09:00", To: "11:00"}}
	svc := followups.NewService(cfg, []string{"resolved", "complaint"}, time.UTC, l.submit, l.clock, nil)
	h.srv = New(Config{Accounts: fakeAccounts{}, Audit: h.store, FollowUps: svc}, h.agents, h.store,
		slog.New(slog.NewTextHandler(h.logs, nil)), prometheus.NewRegistry(), nil)
	h.h = h.srv.Handler()
	return h, l
}

func TestFollowUpsCreateAttemptScope(t *testing.T) {
	h, l := newFollowUpHarness(t)
	h.token = "role:team_lead:lead:front"
	r := h.do(t, "POST", "/api/v1/followups", `{"customer":"42","call":"c1","disposition":"resolved"}`)
	if r.Code != 201 {
		t.Fatalf("create: %d %s", r.Code, r.Body)
	}
	f := decode[followups.Task](t, r)
	if f.ID != "F000001" || f.Team != "front" || f.Source != "lead" || !f.Due.Equal(l.now.Add(72*time.Hour)) {
		t.Fatalf("task %+v", f)
	}
	h.token = "role:supervisor"
	if r := h.do(t, "POST", "/api/v1/followups", `{"customer":"43","agent":"a2"}`); r.Code != 201 {
		t.Fatalf("create 2: %d %s", r.Code, r.Body)
	}
	for _, tc := range []struct {
		token string
		want  int
	}{
		{"role:agent:a1:front", 1},
		{"role:agent:a2:back", 1},
		{"role:team_lead:lead:front", 1},
		{"role:supervisor", 2},
		{"role:quality", 2},
	} {
		h.token = tc.token
		r := h.do(t, "GET", "/api/v1/followups", "")
		if p := decode[followupPage](t, r); r.Code != 200 || p.Total != tc.want {
			t.Errorf("%s lists %d %s, want %d", tc.token, r.Code, r.Body, tc.want)
		}
	}
	h.token = "role:agent:a2:back"
	if r := h.do(t, "GET", "/api/v1/followups/F000001", ""); r.Code != 404 {
		t.Fatalf("out-of-scope get: %d", r.Code)
	}
	h.token = "role:agent:a1:front"
	r = h.do(t, "POST", "/api/v1/followups/F000001/attempts", `{"outcome":"reached","result":"satisfied","satisfaction":4,"notes":"fine"}`)
	if r.Code != 200 {
		t.Fatalf("attempt: %d %s", r.Code, r.Body)
	}
	if f := decode[followups.Task](t, r); f.State != followups.StateClosed || f.Reason != followups.ClosedReached || f.Attempts[0].Satisfaction != 4 {
		t.Fatalf("after reached: %+v", f)
	}
	n := len(l.recs)
	r = h.do(t, "POST", "/api/v1/followups/F000001/attempts", `{"outcome":"no_answer"}`)
	if e := errorOf(t, r); r.Code != 409 || e.Code != CodeInvalidTransition {
		t.Fatalf("attempt on closed: %d %s", r.Code, r.Body)
	}
	if len(l.recs) != n {
		t.Fatal("a refused attempt wrote a record")
	}
	h.token = "role:agent:a2:back"
	if r := h.do(t, "POST", "/api/v1/followups/F000002/reassign", `{"team":"front"}`); r.Code != 403 {
		t.Fatalf("agent reassigns: %d", r.Code)
	}
	h.token = "role:team_lead:lead:front"
	if r := h.do(t, "POST", "/api/v1/followups/F000002/reassign", `{"team":"front"}`); r.Code != 404 {
		t.Fatalf("lead reassigns another team's: %d", r.Code)
	}
	h.token = "role:supervisor"
	if r := h.do(t, "POST", "/api/v1/followups/F000002/reassign", `{"agent":"a3"}`); r.Code != 200 {
		t.Fatalf("supervisor reassigns: %d %s", r.Code, r.Body)
	}
	l.now = l.now.Add(100 * time.Hour)
	if p := decode[followupPage](t, h.do(t, "GET", "/api/v1/followups?overdue=true", "")); p.Total != 1 || p.FollowUps[0].ID != "F000002" || !p.FollowUps[0].OverdueNow {
		t.Fatalf("overdue: %+v", p)
	}
}

func TestFollowUpsBadInputNamesField(t *testing.T) {
	h, l := newFollowUpHarness(t)
	h.token = "role:supervisor"
	if r := h.do(t, "POST", "/api/v1/followups", `{"customer":"42"}`); r.Code != 201 {
		t.Fatalf("create: %d %s", r.Code, r.Body)
	}
	past := l.now.Add(-time.Hour).Format(time.RFC3339)
	for _, tc := range []struct{ method, path, body, field string }{
		{"POST", "/api/v1/followups", `{"customer":"42","due":"` + past + `"}`, "due"},
		{"POST", "/api/v1/followups", `{"customer":"42","disposition":"nope"}`, "disposition"},
		{"POST", "/api/v1/followups", `{"call":"c1"}`, "customer"},
		{"POST", "/api/v1/followups", `{"customer":"42","team":"nowhere"}`, "team"},
		{"POST", "/api/v1/followups", `{"customer":"42","agent":"zz"}`, "agent"},
		{"POST", "/api/v1/followups", `{"customer":"42","colour":"red"}`, "colour"},
		{"POST", "/api/v1/followups/F000001/attempts", `{"outcome":"reached","result":"satisfied","satisfaction":6}`, "satisfaction"},
		{"POST", "/api/v1/followups/F000001/attempts", `{"outcome":"reached","result":"satisfied"}`, "satisfaction"},
		{"POST", "/api/v1/followups/F000001/attempts", `{"outcome":"lost"}`, "outcome"},
		{"POST", "/api/v1/followups/F000001/attempts", `{"outcome":"reached","result":"call_later","later":"` + past + `"}`, "later"},
		{"POST", "/api/v1/followups/F000001/reassign", `{}`, "team"},
		{"POST", "/api/v1/appointments", `{"customer":"42","at":"` + past + `","team":"front"}`, "at"},
		{"POST", "/api/v1/appointments", `{"customer":"42","at":"2026-03-04T15:00:00Z"}`, "team"},
		{"POST", "/api/v1/appointments", `{"at":"2026-03-04T15:00:00Z","team":"front"}`, "customer"},
		{"POST", "/api/v1/appointments", `{"customer":"42","call":"c1","at":"2026-03-04T15:00:00Z","team":"front"}`, "customer"},
		{"GET", "/api/v1/appointments/slots?date=tomorrow", "", "date"},
		{"GET", "/api/v1/followups?state=lost", "", "state"},
		{"GET", "/api/v1/followups?overdue=maybe", "", "overdue"},
		{"GET", "/api/v1/followups?offset=-1", "", "offset"},
	} {
		n := len(l.recs)
		r := h.do(t, tc.method, tc.path, tc.body)
		if e := errorOf(t, r); r.Code != 400 || e.Field != tc.field {
			t.Errorf("%s %s %s: %d field %q, want 400 %q", tc.method, tc.path, tc.body, r.Code, e.Field, tc.field)
		}
		if len(l.recs) != n {
			t.Errorf("%s %s: refused but wrote a record", tc.method, tc.path)
		}
	}
}

func TestAppointmentsBookAndReschedule(t *testing.T) {
	h, _ := newFollowUpHarness(t)
	h.token = "role:agent:a1:front"
	r := h.do(t, "POST", "/api/v1/appointments", `{"customer":"42","at":"2026-03-04T15:00:00Z","topic":"meter"}`)
	if r.Code != 201 {
		t.Fatalf("book: %d %s", r.Code, r.Body)
	}
	a := decode[followups.Appointment](t, r)
	if a.Agent != "a1" || a.Task == "" {
		t.Fatalf("appointment %+v", a)
	}
	task := decode[followups.Task](t, h.do(t, "GET", "/api/v1/followups/"+a.Task, ""))
	if task.NotBefore.Format(time.RFC3339) != "2026-03-04T09:00:00Z" || task.Due.Format(time.RFC3339) != "2026-03-04T11:00:00Z" {
		t.Fatalf("task window %v-%v", task.NotBefore, task.Due)
	}
	r = h.do(t, "POST", "/api/v1/appointments/"+a.ID+"/reschedule", `{"at":"2026-03-06T10:00:00Z"}`)
	if r.Code != 200 {
		t.Fatalf("reschedule: %d %s", r.Code, r.Body)
	}
	if a := decode[followups.Appointment](t, r); len(a.Moves) != 1 {
		t.Fatalf("history: %+v", a)
	}
	task = decode[followups.Task](t, h.do(t, "GET", "/api/v1/followups/"+a.Task, ""))
	if task.Due.Format(time.RFC3339) != "2026-03-06T11:00:00Z" {
		t.Fatalf("task not moved: %v", task.Due)
	}
	h.token = "role:agent:a2:back"
	if r := h.do(t, "POST", "/api/v1/appointments/"+a.ID+"/reschedule", `{"at":"2026-03-07T10:00:00Z"}`); r.Code != 404 {
		t.Fatalf("out of scope reschedule: %d", r.Code)
	}
	if p := decode[appointmentPage](t, h.do(t, "GET", "/api/v1/appointments?customer=42", "")); len(p.Appointments) != 0 {
		t.Fatalf("out of scope list: %+v", p)
	}
}

// TestAppointmentFromFollowUpAndConflict: the desk books a callback from
// a follow-up (its customer and call, not a number it may show masked);
// a second one of the agent's at the same time is refused 409 naming the
// other, nothing written; the picker marks that time taken.
func TestAppointmentFromFollowUpAndConflict(t *testing.T) {
	h, l := newFollowUpHarness(t)
	h.token = "role:supervisor"
	if r := h.do(t, "POST", "/api/v1/followups", `{"customer":"42","call":"c1","agent":"a1"}`); r.Code != 201 {
		t.Fatalf("create: %d %s", r.Code, r.Body)
	}
	h.token = "role:agent:a1:front"
	r := h.do(t, "POST", "/api/v1/appointments", `{"followup":"F000001","at":"2026-03-02T15:00:00Z","callback":true}`)
	if r.Code != 201 {
		t.Fatalf("book: %d %s", r.Code, r.Body)
	}
	a := decode[followups.Appointment](t, r)
	task := decode[followups.Task](t, h.do(t, "GET", "/api/v1/followups/"+a.Task, ""))
	if a.Customer != "42" || a.Call != "c1" || !a.Callback || a.Agent != "a1" || task.Call != "c1" ||
		task.NotBefore.Format(time.RFC3339) != "2026-03-02T15:00:00Z" {
		t.Fatalf("appointment %+v task %+v", a, task)
	}
	n := len(l.recs)
	r = h.do(t, "POST", "/api/v1/appointments", `{"customer":"43","at":"2026-03-02T15:10:00Z"}`)
	if e := errorOf(t, r); r.Code != 409 || e.Field != "at" || !strings.Contains(e.Message, a.ID) {
		t.Fatalf("conflict: %d %+v", r.Code, e)
	}
	if len(l.recs) != n {
		t.Fatal("a refused booking wrote records")
	}
	r = h.do(t, "GET", "/api/v1/appointments/slots?date=2026-03-02", "")
	p := decode[slotPage](t, r)
	taken := ""
	for _, s := range p.Slots {
		if !s.Free {
			taken += s.At.UTC().Format("15:04") + " "
		}
	}
	if r.Code != 200 || p.Agent != "a1" || len(p.Slots) == 0 || !strings.Contains(taken, "15:00") || p.Slots[0].At.Before(l.now) {
		t.Fatalf("slots %d %+v (taken %q)", r.Code, p, taken)
	}
	if r := h.do(t, "GET", "/api/v1/appointments/slots?date=2026-03-02&agent=a3", ""); r.Code != 403 {
		t.Fatalf("another agent's slots: %d", r.Code)
	}
	h.token = "role:agent:a2:back"
	if r := h.do(t, "POST", "/api/v1/appointments", `{"followup":"F000001","at":"2026-03-03T15:00:00Z"}`); r.Code != 404 {
		t.Fatalf("booking from another team's follow-up: %d", r.Code)
	}
}

// FuzzFollowUpBodies: no body makes a follow-up route answer 5xx or an
// error that is not the JSON error shape.
func FuzzFollowUpBodies(f *testing.F) {
	paths := []string{"/api/v1/followups", "/api/v1/followups/F000001/attempts", "/api/v1/followups/F000001/reassign",
		"/api/v1/appointments", "/api/v1/appointments/A000001/reschedule"}
	f.Add(uint8(0), `{"customer":"42","due":"2027-01-01T00:00:00Z"}`)
	f.Add(uint8(1), `{"outcome":"reached","result":"call_later","later":"2027-01-01T00:00:00Z"}`)
	f.Add(uint8(1), `{"outcome":"busy"}`)
	f.Add(uint8(2), `{"team":"front"}`)
	f.Add(uint8(3), `{"customer":"42","at":"2027-01-01T15:00:00Z","agent":"a1"}`)
	f.Add(uint8(4), `{"at":"2027-01-02T15:00:00Z"}`)
	f.Add(uint8(1), `{"satisfaction":"4"}`)
	f.Add(uint8(3), `{"followup":"F000001","at":"2027-01-01T15:00:00Z","agent":"a1","callback":true}`)
	f.Add(uint8(3), `{"call":"c9","followup":"F000001","at":"2027-01-01T15:00:00Z"}`)
	h, _ := newFollowUpHarness(f)
	h.token = "role:supervisor"
	h.do(f, "POST", "/api/v1/followups", `{"customer":"seed"}`)
	h.do(f, "POST", "/api/v1/appointments", `{"customer":"seed","at":"2027-01-01T15:00:00Z","team":"front"}`)
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

func TestFollowUpReportRoute(t *testing.T) {
	h, _ := newFollowUpHarness(t)
	h.token = "role:supervisor"
	r := h.do(t, "GET", "/api/v1/followups/report?period=custom&from=2026-03-02&to=2026-03-08", "")
	if r.Code != 200 {
		t.Fatalf("report %d %s", r.Code, r.Body)
	}
	if tb := decode[struct{ Report string }](t, r); tb.Report != "followups" {
		t.Fatalf("report %s", r.Body)
	}
	csv := h.do(t, "GET", "/api/v1/followups/report?group=team&format=csv", "")
	if csv.Code != 200 || !strings.HasPrefix(csv.Hdr.Get("Content-Type"), "text/csv") || !strings.Contains(string(csv.Body), "Followed up within 72 h") {
		t.Fatalf("csv %d %s", csv.Code, csv.Body)
	}
	if r := h.do(t, "GET", "/api/v1/followups/report?group=queue", ""); r.Code != 400 || errorOf(t, r).Field != "group" {
		t.Fatalf("bad group: %d %s", r.Code, r.Body)
	}
	h.token = "role:agent:a1:front"
	if r := h.do(t, "GET", "/api/v1/followups/report", ""); r.Code != 403 {
		t.Fatalf("agent reads the report: %d", r.Code)
	}
}
