package routing

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Trunk groups and the outbound rules: which trunks a call to a customer
// may go out through, in what order, and what may be dialled at all.

// Trunk is a trunk as routing needs it: its name (dialplan.trunks[].name,
// what pbx.Originate.Trunk names) and its limits. config/load.go fills
// Config.Trunks from dialplan.trunks; the PBX side of a trunk is the
// dialplan's business.
type Trunk struct {
	Name string
	// MaxChannels caps the simultaneous calls through the trunk (0 = none):
	// a group skips a trunk at its cap without dialling it.
	MaxChannels int
	// CallerID is the number the trunk presents, when it must be its own.
	CallerID string
}

// TrunkGroup is an ordered set of trunks a call goes out through: the
// first usable member is dialled, and a carrier's failure moves the same
// attempt on to the next at once.
type TrunkGroup struct {
	// Order: priority (lowest priority first, then config order),
	// round_robin (rotating start, per group), weight (a deterministic
	// rotation in proportion to the weights).
	Order   string        `yaml:"order"`
	Members []TrunkMember `yaml:"members"`
	// InviteTimeout: no ringing (1xx) from the trunk in this long is the
	// carrier's failure: the leg is hung up and the next trunk tried.
	InviteTimeout Duration `yaml:"invite_timeout"`
	// RingTimeout: the callee's phone rings this long before the attempt
	// ends as no answer (the callee's, no failover).
	RingTimeout Duration `yaml:"ring_timeout"`
	// MaxCalls caps the group's simultaneous calls (0 = no cap).
	MaxCalls int `yaml:"max_calls"`
	// CallerID overrides outbound.caller_id for calls through the group.
	CallerID string `yaml:"caller_id"`
}

// TrunkMember is one trunk of a group.
type TrunkMember struct {
	Trunk    string `yaml:"trunk" json:"trunk"`
	Priority int    `yaml:"priority" json:"priority"`
	// Weight is the member's share under order: weight (default 1; 0 is
	// used only when no weighted member is usable).
	Weight int `yaml:"weight" json:"weight"`
}

// Outbound is what may be dialled, through which group, and when.
type Outbound struct {
	// The trunk group per purpose: agents' click-to-dial, callbacks,
	// follow-ups, and calls made for a queue.
	Manual    string            `yaml:"manual"`
	Callbacks string            `yaml:"callbacks"`
	FollowUps string            `yaml:"follow_ups"`
	Queues    map[string]string `yaml:"queues"`
	// CallerID is presented when neither the group nor the trunk sets one.
	CallerID string `yaml:"caller_id"`
	// Hours names a calendar per purpose; outside it nothing is dialled.
	Hours     OutboundHours `yaml:"hours"`
	DoNotCall []string      `yaml:"do_not_call"`
	Numbers   NumberPlan    `yaml:"numbers"`
	// RestrictedPrefixes are numbers only some roles may dial.
	RestrictedPrefixes []RestrictedPrefix `yaml:"restricted_prefixes"`
	// DownAfter consecutive carrier failures mark a trunk down.
	DownAfter int `yaml:"down_after"`
	// ProbeAfter is how long a down trunk is skipped before one call is
	// tried through it again.
	ProbeAfter Duration `yaml:"probe_after"`
}

// OutboundHours names the calendar each purpose may dial in ("" = always).
type OutboundHours struct {
	Manual    string `yaml:"manual"`
	Callbacks string `yaml:"callbacks"`
	FollowUps string `yaml:"follow_ups"`
}

// NumberPlan says how dialled numbers are read. With CountryCode set,
// numbers become E.164 (+CC…): a leading InternationalPrefix is "+", a
// leading NationalPrefix is "+CC", any other number is national. Without
// it numbers stay as dialled (a national plan).
type NumberPlan struct {
	CountryCode         string `yaml:"country_code"`
	NationalPrefix      string `yaml:"national_prefix"`
	InternationalPrefix string `yaml:"international_prefix"`
	MinDigits           int    `yaml:"min_digits"`
	MaxDigits           int    `yaml:"max_digits"`
}

