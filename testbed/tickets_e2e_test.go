//go:build e2e

package testbed

import (
	"slices"
	"strconv"
	"testing"
	"time"
)

// ticketsConfig: deskConfig's call path, a complaint disposition that
// opens a ticket, and a category with a dispatch SLA short enough to see
// a ticket left alone go overdue.
const ticketsConfig = deskConfig + `  - {code: complaint, zh: 投诉, en: Complaint}
tickets:
  from_dispositions: {complaint: complaint}
  categories:
    - {name: complaint, zh: 投诉, en: Complaint, dispatch_within: 60m, resolve_within: 72h}
    - {name: quick, zh: 急, en: Quick, dispatch_within: 3s}
`

type ticketView struct {
	ID, Customer, Category, State, Source, Team, Agent string
	CreatedBy                                          string `json:"created_by"`
	Calls                                              []string
	Overdue                                            bool
	DispatchDue                                        time.Time `json:"dispatch_due"`
	History                                            []struct {
		By, Action, From, To, Team string
	}
}

type ticketPageView struct {
	Tickets []ticketView
	Total   int
}

func (s *sb) tickets(query string) ticketPageView {
	s.t.Helper()
	var p ticketPageView
	if code := s.do("GET", "/api/v1/tickets"+query, nil, &p); code != 200 {
		s.t.Fatalf("tickets%s: %d", query, code)
	}
	return p
}

// A call wrapped up as a complaint opens a ticket linked to the call and
// its customer; a second ticket left alone goes overdue after its SLA
// (ticket.overdue in the log); a restart keeps both, deadlines and all.
func TestE2ETickets(t *testing.T) {
	p := StartPBX(t)
	s := startSwitchboardWith(t, p, ticketsConfig)
	StartPhone(t, p, 1, Answer(500*time.Millisecond))
	s.signIn("1001")
	var cust struct{ ID int64 }
	if code := s.do("POST", "/api/v1/customers", map[string]any{"name": "Wang", "numbers": []string{"138-0013-8000"}}, &cust); code != 201 {
		t.Fatalf("customer: %d", code)
	}
	run := caller(p, "1", Pause(3*time.Second), HangUp()).Start(t)
	id := s.onCall("1001", 10*time.Second)
	if res := run.Wait(); res.Err != nil {
		t.Fatalf("caller: %v\n%s", res.Err, res.ErrorLog)
	}
	s.eventually(5*time.Second, "1001 in wrap-up", func() bool { return s.agent("1001").State == "wrap_up" })
	if code := s.do("POST", "/api/v1/calls/"+id+"/wrap-up", map[string]any{"agent": "1001", "disposition": "complaint", "notes": "billed twice"}, nil); code != 200 {
		t.Fatalf("wrap-up: %d", code)
	}
	var complaint ticketView
	s.eventually(10*time.Second, "a ticket from the complaint wrap-up", func() bool {
		pg := s.tickets("?category=complaint")
		if len(pg.Tickets) == 1 {
			complaint = pg.Tickets[0]
		}
		return len(pg.Tickets) == 1
	})
	if complaint.Source != "wrapup" || !slices.Equal(complaint.Calls, []string{id}) || complaint.State != "new" ||
		complaint.CreatedBy != "1001" || complaint.Customer != strconv.FormatInt(cust.ID, 10) || complaint.Overdue {
		t.Fatalf("complaint ticket %+v (customer %d)", complaint, cust.ID)
	}

	var quick ticketView
	if code := s.do("POST", "/api/v1/tickets", map[string]any{"customer": "42", "category": "quick", "description": "left alone"}, &quick); code != 201 {
		t.Fatalf("create: %d", code)
	}
	var e struct{ Error struct{ Code, Field string } }
	if code := s.do("POST", "/api/v1/tickets", map[string]any{"customer": "42", "category": "nope"}, &e); code != 400 || e.Error.Field != "category" {
		t.Fatalf("unknown category: %d %+v", code, e)
	}
	if code := s.do("POST", "/api/v1/tickets/"+complaint.ID+"/transitions", map[string]any{"action": "resolve"}, &e); code != 409 {
		t.Fatalf("resolve a new ticket: %d %+v", code, e)
	}
	s.eventually(20*time.Second, "the quick ticket overdue and alerted", func() bool {
		pg := s.tickets("?overdue=true")
		var list eventList
		s.do("GET", "/api/v1/events?type=ticket.overdue", nil, &list)
		return len(pg.Tickets) == 1 && pg.Tickets[0].ID == quick.ID && len(list.Events) == 1
	})
	if code := s.do("POST", "/api/v1/tickets/"+complaint.ID+"/transitions", map[string]any{"action": "dispatch", "team": "front"}, nil); code != 200 {
		t.Fatalf("dispatch: %d", code)
	}

	s.stop()
	s.start()
	var got ticketView
	if code := s.do("GET", "/api/v1/tickets/"+complaint.ID, nil, &got); code != 200 || got.State != "dispatched" || got.Team != "front" ||
		len(got.History) != 1 || !got.DispatchDue.Equal(complaint.DispatchDue) {
		t.Fatalf("complaint after restart: %d %+v", code, got)
	}
	if pg := s.tickets("?overdue=true"); len(pg.Tickets) != 1 || pg.Tickets[0].ID != quick.ID {
		t.Fatalf("overdue after restart: %+v", pg)
	}
	var list eventList
	s.do("GET", "/api/v1/events?type=ticket.overdue", nil, &list)
	if len(list.Events) != 1 {
		t.Fatalf("%d ticket.overdue records after restart, want the one", len(list.Events))
	}
}

