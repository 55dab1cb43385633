package workforce

import (
	"reflect"

	"switchboard/routing"
)

// Workforce records: every change to a schedule, and every excused
// problem time, is one of these in the one event log, written (through
// routing.Decide) before the Book applies it.
const (
	EvScheduleSaved     = "schedule.saved"     // SavedData: a team's month, as a draft
	EvSchedulePublished = "schedule.published" // PublishedData: the draft is the schedule
	EvScheduleExcused   = "schedule.excused"   // ExcusedData: a lead excused problem time
)

// SavedData is schedule.saved: the whole month's entries (a save replaces
// the draft).
type SavedData struct {
	Team    string  `json:"team"`
	Month   string  `json:"month"` // 2027-01
	Entries []Entry `json:"entries"`
	By      string  `json:"by"`
}

// PublishedData is schedule.published. Late says the deadline had passed
// and a supervisor overrode it, for Reason.
type PublishedData struct {
	Team   string `json:"team"`
	Month  string `json:"month"`
	By     string `json:"by"`
	Late   bool   `json:"late,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// ExcusedData is schedule.excused: problem time (问题时长) of an agent a
// lead excused, shown beside adherence, not hidden in it.
type ExcusedData struct {
	ID     string `json:"id"`
	Agent  string `json:"agent"`
	From   string `json:"from"` // RFC 3339
	To     string `json:"to"`
	Reason string `json:"reason"`
	By     string `json:"by"`
}

// routing may not import workforce, so workforce registers its records.
func init() {
	routing.Records[EvScheduleSaved] = reflect.TypeFor[SavedData]()
	routing.Records[EvSchedulePublished] = reflect.TypeFor[PublishedData]()
	routing.Records[EvScheduleExcused] = reflect.TypeFor[ExcusedData]()
	routing.Records[EvLeaveRequested] = reflect.TypeFor[LeaveData]()
	routing.Records[EvLeaveDecided] = reflect.TypeFor[LeaveDecisionData]()
	routing.Records[EvSwapRequested] = reflect.TypeFor[SwapData]()
	routing.Records[EvSwapDecided] = reflect.TypeFor[SwapDecisionData]()
	routing.Records[EvHandoverWritten] = reflect.TypeFor[HandoverData]()
	routing.Records[EvHandoverAcked] = reflect.TypeFor[HandoverAckData]()
}
