package routing

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Defaults of the keys a config leaves out.
//
// The rule: an explicit zero means zero. A config file is decoded over
// its defaults (NewConfig for the top level, each section type's
// UnmarshalYAML for queues, teams and steps), so a key the file leaves
// out keeps the default and a key it sets keeps the file's value, 0
// included; where 0 means nothing (a ring timeout of 0s), Validate
// rejects it naming the key. Defaults is for configs built in Go (tests,
// tools), where a zero field cannot say whether it was meant: it fills
// every zero field with its default. Configs from YAML never pass
// through it.
const (
	DefaultRingTimeout      = Duration(15 * time.Second)
	DefaultMaxWait          = Duration(10 * time.Minute)
	DefaultWrapUp           = Duration(10 * time.Second)
	DefaultWrapUpExtend     = Duration(30 * time.Second)
	DefaultSLWithin         = Duration(20 * time.Second)
	DefaultSLPercent        = 80
	DefaultSLWindow         = Duration(30 * time.Minute)
	DefaultSLMinCalls       = 10
	DefaultMenuTimeout      = Duration(5 * time.Second)
	DefaultMenuAttempts     = 3
	DefaultCollectTimeout   = Duration(5 * time.Second)
	DefaultTerminator       = "#"
	DefaultDirectoryLetters = 3
	DefaultDirectoryTimeout = Duration(5 * time.Second)
	DefaultDialTimeout      = Duration(20 * time.Second)
	DefaultSurveyTimeout    = Duration(5 * time.Second)
	DefaultMessageMax       = Duration(2 * time.Minute)
	DefaultReservationLease = Duration(5 * time.Second)
	DefaultWatchdog         = Duration(30 * time.Second)
)

// NewConfig is a config with every top-level default set and no flows,
// queues or agents: what a file is decoded over.
func NewConfig() Config {
	c := Config{
		Ordering:         OrderLongestWaiting,
		ReservationLease: DefaultReservationLease,
		Watchdog:         DefaultWatchdog,
		Login:            Login{SecondSignIn: LoginRefuse},
		NotReadyReasons:  defaultReasons(),
		Dispositions:     defaultDispositions(),
		Outbound:         newOutbound(),
		Chat:             newChatConfig(),
	}
	return c
}

// NewQueue is a queue with its defaults: longest idle first, 15s to
// answer, 10m of waiting, 10s of wrap-up (30s more once on request), 80%
// within 20s.
func NewQueue() Queue {
	return Queue{
		Strategy: StrategyLongestIdle, RingTimeout: DefaultRingTimeout, MaxWait: DefaultMaxWait,
		WrapUp: DefaultWrapUp, WrapUpExtend: DefaultWrapUpExtend, ServiceLevel: ServiceLevel{Percent: DefaultSLPercent, Within: DefaultSLWithin},
		Callbacks: QueueCallbacks{RetryDelay: DefaultCallbackRetryDelay, MaxAttempts: DefaultCallbackMaxAttempts, PreviewTimeout: DefaultCallbackPreviewTimeout},
	}
}

func defaultReasons() []Reason {
	var rs []Reason
	for _, code := range []string{"break", "meal", "training", "meeting", "after_call_work"} {
		rs = append(rs, Reason{Code: code})
	}
	return rs
}

// Defaults fills every zero field with its default, for configs built in
// Go (see the rule above); a config decoded from YAML already has them.
func (c *Config) Defaults() {
	for _, q := range c.Queues {
		if q != nil {
			q.defaults()
		}
	}
	for _, f := range c.Flows {
		if f == nil {
			continue
		}
		for _, n := range f.Nodes {
			if n != nil {
				n.defaults()
			}
		}
	}
	for _, g := range c.TrunkGroups {
		if g != nil {
			g.defaults()
		}
	}
	c.Outbound.defaults()
	c.Chat.defaults()
	d := NewConfig()
	if len(c.NotReadyReasons) == 0 {
		c.NotReadyReasons = d.NotReadyReasons
	}
	if len(c.Dispositions) == 0 {
		c.Dispositions = d.Dispositions
	}
	for i := range c.Dispositions {
		c.Dispositions[i].fillLabels()
	}
	fill(&c.Ordering, d.Ordering)
	fill(&c.ReservationLease, d.ReservationLease)
	fill(&c.Watchdog, d.Watchdog)
	fill(&c.Login.SecondSignIn, d.Login.SecondSignIn)
	for _, t := range c.Teams {
		if t != nil {
			fill(&t.Approval, ApprovalRefuse)
		}
	}
}

