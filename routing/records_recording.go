package routing

// Record types of call recordings (recorder.go), and their payloads. The
// recordings index is a projection of these.
const (
	// EvRecordingStarted: a part of a call's recording began (at the
	// agent's answer; a transfer starts the next part). RecordingData.
	EvRecordingStarted = "recording.started"
	// EvRecordingPaused and EvRecordingResumed: the recording left out
	// what was said in between (card details). RecordingPauseData.
	EvRecordingPaused  = "recording.paused"
	EvRecordingResumed = "recording.resumed"
	// EvRecordingEnded: the PBX stored a part. RecordingEndedData.
	EvRecordingEnded = "recording.ended"
	// EvRecordingFailed: the PBX did not start, pause, resume or keep a
	// part; the call goes on. RecordingFailedData.
	EvRecordingFailed = "recording.failed"
	// EvRecordingHold: a legal hold was put on or taken off a
	// recording; held, it is never deleted. RecordingHoldData.
	EvRecordingHold = "recording.hold"
	// EvRecordingDeleted: a recording's files are to be deleted (its
	// retention ran out, or by hand). RecordingDeletedData.
	EvRecordingDeleted = "recording.deleted"
)

// RecordingData starts a part of a call's recording.
type RecordingData struct {
	Recording string `json:"recording"` // the call's set of files
	Part      int    `json:"part"`      // 1, then one more per transfer
	Name      string `json:"name"`      // the file's name on the PBX
	Agent     string `json:"agent,omitempty"`
	Team      string `json:"team,omitempty"`
	Queue     string `json:"queue,omitempty"`
	Direction string `json:"direction"`
	Caller    string `json:"caller,omitempty"`
	// Mode is the policy that chose the call (all or sample), and
	// RetentionDays how long it is kept (0: until deleted).
	Mode          string `json:"mode"`
	RetentionDays int    `json:"retention_days,omitempty"`
}

// RecordingPauseData is a pause or a resume of a part. Offset is the
// seconds since the part began; FileOffset the position in the file,
// which has no audio for earlier gaps.
type RecordingPauseData struct {
	Recording  string  `json:"recording"`
	Part       int     `json:"part"`
	Name       string  `json:"name"`
	By         string  `json:"by"`
	Offset     float64 `json:"offset_seconds"`
	FileOffset float64 `json:"file_offset_seconds"`
}

// RecordingEndedData is a stored part.
type RecordingEndedData struct {
	Recording string `json:"recording"`
	Part      int    `json:"part"`
	Name      string `json:"name"`
	// Seconds is the talk the part covered (its start to its end) and
	// PausedSeconds the gaps in it; the file holds about the difference.
	Seconds       float64 `json:"seconds"`
	PausedSeconds float64 `json:"paused_seconds"`
	// FileSeconds is the file's length as the PBX reports it (Asterisk:
	// whole seconds).
	FileSeconds float64 `json:"file_seconds"`
}

// RecordingFailedData is a recording step the PBX refused or lost.
type RecordingFailedData struct {
	Recording string `json:"recording"`
	Part      int    `json:"part"`
	Name      string `json:"name"`
	Step      string `json:"step"` // start, pause, resume or store
	Err       string `json:"error"`
}

// RecordingHoldData puts on (Hold) or takes off a legal hold.
type RecordingHoldData struct {
	Recording string `json:"recording"`
	Hold      bool   `json:"hold"`
	By        string `json:"by"`
	Reason    string `json:"reason,omitempty"`
}

// RecordingDeletedData is a recording whose files go: Names on the PBX.
type RecordingDeletedData struct {
	Recording string   `json:"recording"`
	Names     []string `json:"names"`
	By        string   `json:"by"`
	Reason    string   `json:"reason"` // retention, or the person's reason
}
