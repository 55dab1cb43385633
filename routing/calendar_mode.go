package routing

// calendars are the calendars as time steps see them: the config's
// opening hours, or the day/night mode a supervisor forced.
type calendars struct {
	*effects
	cfg   *Config
	modes map[string]string // calendar → forced day/night mode
}

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

func (cs *calendars) command(cmd modeCommand) (any, error) {
	if cmd.Mode == "" {
		views := []CalendarView{}
		for _, name := range sortedKeys(cs.cfg.Calendars) {
			views = append(views, cs.view(name))
		}
		return views, nil
	}
	if cs.cfg.Calendars[cmd.Calendar] == nil {
		return nil, ErrUnknownCalendar
	}
	switch cmd.Mode {
	case ModeAuto:
		delete(cs.modes, cmd.Calendar)
	case ModeDay, ModeNight:
		cs.modes[cmd.Calendar] = cmd.Mode
	default:
		return nil, &FieldError{Field: "mode", Reason: "must be auto, day or night"}
	}
	return cs.view(cmd.Calendar), nil
}

func (cs *calendars) view(name string) CalendarView {
	mode := cs.modes[name]
	if mode == "" {
		mode = ModeAuto
	}
	return CalendarView{Name: name, Mode: mode, Open: cs.isOpen(name)}
}

// isOpen is a calendar's state now, or the mode a supervisor forced.
func (cs *calendars) isOpen(calendar string) bool {
	switch cs.modes[calendar] {
	case ModeDay:
		return true
	case ModeNight:
		return false
	}
	cal := cs.cfg.Calendars[calendar]
	return cal != nil && cal.Open(cs.now)
}

// Day/night modes a supervisor can force on a calendar.
const (
	ModeAuto  = "auto"
	ModeDay   = "day"
	ModeNight = "night"
)
