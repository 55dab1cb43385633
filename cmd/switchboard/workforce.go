package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"switchboard/config"
	"switchboard/live"
	"switchboard/routing"
	"switchboard/store"
	"switchboard/workforce"
)

// floorDesk wires workforce: its schedule records go through the engine
// (routing.Decide); it is restored from the log's schedule.* and
// agent.state records and follows agent.state on the live feed, so
// adherence reads the records the engine already writes.
type floorDesk struct {
	svc  *workforce.Service
	st   *store.Store
	hub  *live.Hub
	log  *slog.Logger
	last int64 // seq of the last agent.state folded in
}

func newFloorDesk(ctx context.Context, cfg *config.Config, st *store.Store, eng *routing.Engine, hub *live.Hub, now func() time.Time, log *slog.Logger) (*floorDesk, error) {
	roster := workforce.Roster{}
	for _, a := range cfg.Agents {
		roster[a.ID] = a.Team
	}
	var teams []workforce.Team
	for name, t := range cfg.Teams {
		teams = append(teams, workforce.Team{Name: name, MinReady: t.MinReady})
	}
	holidays := map[string]string{}
	if cal := cfg.Calendars[cfg.Workforce.Calendar]; cal != nil {
		for _, h := range cal.Holidays {
			if len(h.Hours) == 0 { // a date open for some hours is not a holiday for the floor
				holidays[h.Date] = h.Name
			}
		}
	}
	submit := func(ctx context.Context, d routing.Decision) (any, error) { return routing.Decide(ctx, eng, d) }
	fd := &floorDesk{svc: workforce.NewService(cfg.Workforce, roster, teams, holidays, submit, now, log), st: st, hub: hub, log: log}
	var recs []routing.Record
	for _, prefix := range []string{"schedule.", routing.EvAgentState} {
		page, err := allEvents(ctx, fd.st, prefix, 0)
		if err != nil {
			return nil, fmt.Errorf("restore workforce: %w", err)
		}
		recs = append(recs, page...)
		if prefix == routing.EvAgentState && len(page) > 0 {
			fd.last = page[len(page)-1].Seq
		}
	}
	if err := fd.svc.Restore(recs); err != nil {
		return nil, fmt.Errorf("restore workforce: %w", err)
	}
	return fd, nil
}

func (fd *floorDesk) observe(rec *routing.Record) {
	if rec.Type != routing.EvAgentState || rec.Seq <= fd.last {
		return
	}
	fd.last = rec.Seq
	fd.svc.Observe(rec)
}

// Run follows agent.state on the live feed until ctx ends, catching up
// from the store whenever it (re)subscribes.
func (fd *floorDesk) Run(ctx context.Context) error {
	for {
		sub, err := fd.hub.Subscribe()
		if err != nil {
			return nil // the hub closed: shutting down
		}
		if page, err := allEvents(ctx, fd.st, routing.EvAgentState, fd.last); err != nil {
			fd.log.Warn("workforce: catching up on agent states", "err", err)
		} else {
			for i := range page {
				fd.observe(&page[i])
			}
		}
		if done := follow(ctx, sub, fd.observe); done {
			return ctx.Err()
		}
	}
}
