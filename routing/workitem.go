package routing

import (
	"context"
	"slices"
	"strconv"
	"time"
)

// Outbound work items: a second kind of work for the same ACD. A callback
// (and next a follow-up) waits in a queue like a caller, keeping the place
// (priority, then since when) the caller had; when its turn comes a free
// agent of the queue is reserved and sees a preview; accepted, the dial
// goes through the outbound path (agent first, then the customer through
// the trunk group, with its failover). A customer who does not answer is
// retried after the configured delay up to the limit, then the item is
// closed with the reason. Every step is a work.* record (records_work.go).

// workItem is one item's live state.
type workItem struct {
	id, kind, number string
	customer         int64
	queue, group     string
	origin           string
	priority         int
	queuedAt         time.Time // the place in the queue
	due, until       time.Time // not before due; until (zero: none) it may still be dialled
	maxAttempts      int
	retryEvery       time.Duration

	state    string
	attempts int    // dials counted toward maxAttempts
	agent    string // reserved, dialling or connected: whose
	call     string // the outbound call of the dial in progress
	outcome  string // the last dial's outcome
	reason   string // why it was closed
	closedAt time.Time
	skipped  []string // agents who skipped it: not offered it again
}

// EnqueueRequest is "enqueue an outbound work item", the engine command
// callbacks use and follow-ups (issue 18) are to reuse: Kind (callback,
// follow_up) to Number (normalised by the outbound rules when dialled),
// for Customer, waiting in Queue from QueuedAt (zero: now; a callback
// keeps its caller's arrival) at Priority; dialled not before Due and
// not after Until (zero: no window), at most MaxAttempts times RetryEvery
// apart (zero: the queue's callbacks settings); Origin names what asked
// for it (a call ID, a wrap-up).
type EnqueueRequest struct {
	Kind        string
	Number      string
	Customer    int64
	Queue       string
	Origin      string
	Priority    int
	QueuedAt    time.Time
	Due, Until  time.Time
	MaxAttempts int
	RetryEvery  time.Duration
}

// workCommand is a work request as the engine loop takes (and logs) it.
type workCommand struct {
	Op     string `json:"op"` // enqueue, accept, skip, list
	Item   string `json:"item,omitempty"`
	Agent  string `json:"agent,omitempty"`
	Reason string `json:"reason,omitempty"`
	By     string `json:"by,omitempty"`
	Role   string `json:"role,omitempty"`
	// OnlyAgent, OnlyTeam narrow what the requester may act on or list.
	OnlyAgent string          `json:"only_agent,omitempty"`
	OnlyTeam  string          `json:"only_team,omitempty"`
	Enqueue   *EnqueueRequest `json:"enqueue,omitempty"`
}

// WorkItemView is an item as the API and the desk show it.
type WorkItemView struct {
	ID          string     `json:"id"`
	Kind        string     `json:"kind"`
	Number      string     `json:"number"`
	Customer    int64      `json:"customer_id,omitempty"`
	Queue       string     `json:"queue"`
	Origin      string     `json:"origin,omitempty"`
	State       string     `json:"state"`
	QueuedAt    time.Time  `json:"queued_at"`
	Due         time.Time  `json:"due"`
	Attempts    int        `json:"attempts"`
	MaxAttempts int        `json:"max_attempts"`
	Agent       string     `json:"agent,omitempty"`
	Call        string     `json:"call,omitempty"`
	Outcome     string     `json:"outcome,omitempty"`
	Reason      string     `json:"reason,omitempty"`
	ClosedAt    *time.Time `json:"closed_at,omitempty"`
}

// RefuseNotReserved: an accept or skip of an item not reserved for that
// agent (another took it, or it timed out): 409.
const RefuseNotReserved = "not_reserved"

// workDialer is what items need of the outbound calls.
type workDialer interface {
	dial(cmd dialCommand) (any, error)
}

