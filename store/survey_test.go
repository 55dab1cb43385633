package store

import (
	"encoding/json"
	"testing"
	"time"

	"switchboard/routing"
)

func TestSurveyScoreLandsOnTheCall(t *testing.T) { eachBackend(t, testSurveyScoreLandsOnTheCall) }

func testSurveyScoreLandsOnTheCall(t *testing.T) {
	st, _ := openTest(t)
	t0 := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	rec := func(sec int, typ string, data any) *routing.Record {
		b, _ := json.Marshal(data)
		return &routing.Record{Time: t0.Add(time.Duration(sec) * time.Second), Type: typ, CallID: "c1", Data: b}
	}
	err := st.Append(t.Context(),
		rec(0, routing.EvCallArrived, routing.CallArrivedData{Channel: "ch", Caller: "1"}),
		rec(5, routing.EvCallQueued, routing.QueuedData{Queue: "q"}),
		rec(9, routing.EvCallAnswered, routing.OfferData{Agent: "a1"}),
		rec(60, routing.EvCallEnded, routing.EndedData{Outcome: routing.OutcomeAnswered, HangupBy: "agent"}),
		rec(66, routing.EvCallSurvey, routing.SurveyData{Score: 4, Agent: "a1", Queue: "q"}),
	)
	if err != nil {
		t.Fatal(err)
	}
	c, err := st.Call(t.Context(), "c1")
	if err != nil {
		t.Fatal(err)
	}
	if c.SurveyScore == nil || *c.SurveyScore != 4 || c.TalkSeconds == nil || *c.TalkSeconds != 51 {
		t.Fatalf("call %+v", c)
	}
}