// TestBrowserLeadDispatchesTicket: a complaint wrap-up on the real
// Asterisk opens a ticket; a second ticket, left alone, goes overdue; the
// team lead sees it in the overdue list and dispatches the complaint in
// Chromium by keyboard; a third going overdue while the page is open
// alerts the lead (live feed); when the customer calls again the agent's
// desk shows the ticket in the customer's timeline; the log and the
// audit have it.
func TestBrowserLeadDispatchesTicket(t *testing.T) {
	p := StartPBX(t)
	s := startSwitchboardWith(t, p, ticketsConfig)
	leadPW := s.user("lena", "team_lead", "", "front")
	agentPW := s.user("ada", "agent", "1001", "front")
	StartPhone(t, p, 1, Answer(500*time.Millisecond))
	s.signIn("1001")
	if code := s.do("POST", "/api/v1/customers", map[string]any{"name": "Wang", "numbers": []string{"138-0013-8000"}}, nil); code != 201 {
		t.Fatalf("customer: %d", code)
	}
	run := caller(p, "1", Pause(2*time.Second), HangUp()).Start(t)
	id := s.onCall("1001", 10*time.Second)
	if res := run.Wait(); res.Err != nil {
		t.Fatalf("caller: %v\n%s", res.Err, res.ErrorLog)
	}
	s.eventually(5*time.Second, "1001 in wrap-up", func() bool { return s.agent("1001").State == "wrap_up" })
	if code := s.do("POST", "/api/v1/calls/"+id+"/wrap-up", map[string]any{"agent": "1001", "disposition": "complaint"}, nil); code != 200 {
		t.Fatalf("wrap-up: %d", code)
	}
	var complaint ticketView
	s.eventually(10*time.Second, "a ticket from the complaint wrap-up", func() bool {
		pg := s.tickets("?category=complaint")
		if len(pg.Tickets) == 1 {
			complaint = pg.Tickets[0]
		}
		return len(pg.Tickets) == 1
	})
	var quick ticketView
	if code := s.do("POST", "/api/v1/tickets", map[string]any{"customer": "42", "category": "quick"}, &quick); code != 201 {
		t.Fatalf("create: %d", code)
	}
	s.eventually(20*time.Second, "the quick ticket overdue", func() bool {
		pg := s.tickets("?overdue=true")
		return len(pg.Tickets) == 1 && pg.Tickets[0].ID == quick.ID
	})

	b := runBrowser(t, s, "tickets.mjs", "SB_LEAD_PW="+leadPW, "SB_AGENT_PW="+agentPW, "SB_COMPLAINT="+complaint.ID, "SB_QUICK="+quick.ID)
	b.step("dispatched", time.Minute, nil)
	var third ticketView
	if code := s.do("POST", "/api/v1/tickets", map[string]any{"customer": "43", "category": "quick"}, &third); code != 201 {
		t.Fatalf("create: %d", code)
	}
	b.send(third.ID)
	b.step("alerted", time.Minute, nil)
	b.step("desk", time.Minute, nil)
	again := caller(p, "1", Pause(8*time.Second), HangUp()).Start(t)
	b.step("timeline", time.Minute, nil)
	b.finish(30 * time.Second)
	if res := again.Wait(); res.Err != nil {
		t.Fatalf("second call: %v\n%s", res.Err, res.ErrorLog)
	}
	var fromDesk ticketView
	if code := s.do("GET", "/api/v1/tickets/T000004", nil, &fromDesk); code != 200 || fromDesk.Source != "desk" || fromDesk.CreatedBy != "1001" ||
		len(fromDesk.Calls) != 1 || fromDesk.Customer != complaint.Customer {
		t.Fatalf("ticket from the desk: %d %+v", code, fromDesk)
	}

	var got ticketView
	if code := s.do("GET", "/api/v1/tickets/"+complaint.ID, nil, &got); code != 200 || got.State != "dispatched" || got.Team != "front" ||
		len(got.History) != 1 || got.History[0].By != "lena" {
		t.Fatalf("complaint after the browser: %d %+v", code, got)
	}
	var audit struct {
		Entries []struct {
			Actor, Action, Target string
			OK                    bool
		}
	}
	if code := s.do("GET", "/api/v1/audit?action=ticket.transition&actor=lena", nil, &audit); code != 200 || len(audit.Entries) != 1 ||
		audit.Entries[0].Target != complaint.ID || !audit.Entries[0].OK {
		t.Fatalf("audit: %d %+v", code, audit.Entries)
	}
}
