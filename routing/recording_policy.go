package routing

import (
	"fmt"
	"hash/fnv"
	"time"
)

// Call recording policy: which calls are recorded (all, a sampled share,
// none), per queue, per flow and per direction, and how long their recordings are
// kept. The PBX records; the engine decides and indexes.

// Recording modes.
const (
	RecordAll    = "all"
	RecordSample = "sample"
	RecordNone   = "none"
)

// RecordingPolicy is whether a call is recorded and for how long the
// recording is kept.
type RecordingPolicy struct {
	// Mode is all, sample or none ("" is none).
	Mode string `yaml:"mode" json:"mode"`
	// Share is the part of calls a sample records, 0-1 (0.2: one in five).
	Share float64 `yaml:"share" json:"share,omitempty"`
	// RetentionDays is how long recordings are kept before deletion
	// (0: kept until deleted by hand).
	RetentionDays int `yaml:"retention_days" json:"retention_days,omitempty"`
}

// RecordingConfig is the recording policy of calls whose queue has none
// of its own: inbound calls (by queue, Queue.Recording first) and agents'
// outbound calls.
type RecordingConfig struct {
	Inbound  RecordingPolicy `yaml:"inbound"`
	Outbound RecordingPolicy `yaml:"outbound"`
}

// recordingPolicy is the policy of an inbound call in queue that came
// through flow (the queue's, else the flow's, else recording.inbound), or
// of an outbound call.
func (c *Config) recordingPolicy(direction, queue, flow string) RecordingPolicy {
	if direction == DirectionOutbound {
		return c.Recording.Outbound
	}
	if q := c.Queues[queue]; q != nil && q.Recording != nil {
		return *q.Recording
	}
	if f := c.Flows[flow]; f != nil && f.Recording != nil {
		return *f.Recording
	}
	return c.Recording.Inbound
}

// Records says whether p records the call with this ID. A sample is
// decided from the ID alone (the engine's injected IDs), so a replay and
// a re-run decide the same, and about Share of calls are chosen.
func (p RecordingPolicy) Records(callID string) bool {
	switch p.Mode {
	case RecordAll:
		return true
	case RecordSample:
		if p.Share <= 0 {
			return false
		}
		h := fnv.New64a()
		h.Write([]byte(callID))
		// FNV's high bits barely move between "call-1" and "call-2":
		// mix them (splitmix64's finalizer), then the top 53 bits are a
		// fraction in [0,1).
		x := h.Sum64()
		x ^= x >> 30
		x *= 0xbf58476d1ce4e5b9
		x ^= x >> 27
		x *= 0x94d049bb133111eb
		x ^= x >> 31
		return float64(x>>11)/(1<<53) < p.Share
	}
	return false
}

// Expired says whether a recording started at started, kept retentionDays,
// is due for deletion at now. A legal hold keeps it; 0 days keeps it.
func Expired(started time.Time, retentionDays int, held bool, now time.Time) bool {
	if held || retentionDays <= 0 {
		return false
	}
	return !now.Before(started.AddDate(0, 0, retentionDays))
}

func validateRecordingPolicy(key string, p *RecordingPolicy, bad func(key, format string, a ...any)) {
	switch p.Mode {
	case "", RecordAll, RecordNone:
		if p.Share != 0 {
			bad(key+".share", "only a sample has a share (mode is %q)", p.Mode)
		}
	case RecordSample:
		if p.Share <= 0 || p.Share > 1 {
			bad(key+".share", "must be more than 0 and at most 1")
		}
	default:
		bad(key+".mode", "%q is not %s, %s or %s", p.Mode, RecordAll, RecordSample, RecordNone)
	}
	if p.RetentionDays < 0 {
		bad(key+".retention_days", "must not be negative")
	}
}

func (c *Config) validateRecording(bad func(key, format string, a ...any)) {
	validateRecordingPolicy("recording.inbound", &c.Recording.Inbound, bad)
	validateRecordingPolicy("recording.outbound", &c.Recording.Outbound, bad)
	for _, name := range sortedKeys(c.Queues) {
		if q := c.Queues[name]; q != nil && q.Recording != nil {
			validateRecordingPolicy(fmt.Sprintf("queues.%s.recording", name), q.Recording, bad)
		}
	}
	for _, name := range sortedKeys(c.Flows) {
		if f := c.Flows[name]; f != nil && f.Recording != nil {
			validateRecordingPolicy(fmt.Sprintf("flows.%s.recording", name), f.Recording, bad)
		}
	}
}
