package routing

import "strings"

// validateStep checks the IVR steps beyond play, menu, queue and hangup.
func (c *Config) validateStep(nk string, n *Node, ref func(k, node string, optional bool), bad func(key, format string, a ...any)) {
	switch {
	case n.Time != nil:
		if _, ok := c.Calendars[n.Time.Calendar]; !ok {
			bad(nk+".time.calendar", "unknown calendar %q", n.Time.Calendar)
		}
		ref(nk+".time.open", n.Time.Open, false)
		ref(nk+".time.closed", n.Time.Closed, false)
	case n.Collect != nil:
		cn := n.Collect
		if cn.Var == "" {
			bad(nk+".collect.var", "required")
		}
		if cn.Max < 1 || cn.Max > 32 {
			bad(nk+".collect.max", "must be 1-32")
		}
		if cn.Min < 0 || cn.Min > cn.Max {
			bad(nk+".collect.min", "must be 0-max")
		}
		if len(cn.Terminator) > 1 || cn.Terminator != "" && !strings.Contains("0123456789*#", cn.Terminator) {
			bad(nk+".collect.terminator", "must be one DTMF digit")
		}
		timeout(nk+".collect.timeout", cn.Timeout, bad)
		ref(nk+".collect.next", cn.Next, false)
		ref(nk+".collect.on_timeout", cn.OnTimeout, true)
	case n.Set != nil:
		if n.Set.Var == "" {
			bad(nk+".set.var", "required")
		}
		ref(nk+".set.next", n.Set.Next, false)
	case n.Goto != nil:
		f, ok := c.Flows[n.Goto.Flow]
		switch {
		case !ok || f == nil:
			bad(nk+".goto.flow", "unknown flow %q", n.Goto.Flow)
		case n.Goto.Node != "" && f.Nodes[n.Goto.Node] == nil:
			bad(nk+".goto.node", "flow %q has no node %q", n.Goto.Flow, n.Goto.Node)
		}
	case n.Dial != nil:
		d := n.Dial
		if d.Extension == "" {
			bad(nk+".dial.extension", "required")
		} else if !strings.Contains(d.Extension, "${") && c.Extensions[d.Extension] == nil {
			bad(nk+".dial.extension", "unknown extension %q", d.Extension)
		}
		timeout(nk+".dial.timeout", d.Timeout, bad)
		ref(nk+".dial.on_busy", d.OnBusy, true)
		ref(nk+".dial.on_no_answer", d.OnNoAnswer, true)
		ref(nk+".dial.on_unknown", d.OnUnknown, true)
		ref(nk+".dial.on_decline", d.OnDecline, true)
	case n.Message != nil:
		if n.Message.Target == "" {
			bad(nk+".message.target", "required")
		}
		timeout(nk+".message.max_duration", n.Message.MaxDuration, bad)
		ref(nk+".message.next", n.Message.Next, true)
	case n.Survey != nil:
		if len(n.Survey.Prompt) == 0 {
			bad(nk+".survey.prompt", "required")
		}
		timeout(nk+".survey.timeout", n.Survey.Timeout, bad)
		ref(nk+".survey.next", n.Survey.Next, true)
	case n.Directory != nil:
		d := n.Directory
		if d.Var == "" {
			bad(nk+".directory.var", "required")
		}
		if d.Letters < 1 || d.Letters > 10 {
			bad(nk+".directory.letters", "must be 1-10")
		}
		timeout(nk+".directory.timeout", d.Timeout, bad)
		ref(nk+".directory.next", d.Next, false)
		ref(nk+".directory.on_no_match", d.OnNoMatch, true)
	case n.Callback != nil:
		if n.Callback.Queue != "" && c.Queues[n.Callback.Queue] == nil {
			bad(nk+".callback.queue", "unknown queue %q", n.Callback.Queue)
		}
		ref(nk+".callback.next", n.Callback.Next, true)
	}
}

// validateDirectory checks calendars and extensions.
func (c *Config) validateDirectory(bad func(key, format string, a ...any)) {
	for _, name := range sortedKeys(c.Calendars) {
		cal := c.Calendars[name]
		if cal == nil {
			bad("calendars."+name, "empty calendar")
			continue
		}
		cal.validate("calendars."+name, bad)
	}
	for _, num := range sortedKeys(c.Extensions) {
		e := c.Extensions[num]
		key := "extensions." + num
		switch {
		case e == nil:
			bad(key, "empty extension")
		case !validEndpoint(e.Endpoint):
			bad(key+".endpoint", "%q is not TECH/resource (e.g. PJSIP/1004)", e.Endpoint)
		}
	}
}

// timeout checks a step's wait: an explicit 0 is an error, not the default.
func timeout(key string, d Duration, bad func(key, format string, a ...any)) {
	if d < 0 {
		bad(key, "must not be negative")
	}
	positive(key, d, bad)
}
