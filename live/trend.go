package live

import (
	"context"
	"fmt"
	"sort"
	"time"

	"switchboard/report"
)

// TrendPoint is one hour of today over all queues, as the summary report
// by 60-minute interval counts it (docs/kpis.md): the wallboard's trend
// line. ServiceLevel is of offered, null with no calls; as on the queue
// tiles, a caller still waiting within T is left out until decided.
type TrendPoint struct {
	Start        time.Time `json:"start"`
	Offered      int       `json:"offered"`
	Answered     int       `json:"answered"`
	ServiceLevel *float64  `json:"service_level"`
}

// trendToday is today's hours up to now (the current one included), from
// the same report and rollups as the reports page: the trend is a
// projection of the records, not a second count.
func (b *Board) trendToday(ctx context.Context, now time.Time, undecided []time.Time) ([]TrendPoint, error) {
	out := []TrendPoint{}
	if b.reports == nil {
		return out, nil
	}
	t, err := b.reports.Build(ctx, report.Request{Report: "summary", Group: report.GroupInterval60, Period: report.PeriodToday})
	if err != nil {
		return nil, fmt.Errorf("wallboard: today by hour: %w", err)
	}
	for key, r := range table(t) {
		start, err := time.Parse(time.RFC3339, key)
		if err != nil {
			return nil, fmt.Errorf("wallboard: interval %q: %w", key, err)
		}
		if start.After(now) {
			continue
		}
		open := 0
		for _, at := range undecided {
			if !at.Before(start) && at.Before(start.Add(time.Hour)) {
				open++
			}
		}
		out = append(out, TrendPoint{Start: start, Offered: int(r.num("offered")), Answered: int(r.num("answered")),
			ServiceLevel: percent(r.num("answered_sl"), r.num("offered")-r.num("short_abandoned")-float64(open))})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out, nil
}
