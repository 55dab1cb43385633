package routing

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"switchboard/routing/pbx"
)

// recorder records calls as the policy says: from the agent's answer (the
// bridge with the agent), both parties mixed, one file per bridge. A
// transfer's next bridge is the next part of the same call's recording.
// Every step is a record first; a step the PBX fails is a
// recording.failed record (counted by type in
// switchboard_engine_records_total, and logged), never the call's end.
type recorder struct {
	*effects
	cfg    func() *Config
	byCall map[string]*callRec // live calls with a recording
	byName map[string]*callRec // parts the PBX has not reported stored
	done   map[string]partDone // of those, the parts whose bridge went
	// held are the holds put on or taken off in this run, which the store
	// may not show yet (see inbox).
	held map[string]bool
}

// callRec is a call's recording: its set and the part running now.
type callRec struct {
	id        string // the set: "rec-" + call ID
	call      string
	channel   string
	bridge    string
	part      int
	name      string
	started   time.Time
	paused    bool
	pausedAt  time.Time
	pausedSum time.Duration // gaps in this part so far
	live      bool          // a part runs (started, not yet over)
}

func newRecorder(fx *effects, cfg func() *Config) *recorder {
	return &recorder{effects: fx, cfg: cfg, byCall: map[string]*callRec{}, byName: map[string]*callRec{}, done: map[string]partDone{}, held: map[string]bool{}}
}

// RecordingID is the ID of call's recording (its set of files).
func RecordingID(call string) string { return "rec-" + call }

// bridged: c's bridge formed. A call recorded before (a transfer) goes
// on recording; otherwise one answered by an agent is recorded if its
// policy chooses it.
func (r *recorder) bridged(c *call) {
	cr := r.byCall[c.id]
	if cr == nil {
		if c.agent == nil {
			return
		}
		dir := c.direction
		if dir == "" {
			dir = DirectionInbound
		}
		p := r.cfg().recordingPolicy(dir, c.queue, c.flowName)
		if !p.Records(c.id) {
			return
		}
		cr = &callRec{id: RecordingID(c.id), call: c.id}
		r.byCall[c.id] = cr
		r.start(c, cr, p, dir)
		return
	}
	if cr.live {
		r.finishPart(cr) // the PBX ends the old bridge's file
	}
	dir := c.direction
	if dir == "" {
		dir = DirectionInbound
	}
	r.start(c, cr, r.cfg().recordingPolicy(dir, c.queue, c.flowName), dir)
}

func (r *recorder) start(c *call, cr *callRec, p RecordingPolicy, dir string) {
	cr.part++
	cr.name = cr.id + "-" + strconv.Itoa(cr.part)
	cr.channel, cr.bridge, cr.started = c.channel, c.bridge, r.now
	cr.paused, cr.pausedSum, cr.live = false, 0, true
	r.byName[cr.name] = cr
	mode := p.Mode
	if mode == "" || mode == RecordNone {
		mode = "continued" // a transfer into a queue that records nothing
	}
	caller := c.caller
	if c.out != nil {
		caller = c.called
	}
	r.record(&Record{Type: EvRecordingStarted, CallID: c.id, Queue: c.queue, AgentID: agentID(c.agent)},
		RecordingData{Recording: cr.id, Part: cr.part, Name: cr.name, Agent: agentID(c.agent), Team: teamOf(c.agent),
			Queue: c.queue, Direction: dir, Caller: caller, Mode: mode, RetentionDays: p.RetentionDays})
	r.emit(cmdRecordCall{Call: c.id, Rec: cr.rec()})
}

func (cr *callRec) rec() pbx.CallRecording {
	return pbx.CallRecording{Bridge: cr.bridge, Channel: cr.channel, Name: cr.name}
}

func teamOf(a *agent) string {
	if a == nil {
		return ""
	}
	return a.team
}

// finishPart closes the running part in the engine's view (its bridge
// went): its pause, if any, ends with it, and what it covered waits in
// done for the PBX's RecordingFinished, which records the end.
func (r *recorder) finishPart(cr *callRec) {
	if cr.paused {
		cr.pausedSum += r.now.Sub(cr.pausedAt)
		cr.paused = false
	}
	cr.live = false
	r.done[cr.name] = partDone{talk: r.now.Sub(cr.started), paused: cr.pausedSum}
}

