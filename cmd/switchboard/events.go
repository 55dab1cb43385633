package main

import (
	"context"

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
