package main

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"time"

	"switchboard/devices"
	"switchboard/live"
	"switchboard/routing"
	"switchboard/store"
)

// deviceDesk wires the device file: its records go through the engine
// (routing.Decide); it is restored from the log's device.* and health
// records (trunk.state, agent.device) and follows the health records on
// the live feed, so faults attach without being typed in.
type deviceDesk struct {
	svc  *devices.Service
	st   *store.Store
	hub  *live.Hub
	log  *slog.Logger
	last map[string]int64 // per health record type, the seq last folded in
}

func newDeviceDesk(ctx context.Context, st *store.Store, eng *routing.Engine, hub *live.Hub, loc *time.Location, log *slog.Logger) (*deviceDesk, error) {
	submit := func(ctx context.Context, d routing.Decision) (any, error) { return routing.Decide(ctx, eng, d) }
	dd := &deviceDesk{svc: devices.NewService(loc, submit, log), st: st, hub: hub, log: log, last: map[string]int64{}}
	var recs []routing.Record
	for _, prefix := range append([]string{"device."}, devices.HealthRecords...) {
		page, err := allEvents(ctx, dd.st, prefix, 0)
		if err != nil {
			return nil, fmt.Errorf("restore devices: %w", err)
		}
		recs = append(recs, page...)
		if len(page) > 0 && prefix != "device." {
			dd.last[prefix] = page[len(page)-1].Seq
		}
	}
	sort.SliceStable(recs, func(i, j int) bool { return recs[i].Seq < recs[j].Seq })
	if err := dd.svc.Restore(recs); err != nil {
		return nil, fmt.Errorf("restore devices: %w", err)
	}
	return dd, nil
}

func (dd *deviceDesk) observe(rec *routing.Record) {
	if !slices.Contains(devices.HealthRecords, rec.Type) || rec.Seq <= dd.last[rec.Type] {
		return
	}
	dd.last[rec.Type] = rec.Seq
	dd.svc.Observe(rec)
}

// Run follows the health records on the live feed until ctx ends,
// catching up from the store whenever it (re)subscribes.
func (dd *deviceDesk) Run(ctx context.Context) error {
	for {
		sub, err := dd.hub.Subscribe()
		if err != nil {
			return nil // the hub closed: shutting down
		}
		for _, typ := range devices.HealthRecords {
			page, err := allEvents(ctx, dd.st, typ, dd.last[typ])
			if err != nil {
				dd.log.Warn("devices: catching up on health records", "type", typ, "err", err)
				continue
			}
			for i := range page {
				dd.observe(&page[i])
			}
		}
		if done := follow(ctx, sub, dd.observe); done {
			return ctx.Err()
		}
	}
}
