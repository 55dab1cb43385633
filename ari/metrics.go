package ari

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the driver's Prometheus series, all labelled with the node
// so one registry can hold several drivers.
type metrics struct {
	events        *prometheus.CounterVec
	decodeErrors  prometheus.Counter
	queueOverflow prometheus.Counter
	queueLength   prometheus.Gauge
	reconnects    prometheus.Counter
	requests      *prometheus.HistogramVec
	linkUp        prometheus.Gauge
}

func newMetrics(node string, reg prometheus.Registerer) (*metrics, error) {
	cl := prometheus.Labels{"node": node}
	m := &metrics{
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "switchboard_ari_events_total", ConstLabels: cl,
			Help: "ARI websocket messages received, by ARI event type.",
		}, []string{"type"}),
		decodeErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "switchboard_ari_decode_errors_total", ConstLabels: cl,
			Help: "ARI websocket messages that could not be decoded.",
		}),
		queueOverflow: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "switchboard_ari_queue_overflow_total", ConstLabels: cl,
			Help: "ARI messages queued while the queue was above its bound (kept, not dropped).",
		}),
		queueLength: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "switchboard_ari_queue_length", ConstLabels: cl,
			Help: "ARI messages read from the websocket and not yet delivered.",
		}),
		reconnects: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "switchboard_ari_reconnects_total", ConstLabels: cl,
			Help: "Websocket connection attempts after the first.",
		}),
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "switchboard_ari_request_duration_seconds", ConstLabels: cl,
			Help:    "ARI REST request duration, by operation.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"op"}),
		linkUp: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "switchboard_ari_link_up", ConstLabels: cl,
			Help: "1 while the events websocket is connected and resynced.",
		}),
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{m.events, m.decodeErrors, m.queueOverflow,
			m.queueLength, m.reconnects, m.requests, m.linkUp} {
			if err := reg.Register(c); err != nil {
				return nil, err
			}
		}
	}
	for _, op := range operations {
		m.requests.WithLabelValues(op.Name)
	}
	return m, nil
}

func (m *metrics) observeRequest(op string, d time.Duration) {
	m.requests.WithLabelValues(op).Observe(d.Seconds())
}
