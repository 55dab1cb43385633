package workforce

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"switchboard/routing"
)

// Handover log (交接日志): per team and shift, the outgoing lead writes
// free text and structured items; the incoming lead acknowledges it once.

// Handover records.
const (
	EvHandoverWritten = "schedule.handover_written" // HandoverData
	EvHandoverAcked   = "schedule.handover_acked"   // HandoverAckData
)

// HandoverKinds are the structured items' kinds.
var HandoverKinds = []string{"open_ticket", "incident", "equipment_fault"}

// HandoverItem is one structured item: an open ticket (ref its ID), an
// incident, an equipment fault (ref the trunk, phone or device).
type HandoverItem struct {
	Kind string `json:"kind"`
	Ref  string `json:"ref,omitempty"`
	Note string `json:"note,omitempty"`
}

// HandoverData is schedule.handover_written.
type HandoverData struct {
	ID    string         `json:"id"`
	Team  string         `json:"team"`
	Date  string         `json:"date"`
	Shift string         `json:"shift"`
	Text  string         `json:"text"`
	Items []HandoverItem `json:"items"`
	By    string         `json:"by"`
}

// HandoverAckData is schedule.handover_acked.
type HandoverAckData struct {
	ID string `json:"id"`
	By string `json:"by"`
}

// Handover is an entry as the Book holds it.
type Handover struct {
	HandoverData
	At      time.Time `json:"written_at"`
	AckedBy string    `json:"acked_by,omitempty"`
	AckedAt time.Time `json:"acked_at,omitzero"`
}

// AckedError: the entry is acknowledged already (→ 409).
type AckedError struct{ ID, By string }

func (e *AckedError) Error() string {
	return fmt.Sprintf("handover %s was acknowledged by %s already", e.ID, e.By)
}

// ErrNoHandover: no such handover entry.
var ErrNoHandover = errors.New("workforce: no such handover entry")

// Handover limits.
const (
	MaxHandoverText  = 8000
	MaxHandoverItems = 50
)

// DecideHandover is the schedule.handover_written record. Errors: *FieldError.
func (b *Book) DecideHandover(d HandoverData) (*routing.Record, error) {
	if !slices.Contains(b.teams(), d.Team) {
		return nil, &FieldError{Field: "team", Reason: fmt.Sprintf("unknown team %q", d.Team)}
	}
	if _, err := time.ParseInLocation(time.DateOnly, d.Date, b.loc); err != nil {
		return nil, &FieldError{Field: "date", Reason: fmt.Sprintf("%q is not YYYY-MM-DD", d.Date)}
	}
	if _, ok := b.shifts[d.Shift]; !ok {
		return nil, &FieldError{Field: "shift", Reason: fmt.Sprintf("unknown shift %q", d.Shift)}
	}
	switch {
	case strings.TrimSpace(d.Text) == "" && len(d.Items) == 0:
		return nil, &FieldError{Field: "text", Reason: "write something or list an item"}
	case len(d.Text) > MaxHandoverText:
		return nil, &FieldError{Field: "text", Reason: fmt.Sprintf("is longer than %d bytes", MaxHandoverText)}
	case len(d.Items) > MaxHandoverItems:
		return nil, &FieldError{Field: "items", Reason: fmt.Sprintf("at most %d items", MaxHandoverItems)}
	}
	for i, it := range d.Items {
		if !slices.Contains(HandoverKinds, it.Kind) {
			return nil, &FieldError{Field: fmt.Sprintf("items[%d].kind", i), Reason: "must be open_ticket, incident or equipment_fault"}
		}
		if len(it.Ref) > 100 || len(it.Note) > 2000 {
			return nil, &FieldError{Field: fmt.Sprintf("items[%d]", i), Reason: "ref at most 100 bytes, note 2000"}
		}
	}
	if d.Items == nil {
		d.Items = []HandoverItem{}
	}
	d.ID = fmt.Sprintf("H%06d", len(b.handovers)+1)
	return record(EvHandoverWritten, d)
}

// DecideAck is the schedule.handover_acked record: once, by someone
// other than the writer. Errors: ErrNoHandover, *LeaveStateError, *FieldError.
func (b *Book) DecideAck(id, by string) (*routing.Record, error) {
	h := b.handover(id)
	switch {
	case h == nil:
		return nil, ErrNoHandover
	case h.AckedBy != "":
		return nil, &AckedError{ID: id, By: h.AckedBy}
	case h.By == by:
		return nil, &FieldError{Field: "by", Reason: "the incoming lead acknowledges, not the writer"}
	}
	return record(EvHandoverAcked, HandoverAckData{ID: id, By: by})
}

func (b *Book) handover(id string) *Handover {
	for _, h := range b.handovers {
		if h.ID == id {
			return h
		}
	}
	return nil
}

func (b *Book) applyHandover(rec *routing.Record) error {
	switch rec.Type {
	case EvHandoverWritten:
		d, err := routing.Decode[HandoverData](rec)
		if err != nil {
			return fmt.Errorf("workforce: %w", err)
		}
		b.handovers = append(b.handovers, &Handover{HandoverData: d, At: rec.Time})
	case EvHandoverAcked:
		d, err := routing.Decode[HandoverAckData](rec)
		if err != nil {
			return fmt.Errorf("workforce: %w", err)
		}
		h := b.handover(d.ID)
		if h == nil {
			return fmt.Errorf("workforce: record %d acknowledges unknown handover %s", rec.Seq, d.ID)
		}
		h.AckedBy, h.AckedAt = d.By, rec.Time
	}
	return nil
}

// Handovers is team's ("" all) entries, newest first.
func (b *Book) Handovers(team string) []Handover {
	out := []Handover{}
	for i := len(b.handovers) - 1; i >= 0; i-- {
		if h := b.handovers[i]; team == "" || h.Team == team {
			out = append(out, *h)
		}
	}
	return out
}
