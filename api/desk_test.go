package api

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"switchboard/customers"
	"switchboard/routing"
	"switchboard/store"
)

// fakeDesk adds the desk to fakeAgents: a1 (team front) has call c9 from
// +1555 ringing; c1 was a1's (answered earlier); a2 is in team back.
type fakeDesk struct {
	*fakeAgents
	mu      sync.Mutex
	wraps   []routing.WrapUpRequest
	xfers   []routing.TransferRequest
	holders map[string]string // call → agent
}

func newFakeDesk() *fakeDesk {
	f := &fakeDesk{fakeAgents: newFakeAgents(), holders: map[string]string{"c9": "a1", "c1": "a1", "c7": "a2"}}
	f.agents["a1"].Team, f.agents["a2"].Team = "front", "back"
	f.agents["a1"].State, f.agents["a1"].CallID, f.agents["a1"].Endpoint = routing.Ringing, "c9", "PJSIP/1001"
	return f
}

func (f *fakeDesk) Desk(ctx context.Context, id string) (routing.DeskView, error) {
	a, err := f.Agent(ctx, id)
	if err != nil {
		return routing.DeskView{}, err
	}
	v := routing.DeskView{Agent: a, Dispositions: []routing.Disposition{{Code: "resolved", Zh: "已解决", En: "Resolved"}},
		Reasons: []routing.ReasonView{{Code: "break", AllowanceSeconds: 900}}}
	if a.CallID == "c9" {
		v.Call = &routing.DeskCall{ID: "c9", Caller: "+1555", Queue: "support", Phase: "ringing", WaitSeconds: 3,
			Vars: map[string]string{"account": "42"}}
	}
	return v, nil
}

// scoped is how the engine checks who holds a call.
func (f *fakeDesk) scoped(call, agent string, sc routing.Scope) (string, error) {
	h, ok := f.holders[call]
	switch {
	case !ok:
		return "", routing.ErrUnknownCall
	case agent != "" && agent != h, sc.Agent != "" && sc.Agent != h:
		return "", routing.ErrNotYourCall
	case sc.Team != "" && f.agents[h].Team != sc.Team:
		return "", routing.ErrNotYourCall
	}
	return h, nil
}

func (f *fakeDesk) WrapUp(ctx context.Context, r routing.WrapUpRequest) (routing.AgentView, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r.Disposition != "resolved" {
		return routing.AgentView{}, &routing.FieldError{Field: "disposition", Reason: "must be one of the configured dispositions: resolved"}
	}
	h, err := f.scoped(r.Call, r.Agent, r.Scope)
	if err != nil {
		return routing.AgentView{}, err
	}
	f.wraps = append(f.wraps, r)
	return *f.agents[h], nil
}

func (f *fakeDesk) Transfer(ctx context.Context, r routing.TransferRequest) (routing.DeskCall, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, err := f.scoped(r.Call, "", r.Scope); err != nil {
		return routing.DeskCall{}, err
	}
	if r.ToKind == routing.TransferQueue && r.To != "support" {
		return routing.DeskCall{}, &routing.FieldError{Field: "to", Reason: "unknown queue " + r.To}
	}
	f.xfers = append(f.xfers, r)
	return routing.DeskCall{ID: r.Call, Queue: r.To, Transferred: true}, nil
}

func (f *fakeDesk) SaveDraft(ctx context.Context, r routing.WrapDraftRequest) (*routing.WrapDraft, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, err := f.scoped(r.Call, r.Agent, r.Scope); err != nil {
		return nil, err
	}
	return &routing.WrapDraft{Disposition: r.Disposition, Notes: r.Notes, FollowUp: r.FollowUp}, nil
}

func (f *fakeDesk) ExtendWrapUp(ctx context.Context, agent string, sc routing.Scope) (routing.DeskView, error) {
	if sc.Agent != "" && sc.Agent != agent {
		return routing.DeskView{}, routing.ErrNotYourCall
	}
	return f.Desk(ctx, agent)
}

