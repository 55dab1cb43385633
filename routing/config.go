package routing

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Config is what the engine routes by: flows, queues and agents.
type Config struct {
	// Routes maps a dialled number to a flow; "default" catches the rest.
	Routes map[string]string `yaml:"routes"`
	Flows  map[string]*Flow  `yaml:"flows"`
	Queues map[string]*Queue `yaml:"queues"`
	Agents []AgentConfig     `yaml:"agents"`
	Teams  map[string]*Team  `yaml:"teams"`
	// NotReadyReasons are the reason codes an agent may give, each with an
	// optional allowance ("break" or {code: break, allowance: 15m}).
	NotReadyReasons []Reason `yaml:"not_ready_reasons"`
	// Dispositions are the outcome codes an agent gives a call at wrap-up
	// ("resolved" or {code: callback, zh: 需回电, en: Call back, follow_up: true}).
	Dispositions []Disposition `yaml:"dispositions"`
	Priority     Priority      `yaml:"priority"`
	Login        Login         `yaml:"login"`
	// Ordering picks among callers waiting for the same free agent, across
	// all the queues it serves: longest_waiting or sl_risk (the caller
	// closest to breaching their queue's service-level threshold).
	Ordering string `yaml:"ordering"`
	// ReservationLease is how long the PBX has to confirm an offer (the
	// phone rings) before the reservation is released.
	ReservationLease Duration `yaml:"reservation_lease"`
	// Watchdog is how often agent state is checked against the PBX's live
	// channels (default 30s; negative = never; 0 is an error).
	Watchdog Duration `yaml:"watchdog"`
	// Calendars are business hours that time steps of flows consult.
	Calendars map[string]*Calendar `yaml:"calendars"`
	// SharedPhones are the phones (hot desks, supervisors' desk phones)
	// anyone may sign in or listen on, besides each agent's own endpoint
	// (phones.go).
	SharedPhones []string `yaml:"shared_phones"`
	// Extensions are the people and offices a flow can dial by number.
	Extensions map[string]*Extension `yaml:"extensions"`
	// TrunkGroups are ordered trunks calls go out through (config_trunks.go).
	TrunkGroups map[string]*TrunkGroup `yaml:"trunk_groups"`
	// Outbound is what may be dialled, through which group, and when.
	Outbound Outbound `yaml:"outbound"`
	// Recording is which calls are recorded (recording_policy.go).
	Recording RecordingConfig `yaml:"recording"`
	// Chat is how chats are routed beside calls (chat.go).
	Chat ChatConfig `yaml:"chat"`
	// Trunks are the trunks declared in dialplan.trunks, as routing needs
	// them; config/load.go fills them in.
	Trunks []Trunk `yaml:"-"`
}

// Extension is a phone a caller can be put through to.
type Extension struct {
	Endpoint   string `yaml:"endpoint"` // e.g. PJSIP/1004
	Name       string `yaml:"name"`
	Department string `yaml:"department"`
	// Screen: the caller records their name and reason first; the person
	// hears it and presses 1 to take the call or 2 to decline.
	Screen bool `yaml:"screen"`
	// Spell is the name as spelled on a keypad for the dial-by-name
	// directory (e.g. "zhang wei" for 张伟); default Name.
	Spell string `yaml:"spell"`
}

// Reason is a not-ready reason code.
type Reason struct {
	Code string `yaml:"code"`
	// Allowance is how long one episode may last before an alert (0 = none).
	Allowance Duration `yaml:"allowance"`
}

// UnmarshalYAML takes "break" or {code: break, allowance: 15m}.
func (r *Reason) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		r.Code = n.Value
		return nil
	}
	type plain Reason
	return decodeKnown(n, (*plain)(r), "routing.Reason")
}

// Disposition is an outcome code an agent gives a call at wrap-up, with
// its labels for the desk page.
type Disposition struct {
	Code string `yaml:"code" json:"code"`
	Zh   string `yaml:"zh" json:"zh"`
	En   string `yaml:"en" json:"en"`
	// FollowUp is the "follow-up needed" box's default for this code.
	FollowUp bool `yaml:"follow_up" json:"follow_up"`
}

// UnmarshalYAML takes "resolved" or {code: resolved, zh: 已解决, en: Resolved};
// a label left out is the code.
func (d *Disposition) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		d.Code = n.Value
	} else {
		type plain Disposition
		if err := decodeKnown(n, (*plain)(d), "routing.Disposition"); err != nil {
			return err
		}
	}
	d.fillLabels()
	return nil
}

