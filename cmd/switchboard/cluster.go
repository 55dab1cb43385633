package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"switchboard/config"
	"switchboard/store"
)

// serveClustered runs a node of several sharing one PostgreSQL: it stands
// by (passing requests on to the owner) until it holds its partition's
// lease, then serves as a single node does, renewing the lease. The new
// owner rebuilds its state as a restart does: from the log (restore) and
// the PBX's channels (the drivers' resync). When the lease is lost (the
// database unreachable for a lease, or another node took it) the node
// stops driving the PBX at once and exits with an error; started again
// (systemd's Restart=), it stands by. A clean stop releases the lease, so
// a standby takes over without waiting for it to lapse.
func serveClustered(ctx context.Context, st *store.Store, cfg *config.Config, path string, log *slog.Logger, stdout io.Writer) error {
	leases, err := store.NewLeases(st)
	if err != nil {
		return err
	}
	own := &ownership{node: cfg.Cluster.Node, part: cfg.PartitionName(), url: cfg.Cluster.Advertise,
		ttl: cfg.Cluster.LeaseTTL(), metrics: newLeaseMetrics(cfg.PartitionName())}
	log = log.With("component", "cluster", "node", own.node, "partition", own.part)
	lease, err := standBy(ctx, leases, own, cfg.Listen.Addr, log, stdout)
	if err != nil {
		return err
	}
	own.took(lease)
	log.Info("lease taken: this node drives the partition", "epoch", lease.Epoch, "lease", own.ttl)

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	renewing := make(chan struct{})
	go func() {
		defer close(renewing)
		keepLease(ctx, cancel, leases, own, log)
	}()
	err = serveOn(ctx, st, cfg, path, log, stdout, own)
	cause := context.Cause(ctx)
	cancel(nil)
	<-renewing
	if errors.Is(cause, store.ErrLeaseLost) {
		return fmt.Errorf("cluster: %w: stopped driving the PBX; start again to stand by", cause)
	}
	rctx, done := context.WithTimeout(context.Background(), 2*time.Second)
	defer done()
	if rerr := leases.Release(rctx, lease); rerr != nil {
		log.Warn("lease not released; a standby takes over once it lapses", "err", rerr)
	} else {
		log.Info("lease released")
	}
	return err
}

// ownership is this node's hold on its partition.
type ownership struct {
	node, part, url string
	ttl             time.Duration
	metrics         *leaseMetrics

	mu    sync.Mutex
	lease store.Lease
	since time.Time
}

func (o *ownership) took(l store.Lease) {
	o.mu.Lock()
	o.lease, o.since = l, time.Now()
	o.mu.Unlock()
	o.metrics.owned.Set(1)
	o.metrics.epoch.Set(float64(l.Epoch))
}

// poll is how often a standby tries the lease and an owner renews it:
// three chances inside one lease.
func (o *ownership) poll() time.Duration { return o.ttl / 3 }

func (o *ownership) health() map[string]any {
	o.mu.Lock()
	defer o.mu.Unlock()
	return map[string]any{"node": o.node, "partition": o.part, "role": "owner", "epoch": o.lease.Epoch,
		"lease_seconds": o.ttl.Seconds(), "owner_since": o.since.UTC().Format(time.RFC3339)}
}

// keepLease renews the lease every poll until ctx ends; it cancels ctx
// with ErrLeaseLost when the database says the lease is gone, or when no
// renewal succeeded for a lease's time (the database may already have
// handed it on: the log's fence refuses this node's writes from then on).
func keepLease(ctx context.Context, cancel context.CancelCauseFunc, leases *store.Leases, own *ownership, log *slog.Logger) {
	t := time.NewTicker(own.poll())
	defer t.Stop()
	own.mu.Lock()
	lease := own.lease
	own.mu.Unlock()
	valid := time.Now().Add(own.ttl) // at least: the database set it after now
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		sent := time.Now()
		rctx, done := context.WithTimeout(ctx, own.poll())
		err := leases.Renew(rctx, lease)
		done()
		switch {
		case err == nil:
			valid = sent.Add(own.ttl)
			own.metrics.renewals.WithLabelValues("ok").Inc()
			continue
		case errors.Is(err, store.ErrLeaseLost):
			own.metrics.renewals.WithLabelValues("lost").Inc()
		case ctx.Err() != nil:
			return
		default:
			own.metrics.renewals.WithLabelValues("error").Inc()
			if time.Until(valid) > own.poll()/2 {
				log.Warn("lease renewal failed; trying again", "err", err, "valid_for", time.Until(valid).Round(time.Millisecond))
				continue
			}
			err = fmt.Errorf("no renewal for a lease's time (%s): %w: %w", own.ttl, store.ErrLeaseLost, err)
		}
		own.metrics.owned.Set(0)
		log.Error("lease lost: stopping", "err", err)
		cancel(err)
		return
	}
}