func newDeskHarness(t testing.TB) (*harness, *fakeDesk) {
	h := newHarness(t)
	fd := newFakeDesk()
	h.srv = New(Config{Accounts: fakeAccounts{}, Audit: h.store, Customers: customers.NewService(h.store.CustomerIndex(), appendDecision(h.store))},
		fd, h.store, slog.New(slog.DiscardHandler), prometheus.NewRegistry(), nil)
	h.h = h.srv.Handler()
	return h, fd
}

// appendDecision runs a decision the way the engine does, minus the
// engine: its records appended to st, stamped now.
func appendDecision(st *store.Store) customers.Submitter {
	return func(ctx context.Context, d routing.Decision) (any, error) {
		now := time.Now()
		recs, reply, err := d(now)
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			r.Time = now
		}
		return reply, st.Append(ctx, recs...)
	}
}

func TestDeskScope(t *testing.T) {
	h, _ := newDeskHarness(t)
	tests := []struct {
		token, method, path, body string
		want                      int
	}{
		{"role:agent:a1:front", "GET", "/api/v1/agents/a1/desk", "", 200},
		{"role:agent:a1:front", "GET", "/api/v1/agents/a2/desk", "", 403},
		{"role:agent", "GET", "/api/v1/agents/a1/desk", "", 403}, // an agent account with no agent
		{"role:team_lead:x:front", "GET", "/api/v1/agents/a1/desk", "", 200},
		{"role:team_lead:x:front", "GET", "/api/v1/agents/a2/desk", "", 403},
		{"role:supervisor", "GET", "/api/v1/agents/a2/desk", "", 200},
		{"role:quality", "GET", "/api/v1/agents/a1/desk", "", 403},
		{"role:admin", "GET", "/api/v1/customers", "", 403},
		{"role:supervisor", "GET", "/api/v1/agents/nobody/desk", "", 404},
		// Wrap-up and transfer: an agent acting on another agent's call.
		{"role:agent:a1:front", "POST", "/api/v1/calls/c7/wrap-up", `{"disposition":"resolved"}`, 403},
		{"role:agent:a1:front", "POST", "/api/v1/calls/c9/wrap-up", `{"agent":"a2","disposition":"resolved"}`, 403},
		{"role:agent:a1:front", "POST", "/api/v1/calls/c7/transfer", `{"to_kind":"queue","to":"support"}`, 403},
		{"role:team_lead:x:front", "POST", "/api/v1/calls/c7/wrap-up", `{"disposition":"resolved"}`, 403},
		{"role:team_lead:x:back", "POST", "/api/v1/calls/c7/wrap-up", `{"disposition":"resolved"}`, 200},
		{"role:agent:a1:front", "POST", "/api/v1/calls/c9/wrap-up", `{"disposition":"resolved"}`, 200},
		{"role:agent:a1:front", "POST", "/api/v1/calls/c9/transfer", `{"to_kind":"queue","to":"support"}`, 200},
		{"role:supervisor", "POST", "/api/v1/calls/c7/transfer", `{"to_kind":"queue","to":"support"}`, 200},
		// Unknown calls.
		{"role:agent:a1:front", "POST", "/api/v1/calls/nope/wrap-up", `{"disposition":"resolved"}`, 404},
		{"role:supervisor", "POST", "/api/v1/calls/nope/transfer", `{"to_kind":"agent","to":"a2"}`, 404},
	}
	for _, tt := range tests {
		t.Run(tt.token+" "+tt.method+" "+tt.path, func(t *testing.T) {
			h.token = tt.token
			r := h.do(t, tt.method, tt.path, tt.body)
			if r.Code != tt.want {
				t.Fatalf("%d, want %d: %s", r.Code, tt.want, r.Body)
			}
		})
	}
}

