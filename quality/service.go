package quality

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"switchboard/report"
	"switchboard/routing"
)

// Quality records reach the one event log as tickets' do: the Service
// decides over its Book inside the engine loop (routing.Decide), the
// engine journals the records, and only after the reply does the Service
// apply them. Its lock serialises decisions, so each sees every earlier
// record.

// Submitter runs a decision in the engine loop (routing.Decide bound to
// the engine).
type Submitter = routing.Submit

// ErrAlreadySampled is a month drawn before (409): replay keeps the draw.
var ErrAlreadySampled = errors.New("month already sampled")

// Service is quality inspection as the API uses it.
type Service struct {
	mu     sync.RWMutex
	book   *Book
	cfg    Config
	submit Submitter
	log    *slog.Logger
}

// NewService is a Service over cfg.
func NewService(cfg Config, submit Submitter, log *slog.Logger) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{book: NewBook(), cfg: cfg, submit: submit, log: log}
}

// Restore replays the log's quality records (in order) into the Book.
func (s *Service) Restore(recs []routing.Record) error {
	return routing.Replay(&s.mu, s.book.Apply, recs)
}

// decide runs fn in the engine loop under the lock and applies what the
// engine wrote.
func (s *Service) decide(ctx context.Context, fn func(now time.Time) ([]*routing.Record, error)) ([]*routing.Record, error) {
	return routing.DecideApplied(ctx, &s.mu, s.submit, s.book.Apply, fn)
}

func one(rec *routing.Record, err error) ([]*routing.Record, error) {
	if err != nil || rec == nil {
		return nil, err
	}
	return []*routing.Record{rec}, nil
}

// SyncForms writes a new version of every configured form that differs
// from its latest recorded one (at start-up and after a reload).
func (s *Service) SyncForms(ctx context.Context) error {
	_, err := s.decide(ctx, func(now time.Time) ([]*routing.Record, error) {
		var recs []*routing.Record
		for _, f := range s.cfg.Forms {
			rec, err := s.book.DecideForm(f, now)
			if err != nil {
				return nil, err
			}
			if rec != nil {
				recs = append(recs, rec)
			}
		}
		return recs, nil
	})
	return err
}

// Forms is the latest version of each form.
func (s *Service) Forms() []Form {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.book.Forms()
}

// Form is a form's version v (0: the latest).
func (s *Service) Form(id string, v int) (Form, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.book.Form(id, v)
}

func (s *Service) evalOf(recs []*routing.Record) (Evaluation, error) {
	if len(recs) == 0 {
		return Evaluation{}, errors.New("quality: no record written")
	}
	var id struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(recs[0].Data, &id); err != nil {
		return Evaluation{}, fmt.Errorf("quality: %w", err)
	}
	e, _ := s.Get(id.ID)
	return e, nil
}

// Score saves an evaluation. Errors: *FieldError, ErrNotFound,
// *TransitionError.
func (s *Service) Score(ctx context.Context, r ScoreRequest) (Evaluation, error) {
	recs, err := s.decide(ctx, func(now time.Time) ([]*routing.Record, error) {
		return one(s.book.DecideScore(r, s.book.nextID(1), now))
	})
	if err != nil {
		return Evaluation{}, err
	}
	return s.evalOf(recs)
}

// Acknowledge, Dispute and Settle are the agent's and lead's steps.
func (s *Service) Acknowledge(ctx context.Context, r StepRequest) (Evaluation, error) {
	return s.stepWith(ctx, func(now time.Time) (*routing.Record, error) { return s.book.DecideAcknowledge(r, now) })
}

// Dispute: see Acknowledge.
func (s *Service) Dispute(ctx context.Context, r StepRequest) (Evaluation, error) {
	return s.stepWith(ctx, func(now time.Time) (*routing.Record, error) { return s.book.DecideDispute(r, now) })
}

// Settle: see Acknowledge.
func (s *Service) Settle(ctx context.Context, r StepRequest) (Evaluation, error) {
	return s.stepWith(ctx, func(now time.Time) (*routing.Record, error) { return s.book.DecideSettle(r, now) })
}

func (s *Service) stepWith(ctx context.Context, fn func(now time.Time) (*routing.Record, error)) (Evaluation, error) {
	recs, err := s.decide(ctx, func(now time.Time) ([]*routing.Record, error) { return one(fn(now)) })
	if err != nil {
		return Evaluation{}, err
	}
	return s.evalOf(recs)
}

// Get is one evaluation.
func (s *Service) Get(id string) (Evaluation, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.book.Get(id)
}

// List is the evaluations matching f.
func (s *Service) List(f Filter) []Evaluation {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.book.List(f)
}

// SamplingConfig is the configured sampling (defaults filled).
func (s *Service) SamplingConfig() SamplingConfig { return s.cfg.Sampling.withDefaults() }

// Sample draws the month's sample from in (its Config, Form and Exclude
// are filled here) and writes it as quality.sampled. Errors:
// ErrAlreadySampled.
func (s *Service) Sample(ctx context.Context, in SampleInput) (SampledData, error) {
	in.Config = s.SamplingConfig()
	if len(in.Inspectors) == 0 {
		in.Inspectors = in.Config.Inspectors
	}
	recs, err := s.decide(ctx, func(now time.Time) ([]*routing.Record, error) {
		if s.book.sampled[in.Month] {
			return nil, fmt.Errorf("%w: %s", ErrAlreadySampled, in.Month)
		}
		in.Form = in.Config.Form
		if in.Form == "" {
			if fs := s.book.Forms(); len(fs) > 0 {
				in.Form = fs[0].ID
			}
		}
		in.Exclude = map[string]bool{}
		for r := range s.book.onRec {
			in.Exclude[r] = true
		}
		d := Draw(in, s.book.nextID)
		return one(record(EvSampled, now, "", d))
	})
	if err != nil {
		return SampledData{}, err
	}
	var d SampledData
	if err := json.Unmarshal(recs[0].Data, &d); err != nil {
		return SampledData{}, fmt.Errorf("quality: %w", err)
	}
	return d, nil
}

// Sampled is the month's draw as recorded, if it was drawn.
func (s *Service) Sampled(month string) (SampledData, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.book.samples[month], s.book.sampled[month]
}

// Report is the quality summary for a period (report.ResolvePeriod's
// period, from, to) at now in loc, by group. Errors: *report.FieldError.
func (s *Service) Report(group, period, from, to string, now time.Time, loc *time.Location) (*report.Table, error) {
	span, err := report.ResolvePeriod(period, from, to, now.In(loc), loc)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.book.Report(group, span)
}

// ReportSpan is the quality summary of span by group (the scheduled
// service export's quality section).
func (s *Service) ReportSpan(group string, span report.Span) (*report.Table, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.book.Report(group, span)
}
