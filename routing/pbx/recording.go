package pbx

import (
	"context"
	"io"
	"time"
)

// VoiceRecorder records what a caller says (a message, their name for a
// screened transfer) into a named recording on the PBX. RecordingFinished
// with the same Name follows when the caller presses a terminating digit,
// falls silent, reaches the maximum length or hangs up.
type VoiceRecorder interface {
	Record(ctx context.Context, r Recording) error
}

// Recording describes one recording of a channel.
type Recording struct {
	Channel     string
	Name        string        // unique; the PBX stores it under this name
	MaxDuration time.Duration // 0: the PBX's default
	MaxSilence  time.Duration // 0: no silence detection
	Beep        bool          // play a beep first
	TerminateOn string        // DTMF digits that end it, e.g. "#"
}

// RecordingFetcher hands out a finished recording's audio (WAV), for
// playback through the API.
type RecordingFetcher interface {
	FetchRecording(ctx context.Context, name string) (io.ReadCloser, error)
}

// RecordingFinished: a recording ended and is stored (or failed).
type RecordingFinished struct {
	Base
	Channel  string        `json:"channel"`
	Name     string        `json:"name"`
	Duration time.Duration `json:"duration"`
	Failed   bool          `json:"failed,omitempty"`
}

// Kind implements Event.
func (RecordingFinished) Kind() string { return "recording_finished" }
