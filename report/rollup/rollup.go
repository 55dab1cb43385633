// Package rollup is the report rollup's arithmetic: how each record of the
// event log changes the interval tables reports read (docs/kpis.md is its
// prose). It owns the rollup's vocabulary (grains, dimensions, buckets,
// metric names) and computes changes as pure functions over typed records
// into a Tally; store persists the Tally inside Append's transaction and
// report reads it back. It imports only routing.
package rollup

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"
)

// Grains and dimensions (the rollup table's grain and dim columns).
const (
	Grain15m = "15m" // bucket: UTC start of the 15-minute interval
	GrainDay = "day" // bucket: local date in the rollup time zone

	DimQueue  = "queue"  // 15m; key: queue ("" for calls that never queued)
	DimAgents = "agents" // 15m; key "": agent time summed over agents
	DimIVR    = "ivr"    // 15m; key: "flow/node"
	DimAgent  = "agent"  // day; key: agent ID
	// DimAgentCalls is the queue dimension's call metrics by the agent who
	// answered the call ("" for calls no agent answered), by local day: the
	// report groups it by team at read time, with the team map in force.
	DimAgentCalls = "agent_calls" // day; key: answering agent ID, "" = not answered
	// DimDisposition is answered calls by the disposition of their latest
	// wrap-up ("" = not wrapped up), counted like the queue dimension.
	DimDisposition = "disposition" // 15m; key: disposition code
	// DimTrunk is outbound trunk use by local day: attempts by result
	// (call.trunk_attempt) and the talk of the calls each trunk connected.
	DimTrunk = "trunk" // day; key: trunk name
	// DimTrunkWhy is the attempts that did not connect, by trunk and why
	// ("trunk/sip_503", "trunk/invite_timeout", "trunk/busy").
	DimTrunkWhy = "trunk_why" // day; key: "trunk/why"
)

// IntervalLength is the rollup's finest interval.
const IntervalLength = 15 * time.Minute

// WaitBins are the inclusive upper edges of the wait-time distribution
// (metrics "wait_le_10s" ... "wait_le_300s", then "wait_gt_300s").
var WaitBins = []time.Duration{10 * time.Second, 20 * time.Second, 30 * time.Second,
	60 * time.Second, 120 * time.Second, 300 * time.Second}

// WaitBinMetric names the bin of WaitBins[i]; i == len(WaitBins) is the
// open last bin.
func WaitBinMetric(i int) string {
	if i >= len(WaitBins) {
		return fmt.Sprintf("wait_gt_%ds", int(WaitBins[len(WaitBins)-1].Seconds()))
	}
	return fmt.Sprintf("wait_le_%ds", int(WaitBins[i].Seconds()))
}

// SurveyScoreMetric names the count of surveys scored n (1-5).
func SurveyScoreMetric(n int) string { return fmt.Sprintf("survey_score_%d", n) }

// bucketLayout is how a 15-minute bucket is written: UTC, fixed width, so
// that text order is time order (the store's time layout).
const bucketLayout = "2006-01-02T15:04:05.000000000Z"

// BucketOf is the 15-minute bucket t falls in, as stored.
func BucketOf(t time.Time) string { return t.UTC().Truncate(IntervalLength).Format(bucketLayout) }

// ParseBucket reads a 15-minute bucket back.
func ParseBucket(s string) (time.Time, error) {
	t, err := time.Parse(bucketLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("rollup bucket %q: %w", s, err)
	}
	return t, nil
}

// DayOf is the local date of t in loc, as grain day stores it.
func DayOf(t time.Time, loc *time.Location) string { return t.In(loc).Format(time.DateOnly) }

// SplitSpan calls f with each 15-minute bucket start from..to overlaps and
// the seconds of the overlap. Local days start on a 15-minute boundary in
// every time zone in use, so a bucket never spans two local days.
func SplitSpan(from, to time.Time, f func(bucket time.Time, secs float64)) {
	for t := from; t.Before(to); {
		b := t.UTC().Truncate(IntervalLength)
		end := b.Add(IntervalLength)
		if end.After(to) {
			end = to
		}
		f(b, end.Sub(t).Seconds())
		t = end
	}
}

// Config is what the rollup is computed with. Changing it changes past
// numbers, so the store rebuilds the rollup when its Fingerprint differs
// from the one the tables were built with.
type Config struct {
	Location     *time.Location           // local days of grain day; nil = UTC
	ShortAbandon time.Duration            // S; 0 = 5s
	SLThreshold  time.Duration            // default T; 0 = 20s
	QueueSL      map[string]time.Duration // T per queue
}

// WithDefaults fills what c leaves zero.
func (c Config) WithDefaults() Config {
	if c.Location == nil {
		c.Location = time.UTC
	}
	if c.ShortAbandon <= 0 {
		c.ShortAbandon = 5 * time.Second
	}
	if c.SLThreshold <= 0 {
		c.SLThreshold = 20 * time.Second
	}
	return c
}

// Threshold is T for a queue.
func (c Config) Threshold(queue string) time.Duration {
	if t := c.QueueSL[queue]; t > 0 {
		return t
	}
	return c.WithDefaults().SLThreshold
}

// Version is the version of what the rollup computes; raising it makes the
// store rebuild tables built by an older version (2: the agent_calls
// dimension, break overruns and not-ready requests per agent; 3: surveys,
// messages left and handled, callbacks requested; 4: the disposition
// dimension; 5: callbacks connected and failed, and their wait; 6:
// outbound calls apart from inbound, and the trunk dimensions).
const Version = 6

// Fingerprint identifies the numbers c computes: equal fingerprints, equal
// tables.
func (c Config) Fingerprint() string {
	c = c.WithDefaults()
	qs := map[string]string{}
	for _, q := range slices.Sorted(maps.Keys(c.QueueSL)) {
		if c.QueueSL[q] > 0 {
			qs[q] = c.QueueSL[q].String()
		}
	}
	b, _ := json.Marshal(map[string]any{"tz": c.Location.String(), "short_abandon": c.ShortAbandon.String(),
		"sl_threshold": c.SLThreshold.String(), "queue_sl": qs, "version": Version})
	return string(b)
}

// Key is one rollup cell.
type Key struct{ Grain, Dim, Bucket, Key, Metric string }

// Tally is one batch's changes to the rollup: Sum is added to the stored
// values, Max replaces them when greater.
type Tally struct {
	Sum map[Key]float64
	Max map[Key]float64
}

// NewTally is an empty tally.
func NewTally() *Tally { return &Tally{Sum: map[Key]float64{}, Max: map[Key]float64{}} }

func (t *Tally) add(grain, dim, bucket, key, metric string, v float64) {
	if v != 0 {
		t.Sum[Key{grain, dim, bucket, key, metric}] += v
	}
}

func (t *Tally) addMax(grain, dim, bucket, key, metric string, v float64) {
	k := Key{grain, dim, bucket, key, metric}
	if old, ok := t.Max[k]; !ok || v > old {
		t.Max[k] = v
	}
}
