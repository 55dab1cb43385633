package main

import (
	"context"
	"fmt"
	"log/slog"

	"switchboard/config"
	"switchboard/quality"
	"switchboard/routing"
	"switchboard/store"
)

// qualityDesk wires quality inspection: its records go through the
// engine (routing.Decide) and it is restored from the log's quality
// records; once the engine runs, the configured forms are written as new
// versions where they changed.
type qualityDesk struct {
	svc *quality.Service
	log *slog.Logger
}

func newQualityDesk(ctx context.Context, cfg *config.Config, st *store.Store, eng *routing.Engine, log *slog.Logger) (*qualityDesk, error) {
	submit := func(ctx context.Context, d routing.Decision) (any, error) { return routing.Decide(ctx, eng, d) }
	qd := &qualityDesk{svc: quality.NewService(cfg.Quality, submit, log), log: log}
	var recs []routing.Record
	for after := int64(0); ; {
		page, err := st.Events(ctx, store.EventFilter{TypePrefix: "quality.", AfterSeq: after, Limit: store.MaxLimit})
		if err != nil {
			return nil, fmt.Errorf("restore quality: %w", err)
		}
		recs = append(recs, page...)
		if len(page) < store.MaxLimit {
			break
		}
		after = page[len(page)-1].Seq
	}
	if err := qd.svc.Restore(recs); err != nil {
		return nil, fmt.Errorf("restore quality: %w", err)
	}
	return qd, nil
}

// Run writes the forms' new versions, then waits for ctx to end.
func (qd *qualityDesk) Run(ctx context.Context) error {
	if err := qd.svc.SyncForms(ctx); err != nil {
		return fmt.Errorf("quality forms: %w", err)
	}
	qd.log.Info("quality: forms in force", "forms", len(qd.svc.Forms()))
	<-ctx.Done()
	return ctx.Err()
}
