package routing

import (
	"context"
	"slices"
	"strconv"
	"time"

	"switchboard/routing/pbx"
)

// trunks are the trunks' live state and the groups' order: channels in
// use, health (up, degraded, down) from the calls' results and the PBX's
// reachability reports, and when a down trunk is probed again. Every
// health change is a trunk.state record, written before it is acted on.
type trunks struct {
	*effects
	cfg    *Config
	byName map[string]*trunkState
	groups map[string]*groupState
}

// trunkState is one trunk's live state.
type trunkState struct {
	name     string
	cfg      Trunk
	inUse    int
	health   string
	failures int // consecutive carrier failures
	since    time.Time
	reason   string
	// downAt is when the trunk went down; a call may probe it once
	// probe_after later. probing: that probe is in flight.
	downAt  time.Time
	probing bool
	// peerDown: the PBX reports the peer unreachable (qualify failed);
	// only the PBX's report of it reachable again brings it back.
	peerDown bool
}

// groupState is a trunk group's live state: its calls and the rotation.
type groupState struct {
	calls int
	// next is the round-robin start; current the smooth weighted rotation's
	// per-member counters (nginx's algorithm: deterministic, no rand).
	next    int
	current []int
}

// TrunkView is a trunk as GET /api/v1/trunks shows it.
type TrunkView struct {
	Name        string    `json:"name"`
	State       string    `json:"state"` // up, degraded, down
	InUse       int       `json:"in_use"`
	MaxChannels int       `json:"max_channels"` // 0: no cap
	Failures    int       `json:"failures"`     // consecutive carrier failures
	Since       time.Time `json:"since"`        // last change (zero: never changed)
	Reason      string    `json:"reason,omitempty"`
	// ProbeAt is when a down trunk is tried again (nil unless down).
	ProbeAt  *time.Time `json:"probe_at,omitempty"`
	PeerDown bool       `json:"peer_down,omitempty"`
}

// TrunkGroupView is a trunk group as GET /api/v1/trunks shows it.
type TrunkGroupView struct {
	Name     string        `json:"name"`
	Order    string        `json:"order"`
	Members  []TrunkMember `json:"members"`
	Calls    int           `json:"calls"`
	MaxCalls int           `json:"max_calls"` // 0: no cap
	// Usable: some member could take a call now.
	Usable bool `json:"usable"`
}

// TrunksView is the body of GET /api/v1/trunks.
type TrunksView struct {
	Trunks []TrunkView      `json:"trunks"`
	Groups []TrunkGroupView `json:"groups"`
}

// apply installs cfg's trunks and groups, keeping live state.
func (ts *trunks) apply(cfg *Config) {
	ts.cfg = cfg
	old := ts.byName
	ts.byName = make(map[string]*trunkState, len(cfg.Trunks))
	for _, t := range cfg.Trunks {
		st := old[t.Name]
		if st == nil {
			st = &trunkState{name: t.Name, health: TrunkUp}
		}
		st.cfg = t
		ts.byName[t.Name] = st
	}
	oldGroups := ts.groups
	ts.groups = make(map[string]*groupState, len(cfg.TrunkGroups))
	for name, g := range cfg.TrunkGroups {
		gs := oldGroups[name]
		if gs == nil || len(gs.current) != len(g.Members) {
			gs = &groupState{current: make([]int, len(g.Members))}
			if old := oldGroups[name]; old != nil {
				gs.calls = old.calls
			}
		}
		ts.groups[name] = gs
	}
}

// usable says whether t may be dialled now: not at its channel cap, and
// up, or down for probe_after and not already being probed (then the call
// is its probe). why names the reason it is skipped.
func (ts *trunks) usable(t *trunkState) (ok, probe bool, why string) {
	if t.health == TrunkDown {
		if t.peerDown || t.probing || ts.now.Before(t.downAt.Add(ts.cfg.Outbound.ProbeAfter.D())) {
			return false, false, "down"
		}
		probe = true
	}
	if t.cfg.MaxChannels > 0 && t.inUse >= t.cfg.MaxChannels {
		return false, false, "max_channels"
	}
	return true, probe, ""
}

// anyUsable says whether some member of group could take a call now.
func (ts *trunks) anyUsable(group string) bool {
	for _, m := range ts.cfg.TrunkGroups[group].Members {
		if t := ts.byName[m.Trunk]; t != nil {
			if ok, _, _ := ts.usable(t); ok {
				return true
			}
		}
	}
	return false
}

// order is the group's members in the order one call tries them, and
// advances the group's rotation: priority (lowest first, config order
// breaking ties), round robin (the start moves on by one per call) or
// weight (smooth weighted rotation picks the first; the rest follow by
// priority).
func (ts *trunks) order(group string) []*trunkState {
	g, gs := ts.cfg.TrunkGroups[group], ts.groups[group]
	idx := make([]int, len(g.Members))
	for i := range idx {
		idx[i] = i
	}
	byPriority := func(x, y int) int { return g.Members[x].Priority - g.Members[y].Priority }
	switch g.Order {
	case OrderRoundRobin:
		start := gs.next % len(idx)
		gs.next = (start + 1) % len(idx)
		idx = append(idx[start:], idx[:start]...)
	case OrderWeight:
		slices.SortStableFunc(idx, byPriority)
		total, best := 0, -1
		for i, m := range g.Members {
			gs.current[i] += m.Weight
			total += m.Weight
			if m.Weight > 0 && (best < 0 || gs.current[i] > gs.current[best]) {
				best = i
			}
		}
		if best >= 0 {
			gs.current[best] -= total
			at := slices.Index(idx, best)
			idx = append([]int{best}, slices.Delete(idx, at, at+1)...)
		}
	default:
		slices.SortStableFunc(idx, byPriority)
	}
	out := make([]*trunkState, 0, len(idx))
	for _, i := range idx {
		if t := ts.byName[g.Members[i].Trunk]; t != nil {
			out = append(out, t)
		}
	}
	return out
}

