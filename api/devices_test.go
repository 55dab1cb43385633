package api

import (
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"switchboard/devices"
	"switchboard/routing"
)

func newDeviceHarness(t testing.TB) (*harness, *ticketLog, *devices.Service) {
	h := newHarness(t)
	l := &ticketLog{now: time.Date(2027, 3, 10, 9, 0, 0, 0, time.UTC)}
	svc := devices.NewService(time.UTC, l.submit, nil)
	h.srv = New(Config{Accounts: fakeAccounts{}, Audit: h.store, Devices: svc}, h.agents, h.store,
		slog.New(slog.NewTextHandler(h.logs, nil)), prometheus.NewRegistry(), nil)
	h.h = h.srv.Handler()
	return h, l, svc
}

func TestDeviceFlow(t *testing.T) {
	h, l, svc := newDeviceHarness(t)
	phone := `{"kind":"phone","ref":"PJSIP/1001","model":"Yealink T46","serial":"YL-1","seat":"A-01","purchased":"2027-01-05","installed":"2027-01-06"}`
	for _, tc := range []struct {
		name, token, method, path, body string
		want                            int
		field                           string
	}{
		{"agent may not read", "role:agent:a1:front", "GET", "/api/v1/devices", "", 403, ""},
		{"lead may not file", "role:team_lead:l1:front", "POST", "/api/v1/devices", phone, 403, ""},
		{"supervisor may not file", "role:supervisor", "POST", "/api/v1/devices", phone, 403, ""},
		{"bad kind", "role:admin", "POST", "/api/v1/devices", `{"kind":"toaster","model":"m","serial":"s"}`, 400, "kind"},
		{"phone without endpoint", "role:admin", "POST", "/api/v1/devices", `{"kind":"phone","model":"m","serial":"s"}`, 400, "ref"},
		{"unknown field", "role:admin", "POST", "/api/v1/devices", `{"kind":"phone","colour":"red"}`, 400, ""},
		{"file", "role:admin", "POST", "/api/v1/devices", phone, 201, ""},
		{"serial twice", "role:admin", "POST", "/api/v1/devices", phone, 400, "serial"},
		{"lead reads", "role:team_lead:l1:front", "GET", "/api/v1/devices/D000001", "", 200, ""},
		{"bad list kind", "role:supervisor", "GET", "/api/v1/devices?kind=x", "", 400, "kind"},
		{"lead may not log repairs", "role:team_lead:l1:front", "POST", "/api/v1/devices/D000001/maintenance", `{"kind":"repair","date":"2027-03-09","note":"cord"}`, 403, ""},
		{"future repair", "role:supervisor", "POST", "/api/v1/devices/D000001/maintenance", `{"kind":"repair","date":"2027-03-11","note":"cord"}`, 400, "date"},
		{"repair", "role:supervisor", "POST", "/api/v1/devices/D000001/maintenance", `{"kind":"repair","date":"2027-03-09","note":"cord"}`, 200, ""},
		{"unknown device", "role:supervisor", "POST", "/api/v1/devices/D9/maintenance", `{"kind":"repair","date":"2027-03-09","note":"x"}`, 404, ""},
		{"supervisor may not scrap", "role:supervisor", "POST", "/api/v1/devices/D000001/scrap", `{"reason":"old"}`, 403, ""},
		{"scrap without reason", "role:admin", "POST", "/api/v1/devices/D000001/scrap", `{}`, 400, "reason"},
		{"scrap", "role:admin", "POST", "/api/v1/devices/D000001/scrap", `{"reason":"cracked"}`, 200, ""},
		{"scrap twice", "role:admin", "POST", "/api/v1/devices/D000001/scrap", `{"reason":"again"}`, 409, "state"},
		{"repair a scrapped one", "role:supervisor", "POST", "/api/v1/devices/D000001/maintenance", `{"kind":"repair","date":"2027-03-09","note":"x"}`, 409, "state"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h.token = tc.token
			r := h.do(t, tc.method, tc.path, tc.body)
			if r.Code != tc.want {
				t.Fatalf("%d %s", r.Code, r.Body)
			}
			if tc.field != "" {
				if e := errorOf(t, r); e.Field != tc.field {
					t.Fatalf("field %q, want %q", e.Field, tc.field)
				}
			}
		})
	}
	// A health record naming the endpoint attaches while it was filed:
	// after scrapping it does not.
	rec := routing.Record{Type: routing.EvAgentDevice, Time: l.now.Add(time.Hour), Seq: 99, Data: json.RawMessage(`{"endpoint":"PJSIP/1001","reachable":false}`)}
	svc.Observe(&rec)
	h.token = "role:supervisor"
	if r := h.do(t, "GET", "/api/v1/devices", ""); !strings.Contains(string(r.Body), `"devices":[]`) {
		t.Errorf("scrapped listed without all: %s", r.Body)
	}
	r := h.do(t, "GET", "/api/v1/devices?all=true", "")
	if b := string(r.Body); !strings.Contains(b, `"state":"scrapped"`) || !strings.Contains(b, `"faults":[]`) || !strings.Contains(b, `"note":"cord"`) {
		t.Errorf("all: %s", b)
	}
	var types []string
	for _, rc := range l.recs {
		types = append(types, rc.Type)
	}
	if strings.Join(types, ",") != "device.registered,device.maintained,device.scrapped" {
		t.Errorf("records %v", types)
	}
}

func FuzzDeviceBodies(f *testing.F) {
	routes := [][2]string{{"POST", "/api/v1/devices"}, {"POST", "/api/v1/devices/D000001/maintenance"}, {"POST", "/api/v1/devices/D000001/scrap"}}
	f.Add(uint8(0), `{"kind":"trunk","ref":"carrier-a","model":"SIP","serial":"CT-1","purchased":"2027-01-01"}`)
	f.Add(uint8(0), `{"kind":"headset","model":"m","serial":"s","installed":"2027-13-01"}`)
	f.Add(uint8(1), `{"kind":"repair","date":"2027-03-01","note":"x"}`)
	f.Add(uint8(2), `{"reason":"old"}`)
	f.Add(uint8(2), `{"reason":1}`)
	f.Add(uint8(0), `[]`)
	h, _, _ := newDeviceHarness(f)
	h.token = "role:admin"
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
