// Package esl drives FreeSWITCH over the Event Socket: a small client of
// our own (net, one reader per socket, events kept in the order FreeSWITCH
// sent them) and the routing/pbx Switch implementation over it.
//
// Two modes work together. Inbound: the driver dials mod_event_socket
// (host, port, password), subscribes to the channel events it needs,
// controls parked calls with api/bgapi and originates agent legs; that
// link is always up. Outbound (optional, OutboundListen): FreeSWITCH's
// `socket ADDR async full` application connects to the driver once per
// call; the driver sends connect, myevents and linger and controls that
// call with sendmsg. Channel events are always taken from the inbound
// link, so they stay in FreeSWITCH's order across calls. With `socket_resume=true` set before `socket` the
// dialplan takes the call back if Switchboard drops it.
package esl

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"switchboard/routing/pbx"
	"switchboard/routing/pbx/redial"
)

// Config says how to reach one FreeSWITCH. Zero fields take the defaults
// noted.
type Config struct {
	// Addr is mod_event_socket's listen address, "127.0.0.1:8021".
	Addr string
	// Password is event_socket.conf.xml's password (FreeSWITCH ships "ClueCon").
	Password string
	// OutboundListen is where the driver accepts FreeSWITCH's outbound
	// socket connections ("127.0.0.1:8084"); empty: inbound mode only.
	OutboundListen string
	// Node names this PBX in events (pbx.Base.Node); default Addr.
	Node string
	// DialTimeout bounds each connection attempt (default 5s).
	DialTimeout time.Duration
	// RequestTimeout bounds each command (default 10s).
	RequestTimeout time.Duration
	// PingInterval: when nothing was read for this long the driver sends a
	// cheap api command; no answer within another interval drops the link
	// (default 5s).
	PingInterval time.Duration
	// QueueBound is the event backlog above which the driver counts and
	// logs an overflow; it never drops events (default 100000).
	QueueBound int
	// MaxBody caps one message's Content-Length (default DefaultMaxBody).
	MaxBody int
	// RecordingsDir is where Switchboard reads the voice recordings
	// FreeSWITCH stores (FetchRecording), e.g. an NFS mount of the PBX's
	// recordings directory; empty: recordings cannot be fetched.
	RecordingsDir string
	// PBXRecordingsDir is that directory as FreeSWITCH sees it, where
	// Record stores NAME.wav (default RecordingsDir; when both are empty,
	// FreeSWITCH's own ${recordings_dir}).
	PBXRecordingsDir string
}

// Reconnect backoff, doubled per failed attempt.
const (
	backoffMin = 100 * time.Millisecond
	backoffMax = 5 * time.Second
)

// Driver is the FreeSWITCH implementation of pbx.Switch.
type Driver struct {
	// The optional features are types of their own (callrecording.go,
	// moh.go), embedded so the driver has their methods.
	*callRecorder
	musicOnHold

	cfg Config
	log *slog.Logger
	m   *metrics
	now func() time.Time

	running atomic.Bool

	mu        sync.Mutex
	link      *Conn             // the inbound link while it is up
	legs      map[string]uint64 // originated legs not yet ended → registration number
	legSeq    uint64
	jobs      map[string]string      // bgapi Job-UUID → leg
	playbacks map[string]playbackRef // Application-UUID (= playback ID) → playback
	bridges   map[string][]string    // bridge ID → its channels (FreeSWITCH has no bridge objects)
	owned     map[string]*Conn       // channel → its outbound socket
	// recordings are the voice recordings going on, by channel.
	recordings map[string]*voiceRec
	// listener is the outbound socket listener while Run runs.
	listener net.Listener
}

type playbackRef struct{ id, channel string }

var (
	_ pbx.Switch   = (*Driver)(nil)
	_ pbx.Recorder = (*Driver)(nil)
	_ pbx.Snooper  = (*Driver)(nil)
)