func (q *Queue) defaults() {
	d := NewQueue()
	fill(&q.Strategy, d.Strategy)
	fill(&q.RingTimeout, d.RingTimeout)
	fill(&q.MaxWait, d.MaxWait)
	fill(&q.WrapUp, d.WrapUp)
	fill(&q.WrapUpExtend, d.WrapUpExtend)
	fill(&q.Callbacks.RetryDelay, d.Callbacks.RetryDelay)
	fill(&q.Callbacks.MaxAttempts, d.Callbacks.MaxAttempts)
	fill(&q.Callbacks.PreviewTimeout, d.Callbacks.PreviewTimeout)
	fill(&q.ServiceLevel.Within, d.ServiceLevel.Within)
	fill(&q.ServiceLevel.Percent, d.ServiceLevel.Percent)
	if o := q.OverflowBelowSL; o != nil {
		fill(&o.Window, DefaultSLWindow)
		fill(&o.MinCalls, DefaultSLMinCalls)
	}
}

func (n *Node) defaults() {
	if m := n.Menu; m != nil {
		fill(&m.Timeout, DefaultMenuTimeout)
		fill(&m.Attempts, DefaultMenuAttempts)
	}
	if c := n.Collect; c != nil {
		fill(&c.Timeout, DefaultCollectTimeout)
		fill(&c.Terminator, DefaultTerminator)
	}
	if d := n.Directory; d != nil {
		fill(&d.Letters, DefaultDirectoryLetters)
		fill(&d.Timeout, DefaultDirectoryTimeout)
	}
	if n.Dial != nil {
		fill(&n.Dial.Timeout, DefaultDialTimeout)
	}
	if n.Survey != nil {
		fill(&n.Survey.Timeout, DefaultSurveyTimeout)
	}
	if n.Message != nil {
		fill(&n.Message.MaxDuration, DefaultMessageMax)
	}
}

func fill[T comparable](v *T, def T) {
	var zero T
	if *v == zero {
		*v = def
	}
}

// positive reports a zero where only a positive value means something
// (a negative one is reported as negative elsewhere).
func positive(key string, d Duration, bad func(key, format string, a ...any)) {
	if d == 0 {
		bad(key, "must be greater than 0")
	}
}

// Orderings of waiting callers, and login and approval policies.
const (
	OrderLongestWaiting = "longest_waiting"
	OrderSLRisk         = "sl_risk"
	LoginRefuse         = "refuse"
	LoginTakeOver       = "take_over"
	ApprovalRefuse      = "refuse"
	ApprovalLead        = "lead"
)

// Validate reports every problem in the config at once, each naming the
// key at fault (e.g. "flows.main.nodes.menu.menu.options.1").
func (c *Config) Validate() error {
	var errs []error
	bad := func(key, format string, a ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, a...)))
	}
	if len(c.Flows) == 0 {
		bad("flows", "at least one flow is required")
	}
	for _, num := range sortedKeys(c.Routes) {
		if _, ok := c.Flows[c.Routes[num]]; !ok {
			bad("routes."+num, "unknown flow %q", c.Routes[num])
		}
	}
	c.validateDirectory(bad)
	for _, name := range sortedKeys(c.Queues) {
		c.validateQueue(name, c.Queues[name], bad)
	}
	for _, name := range sortedKeys(c.Flows) {
		c.validateFlow(name, c.Flows[name], bad)
	}
	c.validateAgents(bad)
	c.validateRecording(bad)
	c.validateChat(bad)
	for _, name := range sortedKeys(c.Teams) {
		t := c.Teams[name]
		key := "teams." + name
		if t == nil {
			bad(key, "empty team")
			continue
		}
		if t.MinReady < 0 {
			bad(key+".min_ready", "must not be negative")
		}
		if t.Approval != ApprovalRefuse && t.Approval != ApprovalLead {
			bad(key+".approval", "%q is not %s or %s", t.Approval, ApprovalRefuse, ApprovalLead)
		}
	}
	seenReason := map[string]bool{}
	for i, r := range c.NotReadyReasons {
		key := fmt.Sprintf("not_ready_reasons[%d]", i)
		switch {
		case r.Code == "":
			bad(key+".code", "required")
		case seenReason[r.Code]:
			bad(key+".code", "duplicate reason %q", r.Code)
		}
		seenReason[r.Code] = true
		if r.Allowance < 0 {
			bad(key+".allowance", "must not be negative")
		}
	}
	c.validateDispositions(bad)
	c.validateTrunks(bad)
	c.validatePhones(bad)
	if c.Ordering != OrderLongestWaiting && c.Ordering != OrderSLRisk {
		bad("ordering", "%q is not %s or %s", c.Ordering, OrderLongestWaiting, OrderSLRisk)
	}
	if c.Login.SecondSignIn != LoginRefuse && c.Login.SecondSignIn != LoginTakeOver {
		bad("login.second_sign_in", "%q is not %s or %s", c.Login.SecondSignIn, LoginRefuse, LoginTakeOver)
	}
	if c.ReservationLease < 0 {
		bad("reservation_lease", "must not be negative")
	}
	positive("reservation_lease", c.ReservationLease, bad)
	if c.Watchdog == 0 {
		bad("watchdog", "must not be 0 (a negative value turns the watchdog off)")
	}
	return errors.Join(errs...)
}

