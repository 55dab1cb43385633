package report

import (
	"context"
	"fmt"
	"time"

	"switchboard/report/rollup"
	"switchboard/store"
)

// Load is the logged work of one queue in one 15-minute interval, from the
// rollups: what staffing forecasts from (workforce's Erlang C).
type Load struct {
	Start   time.Time `json:"start"`
	Queue   string    `json:"queue"`
	Offered float64   `json:"offered"` // calls offered to the queue (call.queued)
	Handled float64   `json:"handled"`
	HandleS float64   `json:"handle_s"` // talk + wrap-up of the handled calls, seconds
}

// Load is every queue's logged work in each 15-minute interval from
// through to (from ≤ start < to), intervals without calls left out.
func (b *Builder) Load(ctx context.Context, from, to time.Time) ([]Load, error) {
	cells, err := b.src.Rollup(ctx, store.RollupQuery{Grain: rollup.Grain15m, Dim: rollup.DimQueue,
		From: rollup.BucketOf(from), To: rollup.BucketOf(to), ByBucket: true, ByKey: true})
	if err != nil {
		return nil, fmt.Errorf("report: load: %w", err)
	}
	idx := map[[2]string]int{}
	var out []Load
	for _, c := range cells {
		if c.Key == "" {
			continue // calls that never queued: no queue's load
		}
		k := [2]string{c.Bucket, c.Key}
		i, ok := idx[k]
		if !ok {
			t, err := rollup.ParseBucket(c.Bucket)
			if err != nil {
				return nil, err
			}
			i = len(out)
			idx[k] = i
			out = append(out, Load{Start: t, Queue: c.Key})
		}
		switch c.Metric {
		case "offered":
			out[i].Offered += c.Value
		case "handled":
			out[i].Handled += c.Value
		case "talk_s", "wrap_s":
			out[i].HandleS += c.Value
		}
	}
	return out, nil
}