func TestDeskValidation(t *testing.T) {
	h, fd := newDeskHarness(t)
	h.token = "role:agent:a1:front"
	long := strings.Repeat("x", maxNotes+1)
	tests := []struct {
		method, path, body string
		want               int
		field              string
	}{
		{"POST", "/api/v1/calls/c9/wrap-up", `{"disposition":"bogus"}`, 400, "disposition"},
		{"POST", "/api/v1/calls/c9/wrap-up", `{"notes":"x"}`, 400, "disposition"},
		{"POST", "/api/v1/calls/c9/wrap-up", `{"disposition":"resolved","notes":"` + long + `"}`, 400, "notes"},
		{"POST", "/api/v1/calls/c9/wrap-up", `{"disposition":"resolved","notes":"a\u0000b"}`, 400, "notes"},
		{"POST", "/api/v1/calls/c9/wrap-up", `{"disposition":"resolved","follow_up":"yes"}`, 400, "follow_up"},
		{"POST", "/api/v1/calls/c9/wrap-up", `{"disposition":"resolved","color":"red"}`, 400, "color"},
		{"POST", "/api/v1/calls/c9/wrap-up", ``, 400, ""},
		{"POST", "/api/v1/calls/c9/wrap-up", `{"disposition":"resolved","notes":"` + strings.Repeat("x", maxBody) + `"}`, 413, ""},
		{"POST", "/api/v1/calls/c9/transfer", `{"to":"support"}`, 400, "to_kind"},
		{"POST", "/api/v1/calls/c9/transfer", `{"to_kind":"trunk","to":"x"}`, 400, "to_kind"},
		{"POST", "/api/v1/calls/c9/transfer", `{"to_kind":"queue","to":" "}`, 400, "to"},
		{"POST", "/api/v1/calls/c9/transfer", `{"to_kind":"queue","to":"sales"}`, 400, "to"},
		{"POST", "/api/v1/customers", `{"numbers":["13800000000"]}`, 400, "name"},
		{"POST", "/api/v1/customers", `{"name":"x","numbers":["138****0000"]}`, 400, "numbers"},
		{"POST", "/api/v1/customers", `{"name":"x","tags":[""]}`, 400, "tags"},
		{"POST", "/api/v1/customers", `{"name":"x","tags":"vip"}`, 400, "tags"},
		{"POST", "/api/v1/customers", `{"name":"` + strings.Repeat("名", 100) + `"}`, 400, "name"},
		{"POST", "/api/v1/customers", `[1]`, 400, ""},
		{"GET", "/api/v1/customers/999", ``, 404, ""},
		{"GET", "/api/v1/customers/abc", ``, 404, ""},
		{"PUT", "/api/v1/customers/999", `{"name":"x"}`, 404, ""},
		{"GET", "/api/v1/customers?limit=x", ``, 400, "limit"},
		{"GET", "/api/v1/customers?bogus=1", ``, 400, "bogus"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path+" "+tt.body[:min(len(tt.body), 40)], func(t *testing.T) {
			r := h.do(t, tt.method, tt.path, tt.body)
			if r.Code != tt.want {
				t.Fatalf("%d, want %d: %.300s", r.Code, tt.want, r.Body)
			}
			if e := errorOf(t, r); tt.field != "" && e.Field != tt.field {
				t.Fatalf("field %q, want %q (%s)", e.Field, tt.field, e.Message)
			}
		})
	}
	if len(fd.wraps) != 0 || len(fd.xfers) != 0 {
		t.Fatalf("refused requests reached the engine: %+v %+v", fd.wraps, fd.xfers)
	}
}

func TestDeskWrapUpAndTransfer(t *testing.T) {
	h, fd := newDeskHarness(t)
	h.token = "role:agent:a1:front"
	r := h.do(t, "POST", "/api/v1/calls/c9/wrap-up", `{"disposition":"resolved","notes":"<script>x</script>","follow_up":true,"not_ready":"break"}`)
	if r.Code != 200 {
		t.Fatalf("%d %s", r.Code, r.Body)
	}
	w := fd.wraps[0]
	if w.Agent != "a1" || w.Call != "c9" || w.Notes != "<script>x</script>" || w.FollowUp == nil || !*w.FollowUp ||
		w.NotReady != "break" || w.Scope.Agent != "a1" || w.By != "test-agent" {
		t.Fatalf("wrap-up sent %+v", w)
	}
	h.token = "role:team_lead:x:back"
	if r := h.do(t, "POST", "/api/v1/calls/c7/transfer", `{"to_kind":"queue","to":"support"}`); r.Code != 200 {
		t.Fatalf("%d %s", r.Code, r.Body)
	}
	if x := fd.xfers[0]; x.Call != "c7" || x.ToKind != "queue" || x.Scope.Team != "back" {
		t.Fatalf("transfer sent %+v", x)
	}
}

