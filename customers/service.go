package customers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"switchboard/routing"
)

// Submitter runs a decision in the engine loop (routing.Decide bound to
// the engine); it returns once the records are durable.
type Submitter = routing.Submit

// Directory is what the Service reads of the projection (*store.Store).
type Directory interface {
	// NumberOwner is the customer a number belongs to (0: nobody).
	NumberOwner(ctx context.Context, number string) (int64, error)
	// CustomerTeam is customer id's team; ok false if there is none.
	CustomerTeam(ctx context.Context, id int64) (team string, ok bool, err error)
	// MaxCustomerID is the highest customer ID ever given (0: none).
	MaxCustomerID(ctx context.Context) (int64, error)
}

// ErrNotFound is an update of a customer that does not exist.
var ErrNotFound = errors.New("customer not found")

// NumberTakenError is a write naming a number another customer has. Its
// message does not name the other customer: the answer may go to someone
// not allowed to see them, and it would let a masked number's owner be
// found by trying numbers (issue 13).
type NumberTakenError struct{ Number string }

func (e *NumberTakenError) Error() string {
	return fmt.Sprintf("number %s already belongs to another customer", e.Number)
}

// Service writes customers. Its lock serialises writes, and each returns
// only once its record is durable and projected, so every check below
// reads every earlier write.
type Service struct {
	mu     sync.Mutex
	dir    Directory
	submit Submitter
	next   int64 // the last ID given; 0: not read yet
}

// NewService writes through submit and checks against dir.
func NewService(dir Directory, submit Submitter) *Service {
	return &Service{dir: dir, submit: submit}
}

// Save records d (its numbers normalised by the caller): a new customer
// when d.ID is 0 (the ID is given here), else the whole new state of
// d.ID. It returns the saved ID. Errors: ErrNotFound, *NumberTakenError.
func (s *Service) Save(ctx context.Context, d Data) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d.ID == 0 {
		if s.next == 0 {
			n, err := s.dir.MaxCustomerID(ctx)
			if err != nil {
				return 0, err
			}
			s.next = n
		}
		d.ID, d.Created = s.next+1, true
	} else if _, ok, err := s.dir.CustomerTeam(ctx, d.ID); err != nil {
		return 0, err
	} else if !ok {
		return 0, fmt.Errorf("customer %d: %w", d.ID, ErrNotFound)
	}
	for _, n := range d.Numbers {
		owner, err := s.dir.NumberOwner(ctx, n)
		if err != nil {
			return 0, err
		}
		if owner != 0 && owner != d.ID {
			return 0, &NumberTakenError{Number: n}
		}
	}
	b, err := json.Marshal(d)
	if err != nil {
		return 0, fmt.Errorf("customers: %w", err)
	}
	if _, err := s.submit(ctx, func(time.Time) ([]*routing.Record, any, error) {
		return []*routing.Record{{Type: EvSaved, Data: b}}, nil, nil
	}); err != nil {
		return 0, fmt.Errorf("customers: save %d: %w", d.ID, err)
	}
	if d.Created {
		s.next = d.ID
	}
	return d.ID, nil
}
