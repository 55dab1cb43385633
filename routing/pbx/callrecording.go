package pbx

import "context"

// CallRecorder records a bridged call, both parties mixed, into one file
// on the PBX (Asterisk: a bridge recording; FreeSWITCH: uuid_record on
// the caller's leg). RecordingFinished with the same Name follows when
// the bridge ends or the recording is stopped (Failed when the PBX could
// not keep it).
type CallRecorder interface {
	RecordCall(ctx context.Context, r CallRecording) error
	// PauseCallRecording leaves out what is said until Resume (card
	// details); the file has no audio for the gap.
	PauseCallRecording(ctx context.Context, r CallRecording) error
	ResumeCallRecording(ctx context.Context, r CallRecording) error
}

// CallRecording names one recording of a bridged call.
type CallRecording struct {
	Bridge  string // the call's bridge (as given to Switch.Bridge)
	Channel string // the caller's channel, for PBXs that record a leg
	Name    string // unique; the PBX stores it under this name
}
