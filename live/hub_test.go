package live

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"switchboard/routing"
)

func recs(from, n int) []*routing.Record {
	out := make([]*routing.Record, n)
	for i := range out {
		out[i] = &routing.Record{Seq: int64(from + i), Type: routing.EvCallQueued, CallID: fmt.Sprint("c", from+i), Queue: "support"}
	}
	return out
}

// received drains what s has buffered without waiting.
func received(s *Subscription) []int64 {
	var seqs []int64
	for {
		select {
		case ev := <-s.C():
			seqs = append(seqs, ev.Rec.Seq)
		default:
			return seqs
		}
	}
}

func TestHubFanOut(t *testing.T) {
	tests := []struct {
		name      string
		buffer    int
		publish   [][]*routing.Record // batches
		wantSeqs  []int64
		wantErr   error // why the subscription ended, nil if still open
		wantDrops float64
	}{
		{name: "in order", buffer: 8, publish: [][]*routing.Record{recs(1, 2), recs(3, 1)}, wantSeqs: []int64{1, 2, 3}},
		{name: "exactly full", buffer: 3, publish: [][]*routing.Record{recs(1, 3)}, wantSeqs: []int64{1, 2, 3}},
		{name: "one too many drops", buffer: 3, publish: [][]*routing.Record{recs(1, 2), recs(3, 2)},
			wantSeqs: []int64{1, 2, 3}, wantErr: ErrSlow, wantDrops: 1},
		{name: "empty publish", buffer: 1, publish: [][]*routing.Record{nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg := prometheus.NewRegistry()
			h := NewHub(tt.buffer, nil, reg)
			s, err := h.Subscribe()
			if err != nil {
				t.Fatal(err)
			}
			for _, b := range tt.publish {
				h.Publish(b...)
			}
			got := received(s)
			if fmt.Sprint(got) != fmt.Sprint(tt.wantSeqs) {
				t.Errorf("got seqs %v, want %v", got, tt.wantSeqs)
			}
			if err := s.Err(); !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Errorf("Err() = %v, want %v", err, tt.wantErr)
			}
			if d := testutil.ToFloat64(h.metrics.dropped); d != tt.wantDrops {
				t.Errorf("dropped metric %v, want %v", d, tt.wantDrops)
			}
			wantSubs := 1.0
			if tt.wantErr != nil {
				wantSubs = 0
			}
			if n := testutil.ToFloat64(h.metrics.subscribers); n != wantSubs {
				t.Errorf("subscribers metric %v, want %v", n, wantSubs)
			}
		})
	}
}

// A slow subscriber is dropped; the others keep getting everything and
// Publish never waits.
func TestHubSlowSubscriberDoesNotBlockOthers(t *testing.T) {
	h := NewHub(4, nil, nil)
	slow, _ := h.Subscribe()
	fast, _ := h.Subscribe()
	for i := 1; i <= 100; i++ {
		h.Publish(recs(i, 1)...) // would deadlock here if Publish waited for slow
		if ev := <-fast.C(); ev.Rec.Seq != int64(i) {
			t.Fatalf("fast got seq %d, want %d", ev.Rec.Seq, i)
		}
	}
	<-slow.Done()
	if !errors.Is(slow.Err(), ErrSlow) {
		t.Fatalf("slow: %v", slow.Err())
	}
	if got := received(slow); len(got) != 4 {
		t.Fatalf("slow had %v buffered, want the first 4", got)
	}
	if fast.Err() != nil {
		t.Fatalf("fast ended: %v", fast.Err())
	}
	if n := h.Subscribers(); n != 1 {
		t.Fatalf("subscribers %d, want 1", n)
	}
}