func TestDeskView(t *testing.T) {
	h, _ := newDeskHarness(t)
	h.token = "role:agent:a1:front"
	r := h.do(t, "POST", "/api/v1/customers", `{"name":"<b>Ada</b>","numbers":["+1 555"],"notes":"VIP","tags":["vip"]}`)
	if r.Code != 201 {
		t.Fatalf("create: %d %s", r.Code, r.Body)
	}
	v := decode[deskView](t, h.do(t, "GET", "/api/v1/agents/a1/desk", ""))
	if v.Call == nil || v.Call.ID != "c9" || v.Call.Phase != "ringing" || v.Call.Caller != "+1555" || v.Call.Vars["account"] != "42" {
		t.Fatalf("call %+v", v.Call)
	}
	if v.Customer == nil || v.Customer.Name != "<b>Ada</b>" {
		t.Fatalf("customer %+v", v.Customer)
	}
	// c1 (+1555, answered by a1) is the caller's last contact.
	if len(v.Contacts) != 1 || v.Contacts[0].ID != "c1" || v.Contacts[0].Outcome != "answered" || v.Contacts[0].Agent != "a1" {
		t.Fatalf("contacts %+v", v.Contacts)
	}
	if len(v.Dispositions) != 1 || len(v.Reasons) != 1 || v.Agent.ID != "a1" {
		t.Fatalf("config %+v %+v", v.Dispositions, v.Reasons)
	}
	// The c1 record's IVR path reaches the desk when c1 is the agent's call.
	h.srv.agents.(*fakeDesk).agents["a1"].CallID = "c1"
	h.srv.agents.(*fakeDesk).agents["a1"].State = routing.WrapUp
	v = decode[deskView](t, h.do(t, "GET", "/api/v1/agents/a1/desk", ""))
	if v.Call == nil || v.Call.Phase != "wrap_up" || v.Call.Digits != "1" || len(v.Call.IVRPath) != 2 || v.Call.Queue != "support" {
		t.Fatalf("wrap-up call %+v", v.Call)
	}
}

