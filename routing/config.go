package routing

import (
	"errors"
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
	// NotReadyReasons are the reason codes an agent may give.
	NotReadyReasons []string `yaml:"not_ready_reasons"`
}

// Flow is an IVR call flow: named nodes, entered at Start.
type Flow struct {
	Start string           `yaml:"start"`
	Nodes map[string]*Node `yaml:"nodes"`
}

// Node is one step of a flow. Exactly one of Play, Menu, Queue, Hangup is set.
type Node struct {
	Play   *PlayNode  `yaml:"play"`
	Menu   *MenuNode  `yaml:"menu"`
	Queue  *QueueNode `yaml:"queue"`
	Hangup *struct{}  `yaml:"hangup"`
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
	// NoAgent is where the call goes when nobody serving the queue is
	// signed in.
	NoAgent string `yaml:"no_agent"`
	// OnTimeout is where the call goes after the queue's max wait.
	OnTimeout string `yaml:"on_timeout"`
}

// Queue is a waiting line served by agents.
type Queue struct {
	Strategy    string   `yaml:"strategy"` // longest_idle (only one yet)
	MaxWait     Duration `yaml:"max_wait"`
	RingTimeout Duration `yaml:"ring_timeout"`
	WrapUp      Duration `yaml:"wrap_up"`
	HoldMedia   []string `yaml:"hold_media"`
}

// AgentConfig is an agent known to the engine.
type AgentConfig struct {
	ID       string   `yaml:"id"`
	Name     string   `yaml:"name"`
	Endpoint string   `yaml:"endpoint"` // default phone, e.g. PJSIP/1001
	Queues   []string `yaml:"queues"`
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
	if err := d.UnmarshalText([]byte(n.Value)); err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	return nil
}

// MarshalText writes the duration back in Go syntax.
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// D is the duration as time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// Defaults fills in what was left out.
func (c *Config) Defaults() {
	for _, q := range c.Queues {
		if q == nil {
			continue
		}
		if q.Strategy == "" {
			q.Strategy = StrategyLongestIdle
		}
		if q.RingTimeout == 0 {
			q.RingTimeout = Duration(15 * time.Second)
		}
		if q.MaxWait == 0 {
			q.MaxWait = Duration(10 * time.Minute)
		}
		if q.WrapUp == 0 {
			q.WrapUp = Duration(10 * time.Second)
		}
	}
	for _, f := range c.Flows {
		if f == nil {
			continue
		}
		for _, n := range f.Nodes {
			if n != nil && n.Menu != nil {
				if n.Menu.Timeout == 0 {
					n.Menu.Timeout = Duration(5 * time.Second)
				}
				if n.Menu.Attempts == 0 {
					n.Menu.Attempts = 3
				}
			}
		}
	}
	if len(c.NotReadyReasons) == 0 {
		c.NotReadyReasons = []string{"break", "meal", "training", "meeting", "after_call_work"}
	}
}

// StrategyLongestIdle offers a call to the ready agent idle the longest.
const StrategyLongestIdle = "longest_idle"

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
	for _, name := range sortedKeys(c.Queues) {
		q := c.Queues[name]
		key := "queues." + name
		if q == nil {
			bad(key, "empty queue")
			continue
		}
		if q.Strategy != StrategyLongestIdle {
			bad(key+".strategy", "unknown strategy %q (supported: %s)", q.Strategy, StrategyLongestIdle)
		}
		for k, d := range map[string]Duration{"max_wait": q.MaxWait, "ring_timeout": q.RingTimeout, "wrap_up": q.WrapUp} {
			if d < 0 {
				bad(key+"."+k, "must not be negative")
			}
		}
	}
	for _, name := range sortedKeys(c.Flows) {
		c.validateFlow(name, c.Flows[name], bad)
	}
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
		for j, q := range a.Queues {
			if _, ok := c.Queues[q]; !ok {
				bad(fmt.Sprintf("%s.queues[%d]", key, j), "unknown queue %q", q)
			}
		}
	}
	return errors.Join(errs...)
}

func (c *Config) validateFlow(name string, f *Flow, bad func(key, format string, a ...any)) {
	key := "flows." + name
	if f == nil {
		bad(key, "empty flow")
		return
	}
	ref := func(k, node string, optional bool) {
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
		if n == nil {
			bad(nk, "empty node")
			continue
		}
		kinds := 0
		for _, set := range []bool{n.Play != nil, n.Menu != nil, n.Queue != nil, n.Hangup != nil} {
			if set {
				kinds++
			}
		}
		if kinds != 1 {
			bad(nk, "needs exactly one of play, menu, queue, hangup (has %d)", kinds)
			continue
		}
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
			if m.Attempts < 0 {
				bad(nk+".menu.attempts", "must not be negative")
			}
			ref(nk+".menu.on_failure", m.OnFailure, true)
		case n.Queue != nil:
			if _, ok := c.Queues[n.Queue.Queue]; !ok {
				bad(nk+".queue.queue", "unknown queue %q", n.Queue.Queue)
			}
			ref(nk+".queue.no_agent", n.Queue.NoAgent, true)
			ref(nk+".queue.on_timeout", n.Queue.OnTimeout, true)
		}
	}
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
