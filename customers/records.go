// Package customers is the customer directory's writes: every change is a
// customer.saved record in the one event log, decided in the engine loop
// (routing.Decide) and projected into the customers table by the store in
// the same transaction. Reads go to the store's projection.
package customers

import (
	"encoding/json"
	"fmt"

	"switchboard/routing"
)

// EvSaved is customer.saved: a customer's whole state after a create or an
// update. A record carries the whole state, not a diff, so the projection
// is one upsert and a replay needs no earlier record.
const EvSaved = "customer.saved"

// Data is the payload of customer.saved.
type Data struct {
	ID      int64    `json:"id"`
	Name    string   `json:"name"`
	Numbers []string `json:"numbers"`
	Notes   string   `json:"notes"`
	Tags    []string `json:"tags"`
	// Team owns the customer: its agents and lead see and edit it; ""
	// is shared (customers kept before teams owned them).
	Team    string `json:"team,omitempty"`
	By      string `json:"by"`
	Created bool   `json:"created,omitempty"`
}

// Decode reads a customer.saved record's data.
func Decode(r *routing.Record) (Data, error) {
	var d Data
	if err := json.Unmarshal(r.Data, &d); err != nil {
		return Data{}, fmt.Errorf("customers: %s seq %d: %w", r.Type, r.Seq, err)
	}
	if d.ID <= 0 {
		return Data{}, fmt.Errorf("customers: %s seq %d: no id", r.Type, r.Seq)
	}
	return d, nil
}