func (d *Disposition) fillLabels() {
	if d.Zh == "" {
		d.Zh = d.Code
	}
	if d.En == "" {
		d.En = d.Code
	}
}

// Team groups agents under a lead, with a floor on how many stay ready.
type Team struct {
	Name string `yaml:"name"`
	// MinReady is the least number of members who must stay working
	// (ready, or busy with a call); a not-ready request that would break
	// it is refused, or waits for the lead when Approval is "lead".
	MinReady int    `yaml:"min_ready"`
	Approval string `yaml:"approval"` // refuse (default) | lead
	// Chat is how many chats each member holds at once unless they say
	// otherwise (nil: chat.capacity).
	Chat *int `yaml:"chat"`
}

// Priority raises callers ahead of others in the same queues.
type Priority struct {
	VIPNumbers   []string `yaml:"vip_numbers"`
	VIP          int      `yaml:"vip"`           // added for a VIP number
	RepeatWithin Duration `yaml:"repeat_within"` // a caller calling again within this
	Repeat       int      `yaml:"repeat"`        // gets this added
}

// Login says what a second sign-in of the same agent does.
type Login struct {
	SecondSignIn string `yaml:"second_sign_in"` // refuse (default) | take_over
}

// Flow is an IVR call flow: named nodes, entered at Start.
type Flow struct {
	Start string           `yaml:"start"`
	Nodes map[string]*Node `yaml:"nodes"`
	// Recording is the recording policy of the flow's calls where their
	// queue has none of its own (before recording.inbound).
	Recording *RecordingPolicy `yaml:"recording,omitempty" json:",omitempty"`
}

// Node is one step of a flow. Exactly one of Play, Menu, Queue, Hangup is set.
type Node struct {
	Play      *PlayNode      `yaml:"play"`
	Menu      *MenuNode      `yaml:"menu"`
	Queue     *QueueNode     `yaml:"queue"`
	Hangup    *struct{}      `yaml:"hangup"`
	Time      *TimeNode      `yaml:"time"`
	Collect   *CollectNode   `yaml:"collect"`
	Set       *SetNode       `yaml:"set"`
	Goto      *GotoNode      `yaml:"goto"`
	Dial      *DialNode      `yaml:"dial"`
	Message   *MessageNode   `yaml:"message"`
	Survey    *SurveyNode    `yaml:"survey"`
	Callback  *CallbackNode  `yaml:"callback"`
	Directory *DirectoryNode `yaml:"directory"`
}

// DirectoryNode is dial-by-name: the caller keys the first Letters letters
// of a name (2=ABC … 9=WXYZ); the matching extension (the lowest number if
// several match, or only those of Department) goes into variable Var and
// the call continues at Next (typically a dial step on "${Var}").
type DirectoryNode struct {
	Prompt     []string `yaml:"prompt"`
	Letters    int      `yaml:"letters"`
	Department string   `yaml:"department"`
	Timeout    Duration `yaml:"timeout"`
	Var        string   `yaml:"var"`
	Next       string   `yaml:"next"`
	OnNoMatch  string   `yaml:"on_no_match"`
}

// TimeNode branches on a calendar: Open during business hours (day mode),
// Closed outside them (night mode). A supervisor can force either mode.
type TimeNode struct {
	Calendar string `yaml:"calendar"`
	Open     string `yaml:"open"`
	Closed   string `yaml:"closed"`
}

// CollectNode collects Min..Max digits into variable Var: it ends at Max
// digits, the Terminator, or Timeout without a digit.
type CollectNode struct {
	Prompt     []string `yaml:"prompt"`
	Min        int      `yaml:"min"`
	Max        int      `yaml:"max"`
	Terminator string   `yaml:"terminator"` // default #
	Timeout    Duration `yaml:"timeout"`
	Var        string   `yaml:"var"`
	Next       string   `yaml:"next"`
	// OnTimeout is taken when fewer than Min digits came.
	OnTimeout string `yaml:"on_timeout"`
}

// SetNode sets a call variable (${name} in Value is expanded).
type SetNode struct {
	Var   string `yaml:"var"`
	Value string `yaml:"value"`
	Next  string `yaml:"next"`
}

// GotoNode continues in another flow, at Node or its start.
type GotoNode struct {
	Flow string `yaml:"flow"`
	Node string `yaml:"node"`
}