// workItems holds the items and decides when each is offered.
type workItems struct {
	*effects
	cfg    *Config
	ids    IDs
	agents map[string]*agent
	roster *roster
	acd    *acd
	dialer workDialer

	items  map[string]*workItem // open, and the last closed ones
	closed []string             // closed IDs, oldest first, bounded
}

// keepClosed bounds the closed items kept for the list.
const keepClosed = 500

func newWorkItems(fx *effects, ids IDs, agents map[string]*agent, ro *roster, ac *acd, d workDialer) *workItems {
	return &workItems{effects: fx, ids: ids, agents: agents, roster: ro, acd: ac, dialer: d, items: map[string]*workItem{}}
}

func (w *workItems) command(cmd workCommand) (any, error) {
	switch cmd.Op {
	case "enqueue":
		return w.enqueue(cmd.Enqueue)
	case "accept":
		return w.accept(cmd)
	case "skip":
		return w.skip(cmd)
	case "list":
		return w.list(cmd), nil
	}
	return nil, &FieldError{Field: "op", Reason: "unknown work command " + cmd.Op}
}

// enqueue adds an item; it is offered at once if an agent is free.
func (w *workItems) enqueue(r *EnqueueRequest) (any, error) {
	if r == nil {
		return nil, &FieldError{Field: "enqueue", Reason: "is required"}
	}
	q := w.cfg.Queues[r.Queue]
	switch {
	case r.Kind != WorkCallback && r.Kind != WorkFollowUp:
		return nil, &FieldError{Field: "kind", Reason: "must be callback or follow_up"}
	case r.Number == "":
		return nil, &FieldError{Field: "number", Reason: "is required"}
	case q == nil:
		return nil, &FieldError{Field: "queue", Reason: "unknown queue " + strconv.Quote(r.Queue)}
	case r.MaxAttempts < 0 || r.RetryEvery < 0:
		return nil, &FieldError{Field: "max_attempts", Reason: "must not be negative"}
	}
	it := &workItem{
		id: w.ids("cb"), kind: r.Kind, number: r.Number, customer: r.Customer, queue: r.Queue,
		group: q.Callbacks.Group, origin: r.Origin, priority: r.Priority, queuedAt: r.QueuedAt,
		due: r.Due, until: r.Until, maxAttempts: r.MaxAttempts, retryEvery: r.RetryEvery, state: WorkWaiting,
	}
	if it.queuedAt.IsZero() {
		it.queuedAt = w.now
	}
	if it.due.IsZero() {
		it.due = w.now
	}
	if it.maxAttempts == 0 {
		it.maxAttempts = q.Callbacks.MaxAttempts
	}
	if it.retryEvery == 0 {
		it.retryEvery = q.Callbacks.RetryDelay.D()
	}
	w.items[it.id] = it
	qa, due, until := it.queuedAt, it.due, it.until
	d := WorkData{
		ID: it.id, Kind: it.kind, Number: it.number, Customer: it.customer, Queue: it.queue, Group: it.group,
		Origin: it.origin, Priority: it.priority, QueuedAt: &qa, Due: &due, MaxAttempts: it.maxAttempts,
		RetryEvery: Duration(it.retryEvery),
	}
	if !until.IsZero() {
		d.Until = &until
	}
	w.record(&Record{Type: EvWorkRequested, Queue: it.queue}, d)
	w.schedule(it)
	return w.view(it), nil
}

// schedule offers a waiting item now, or sets its due timer.
func (w *workItems) schedule(it *workItem) {
	if it.due.After(w.now) {
		w.setTimer(timerWorkDue(it), it.due.Sub(w.now))
		return
	}
	w.offerItem(it)
}

// due: a retry's delay passed.
func (w *workItems) dueTimer(id string) {
	if it := w.items[id]; it != nil && it.state == WorkWaiting {
		w.offerItem(it)
	}
}