func TestHubClose(t *testing.T) {
	h := NewHub(2, nil, nil)
	a, _ := h.Subscribe()
	b, _ := h.Subscribe()
	b.Close()
	b.Close() // twice is fine
	if b.Err() != nil {
		t.Fatalf("closed by subscriber: Err %v, want nil", b.Err())
	}
	ctx, cancel := context.WithCancel(t.Context())
	ran := make(chan error)
	go func() { ran <- h.Run(ctx) }()
	cancel()
	if err := <-ran; err != nil {
		t.Fatal(err)
	}
	<-a.Done()
	if !errors.Is(a.Err(), ErrClosed) {
		t.Fatalf("Err %v, want ErrClosed", a.Err())
	}
	if _, err := h.Subscribe(); !errors.Is(err, ErrClosed) {
		t.Fatalf("Subscribe after close: %v", err)
	}
	h.Publish(recs(1, 1)...) // no subscribers, no panic
	a.Close()
}

type journalFunc func(ctx context.Context, recs ...*routing.Record) error

func (f journalFunc) Append(ctx context.Context, recs ...*routing.Record) error {
	return f(ctx, recs...)
}

func TestTeePublishesOnlyDurable(t *testing.T) {
	fail := errors.New("disk full")
	tests := []struct {
		name    string
		next    error
		wantPub int
	}{
		{"durable", nil, 2},
		{"failed", fail, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := NewHub(8, nil, nil)
			s, _ := h.Subscribe()
			seq := int64(10)
			j := Tee{Hub: h, Next: journalFunc(func(_ context.Context, rs ...*routing.Record) error {
				if tt.next != nil {
					return tt.next
				}
				for _, r := range rs {
					seq++
					r.Seq = seq
				}
				return nil
			})}
			err := j.Append(t.Context(), &routing.Record{Type: "a"}, &routing.Record{Type: "b"})
			if !errors.Is(err, tt.next) {
				t.Fatalf("Append: %v", err)
			}
			got := received(s)
			if len(got) != tt.wantPub {
				t.Fatalf("published %v, want %d", got, tt.wantPub)
			}
			if tt.wantPub > 0 && (got[0] != 11 || got[1] != 12) {
				t.Fatalf("published seqs %v: Seq not set before publishing", got)
			}
		})
	}
}

func TestPayloadMasksOnce(t *testing.T) {
	p := NewPayload([]byte(`{"caller":"13812345678"}`))
	calls := 0
	mask := func(b []byte) ([]byte, error) { calls++; return []byte(`{"caller":"138****5678"}`), nil }
	for range 3 {
		b, err := p.For(mask)
		if err != nil || string(b) != `{"caller":"138****5678"}` {
			t.Fatalf("For(mask) = %s, %v", b, err)
		}
	}
	if b, _ := p.For(nil); string(b) != `{"caller":"13812345678"}` {
		t.Fatalf("For(nil) = %s", b)
	}
	if calls != 1 {
		t.Fatalf("mask ran %d times, want 1", calls)
	}
}

// Publish runs on the engine's call path: it does not encode. The first
// subscriber to ask encodes a record, once, as json.Marshal would.
func TestPublishEncodesOnFirstUse(t *testing.T) {
	h := NewHub(0, nil, nil)
	subs := make([]*Subscription, 4)
	for i := range subs {
		var err error
		if subs[i], err = h.Subscribe(); err != nil {
			t.Fatal(err)
		}
	}
	rec := &routing.Record{Seq: 7, Time: time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC), Type: routing.EvCallQueued,
		CallID: "c1", Queue: "support", Data: []byte(`{"queue":"support"}`)}
	h.Publish(rec)
	want, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	var evs []*Event
	for _, s := range subs {
		evs = append(evs, <-s.C())
	}
	if evs[0] != evs[1] || evs[0].json != nil {
		t.Fatal("subscribers should share one event, not encoded yet")
	}
	var wg sync.WaitGroup
	for _, ev := range evs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if b, err := ev.For(nil); err != nil || string(b) != string(want) {
				t.Errorf("For(nil) = %s, %v; want %s", b, err, want)
			}
		}()
	}
	wg.Wait()
}
