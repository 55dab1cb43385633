package api

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"switchboard/quality"
	"switchboard/routing"
)

var qualityForm = quality.Form{ID: "svc", Sections: []quality.Section{
	{ID: "phrases", Items: []quality.Item{{ID: "greet", Weight: 40}}},
	{ID: "attitude", Items: []quality.Item{{ID: "polite", Weight: 40, Max: 5}, {ID: "abuse", Weight: 20, Critical: true}}},
}}

// newQualityHarness: a1 (team red) and a2 (team blue) each have a
// recording (rec-c1, rec-c2); the quality service runs over a ticketLog.
func newQualityHarness(t testing.TB) (*harness, *ticketLog, *quality.Service) {
	t.Helper()
	h := newHarness(t)
	h.agents.agents["a1"].Team = "red"
	h.agents.agents["a2"].Team = "blue"
	if err := h.store.Append(t.Context(),
		rec(9, routing.EvRecordingStarted, "c1", "a1", "support", routing.RecordingData{Recording: "rec-c1", Part: 1, Name: "rec-c1-1",
			Agent: "a1", Team: "red", Queue: "support", Direction: "inbound", Mode: "all"}),
		rec(20, routing.EvRecordingEnded, "c1", "", "", routing.RecordingEndedData{Recording: "rec-c1", Part: 1, Name: "rec-c1-1", Seconds: 11}),
		rec(31, routing.EvRecordingStarted, "c2", "a2", "sales", routing.RecordingData{Recording: "rec-c2", Part: 1, Name: "rec-c2-1",
			Agent: "a2", Team: "blue", Queue: "sales", Direction: "inbound", Mode: "all"}),
	); err != nil {
		t.Fatal(err)
	}
	l := &ticketLog{now: t0.Add(time.Hour)}
	svc := quality.NewService(quality.Config{Forms: []quality.Form{qualityForm}, Sampling: quality.SamplingConfig{Min: 1, Max: 2, Inspectors: []string{"test-quality"}}}, l.submit, nil)
	if err := svc.SyncForms(t.Context()); err != nil {
		t.Fatal(err)
	}
	h.srv = New(Config{Accounts: fakeAccounts{}, Audit: h.store, Quality: svc}, h.agents, h.store, nil, nil, nil)
	h.h = h.srv.Handler()
	return h, l, svc
}

const fullAnswers = `"answers":{"greet":1,"polite":5,"abuse":1}`

func TestQualityEvaluationFlow(t *testing.T) {
	h, l, _ := newQualityHarness(t)
	h.token = "role:quality"
	r := h.do(t, "POST", "/api/v1/quality/evaluations", `{"recording":"rec-c1",`+fullAnswers+`,"comments":[{"at_seconds":3.5,"text":"polite"}]}`)
	if r.Code != 201 {
		t.Fatalf("score: %d %s", r.Code, r.Body)
	}
	e := decode[quality.Evaluation](t, r)
	if e.ID != "Q000001" || e.Score != 100 || e.Agent != "a1" || e.Inspector != "test-quality" || len(e.Comments) != 1 {
		t.Fatalf("%+v", e)
	}
	// Scope: a1 sees it, a2 does not, red's lead does, blue's does not.
	for _, tc := range []struct {
		token string
		want  int
	}{{"role:agent:a1:red", 200}, {"role:agent:a2:blue", 404}, {"role:team_lead:l1:red", 200}, {"role:team_lead:l2:blue", 404}, {"role:supervisor", 200}} {
		h.token = tc.token
		if r := h.do(t, "GET", "/api/v1/quality/evaluations/"+e.ID, ""); r.Code != tc.want {
			t.Errorf("%s: %d, want %d", tc.token, r.Code, tc.want)
		}
		r := h.do(t, "GET", "/api/v1/quality/evaluations", "")
		page := decode[evalPage](t, r)
		if (page.Total == 1) != (tc.want == 200) {
			t.Errorf("%s lists %d", tc.token, page.Total)
		}
	}
	h.token = "role:agent:a2:blue"
	if r := h.do(t, "POST", "/api/v1/quality/evaluations/"+e.ID+"/acknowledge", ""); r.Code != 404 {
		t.Fatalf("another agent acknowledges: %d", r.Code)
	}
	h.token = "role:agent:a1:red"
	if r := h.do(t, "POST", "/api/v1/quality/evaluations/"+e.ID+"/dispute", `{}`); r.Code != 400 || errorOf(t, r).Field != "reason" {
		t.Fatalf("dispute without reason: %d %s", r.Code, r.Body)
	}
	if r := h.do(t, "POST", "/api/v1/quality/evaluations/"+e.ID+"/dispute", `{"reason":"I was polite"}`); r.Code != 200 {
		t.Fatalf("dispute: %d %s", r.Code, r.Body)
	}
	if r := h.do(t, "POST", "/api/v1/quality/evaluations/"+e.ID+"/acknowledge", ""); r.Code != 409 || errorOf(t, r).Code != CodeInvalidTransition {
		t.Fatalf("acknowledge a disputed one: %d %s", r.Code, r.Body)
	}
	h.token = "role:team_lead:l2:blue"
	if r := h.do(t, "POST", "/api/v1/quality/evaluations/"+e.ID+"/settle", `{"outcome":"upheld"}`); r.Code != 404 {
		t.Fatalf("another team's lead settles: %d", r.Code)
	}
	h.token = "role:team_lead:l1:red"
	if r := h.do(t, "POST", "/api/v1/quality/evaluations/"+e.ID+"/settle", `{"outcome":"changed"}`); r.Code != 400 || errorOf(t, r).Field != "score" {
		t.Fatalf("changed without score: %d %s", r.Code, r.Body)
	}
	r = h.do(t, "POST", "/api/v1/quality/evaluations/"+e.ID+"/settle", `{"outcome":"changed","score":90,"reason":"partly"}`)
	if r.Code != 200 {
		t.Fatalf("settle: %d %s", r.Code, r.Body)
	}
	if e = decode[quality.Evaluation](t, r); e.State != quality.StateSettled || e.Score != 90 {
		t.Fatalf("%+v", e)
	}
	var types []string
	for _, r := range l.recs {
		types = append(types, r.Type)
	}
	if got := strings.Join(types, " "); got != "quality.form quality.scored quality.disputed quality.settled" {
		t.Fatalf("records %s", got)
	}
}

