package main

import (
	"context"
	"errors"

	"switchboard/live"
	"switchboard/routing"
	"switchboard/store"
)

// allEvents is every record of the log whose type starts with prefix
// after seq after, read page by page (bounded: a million pages).
func allEvents(ctx context.Context, st *store.Store, prefix string, after int64) ([]routing.Record, error) {
	var recs []routing.Record
	for range 1_000_000 {
		page, err := st.Events(ctx, store.EventFilter{TypePrefix: prefix, AfterSeq: after, Limit: store.MaxLimit})
		if err != nil {
			return nil, err
		}
		recs = append(recs, page...)
		if len(page) < store.MaxLimit {
			break
		}
		after = page[len(page)-1].Seq
	}
	return recs, nil
}

// follow hands each record of sub to heard until sub ends (false: the
// desk catches up from the log and subscribes again) or ctx does, or the
// hub closed (true).
func follow(ctx context.Context, sub *live.Subscription, heard func(*routing.Record)) bool {
	defer sub.Close()
	for {
		select {
		case <-ctx.Done():
			return true
		case <-sub.Done():
			return errors.Is(sub.Err(), live.ErrClosed)
		case ev := <-sub.C():
			heard(ev.Rec)
		}
	}
}
