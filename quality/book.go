package quality

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"time"

	"switchboard/routing"
)

// State is where an evaluation is.
type State string

// Evaluation states: due (sampled, not yet scored) → scored →
// acknowledged, or disputed → settled.
const (
	StateDue          State = "due"
	StateScored       State = "scored"
	StateAcknowledged State = "acknowledged"
	StateDisputed     State = "disputed"
	StateSettled      State = "settled"
)

// States in order, for the API's enum.
var States = []State{StateDue, StateScored, StateAcknowledged, StateDisputed, StateSettled}

// Evaluation is one evaluation as the projection holds it.
type Evaluation struct {
	ID        string         `json:"id"`
	State     State          `json:"state"`
	Recording string         `json:"recording"`
	Call      string         `json:"call"`
	Agent     string         `json:"agent"`
	Team      string         `json:"team,omitempty"`
	Queue     string         `json:"queue,omitempty"`
	Inspector string         `json:"inspector,omitempty"`
	Month     string         `json:"month,omitempty"` // sampled for this month
	Complaint bool           `json:"complaint,omitempty"`
	Form      string         `json:"form"`
	Version   int            `json:"version,omitempty"`
	Answers   map[string]int `json:"answers,omitempty"`
	Comments  []Comment      `json:"comments,omitempty"`
	Result    *Result        `json:"result,omitempty"`
	// Score is the standing score: the result's, or the settled one.
	Score    float64    `json:"score"`
	Created  time.Time  `json:"created_at"`
	ScoredAt *time.Time `json:"scored_at,omitempty"`
	History  []Step     `json:"history"`
}

// Step is one record of an evaluation's history.
type Step struct {
	At      time.Time `json:"at"`
	Type    string    `json:"type"`
	By      string    `json:"by"`
	Reason  string    `json:"reason,omitempty"`
	Outcome string    `json:"outcome,omitempty"`
}

// Book is the quality projection: forms' versions, evaluations and the
// months sampled, rebuilt by applying the log's quality records in
// order. Decide* check a request against it and return the record; only
// Apply changes it.
type Book struct {
	forms   map[string][]Form // by ID, version 1 first
	evals   map[string]*Evaluation
	sampled map[string]bool // months
	samples map[string]SampledData
	onRec   map[string]string // recording → evaluation
	n       int
}

// NewBook is an empty book.
func NewBook() *Book {
	return &Book{forms: map[string][]Form{}, evals: map[string]*Evaluation{}, sampled: map[string]bool{}, samples: map[string]SampledData{}, onRec: map[string]string{}}
}

func (b *Book) nextID(k int) string { return fmt.Sprintf("Q%06d", b.n+k) }

// Form is the latest version of a form (or version v when v > 0).
func (b *Book) Form(id string, v int) (Form, bool) {
	vs := b.forms[id]
	if len(vs) == 0 || v > len(vs) || v < 0 {
		return Form{}, false
	}
	if v == 0 {
		v = len(vs)
	}
	return vs[v-1], true
}

