// Package ari drives Asterisk over ARI: a small REST client (net/http) and
// events websocket of our own, and the routing/pbx Switch implementation
// over them.
package ari

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"switchboard/routing/pbx"
	"switchboard/routing/pbx/redial"
)

// Config says how to reach one Asterisk's ARI. Zero fields take the
// defaults noted.
type Config struct {
	// URL is Asterisk's HTTP server, e.g. "http://127.0.0.1:8088"; the
	// client adds the /ari prefix.
	URL            string
	User, Password string
	// App is the Stasis application name (default "switchboard").
	App string
	// Node names this PBX in events (pbx.Base.Node); default URL's host.
	Node string
	// DialTimeout bounds each connection attempt (default 5s).
	DialTimeout time.Duration
	// RequestTimeout bounds each REST request (default 10s).
	RequestTimeout time.Duration
	// MaxConns caps the REST connection pool; keep it well below
	// http.conf's sessionlimit (100). Default 16.
	MaxConns int
	// PingInterval is how often the websocket is pinged; a ping without a
	// pong within the interval drops the link (default 5s).
	PingInterval time.Duration
	// Trunks are the PJSIP endpoints that are trunks (dialplan.trunks
	// names): their PeerState says Trunk and names them bare; other
	// endpoints are phones, named "PJSIP/NAME".
	Trunks []string
	// QueueBound is the event backlog above which the driver counts and
	// logs an overflow; it never drops events (default 100000).
	QueueBound int
}

// Reconnect backoff, doubled per failed attempt.
const (
	backoffMin = 100 * time.Millisecond
	backoffMax = 5 * time.Second
)

// Driver is the Asterisk implementation of pbx.Switch.
type Driver struct {
	cfg  Config
	log  *slog.Logger
	rest *client
	m    *metrics
	// now is the receive clock, for events without a timestamp.
	now func() time.Time

	running atomic.Bool
	trunks  map[string]bool // cfg.Trunks as a set; read-only after New
	// filterRefused: the PBX refused the event filter once (filter.go).
	filterRefused atomic.Bool

	mu     sync.Mutex
	legs   map[string]uint64 // originated legs not yet ended → registration number
	legSeq uint64
	snoops map[string]*snoopLeg // supervisors' legs not yet ended
	spies  map[string]string    // snoop channels → the supervisor's leg
	// spyReady: snoop channels being set up → closed at their StasisStart
	// (or end); spyWait bounds the wait (snoop.go).
	spyReady map[string]chan struct{}
	spyWait  time.Duration

	// bg is the background work of supervisors' legs (snoop.go).
	bg sync.WaitGroup

	// bridgeRecs: the live recordings of each bridge (callrecording.go).
	bridgeRecs bridgeRecordings
}

var (
	_ pbx.Switch = (*Driver)(nil)
	_ pbx.Ringer = (*Driver)(nil)
)

// New checks cfg, fills its defaults and registers the driver's metrics on
// reg (nil: not registered). It does not connect; Run does.
func New(cfg Config, log *slog.Logger, reg prometheus.Registerer) (*Driver, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("ari: url %q: want http://host:port", cfg.URL)
	}
	if cfg.App == "" {
		cfg.App = "switchboard"
	}
	if cfg.Node == "" {
		cfg.Node = u.Host
	}
	if cfg.DialTimeout <= 0 {
		cfg.DialTimeout = 5 * time.Second
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = 10 * time.Second
	}
	if cfg.MaxConns <= 0 {
		cfg.MaxConns = 16
	}
	if cfg.PingInterval <= 0 {
		cfg.PingInterval = 5 * time.Second
	}
	if cfg.QueueBound <= 0 {
		cfg.QueueBound = 100000
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	m, err := newMetrics(cfg.Node, reg)
	if err != nil {
		return nil, fmt.Errorf("ari: metrics: %w", err)
	}
	trunks := map[string]bool{}
	for _, t := range cfg.Trunks {
		trunks[t] = true
	}
	return &Driver{
		cfg:    cfg,
		trunks: trunks,
		log:    log.With("component", "ari", "node", cfg.Node),
		rest:   newClient(cfg, m),
		m:      m,
		now:    time.Now,
		legs:   map[string]uint64{},
		snoops: map[string]*snoopLeg{},
		spies:  map[string]string{},

		spyReady: map[string]chan struct{}{},
		spyWait:  2 * time.Second,
	}, nil
}

// Run connects the events websocket, delivers events in the order Asterisk
// sent them and reconnects until ctx ends; it returns ctx's error. After
// each (re)connect it delivers Resynced; when a connected link drops it
// delivers LinkDown. Blocking on events is the back-pressure: the websocket
// is read into an unbounded queue meanwhile.
func (d *Driver) Run(ctx context.Context, events chan<- pbx.Event) error {
	if !d.running.CompareAndSwap(false, true) {
		return ErrRunning
	}
	defer d.running.Store(false)

	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	q := newQueue(d.cfg.QueueBound, d.m, d.log)
	var wg sync.WaitGroup
	wg.Go(func() { d.deliver(runCtx, q, events) })

	redial.Loop(ctx, backoffMin, backoffMax, func(context.Context) (bool, error) {
		return d.session(runCtx, q)
	}, func(err error, wait time.Duration) {
		d.m.reconnects.Inc()
		d.log.Warn("ari link down; reconnecting", "err", err, "in", wait)
	})
	cancel()
	wg.Wait()
	d.bg.Wait()
	return ctx.Err()
}