// offerItem reserves the best free agent for a due waiting item, if any
// can take it and no waiting caller of theirs comes first.
func (w *workItems) offerItem(it *workItem) {
	if w.expired(it) {
		return
	}
	qs := w.acd.queues[it.queue]
	if qs == nil {
		return
	}
	var best *agent
	for _, a := range qs.members {
		if w.eligible(a, it) && (best == nil || a.idleSince.Before(best.idleSince)) {
			best = a
		}
	}
	if best != nil && !w.callFirst(best, it) {
		w.reserve(it, best)
	}
}

// agentReady is the roster's hook: a free agent takes the item or the
// waiting call that comes first, so a callback keeps its caller's place.
func (w *workItems) agentReady(a *agent) {
	if a.state != Ready {
		return
	}
	var best *workItem
	for _, id := range sortedKeys(w.items) {
		it := w.items[id]
		if it.state == WorkWaiting && !it.due.After(w.now) && w.eligible(a, it) && (best == nil || itemBefore(it, best)) {
			best = it
		}
	}
	if best != nil && !w.callFirst(a, best) && !w.expired(best) {
		w.reserve(best, a)
		return
	}
	w.acd.agentReady(a)
}

// distribute offers every due waiting item to a free agent (after a
// restart's resync or a bulk change).
func (w *workItems) distribute() {
	ids := sortedKeys(w.items)
	slices.SortStableFunc(ids, func(x, y string) int {
		if itemBefore(w.items[x], w.items[y]) {
			return -1
		}
		return 1
	})
	for _, id := range ids {
		if it := w.items[id]; it.state == WorkWaiting && !it.due.After(w.now) {
			w.offerItem(it)
		}
	}
}

// itemBefore orders items as the ACD orders callers: priority, then place.
func itemBefore(x, y *workItem) bool {
	if x.priority != y.priority {
		return x.priority > y.priority
	}
	if !x.queuedAt.Equal(y.queuedAt) {
		return x.queuedAt.Before(y.queuedAt)
	}
	return x.id < y.id
}

// callFirst: a caller waiting for a comes before the item.
func (w *workItems) callFirst(a *agent, it *workItem) bool {
	for _, c := range w.acd.waiting {
		if len(c.entry.offers) > 0 {
			continue
		}
		if _, why := w.acd.eligible(a, c); why != "" {
			continue
		}
		if c.entry.priority != it.priority {
			if c.entry.priority > it.priority {
				return true
			}
			continue
		}
		if c.entry.queuedAt.Before(it.queuedAt) {
			return true
		}
	}
	return false
}

func (w *workItems) eligible(a *agent, it *workItem) bool {
	if a.state != Ready || a.endpoint == "" || a.deviceDown || (a.chats > 0 && chatBlocksVoice(w.cfg)) {
		return false
	}
	if _, ok := a.penalty[it.queue]; !ok {
		return false
	}
	return !slices.Contains(it.skipped, a.id)
}

// expired closes an item whose window passed.
func (w *workItems) expired(it *workItem) bool {
	if it.until.IsZero() || !w.now.After(it.until) {
		return false
	}
	w.close(it, CloseWindowPassed)
	return true
}

func (w *workItems) reserve(it *workItem, a *agent) {
	it.state, it.agent = WorkReserved, a.id
	a.work = it.id
	w.roster.mustState(a, Reserved, "")
	w.record(&Record{Type: EvWorkReserved, AgentID: a.id, Queue: it.queue}, WorkData{ID: it.id, Agent: a.id})
	w.setTimer(timerWorkPreview(it), w.previewTimeout(it))
}

func (w *workItems) previewTimeout(it *workItem) time.Duration {
	if q := w.cfg.Queues[it.queue]; q != nil {
		return q.Callbacks.PreviewTimeout.D()
	}
	return DefaultCallbackPreviewTimeout.D()
}

