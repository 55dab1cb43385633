package routing

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

type skillMap = map[string]int

func mustParseSkillExpr(t testing.TB, s string) *SkillExpr {
	t.Helper()
	e, err := ParseSkillExpr(s)
	if err != nil {
		t.Fatalf("ParseSkillExpr(%q): %v", s, err)
	}
	return e
}

func TestSkillExprMatch(t *testing.T) {
	tests := []struct {
		expr  string
		match []skillMap
		miss  []skillMap
	}{
		{
			expr:  "billing>=5 && mandarin>=3",
			match: []skillMap{{"billing": 5, "mandarin": 3}, {"billing": 10, "mandarin": 10, "x": 1}},
			miss:  []skillMap{{"billing": 4, "mandarin": 3}, {"billing": 5}, nil},
		},
		{
			expr:  "billing", // bare name: has the skill
			match: []skillMap{{"billing": 1}, {"billing": 10}},
			miss:  []skillMap{{"billing": 0}, {}, nil},
		},
		{
			expr:  "a || b && c", // && binds tighter
			match: []skillMap{{"a": 1}, {"b": 1, "c": 1}},
			miss:  []skillMap{{"b": 1}, {"c": 1}, {}},
		},
		{
			expr:  "(a || b) && c",
			match: []skillMap{{"a": 1, "c": 1}, {"b": 1, "c": 1}},
			miss:  []skillMap{{"a": 1}, {"c": 1}},
		},
		{
			expr:  "!spanish",
			match: []skillMap{{}, {"spanish": 0}},
			miss:  []skillMap{{"spanish": 1}},
		},
		{
			expr:  "!(a && b) || c>7",
			match: []skillMap{{}, {"a": 1}, {"a": 1, "b": 1, "c": 8}},
			miss:  []skillMap{{"a": 1, "b": 1}, {"a": 1, "b": 1, "c": 7}},
		},
		{
			expr:  "!!a",
			match: []skillMap{{"a": 3}},
			miss:  []skillMap{{}},
		},
		{
			expr:  "a==0", // missing skill is level 0
			match: []skillMap{{}, {"a": 0}},
			miss:  []skillMap{{"a": 1}},
		},
		{
			expr:  "a!=3 && a<=8 && a>1",
			match: []skillMap{{"a": 2}, {"a": 8}},
			miss:  []skillMap{{"a": 1}, {"a": 3}, {"a": 9}},
		},
		{
			expr:  "a<1",
			match: []skillMap{{}},
			miss:  []skillMap{{"a": 1}},
		},
		{
			expr:  "a>=10 || a<=0",
			match: []skillMap{{"a": 10}, {}},
			miss:  []skillMap{{"a": 9}, {"a": 1}},
		},
		{
			expr:  "a>10", // valid, but no agent can satisfy it
			miss:  []skillMap{{"a": 10}},
			match: []skillMap{{"a": 11}}, // bad data still compares honestly
		},
		{
			expr:  " \t( 普通话 >= 3 )\n&&\r\nहिन्दी  ",
			match: []skillMap{{"普通话": 3, "हिन्दी": 1}},
			miss:  []skillMap{{"普通话": 3}},
		},
		{
			expr:  "_tier-2_x1 < 05",
			match: []skillMap{{"_tier-2_x1": 4}},
			miss:  []skillMap{{"_tier-2_x1": 5}},
		},
		{
			expr:  "((((a))))&&(b||(c&&!d))",
			match: []skillMap{{"a": 1, "b": 1}, {"a": 1, "c": 1}},
			miss:  []skillMap{{"a": 1, "c": 1, "d": 1}, {"b": 1}},
		},
	}
	for _, tt := range tests {
		e := mustParseSkillExpr(t, tt.expr)
		for _, s := range tt.match {
			if !e.Match(s) {
				t.Errorf("%q: Match(%v) = false, want true", tt.expr, s)
			}
		}
		for _, s := range tt.miss {
			if e.Match(s) {
				t.Errorf("%q: Match(%v) = true, want false", tt.expr, s)
			}
		}
	}
}