// deliver decodes queued messages and hands events to the engine. It is
// the only user of the decoder, so per-channel state needs no lock.
func (d *Driver) deliver(ctx context.Context, q *queue, events chan<- pbx.Event) {
	dec := &decoder{node: d.cfg.Node, legs: d, trunks: d.trunks, seen: func(typ string) {
		d.m.events.WithLabelValues(typ).Inc()
	}}
	for {
		it, ok := q.Pop(ctx)
		if !ok {
			return
		}
		ev := it.ev
		if ev == nil {
			var typ string
			var err error
			ev, typ, err = dec.decode(it.raw, it.recv)
			switch {
			case err != nil:
				d.m.decodeErrors.Inc()
				d.log.Error("ari message not decoded", "err", err, "message", clip(it.raw, 512))
				continue
			case ev == nil && typ == "ApplicationReplaced":
				d.log.Warn("ari application taken over by another client", "app", d.cfg.App)
				continue
			case ev == nil:
				d.log.Debug("ari event skipped", "type", typ)
				continue
			}
		}
		if rf, ok := ev.(pbx.RecordingFinished); ok {
			d.bridgeRecs.finished(rf.Name) // a DestroyBridge may be waiting for it
		}
		if !dec.peerChanged(ev) {
			continue
		}
		if !d.snoopEvent(ctx, ev) {
			continue
		}
		select {
		case events <- ev:
		case <-ctx.Done():
			return
		}
	}
}

// clock is the receive time in UTC, without a monotonic reading, as the
// event log stores it.
func (d *Driver) clock() time.Time { return d.now().UTC().Round(0) }

// isLeg implements legSet: channel was originated by this driver.
func (d *Driver) isLeg(channel string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	_, ok := d.legs[channel]
	return ok
}

// endLeg implements legSet.
func (d *Driver) endLeg(channel string) {
	d.mu.Lock()
	delete(d.legs, channel)
	d.mu.Unlock()
}

func (d *Driver) addLeg(channel string) {
	d.mu.Lock()
	d.legSeq++
	d.legs[channel] = d.legSeq
	d.mu.Unlock()
}

// ourApp reports whether a channel's dialplan location is Stasis(App,…).
func ourApp(dp wireDialplan, app string) bool {
	if dp.AppName != "Stasis" {
		return false
	}
	first, _, _ := strings.Cut(dp.AppData, ",")
	return strings.TrimSpace(first) == app
}

// resync lists the channels and bridges Asterisk holds for us. Legs the
// driver originated before the listing and Asterisk no longer has are
// forgotten (their end was lost with the link).
func (d *Driver) resync(ctx context.Context) (pbx.Resynced, error) {
	d.mu.Lock()
	seq := d.legSeq
	d.mu.Unlock()
	// The listing's time is when it was asked for: an offer the engine
	// makes while it is under way is not in it and must not be judged
	// gone by it.
	listedAt := d.clock()

	var chans []wireChannel
	if err := d.rest.do(ctx, opListChannels, nil, nil, nil, &chans); err != nil {
		return pbx.Resynced{}, fmt.Errorf("ari: list channels: %w", err)
	}
	var bridges []wireBridge
	if err := d.rest.do(ctx, opListBridges, nil, nil, nil, &bridges); err != nil {
		return pbx.Resynced{}, fmt.Errorf("ari: list bridges: %w", err)
	}
	rs := pbx.Resynced{
		Base:     pbx.Base{Time: listedAt, Node: d.cfg.Node},
		Channels: []pbx.ChannelInfo{},
		Bridges:  []string{},
	}
	listed := map[string]bool{}
	d.mu.Lock()
	for _, ch := range chans {
		if _, leg := d.legs[ch.ID]; !leg && !ourApp(ch.Dialplan, d.cfg.App) {
			continue
		}
		if _, spy := d.spies[ch.ID]; spy {
			continue // a supervisor's snoop channel: not the engine's
		}
		listed[ch.ID] = true
	}
	for id, n := range d.legs {
		if n <= seq && !listed[id] {
			delete(d.legs, id)
			delete(d.snoops, id)
		}
	}
	d.mu.Unlock()

	inBridge := map[string]string{}
	for _, b := range bridges {
		ours := len(b.Channels) == 0 && b.BridgeClass == "stasis"
		for _, c := range b.Channels {
			if listed[c] {
				ours = true
				inBridge[c] = b.ID
			}
		}
		if ours {
			rs.Bridges = append(rs.Bridges, b.ID)
		}
	}
	for _, ch := range chans {
		if !listed[ch.ID] {
			continue
		}
		rs.Channels = append(rs.Channels, pbx.ChannelInfo{
			Channel:  ch.ID,
			State:    ch.State,
			Caller:   ch.Caller.Number,
			Called:   ch.Dialplan.Exten,
			BridgeID: inBridge[ch.ID],
		})
	}
	return rs, nil
}

func clip(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}