func TestCustomers(t *testing.T) {
	h, _ := newDeskHarness(t)
	h.token = "role:agent:a1:front"
	r := h.do(t, "POST", "/api/v1/customers", `{"name":" 张伟 <img src=x onerror=alert(1)> ","numbers":["138-0000-0001"],"notes":"line1\nline2","tags":["vip"," 投诉 "]}`)
	if r.Code != 201 {
		t.Fatalf("create: %d %s", r.Code, r.Body)
	}
	c := decode[struct {
		ID      int64
		Name    string
		Numbers []string
		Tags    []string
		Notes   string
	}](t, r)
	if c.Name != "张伟 <img src=x onerror=alert(1)>" || c.Numbers[0] != "13800000001" || c.Tags[1] != "投诉" || c.Notes != "line1\nline2" {
		t.Fatalf("created %+v", c)
	}
	id := fmt.Sprint(c.ID)
	// The conflict does not name the other customer (issue 13: their id
	// would tell a masked number's owner).
	if r := h.do(t, "POST", "/api/v1/customers", `{"name":"other","numbers":["13800000001"]}`); r.Code != 409 || errorOf(t, r).Field != "numbers" ||
		errorOf(t, r).Code != CodeNumberTaken || strings.Contains(errorOf(t, r).Message, "customer "+id) {
		t.Fatalf("duplicate number: %d %s", r.Code, r.Body)
	}
	if r := h.do(t, "PUT", "/api/v1/customers/"+id, `{"name":"Zhang Wei","numbers":["13800000001","+1557"]}`); r.Code != 200 {
		t.Fatalf("put: %d %s", r.Code, r.Body)
	}
	list := decode[customerList](t, h.do(t, "GET", "/api/v1/customers?number=138%200000-0001", ""))
	if len(list.Customers) != 1 || list.Customers[0].Name != "Zhang Wei" || len(list.Customers[0].Tags) != 0 {
		t.Fatalf("by number %+v", list)
	}
	if list := decode[customerList](t, h.do(t, "GET", "/api/v1/customers?number=1", "")); len(list.Customers) != 0 {
		t.Fatalf("partial number matched %+v", list)
	}
	// c3 came from +1557; the history of any customer is for leads.
	if r := h.do(t, "GET", "/api/v1/customers/"+id+"/contacts", ""); r.Code != 403 {
		t.Fatalf("agent read contacts: %d", r.Code)
	}
	h.token = "role:team_lead:x:front"
	if r := h.do(t, "GET", "/api/v1/customers/999/contacts", ""); r.Code != 404 {
		t.Fatalf("unknown customer's contacts: %d", r.Code)
	}
	// c3 is no agent's (still open): a lead sees only their team's calls.
	if cl := decode[contactList](t, h.do(t, "GET", "/api/v1/customers/"+id+"/contacts", "")); len(cl.Contacts) != 0 {
		t.Fatalf("lead's contacts %+v", cl)
	}
	h.token = "role:supervisor"
	cl := decode[contactList](t, h.do(t, "GET", "/api/v1/customers/"+id+"/contacts", ""))
	if len(cl.Contacts) != 1 || cl.Contacts[0].ID != "c3" {
		t.Fatalf("contacts %+v", cl)
	}
	h.token = "role:team_lead:x:front"
	// A team lead sees the numbers masked.
	if r := h.do(t, "GET", "/api/v1/customers/"+id, ""); r.Code != http.StatusOK || !strings.Contains(string(r.Body), "138****0001") {
		t.Fatalf("lead view: %s", r.Body)
	}
}

// FuzzDeskBodies sends arbitrary bodies to the desk's write routes: none
// may cause a 5xx, and every refusal is a well-formed error body.
func FuzzDeskBodies(f *testing.F) {
	for _, seed := range []string{
		`{"disposition":"resolved","notes":"<b>x</b>","follow_up":null}`,
		`{"to_kind":"queue","to":"support"}`,
		`{"name":"Ada","numbers":["+86 138-0000-0000"],"tags":["vip"],"notes":"\u0000"}`,
		`{"numbers":[1]}`, `{"tags":[null]}`, `[]`, `null`, `{`, ``, "\xff\xfe",
	} {
		f.Add(seed)
	}
	h, _ := newDeskHarness(f)
	h.token = "role:agent:a1:front"
	f.Fuzz(func(t *testing.T, body string) {
		for _, rt := range [][2]string{
			{"POST", "/api/v1/calls/c9/wrap-up"}, {"POST", "/api/v1/calls/c9/transfer"},
			{"POST", "/api/v1/customers"}, {"PUT", "/api/v1/customers/1"},
		} {
			r := h.do(t, rt[0], rt[1], body)
			if r.Code >= 500 {
				t.Fatalf("%s %q: %d %s", rt[1], body, r.Code, r.Body)
			}
			if r.Code >= 400 {
				errorOf(t, r)
			} else if !json.Valid(r.Body) {
				t.Fatalf("%s %q: %d with invalid JSON %s", rt[1], body, r.Code, r.Body)
			}
		}
	})
}