// partDone is a part whose bridge went, until the PBX reports its file:
// the talk it covered and the gaps in it.
type partDone struct{ talk, paused time.Duration }

// unbridged: c's bridge went (a transfer); its part's file ends with it.
func (r *recorder) unbridged(callID string) {
	if cr := r.byCall[callID]; cr != nil && cr.live {
		r.finishPart(cr)
	}
}

// callEnded: the call is over; its part ends with its bridge.
func (r *recorder) callEnded(callID string) {
	if cr := r.byCall[callID]; cr != nil {
		if cr.live {
			r.finishPart(cr)
		}
		delete(r.byCall, callID)
	}
}

// finished: the PBX stored (or lost) a part. It reports whether the
// recording was a call's (not a message's).
func (r *recorder) finished(ev pbx.RecordingFinished) bool {
	cr := r.byName[ev.Name]
	if cr == nil {
		return r.finishedUnknown(ev)
	}
	delete(r.byName, ev.Name)
	part := partOf(ev.Name)
	if cr.live && cr.name == ev.Name {
		r.finishPart(cr) // the PBX ended it first (a failure)
	}
	if ev.Failed {
		delete(r.done, ev.Name)
		r.failed(cr, part, ev.Name, "store", "the PBX did not keep the recording")
		return true
	}
	// The talk the part covers is the engine's to measure: the PBX
	// reports whole seconds of file.
	paused, talk := 0.0, ev.Duration.Seconds()
	if d, ok := r.done[ev.Name]; ok {
		paused, talk = d.paused.Seconds(), d.talk.Seconds()
		delete(r.done, ev.Name)
	}
	r.record(&Record{Type: EvRecordingEnded, CallID: cr.call},
		RecordingEndedData{Recording: cr.id, Part: part, Name: ev.Name,
			Seconds: talk, PausedSeconds: paused, FileSeconds: ev.Duration.Seconds()})
	return true
}

// finishedUnknown: a call recording's file the engine does not know (it
// started before a restart) is stored: the index gets its end, with the
// PBX's length for want of the engine's.
func (r *recorder) finishedUnknown(ev pbx.RecordingFinished) bool {
	set, ok := strings.CutPrefix(ev.Name, "rec-")
	i := strings.LastIndexByte(set, '-')
	if !ok || i <= 0 || partOf(ev.Name) < 1 {
		return false
	}
	call, id := set[:i], "rec-"+set[:i]
	if ev.Failed {
		r.record(&Record{Type: EvRecordingFailed, CallID: call},
			RecordingFailedData{Recording: id, Part: partOf(ev.Name), Name: ev.Name, Step: "store", Err: "the PBX did not keep the recording"})
		return true
	}
	r.record(&Record{Type: EvRecordingEnded, CallID: call},
		RecordingEndedData{Recording: id, Part: partOf(ev.Name), Name: ev.Name,
			Seconds: ev.Duration.Seconds(), FileSeconds: ev.Duration.Seconds()})
	return true
}

func partOf(name string) int {
	for i := len(name) - 1; i >= 0; i-- {
		if name[i] == '-' {
			n, _ := strconv.Atoi(name[i+1:])
			return n
		}
	}
	return 0
}

// commandFailed: the PBX refused a recording command (ev.Command is one
// of recorderCommands). It reports whether ev was one.
func (r *recorder) commandFailed(ev pbx.CommandFailed, call string) bool {
	step, ok := recorderCommands[ev.Command]
	if !ok {
		return false
	}
	cr := r.byCall[call]
	if cr == nil {
		return true
	}
	if step == "start" {
		delete(r.byName, cr.name)
		delete(r.done, cr.name)
		cr.live = false
	}
	r.failed(cr, cr.part, cr.name, step, ev.Err)
	return true
}

var recorderCommands = map[string]string{
	cmdRecordCall{}.Name(): "start", cmdPauseRecording{}.Name(): "pause", cmdResumeRecording{}.Name(): "resume",
}