func TestQualityBadInput(t *testing.T) {
	h, _, _ := newQualityHarness(t)
	for _, tc := range []struct {
		token, body string
		status      int
		field       string
	}{
		{"role:quality", `{"recording":"rec-c1","answers":{"greet":1,"polite":6,"abuse":1}}`, 400, "answers.polite"},
		{"role:quality", `{"recording":"rec-c1","answers":{"greet":1,"polite":5,"abuse":1,"nope":1}}`, 400, "answers.nope"},
		{"role:quality", `{"recording":"rec-c1","answers":{"greet":1,"polite":5}}`, 400, "answers.abuse"},
		{"role:quality", `{"recording":"rec-c1","form":"other",` + fullAnswers + `}`, 400, "form"},
		{"role:quality", `{"recording":"rec-c1",` + fullAnswers + `,"comments":[{"at_seconds":-2,"text":"x"}]}`, 400, "comments[0].at_seconds"},
		{"role:quality", `{"recording":"nope",` + fullAnswers + `}`, 404, "recording"},
		{"role:quality", `{` + fullAnswers + `}`, 400, "recording"},
		{"role:quality", `{"recording":"rec-c1"}`, 400, "answers"},
		{"role:team_lead:l2:blue", `{"recording":"rec-c1",` + fullAnswers + `}`, 403, "recording"},
	} {
		h.token = tc.token
		r := h.do(t, "POST", "/api/v1/quality/evaluations", tc.body)
		if r.Code != tc.status || errorOf(t, r).Field != tc.field {
			t.Errorf("%s: %d %s, want %d field %s", tc.body, r.Code, r.Body, tc.status, tc.field)
		}
	}
	h.token = "role:agent:a1:red"
	if r := h.do(t, "POST", "/api/v1/quality/evaluations", `{"recording":"rec-c1",`+fullAnswers+`}`); r.Code != 403 {
		t.Fatalf("an agent scores: %d", r.Code)
	}
	h.token = "role:quality"
	if r := h.do(t, "GET", "/api/v1/quality/evaluations", ""); decode[evalPage](t, r).Total != 0 {
		t.Fatal("a refused evaluation was kept")
	}
}

