package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"switchboard/config"
	"switchboard/live"
	"switchboard/routing"
	"switchboard/store"
	"switchboard/tickets"
)

// ticketSweep is how often tickets past their dispatch SLA are looked for.
const ticketSweep = 5 * time.Second

// ticketDesk wires the tickets service: its records go through the
// engine (routing.Decide), it is restored from the log's ticket records,
// it opens a ticket for each complaint wrap-up it hears on the live feed
// and writes ticket.overdue for tickets left past their dispatch SLA.
type ticketDesk struct {
	svc *tickets.Service
	st  *store.Store
	hub *live.Hub
	log *slog.Logger
	// last is the seq of the last call.wrapped looked at, so a feed that
	// dropped us is caught up from the store.
	last int64
}

func newTicketDesk(ctx context.Context, cfg *config.Config, st *store.Store, eng *routing.Engine, hub *live.Hub, now func() time.Time, log *slog.Logger) (*ticketDesk, error) {
	var hours tickets.Hours
	if cal := cfg.Calendars[cfg.Tickets.Calendar]; cal != nil {
		hours = cal
	}
	submit := func(ctx context.Context, d routing.Decision) (any, error) { return routing.Decide(ctx, eng, d) }
	td := &ticketDesk{svc: tickets.NewService(cfg.Tickets, hours, submit, now, log), st: st, hub: hub, log: log}
	var (
		recs []routing.Record
		err  error
	)
	for after := int64(0); ; {
		var page []routing.Record
		if page, err = st.Events(ctx, store.EventFilter{TypePrefix: "ticket.", AfterSeq: after, Limit: store.MaxLimit}); err != nil {
			return nil, fmt.Errorf("restore tickets: %w", err)
		}
		recs = append(recs, page...)
		if len(page) < store.MaxLimit {
			break
		}
		after = page[len(page)-1].Seq
	}
	if err := td.svc.Restore(recs); err != nil {
		return nil, fmt.Errorf("restore tickets: %w", err)
	}
	// Wrap-ups after the last ticket record may not have been looked at
	// (a stop between the wrap-up and its ticket): Run catches up from
	// there. With no ticket records yet, old wrap-ups stay old.
	if len(recs) > 0 {
		td.last = recs[len(recs)-1].Seq
	} else if td.last, err = st.LastSeq(ctx); err != nil {
		return nil, fmt.Errorf("restore tickets: %w", err)
	}
	return td, nil
}

// lookup: the customer of a call is the customer whose number called,
// else the number itself.
func (td *ticketDesk) lookup(ctx context.Context, call string) (string, error) {
	c, err := td.st.Call(ctx, call)
	if err != nil {
		return "", err
	}
	cs, err := td.st.Customers(ctx, store.CustomerFilter{Number: c.Caller, Limit: 1})
	if err == nil && len(cs) == 1 {
		return strconv.FormatInt(cs[0].ID, 10), nil
	}
	return c.Caller, nil
}

func (td *ticketDesk) wrapped(ctx context.Context, rec *routing.Record) {
	if rec.Seq <= td.last {
		return
	}
	td.last = rec.Seq
	t, ok, err := td.svc.OnWrapUp(ctx, rec, td.lookup)
	switch {
	case err != nil:
		td.log.Error("tickets: ticket for a wrap-up not opened", "call", rec.CallID, "err", err)
	case ok:
		td.log.Info("tickets: opened from wrap-up", "ticket", t.ID, "call", rec.CallID, "category", t.Category)
	}
}

// catchUp looks at the wrap-ups the store has after td.last.
func (td *ticketDesk) catchUp(ctx context.Context) error {
	for range 10_000 {
		page, err := td.st.Events(ctx, store.EventFilter{TypePrefix: routing.EvCallWrapped, AfterSeq: td.last, Limit: store.MaxLimit})
		if err != nil {
			return err
		}
		for i := range page {
			td.wrapped(ctx, &page[i])
		}
		if len(page) < store.MaxLimit {
			return nil
		}
	}
	return nil
}

// Run follows the live feed for wrap-ups and sweeps for overdue tickets
// until ctx ends.
func (td *ticketDesk) Run(ctx context.Context) error {
	go func() {
		if err := td.svc.Run(ctx, ticketSweep); err != nil && !errors.Is(err, context.Canceled) {
			td.log.Error("tickets: sweep stopped", "err", err)
		}
	}()
	for {
		sub, err := td.hub.Subscribe()
		if err != nil {
			return nil // the hub closed: shutting down
		}
		if err := td.catchUp(ctx); err != nil {
			td.log.Warn("tickets: catching up on wrap-ups", "err", err)
		}
		if done := follow(ctx, sub, func(r *routing.Record) {
			if r.Type == routing.EvCallWrapped {
				td.wrapped(ctx, r)
			}
		}); done {
			return ctx.Err()
		}
	}
}