func (r *recorder) failed(cr *callRec, part int, name, step, why string) {
	r.log.Warn("call recording failed", "call", cr.call, "recording", name, "step", step, "err", why)
	r.record(&Record{Type: EvRecordingFailed, CallID: cr.call},
		RecordingFailedData{Recording: cr.id, Part: part, Name: name, Step: step, Err: why})
}

// Errors of recording commands (409 in the API).
const (
	CodeNotRecording    = "not_recording"
	CodeRecordingPaused = "recording_paused"
	CodeRecordingLive   = "recording_running"
)

// recordingCommand is a RecordingRequest in the engine loop.
type recordingCommand struct {
	Op        string `json:"op"` // pause, resume, hold, release, delete
	Call      string `json:"call,omitempty"`
	Recording string `json:"recording,omitempty"`
	By        string `json:"by"`
	Reason    string `json:"reason,omitempty"`
	// Names are the files a delete removes (the store's index has them).
	Names []string `json:"names,omitempty"`
}

// RecordingState is a call's recording as the engine sees it.
type RecordingState struct {
	Recording string `json:"recording"`
	Call      string `json:"call"`
	Part      int    `json:"part"`
	Name      string `json:"name"`
	Paused    bool   `json:"paused"`
}

func (r *recorder) command(cmd recordingCommand) (any, error) {
	if cmd.By == "" {
		return nil, &FieldError{Field: "by", Reason: "required"}
	}
	switch cmd.Op {
	case "pause", "resume":
		return r.pauseOrResume(cmd)
	case "hold", "release":
		if cmd.Recording == "" {
			return nil, &FieldError{Field: "recording", Reason: "required"}
		}
		hold := cmd.Op == "hold"
		r.record(&Record{Type: EvRecordingHold, CallID: callOfRecording(cmd.Recording)},
			RecordingHoldData{Recording: cmd.Recording, Hold: hold, By: cmd.By, Reason: cmd.Reason})
		r.held[cmd.Recording] = hold
		return nil, nil
	case "delete":
		if cmd.Recording == "" {
			return nil, &FieldError{Field: "recording", Reason: "required"}
		}
		if r.held[cmd.Recording] {
			return nil, ErrRecordingHeld
		}
		if cr := r.byCall[callOfRecording(cmd.Recording)]; cr != nil {
			return nil, &PolicyError{Code: CodeRecordingLive, Message: "the call is still being recorded"}
		}
		r.record(&Record{Type: EvRecordingDeleted, CallID: callOfRecording(cmd.Recording)},
			RecordingDeletedData{Recording: cmd.Recording, Names: cmd.Names, By: cmd.By, Reason: cmd.Reason})
		return nil, nil
	}
	return nil, &FieldError{Field: "op", Reason: "want pause, resume, hold, release or delete"}
}

// ErrRecordingHeld is a deletion of a recording under legal hold.
var ErrRecordingHeld = &PolicyError{Code: "legal_hold", Message: "the recording is under legal hold", Field: "hold"}

func callOfRecording(id string) string {
	if len(id) > 4 && id[:4] == "rec-" {
		return id[4:]
	}
	return ""
}

func (r *recorder) pauseOrResume(cmd recordingCommand) (any, error) {
	cr := r.byCall[cmd.Call]
	if cr == nil || !cr.live {
		return nil, &PolicyError{Code: CodeNotRecording, Message: "the call is not being recorded", Field: "call"}
	}
	pause := cmd.Op == "pause"
	if cr.paused == pause {
		msg := "the recording is not paused"
		if pause {
			msg = "the recording is paused already"
		}
		return nil, &PolicyError{Code: CodeRecordingPaused, Message: msg}
	}
	at := r.now.Sub(cr.started)
	gaps := cr.pausedSum
	typ := EvRecordingPaused
	if pause {
		cr.paused, cr.pausedAt = true, r.now
	} else {
		gaps += r.now.Sub(cr.pausedAt)
		cr.paused, cr.pausedSum = false, gaps
		typ = EvRecordingResumed
	}
	// The file's position: the gaps so far are not in it (a resume's
	// is the same position as its pause's).
	file := at - gaps
	r.record(&Record{Type: typ, CallID: cr.call},
		RecordingPauseData{Recording: cr.id, Part: cr.part, Name: cr.name, By: cmd.By,
			Offset: at.Seconds(), FileOffset: file.Seconds()})
	if pause {
		r.emit(cmdPauseRecording{Call: cr.call, Rec: cr.rec()})
	} else {
		r.emit(cmdResumeRecording{Call: cr.call, Rec: cr.rec()})
	}
	return r.state(cr), nil
}

func (r *recorder) state(cr *callRec) RecordingState {
	return RecordingState{Recording: cr.id, Call: cr.call, Part: cr.part, Name: cr.name, Paused: cr.paused}
}

// Recording commands for the PBX; a driver without pbx.CallRecorder
// fails them (a recording.failed record, the call goes on).
type cmdRecordCall struct {
	Call string
	Rec  pbx.CallRecording
}
type cmdPauseRecording cmdRecordCall
type cmdResumeRecording cmdRecordCall

var errNoCallRecorder = errors.New("this PBX driver cannot record calls")

func (c cmdRecordCall) Key() string      { return c.Call }
func (c cmdPauseRecording) Key() string  { return c.Call }
func (c cmdResumeRecording) Key() string { return c.Call }
func (cmdRecordCall) Name() string       { return "record_call" }
func (cmdPauseRecording) Name() string   { return "pause_recording" }
func (cmdResumeRecording) Name() string  { return "resume_recording" }

func (c cmdRecordCall) Exec(ctx context.Context, sw pbx.Switch) error {
	if cr, ok := sw.(pbx.CallRecorder); ok {
		return cr.RecordCall(ctx, c.Rec)
	}
	return errNoCallRecorder
}
func (c cmdPauseRecording) Exec(ctx context.Context, sw pbx.Switch) error {
	if cr, ok := sw.(pbx.CallRecorder); ok {
		return cr.PauseCallRecording(ctx, c.Rec)
	}
	return errNoCallRecorder
}
func (c cmdResumeRecording) Exec(ctx context.Context, sw pbx.Switch) error {
	if cr, ok := sw.(pbx.CallRecorder); ok {
		return cr.ResumeCallRecording(ctx, c.Rec)
	}
	return errNoCallRecorder
}

// Recordings controls call recordings for the API: pause and resume a
// live call's, legal holds, deletion. Each is a record through the
// engine.
type Recordings struct{ e *Engine }

// NewRecordings is e's recording control.
func NewRecordings(e *Engine) *Recordings { return &Recordings{e: e} }

// RecordingRequest is a recording command: Call for pause and resume,
// Recording for hold, release and delete.
type RecordingRequest struct {
	Call, Recording string
	By, Reason      string
	Names           []string // delete: the files to remove
}

// Pause leaves what is said out of call's recording until Resume. Errors:
// *PolicyError CodeNotRecording, CodeRecordingPaused; *FieldError.
func (rs *Recordings) Pause(ctx context.Context, r RecordingRequest) (RecordingState, error) {
	return rs.do(ctx, "pause", r)
}

// Resume records call again after Pause.
func (rs *Recordings) Resume(ctx context.Context, r RecordingRequest) (RecordingState, error) {
	return rs.do(ctx, "resume", r)
}

// Hold puts a legal hold on r.Recording (hold) or takes it off.
func (rs *Recordings) Hold(ctx context.Context, r RecordingRequest, hold bool) error {
	op := "release"
	if hold {
		op = "hold"
	}
	_, err := rs.do(ctx, op, r)
	return err
}

// Delete records the deletion of r.Recording's files. The caller checked
// in the store that it exists and is not held; ErrRecordingHeld is a hold
// put on in this run that the store may not show yet.
func (rs *Recordings) Delete(ctx context.Context, r RecordingRequest) error {
	_, err := rs.do(ctx, "delete", r)
	return err
}

func (rs *Recordings) do(ctx context.Context, op string, r RecordingRequest) (RecordingState, error) {
	v, err := rs.e.doInput(ctx, recordingCommand{Op: op, Call: r.Call, Recording: r.Recording, By: r.By, Reason: r.Reason, Names: r.Names})
	if err != nil {
		return RecordingState{}, err
	}
	st, _ := v.(RecordingState)
	return st, nil
}