// RestrictedPrefix is a number range only Roles may dial. Prefix is
// matched against the normalised number ("+86900"); a why: international
// rule matches only numbers outside the plan's country code.
type RestrictedPrefix struct {
	Prefix string   `yaml:"prefix"`
	Why    string   `yaml:"why"` // premium or international
	Roles  []string `yaml:"roles"`
}

// Trunk group orders, outbound purposes and restriction reasons.
const (
	OrderPriority   = "priority"
	OrderRoundRobin = "round_robin"
	OrderWeight     = "weight"

	PurposeManual    = "manual"
	PurposeCallbacks = "callbacks"
	PurposeFollowUps = "follow_ups"

	WhyPremium       = "premium"
	WhyInternational = "international"
)

// Defaults of the trunk and outbound keys a config leaves out.
const (
	DefaultInviteTimeout = Duration(5 * time.Second)
	DefaultOutRingTime   = Duration(30 * time.Second)
	DefaultDownAfter     = 3
	DefaultProbeAfter    = Duration(30 * time.Second)
	DefaultMinDigits     = 3
	DefaultMaxDigits     = 15
)

func newOutbound() Outbound {
	return Outbound{
		DownAfter: DefaultDownAfter, ProbeAfter: DefaultProbeAfter,
		Numbers: NumberPlan{MinDigits: DefaultMinDigits, MaxDigits: DefaultMaxDigits},
	}
}

// NewTrunkGroup is a group with its defaults: priority order, 5s for the
// carrier to answer the INVITE, 30s of ringing, no cap.
func NewTrunkGroup() TrunkGroup {
	return TrunkGroup{Order: OrderPriority, InviteTimeout: DefaultInviteTimeout, RingTimeout: DefaultOutRingTime}
}

// UnmarshalYAML decodes a trunk group over its defaults.
func (g *TrunkGroup) UnmarshalYAML(n *yaml.Node) error {
	*g = NewTrunkGroup()
	type plain TrunkGroup
	return decodeKnown(n, (*plain)(g), "routing.TrunkGroup")
}

// UnmarshalYAML decodes a member over its defaults (weight 1).
func (m *TrunkMember) UnmarshalYAML(n *yaml.Node) error {
	*m = TrunkMember{Weight: 1}
	type plain TrunkMember
	return decodeKnown(n, (*plain)(m), "routing.TrunkMember")
}

func (g *TrunkGroup) defaults() {
	d := NewTrunkGroup()
	fill(&g.Order, d.Order)
	fill(&g.InviteTimeout, d.InviteTimeout)
	fill(&g.RingTimeout, d.RingTimeout)
}

func (o *Outbound) defaults() {
	d := newOutbound()
	fill(&o.DownAfter, d.DownAfter)
	fill(&o.ProbeAfter, d.ProbeAfter)
	fill(&o.Numbers.MinDigits, d.Numbers.MinDigits)
	fill(&o.Numbers.MaxDigits, d.Numbers.MaxDigits)
}

// GroupFor is the trunk group a purpose dials through ("" = none).
func (o *Outbound) GroupFor(purpose, queue string) string {
	switch purpose {
	case PurposeManual:
		return o.Manual
	case PurposeCallbacks:
		return o.Callbacks
	case PurposeFollowUps:
		return o.FollowUps
	}
	return o.Queues[queue]
}

// HoursFor is the calendar a purpose dials in ("" = always).
func (o *Outbound) HoursFor(purpose string) string {
	switch purpose {
	case PurposeManual:
		return o.Hours.Manual
	case PurposeCallbacks:
		return o.Hours.Callbacks
	case PurposeFollowUps:
		return o.Hours.FollowUps
	}
	return ""
}

func (c *Config) trunk(name string) *Trunk {
	for i := range c.Trunks {
		if c.Trunks[i].Name == name {
			return &c.Trunks[i]
		}
	}
	return nil
}