// setHealth moves t to health to and records why.
func (ts *trunks) setHealth(t *trunkState, to, reason, detail string) {
	if t.health == to && to != TrunkDown {
		return
	}
	ts.record(&Record{Type: EvTrunkState}, TrunkStateData{
		Trunk: t.name, From: t.health, To: to, Reason: reason, Failures: t.failures, Detail: detail,
	})
	t.health, t.since, t.reason = to, ts.now, reason
	if to == TrunkDown {
		t.downAt = ts.now
	}
}

// succeeded: a call got through t (the callee answered, or the callee's
// own answer such as busy: the carrier worked).
func (ts *trunks) succeeded(t *trunkState) {
	t.probing = false
	t.failures = 0
	if t.health != TrunkUp {
		ts.setHealth(t, TrunkUp, "call_ok", "")
	}
}

// failed: the carrier failed a call (a failover cause or no 1xx in time).
func (ts *trunks) failed(t *trunkState, why string) {
	t.failures++
	switch {
	case t.probing:
		t.probing = false
		ts.setHealth(t, TrunkDown, "probe_failed", why)
	case t.health == TrunkDown:
	case t.failures >= ts.cfg.Outbound.DownAfter:
		ts.setHealth(t, TrunkDown, "failures", why)
	default:
		ts.setHealth(t, TrunkDegraded, "failures", why)
	}
}

// peer applies the PBX's report of a trunk's reachability.
func (ts *trunks) peer(ev pbx.PeerState) {
	t := ts.byName[ev.Peer]
	if t == nil {
		ts.log.Debug("peer state of an unknown trunk", "trunk", ev.Peer)
		return
	}
	if ev.Reachable {
		if !t.peerDown && t.health == TrunkUp {
			return
		}
		t.peerDown, t.failures, t.probing = false, 0, false
		ts.setHealth(t, TrunkUp, "peer_reachable", ev.Detail)
		return
	}
	if t.peerDown {
		return
	}
	t.peerDown = true
	ts.setHealth(t, TrunkDown, "peer_unreachable", ev.Detail)
}

func (ts *trunks) view() TrunksView {
	v := TrunksView{Trunks: []TrunkView{}, Groups: []TrunkGroupView{}}
	for _, tc := range ts.cfg.Trunks {
		t := ts.byName[tc.Name]
		tv := TrunkView{
			Name: t.name, State: t.health, InUse: t.inUse, MaxChannels: tc.MaxChannels,
			Failures: t.failures, Since: t.since, Reason: t.reason, PeerDown: t.peerDown,
		}
		if t.health == TrunkDown && !t.peerDown {
			at := t.downAt.Add(ts.cfg.Outbound.ProbeAfter.D())
			tv.ProbeAt = &at
		}
		v.Trunks = append(v.Trunks, tv)
	}
	for _, name := range sortedKeys(ts.cfg.TrunkGroups) {
		g := ts.cfg.TrunkGroups[name]
		v.Groups = append(v.Groups, TrunkGroupView{
			Name: name, Order: g.Order, Members: slices.Clone(g.Members), Calls: ts.groups[name].calls,
			MaxCalls: g.MaxCalls, Usable: ts.anyUsable(name),
		})
	}
	return v
}

// classifyEnd says whether a trunk leg's end before answer is the
// carrier's (fail over to the next trunk) or the callee's (the attempt
// ends), from the SIP code or, without one, the Q.850 cause; why names it
// (sip_503, cause_34, busy, no_answer, …).
func classifyEnd(sipCode int, cause pbx.Cause) (failover bool, why string) {
	if sipCode != 0 {
		switch {
		case sipCode == 486 || sipCode == 600:
			return false, "busy"
		case sipCode == 480:
			return false, "no_answer"
		case sipCode == 487:
			return false, "cancelled"
		case sipCode == 603:
			return false, "rejected"
		case sipCode == 404 || sipCode == 408 || sipCode >= 500 && sipCode < 600:
			return true, "sip_" + strconv.Itoa(sipCode)
		}
		return false, "sip_" + strconv.Itoa(sipCode)
	}
	switch cause {
	case pbx.CauseUserBusy:
		return false, "busy"
	case pbx.CauseNoAnswer:
		return false, "no_answer"
	case pbx.CauseRejected:
		return false, "rejected"
	case 1, 3, 18, 27, 34, 38, 41, 42, 47, 102:
		return true, "cause_" + strconv.Itoa(int(cause))
	}
	return false, cause.String()
}

// trunksCommand asks for the trunks' view; not logged (it changes nothing).
type trunksCommand struct{}

// Trunks lists the trunks with their health and the groups.
func (e *Engine) Trunks(ctx context.Context) (TrunksView, error) {
	v, err := e.doInput(ctx, trunksCommand{})
	if err != nil {
		return TrunksView{}, err
	}
	return v.(TrunksView), nil
}
