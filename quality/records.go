package quality

import (
	"encoding/json"
	"fmt"
	"reflect"
	"time"

	"switchboard/routing"
)

// Record types quality inspection writes to the event log. Each carries
// what replay needs without the config: a scored evaluation its form
// version's number and its result, a form version the whole form.
const (
	EvForm         = "quality.form"         // FormData
	EvSampled      = "quality.sampled"      // SampledData
	EvScored       = "quality.scored"       // ScoredData
	EvAcknowledged = "quality.acknowledged" // StepData
	EvDisputed     = "quality.disputed"     // StepData
	EvSettled      = "quality.settled"      // SettledData
)

// routing may not import quality, so quality registers its records.
func init() {
	routing.Records[EvForm] = reflect.TypeFor[FormData]()
	routing.Records[EvSampled] = reflect.TypeFor[SampledData]()
	routing.Records[EvScored] = reflect.TypeFor[ScoredData]()
	routing.Records[EvAcknowledged] = reflect.TypeFor[StepData]()
	routing.Records[EvDisputed] = reflect.TypeFor[StepData]()
	routing.Records[EvSettled] = reflect.TypeFor[SettledData]()
}

// FormData is quality.form: a new version of a form.
type FormData struct {
	Form Form `json:"form"`
}

// SampledData is quality.sampled: one month's draw.
type SampledData struct {
	Month       string       `json:"month"` // 2026-12
	Seed        uint64       `json:"seed"`
	Evaluations []Assignment `json:"evaluations"`
	Shortfalls  []Shortfall  `json:"shortfalls,omitempty"`
}

// Assignment is one sampled call given to an inspector.
type Assignment struct {
	ID        string `json:"id"`
	Recording string `json:"recording"`
	Call      string `json:"call"`
	Agent     string `json:"agent"`
	Team      string `json:"team,omitempty"`
	Queue     string `json:"queue,omitempty"`
	Inspector string `json:"inspector,omitempty"` // "" when every inspector was at their cap
	Form      string `json:"form"`
	Complaint bool   `json:"complaint,omitempty"`
	Week      int    `json:"week"` // week of the month, 1..5
}

// Shortfall is an agent sampled (or assigned) less than the minimum.
type Shortfall struct {
	Agent    string `json:"agent"`
	Sampled  int    `json:"sampled"`
	Assigned int    `json:"assigned"`
	Min      int    `json:"min"`
}

// Comment is an inspector's note at a moment of the recording.
type Comment struct {
	AtSeconds float64 `json:"at_seconds"`
	Text      string  `json:"text"`
}

// ScoredData is quality.scored: an evaluation saved (or saved again
// before the agent answered).
type ScoredData struct {
	ID        string         `json:"id"`
	Recording string         `json:"recording"`
	Call      string         `json:"call"`
	Agent     string         `json:"agent"`
	Team      string         `json:"team,omitempty"`
	Queue     string         `json:"queue,omitempty"`
	By        string         `json:"by"`
	Form      string         `json:"form"`
	Version   int            `json:"version"`
	Answers   map[string]int `json:"answers"`
	Comments  []Comment      `json:"comments,omitempty"`
	Result    Result         `json:"result"`
}

// StepData is quality.acknowledged and quality.disputed.
type StepData struct {
	ID     string `json:"id"`
	By     string `json:"by"`
	Reason string `json:"reason,omitempty"`
}

// Outcomes of a settled dispute.
const (
	Upheld  = "upheld"  // the score stands
	Changed = "changed" // the lead set a new score
)

// SettledData is quality.settled.
type SettledData struct {
	ID      string  `json:"id"`
	By      string  `json:"by"`
	Outcome string  `json:"outcome"`
	Score   float64 `json:"score"` // the score after settling
	Note    string  `json:"note,omitempty"`
}

func record(typ string, now time.Time, agent string, v any) (*routing.Record, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("quality: encode %s: %w", typ, err)
	}
	rec := &routing.Record{Time: now, Type: typ, AgentID: agent}
	rec.SetPayload(v, data)
	return rec, nil
}