// DialNode puts the caller through to an extension ("8001", or "${var}"
// after a collect step). Busy, no answer, an unknown number and a declined
// screened call each take their own branch.
type DialNode struct {
	Extension  string   `yaml:"extension"`
	Timeout    Duration `yaml:"timeout"`
	OnBusy     string   `yaml:"on_busy"`
	OnNoAnswer string   `yaml:"on_no_answer"`
	OnUnknown  string   `yaml:"on_unknown"`
	OnDecline  string   `yaml:"on_decline"`
	// ScreenPrompt asks the caller for their name and reason; AcceptPrompt
	// tells the person called to press 1 to take it, 2 to decline.
	ScreenPrompt []string `yaml:"screen_prompt"`
	AcceptPrompt []string `yaml:"accept_prompt"`
}

// MessageNode records a message (留言) for Target (an extension, an agent
// or a group; "${target}" is the extension last dialled).
type MessageNode struct {
	Prompt      []string `yaml:"prompt"`
	Target      string   `yaml:"target"`
	MaxDuration Duration `yaml:"max_duration"`
	Next        string   `yaml:"next"`
}

// SurveyNode asks for a satisfaction score, one digit 1-5.
type SurveyNode struct {
	Prompt  []string `yaml:"prompt"`
	Timeout Duration `yaml:"timeout"`
	Thanks  []string `yaml:"thanks"`
	Next    string   `yaml:"next"`
}

// QueueCallbacks are a queue's callback settings. Group "" dials
// through outbound.callbacks.
type QueueCallbacks struct {
	Group          string   `yaml:"group"`
	RetryDelay     Duration `yaml:"retry_delay"`
	MaxAttempts    int      `yaml:"max_attempts"`
	PreviewTimeout Duration `yaml:"preview_timeout"`
}

// Callback defaults.
const (
	DefaultCallbackRetryDelay     = Duration(5 * time.Minute)
	DefaultCallbackMaxAttempts    = 3
	DefaultCallbackPreviewTimeout = Duration(60 * time.Second)
)

// CallbackNode takes a callback request instead of waiting (the caller's
// number, or ${var}) and confirms it.
type CallbackNode struct {
	Number string   `yaml:"number"`
	Queue  string   `yaml:"queue"`
	Prompt []string `yaml:"prompt"`
	Next   string   `yaml:"next"`
}

// PlayNode plays media, then goes to Next (hangs up if empty).
type PlayNode struct {
	Media []string `yaml:"media"`
	Next  string   `yaml:"next"`
}

// MenuNode plays Prompt and waits for one digit.
type MenuNode struct {
	Prompt  []string          `yaml:"prompt"`
	Options map[string]string `yaml:"options"` // digit → node
	Timeout Duration          `yaml:"timeout"` // after the prompt ends
	// Attempts is how many times the prompt is played before OnFailure.
	Attempts int `yaml:"attempts"`
	// InvalidPrompt is played after a digit that is no option;
	// TimeoutPrompt after no digit within Timeout.
	InvalidPrompt []string `yaml:"invalid_prompt"`
	TimeoutPrompt []string `yaml:"timeout_prompt"`
	OnFailure     string   `yaml:"on_failure"`
}

// QueueNode sends the caller to a queue.
type QueueNode struct {
	Queue string `yaml:"queue"`
	// CallbackDigit pressed while waiting takes the caller to OnCallback,
	// a callback step, keeping their place ("press 1 to be called back").
	CallbackDigit string `yaml:"callback_digit"`
	OnCallback    string `yaml:"on_callback"`
	// Skills narrows the queue's own requirement for calls from this step.
	Skills *SkillExpr `yaml:"skills"`
	// Priority is added to the caller's priority (e.g. complaints first).
	Priority int `yaml:"priority"`
	// NoAgent is where the call goes when nobody serving the queue is
	// signed in.
	NoAgent string `yaml:"no_agent"`
	// OnTimeout is where the call goes after the queue's max wait.
	OnTimeout string `yaml:"on_timeout"`
	// Survey is the node the caller goes to when the agent hangs up first
	// (a post-call satisfaction survey).
	Survey string `yaml:"survey"`
	// Ringback leaves the caller unanswered and ringing while they wait;
	// the call is answered when an agent answers (app_queue's r option).
	Ringback bool `yaml:"ringback"`
}

