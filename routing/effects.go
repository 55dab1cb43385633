package routing

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"time"
)

// effects is what handling one input produces so far, shared by the
// machine's parts (the roster, the ACD, the call flow): the input's time,
// and the records, commands and timers it adds to the Output.
type effects struct {
	now time.Time
	out *Output
	log *slog.Logger

	buf bytes.Buffer
	enc *json.Encoder
}

func newEffects(log *slog.Logger) *effects {
	fx := &effects{log: log}
	fx.enc = json.NewEncoder(&fx.buf)
	fx.enc.SetEscapeHTML(false)
	return fx
}

// record appends a log record with data as its JSON payload.
func (fx *effects) record(r *Record, data any) {
	r.Time = fx.now
	if data != nil {
		// One reused encoder; each record gets its own exact-size copy.
		fx.buf.Reset()
		if err := fx.enc.Encode(data); err != nil {
			fx.log.Error("record payload", "type", r.Type, "err", err)
		}
		r.SetPayload(data, bytes.Clone(bytes.TrimSuffix(fx.buf.Bytes(), []byte("\n"))))
	}
	fx.out.Records = append(fx.out.Records, r)
}

func (fx *effects) emit(c Command) { fx.out.Commands = append(fx.out.Commands, c) }

// playAfterBridge puts what plays to channel, among the commands emitted
// since start, in call's command order: after the bridge change before it.
// A play sent while the channel is still in the agent's bridge being torn
// down is lost on Asterisk 22 (no PlaybackStarted, nothing heard).
func (fx *effects) playAfterBridge(start int, call, channel string) {
	for i := start; i < len(fx.out.Commands); i++ {
		if p, ok := fx.out.Commands[i].(cmdPlay); ok && p.Channel == channel {
			fx.out.Commands[i] = cmdInCall{Call: call, Cmd: p}
		}
	}
}

func (fx *effects) setTimer(name string, d time.Duration) {
	fx.out.Timers = append(fx.out.Timers, timerSet{Name: name, At: fx.now.Add(d)})
}

func (fx *effects) cancelTimer(name string) { fx.out.Cancels = append(fx.out.Cancels, name) }
