package routing

// timeStep branches on a calendar: open or closed now.
type timeStep struct{ noInput }

func (timeStep) is(n *Node) bool { return n.Time != nil }

func (timeStep) enter(m *Machine, c *call, n *Node) {
	next, branch := n.Time.Closed, "closed"
	if m.isOpen(n.Time.Calendar) {
		next, branch = n.Time.Open, "open"
	}
	m.enterNode(c, next, branch)
}

// isOpen is a calendar's state now, or the mode a supervisor forced.
func (m *Machine) isOpen(calendar string) bool {
	switch m.modes[calendar] {
	case ModeDay:
		return true
	case ModeNight:
		return false
	}
	cal := m.cfg.Calendars[calendar]
	return cal != nil && cal.Open(m.now)
}

// Day/night modes a supervisor can force on a calendar.
const (
	ModeAuto  = "auto"
	ModeDay   = "day"
	ModeNight = "night"
)
