package store

import (
	"testing"

	"switchboard/report/rollup"
	"switchboard/routing"
)

// TestRollupSurveysMessagesCallbacks: a survey counts on its call's offer
// interval, queue and answering agent, and a second survey replaces the
// first; a repeated call.message counts once; handled counts on the
// message's call with its time to handle; a callback counts on its call.
func TestRollupSurveysMessagesCallbacks(t *testing.T) {
	eachBackend(t, testRollupSurveysMessagesCallbacks)
}

func testRollupSurveysMessagesCallbacks(t *testing.T) {
	s, _ := openTest(t)
	ctx := t.Context()
	if _, err := s.SetRollupConfig(ctx, RollupConfig{}); err != nil {
		t.Fatal(err)
	}
	survey := func(id string, sec float64, score int) *routing.Record {
		return &routing.Record{Time: at(sec), Type: routing.EvCallSurvey, CallID: id,
			Data: mustJSON(routing.SurveyData{Score: score, Agent: "1001", Queue: "support"})}
	}
	msg := &routing.Record{Time: at(30), Type: routing.EvCallMessage, CallID: "c2",
		Data: mustJSON(routing.MessageData{Recording: "m1", Target: "1002", TargetKind: "agent"})}
	recs := []*routing.Record{
		arrived("c1", 0), queued("c1", 1, "support"),
		offer(routing.EvCallAnswered, "c1", 5, "1001", ""),
		ended("c1", 65, "answered", "", "caller"),
		survey("c1", 70, 2),
		arrived("c2", 10), queued("c2", 11, "support"),
		{Time: at(20), Type: routing.EvCallCallback, CallID: "c2", Data: mustJSON(routing.CallbackData{Number: "100", Queue: "support"})},
		msg, msg,
		ended("c2", 40, routing.OutcomeAbandonedQueue, "", "caller"),
	}
	for _, r := range recs {
		if err := s.Append(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Append(ctx, survey("c1", 4000, 5)); err != nil {
		t.Fatal(err)
	}
	if err := s.Append(ctx, &routing.Record{Time: at(90), Type: routing.EvMessageHandled, CallID: "c2",
		Data: mustJSON(routing.MessageHandledData{Recording: "m1", By: "1002"})}); err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{
		"queue/support/surveys": 1, "queue/support/survey_score": 5, "queue/support/survey_score_5": 1,
		"queue/support/survey_score_2": 0, "queue/support/messages": 1, "queue/support/messages_handled": 1,
		"queue/support/message_handle_s": 60, "queue/support/callbacks": 1,
		"agent/1001/surveys": 1, "agent/1001/survey_score": 5,
		"agent/1002/for_messages": 1, "agent/1002/for_messages_handled": 1, "agent/1002/for_message_handle_s": 60,
		"agent_calls/1001/surveys": 1, "agent_calls//messages": 1, "agent_calls//callbacks": 1,
	}
	check := func(when string) {
		t.Helper()
		got := map[string]float64{}
		for _, q := range []RollupQuery{{Grain: rollup.Grain15m, Dim: rollup.DimQueue}, {Grain: rollup.GrainDay, Dim: rollup.DimAgent}, {Grain: rollup.GrainDay, Dim: rollup.DimAgentCalls}} {
			q.From, q.To, q.ByKey = "0000", "9999", true
			cells, err := s.Rollup(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range cells {
				got[q.Dim+"/"+c.Key+"/"+c.Metric] = c.Value
			}
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s: %s = %v, want %v", when, k, got[k], v)
			}
		}
	}
	check("appended")
	if err := s.RebuildDerived(ctx); err != nil {
		t.Fatal(err)
	}
	check("rebuilt")
}