// Forms is the latest version of every form, by ID.
func (b *Book) Forms() []Form {
	out := make([]Form, 0, len(b.forms))
	for id := range b.forms {
		f, _ := b.Form(id, 0)
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// DecideForm returns the quality.form record for f if it differs from
// the form's latest version (nil if it does not: nothing changed).
func (b *Book) DecideForm(f Form, now time.Time) (*routing.Record, error) {
	last, ok := b.Form(f.ID, 0)
	f.Version = last.Version + 1
	if ok {
		last.Version = f.Version
		if reflect.DeepEqual(canon(last), canon(f)) {
			return nil, nil
		}
	}
	if errs := f.check("form"); len(errs) > 0 {
		return nil, &FieldError{Field: "form", Reason: errs[0].Error()}
	}
	return record(EvForm, now, "", FormData{Form: f})
}

// canon is f as JSON, so nil and empty slices compare equal.
func canon(f Form) string {
	b, _ := json.Marshal(f)
	return string(b)
}

// RecordingRef is the recording an evaluation is of, from the index
// (the API checks the caller may see it).
type RecordingRef struct {
	ID    string
	Call  string
	Agent string
	Team  string
	Queue string
}

// ScoreRequest saves an evaluation: of a sampled one (ID) or a new one
// of a recording.
type ScoreRequest struct {
	ID        string // a due or scored evaluation; "" for a new one
	Recording RecordingRef
	Form      string // "" → the evaluation's, or the first form
	Answers   map[string]int
	Comments  []Comment
	By        string
}

// Limits on an evaluation's input.
const (
	MaxComments    = 200
	MaxCommentText = 2000
	MaxReason      = 2000
)

// DecideScore checks r and returns its quality.scored record; id is the
// ID a new evaluation gets. Errors: *FieldError, ErrNotFound,
// *TransitionError.
func (b *Book) DecideScore(r ScoreRequest, id string, now time.Time) (*routing.Record, error) {
	if r.By == "" {
		return nil, &FieldError{Field: "by", Reason: "required"}
	}
	d := ScoredData{ID: id, Recording: r.Recording.ID, Call: r.Recording.Call, Agent: r.Recording.Agent,
		Team: r.Recording.Team, Queue: r.Recording.Queue, By: r.By, Form: r.Form, Answers: r.Answers, Comments: r.Comments}
	if r.ID != "" {
		e, ok := b.evals[r.ID]
		if !ok {
			return nil, ErrNotFound
		}
		if e.State != StateDue && e.State != StateScored {
			return nil, &TransitionError{ID: e.ID, From: e.State, Action: "score"}
		}
		d.ID, d.Recording, d.Call, d.Agent, d.Team, d.Queue = e.ID, e.Recording, e.Call, e.Agent, e.Team, e.Queue
		if d.Form == "" {
			d.Form = e.Form
		}
		if e.Version > 0 && d.Form == e.Form {
			d.Version = e.Version // saved again: the version it was first scored on
		}
	} else {
		if d.Recording == "" {
			return nil, &FieldError{Field: "recording", Reason: "required"}
		}
		if d.Agent == "" {
			return nil, &FieldError{Field: "recording", Reason: "the recording has no agent to evaluate"}
		}
		if other, dup := b.onRec[d.Recording]; dup {
			return nil, &FieldError{Field: "recording", Reason: "already evaluated in " + other}
		}
	}
	if d.Form == "" {
		if fs := b.Forms(); len(fs) > 0 {
			d.Form = fs[0].ID
		}
	}
	f, ok := b.Form(d.Form, d.Version)
	if !ok {
		return nil, &FieldError{Field: "form", Reason: fmt.Sprintf("unknown form %q", d.Form)}
	}
	d.Version = f.Version
	if len(r.Comments) > MaxComments {
		return nil, &FieldError{Field: "comments", Reason: fmt.Sprintf("at most %d", MaxComments)}
	}
	for i, c := range r.Comments {
		switch {
		case c.AtSeconds < 0 || c.AtSeconds > 86400 || c.AtSeconds != c.AtSeconds:
			return nil, &FieldError{Field: fmt.Sprintf("comments[%d].at_seconds", i), Reason: "must be a time in the recording, 0 to 86400 seconds"}
		case strings.TrimSpace(c.Text) == "":
			return nil, &FieldError{Field: fmt.Sprintf("comments[%d].text", i), Reason: "required"}
		case len(c.Text) > MaxCommentText:
			return nil, &FieldError{Field: fmt.Sprintf("comments[%d].text", i), Reason: fmt.Sprintf("at most %d bytes", MaxCommentText)}
		}
	}
	res, err := f.Score(r.Answers)
	if err != nil {
		return nil, err
	}
	d.Result = res
	return record(EvScored, now, d.Agent, d)
}

// StepRequest is an agent's or lead's step on a scored evaluation.
type StepRequest struct {
	ID      string
	By      string
	Reason  string  // dispute: required; settle: the note
	Outcome string  // settle: upheld or changed
	Score   float64 // settle changed: the new score, 0..100
}

// DecideAcknowledge: the agent accepts the score.
func (b *Book) DecideAcknowledge(r StepRequest, now time.Time) (*routing.Record, error) {
	e, err := b.step(r, StateScored, "acknowledge")
	if err != nil {
		return nil, err
	}
	return record(EvAcknowledged, now, e.Agent, StepData{ID: e.ID, By: r.By, Reason: r.Reason})
}

// DecideDispute: the agent disputes the score, with a reason.
func (b *Book) DecideDispute(r StepRequest, now time.Time) (*routing.Record, error) {
	if strings.TrimSpace(r.Reason) == "" {
		return nil, &FieldError{Field: "reason", Reason: "a dispute needs a reason"}
	}
	e, err := b.step(r, StateScored, "dispute")
	if err != nil {
		return nil, err
	}
	return record(EvDisputed, now, e.Agent, StepData{ID: e.ID, By: r.By, Reason: r.Reason})
}

// DecideSettle: a lead settles a dispute, upholding the score or
// changing it.
func (b *Book) DecideSettle(r StepRequest, now time.Time) (*routing.Record, error) {
	switch r.Outcome {
	case Upheld, Changed:
	default:
		return nil, &FieldError{Field: "outcome", Reason: "must be upheld or changed"}
	}
	if r.Outcome == Changed && (r.Score < 0 || r.Score > 100 || r.Score != r.Score) {
		return nil, &FieldError{Field: "score", Reason: "must be 0 to 100"}
	}
	e, err := b.step(r, StateDisputed, "settle")
	if err != nil {
		return nil, err
	}
	score := e.Score
	if r.Outcome == Changed {
		score = round2(r.Score)
	}
	return record(EvSettled, now, e.Agent, SettledData{ID: e.ID, By: r.By, Outcome: r.Outcome, Score: score, Note: r.Reason})
}

func (b *Book) step(r StepRequest, from State, action string) (*Evaluation, error) {
	if r.By == "" {
		return nil, &FieldError{Field: "by", Reason: "required"}
	}
	if len(r.Reason) > MaxReason {
		return nil, &FieldError{Field: "reason", Reason: fmt.Sprintf("at most %d bytes", MaxReason)}
	}
	e, ok := b.evals[r.ID]
	if !ok {
		return nil, ErrNotFound
	}
	if e.State != from {
		return nil, &TransitionError{ID: e.ID, From: e.State, Action: action}
	}
	return e, nil
}

// Apply folds one record into the book; other types are ignored, so the
// whole log can be replayed through it.
func (b *Book) Apply(rec *routing.Record) error {
	if !strings.HasPrefix(rec.Type, "quality.") {
		return nil
	}
	bad := func(err error) error { return fmt.Errorf("quality: record %d (%s): %w", rec.Seq, rec.Type, err) }
	switch rec.Type {
	case EvForm:
		var d FormData
		if err := json.Unmarshal(rec.Data, &d); err != nil {
			return bad(err)
		}
		if d.Form.Version != len(b.forms[d.Form.ID])+1 {
			return bad(fmt.Errorf("form %s version %d out of order", d.Form.ID, d.Form.Version))
		}
		b.forms[d.Form.ID] = append(b.forms[d.Form.ID], d.Form)
	case EvSampled:
		var d SampledData
		if err := json.Unmarshal(rec.Data, &d); err != nil {
			return bad(err)
		}
		b.sampled[d.Month] = true
		b.samples[d.Month] = d
		for _, a := range d.Evaluations {
			b.n++
			b.evals[a.ID] = &Evaluation{ID: a.ID, State: StateDue, Recording: a.Recording, Call: a.Call, Agent: a.Agent,
				Team: a.Team, Queue: a.Queue, Inspector: a.Inspector, Month: d.Month, Complaint: a.Complaint, Form: a.Form,
				Created: rec.Time, History: []Step{{At: rec.Time, Type: rec.Type, By: "sampling"}}}
			b.onRec[a.Recording] = a.ID
		}
	case EvScored:
		var d ScoredData
		if err := json.Unmarshal(rec.Data, &d); err != nil {
			return bad(err)
		}
		e, ok := b.evals[d.ID]
		if !ok {
			b.n++
			e = &Evaluation{ID: d.ID, Recording: d.Recording, Call: d.Call, Agent: d.Agent, Team: d.Team, Queue: d.Queue, Created: rec.Time}
			b.evals[d.ID] = e
			b.onRec[d.Recording] = d.ID
		}
		res := d.Result
		at := rec.Time
		e.State, e.Inspector, e.Form, e.Version, e.Answers, e.Comments = StateScored, d.By, d.Form, d.Version, d.Answers, d.Comments
		e.Result, e.Score, e.ScoredAt = &res, res.Score, &at
		e.History = append(e.History, Step{At: rec.Time, Type: rec.Type, By: d.By})
	case EvAcknowledged, EvDisputed:
		var d StepData
		if err := json.Unmarshal(rec.Data, &d); err != nil {
			return bad(err)
		}
		e, ok := b.evals[d.ID]
		if !ok {
			return bad(fmt.Errorf("unknown evaluation %s", d.ID))
		}
		e.State = StateAcknowledged
		if rec.Type == EvDisputed {
			e.State = StateDisputed
		}
		e.History = append(e.History, Step{At: rec.Time, Type: rec.Type, By: d.By, Reason: d.Reason})
	case EvSettled:
		var d SettledData
		if err := json.Unmarshal(rec.Data, &d); err != nil {
			return bad(err)
		}
		e, ok := b.evals[d.ID]
		if !ok {
			return bad(fmt.Errorf("unknown evaluation %s", d.ID))
		}
		e.State, e.Score = StateSettled, d.Score
		e.History = append(e.History, Step{At: rec.Time, Type: rec.Type, By: d.By, Reason: d.Note, Outcome: d.Outcome})
	}
	return nil
}

// Get is a copy of an evaluation.
func (b *Book) Get(id string) (Evaluation, bool) {
	e, ok := b.evals[id]
	if !ok {
		return Evaluation{}, false
	}
	return e.copy(), true
}

func (e *Evaluation) copy() Evaluation {
	c := *e
	c.History = append([]Step(nil), e.History...)
	c.Comments = append([]Comment(nil), e.Comments...)
	return c
}

// Filter selects evaluations; empty fields match all.
type Filter struct {
	State     State
	Agent     string
	Agents    []string // nil: any; else one of these (a lead's team)
	Inspector string
	Month     string
}

// List is the evaluations matching f, by ID.
func (b *Book) List(f Filter) []Evaluation {
	out := []Evaluation{}
	for _, e := range b.evals {
		if (f.State != "" && e.State != f.State) || (f.Agent != "" && e.Agent != f.Agent) ||
			(f.Inspector != "" && e.Inspector != f.Inspector) || (f.Month != "" && e.Month != f.Month) {
			continue
		}
		if f.Agents != nil && !contains(f.Agents, e.Agent) {
			continue
		}
		out = append(out, e.copy())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func contains(xs []string, x string) bool {
	for _, s := range xs {
		if s == x {
			return true
		}
	}
	return false
}