// standBy tries the lease every poll until this node holds it, serving
// the standby answer on addr meanwhile; it returns with addr free again.
func standBy(ctx context.Context, leases *store.Leases, own *ownership, addr string, log *slog.Logger, stdout io.Writer) (store.Lease, error) {
	lease, held, ok, err := leases.Acquire(ctx, own.part, own.node, own.url, own.ttl)
	if err == nil && ok {
		return lease, nil
	}
	sb := &standby{own: own, log: log}
	sb.set(held, err)
	ln, lerr := net.Listen("tcp", addr)
	if lerr != nil {
		return store.Lease{}, fmt.Errorf("cluster: standby listen %s: %w", addr, lerr)
	}
	srv := &http.Server{Handler: sb.handler(), ReadHeaderTimeout: 5 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	stop := func() {
		sctx, done := context.WithTimeout(context.Background(), 2*time.Second)
		defer done()
		_ = srv.Shutdown(sctx)
		<-served
	}
	fmt.Fprintf(stdout, "switchboard: standby on http://%s: partition %q is owned by %q; taking over when its lease lapses\n", addr, own.part, held.Owner)
	log.Info("standing by", "owner", held.Owner, "expires_in", held.ExpiresIn.Round(time.Millisecond), "err", err)
	t := time.NewTicker(own.poll())
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			stop()
			return store.Lease{}, ctx.Err()
		case err := <-served:
			return store.Lease{}, fmt.Errorf("cluster: standby server: %w", err)
		case <-t.C:
		}
		lease, held, ok, err = leases.Acquire(ctx, own.part, own.node, own.url, own.ttl)
		if err == nil && ok {
			stop()
			return lease, nil
		}
		if err != nil {
			log.Warn("lease: database unreachable; standing by", "err", err)
		}
		sb.set(held, err)
	}
}

// standby is what a node answers while another owns its partition.
type standby struct {
	own *ownership
	log *slog.Logger

	mu   sync.Mutex
	held store.Holder
	err  error
}

func (s *standby) set(h store.Holder, err error) {
	s.mu.Lock()
	if err == nil {
		s.held = h
	}
	s.err = err
	s.mu.Unlock()
}

func (s *standby) state() (store.Holder, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.held, s.err
}

func (s *standby) handler() http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), s.own.metrics)
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		held, err := s.state()
		c := s.cluster(held)
		if err != nil {
			c["database_error"] = err.Error()
		}
		s.write(w, held, map[string]any{"status": "standby", "cluster": c})
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		held, _ := s.state()
		// The API and the pages answer on any node: a standby passes
		// requests on to the owner's advertised URL (the owner sees this
		// node as a proxy: list it in the owner's listen.trusted_proxies
		// for the client's own address in audit and limits).
		if target, err := url.Parse(held.OwnerURL); err == nil && held.OwnerURL != "" && held.ExpiresIn > 0 {
			s.forward(w, r, target, held)
			return
		}
		s.refuse(w, held)
	})
	return mux
}

// forward passes r on to the owner at target; an owner that does not
// answer gets the standby's 503.
func (s *standby) forward(w http.ResponseWriter, r *http.Request, target *url.URL, held store.Holder) {
	p := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			pr.SetXForwarded()
			pr.Out.Host = target.Host
			pr.Out.Header.Set("X-Switchboard-Via", s.own.node)
		},
		ErrorHandler: func(w http.ResponseWriter, _ *http.Request, err error) {
			s.log.Warn("standby: the owner did not answer a forwarded request", "owner", held.Owner, "err", err)
			s.refuse(w, held)
		},
	}
	p.ServeHTTP(w, r)
}

// refuse is the 503 of a partition whose owner cannot be reached here.
func (s *standby) refuse(w http.ResponseWriter, held store.Holder) {
	msg := fmt.Sprintf("node %s is on standby: partition %s is owned by node %s", s.own.node, s.own.part, held.Owner)
	if held.Owner == "" || held.ExpiresIn <= 0 {
		msg = fmt.Sprintf("node %s is on standby: partition %s is moving", s.own.node, s.own.part)
	}
	s.write(w, held, map[string]any{"error": map[string]any{"code": "standby", "message": msg + "; send it there, or retry here after Retry-After",
		"owner": held.Owner, "owner_url": held.OwnerURL}})
}

func (s *standby) cluster(held store.Holder) map[string]any {
	return map[string]any{"node": s.own.node, "partition": s.own.part, "role": "standby", "owner": held.Owner,
		"owner_url": held.OwnerURL, "owner_expires_in_seconds": math.Round(held.ExpiresIn.Seconds()*10) / 10,
		"lease_seconds": s.own.ttl.Seconds()}
}

// write answers 503 with a Retry-After of when this node may own the
// partition: the owner's time left, at least one poll.
func (s *standby) write(w http.ResponseWriter, held store.Holder, body any) {
	wait := max(held.ExpiresIn, s.own.poll())
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
	w.WriteHeader(http.StatusServiceUnavailable)
	_ = json.NewEncoder(w).Encode(body)
}

// leaseMetrics: which partition this node owns, its epoch, renewals.
type leaseMetrics struct {
	owned, epoch prometheus.Gauge
	renewals     *prometheus.CounterVec
}

func newLeaseMetrics(part string) *leaseMetrics {
	l := prometheus.Labels{"partition": part}
	return &leaseMetrics{
		owned: prometheus.NewGauge(prometheus.GaugeOpts{Name: "switchboard_cluster_partition_owned", ConstLabels: l,
			Help: "1 while this node holds the partition's lease and drives its PBX, 0 on standby."}),
		epoch: prometheus.NewGauge(prometheus.GaugeOpts{Name: "switchboard_cluster_lease_epoch", ConstLabels: l,
			Help: "The epoch of the lease this node took last (grows on every take-over)."}),
		renewals: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "switchboard_cluster_lease_renewals_total", ConstLabels: l,
			Help: "Lease renewals by result: ok, error (database unreachable), lost."}, []string{"result"}),
	}
}

func (m *leaseMetrics) Describe(ch chan<- *prometheus.Desc) {
	m.owned.Describe(ch)
	m.epoch.Describe(ch)
	m.renewals.Describe(ch)
}

func (m *leaseMetrics) Collect(ch chan<- prometheus.Metric) {
	m.owned.Collect(ch)
	m.epoch.Collect(ch)
	m.renewals.Collect(ch)
}
