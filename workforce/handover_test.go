package workforce

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestHandoverRules(t *testing.T) {
	ok := HandoverData{Team: "sales", Date: "2027-01-04", Shift: "day", Text: "queue busy after 3pm",
		Items: []HandoverItem{{Kind: "open_ticket", Ref: "T000012"}, {Kind: "equipment_fault", Ref: "PJSIP/1003", Note: "headset"}}, By: "lead1"}
	for _, tc := range []struct {
		name  string
		edit  func(*HandoverData)
		field string
	}{
		{"fine", func(*HandoverData) {}, ""},
		{"unknown team", func(d *HandoverData) { d.Team = "x" }, "team"},
		{"bad date", func(d *HandoverData) { d.Date = "4 Jan" }, "date"},
		{"unknown shift", func(d *HandoverData) { d.Shift = "x" }, "shift"},
		{"empty", func(d *HandoverData) { d.Text, d.Items = " ", nil }, "text"},
		{"bad kind", func(d *HandoverData) { d.Items = []HandoverItem{{Kind: "gossip"}} }, "items[0].kind"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := ok
			tc.edit(&d)
			_, err := testBook().DecideHandover(d)
			var fe *FieldError
			switch {
			case tc.field == "" && err != nil:
				t.Fatal(err)
			case tc.field != "" && (!errors.As(err, &fe) || fe.Field != tc.field):
				t.Fatalf("err %v, want field %s", err, tc.field)
			}
		})
	}
	ctx := context.Background()
	l := &fakeLog{now: time.Date(2027, 1, 4, 17, 0, 0, 0, cst)}
	s := newTestService(l)
	h, err := s.WriteHandover(ctx, ok)
	if err != nil {
		t.Fatal(err)
	}
	var fe *FieldError
	if _, err := s.AckHandover(ctx, h.ID, "lead1"); !errors.As(err, &fe) {
		t.Fatalf("writer acks: %v", err)
	}
	if h, err = s.AckHandover(ctx, h.ID, "lead2"); err != nil || h.AckedBy != "lead2" {
		t.Fatalf("ack: %+v %v", h, err)
	}
	var se *AckedError
	if _, err := s.AckHandover(ctx, h.ID, "lead3"); !errors.As(err, &se) {
		t.Fatalf("ack twice: %v", err)
	}
	s2 := newTestService(l)
	if err := s2.Restore(l.recs); err != nil {
		t.Fatal(err)
	}
	if hs := s2.Handovers("sales"); len(hs) != 1 || hs[0].AckedBy != "lead2" || len(hs[0].Items) != 2 {
		t.Fatalf("after restart: %+v", hs)
	}
}
