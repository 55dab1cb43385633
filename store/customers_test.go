package store

import (
	"errors"
	"reflect"
	"testing"

	"switchboard/customers"
	"switchboard/routing"
)

func saved(sec float64, d customers.Data) *routing.Record {
	return &routing.Record{Time: at(sec), Type: customers.EvSaved, Data: mustJSON(d)}
}

// TestCustomersProjection: the customers tables are what the
// customer.saved records say, whole state per record.
func TestCustomersProjection(t *testing.T) { eachBackend(t, testCustomersProjection) }

func testCustomersProjection(t *testing.T) {
	s, _ := openTest(t)
	ctx := t.Context()
	if n, err := s.CustomerIndex().MaxCustomerID(ctx); err != nil || n != 0 {
		t.Fatalf("empty max id %d %v", n, err)
	}
	if err := s.Append(ctx,
		saved(0, customers.Data{ID: 1, Name: "Ada <b>", Numbers: []string{"13800000001", "13800000002"}, Notes: "likes email",
			Tags: []string{"vip"}, Team: "front", By: "1001", Created: true}),
		saved(1, customers.Data{ID: 2, Name: "Bo_100%", Numbers: []string{"13900000000"}, By: "1002", Created: true}),
	); err != nil {
		t.Fatal(err)
	}
	ada, err := s.Customer(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ada.Numbers, []string{"13800000001", "13800000002"}) || ada.Name != "Ada <b>" || ada.Team != "front" ||
		!ada.CreatedAt.Equal(at(0)) || ada.UpdatedBy != "1001" {
		t.Fatalf("created %+v", ada)
	}
	if bo, _ := s.Customer(ctx, 2); bo.Tags == nil || len(bo.Tags) != 0 || bo.Team != "" {
		t.Fatalf("bo %+v", bo)
	}
	// An update replaces the whole state and keeps the creation time.
	if err := s.Append(ctx, saved(3, customers.Data{ID: 1, Name: "Ada L", Numbers: []string{"13800000003"}, Tags: []string{"a", "b"}, Team: "front", By: "1003"})); err != nil {
		t.Fatal(err)
	}
	up, _ := s.Customer(ctx, 1)
	if up.Name != "Ada L" || !reflect.DeepEqual(up.Numbers, []string{"13800000003"}) || !up.UpdatedAt.Equal(at(3)) || !up.CreatedAt.Equal(at(0)) || up.UpdatedBy != "1003" {
		t.Fatalf("updated %+v", up)
	}
	for num, want := range map[string]int64{"13800000003": 1, "13800000001": 0, "13900000000": 2} {
		if got, err := s.CustomerIndex().NumberOwner(ctx, num); err != nil || got != want {
			t.Errorf("owner of %s: %d %v, want %d", num, got, err, want)
		}
	}
	if team, ok, err := s.CustomerIndex().CustomerTeam(ctx, 1); team != "front" || !ok || err != nil {
		t.Fatalf("team %q %v %v", team, ok, err)
	}
	if _, ok, err := s.CustomerIndex().CustomerTeam(ctx, 999); ok || err != nil {
		t.Fatalf("unknown team %v %v", ok, err)
	}
	if n, _ := s.CustomerIndex().MaxCustomerID(ctx); n != 2 {
		t.Fatalf("max id %d", n)
	}
	if _, err := s.Customer(ctx, 999); !errors.Is(err, ErrNotFound) {
		t.Fatalf("get unknown: %v", err)
	}
	// A number two records name: the later record has it (the log is
	// never refused).
	if err := s.Append(ctx, saved(4, customers.Data{ID: 2, Name: "Bo", Numbers: []string{"13800000003"}})); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.CustomerIndex().NumberOwner(ctx, "13800000003"); got != 2 {
		t.Fatalf("number moved to %d", got)
	}
	if ada, _ := s.Customer(ctx, 1); len(ada.Numbers) != 0 {
		t.Fatalf("ada kept %v", ada.Numbers)
	}
	if err := s.Append(ctx, &routing.Record{Time: at(5), Type: customers.EvSaved, Data: []byte(`{"name":"no id"}`)}); !errors.Is(err, ErrBadRecord) {
		t.Fatalf("record with no id: %v", err)
	}
	if err := s.Append(ctx, saved(5, customers.Data{ID: 1, Name: "Ada", Numbers: []string{"13800000001"}, Team: "front"})); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		f    CustomerFilter
		want []int64
	}{
		{CustomerFilter{Number: "13800000001"}, []int64{1}},
		{CustomerFilter{Number: "1380000000"}, nil}, // exact numbers only
		{CustomerFilter{Name: "ada"}, []int64{1}},
		{CustomerFilter{Name: "_100%"}, nil}, // LIKE wildcards are literal
		{CustomerFilter{Name: "%"}, nil},
		{CustomerFilter{}, []int64{1, 2}},                                 // most recently updated first
		{CustomerFilter{Teams: []string{"back"}}, []int64{2}},             // shared ones and the team's
		{CustomerFilter{Teams: []string{"front", "back"}}, []int64{1, 2}}, // a lead of two teams
		{CustomerFilter{Teams: []string{}}, []int64{2}},                   // no team: the shared only
		{CustomerFilter{Teams: []string{"back"}, Number: "13800000001"}, nil},
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