// Queue is a waiting line served by agents.
type Queue struct {
	Strategy    string   `yaml:"strategy"` // see Strategies
	MaxWait     Duration `yaml:"max_wait"`
	MaxLength   int      `yaml:"max_length"` // 0 = no limit
	RingTimeout Duration `yaml:"ring_timeout"`
	WrapUp      Duration `yaml:"wrap_up"`
	HoldMedia   []string `yaml:"hold_media"`
	// MOH is the PBX's music-on-hold class callers hear instead of
	// HoldMedia (Asterisk musiconhold.conf, FreeSWITCH local_stream).
	MOH string `yaml:"moh"`
	// Announce: position and expected-wait announcements (announce.go).
	Announce *Announce `yaml:"announce"`
	// Skills is what an agent needs to take this queue's calls.
	Skills *SkillExpr `yaml:"skills"`
	// MaxPenalty limits the agents offered at first (-1 or unset: any);
	// escalation may raise it.
	MaxPenalty *int `yaml:"max_penalty"`
	// JoinEmpty lets callers queue while nobody serving it is signed in;
	// LeaveEmpty sends waiting callers on when the last one signs out.
	JoinEmpty  bool `yaml:"join_empty"`
	LeaveEmpty bool `yaml:"leave_empty"`
	// ServiceLevel is the target, e.g. 80% answered within 20s.
	ServiceLevel ServiceLevel `yaml:"service_level"`
	// Escalation steps, by time waited in this queue.
	Escalation []EscalationStep `yaml:"escalation"`
	// OnFull is where callers go when MaxLength callers already wait.
	OnFull *Target `yaml:"on_full"`
	// OverflowBelowSL sends new callers elsewhere while the live service
	// level is under a floor.
	OverflowBelowSL *SLOverflow `yaml:"overflow_below_sl"`

	// WrapUpExtend is how much longer an agent may make wrap-up last, once
	// per call (0: no extension).
	WrapUpExtend Duration `yaml:"wrap_up_extend"`
	// Callbacks: how this queue's callbacks are dialled and retried.
	Callbacks QueueCallbacks `yaml:"callbacks"`
	// Recording overrides recording.inbound for this queue's calls.
	Recording *RecordingPolicy `yaml:"recording"`
}

// ServiceLevel is "Percent% answered within Within".
type ServiceLevel struct {
	Percent float64  `yaml:"percent"`
	Within  Duration `yaml:"within"`
}

// EscalationStep widens who may take a call after it waited After.
// Any combination may be set; Overflow ends the call's stay in the queue.
type EscalationStep struct {
	After      Duration   `yaml:"after"`
	Skills     *SkillExpr `yaml:"skills"`      // replaces the requirement (wider)
	MaxPenalty *int       `yaml:"max_penalty"` // lets higher-penalty agents in
	AddQueues  []string   `yaml:"add_queues"`  // merged group: their agents too
	Overflow   *Target    `yaml:"overflow"`    // to another queue or a flow node
}

// Target is where a call overflows to: a queue, or a node of its flow
// (a message, a callback offer, a goodbye).
type Target struct {
	Queue string `yaml:"queue"`
	Node  string `yaml:"node"`
}

// SLOverflow sends new callers to To while fewer than Below percent of the
// last Window's callers were answered within the queue's threshold.
type SLOverflow struct {
	Below  float64  `yaml:"below"`
	Window Duration `yaml:"window"`
	// MinCalls is how many calls the window needs before it counts.
	MinCalls int    `yaml:"min_calls"`
	To       Target `yaml:"to"`
}

// Strategies lists the queue strategies.
var Strategies = []string{
	StrategyLongestIdle, StrategyFewestCalls, StrategyLeastTalkTime, StrategyRoundRobin,
	StrategyTopDown, StrategyRingAll, StrategyRandom, StrategySkillWeighted,
}

// Queue strategies.
const (
	StrategyLongestIdle   = "longest_idle"
	StrategyFewestCalls   = "fewest_calls"
	StrategyLeastTalkTime = "least_talk_time"
	StrategyRoundRobin    = "round_robin" // with memory: continues after the last agent offered
	StrategyTopDown       = "top_down"    // always from the first agent in config order
	StrategyRingAll       = "ring_all"
	StrategyRandom        = "random"
	StrategySkillWeighted = "skill_weighted" // highest sum of the required skills' levels
)

// AgentConfig is an agent known to the engine.
type AgentConfig struct {
	ID       string         `yaml:"id"`
	Name     string         `yaml:"name"`
	Endpoint string         `yaml:"endpoint"` // default phone, e.g. PJSIP/1001
	Queues   []QueueMember  `yaml:"queues"`
	Skills   map[string]int `yaml:"skills"` // level 1-10
	Team     string         `yaml:"team"`
	WrapUp   *Duration      `yaml:"wrap_up"` // overrides the queue's
	// Chat is how many chats the agent holds at once (nil: the team's,
	// else chat.capacity; 0: none).
	Chat *int `yaml:"chat"`
}

// QueueMember is a queue an agent serves, with a penalty (lower first).
type QueueMember struct {
	Queue   string `yaml:"queue"`
	Penalty int    `yaml:"penalty"`
}

