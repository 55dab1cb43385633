package routing

import (
	"encoding/json"
	"reflect"
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
		fill(v.Elem())
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
