package quality

import (
	"errors"
	"strings"
	"testing"
)

func testForm() Form {
	return Form{ID: "svc", Version: 1, Sections: []Section{
		{ID: "phrases", Items: []Item{{ID: "greet", Weight: 20}, {ID: "close", Weight: 20, Max: 4}}},
		{ID: "attitude", Items: []Item{{ID: "polite", Weight: 40, Max: 5}, {ID: "abuse", Weight: 20, Critical: true}}},
	}}
}

func TestScore(t *testing.T) {
	full := map[string]int{"greet": 1, "close": 4, "polite": 5, "abuse": 1}
	with := func(k string, v int) map[string]int {
		m := map[string]int{}
		for a, b := range full {
			m[a] = b
		}
		m[k] = v
		return m
	}
	cases := []struct {
		name     string
		answers  map[string]int
		score    float64
		raw      float64
		sections []float64
		critical []string
		missed   []string
		field    string
	}{
		{"full marks", full, 100, 100, []float64{40, 60}, nil, nil, ""},
		{"yes/no missed", with("greet", 0), 80, 80, []float64{20, 60}, nil, []string{"greet"}, ""},
		{"scale weighs its share", with("close", 1), 85, 85, []float64{25, 60}, nil, []string{"close"}, ""},
		{"scale of 5", with("polite", 3), 84, 84, []float64{40, 44}, nil, []string{"polite"}, ""},
		{"critical zeroes", with("abuse", 0), 0, 80, []float64{40, 40}, []string{"abuse"}, []string{"abuse"}, ""},
		{"non-critical zero does not", with("polite", 0), 60, 60, []float64{40, 20}, nil, []string{"polite"}, ""},
		{"out of range high", with("close", 5), 0, 0, nil, nil, nil, "answers.close"},
		{"out of range yes/no", with("greet", 2), 0, 0, nil, nil, nil, "answers.greet"},
		{"negative", with("polite", -1), 0, 0, nil, nil, nil, "answers.polite"},
		{"unknown item", with("nope", 1), 0, 0, nil, nil, nil, "answers.nope"},
		{"missing item", map[string]int{"greet": 1, "close": 4, "polite": 5}, 0, 0, nil, nil, nil, "answers.abuse"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := testForm().Score(c.answers)
			if c.field != "" {
				var fe *FieldError
				if !errors.As(err, &fe) || fe.Field != c.field {
					t.Fatalf("err %v, want field %s", err, c.field)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.Score != c.score || r.Raw != c.raw {
				t.Fatalf("score %v raw %v, want %v %v", r.Score, r.Raw, c.score, c.raw)
			}
			for i, s := range r.Sections {
				if s.Score != c.sections[i] {
					t.Fatalf("section %s %v, want %v", s.Section, s.Score, c.sections[i])
				}
			}
			if strings.Join(r.CriticalFailed, ",") != strings.Join(c.critical, ",") || strings.Join(r.Missed, ",") != strings.Join(c.missed, ",") {
				t.Fatalf("critical %v missed %v", r.CriticalFailed, r.Missed)
			}
		})
	}
}

func TestFormValidate(t *testing.T) {
	cases := []struct {
		name string
		edit func(*Form)
		want string // "" valid
	}{
		{"valid", func(*Form) {}, ""},
		{"weights short of 100", func(f *Form) { f.Sections[0].Items[0].Weight = 10 }, "quality.forms[0].sections: the items' weights add up to 90, not 100"},
		{"weights over 100", func(f *Form) { f.Sections[1].Items[1].Weight = 30 }, "add up to 110"},
		{"decimal weights", func(f *Form) {
			f.Sections[0].Items = []Item{{ID: "a", Weight: 13.33}, {ID: "b", Weight: 13.33}, {ID: "c", Weight: 13.34}}
		}, ""},
		{"zero weight", func(f *Form) { f.Sections[0].Items[0].Weight = 0 }, "quality.forms[0].sections[0].items[0].weight: must be more than 0"},
		{"duplicate item", func(f *Form) { f.Sections[1].Items[1].ID = "greet" }, "sections[1].items[1].id: item \"greet\" is defined twice"},
		{"bad scale", func(f *Form) { f.Sections[0].Items[1].Max = -2 }, "sections[0].items[1].max"},
		{"no id", func(f *Form) { f.ID = "" }, "quality.forms[0].id: required"},
		{"empty section", func(f *Form) { f.Sections[0].Items = nil }, "sections[0].items: a section needs at least one item"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := testForm()
			c.edit(&f)
			err := Config{Forms: []Form{f}}.Validate(nil)
			if c.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err %v, want %q", err, c.want)
			}
		})
	}
	err := Config{Forms: []Form{testForm(), testForm()}, Sampling: SamplingConfig{Min: 3, Max: 2, Form: "x", Complaints: []string{"nope"}}}.Validate([]string{"complaint"})
	for _, want := range []string{"quality.forms[1].id: form \"svc\" is defined twice", "quality.sampling.max", "quality.sampling.form", "quality.sampling.complaints[0]"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err %v, want %q", err, want)
		}
	}
}
