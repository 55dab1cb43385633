package store

import (
	"fmt"
	"slices"
	"testing"

	"switchboard/routing"
)

// FollowedCalls is the calls first queued since the time or not ended
// yet, each once, more of them than MaxLimit, and the last seq they
// reflect.
func TestFollowedCalls(t *testing.T) { eachBackend(t, testFollowedCalls) }

func testFollowedCalls(t *testing.T) {
	s, _ := openTest(t)
	seed(t, s) // c1 queued at 3 s, c2 at 11 s, c3 at 21 s (all ended), c4 open
	f, err := s.FollowedCalls(t.Context(), at(11))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range f.Calls {
		ids = append(ids, c.ID)
	}
	slices.Sort(ids)
	if want := []string{"c2", "c3", "c4"}; !slices.Equal(ids, want) {
		t.Errorf("calls %v, want %v", ids, want)
	}
	last, err := s.Events(t.Context(), EventFilter{Limit: MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	if want := last[len(last)-1].Seq; f.Seq != want {
		t.Errorf("seq %d, want the log's last, %d", f.Seq, want)
	}

	var many []*routing.Record
	for i := range MaxLimit + 5 {
		id := fmt.Sprintf("m%05d", i)
		many = append(many, arrived(id, 100), queued(id, 101, "support"))
	}
	if err := s.Append(t.Context(), many...); err != nil {
		t.Fatal(err)
	}
	if f, err = s.FollowedCalls(t.Context(), at(100)); err != nil {
		t.Fatal(err)
	}
	if n := len(f.Calls); n != MaxLimit+5+1 { // and c4, still open
		t.Errorf("%d calls, want %d", n, MaxLimit+6)
	}
}
