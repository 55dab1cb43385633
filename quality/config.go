package quality

import (
	"errors"
	"fmt"
)

// Config is the quality: section: the scoring forms and how calls are
// sampled for inspection each month.
type Config struct {
	Forms    []Form         `yaml:"forms"`
	Sampling SamplingConfig `yaml:"sampling"`
}

// SamplingConfig is the monthly sampling's bounds.
type SamplingConfig struct {
	// Min and Max evaluations per active agent per month (default 1–5).
	Min int `yaml:"min"`
	Max int `yaml:"max"`
	// InspectorCap is the most sampled evaluations one inspector is given
	// in a month (default 200).
	InspectorCap int `yaml:"inspector_cap"`
	// Seed makes the draw repeatable (with the month).
	Seed uint64 `yaml:"seed"`
	// Complaints are the wrap-up dispositions whose calls are always
	// sampled (up to max); default complaint.
	Complaints []string `yaml:"complaints"`
	// Inspectors are the usernames sampled calls are assigned to.
	Inspectors []string `yaml:"inspectors"`
	// Form is the form sampled evaluations are scored on (default the
	// first).
	Form string `yaml:"form"`
}

// Defaults for sampling.
const (
	DefaultMin          = 1
	DefaultMax          = 5
	DefaultInspectorCap = 200
	DefaultComplaint    = "complaint"
)

// withDefaults fills the unset sampling bounds.
func (s SamplingConfig) withDefaults() SamplingConfig {
	if s.Min == 0 && s.Max == 0 {
		s.Min, s.Max = DefaultMin, DefaultMax
	}
	if s.Complaints == nil {
		s.Complaints = []string{DefaultComplaint}
	}
	if s.InspectorCap == 0 {
		s.InspectorCap = DefaultInspectorCap
	}
	return s
}

// Validate reports every problem as "quality.key: problem" (the config
// loader adds file:line); dispositions are the configured wrap-up codes.
func (c Config) Validate(dispositions []string) error {
	var errs []error
	seen := map[string]bool{}
	for i, f := range c.Forms {
		key := fmt.Sprintf("quality.forms[%d]", i)
		errs = append(errs, f.check(key)...)
		if f.ID != "" && seen[f.ID] {
			errs = append(errs, fmt.Errorf("%s.id: form %q is defined twice", key, f.ID))
		}
		seen[f.ID] = true
	}
	s := c.Sampling.withDefaults()
	if s.Min < 0 || s.Max < s.Min || s.Max > 100 {
		errs = append(errs, fmt.Errorf("quality.sampling.max: min %d and max %d must be 0 <= min <= max <= 100", s.Min, s.Max))
	}
	if s.InspectorCap < 0 {
		errs = append(errs, errors.New("quality.sampling.inspector_cap: must not be negative"))
	}
	if s.Form != "" && !seen[s.Form] {
		errs = append(errs, fmt.Errorf("quality.sampling.form: unknown form %q", s.Form))
	}
	codes := map[string]bool{}
	for _, d := range dispositions {
		codes[d] = true
	}
	for i, d := range c.Sampling.Complaints {
		if !codes[d] {
			errs = append(errs, fmt.Errorf("quality.sampling.complaints[%d]: unknown disposition %q", i, d))
		}
	}
	return errors.Join(errs...)
}