func TestDigitsOf(t *testing.T) {
	for _, tt := range []struct {
		path []string
		want string
	}{
		{nil, ""},
		{[]string{"greeting", "menu", "1→support"}, "1"},
		{[]string{"menu", "invalid→menu", "timeout→menu", "2→ext", "8001→dial", "no_answer→msg"}, "2 8001"},
		{[]string{"menu", "*→back", "#→x"}, "* #"},
	} {
		if got := digitsOf(tt.path); got != tt.want {
			t.Errorf("%v: %q, want %q", tt.path, got, tt.want)
		}
	}
}

// Drafts and extensions: an agent's own only; notes checked like a
// wrap-up's.
func TestDeskDraftAndExtend(t *testing.T) {
	h, _ := newDeskHarness(t)
	for _, tt := range []struct {
		token, method, path, body string
		code                      int
		field                     string
	}{
		{"role:agent:a1:front", "PUT", "/api/v1/calls/c9/wrap-up/draft", `{"disposition":"","notes":"typing"}`, 200, ""},
		{"role:agent:a1:front", "PUT", "/api/v1/calls/c7/wrap-up/draft", `{"notes":"x"}`, 403, ""},
		{"role:agent:a1:front", "PUT", "/api/v1/calls/c9/wrap-up/draft", `{"agent":"a2","notes":"x"}`, 403, ""},
		{"role:agent:a1:front", "PUT", "/api/v1/calls/c9/wrap-up/draft", `{"notes":"` + strings.Repeat("x", maxNotes+1) + `"}`, 400, "notes"},
		{"role:agent:a1:front", "PUT", "/api/v1/calls/c9/wrap-up/draft", `{"notes":1}`, 400, "notes"},
		{"role:agent:a1:front", "POST", "/api/v1/agents/a1/wrap-up/extend", ``, 200, ""},
		{"role:agent:a1:front", "POST", "/api/v1/agents/a2/wrap-up/extend", ``, 403, ""},
	} {
		h.token = tt.token
		r := h.do(t, tt.method, tt.path, tt.body)
		if r.Code != tt.code {
			t.Fatalf("%s %s %s: %d %s", tt.method, tt.path, tt.body, r.Code, r.Body)
		}
		if tt.field != "" {
			if e := errorOf(t, r); e.Field != tt.field {
				t.Fatalf("%s: field %q, want %q", tt.body, e.Field, tt.field)
			}
		}
	}
}

