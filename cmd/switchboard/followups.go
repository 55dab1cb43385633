package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"time"

	"switchboard/config"
	"switchboard/followups"
	"switchboard/live"
	"switchboard/routing"
	"switchboard/store"
	"switchboard/tickets"
)

// followupSweep is how often overdue follow-ups are looked for.
const followupSweep = 5 * time.Second

// followupDial is how often tasks due for a dial are enqueued.
const followupDial = 2 * time.Second

// followupDesk wires the follow-ups service: its records go through the
// engine (routing.Decide), it is restored from the log's followup.*
// records, it opens a task for each wrap-up with follow_up and each
// closed ticket it hears on the live feed, and writes followup.overdue.
type followupDesk struct {
	svc     *followups.Service
	tickets *tickets.Service
	st      *store.Store
	hub     *live.Hub
	log     *slog.Logger
	lookup  func(ctx context.Context, call string) (string, error)
	eng     *routing.Engine
	queue   string // followups.queue: where due tasks are dialled from
	// last is the seq of the last record looked at, so a feed that dropped
	// us is caught up from the store.
	last int64
}

func newFollowupDesk(ctx context.Context, cfg *config.Config, st *store.Store, eng *routing.Engine, hub *live.Hub,
	td *ticketDesk, loc *time.Location, now func() time.Time, log *slog.Logger) (*followupDesk, error) {
	codes := make([]string, 0, len(cfg.Dispositions))
	for _, d := range cfg.Dispositions {
		codes = append(codes, d.Code)
	}
	submit := func(ctx context.Context, d routing.Decision) (any, error) { return routing.Decide(ctx, eng, d) }
	fd := &followupDesk{svc: followups.NewService(cfg.FollowUps, codes, loc, submit, now, log),
		tickets: td.svc, st: st, hub: hub, log: log, lookup: td.lookup, eng: eng, queue: cfg.FollowUps.Queue}
	fd.svc.SetHours(cfg.FollowUps.Calendar, cfg.Calendars[cfg.FollowUps.Calendar], td.lookup)
	// The tasks' records, the work items' that say which task is being
	// dialled, and the wrap-ups the coverage report counts, in log order.
	var recs, work []routing.Record
	for _, p := range []struct {
		prefix string
		into   *[]routing.Record
	}{{"followup.", &recs}, {"work.", &work}, {routing.EvCallWrapped, &work}} {
		for after := int64(0); ; {
			page, err := st.Events(ctx, store.EventFilter{TypePrefix: p.prefix, AfterSeq: after, Limit: store.MaxLimit})
			if err != nil {
				return nil, fmt.Errorf("restore follow-ups: %w", err)
			}
			*p.into = append(*p.into, page...)
			if len(page) < store.MaxLimit {
				break
			}
			after = page[len(page)-1].Seq
		}
	}
	all := append(append([]routing.Record(nil), recs...), work...)
	slices.SortFunc(all, func(a, b routing.Record) int { return cmp.Compare(a.Seq, b.Seq) })
	if err := fd.svc.Restore(all); err != nil {
		return nil, fmt.Errorf("restore follow-ups: %w", err)
	}
	// Wrap-ups after the last follow-up record may not have been looked at
	// (a stop between the wrap-up and its task): Run catches up from there.
	fd.svc.SetLocation(loc)
	var err error
	if len(recs) > 0 {
		fd.last = recs[len(recs)-1].Seq
	} else if fd.last, err = st.LastSeq(ctx); err != nil {
		return nil, fmt.Errorf("restore follow-ups: %w", err)
	}
	return fd, nil
}

func (fd *followupDesk) ticket(id string) (customer, call string, ok bool) {
	t, ok := fd.tickets.Get(id)
	if !ok {
		return "", "", false
	}
	if len(t.Calls) > 0 {
		call = t.Calls[0]
	}
	return t.Customer, call, true
}

// heard opens a task for a wrap-up with follow_up or a closed ticket.
func (fd *followupDesk) heard(ctx context.Context, rec *routing.Record) {
	if rec.Seq <= fd.last {
		return
	}
	fd.last = rec.Seq
	var (
		t   followups.Task
		ok  bool
		err error
	)
	switch rec.Type {
	case routing.EvCallWrapped:
		t, ok, err = fd.svc.OnWrapUp(ctx, rec, fd.lookup)
	case tickets.EvTicketTransition:
		t, ok, err = fd.svc.OnTicket(ctx, rec, fd.ticket)
	case routing.EvWorkRequested, routing.EvWorkClosed, routing.EvWorkAttempt:
		fd.worked(ctx, rec)
		return
	default:
		return
	}
	switch {
	case err != nil:
		fd.log.Error("followups: task not opened", "record", rec.Seq, "type", rec.Type, "err", err)
	case ok:
		fd.log.Info("followups: task opened", "task", t.ID, "source", t.Source, "call", t.Call, "due", t.Due)
	}
}