// reservedFor is the item agent a sees the preview of, or dials.
func (w *workItems) reservedFor(cmd workCommand) (*workItem, *agent, error) {
	a := w.agents[cmd.Agent]
	if a == nil {
		return nil, nil, ErrUnknownAgent
	}
	if !inScope(a, cmd.OnlyAgent, cmd.OnlyTeam) {
		return nil, nil, ErrNotYourCall
	}
	it := w.items[cmd.Item]
	if it == nil {
		return nil, nil, ErrNoSuchItem
	}
	if it.state != WorkReserved || it.agent != a.id || a.work != it.id {
		return nil, nil, &PolicyError{Code: RefuseNotReserved, Message: "callback " + it.id + " is " + it.state + ", not reserved for " + a.id}
	}
	return it, a, nil
}

// accept: the agent takes the preview; the dial starts. A refusal of the
// dial (trunks down, outside hours) counts as an attempt.
func (w *workItems) accept(cmd workCommand) (any, error) {
	it, a, err := w.reservedFor(cmd)
	if err != nil {
		return nil, err
	}
	w.cancelTimer(timerWorkPreview(it))
	w.record(&Record{Type: EvWorkAccepted, AgentID: a.id, Queue: it.queue}, WorkData{ID: it.id, Agent: a.id})
	purpose := PurposeCallbacks
	if it.kind == WorkFollowUp {
		purpose = PurposeFollowUps
	}
	it.state = WorkDialling
	v, derr := w.dialer.dial(dialCommand{
		Op: "dial", Agent: a.id, Number: it.number, Purpose: purpose, Customer: it.customer, Ref: it.id,
		By: cmd.By, Role: cmd.Role, group: it.group, reserved: true,
	})
	if derr != nil {
		a.work = ""
		w.roster.free(a)
		w.ended(it, refusalOutcome(derr), "")
		return w.view(it), nil
	}
	it.call = v.(*DeskCall).ID
	return w.view(it), nil
}

// refusalOutcome names a refused dial's outcome.
func refusalOutcome(err error) string {
	if pe, ok := err.(*PolicyError); ok {
		return "refused:" + pe.Code
	}
	return "refused"
}

// skip: the agent passes the item on with a reason; it waits for another
// agent (never this one again) and keeps its place.
func (w *workItems) skip(cmd workCommand) (any, error) {
	if cmd.Reason == "" {
		return nil, &FieldError{Field: "reason", Reason: "is required"}
	}
	it, a, err := w.reservedFor(cmd)
	if err != nil {
		return nil, err
	}
	w.skipped(it, a, cmd.Reason)
	w.roster.free(a)
	if it.state == WorkWaiting {
		w.offerItem(it)
	}
	return w.view(it), nil
}

func (w *workItems) skipped(it *workItem, a *agent, reason string) {
	w.cancelTimer(timerWorkPreview(it))
	w.record(&Record{Type: EvWorkSkipped, AgentID: a.id, Queue: it.queue}, WorkData{ID: it.id, Agent: a.id, Reason: reason})
	it.skipped = append(it.skipped, a.id)
	it.state, it.agent = WorkWaiting, ""
	a.work = ""
}

// previewTimer: the agent neither accepted nor skipped in time: skipped
// for them, and they go not ready like an unanswered offer.
func (w *workItems) previewTimer(id string) {
	it := w.items[id]
	if it == nil || it.state != WorkReserved {
		return
	}
	a := w.agents[it.agent]
	if a == nil || a.work != it.id {
		it.state, it.agent = WorkWaiting, ""
		w.offerItem(it)
		return
	}
	w.skipped(it, a, "preview_timeout")
	w.roster.mustState(a, NotReady, "no_answer")
	w.offerItem(it)
}

