package tickets

import (
	"errors"
	"fmt"
	"sort"

	"switchboard/routing"
)

// Config is the tickets: section: the categories a ticket may have, which
// wrap-up dispositions open one, and the calendar business-hours
// categories count their SLA clocks on.
type Config struct {
	Categories []CategoryConfig `yaml:"categories"`
	// FromDispositions maps a wrap-up disposition code to the category of
	// the ticket it opens ({complaint: complaint}).
	FromDispositions map[string]string `yaml:"from_dispositions"`
	// Calendar names the routing calendar (calendars:) whose hours and
	// holidays business_hours categories count.
	Calendar string `yaml:"calendar"`
}

// CategoryConfig is one category as configured.
type CategoryConfig struct {
	Name string `yaml:"name" json:"name"`
	Zh   string `yaml:"zh" json:"zh"`
	En   string `yaml:"en" json:"en"`
	// DispatchWithin is the dispatch SLA (default 60m).
	DispatchWithin routing.Duration `yaml:"dispatch_within" json:"dispatch_within"`
	// ResolveWithin is the resolution target (0: none).
	ResolveWithin routing.Duration `yaml:"resolve_within" json:"resolve_within"`
	// BusinessHours counts only the calendar's open time.
	BusinessHours bool `yaml:"business_hours" json:"business_hours"`
}

// Validate reports every problem as "tickets.key: problem" against the
// routing config's calendars and dispositions.
func (c Config) Validate(rc *routing.Config) error {
	var errs []error
	bad := func(key, format string, a ...any) {
		errs = append(errs, fmt.Errorf("tickets.%s: %s", key, fmt.Sprintf(format, a...)))
	}
	seen := map[string]bool{}
	needCal := false
	for i, cat := range c.Categories {
		key := fmt.Sprintf("categories[%d]", i)
		switch {
		case cat.Name == "":
			bad(key+".name", "required")
		case seen[cat.Name]:
			bad(key+".name", "category %q is defined twice", cat.Name)
		}
		seen[cat.Name] = true
		if cat.DispatchWithin < 0 {
			bad(key+".dispatch_within", "must not be negative")
		}
		if cat.ResolveWithin < 0 {
			bad(key+".resolve_within", "must not be negative")
		}
		needCal = needCal || cat.BusinessHours
	}
	if c.Calendar != "" && rc.Calendars[c.Calendar] == nil {
		bad("calendar", "unknown calendar %q", c.Calendar)
	} else if needCal && c.Calendar == "" {
		bad("calendar", "required: a category counts business hours")
	}
	codes := map[string]bool{}
	for _, d := range rc.Dispositions {
		codes[d.Code] = true
	}
	keys := make([]string, 0, len(c.FromDispositions))
	for k := range c.FromDispositions {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, code := range keys {
		if !codes[code] {
			bad("from_dispositions."+code, "unknown disposition %q", code)
		}
		if cat := c.FromDispositions[code]; !seen[cat] {
			bad("from_dispositions."+code, "unknown category %q", cat)
		}
	}
	return errors.Join(errs...)
}

// categories turns the config into the Book's categories.
func (c Config) categories() []Category {
	out := make([]Category, 0, len(c.Categories))
	for _, cc := range c.Categories {
		out = append(out, Category{Name: cc.Name, DispatchWithin: cc.DispatchWithin.D(),
			ResolveWithin: cc.ResolveWithin.D(), BusinessHours: cc.BusinessHours})
	}
	return out
}
