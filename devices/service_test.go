package devices

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"switchboard/routing"
)

// fakeLog is the engine as the Service sees it: decisions run at its
// clock, records kept for a restart.
type fakeLog struct {
	now  time.Time
	recs []routing.Record
}

func (l *fakeLog) submit(_ context.Context, d routing.Decision) (any, error) {
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

// health appends a health record as the engine would, and shows it to s.
func (l *fakeLog) health(s *Service, typ string, v any) {
	data, _ := json.Marshal(v)
	rec := routing.Record{Type: typ, Time: l.now, Seq: int64(len(l.recs) + 1), Data: data}
	l.recs = append(l.recs, rec)
	s.Observe(&rec)
}

var day = time.Date(2027, 3, 10, 9, 0, 0, 0, time.UTC)

func TestRegisterRules(t *testing.T) {
	ctx := context.Background()
	l := &fakeLog{now: day}
	s := NewService(time.UTC, l.submit, nil)
	if _, err := s.Register(ctx, DeviceData{Kind: "trunk", Ref: "carrier-a", Model: "SIP trunk", Serial: "CT-1", By: "admin"}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		d     DeviceData
		field string
	}{
		{"unknown kind", DeviceData{Kind: "toaster", Model: "m", Serial: "s"}, "kind"},
		{"no model", DeviceData{Kind: "headset", Serial: "s"}, "model"},
		{"no serial", DeviceData{Kind: "headset", Model: "m"}, "serial"},
		{"a phone needs its endpoint", DeviceData{Kind: "phone", Model: "m", Serial: "s"}, "ref"},
		{"bad date", DeviceData{Kind: "headset", Model: "m", Serial: "s", Purchased: "2027-3-1"}, "purchased"},
		{"bought in the future", DeviceData{Kind: "headset", Model: "m", Serial: "s", Purchased: "2027-03-11"}, "purchased"},
		{"installed before bought", DeviceData{Kind: "headset", Model: "m", Serial: "s", Purchased: "2027-03-01", Installed: "2027-02-01"}, "installed"},
		{"serial filed already", DeviceData{Kind: "trunk", Ref: "carrier-b", Model: "m", Serial: "CT-1"}, "serial"},
		{"ref in service already", DeviceData{Kind: "trunk", Ref: "carrier-a", Model: "m", Serial: "CT-2"}, "ref"},
		{"fine", DeviceData{Kind: "headset", Model: "Jabra", Serial: "H-1", Seat: "A-12", Purchased: "2027-03-01", Installed: "2027-03-02"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := len(l.recs)
			_, err := s.Register(ctx, tc.d)
			var fe *FieldError
			switch {
			case tc.field == "" && err != nil:
				t.Fatal(err)
			case tc.field != "" && (!errors.As(err, &fe) || fe.Field != tc.field):
				t.Fatalf("err %v, want field %s", err, tc.field)
			case tc.field != "" && len(l.recs) != n:
				t.Fatal("a refused registration wrote a record")
			}
		})
	}
}

// Faults from trunk.state and agent.device attach to the device with that
// reference while it is filed; maintenance and scrapping are states, and a
// restart rebuilds the same files.
func TestFaultsMaintenanceScrap(t *testing.T) {
	ctx := context.Background()
	l := &fakeLog{now: day}
	s := NewService(time.UTC, l.submit, nil)
	l.health(s, routing.EvAgentDevice, routing.DeviceData{Endpoint: "PJSIP/1001", Reachable: false}) // before it was filed
	l.now = day.Add(time.Hour)
	ph, err := s.Register(ctx, DeviceData{Kind: "phone", Ref: "PJSIP/1001", Model: "Yealink T46", Serial: "YL-1", Seat: "A-01"})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := s.Register(ctx, DeviceData{Kind: "trunk", Ref: "carrier-a", Model: "SIP", Serial: "CT-1"})
	if err != nil {
		t.Fatal(err)
	}
	l.now = day.Add(2 * time.Hour)
	l.health(s, routing.EvAgentDevice, routing.DeviceData{Endpoint: "PJSIP/1001", Reachable: false, Detail: "Unreachable"})
	l.health(s, routing.EvTrunkState, routing.TrunkStateData{Trunk: "carrier-a", From: "up", To: "down", Reason: "peer_unreachable"})
	l.health(s, routing.EvTrunkState, routing.TrunkStateData{Trunk: "carrier-b", From: "up", To: "down"}) // not filed
	l.now = day.Add(3 * time.Hour)
	l.health(s, routing.EvAgentDevice, routing.DeviceData{Endpoint: "PJSIP/1001", Reachable: true})
	got, _ := s.Device(ph.ID)
	if len(got.Faults) != 2 || got.Faults[0].State != "reachable" || got.Faults[1].State != "unreachable" || got.Faults[1].Detail != "Unreachable" {
		t.Fatalf("phone faults %+v", got.Faults)
	}
	if got, _ := s.Device(tr.ID); len(got.Faults) != 1 || got.Faults[0].State != "down" || got.Faults[0].Record != routing.EvTrunkState {
		t.Fatalf("trunk faults %+v", got.Faults)
	}
	var fe *FieldError
	var se *StateError
	steps := []struct {
		name string
		do   func() error
		want func(error) bool
	}{
		{"repair", func() error {
			_, err := s.Maintain(ctx, MaintenanceData{Device: ph.ID, Kind: "repair", Date: "2027-03-10", Note: "new handset cord"})
			return err
		}, func(err error) bool { return err == nil }},
		{"bad kind", func() error {
			_, err := s.Maintain(ctx, MaintenanceData{Device: ph.ID, Kind: "polish", Date: "2027-03-10", Note: "x"})
			return err
		}, func(err error) bool { return errors.As(err, &fe) && fe.Field == "kind" }},
		{"future date", func() error {
			_, err := s.Maintain(ctx, MaintenanceData{Device: ph.ID, Kind: "repair", Date: "2027-03-12", Note: "x"})
			return err
		}, func(err error) bool { return errors.As(err, &fe) && fe.Field == "date" }},
		{"unknown device", func() error {
			_, err := s.Maintain(ctx, MaintenanceData{Device: "D9", Kind: "repair", Date: "2027-03-10", Note: "x"})
			return err
		}, func(err error) bool { return errors.Is(err, ErrNotFound) }},
		{"scrap without reason", func() error { _, err := s.Scrap(ctx, ScrapData{Device: ph.ID}); return err },
			func(err error) bool { return errors.As(err, &fe) && fe.Field == "reason" }},
		{"scrap", func() error { _, err := s.Scrap(ctx, ScrapData{Device: ph.ID, Reason: "screen cracked"}); return err },
			func(err error) bool { return err == nil }},
		{"scrap twice", func() error { _, err := s.Scrap(ctx, ScrapData{Device: ph.ID, Reason: "again"}); return err },
			func(err error) bool { return errors.As(err, &se) }},
		{"maintain a scrapped one", func() error {
			_, err := s.Maintain(ctx, MaintenanceData{Device: ph.ID, Kind: "repair", Date: "2027-03-10", Note: "x"})
			return err
		}, func(err error) bool { return errors.As(err, &se) }},
		{"its endpoint may be filed again", func() error {
			_, err := s.Register(ctx, DeviceData{Kind: "phone", Ref: "PJSIP/1001", Model: "Yealink T46", Serial: "YL-2"})
			return err
		}, func(err error) bool { return err == nil }},
	}
	l.now = day.Add(3*time.Hour + 30*time.Minute)
	for _, st := range steps {
		if err := st.do(); !st.want(err) {
			t.Fatalf("%s: %v", st.name, err)
		}
	}
	l.now = day.Add(4 * time.Hour)
	l.health(s, routing.EvAgentDevice, routing.DeviceData{Endpoint: "PJSIP/1001", Reachable: false})
	old, _ := s.Device(ph.ID)
	if old.State != Scrapped || old.ScrapReason != "screen cracked" || len(old.Maintenance) != 1 || len(old.Faults) != 2 {
		t.Fatalf("scrapped phone %+v", old)
	}
	if len(s.Devices("phone", false)) != 1 || len(s.Devices("phone", true)) != 2 || len(s.Devices("", true)) != 3 {
		t.Fatalf("lists: %d %d %d", len(s.Devices("phone", false)), len(s.Devices("phone", true)), len(s.Devices("", true)))
	}
	if nw := s.Devices("phone", false)[0]; len(nw.Faults) != 1 || !nw.Faults[0].At.Equal(day.Add(4*time.Hour)) {
		t.Fatalf("new phone faults %+v", nw.Faults)
	}
	s2 := NewService(time.UTC, l.submit, nil)
	if err := s2.Restore(l.recs); err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(s.Devices("", true))
	b, _ := json.Marshal(s2.Devices("", true))
	if string(a) != string(b) {
		t.Fatalf("after restart:\n%s\nwant\n%s", b, a)
	}
}
