package routing

import (
	"encoding/json"
	"log/slog"
	"reflect"
	"strconv"
	"testing"
	"time"
)

// Record.JSON is json.Marshal's encoding byte for byte, on the fast path
// (the engine's payload set) and off it.
func TestRecordJSONIsMarshal(t *testing.T) {
	utc := time.Date(2026, 12, 2, 9, 30, 1, 123456789, time.UTC)
	cst := time.FixedZone("CST", 8*3600)
	lmt := time.FixedZone("LMT", 8*3600+343)
	recs := []*Record{
		{Seq: 1, Time: utc, Type: EvCallQueued, CallID: "c1", Queue: "support", Data: []byte(`{"queue":"support"}`), payload: QueuedData{Queue: "support"}},
		{Seq: 2, Time: utc.In(cst), Type: EvAgentState, AgentID: "a1", Data: []byte(`{"from":"ready","to":"on_call"}`), payload: AgentStateData{}},
		{Seq: 3, Time: utc, Type: EvTimer, payload: TimerData{}},
		{Seq: 4, Time: utc, Type: EvCallArrived, CallID: "c<1>", Data: []byte(`{"caller":"1"}`), payload: CallArrivedData{}},
		{Seq: 5, Time: utc, Type: EvCallMessage, CallID: "c1", Data: []byte(`{"caller":"a&b <x>"}`), payload: MessageData{}},
		{Seq: 6, Time: utc, Type: EvCallMessage, CallID: "c1", Data: []byte("{\"caller\":\"\u2028→\"}"), payload: MessageData{}},
		{Seq: 7, Time: utc, Type: EvCallIVR, CallID: "客户", Data: []byte(`{"node":"main"}`), payload: IVRData{}},
		{Seq: 8, Time: utc, Type: EvCallIVR, CallID: "c\"1", Data: []byte(`{"node":"main"}`), payload: IVRData{}},
		{Seq: 9, Time: utc.In(lmt), Type: EvCallIVR, CallID: "c1", Data: []byte(`{"node":"main"}`), payload: IVRData{}},
		{Seq: 10, Time: time.Date(12026, 1, 1, 0, 0, 0, 0, time.UTC), Type: EvCallIVR, payload: IVRData{}},
		{Seq: 11, Time: utc, Type: EvCallIVR, CallID: "c1", Data: []byte(`{ "node" : "main" }`)}, // from the log: not compact
		{Seq: 12, Time: utc, Type: EvCallEnded, CallID: "c1", Data: []byte{}, payload: EndedData{}},
		{},
	}
	for _, typ := range RecordTypes() {
		v := reflect.New(Records[typ])
		fillNonZero(v.Elem())
		b, err := json.Marshal(v.Interface())
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, &Record{Seq: 99, Time: utc, Type: typ, CallID: "c9", AgentID: "a9", Queue: "q9", Data: b, payload: v.Elem().Interface()})
	}
	for _, r := range recs {
		want, wantErr := json.Marshal(r)
		got, err := r.JSON()
		if (err != nil) != (wantErr != nil) || string(got) != string(want) {
			t.Errorf("seq %d:\n got %s (%v)\nwant %s (%v)", r.Seq, got, err, want, wantErr)
		}
	}
}

func BenchmarkRecordJSON(b *testing.B) {
	r := &Record{Seq: 12345, Time: time.Date(2026, 12, 2, 9, 30, 1, 123456789, time.UTC), Type: EvCallOffered,
		CallID: "c-12345", AgentID: "a1", Queue: "support",
		Data: []byte(`{"agent":"a1","endpoint":"PJSIP/1001","leg":"leg-12345"}`), payload: OfferData{}}
	b.Run("Marshal", func(b *testing.B) {
		for b.Loop() {
			if _, err := json.Marshal(r); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("JSON", func(b *testing.B) {
		for b.Loop() {
			if _, err := r.JSON(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// The records a machine makes for whole calls encode as json.Marshal
// would, and most take the fast path (the engine's payload set, nothing
// to escape).
func TestMachineRecordsJSON(t *testing.T) {
	m := NewMachine(testConfig(), SequentialIDs(), slog.New(slog.DiscardHandler))
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	var recs []*Record
	step := func(in any) Output {
		now = now.Add(time.Millisecond)
		out := m.Handle(now, in)
		recs = append(recs, out.Records...)
		return out
	}
	for _, ac := range testConfig().Agents {
		step(agentCommand{Op: "sign_in", Agent: ac.ID})
	}
	for i := range 3 {
		if !wholeCall(step, "ch"+strconv.Itoa(i), "13812345678") {
			t.Fatal("no agent offered")
		}
	}
	typed := 0
	for i, r := range recs {
		r.Seq = int64(i + 1)
		want, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := r.JSON(); err != nil || string(got) != string(want) {
			t.Errorf("%s:\n got %s (%v)\nwant %s", r.Type, got, err, want)
		}
		if r.payload != nil && plainData(r.Data) && plainString(r.CallID) && plainString(r.AgentID) && plainString(r.Queue) && plainTime(r.Time) {
			typed++
		}
	}
	if len(recs) < 20 || typed < len(recs)*9/10 {
		t.Errorf("%d records, %d on the fast path", len(recs), typed)
	}
}