// callConnected is the outbound hook: the item's customer answered.
func (w *workItems) callConnected(c *call) {
	it := w.items[c.out.ref]
	if it == nil || it.call != c.id {
		return
	}
	it.state = WorkConnected
	qa := it.queuedAt
	w.record(&Record{Type: EvWorkConnected, CallID: c.id, AgentID: it.agent, Queue: it.queue},
		WorkData{ID: it.id, Call: c.id, Agent: it.agent, QueuedAt: &qa})
}

// callEnded is the outbound hook: the item's call ended with outcome.
func (w *workItems) callEnded(c *call, outcome string) {
	it := w.items[c.out.ref]
	if it == nil || it.call != c.id {
		return
	}
	if a := w.agents[it.agent]; a != nil && a.work == it.id {
		a.work = ""
	}
	w.ended(it, outcome, c.id)
}

// ended applies the rule for a dial's outcome.
func (w *workItems) ended(it *workItem, outcome, callID string) {
	next, counted := afterDial(outcome)
	if outcome == OutcomeAgentMissed && it.agent != "" {
		it.skipped = append(it.skipped, it.agent) // their phone did not answer: someone else
	}
	if counted {
		it.attempts++
	}
	it.outcome, it.call = outcome, ""
	w.record(&Record{Type: EvWorkAttempt, CallID: callID, AgentID: it.agent, Queue: it.queue},
		WorkData{ID: it.id, Call: callID, Agent: it.agent, Attempt: it.attempts, Outcome: outcome})
	it.agent = ""
	switch {
	case next == CloseConnected:
		w.close(it, CloseConnected)
	case next == "retry" && it.attempts >= it.maxAttempts:
		w.close(it, CloseMaxAttempts)
	case next == "retry":
		w.requeue(it, w.now.Add(it.retryEvery))
	default: // the agent's side failed: the customer keeps the place
		w.requeue(it, w.now)
	}
}

// afterDial is the rule for a dial's outcome: what comes next (connected,
// retry, or requeue: the agent's side failed) and whether it counts as
// one of the customer's attempts.
func afterDial(outcome string) (next string, counted bool) {
	switch outcome {
	case OutcomeAnswered:
		return CloseConnected, true
	case OutcomeAgentMissed, OutcomeCancelled, "refused:" + RefuseAgentBusy, "refused:" + RefuseDeviceDown:
		return "requeue", false
	}
	// busy, no answer, rejected, every trunk failed, a refused dial.
	return "retry", true
}

func (w *workItems) requeue(it *workItem, due time.Time) {
	it.state, it.due = WorkWaiting, due
	d := due
	w.record(&Record{Type: EvWorkRequeued, Queue: it.queue}, WorkData{ID: it.id, Due: &d, Attempt: it.attempts})
	w.schedule(it)
}

func (w *workItems) close(it *workItem, reason string) {
	w.cancelTimer(timerWorkDue(it))
	w.cancelTimer(timerWorkPreview(it))
	it.state, it.reason, it.closedAt = WorkClosed, reason, w.now
	w.record(&Record{Type: EvWorkClosed, Queue: it.queue}, WorkData{ID: it.id, Reason: reason, Attempt: it.attempts, Outcome: it.outcome})
	w.closed = append(w.closed, it.id)
	if len(w.closed) > keepClosed {
		delete(w.items, w.closed[0])
		w.closed = w.closed[1:]
	}
}

// list is the items the requester may see: their agent's or team's
// queues (an agent member of it), or all.
func (w *workItems) list(cmd workCommand) []WorkItemView {
	out := []WorkItemView{}
	for _, id := range sortedKeys(w.items) {
		it := w.items[id]
		if cmd.OnlyAgent != "" || cmd.OnlyTeam != "" {
			if !w.queueInScope(it.queue, cmd.OnlyAgent, cmd.OnlyTeam) {
				continue
			}
		}
		out = append(out, w.view(it))
	}
	return out
}

// queueInScope: some agent in scope serves the queue.
func (w *workItems) queueInScope(queue, onlyAgent, onlyTeam string) bool {
	for _, a := range w.agents {
		if _, ok := a.penalty[queue]; ok && inScope(a, onlyAgent, onlyTeam) {
			return true
		}
	}
	return false
}

