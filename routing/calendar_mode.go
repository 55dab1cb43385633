package routing

// modeCommand forces a calendar's day or night mode (or back to auto);
// an empty Mode only lists the calendars.
type modeCommand struct {
	Op       string `json:"op"` // "mode"
	Calendar string `json:"calendar,omitempty"`
	Mode     string `json:"mode,omitempty"`
}

// CalendarView is a calendar's state for the API.
type CalendarView struct {
	Name string `json:"name"`
	Mode string `json:"mode"` // auto, day or night
	Open bool   `json:"open"` // what time steps decide now
}

func (m *Machine) onMode(cmd modeCommand) (any, error) {
	if cmd.Mode == "" {
		views := []CalendarView{}
		for _, name := range sortedKeys(m.cfg.Calendars) {
			views = append(views, m.calendarView(name))
		}
		return views, nil
	}
	if m.cfg.Calendars[cmd.Calendar] == nil {
		return nil, ErrUnknownCalendar
	}
	switch cmd.Mode {
	case ModeAuto:
		delete(m.modes, cmd.Calendar)
	case ModeDay, ModeNight:
		m.modes[cmd.Calendar] = cmd.Mode
	default:
		return nil, &FieldError{Field: "mode", Reason: "must be auto, day or night"}
	}
	return m.calendarView(cmd.Calendar), nil
}

func (m *Machine) calendarView(name string) CalendarView {
	mode := m.modes[name]
	if mode == "" {
		mode = ModeAuto
	}
	return CalendarView{Name: name, Mode: mode, Open: m.isOpen(name)}
}
