package live

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"time"

	"gopkg.in/yaml.v3"
)

// WallboardConfig is the wallboard: section of the config file: the
// thresholds that turn a tile amber or red and put a line on the alert
// list.
type WallboardConfig struct {
	// Thresholds apply to every queue.
	Thresholds Thresholds `yaml:"thresholds"`
	// Queues override Thresholds per queue, metric by metric: a metric set
	// here replaces the default one ({} turns it off for the queue).
	Queues map[string]Thresholds `yaml:"queues"`
	// Teams apply to every team tile.
	Teams TeamThresholds `yaml:"teams"`
}

// Thresholds are a queue's limits. A nil metric has none.
type Thresholds struct {
	Waiting         *Limit `yaml:"waiting"`           // callers waiting now; at or above
	LongestWait     *Limit `yaml:"longest_wait"`      // seconds or a duration (30s); at or above
	ServiceLevel    *Limit `yaml:"service_level"`     // percent, today; below
	ServiceLevel30m *Limit `yaml:"service_level_30m"` // percent, last 30 minutes; below
	AbandonRate     *Limit `yaml:"abandon_rate"`      // percent, today; at or above
	ASA             *Limit `yaml:"asa"`               // seconds or a duration, today; at or above
	Ready           *Limit `yaml:"ready"`             // the queue's agents ready now; below
}

// TeamThresholds are every team tile's limits.
type TeamThresholds struct {
	Ready *Limit `yaml:"ready"` // the team's agents ready now; below
}

// Limit is where a metric turns amber and where red; a zero level is off.
type Limit struct {
	Amber Level `yaml:"amber"`
	Red   Level `yaml:"red"`
}

// Level is a threshold value: a number, or for times a duration ("30s"),
// kept in seconds.
type Level float64

// UnmarshalYAML takes a number or a Go duration.
func (l *Level) UnmarshalYAML(n *yaml.Node) error {
	if v, err := strconv.ParseFloat(n.Value, 64); err == nil && n.Kind == yaml.ScalarNode {
		*l = Level(v)
		return nil
	}
	if d, err := time.ParseDuration(n.Value); err == nil && n.Kind == yaml.ScalarNode {
		*l = Level(d.Seconds())
		return nil
	}
	return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: %q is not a number or a duration (e.g. 80, 30s)", n.Line, n.Value)}}
}

// Metric names, as alerts and tiles' marks name them.
const (
	MetricWaiting         = "waiting"
	MetricLongestWait     = "longest_wait"
	MetricServiceLevel    = "service_level"
	MetricServiceLevel30m = "service_level_30m"
	MetricAbandonRate     = "abandon_rate"
	MetricASA             = "asa"
	MetricReady           = "ready"
	// MetricSignedIn is a queue's members signed in now: always red below
	// one, whatever the config says (a queue nobody serves is never "OK").
	MetricSignedIn = "signed_in"
)

// unservedLimit is MetricSignedIn's fixed limit.
var unservedLimit = &Limit{Red: 1}

// metricSpec is how a metric's limits read: whether lower values are
// worse, and whether it is a percentage.
type metricSpec struct {
	lowerWorse, percent bool
}

var metricSpecs = map[string]metricSpec{
	MetricWaiting:         {},
	MetricLongestWait:     {},
	MetricServiceLevel:    {lowerWorse: true, percent: true},
	MetricServiceLevel30m: {lowerWorse: true, percent: true},
	MetricAbandonRate:     {percent: true},
	MetricASA:             {},
	MetricReady:           {lowerWorse: true},
	MetricSignedIn:        {lowerWorse: true},
}

// limits lists the metrics set in t, by name.
func (t Thresholds) limits() map[string]*Limit {
	return map[string]*Limit{
		MetricWaiting: t.Waiting, MetricLongestWait: t.LongestWait,
		MetricServiceLevel: t.ServiceLevel, MetricServiceLevel30m: t.ServiceLevel30m,
		MetricAbandonRate: t.AbandonRate, MetricASA: t.ASA, MetricReady: t.Ready,
	}
}

// forQueue is the limits in force for queue q: its overrides over the
// defaults.
func (c WallboardConfig) forQueue(q string) map[string]*Limit {
	out := c.Thresholds.limits()
	if o, ok := c.Queues[q]; ok {
		for m, l := range o.limits() {
			if l != nil {
				out[m] = l
			}
		}
	}
	return out
}

// Validate reports every bad threshold, each as "wallboard.<key path>:
// problem" so that the config loader can name the file and line. queues
// are the configured queues; an override for another one is an error.
func (c WallboardConfig) Validate(queues []string) error {
	var errs []error
	check := func(prefix string, ls map[string]*Limit) {
		names := make([]string, 0, len(ls))
		for m := range ls {
			names = append(names, m)
		}
		sort.Strings(names)
		for _, m := range names {
			if l := ls[m]; l != nil {
				errs = append(errs, l.check(prefix+"."+m, metricSpecs[m])...)
			}
		}
	}
	check("wallboard.thresholds", c.Thresholds.limits())
	names := make([]string, 0, len(c.Queues))
	for q := range c.Queues {
		names = append(names, q)
	}
	sort.Strings(names)
	for _, q := range names {
		if !slices.Contains(queues, q) {
			errs = append(errs, fmt.Errorf("wallboard.queues.%s: no such queue (queues: %v)", q, queues))
			continue
		}
		check("wallboard.queues."+q, c.Queues[q].limits())
	}
	check("wallboard.teams", map[string]*Limit{MetricReady: c.Teams.Ready})
	return errors.Join(errs...)
}

func (l Limit) check(key string, spec metricSpec) []error {
	var errs []error
	for _, lv := range []struct {
		name string
		v    Level
	}{{"amber", l.Amber}, {"red", l.Red}} {
		v := float64(lv.v)
		switch {
		case math.IsNaN(v) || math.IsInf(v, 0) || v < 0:
			errs = append(errs, fmt.Errorf("%s.%s: %v must be a number ≥ 0", key, lv.name, v))
		case spec.percent && v > 100:
			errs = append(errs, fmt.Errorf("%s.%s: %v is not a percentage (0-100)", key, lv.name, v))
		}
	}
	if len(errs) > 0 || l.Amber == 0 || l.Red == 0 {
		return errs
	}
	if spec.lowerWorse && l.Red > l.Amber {
		errs = append(errs, fmt.Errorf("%s.red: %v must not be above amber (%v): lower is worse", key, float64(l.Red), float64(l.Amber)))
	}
	if !spec.lowerWorse && l.Red < l.Amber {
		errs = append(errs, fmt.Errorf("%s.red: %v must not be below amber (%v): higher is worse", key, float64(l.Red), float64(l.Amber)))
	}
	return errs
}

// Statuses of a tile or a metric.
const (
	StatusOK    = "ok"
	StatusAmber = "amber"
	StatusRed   = "red"
)

// status is v's level against l (v nil: undefined, never alerting).
func (l *Limit) status(v *float64, spec metricSpec) (string, float64) {
	if l == nil || v == nil {
		return StatusOK, 0
	}
	crossed := func(lv Level) bool {
		if lv == 0 {
			return false
		}
		if spec.lowerWorse {
			return *v < float64(lv)
		}
		return *v >= float64(lv)
	}
	switch {
	case crossed(l.Red):
		return StatusRed, float64(l.Red)
	case crossed(l.Amber):
		return StatusAmber, float64(l.Amber)
	}
	return StatusOK, 0
}
