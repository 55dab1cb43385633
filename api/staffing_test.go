package api

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"switchboard/report"
	"switchboard/workforce"
)

func TestStaffingRoute(t *testing.T) {
	h := newHarness(t)
	l := &ticketLog{now: time.Date(2026, 12, 10, 9, 0, 0, 0, wfZone)}
	cfg := workforce.Config{TimeZone: "+08:00", Shifts: []workforce.ShiftConfig{{Name: "day", Start: "09:00", End: "17:00"}}}
	svc := workforce.NewService(cfg, workforce.Roster{"a1": "front", "a2": "back"},
		[]workforce.Team{{Name: "front"}, {Name: "back"}}, nil, l.submit, l.clock, nil)
	load := func(_ context.Context, from, _ time.Time) ([]report.Load, error) {
		// 100 calls at 180 s in the 09:00 half hour of every earlier Monday.
		return []report.Load{{Start: from.Add(9 * time.Hour), Queue: "support", Offered: 100, Handled: 100, HandleS: 18000}}, nil
	}
	st := workforce.NewStaffer(svc, load, map[string]workforce.Target{"support": {Percent: 80, Within: 20 * time.Second}})
	h.srv = New(Config{Accounts: fakeAccounts{}, Audit: h.store, Workforce: svc, Staffing: st}, h.agents, h.store,
		slog.New(slog.NewTextHandler(h.logs, nil)), prometheus.NewRegistry(), nil)
	h.h = h.srv.Handler()
	for _, tc := range []struct {
		name, token, path string
		want              int
		field, body       string
	}{
		{"agent may not", "role:agent:a1:front", "/api/v1/workforce/staffing?date=2027-01-11", 403, "", ""},
		{"other team's lead", "role:team_lead:l1:front", "/api/v1/workforce/staffing?date=2027-01-11&team=back", 403, "", ""},
		{"bad date", "role:supervisor", "/api/v1/workforce/staffing?date=11.1.2027", 400, "date", ""},
		{"unknown team", "role:supervisor", "/api/v1/workforce/staffing?date=2027-01-11&team=x", 400, "team", ""},
		{"unknown parameter", "role:supervisor", "/api/v1/workforce/staffing?date=2027-01-11&q=1", 400, "", ""},
		{"lead: own team", "role:team_lead:l1:front", "/api/v1/workforce/staffing?date=2027-01-11", 200, "", `"team":"front"`},
		{"14 agents at 09:00", "role:supervisor", "/api/v1/workforce/staffing?date=2027-01-11", 200, "",
			`"start":"2027-01-11T09:00:00+08:00","calls":100,"aht_s":180,"required":14,"scheduled":0,"gap":-14`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h.token = tc.token
			r := h.do(t, "GET", tc.path, "")
			if r.Code != tc.want {
				t.Fatalf("%d %s", r.Code, r.Body)
			}
			if tc.field != "" {
				if e := errorOf(t, r); e.Field != tc.field {
					t.Fatalf("field %q, want %q", e.Field, tc.field)
				}
			}
			if tc.body != "" && !strings.Contains(string(r.Body), tc.body) {
				t.Fatalf("body %s lacks %s", r.Body, tc.body)
			}
		})
	}
}
