// Package live is what just happened, as it happens: the engine's records,
// once durable, fanned out to the browser pages (the live feed, the
// wallboard) without ever holding the engine up.
//
// It owns the hub (Tee publishes after the store's commit; Publish neither
// blocks nor encodes on the engine's goroutine) and the wallboard, which
// catches up after the commit from the report rollups, the calls it keeps
// from the records (seeded from the calls table) and the engine
// (docs/log.md). It may import routing, report and store
// (reading); store, report and routing never import live.
package live

import (
	"context"
	"errors"
	"log/slog"
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"switchboard/routing"
)

// Why a subscription ended (Subscription.Err).
var (
	// ErrSlow: the subscriber did not keep up and its buffer filled. Its
	// client reconnects and resumes from the log.
	ErrSlow = errors.New("live: subscriber fell behind")
	// ErrClosed: the hub closed (the server is stopping).
	ErrClosed = errors.New("live: feed closed")
)

// DefaultBuffer is how many events a subscriber may be behind before it is
// dropped: at 50 records/s, some 20 s of a stalled client.
const DefaultBuffer = 1024

// Event is one record as subscribers get it. Subscribers share it: they
// must not change it.
type Event struct {
	Rec *routing.Record
	Payload
}

// Payload is JSON sent to many subscribers: encoded once, by the first
// subscriber that needs it (not by Publish, which runs on the engine's
// call path), and masked once for all those who see masked numbers.
type Payload struct {
	encode func() ([]byte, error) // nil: the JSON was given

	once sync.Once
	json []byte
	err  error

	maskOnce sync.Once
	masked   []byte
	maskErr  error
}

// NewPayload wraps JSON already encoded.
func NewPayload(b []byte) *Payload { return &Payload{json: b} }

// JSON is the payload's JSON, encoded on first use.
func (p *Payload) JSON() ([]byte, error) {
	p.once.Do(func() {
		if p.encode != nil {
			p.json, p.err = p.encode()
		}
	})
	return p.json, p.err
}

// For is the JSON as a subscriber whose mask is mask sees it (nil: as it
// is). A server has one masking function: the first one given is applied
// and its result kept for every later caller.
func (p *Payload) For(mask func([]byte) ([]byte, error)) ([]byte, error) {
	b, err := p.JSON()
	if err != nil || mask == nil {
		return b, err
	}
	p.maskOnce.Do(func() { p.masked, p.maskErr = mask(b) })
	return p.masked, p.maskErr
}

// Hub fans published records out to subscribers. Publish never blocks:
// each subscriber has a bounded buffer, and one that falls behind is
// dropped with ErrSlow. The hub starts no goroutines.
type Hub struct {
	size    int
	log     *slog.Logger
	metrics *metrics

	mu     sync.Mutex
	subs   map[*Subscription]struct{}
	closed bool
}

// NewHub returns a hub whose subscribers may fall buffer events behind
// (DefaultBuffer if buffer <= 0). reg may be nil.
func NewHub(buffer int, log *slog.Logger, reg prometheus.Registerer) *Hub {
	if buffer <= 0 {
		buffer = DefaultBuffer
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Hub{size: buffer, log: log.With("component", "live"), metrics: newMetrics(reg),
		subs: map[*Subscription]struct{}{}}
}

// Subscription is one subscriber's feed. Read C until Done closes; then
// Err says why it ended.
type Subscription struct {
	h    *Hub
	c    chan *Event
	done chan struct{}
	err  error // set before done closes
}

// Subscribe adds a subscriber; ErrClosed once the hub is closed.
func (h *Hub) Subscribe() (*Subscription, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, ErrClosed
	}
	s := &Subscription{h: h, c: make(chan *Event, h.size), done: make(chan struct{})}
	h.subs[s] = struct{}{}
	h.metrics.subscribers.Set(float64(len(h.subs)))
	return s, nil
}

// C delivers the events in publishing order. It is never closed: select
// on Done too.
func (s *Subscription) C() <-chan *Event { return s.c }

// Done is closed when the subscription ends.
func (s *Subscription) Done() <-chan struct{} { return s.done }

// Err is why the subscription ended: ErrSlow, ErrClosed, or nil when the
// subscriber closed it (or it has not ended).
func (s *Subscription) Err() error {
	select {
	case <-s.done:
		return s.err
	default:
		return nil
	}
}

// Close ends the subscription; safe to call more than once.
func (s *Subscription) Close() {
	s.h.mu.Lock()
	defer s.h.mu.Unlock()
	s.h.end(s, nil)
}

// end removes s with the reason err. The caller holds h.mu.
func (h *Hub) end(s *Subscription, err error) {
	if _, ok := h.subs[s]; !ok {
		return
	}
	delete(h.subs, s)
	s.err = err
	close(s.done)
	h.metrics.subscribers.Set(float64(len(h.subs)))
}

// Publish hands records to every subscriber. It never waits for one: a
// subscriber whose buffer is full is dropped with ErrSlow. It runs on the
// engine's goroutine, so it does not encode: each record is encoded once,
// around the engine's own Data (routing.Record.JSON), when a subscriber
// first asks for its JSON; nobody may change the records afterwards.
func (h *Hub) Publish(recs ...*routing.Record) {
	if len(recs) == 0 {
		return
	}
	evs := make([]*Event, len(recs))
	for i, r := range recs {
		evs[i] = &Event{Rec: r, Payload: Payload{encode: r.JSON}}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.metrics.published.Add(float64(len(evs)))
	for s := range h.subs {
		for _, ev := range evs {
			select {
			case s.c <- ev:
				continue
			default:
			}
			h.metrics.dropped.Inc()
			h.log.Warn("live subscriber dropped: too slow", "buffer", h.size, "seq", ev.Rec.Seq)
			h.end(s, ErrSlow)
			break
		}
	}
}

// Close ends every subscription with ErrClosed; later Subscribes fail.
func (h *Hub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for s := range h.subs {
		h.end(s, ErrClosed)
	}
}

// Run closes the hub when ctx ends, so that every subscriber (an SSE
// request) returns and the HTTP server can shut down.
func (h *Hub) Run(ctx context.Context) error {
	<-ctx.Done()
	h.Close()
	return nil
}

// Subscribers is how many subscriptions are open.
func (h *Hub) Subscribers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}

// Tee is a journal that publishes what its Next journal made durable:
// records are only ever shown once they are in the log.
type Tee struct {
	Next routing.Journal
	Hub  *Hub
}

var _ routing.Journal = Tee{}

// Append appends to Next and, when that succeeds, publishes the records
// (their Seq set).
func (t Tee) Append(ctx context.Context, recs ...*routing.Record) error {
	if err := t.Next.Append(ctx, recs...); err != nil {
		return err
	}
	t.Hub.Publish(recs...)
	return nil
}

type metrics struct {
	subscribers prometheus.Gauge
	dropped     prometheus.Counter
	published   prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		subscribers: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "switchboard_live_subscribers", Help: "Open subscriptions to the live feed (SSE clients and the wallboard).",
		}),
		dropped: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "switchboard_live_dropped_total", Help: "Live subscribers dropped because they fell behind (they reconnect and resume).",
		}),
		published: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "switchboard_live_published_total", Help: "Records published to the live feed.",
		}),
	}
	if reg != nil {
		reg.MustRegister(m.subscribers, m.dropped, m.published)
	}
	return m
}