func (w *workItems) view(it *workItem) WorkItemView {
	v := WorkItemView{
		ID: it.id, Kind: it.kind, Number: it.number, Customer: it.customer, Queue: it.queue, Origin: it.origin,
		State: it.state, QueuedAt: it.queuedAt, Due: it.due, Attempts: it.attempts, MaxAttempts: it.maxAttempts,
		Agent: it.agent, Call: it.call, Outcome: it.outcome, Reason: it.reason,
	}
	if it.state == WorkClosed {
		t := it.closedAt
		v.ClosedAt = &t
	}
	return v
}

// previewOf is the item agent a is reserved for, if any.
func (w *workItems) previewOf(a *agent) *WorkItemView {
	it := w.items[a.work]
	if it == nil || it.state != WorkReserved || it.agent != a.id {
		return nil
	}
	v := w.view(it)
	return &v
}

// waitingIn counts a queue's open items not yet dialled, and the oldest
// place among them.
func (w *workItems) waitingIn(queue string) (n int, oldest time.Time) {
	for _, it := range w.items {
		if it.queue == queue && (it.state == WorkWaiting || it.state == WorkReserved) {
			n++
			if oldest.IsZero() || it.queuedAt.Before(oldest) {
				oldest = it.queuedAt
			}
		}
	}
	return n, oldest
}

func timerWorkDue(it *workItem) string     { return "workdue:" + it.id }
func timerWorkPreview(it *workItem) string { return "workpreview:" + it.id }

// Enqueue adds an outbound work item (see EnqueueRequest).
func (e *Engine) Enqueue(ctx context.Context, r EnqueueRequest) (WorkItemView, error) {
	v, err := e.doInput(ctx, workCommand{Op: "enqueue", Enqueue: &r})
	if err != nil {
		return WorkItemView{}, err
	}
	return v.(WorkItemView), nil
}

// WorkRequest is an agent's answer to a preview: accept, or skip with a
// reason. Scope narrows whose previews the requester may answer.
type WorkRequest struct {
	Item, Agent, Reason, By, Role string
	Scope                         Scope
}

// AcceptWork accepts agent's preview of r.Item: the dial starts.
// Errors: ErrUnknownAgent, ErrNotYourCall, ErrNoSuchItem,
// *PolicyError RefuseNotReserved.
func (e *Engine) AcceptWork(ctx context.Context, r WorkRequest) (WorkItemView, error) {
	return workDo(ctx, e, workCommand{Op: "accept", Item: r.Item, Agent: r.Agent, By: r.By, Role: r.Role,
		OnlyAgent: r.Scope.Agent, OnlyTeam: r.Scope.Team})
}

// SkipWork passes agent's preview of r.Item on with r.Reason (required).
func (e *Engine) SkipWork(ctx context.Context, r WorkRequest) (WorkItemView, error) {
	return workDo(ctx, e, workCommand{Op: "skip", Item: r.Item, Agent: r.Agent, Reason: r.Reason, By: r.By,
		OnlyAgent: r.Scope.Agent, OnlyTeam: r.Scope.Team})
}

// WorkItems lists the items in scope (open and recently closed).
func (e *Engine) WorkItems(ctx context.Context, scope Scope) ([]WorkItemView, error) {
	v, err := e.doInput(ctx, workCommand{Op: "list", OnlyAgent: scope.Agent, OnlyTeam: scope.Team})
	if err != nil {
		return nil, err
	}
	return v.([]WorkItemView), nil
}

func workDo(ctx context.Context, e *Engine, cmd workCommand) (WorkItemView, error) {
	v, err := e.doInput(ctx, cmd)
	if err != nil {
		return WorkItemView{}, err
	}
	return v.(WorkItemView), nil
}
