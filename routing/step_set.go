package routing

import "strings"

// setStep sets a call variable (with ${name} expanded) and goes on.
type setStep struct{ noInput }

func (setStep) is(n *Node) bool { return n.Set != nil }

func (setStep) enter(m *Machine, c *call, n *Node) {
	m.setVar(c, n.Set.Var, m.expand(c, n.Set.Value))
	m.enterNode(c, n.Set.Next, "")
}

func (m *Machine) setVar(c *call, name, value string) {
	if c.vars == nil {
		c.vars = map[string]string{}
	}
	c.vars[name] = value
}

// expand replaces ${name} with the call's variable (caller and called are
// always there).
func (m *Machine) expand(c *call, s string) string {
	if !strings.Contains(s, "${") {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		j := strings.Index(s[max(i, 0):], "}")
		if i < 0 || j < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		name := s[i+2 : i+j]
		switch name {
		case "caller":
			b.WriteString(c.caller)
		case "called":
			b.WriteString(c.called)
		default:
			b.WriteString(c.vars[name])
		}
		s = s[i+j+1:]
	}
}
