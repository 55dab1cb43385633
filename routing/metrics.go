package routing

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

type metrics struct {
	steps           prometheus.Histogram
	batch           prometheus.Histogram
	records         *prometheus.CounterVec
	commands        *prometheus.HistogramVec
	commandErrors   *prometheus.CounterVec
	journalFailures prometheus.Counter
	linkUp          prometheus.Gauge
	// trunkState is 1 for each trunk's current health, 0 for the others.
	trunkState *prometheus.GaugeVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		steps: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "switchboard_engine_step_seconds", Help: "Time to handle a batch of inputs, log write included.",
			Buckets: prometheus.ExponentialBuckets(0.0001, 2, 14),
		}),
		batch: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "switchboard_engine_batch_inputs", Help: "Inputs sharing one event-log write.",
			Buckets: prometheus.ExponentialBuckets(1, 2, 9),
		}),
		records: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "switchboard_engine_records_total", Help: "Event log records written, by type.",
		}, []string{"type"}),
		commands: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "switchboard_pbx_command_seconds", Help: "PBX command latency, by command.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14),
		}, []string{"command"}),
		commandErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "switchboard_pbx_command_errors_total", Help: "PBX commands that failed, by command.",
		}, []string{"command"}),
		journalFailures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "switchboard_journal_failures_total", Help: "Steps acted on although the event log write failed.",
		}),
		linkUp: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "switchboard_pbx_link_up", Help: "1 while the PBX link is connected and resynced.",
		}),
		trunkState: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "switchboard_trunk_state", Help: "1 for a trunk's current health (up, degraded, down), 0 for the others; set on trunk.state records.",
		}, []string{"trunk", "state"}),
	}
	if reg != nil {
		reg.MustRegister(m.steps, m.batch, m.records, m.commands, m.commandErrors, m.journalFailures, m.linkUp, m.trunkState)
	}
	return m
}

func (m *metrics) observe(recs []*Record, inputs int, d time.Duration) {
	m.steps.Observe(d.Seconds())
	m.batch.Observe(float64(inputs))
	for _, r := range recs {
		t := r.Type
		if len(t) > 4 && t[:4] == EvPBX {
			t = EvPBX + "*" // keep label cardinality fixed
		}
		m.records.WithLabelValues(t).Inc()
		if r.Type == EvTrunkState {
			if d, err := Decode[TrunkStateData](r); err == nil {
				m.setTrunk(d.Trunk, d.To)
			}
		}
	}
}

// setTrunk shows trunk in health state (every trunk starts up).
func (m *metrics) setTrunk(trunk, state string) {
	for _, s := range []string{TrunkUp, TrunkDegraded, TrunkDown} {
		v := 0.0
		if s == state {
			v = 1
		}
		m.trunkState.WithLabelValues(trunk, s).Set(v)
	}
}

func (m *metrics) commandDone(name string, d time.Duration, err error) {
	m.commands.WithLabelValues(name).Observe(d.Seconds())
	if err != nil {
		m.commandErrors.WithLabelValues(name).Inc()
	}
}
