package quality

import (
	"fmt"
	"math"
)

// A scoring form (服务质量综合考评表): sections of items, each item with a
// weight (the form's weights add up to 100) and a scale: yes/no, or 0 to
// max. A critical item scored 0 zeroes the whole evaluation. Forms are
// versioned through quality.form records (service.go): an evaluation
// names the version it was scored on, and keeps it when the form changes.

// Form is one version of a scoring form.
type Form struct {
	ID       string    `yaml:"id" json:"id"`
	Version  int       `yaml:"-" json:"version"`
	Zh       string    `yaml:"zh" json:"zh"`
	En       string    `yaml:"en" json:"en"`
	Sections []Section `yaml:"sections" json:"sections"`
}

// Section groups items (服务用语, 服务态度...).
type Section struct {
	ID    string `yaml:"id" json:"id"`
	Zh    string `yaml:"zh" json:"zh"`
	En    string `yaml:"en" json:"en"`
	Items []Item `yaml:"items" json:"items"`
}

// Item is one thing scored.
type Item struct {
	ID     string  `yaml:"id" json:"id"`
	Zh     string  `yaml:"zh" json:"zh"`
	En     string  `yaml:"en" json:"en"`
	Weight float64 `yaml:"weight" json:"weight"`
	// Max is the top of a 0..max scale; 0 or 1 is yes/no (1 yes, 0 no).
	Max      int  `yaml:"max" json:"max"`
	Critical bool `yaml:"critical" json:"critical"`
}

// top is the item's highest value: 1 for yes/no.
func (it Item) top() int { return max(it.Max, 1) }

// weightTolerance: weights are decimals in YAML; 33.33+33.33+33.34 is 100.
const weightTolerance = 1e-6

// check reports the form's problems as "key: problem" under prefix
// (config keys, so locate finds the line).
func (f Form) check(prefix string) []error {
	var errs []error
	bad := func(key, format string, a ...any) {
		errs = append(errs, fmt.Errorf("%s%s: %s", prefix, key, fmt.Sprintf(format, a...)))
	}
	if f.ID == "" {
		bad(".id", "required")
	}
	if len(f.Sections) == 0 {
		bad(".sections", "a form needs at least one section")
	}
	total := 0.0
	sections, items := map[string]bool{}, map[string]bool{}
	for i, s := range f.Sections {
		sk := fmt.Sprintf(".sections[%d]", i)
		switch {
		case s.ID == "":
			bad(sk+".id", "required")
		case sections[s.ID]:
			bad(sk+".id", "section %q is defined twice", s.ID)
		}
		sections[s.ID] = true
		if len(s.Items) == 0 {
			bad(sk+".items", "a section needs at least one item")
		}
		for j, it := range s.Items {
			ik := fmt.Sprintf("%s.items[%d]", sk, j)
			switch {
			case it.ID == "":
				bad(ik+".id", "required")
			case items[it.ID]:
				bad(ik+".id", "item %q is defined twice in the form", it.ID)
			}
			items[it.ID] = true
			if it.Weight <= 0 || math.IsNaN(it.Weight) || math.IsInf(it.Weight, 0) {
				bad(ik+".weight", "must be more than 0")
			} else {
				total += it.Weight
			}
			if it.Max < 0 || it.Max > 100 {
				bad(ik+".max", "must be 0 or 1 (yes/no) or up to 100")
			}
		}
	}
	if len(errs) == 0 && math.Abs(total-100) > weightTolerance {
		bad(".sections", "the items' weights add up to %g, not 100", total)
	}
	return errs
}

// item finds an item by ID.
func (f Form) item(id string) (Item, string, bool) {
	for _, s := range f.Sections {
		for _, it := range s.Items {
			if it.ID == id {
				return it, s.ID, true
			}
		}
	}
	return Item{}, "", false
}

// Result is a computed score.
type Result struct {
	// Score is out of 100, two decimals; 0 when a critical item failed.
	Score float64 `json:"score"`
	// Raw is the weighted sum before criticals zero it.
	Raw float64 `json:"raw"`
	// Sections is each section's score out of its weight.
	Sections []SectionScore `json:"sections"`
	// CriticalFailed lists the critical items scored 0.
	CriticalFailed []string `json:"critical_failed,omitempty"`
	// Missed lists the items not given full marks (training needs).
	Missed []string `json:"missed,omitempty"`
}

// SectionScore is a section's part of a score.
type SectionScore struct {
	Section string  `json:"section"`
	Score   float64 `json:"score"`
	Max     float64 `json:"max"`
}

// Score computes answers (item ID → value) on f. Every item must be
// answered, within its scale. Errors: *FieldError naming the item
// (answers.ITEM).
func (f Form) Score(answers map[string]int) (Result, error) {
	for id := range answers {
		if _, _, ok := f.item(id); !ok {
			return Result{}, &FieldError{Field: "answers." + id, Reason: fmt.Sprintf("form %s v%d has no item %q", f.ID, f.Version, id)}
		}
	}
	var res Result
	for _, s := range f.Sections {
		ss := SectionScore{Section: s.ID}
		for _, it := range s.Items {
			v, ok := answers[it.ID]
			if !ok {
				return Result{}, &FieldError{Field: "answers." + it.ID, Reason: "not scored"}
			}
			if v < 0 || v > it.top() {
				return Result{}, &FieldError{Field: "answers." + it.ID, Reason: fmt.Sprintf("%d is out of range 0..%d", v, it.top())}
			}
			ss.Max += it.Weight
			ss.Score += it.Weight * float64(v) / float64(it.top())
			if v == 0 && it.Critical {
				res.CriticalFailed = append(res.CriticalFailed, it.ID)
			}
			if v < it.top() {
				res.Missed = append(res.Missed, it.ID)
			}
		}
		ss.Score = round2(ss.Score)
		res.Raw += ss.Score
		res.Sections = append(res.Sections, ss)
	}
	res.Raw = round2(res.Raw)
	res.Score = res.Raw
	if len(res.CriticalFailed) > 0 {
		res.Score = 0
	}
	return res, nil
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }
