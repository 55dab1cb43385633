package routing

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"

	"switchboard/routing/pbx"
)

// Records is the registry of the log's record types: each type, once, with
// the Go type of its payload. Projections read payloads through Payload and
// Decode instead of their own json.Unmarshal, so a record type and its
// payload are declared in one place; a new Ev* constant is registered here
// (records_test.go fails otherwise).
var Records = map[string]reflect.Type{
	EvTimer:   typeOf[TimerData](),
	EvCommand: typeOf[CommandData](),
	EvAudit:   typeOf[Audit](),

	EvCallArrived:     typeOf[CallArrivedData](),
	EvCallIVR:         typeOf[IVRData](),
	EvCallQueued:      typeOf[QueuedData](),
	EvCallOffered:     typeOf[OfferData](),
	EvCallOfferFailed: typeOf[OfferData](),
	EvCallAnswered:    typeOf[OfferData](),
	EvCallEnded:       typeOf[EndedData](),

	EvCallDecision:   typeOf[DecisionData](),
	EvCallEscalated:  typeOf[EscalationData](),
	EvCallOverflowed: typeOf[OverflowData](),

	EvCallWrapped:     typeOf[WrapUpData](),
	EvCallTransferred: typeOf[TransferData](),

	EvCallHeld:    typeOf[HoldData](),
	EvCallResumed: typeOf[HoldData](),
	EvCallMuted:   typeOf[MuteData](),
	EvCallUnmuted: typeOf[MuteData](),

	EvCallSupervised:       typeOf[SupervisedData](),
	EvCallSupervisionEnded: typeOf[SupervisionEndedData](),

	EvAgentState:    typeOf[AgentStateData](),
	EvAgentLogin:    typeOf[LoginData](),
	EvAgentRequest:  typeOf[RequestData](),
	EvAgentAlert:    typeOf[AlertData](),
	EvAgentRepaired: typeOf[RepairData](),

	EvCallMessage:    typeOf[MessageData](),
	EvMessageHandled: typeOf[MessageHandledData](),
	EvCallSurvey:     typeOf[SurveyData](),
	EvCallCallback:   typeOf[CallbackData](),
	EvCallAnnounced:  typeOf[AnnouncedData](),

	EvConfigApplied: typeOf[ConfigData](),

	EvCallDialled:      typeOf[DialledData](),
	EvCallTrunkAttempt: typeOf[TrunkAttemptData](),
	EvTrunkState:       typeOf[TrunkStateData](),
	EvAgentDevice:      typeOf[DeviceData](),

	EvWorkRequested: typeOf[WorkData](),
	EvWorkReserved:  typeOf[WorkData](),
	EvWorkAccepted:  typeOf[WorkData](),
	EvWorkSkipped:   typeOf[WorkData](),
	EvWorkAttempt:   typeOf[WorkData](),
	EvWorkConnected: typeOf[WorkData](),
	EvWorkRequeued:  typeOf[WorkData](),
	EvWorkClosed:    typeOf[WorkData](),

	EvChatOpened:       typeOf[ChatData](),
	EvChatDecision:     typeOf[ChatData](),
	EvChatOffered:      typeOf[ChatData](),
	EvChatOfferExpired: typeOf[ChatData](),
	EvChatAccepted:     typeOf[ChatData](),
	EvChatMessage:      typeOf[ChatData](),
	EvChatTransferred:  typeOf[ChatData](),
	EvChatClosed:       typeOf[ChatData](),
	EvChatRated:        typeOf[ChatData](),

	EvRecordingStarted: typeOf[RecordingData](),
	EvRecordingPaused:  typeOf[RecordingPauseData](),
	EvRecordingResumed: typeOf[RecordingPauseData](),
	EvRecordingEnded:   typeOf[RecordingEndedData](),
	EvRecordingFailed:  typeOf[RecordingFailedData](),
	EvRecordingHold:    typeOf[RecordingHoldData](),
	EvRecordingDeleted: typeOf[RecordingDeletedData](),

	// PBX inputs: EvPBX + the event's Kind.
	EvPBX + pbx.CallArrived{}.Kind():       typeOf[pbx.CallArrived](),
	EvPBX + pbx.LegRinging{}.Kind():        typeOf[pbx.LegRinging](),
	EvPBX + pbx.LegAnswered{}.Kind():       typeOf[pbx.LegAnswered](),
	EvPBX + pbx.DTMFReceived{}.Kind():      typeOf[pbx.DTMFReceived](),
	EvPBX + pbx.PlaybackFinished{}.Kind():  typeOf[pbx.PlaybackFinished](),
	EvPBX + pbx.ChannelHungUp{}.Kind():     typeOf[pbx.ChannelHungUp](),
	EvPBX + pbx.Resynced{}.Kind():          typeOf[pbx.Resynced](),
	EvPBX + pbx.LinkDown{}.Kind():          typeOf[pbx.LinkDown](),
	EvPBX + pbx.CommandFailed{}.Kind():     typeOf[pbx.CommandFailed](),
	EvPBX + pbx.RecordingFinished{}.Kind(): typeOf[pbx.RecordingFinished](),
	EvPBX + pbx.PeerState{}.Kind():         typeOf[pbx.PeerState](),
}

