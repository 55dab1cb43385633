package tickets

import (
	"errors"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"switchboard/routing"
)

// Property: whatever actions are asked in whatever order, a refused one
// writes nothing, each change starts where the last ended, the state is
// the last change's, a dispatched ticket has an assignee, and replaying
// the records gives the same book.
func TestBookProperties(t *testing.T) {
	for seed := range uint64(200) {
		r := rand.New(rand.NewPCG(seed, 7))
		b := NewBook([]Category{{Name: "c", DispatchWithin: 10 * time.Minute}}, nil)
		now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		var log []routing.Record
		apply := func(rec *routing.Record) {
			rec.Seq = int64(len(log) + 1)
			if err := b.Apply(rec); err != nil {
				t.Fatal(err)
			}
			log = append(log, *rec)
		}
		ids := []string{}
		for range 3 {
			id := b.nextID()
			rec, err := b.DecideCreate(NewTicket{Customer: "x", Category: "c", Source: "api", By: "crm"}, id, now)
			if err != nil {
				t.Fatal(err)
			}
			apply(rec)
			ids = append(ids, id)
		}
		for range 40 {
			now = now.Add(time.Duration(r.IntN(600)) * time.Second)
			req := TransitionRequest{ID: ids[r.IntN(len(ids))], Action: Actions[r.IntN(len(Actions))], By: "u"}
			switch r.IntN(3) {
			case 0:
				req.Team = "front"
			case 1:
				req.Agent = "a1"
			}
			before, _ := b.Get(req.ID)
			rec, err := b.DecideTransition(req, now)
			if err != nil {
				var te *TransitionError
				var fe *FieldError
				if !errors.As(err, &te) && !errors.As(err, &fe) {
					t.Fatalf("seed %d: unexpected error %v", seed, err)
				}
				if after, _ := b.Get(req.ID); !reflect.DeepEqual(before, after) {
					t.Fatalf("seed %d: a refused %s changed the ticket", seed, req.Action)
				}
				continue
			}
			apply(rec)
		}
		replayed := NewBook([]Category{{Name: "c", DispatchWithin: 10 * time.Minute}}, nil)
		for i := range log {
			if err := replayed.Apply(&log[i]); err != nil {
				t.Fatal(err)
			}
		}
		for _, id := range ids {
			tk, _ := b.Get(id)
			again, _ := replayed.Get(id)
			if !reflect.DeepEqual(tk, again) {
				t.Fatalf("seed %d: replay differs for %s", seed, id)
			}
			prev := StateNew
			for _, c := range tk.History {
				if c.From != prev {
					t.Fatalf("seed %d: %s change from %s after %s", seed, id, c.From, prev)
				}
				prev = c.To
			}
			if tk.State != prev {
				t.Fatalf("seed %d: %s is %s, last change to %s", seed, id, tk.State, prev)
			}
			if tk.State != StateNew && (tk.Team == "") == (tk.Agent == "") {
				t.Fatalf("seed %d: %s is %s with team %q agent %q", seed, id, tk.State, tk.Team, tk.Agent)
			}
		}
	}
}