// UnmarshalYAML takes "support" or {queue: support, penalty: 2}.
func (q *QueueMember) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		q.Queue = n.Value
		return nil
	}
	type plain QueueMember
	return decodeKnown(n, (*plain)(q), "routing.QueueMember")
}

// Duration reads "20s", "1m30s" from YAML.
type Duration time.Duration

// UnmarshalText parses a Go duration.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("bad duration %q (want e.g. 20s, 1m30s)", b)
	}
	*d = Duration(v)
	return nil
}

// UnmarshalYAML parses a duration and names the line of a bad one.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: want a duration (e.g. 20s, 1m30s), not a list or a mapping", n.Line)}}
	}
	if err := d.UnmarshalText([]byte(n.Value)); err != nil {
		// A TypeError lets yaml.v3 go on decoding, so every problem of the
		// file is reported, not only the first.
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: %v", n.Line, err)}}
	}
	return nil
}

// MarshalText writes the duration back in Go syntax.
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// D is the duration as time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

func (c *Config) validateFlow(name string, f *Flow, bad func(key, format string, a ...any)) {
	key := "flows." + name
	if f == nil {
		bad(key, "empty flow")
		return
	}
	cur, from := "", map[string][]string{} // node → the nodes leading to it
	ref := func(k, node string, optional bool) {
		if cur != "" && node != "" {
			from[node] = append(from[node], cur)
		}
		if node == "" {
			if !optional {
				bad(k, "required")
			}
			return
		}
		if _, ok := f.Nodes[node]; !ok {
			bad(k, "unknown node %q", node)
		}
	}
	ref(key+".start", f.Start, false)
	for _, nn := range sortedKeys(f.Nodes) {
		n := f.Nodes[nn]
		nk := key + ".nodes." + nn
		cur = nn
		if n == nil {
			bad(nk, "empty node")
			continue
		}
		kinds := 0
		for _, set := range []bool{n.Play != nil, n.Menu != nil, n.Queue != nil, n.Hangup != nil, n.Time != nil,
			n.Collect != nil, n.Set != nil, n.Goto != nil, n.Dial != nil, n.Message != nil, n.Survey != nil, n.Callback != nil,
			n.Directory != nil} {
			if set {
				kinds++
			}
		}
		if kinds != 1 {
			bad(nk, "needs exactly one of play, menu, queue, hangup, time, collect, set, goto, dial, message, survey, callback, directory (has %d)", kinds)
			continue
		}
		c.validateStep(nk, n, ref, bad)
		switch {
		case n.Play != nil:
			if len(n.Play.Media) == 0 {
				bad(nk+".play.media", "required")
			}
			ref(nk+".play.next", n.Play.Next, true)
		case n.Menu != nil:
			m := n.Menu
			if len(m.Prompt) == 0 {
				bad(nk+".menu.prompt", "required")
			}
			if len(m.Options) == 0 {
				bad(nk+".menu.options", "at least one option is required")
			}
			for _, d := range sortedKeys(m.Options) {
				if len(d) != 1 || !strings.Contains("0123456789*#", d) {
					bad(nk+".menu.options."+d, "option must be one DTMF digit 0-9, * or #")
				}
				ref(nk+".menu.options."+d, m.Options[d], false)
			}
			if m.Timeout < 0 {
				bad(nk+".menu.timeout", "must not be negative")
			}
			positive(nk+".menu.timeout", m.Timeout, bad)
			if m.Attempts < 1 {
				bad(nk+".menu.attempts", "must be at least 1")
			}
			ref(nk+".menu.on_failure", m.OnFailure, true)
		case n.Queue != nil:
			if _, ok := c.Queues[n.Queue.Queue]; !ok {
				bad(nk+".queue.queue", "unknown queue %q", n.Queue.Queue)
			}
			ref(nk+".queue.no_agent", n.Queue.NoAgent, true)
			ref(nk+".queue.on_timeout", n.Queue.OnTimeout, true)
			ref(nk+".queue.survey", n.Queue.Survey, true)
			c.validateQueueCallbackOffer(nk+".queue", n.Queue, f, ref, bad)
		}
	}
	c.validateRingback(key, f, from, bad)
}

func validEndpoint(s string) bool {
	tech, res, ok := strings.Cut(s, "/")
	return ok && tech != "" && res != "" && !strings.ContainsAny(s, " \t\r\n")
}

// ValidEndpoint reports whether s looks like TECH/resource.
func ValidEndpoint(s string) bool { return validEndpoint(s) }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
