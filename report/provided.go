package report

import (
	"context"
	"fmt"
)

// GroupMonth groups a provided report by calendar month.
const GroupMonth = "month"

// Provider builds a report another domain owns, from its own projection
// rather than the rollups (workforce's adherence from agent.state records
// against the schedules). It gets a checked grouping and span and returns
// the table every output renders, with English headers.
type Provider func(ctx context.Context, group string, span Span) (*Table, error)

// provided are the catalogue's reports a Provider builds; until one is
// given (Builder.Provide), they answer ErrNotAvailable.
var provided = map[string]bool{"adherence": true}

// Provide makes b build report with p; call it before serving.
func (b *Builder) Provide(report string, p Provider) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.providers == nil {
		b.providers = map[string]Provider{}
	}
	b.providers[report] = p
}

// buildProvided is BuildSpan for a provided report.
func (b *Builder) buildProvided(ctx context.Context, def Definition, group string, span Span) (*Table, error) {
	b.mu.RLock()
	p := b.providers[def.Name]
	b.mu.RUnlock()
	if p == nil {
		return nil, &FieldError{Field: "report", Err: ErrNotAvailable, Message: fmt.Sprintf("report %s is not configured here", def.Name)}
	}
	t, err := p(ctx, group, span)
	if err != nil {
		return nil, fmt.Errorf("report %s by %s: %w", def.Name, group, err)
	}
	return t, nil
}