// worked follows the work items dialling tasks: a dial the customer did
// not answer is the task's attempt (answered ones the agent records with
// the answers on the desk).
func (fd *followupDesk) worked(ctx context.Context, rec *routing.Record) {
	task, err := fd.svc.Observe(rec)
	if err != nil || task == "" || rec.Type != routing.EvWorkAttempt {
		return
	}
	var d routing.WorkData
	if err := json.Unmarshal(rec.Data, &d); err != nil {
		fd.log.Warn("followups: work.attempt unreadable", "record", rec.Seq, "err", err)
		return
	}
	out, ok := followups.DialOutcome(d.Outcome)
	if !ok {
		return
	}
	by := d.Agent
	if by == "" {
		by = "switchboard"
	}
	if _, err := fd.svc.Attempt(ctx, followups.AttemptRequest{ID: task, By: by, Outcome: out, Call: d.Call}); err != nil {
		fd.log.Warn("followups: dial outcome not recorded", "task", task, "outcome", d.Outcome, "err", err)
	}
}

// number is the number to dial for t: the original call's caller, else
// the customer's first number, else the customer field itself.
func (fd *followupDesk) number(ctx context.Context, t followups.Task) (string, int64) {
	// The customer field is a customer's id, or the caller's number when
	// the caller was no known customer.
	var known *store.Customer
	if id, err := strconv.ParseInt(t.Customer, 10, 64); err == nil && id > 0 {
		if c, err := fd.st.Customer(ctx, id); err == nil {
			known = &c
		}
	}
	var id int64
	if known != nil {
		id = known.ID
	}
	if t.Call != "" {
		if c, err := fd.st.Call(ctx, t.Call); err == nil && c.Caller != "" {
			return c.Caller, id
		}
	}
	if known != nil && len(known.Numbers) > 0 {
		return known.Numbers[0], id
	}
	return t.Customer, id
}

// dial enqueues every task due for a dial as a follow_up work item of
// followups.queue, one dial each (the task's own rule spaces and counts
// attempts).
func (fd *followupDesk) dial(ctx context.Context) {
	if fd.queue == "" {
		return
	}
	for _, t := range fd.svc.Dialable(fd.svc.Now()) {
		num, id := fd.number(ctx, t)
		v, err := fd.eng.Enqueue(ctx, routing.EnqueueRequest{Kind: routing.WorkFollowUp, Number: num, Customer: id,
			Queue: fd.queue, Origin: followups.Origin(t.ID), MaxAttempts: 1})
		if err != nil {
			fd.log.Warn("followups: task not enqueued", "task", t.ID, "err", err)
			continue
		}
		fd.svc.Queued(t.ID, v.ID)
		fd.log.Info("followups: task enqueued", "task", t.ID, "item", v.ID, "queue", fd.queue)
	}
}

// catchUp looks at the records the store has after fd.last.
func (fd *followupDesk) catchUp(ctx context.Context) error {
	for range 10_000 {
		page, err := fd.st.Events(ctx, store.EventFilter{AfterSeq: fd.last, Limit: store.MaxLimit})
		if err != nil {
			return err
		}
		for i := range page {
			fd.heard(ctx, &page[i])
		}
		if len(page) < store.MaxLimit {
			return nil
		}
	}
	return nil
}

// Run follows the live feed and sweeps for overdue tasks until ctx ends.
func (fd *followupDesk) Run(ctx context.Context) error {
	go func() {
		if err := fd.svc.Run(ctx, followupSweep); err != nil && !errors.Is(err, context.Canceled) {
			fd.log.Error("followups: sweep stopped", "err", err)
		}
	}()
	go func() {
		tk := time.NewTicker(followupDial)
		defer tk.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tk.C:
				fd.dial(ctx)
			}
		}
	}()
	for {
		sub, err := fd.hub.Subscribe()
		if err != nil {
			return nil // the hub closed: shutting down
		}
		if err := fd.catchUp(ctx); err != nil {
			fd.log.Warn("followups: catching up", "err", err)
		}
		if done := follow(ctx, sub, func(r *routing.Record) { fd.heard(ctx, r) }); done {
			return ctx.Err()
		}
	}
}