// TestCustomerScope: agents and leads see and edit their team's customers
// and the shared ones; another team's answer as unknown; supervisors see
// all and move them; every write is audited; a search by full number by
// one who sees numbers masked is an audited, rate-limited reveal.
func TestCustomerScope(t *testing.T) {
	h, _ := newDeskHarness(t)
	create := func(token, body string) int64 {
		t.Helper()
		h.token = token
		r := h.do(t, "POST", "/api/v1/customers", body)
		if r.Code != 201 {
			t.Fatalf("%s create: %d %s", token, r.Code, r.Body)
		}
		return decode[store.Customer](t, r).ID
	}
	front := create("role:agent:a1:front", `{"name":"Front One","numbers":["13800000011"]}`)
	back := create("role:agent:a2:back", `{"name":"Back One","numbers":["13800000022"]}`)
	shared := create("role:supervisor", `{"name":"Shared","numbers":["13800000033"],"team":""}`)
	for _, tt := range []struct {
		token  string
		id     int64
		method string
		body   string
		want   int
	}{
		{"role:agent:a1:front", front, "GET", "", 200},
		{"role:agent:a1:front", back, "GET", "", 404},
		{"role:agent:a1:front", shared, "GET", "", 200},
		{"role:team_lead:x:back", back, "GET", "", 200},
		{"role:team_lead:x:back", front, "GET", "", 404},
		{"role:supervisor", front, "GET", "", 200},
		{"role:agent:a2:back", front, "PUT", `{"name":"taken over"}`, 404},
		{"role:agent:a1:front", front, "PUT", `{"name":"Front 1","numbers":["13800000011"],"team":"back"}`, 403},
		{"role:agent:a1:front", front, "PUT", `{"name":"Front 1","numbers":["13800000011"],"team":"front"}`, 200},
		{"role:team_lead:x:back", front, "GET", "", 404},
	} {
		h.token = tt.token
		path := fmt.Sprintf("/api/v1/customers/%d", tt.id)
		if r := h.do(t, tt.method, path, tt.body); r.Code != tt.want {
			t.Errorf("%s %s %s: %d, want %d (%s)", tt.token, tt.method, path, r.Code, tt.want, r.Body)
		}
	}
	// Lists and number lookups keep to the scope too.
	h.token = "role:agent:a1:front"
	if l := decode[customerList](t, h.do(t, "GET", "/api/v1/customers", "")); len(l.Customers) != 2 {
		t.Errorf("front agent lists %d customers, want its own and the shared", len(l.Customers))
	}
	if l := decode[customerList](t, h.do(t, "GET", "/api/v1/customers?number=13800000022", "")); len(l.Customers) != 0 {
		t.Errorf("front agent found back's customer by number")
	}
	// A supervisor moves a customer; a lead sending back the masked
	// numbers it was shown keeps them.
	h.token = "role:supervisor"
	if r := h.do(t, "PUT", fmt.Sprintf("/api/v1/customers/%d", front), `{"name":"Front 1","numbers":["13800000011"],"team":"back"}`); r.Code != 200 {
		t.Fatalf("supervisor moves: %d %s", r.Code, r.Body)
	}
	h.token = "role:team_lead:x:back"
	r := h.do(t, "GET", fmt.Sprintf("/api/v1/customers/%d", front), "")
	if r.Code != 200 || !strings.Contains(string(r.Body), `"138****0011"`) {
		t.Fatalf("moved customer for back's lead: %d %s", r.Code, r.Body)
	}
	if r := h.do(t, "PUT", fmt.Sprintf("/api/v1/customers/%d", front), `{"name":"Front I","numbers":["138****0011"]}`); r.Code != 200 {
		t.Fatalf("lead edit with masked numbers: %d %s", r.Code, r.Body)
	}
	if n, _ := h.store.CustomerIndex().NumberOwner(t.Context(), "13800000011"); n != front {
		t.Fatalf("masked number not kept: owner %d", n)
	}
	// Number searches by the lead (masked): searchBurst allowed, then 429.
	for i := range searchBurst {
		if r := h.do(t, "GET", "/api/v1/customers?number=1380000"+fmt.Sprintf("%04d", i), ""); r.Code != 200 {
			t.Fatalf("search %d: %d", i, r.Code)
		}
	}
	if r := h.do(t, "GET", "/api/v1/customers?number=13800000022", ""); r.Code != 429 || errorOf(t, r).Field != "number" {
		t.Fatalf("search past the limit: %d %s", r.Code, r.Body)
	}
	if r := h.do(t, "GET", "/api/v1/customers?q=Back", ""); r.Code != 200 {
		t.Fatalf("name search after the limit: %d", r.Code)
	}
	h.token = "role:agent:a1:front" // sees full numbers: no limit
	for range searchBurst + 1 {
		if r := h.do(t, "GET", "/api/v1/customers?number=13800000011", ""); r.Code != 200 {
			t.Fatalf("agent search: %d", r.Code)
		}
	}
	searches, _ := h.store.Audit(t.Context(), store.AuditFilter{Action: "customer.search_number"})
	if len(searches) != searchBurst+1 || searches[0].Target != "number:138****0022" || searches[0].OK {
		t.Errorf("search audit: %d entries, newest %+v", len(searches), searches[0])
	}
	for _, a := range []string{"customer.create", "customer.update"} {
		es, _ := h.store.Audit(t.Context(), store.AuditFilter{Action: a})
		if len(es) == 0 {
			t.Errorf("no %s audit entries", a)
		}
	}
	// Every write is a customer.saved record: the log is the memory.
	recs, err := h.store.Events(t.Context(), store.EventFilter{TypePrefix: customers.EvSaved})
	if err != nil || len(recs) != 6 {
		t.Fatalf("%d customer.saved records (%v), want 6", len(recs), err)
	}
}