func typeOf[T any]() reflect.Type { return reflect.TypeFor[T]() }

// CommandData is the payload of command as readers of the log see it:
// the fields the API's commands share (agent sign-in and states, desk,
// supervision, calendar modes). A command's own other fields (a wrap-up's
// disposition, a transfer's target) stay in Data only.
type CommandData struct {
	Op       string `json:"op"`
	Agent    string `json:"agent,omitempty"`
	Call     string `json:"call,omitempty"`
	Endpoint string `json:"endpoint,omitempty"`
	Reason   string `json:"reason,omitempty"`
	Mode     string `json:"mode,omitempty"`
	By       string `json:"by,omitempty"`
}

// ErrUnknownRecord: a record type nobody registered.
var ErrUnknownRecord = errors.New("unknown record type")

// RecordError is a record whose payload could not be had.
type RecordError struct {
	Type string
	Seq  int64
	Err  error
}

func (e *RecordError) Error() string {
	return fmt.Sprintf("record %s (seq %d): %v", e.Type, e.Seq, e.Err)
}

func (e *RecordError) Unwrap() error { return e.Err }

// RecordTypes are the registered types, sorted.
func RecordTypes() []string {
	out := make([]string, 0, len(Records))
	for t := range Records {
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}

// Payload is rec's payload as a pointer to its registered type: the value
// the engine recorded when the record came from it, else decoded from
// Data (a zero value for no Data).
func Payload(rec *Record) (any, error) {
	t, ok := Records[rec.Type]
	if !ok {
		return nil, &RecordError{Type: rec.Type, Seq: rec.Seq, Err: ErrUnknownRecord}
	}
	if rec.payload != nil && reflect.TypeOf(rec.payload) == t {
		p := reflect.New(t)
		p.Elem().Set(reflect.ValueOf(rec.payload))
		return p.Interface(), nil
	}
	p := reflect.New(t)
	if len(rec.Data) > 0 {
		if err := json.Unmarshal(rec.Data, p.Interface()); err != nil {
			return nil, &RecordError{Type: rec.Type, Seq: rec.Seq, Err: fmt.Errorf("decode data: %w", err)}
		}
	}
	return p.Interface(), nil
}

// Decode is rec's payload as T, which must be the type registered for
// rec.Type: the value the engine recorded, or decoded from Data (the zero
// T for no Data).
func Decode[T any](rec *Record) (T, error) {
	var v T
	t, ok := Records[rec.Type]
	if !ok {
		return v, &RecordError{Type: rec.Type, Seq: rec.Seq, Err: ErrUnknownRecord}
	}
	if want := reflect.TypeFor[T](); t != want {
		return v, &RecordError{Type: rec.Type, Seq: rec.Seq, Err: fmt.Errorf("payload is %v, not %v", t, want)}
	}
	if p, ok := rec.payload.(T); ok {
		return p, nil
	}
	if len(rec.Data) > 0 {
		if err := json.Unmarshal(rec.Data, &v); err != nil {
			return v, &RecordError{Type: rec.Type, Seq: rec.Seq, Err: fmt.Errorf("decode data: %w", err)}
		}
	}
	return v, nil
}