// New checks cfg, fills its defaults and registers the driver's metrics on
// reg (nil: not registered). It does not connect; Run does.
func New(cfg Config, log *slog.Logger, reg prometheus.Registerer) (*Driver, error) {
	if _, _, err := net.SplitHostPort(cfg.Addr); err != nil {
		return nil, fmt.Errorf("esl: addr %q: want host:port: %w", cfg.Addr, err)
	}
	if cfg.OutboundListen != "" {
		if _, _, err := net.SplitHostPort(cfg.OutboundListen); err != nil {
			return nil, fmt.Errorf("esl: outbound listen %q: want host:port: %w", cfg.OutboundListen, err)
		}
	}
	if cfg.Node == "" {
		cfg.Node = cfg.Addr
	}
	if cfg.DialTimeout <= 0 {
		cfg.DialTimeout = 5 * time.Second
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = 10 * time.Second
	}
	if cfg.PingInterval <= 0 {
		cfg.PingInterval = 5 * time.Second
	}
	if cfg.QueueBound <= 0 {
		cfg.QueueBound = 100000
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	if cfg.PBXRecordingsDir == "" {
		cfg.PBXRecordingsDir = cfg.RecordingsDir
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	m, err := newMetrics(cfg.Node, reg)
	if err != nil {
		return nil, fmt.Errorf("esl: metrics: %w", err)
	}
	d := &Driver{
		cfg:       cfg,
		log:       log.With("component", "esl", "node", cfg.Node),
		m:         m,
		now:       time.Now,
		legs:      map[string]uint64{},
		jobs:      map[string]string{},
		playbacks: map[string]playbackRef{},
		bridges:   map[string][]string{},
		owned:     map[string]*Conn{},

		recordings: map[string]*voiceRec{},
	}
	d.callRecorder = &callRecorder{d: d, recs: map[string]*callRec{}}
	d.musicOnHold = musicOnHold{d: d}
	return d, nil
}

// Run connects the inbound link (and, with OutboundListen, accepts
// outbound sockets), delivers events in the order FreeSWITCH sent them and
// reconnects until ctx ends; it returns ctx's error. After each
// (re)connect it delivers Resynced; when a connected link drops, LinkDown.
// Blocking on events is the back-pressure: sockets are read into an
// unbounded queue meanwhile.
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
	if d.cfg.OutboundListen != "" {
		ln, err := net.Listen("tcp", d.cfg.OutboundListen)
		if err != nil {
			cancel()
			wg.Wait()
			return fmt.Errorf("esl: outbound listen: %w", err)
		}
		d.mu.Lock()
		d.listener = ln
		d.mu.Unlock()
		wg.Go(func() { d.serveOutbound(runCtx, ln, q) })
	}

	redial.Loop(ctx, backoffMin, backoffMax, func(context.Context) (bool, error) {
		return d.session(runCtx, q)
	}, func(err error, wait time.Duration) {
		d.m.reconnects.Inc()
		d.log.Warn("esl link down; reconnecting", "err", err, "in", wait)
	})
	cancel()
	wg.Wait()
	d.mu.Lock()
	d.listener = nil
	d.mu.Unlock()
	return ctx.Err()
}

// OutboundAddr is the outbound listener's address while Run runs (useful
// with OutboundListen "127.0.0.1:0"), or "".
func (d *Driver) OutboundAddr() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.listener == nil {
		return ""
	}
	return d.listener.Addr().String()
}

// deliver decodes queued messages and hands events to the engine. It is
// the only user of the decoder, so per-channel state needs no lock.
func (d *Driver) deliver(ctx context.Context, q *queue, events chan<- pbx.Event) {
	dec := newDecoder(d.cfg.Node, d)
	for {
		it, ok := q.Pop(ctx)
		if !ok {
			return
		}
		ev := d.decodeItem(dec, it)
		if ev == nil {
			continue
		}
		select {
		case events <- ev:
		case <-ctx.Done():
			return
		}
	}
}

// decodeItem turns one queue item into the pbx event it stands for (nil:
// nothing for the engine).
func (d *Driver) decodeItem(dec *decoder, it item) pbx.Event {
	base := pbx.Base{Time: it.recv, Node: d.cfg.Node}
	switch {
	case it.ev != nil:
		if rs, ok := it.ev.(pbx.Resynced); ok {
			for _, ch := range rs.Channels {
				if !d.isLeg(ch.Channel) {
					dec.arrived[ch.Channel] = true
				}
			}
		}
		return it.ev
	case it.arrive != nil:
		d.m.events.WithLabelValues("CHANNEL_DATA").Inc()
		return dec.arrive(pbx.Base{Time: eventTime(it.arrive, it.recv), Node: d.cfg.Node}, it.arrive)
	case it.lost != "":
		return dec.end(base, it.lost, 0, 0)
	}
	m := it.msg
	switch m.ContentType() {
	case typeEventPlain, typeEventJSON:
	case typeDisconnect, typeLog:
		return nil
	default:
		d.log.Debug("esl message skipped", "content_type", m.ContentType(), "reply", m.ReplyText())
		return nil
	}
	ev, err := parseEvent(m)
	if err != nil {
		d.m.decodeErrors.Inc()
		d.log.Error("esl event not decoded", "err", err, "message", clipString(string(m.Body), 512))
		return nil
	}
	d.m.events.WithLabelValues(ev.Name()).Inc()
	out := dec.decode(ev, it.src, it.recv)
	if out == nil {
		d.log.Debug("esl event skipped", "name", ev.Name(), "channel", ev.Get(hdrUniqueID))
	}
	return out
}

// clock is the receive time in UTC, without a monotonic reading, as the
// event log stores it.
func (d *Driver) clock() time.Time { return d.now().UTC().Round(0) }

// registry, for the decoder.

func (d *Driver) isLeg(channel string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	_, ok := d.legs[channel]
	return ok
}

func (d *Driver) endLeg(channel string) {
	d.mu.Lock()
	delete(d.legs, channel)
	d.mu.Unlock()
}

func (d *Driver) addLeg(channel, jobID string) {
	d.mu.Lock()
	d.legSeq++
	d.legs[channel] = d.legSeq
	if jobID != "" {
		d.jobs[jobID] = channel
	}
	d.mu.Unlock()
}

func (d *Driver) job(jobID string) (string, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	leg, ok := d.jobs[jobID]
	delete(d.jobs, jobID)
	return leg, ok
}

func (d *Driver) playback(appUUID string) (string, string, bool) {
	if appUUID == "" {
		return "", "", false
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	p, ok := d.playbacks[appUUID]
	delete(d.playbacks, appUUID)
	return p.id, p.channel, ok
}