func TestSkillExprString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"billing>=5&&mandarin>=3", "billing>=5 && mandarin>=3"},
		{"a>=1", "a"},
		{"a > 1", "a>1"},
		{"a>=05", "a>=5"},
		{"a || b && c", "a || b && c"},
		{"(a || b) && c", "(a || b) && c"},
		{"a && (b && c)", "a && b && c"},
		{"(a || (b || c))", "a || b || c"},
		{"a || (b && c)", "a || b && c"},
		{"!(a)", "!a"},
		{"!(a && b)", "!(a && b)"},
		{"! ! a", "!!a"},
		{"!(!(a || b))", "!!(a || b)"},
		{"a!=0", "a!=0"},
	}
	for _, tt := range tests {
		if got := mustParseSkillExpr(t, tt.in).String(); got != tt.want {
			t.Errorf("String(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSkillExprErrors(t *testing.T) {
	tests := []struct {
		in     string
		offset int
		msg    string
	}{
		{"billing>>5", 8, "expected a level 0-10 after >"},
		{"billing>=11", 9, "level 11 out of range 0-10"},
		{"a>=99999999999999999999", 3, "out of range 0-10"},
		{"a >= -1", 5, "expected a level 0-10 after >="},
		{"a<", 2, "expected a level 0-10 after <"},
		{"&&a", 0, `expected a skill name, "!" or "(", found "&"`},
		{"a &&", 4, "expected a skill name, \"!\" or \"(\", found end of expression"},
		{"a & b", 2, `expected "&&"`},
		{"a | b", 2, `expected "||"`},
		{"a=5", 1, `"=" is not an operator, use "=="`},
		{"a b", 2, `expected "&&", "||" or end of expression, found "b"`},
		{"a)", 1, `found ")"`},
		{"(a && b", 7, `")" to close "(" at offset 0, found end of expression`},
		{"()", 1, "expected a skill name"},
		{"!", 1, "expected a skill name"},
		{"!=a", 0, `found "!"`},
		{"1abc", 0, `expected a skill name, "!" or "(", found "1"`},
		{"-a", 0, `found "-"`},
		{"a ≥ 3", 2, `found "≥"`},
		{"a\u00a0&& b", 1, `found "\u00a0"`},
		{"a && \xff", 5, "invalid UTF-8"},
		{strings.Repeat("x", 65), 0, "skill name longer than 64 bytes"},
		{strings.Repeat("(", 33) + "a" + strings.Repeat(")", 33), 32, "nested deeper than 32"},
		{strings.Repeat("!", 40) + "a", 32, "nested deeper than 32"},
		{strings.Repeat("a&&", 341) + "ab", 1024, "longer than 1024 bytes (not counting spaces)"},
		{strings.Repeat(" ", 8193), 8192, "longer than 8192 bytes"},
	}
	for _, tt := range tests {
		e, err := ParseSkillExpr(tt.in)
		var se *SkillExprError
		if !errors.As(err, &se) {
			t.Errorf("ParseSkillExpr(%q) = %v, %v; want *SkillExprError", tt.in, e, err)
			continue
		}
		if e != nil {
			t.Errorf("ParseSkillExpr(%q) returned an expression with an error", tt.in)
		}
		if se.Expr != tt.in || se.Offset != tt.offset || !strings.Contains(se.Msg, tt.msg) {
			t.Errorf("ParseSkillExpr(%q): offset %d msg %q; want offset %d msg containing %q",
				tt.in, se.Offset, se.Msg, tt.offset, tt.msg)
		}
	}

	_, err := ParseSkillExpr("billing>>5")
	const want = `skill expression "billing>>5": at offset 8: expected a level 0-10 after >`
	if err == nil || err.Error() != want {
		t.Errorf("error = %v, want %s", err, want)
	}
	// Limits are inclusive.
	mustParseSkillExpr(t, strings.Repeat("(", 32)+"a"+strings.Repeat(")", 32))
	mustParseSkillExpr(t, strings.Repeat("x", 64))
	mustParseSkillExpr(t, strings.Repeat("a && ", 341)+"a")
}

func TestSkillExprEmpty(t *testing.T) {
	for _, s := range []string{"", "  \n\t "} {
		e, err := ParseSkillExpr(s)
		if e != nil || err != nil {
			t.Errorf("ParseSkillExpr(%q) = %v, %v; want nil, nil", s, e, err)
		}
	}
	var nilExpr *SkillExpr
	var zero SkillExpr
	for _, e := range []*SkillExpr{nilExpr, &zero} {
		if !e.Match(nil) || !e.Match(skillMap{"a": 1}) {
			t.Errorf("%#v does not match every agent", e)
		}
		if e.Score(skillMap{"a": 5}) != 0 || e.String() != "" || len(e.Skills()) != 0 {
			t.Errorf("%#v: want zero Score, empty String and Skills", e)
		}
	}
}

func TestSkillExprScoreSkills(t *testing.T) {
	e := mustParseSkillExpr(t, "billing>=5 && (mandarin || !billing<2) && zulu==0")
	if got, want := e.Skills(), []string{"billing", "mandarin", "zulu"}; !slices.Equal(got, want) {
		t.Errorf("Skills() = %v, want %v", got, want)
	}
	e.Skills()[0] = "mutated"
	if e.Skills()[0] != "billing" {
		t.Error("Skills() exposes internal state")
	}
	// Each named skill counts once; unnamed skills don't count.
	if got := e.Score(skillMap{"billing": 7, "mandarin": 3, "french": 9}); got != 10 {
		t.Errorf("Score = %d, want 10", got)
	}
}

func TestSkillExprText(t *testing.T) {
	type queue struct {
		Ptr *SkillExpr `json:"ptr" yaml:"ptr"`
		Val SkillExpr  `json:"val" yaml:"val"`
	}
	var q queue
	if err := json.Unmarshal([]byte(`{"ptr":"a&&(b)","val":"c>=2"}`), &q); err != nil {
		t.Fatal(err)
	}
	if !q.Ptr.Match(skillMap{"a": 1, "b": 1}) || q.Ptr.Match(skillMap{"a": 1}) || !q.Val.Match(skillMap{"c": 2}) {
		t.Error("decoded expressions match wrongly")
	}
	out, err := json.Marshal(q)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"ptr":"a \u0026\u0026 b","val":"c\u003e=2"}`; string(out) != want {
		t.Errorf("json.Marshal = %s, want %s", out, want)
	}

	var y queue
	if err := yaml.Unmarshal([]byte("ptr: a || b\nval: ''\n"), &y); err != nil {
		t.Fatal(err)
	}
	if y.Ptr.String() != "a || b" || !y.Val.Match(nil) {
		t.Errorf("yaml decoded %q, %q", y.Ptr, y.Val.String())
	}
	yout, err := yaml.Marshal(queue{})
	if err != nil {
		t.Fatal(err)
	}
	if want := "ptr: null\nval: \"\"\n"; string(yout) != want {
		t.Errorf("yaml.Marshal(zero) = %q, want %q", yout, want)
	}

	err = json.Unmarshal([]byte(`{"ptr":"billing>>5"}`), &q)
	var se *SkillExprError
	if !errors.As(err, &se) || !strings.Contains(err.Error(), `skill expression "billing>>5": at offset 8`) {
		t.Errorf("json error = %v, want a *SkillExprError at offset 8", err)
	}
	err = yaml.Unmarshal([]byte("val: a &"), &y)
	if err == nil || !strings.Contains(err.Error(), `skill expression "a &": at offset 2`) {
		t.Errorf("yaml error = %v, want offset 2", err)
	}
}

func TestSkillExprMatchAllocs(t *testing.T) {
	e := mustParseSkillExpr(t, "(billing>=5 || sales) && !mandarin<3")
	agent := skillMap{"billing": 6, "mandarin": 4}
	if n := testing.AllocsPerRun(100, func() { e.Match(agent) }); n != 0 {
		t.Errorf("Match allocates %v times per call", n)
	}
}

// skillGen builds random expressions together with an independent evaluator,
// so the compiled program is checked against the grammar's meaning.
type skillGen struct {
	r     *rand.Rand
	names []string
}

func (g *skillGen) space() string {
	return [...]string{"", "", " ", "\t", "\n  "}[g.r.IntN(5)]
}

func (g *skillGen) expr(depth int) (string, func(skillMap) bool) {
	if depth <= 0 {
		return g.cmp()
	}
	switch g.r.IntN(6) {
	case 0:
		s, f := g.expr(depth - 1)
		return "!" + g.space() + s, func(m skillMap) bool { return !f(m) }
	case 1:
		s, f := g.expr(depth - 1)
		return "(" + g.space() + s + g.space() + ")", f
	case 2, 3:
		a, fa := g.expr(depth - 1)
		b, fb := g.expr(depth - 1)
		return "(" + a + g.space() + "&&" + g.space() + b + ")", func(m skillMap) bool { return fa(m) && fb(m) }
	case 4:
		a, fa := g.expr(depth - 1)
		b, fb := g.expr(depth - 1)
		return "(" + a + g.space() + "||" + g.space() + b + ")", func(m skillMap) bool { return fa(m) || fb(m) }
	}
	return g.cmp()
}

func (g *skillGen) cmp() (string, func(skillMap) bool) {
	name := g.names[g.r.IntN(len(g.names))]
	n := g.r.IntN(11)
	ops := []struct {
		op string
		f  func(v int) bool
	}{
		{"", func(v int) bool { return v >= 1 }},
		{">=", func(v int) bool { return v >= n }},
		{">", func(v int) bool { return v > n }},
		{"<=", func(v int) bool { return v <= n }},
		{"<", func(v int) bool { return v < n }},
		{"==", func(v int) bool { return v == n }},
		{"!=", func(v int) bool { return v != n }},
	}
	o := ops[g.r.IntN(len(ops))]
	if o.op == "" {
		return name, func(m skillMap) bool { return o.f(m[name]) }
	}
	return name + g.space() + o.op + g.space() + strconv.Itoa(n), func(m skillMap) bool { return o.f(m[name]) }
}

func (g *skillGen) agent() skillMap {
	m := skillMap{}
	for _, name := range g.names {
		if g.r.IntN(3) > 0 {
			m[name] = g.r.IntN(11)
		}
	}
	return m
}

func TestSkillExprRoundTrip(t *testing.T) {
	g := &skillGen{r: rand.New(rand.NewPCG(1, 2)), names: []string{"a", "b", "billing", "普通话", "_x-1"}}
	for range 2000 {
		src, want := g.expr(g.r.IntN(6))
		e := mustParseSkillExpr(t, src)
		canon := e.String()
		again := mustParseSkillExpr(t, canon)
		if again.String() != canon {
			t.Fatalf("String not stable: %q -> %q -> %q", src, canon, again.String())
		}
		for range 20 {
			m := g.agent()
			if got := e.Match(m); got != want(m) {
				t.Fatalf("%q.Match(%v) = %v, want %v", src, m, got, want(m))
			}
			if again.Match(m) != e.Match(m) {
				t.Fatalf("%q and its String %q disagree on %v", src, canon, m)
			}
		}
	}
}

func FuzzParseSkillExpr(f *testing.F) {
	for _, s := range []string{
		"billing>=5 && mandarin>=3", "a || b && c", "!(a && b) || c>7", "!!a", "a!=0",
		"((a))", "普通话>=3 && हिन्दी", "billing>>5", "a &", "(((", strings.Repeat("a&&", 20) + "a",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := ParseSkillExpr(s)
		if err != nil {
			var se *SkillExprError
			if !errors.As(err, &se) || se.Offset < 0 || se.Offset > len(s) {
				t.Fatalf("bad error for %q: %v", s, err)
			}
			return
		}
		canon := e.String()
		again, err := ParseSkillExpr(canon)
		if err != nil {
			t.Fatalf("String of %q = %q does not parse: %v", s, canon, err)
		}
		if again.String() != canon || !slices.Equal(again.Skills(), e.Skills()) {
			t.Fatalf("%q: String %q re-parses as %q", s, canon, again.String())
		}
		r := rand.New(rand.NewPCG(uint64(len(s)), 7))
		names := e.Skills()
		for i := range 32 {
			m := skillMap{}
			for _, n := range names {
				m[n] = r.IntN(12)
				if i < 12 {
					m[n] = i // every skill at the same level, 0 through 11
				}
			}
			if e.Match(m) != again.Match(m) || e.Score(m) != again.Score(m) {
				t.Fatalf("%q and %q disagree on %v", s, canon, m)
			}
		}
	})
}

func BenchmarkSkillExprMatch(b *testing.B) {
	agent := skillMap{"billing": 6, "mandarin": 4, "spanish": 2, "sales": 7, "tier2": 1, "french": 3}
	for _, bc := range []struct{ name, expr string }{
		{"2terms", "billing>=5 && mandarin>=3"},
		{"2terms-miss-first", "billing>=7 && mandarin>=3"},
		{"6terms", "(billing>=5 || sales>8) && !(mandarin<3 || spanish==0) && tier2 && french!=1"},
	} {
		e := mustParseSkillExpr(b, bc.expr)
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				e.Match(agent)
			}
		})
	}
}