func (c *Config) validateQueue(name string, q *Queue, bad func(key, format string, a ...any)) {
	key := "queues." + name
	if q == nil {
		bad(key, "empty queue")
		return
	}
	if !slices.Contains(Strategies, q.Strategy) {
		bad(key+".strategy", "unknown strategy %q (one of %v)", q.Strategy, Strategies)
	}
	for k, d := range map[string]Duration{"max_wait": q.MaxWait, "ring_timeout": q.RingTimeout, "wrap_up": q.WrapUp, "wrap_up_extend": q.WrapUpExtend, "service_level.within": q.ServiceLevel.Within} {
		if d < 0 {
			bad(key+"."+k, "must not be negative")
		}
	}
	for k, d := range map[string]Duration{"max_wait": q.MaxWait, "ring_timeout": q.RingTimeout, "service_level.within": q.ServiceLevel.Within} {
		positive(key+"."+k, d, bad)
	}
	if q.MaxLength < 0 {
		bad(key+".max_length", "must not be negative")
	}
	if p := q.ServiceLevel.Percent; p < 0 || p > 100 {
		bad(key+".service_level.percent", "must be 0-100")
	}
	c.validateTarget(key+".on_full", name, q.OnFull, bad)
	c.validateQueueCallbacks(key+".callbacks", &q.Callbacks, bad)
	validateHold(key, q, bad)
	if o := q.OverflowBelowSL; o != nil {
		if o.Below <= 0 || o.Below > 100 {
			bad(key+".overflow_below_sl.below", "must be 1-100")
		}
		if o.Window < 0 {
			bad(key+".overflow_below_sl.window", "must not be negative")
		}
		positive(key+".overflow_below_sl.window", o.Window, bad)
		if o.MinCalls < 0 {
			bad(key+".overflow_below_sl.min_calls", "must not be negative")
		}
		c.validateTarget(key+".overflow_below_sl.to", name, &o.To, bad)
	}
	var last Duration = -1
	for i, st := range q.Escalation {
		sk := fmt.Sprintf("%s.escalation[%d]", key, i)
		if st.After <= last {
			bad(sk+".after", "must be later than the step before")
		}
		last = st.After
		if st.Skills == nil && st.MaxPenalty == nil && len(st.AddQueues) == 0 && st.Overflow == nil {
			bad(sk, "does nothing: set skills, max_penalty, add_queues or overflow")
		}
		for j, aq := range st.AddQueues {
			if _, ok := c.Queues[aq]; !ok || aq == name {
				bad(fmt.Sprintf("%s.add_queues[%d]", sk, j), "unknown or same queue %q", aq)
			}
		}
		c.validateTarget(sk+".overflow", name, st.Overflow, bad)
	}
}

// validateTarget checks an overflow target: a queue other than from, or a
// node every flow that queues to from has.
func (c *Config) validateTarget(key, from string, t *Target, bad func(key, format string, a ...any)) {
	if t == nil {
		return
	}
	switch {
	case (t.Queue == "") == (t.Node == ""):
		bad(key, "set exactly one of queue, node")
	case t.Queue != "":
		if _, ok := c.Queues[t.Queue]; !ok || t.Queue == from {
			bad(key+".queue", "unknown or same queue %q", t.Queue)
		}
	default:
		for _, fn := range sortedKeys(c.Flows) {
			f := c.Flows[fn]
			if f == nil || !flowUsesQueue(f, from) {
				continue
			}
			if _, ok := f.Nodes[t.Node]; !ok {
				bad(key+".node", "flow %q, which queues to %q, has no node %q", fn, from, t.Node)
			}
		}
	}
}

func flowUsesQueue(f *Flow, queue string) bool {
	for _, n := range f.Nodes {
		if n != nil && n.Queue != nil && n.Queue.Queue == queue {
			return true
		}
	}
	return false
}