func (c *Config) validateTrunks(bad func(key, format string, a ...any)) {
	for _, name := range sortedKeys(c.TrunkGroups) {
		key := "trunk_groups." + name
		g := c.TrunkGroups[name]
		if g == nil {
			bad(key, "empty trunk group")
			continue
		}
		if !slices.Contains([]string{OrderPriority, OrderRoundRobin, OrderWeight}, g.Order) {
			bad(key+".order", "%q is not %s, %s or %s", g.Order, OrderPriority, OrderRoundRobin, OrderWeight)
		}
		if len(g.Members) == 0 {
			bad(key+".members", "at least one trunk is required")
		}
		seen := map[string]bool{}
		for i, m := range g.Members {
			mk := fmt.Sprintf("%s.members[%d]", key, i)
			switch {
			case m.Trunk == "":
				bad(mk+".trunk", "required")
			case c.trunk(m.Trunk) == nil:
				bad(mk+".trunk", "unknown trunk %q (not in dialplan.trunks)", m.Trunk)
			case seen[m.Trunk]:
				bad(mk+".trunk", "trunk %q listed twice", m.Trunk)
			}
			seen[m.Trunk] = true
			if m.Weight < 0 {
				bad(mk+".weight", "must not be negative")
			}
			if m.Priority < 0 {
				bad(mk+".priority", "must not be negative")
			}
		}
		if g.InviteTimeout < 0 {
			bad(key+".invite_timeout", "must not be negative")
		}
		positive(key+".invite_timeout", g.InviteTimeout, bad)
		if g.RingTimeout < 0 {
			bad(key+".ring_timeout", "must not be negative")
		}
		positive(key+".ring_timeout", g.RingTimeout, bad)
		if g.MaxCalls < 0 {
			bad(key+".max_calls", "must not be negative")
		}
	}
	o := &c.Outbound
	group := func(key, name string) {
		if name != "" && c.TrunkGroups[name] == nil {
			bad(key, "unknown trunk group %q", name)
		}
	}
	group("outbound.manual", o.Manual)
	group("outbound.callbacks", o.Callbacks)
	group("outbound.follow_ups", o.FollowUps)
	for _, q := range sortedKeys(o.Queues) {
		if c.Queues[q] == nil {
			bad("outbound.queues."+q, "unknown queue %q", q)
		}
		group("outbound.queues."+q, o.Queues[q])
	}
	for k, cal := range map[string]string{"manual": o.Hours.Manual, "callbacks": o.Hours.Callbacks, "follow_ups": o.Hours.FollowUps} {
		if cal != "" && c.Calendars[cal] == nil {
			bad("outbound.hours."+k, "unknown calendar %q", cal)
		}
	}
	p := o.Numbers
	if p.MinDigits < 1 {
		bad("outbound.numbers.min_digits", "must be at least 1")
	}
	if p.MaxDigits < p.MinDigits || p.MaxDigits > 20 {
		bad("outbound.numbers.max_digits", "must be from min_digits (%d) to 20", p.MinDigits)
	}
	for k, v := range map[string]string{"country_code": p.CountryCode, "national_prefix": p.NationalPrefix, "international_prefix": p.InternationalPrefix} {
		if strings.Trim(v, "0123456789") != "" {
			bad("outbound.numbers."+k, "%q must be digits", v)
		}
	}
	for i, n := range o.DoNotCall {
		if _, err := p.Normalise(n); err != nil {
			bad(fmt.Sprintf("outbound.do_not_call[%d]", i), "%q: %s", n, err.Reason)
		}
	}
	for i, r := range o.RestrictedPrefixes {
		key := fmt.Sprintf("outbound.restricted_prefixes[%d]", i)
		if r.Prefix == "" || strings.Trim(strings.TrimPrefix(r.Prefix, "+"), "0123456789") != "" {
			bad(key+".prefix", "%q must be digits with an optional leading +", r.Prefix)
		}
		if r.Why != WhyPremium && r.Why != WhyInternational {
			bad(key+".why", "%q is not %s or %s", r.Why, WhyPremium, WhyInternational)
		}
	}
	if o.DownAfter < 1 {
		bad("outbound.down_after", "must be at least 1")
	}
	if o.ProbeAfter < 0 {
		bad("outbound.probe_after", "must not be negative")
	}
	positive("outbound.probe_after", o.ProbeAfter, bad)
}