func TestQualitySampling(t *testing.T) {
	h, _, _ := newQualityHarness(t)
	month := t0.In(time.Local).Format("2006-01")
	h.token = "role:agent:a1:red"
	if r := h.do(t, "POST", "/api/v1/quality/sampling", `{"month":"`+month+`"}`); r.Code != 403 {
		t.Fatalf("agent samples: %d", r.Code)
	}
	h.token = "role:quality"
	if r := h.do(t, "POST", "/api/v1/quality/sampling", `{"month":"2025-13"}`); r.Code != 400 || errorOf(t, r).Field != "month" {
		t.Fatalf("bad month: %d %s", r.Code, r.Body)
	}
	r := h.do(t, "POST", "/api/v1/quality/sampling", `{"month":"`+month+`"}`)
	if r.Code != 201 {
		t.Fatalf("sample: %d %s", r.Code, r.Body)
	}
	d := decode[quality.SampledData](t, r)
	// a1 signed in that month (seed records) and has rec-c1; a2 never
	// signed in, so is not sampled.
	if len(d.Evaluations) != 1 || d.Evaluations[0].Recording != "rec-c1" || d.Evaluations[0].Inspector != "test-quality" {
		t.Fatalf("%+v", d)
	}
	if r := h.do(t, "POST", "/api/v1/quality/sampling", `{"month":"`+month+`"}`); r.Code != 409 {
		t.Fatalf("second draw: %d", r.Code)
	}
	// The inspector's due list; the agent does not see a due evaluation.
	r = h.do(t, "GET", "/api/v1/quality/evaluations?state=due&inspector=test-quality", "")
	if p := decode[evalPage](t, r); p.Total != 1 {
		t.Fatalf("due %+v", p)
	}
	v := decode[samplingView](t, h.do(t, "GET", "/api/v1/quality/sampling?month="+month, ""))
	if !v.Sampled || len(v.Agents) != 1 || !v.Agents[0].Short || v.Agents[0].Due != 1 {
		t.Fatalf("view %+v", v)
	}
	h.token = "role:agent:a1:red"
	if p := decode[evalPage](t, h.do(t, "GET", "/api/v1/quality/evaluations", "")); p.Total != 0 {
		t.Fatalf("agent sees a due evaluation: %+v", p)
	}
	h.token = "role:quality"
	id := d.Evaluations[0].ID
	if r := h.do(t, "POST", "/api/v1/quality/evaluations/"+id+"/score", `{"recording":"rec-c1",`+fullAnswers+`}`); r.Code != 400 || errorOf(t, r).Field != "recording" {
		t.Fatalf("score naming the recording: %d %s", r.Code, r.Body)
	}
	if r := h.do(t, "POST", "/api/v1/quality/evaluations/"+id+"/score", `{"answers":{"greet":0,"polite":5,"abuse":1}}`); r.Code != 200 || decode[quality.Evaluation](t, r).Score != 60 {
		t.Fatalf("score the due one: %d %s", r.Code, r.Body)
	}
	h.token = "role:agent:a1:red"
	if r := h.do(t, "POST", "/api/v1/quality/evaluations/"+id+"/acknowledge", ""); r.Code != 200 {
		t.Fatalf("acknowledge: %d %s", r.Code, r.Body)
	}
	h.token = "role:quality"
	v = decode[samplingView](t, h.do(t, "GET", "/api/v1/quality/sampling?month="+month, ""))
	if v.Agents[0].Short || v.Agents[0].Scored != 1 {
		t.Fatalf("view after scoring %+v", v)
	}
}

// FuzzQualityScoreBody: any body to the scoring route is answered
// without a 5xx, and a 201 is an evaluation with a score in 0..100.
func FuzzQualityScoreBody(f *testing.F) {
	f.Add(`{"recording":"rec-c1",` + fullAnswers + `}`)
	f.Add(`{"recording":"rec-c1","answers":{"greet":9}}`)
	f.Add(`{"recording":"rec-c2","answers":{"greet":1,"polite":3,"abuse":0},"comments":[{"at_seconds":1e9,"text":""}]}`)
	f.Add(`{"answers":null}`)
	h, _, _ := newQualityHarness(f)
	h.token = "role:quality"
	f.Fuzz(func(t *testing.T, body string) {
		r := h.do(t, "POST", "/api/v1/quality/evaluations", body)
		switch {
		case r.Code >= 500:
			t.Fatalf("%q: %d %s", body, r.Code, r.Body)
		case r.Code == 201:
			var e quality.Evaluation
			if err := json.Unmarshal(r.Body, &e); err != nil || e.Score < 0 || e.Score > 100 {
				t.Fatalf("%q: %s", body, r.Body)
			}
		default:
			errorOf(t, r)
		}
	})
}

func TestQualityReport(t *testing.T) {
	h, _, _ := newQualityHarness(t)
	h.token = "role:quality"
	if r := h.do(t, "POST", "/api/v1/quality/evaluations", `{"recording":"rec-c1","answers":{"greet":0,"polite":5,"abuse":1}}`); r.Code != 201 {
		t.Fatalf("score: %d %s", r.Code, r.Body)
	}
	day := t0.Add(time.Hour).In(time.Local).Format(time.DateOnly)
	r := h.do(t, "GET", "/api/v1/quality/report?period=custom&from="+day+"&to="+day, "")
	if r.Code != 200 {
		t.Fatalf("report: %d %s", r.Code, r.Body)
	}
	var tb struct {
		Rows []struct {
			Key    string     `json:"key"`
			Values []*float64 `json:"values"`
		} `json:"rows"`
		Notes []string `json:"notes"`
	}
	json.Unmarshal(r.Body, &tb)
	if len(tb.Rows) != 1 || tb.Rows[0].Key != "a1" || *tb.Rows[0].Values[1] != 60 || !strings.Contains(strings.Join(tb.Notes, "\n"), "Training needs, a1: greet (1)") {
		t.Fatalf("report %s", r.Body)
	}
	if r := h.do(t, "GET", "/api/v1/quality/report?period=custom&from="+day+"&to="+day+"&format=csv", ""); r.Code != 200 || !strings.Contains(string(r.Body), "a1") {
		t.Fatalf("csv: %d %s", r.Code, r.Body)
	}
	if r := h.do(t, "GET", "/api/v1/quality/report?group=queue", ""); r.Code != 400 || errorOf(t, r).Field != "group" {
		t.Fatalf("bad group: %d %s", r.Code, r.Body)
	}
	h.token = "role:agent:a1:red"
	if r := h.do(t, "GET", "/api/v1/quality/report", ""); r.Code != 403 {
		t.Fatalf("agent: %d", r.Code)
	}
}
