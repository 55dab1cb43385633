package esl

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the driver's Prometheus series, all labelled with the node
// so one registry can hold several drivers.
type metrics struct {
	events          *prometheus.CounterVec
	decodeErrors    prometheus.Counter
	queueOverflow   prometheus.Counter
	queueLength     prometheus.Gauge
	reconnects      prometheus.Counter
	requests        *prometheus.HistogramVec
	linkUp          prometheus.Gauge
	outboundSockets prometheus.Gauge
}

func newMetrics(node string, reg prometheus.Registerer) (*metrics, error) {
	cl := prometheus.Labels{"node": node}
	m := &metrics{
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "switchboard_esl_events_total", ConstLabels: cl,
			Help: "FreeSWITCH events received, by Event-Name.",
		}, []string{"name"}),
		decodeErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "switchboard_esl_decode_errors_total", ConstLabels: cl,
			Help: "Event Socket messages that could not be decoded.",
		}),
		queueOverflow: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "switchboard_esl_queue_overflow_total", ConstLabels: cl,
			Help: "ESL messages queued while the queue was above its bound (kept, not dropped).",
		}),
		queueLength: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "switchboard_esl_queue_length", ConstLabels: cl,
			Help: "ESL messages read and not yet delivered.",
		}),
		reconnects: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "switchboard_esl_reconnects_total", ConstLabels: cl,
			Help: "Inbound event socket connection attempts after the first.",
		}),
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "switchboard_esl_request_duration_seconds", ConstLabels: cl,
			Help:    "ESL command round trips, by command.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"command"}),
		linkUp: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "switchboard_esl_link_up", ConstLabels: cl,
			Help: "1 while the inbound event socket is connected, subscribed and resynced.",
		}),
		outboundSockets: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "switchboard_esl_outbound_sockets", ConstLabels: cl,
			Help: "Outbound socket connections (one per call) currently open.",
		}),
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{m.events, m.decodeErrors, m.queueOverflow,
			m.queueLength, m.reconnects, m.requests, m.linkUp, m.outboundSockets} {
			if err := reg.Register(c); err != nil {
				return nil, err
			}
		}
	}
	return m, nil
}

func (m *metrics) observeRequest(cmd string, d time.Duration) {
	m.requests.WithLabelValues(cmd).Observe(d.Seconds())
}
