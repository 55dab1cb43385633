package store

import (
	"errors"
	"reflect"
	"testing"

	"switchboard/routing"
)

func TestCustomers(t *testing.T) { eachBackend(t, testCustomers) }

func testCustomers(t *testing.T) {
	s, _ := openTest(t)
	ctx := t.Context()
	ada, err := s.CreateCustomer(ctx, Customer{Name: "Ada <b>", Numbers: []string{"13800000001", "13800000002", "13800000001"},
		Notes: "likes email", Tags: []string{"vip"}, UpdatedBy: "1001"}, at(0))
	if err != nil {
		t.Fatal(err)
	}
	if ada.ID == 0 || !reflect.DeepEqual(ada.Numbers, []string{"13800000001", "13800000002"}) || ada.Name != "Ada <b>" ||
		!ada.CreatedAt.Equal(at(0)) || ada.UpdatedBy != "1001" {
		t.Fatalf("created %+v", ada)
	}
	bo, err := s.CreateCustomer(ctx, Customer{Name: "Bo_100%", Numbers: []string{"13900000000"}}, at(1))
	if err != nil {
		t.Fatal(err)
	}
	if bo.Tags == nil || len(bo.Tags) != 0 {
		t.Fatalf("tags %#v", bo.Tags)
	}

	// A number belongs to one customer, on create and on update; a
	// refused write changes nothing.
	var taken *NumberTakenError
	if _, err := s.CreateCustomer(ctx, Customer{Name: "Cy", Numbers: []string{"13800000002"}}, at(2)); !errors.As(err, &taken) || taken.Customer != ada.ID {
		t.Fatalf("duplicate number on create: %v", err)
	}
	if _, err := s.UpdateCustomer(ctx, Customer{ID: bo.ID, Name: "Bo", Numbers: []string{"13800000001"}}, at(2)); !errors.As(err, &taken) {
		t.Fatalf("duplicate number on update: %v", err)
	}
	if got, _ := s.Customer(ctx, bo.ID); got.Name != "Bo_100%" || !reflect.DeepEqual(got.Numbers, []string{"13900000000"}) {
		t.Fatalf("refused update changed %+v", got)
	}
	if all, _ := s.Customers(ctx, CustomerFilter{}); len(all) != 2 {
		t.Fatalf("refused create left %d customers", len(all))
	}

	up, err := s.UpdateCustomer(ctx, Customer{ID: ada.ID, Name: "Ada L", Numbers: []string{"13800000003"}, Tags: []string{"a", "b"}, UpdatedBy: "1002"}, at(3))
	if err != nil {
		t.Fatal(err)
	}
	if up.Name != "Ada L" || !reflect.DeepEqual(up.Numbers, []string{"13800000003"}) || !up.UpdatedAt.Equal(at(3)) || !up.CreatedAt.Equal(at(0)) {
		t.Fatalf("updated %+v", up)
	}
	if _, err := s.UpdateCustomer(ctx, Customer{ID: 999, Name: "x"}, at(3)); !errors.Is(err, ErrNotFound) {
		t.Fatalf("update unknown: %v", err)
	}
	if _, err := s.Customer(ctx, 999); !errors.Is(err, ErrNotFound) {
		t.Fatalf("get unknown: %v", err)
	}

	tests := []struct {
		f    CustomerFilter
		want []int64
	}{
		{CustomerFilter{Number: "13800000003"}, []int64{ada.ID}},
		{CustomerFilter{Number: "13800000001"}, nil}, // the old number is gone
		{CustomerFilter{Name: "ada"}, []int64{ada.ID}},
		{CustomerFilter{Name: "_100%"}, []int64{bo.ID}}, // LIKE wildcards are literal
		{CustomerFilter{Name: "%"}, []int64{bo.ID}},
		{CustomerFilter{}, []int64{ada.ID, bo.ID}}, // most recently updated first
	}
	for _, tt := range tests {
		got, err := s.Customers(ctx, tt.f)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, c := range got {
			ids = append(ids, c.ID)
		}
		if !reflect.DeepEqual(ids, tt.want) {
			t.Errorf("%+v: got %v, want %v", tt.f, ids, tt.want)
		}
	}
}

func TestWrapUpAndTransferProjection(t *testing.T) { eachBackend(t, testWrapUpAndTransferProjection) }

func testWrapUpAndTransferProjection(t *testing.T) {
	s, _ := openTest(t)
	ctx := t.Context()
	recs := []*routing.Record{
		arrived("c1", 0), queued("c1", 1, "support"),
		offer(routing.EvCallOffered, "c1", 2, "1001", ""), offer(routing.EvCallAnswered, "c1", 3, "1001", ""),
		{Time: at(10), Type: routing.EvCallTransferred, CallID: "c1", AgentID: "1001",
			Data: mustJSON(routing.TransferData{From: "1001", ToKind: "queue", To: "billing"})},
		{Time: at(11), Type: routing.EvCallWrapped, CallID: "c1", AgentID: "1001",
			Data: mustJSON(routing.WrapUpData{Agent: "1001", Disposition: "info", Notes: "sent on"})},
		queued("c1", 10, "billing"),
		offer(routing.EvCallOffered, "c1", 12, "1003", ""), offer(routing.EvCallAnswered, "c1", 13, "1003", ""),
		ended("c1", 30, routing.OutcomeAnswered, "", "caller"),
		{Time: at(31), Type: routing.EvCallWrapped, CallID: "c1", AgentID: "1003",
			Data: mustJSON(routing.WrapUpData{Agent: "1003", Disposition: "resolved", Notes: "<i>done</i>", FollowUp: true})},
		arrived("c2", 40), ended("c2", 41, routing.OutcomeAbandonedIVR, "", "caller"),
	}
	if err := s.Append(ctx, recs...); err != nil {
		t.Fatal(err)
	}
	check := func(when string) {
		c, err := s.Call(ctx, "c1")
		if err != nil {
			t.Fatal(err)
		}
		if c.Disposition != "resolved" || c.Notes != "<i>done</i>" || !c.FollowUp || c.WrappedBy != "1003" ||
			c.Transfers != 1 || c.Agent != "1001" || c.Queue != "billing" {
			t.Fatalf("%s: call %+v", when, c)
		}
		hist, err := s.Calls(ctx, CallFilter{Caller: "+15550100", Limit: 5})
		if err != nil || len(hist) != 2 || hist[0].ID != "c2" {
			t.Fatalf("%s: history %+v %v", when, hist, err)
		}
		if none, _ := s.Calls(ctx, CallFilter{Caller: "+1"}); len(none) != 0 {
			t.Fatalf("%s: caller filter is not exact", when)
		}
	}
	check("appended")
	if err := s.RebuildCalls(ctx); err != nil {
		t.Fatal(err)
	}
	check("rebuilt")
}
