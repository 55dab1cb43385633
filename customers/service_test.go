package customers_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"switchboard/customers"
	"switchboard/routing"
	"switchboard/store/storetest"
)

// TestSave: IDs are given in order, numbers belong to one customer, an
// update of nobody is refused, and a refused write leaves no record.
func TestSave(t *testing.T) {
	st := storetest.New(t)
	written := 0
	svc := customers.NewService(st.CustomerIndex(), func(ctx context.Context, d routing.Decision) (any, error) {
		recs, reply, err := d(time.Now())
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			r.Time = time.Now()
		}
		written += len(recs)
		return reply, st.Append(ctx, recs...)
	})
	ctx := t.Context()
	a, err := svc.Save(ctx, customers.Data{Name: "Ada", Numbers: []string{"13800000001"}, Team: "front", By: "u1"})
	if err != nil || a != 1 {
		t.Fatalf("first: %d %v", a, err)
	}
	b, err := svc.Save(ctx, customers.Data{Name: "Bo", Numbers: []string{"13800000002"}})
	if err != nil || b != 2 {
		t.Fatalf("second: %d %v", b, err)
	}
	var taken *customers.NumberTakenError
	if _, err := svc.Save(ctx, customers.Data{Name: "Cy", Numbers: []string{"13800000001"}}); !errors.As(err, &taken) || taken.Number != "13800000001" {
		t.Fatalf("number of another on create: %v", err)
	}
	if _, err := svc.Save(ctx, customers.Data{ID: b, Name: "Bo", Numbers: []string{"13800000001"}}); !errors.As(err, &taken) {
		t.Fatalf("number of another on update: %v", err)
	}
	if _, err := svc.Save(ctx, customers.Data{ID: 99, Name: "nobody"}); !errors.Is(err, customers.ErrNotFound) {
		t.Fatalf("update of nobody: %v", err)
	}
	if written != 2 {
		t.Fatalf("%d records written, want 2 (refusals write none)", written)
	}
	// Keeping one's own number is no conflict.
	if id, err := svc.Save(ctx, customers.Data{ID: a, Name: "Ada L", Numbers: []string{"13800000001"}, Team: "front"}); err != nil || id != a {
		t.Fatalf("update: %d %v", id, err)
	}
	// A new service over the same store continues the IDs (a restart).
	svc2 := customers.NewService(st.CustomerIndex(), func(ctx context.Context, d routing.Decision) (any, error) {
		recs, _, _ := d(time.Now())
		for _, r := range recs {
			r.Time = time.Now()
		}
		return nil, st.Append(ctx, recs...)
	})
	if c, err := svc2.Save(ctx, customers.Data{Name: "Di"}); err != nil || c != 3 {
		t.Fatalf("after restart: %d %v", c, err)
	}
	if got, _ := st.Customer(ctx, a); got.Name != "Ada L" || got.Team != "front" || got.UpdatedBy != "" {
		t.Fatalf("projected %+v", got)
	}
}