func (c *Config) validateAgents(bad func(key, format string, a ...any)) {
	seen := map[string]bool{}
	for i, a := range c.Agents {
		key := fmt.Sprintf("agents[%d]", i)
		switch {
		case a.ID == "":
			bad(key+".id", "required")
		case seen[a.ID]:
			bad(key+".id", "duplicate agent %q", a.ID)
		}
		seen[a.ID] = true
		if a.Endpoint != "" && !validEndpoint(a.Endpoint) {
			bad(key+".endpoint", "%q is not TECH/resource (e.g. PJSIP/1001)", a.Endpoint)
		}
		served := map[string]bool{}
		for j, m := range a.Queues {
			if _, ok := c.Queues[m.Queue]; !ok {
				bad(fmt.Sprintf("%s.queues[%d]", key, j), "unknown queue %q", m.Queue)
			}
			if served[m.Queue] {
				bad(fmt.Sprintf("%s.queues[%d]", key, j), "queue %q listed twice", m.Queue)
			}
			served[m.Queue] = true
			if m.Penalty < 0 {
				bad(fmt.Sprintf("%s.queues[%d].penalty", key, j), "must not be negative")
			}
		}
		for _, sk := range sortedKeys(a.Skills) {
			if lv := a.Skills[sk]; lv < 1 || lv > 10 {
				bad(key+".skills."+sk, "level %d is not 1-10", lv)
			}
		}
		if a.Team != "" {
			if _, ok := c.Teams[a.Team]; !ok {
				bad(key+".team", "unknown team %q", a.Team)
			}
		}
		if a.WrapUp != nil && *a.WrapUp < 0 {
			bad(key+".wrap_up", "must not be negative")
		}
	}
}

// defaultDispositions are the wrap-up codes used when the config has none.
func defaultDispositions() []Disposition {
	return []Disposition{
		{Code: "resolved", Zh: "已解决", En: "Resolved"},
		{Code: "callback", Zh: "需回电", En: "Call back", FollowUp: true},
		{Code: "complaint", Zh: "投诉", En: "Complaint", FollowUp: true},
		{Code: "info", Zh: "咨询", En: "Information"},
		{Code: "wrong_number", Zh: "打错电话", En: "Wrong number"},
	}
}

// maxLabel bounds a disposition's label; codes are short identifiers.
const (
	maxLabel = 100
	maxCode  = 40
)

func (c *Config) validateDispositions(bad func(key, format string, a ...any)) {
	seen := map[string]bool{}
	for i, d := range c.Dispositions {
		key := fmt.Sprintf("dispositions[%d]", i)
		switch {
		case d.Code == "":
			bad(key+".code", "required")
		case !validCode(d.Code):
			bad(key+".code", "%q must be 1-%d of a-z, 0-9, _ and -", d.Code, maxCode)
		case seen[d.Code]:
			bad(key+".code", "duplicate disposition %q", d.Code)
		}
		seen[d.Code] = true
		if len(d.Zh) > maxLabel {
			bad(key+".zh", "longer than %d bytes", maxLabel)
		}
		if len(d.En) > maxLabel {
			bad(key+".en", "longer than %d bytes", maxLabel)
		}
	}
}

func validCode(s string) bool {
	if s == "" || len(s) > maxCode {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// validateQueueCallbackOffer: the digit and the callback step go together.
func (c *Config) validateQueueCallbackOffer(key string, q *QueueNode, f *Flow, ref func(k, node string, optional bool), bad func(key, format string, a ...any)) {
	switch {
	case q.CallbackDigit == "" && q.OnCallback == "":
		return
	case len(q.CallbackDigit) != 1 || !strings.Contains("0123456789*#", q.CallbackDigit):
		bad(key+".callback_digit", "must be one DTMF digit 0-9, * or #")
	}
	if q.OnCallback == "" {
		bad(key+".on_callback", "is required with callback_digit: a callback step")
		return
	}
	ref(key+".on_callback", q.OnCallback, false)
	if n := f.Nodes[q.OnCallback]; n != nil && n.Callback == nil {
		bad(key+".on_callback", "node %q is not a callback step", q.OnCallback)
	}
}

func (c *Config) validateQueueCallbacks(key string, cb *QueueCallbacks, bad func(key, format string, a ...any)) {
	if cb.Group != "" && c.TrunkGroups[cb.Group] == nil {
		bad(key+".group", "unknown trunk group %q", cb.Group)
	}
	if cb.RetryDelay <= 0 {
		bad(key+".retry_delay", "must be greater than 0")
	}
	if cb.PreviewTimeout <= 0 {
		bad(key+".preview_timeout", "must be greater than 0")
	}
	if cb.MaxAttempts < 1 || cb.MaxAttempts > 20 {
		bad(key+".max_attempts", "must be 1-20")
	}
}
