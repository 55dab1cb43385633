package routing

import (
	"encoding"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on skill expressions. The length limit ignores whitespace so that
// String, which adds spaces around && and ||, always re-parses; the raw limit
// still bounds the work done on hostile input.
const (
	maxSkillExprLen   = 1024 // bytes, not counting whitespace
	maxSkillExprInput = 8192 // bytes, including whitespace
	maxSkillExprDepth = 32   // nested "(" and "!"
	maxSkillNameLen   = 64   // bytes
	maxSkillLevel     = 10
)

// SkillExpr is a compiled skill requirement such as
// "billing>=5 && mandarin>=3". It is immutable once parsed, so one value can
// be shared by every routing decision. The zero value and nil match every
// agent.
type SkillExpr struct {
	prog   []skillInstr // evaluated by Match; see compile
	skills []string     // sorted, unique
	canon  string       // canonical source, returned by String
}

// skillInstr is one comparison in the compiled program. Boolean structure is
// compiled away into jumps, so Match needs no stack and does not allocate.
type skillInstr struct {
	name    string
	lo, hi  int   // the test passes when lo <= level <= hi
	ifTrue  int32 // index of the next test, or skillAccept / skillReject
	ifFalse int32
}

const (
	skillAccept int32 = -1
	skillReject int32 = -2
)

// Compile-time checks that SkillExpr works as a YAML/JSON field.
var (
	_ encoding.TextMarshaler   = SkillExpr{}
	_ encoding.TextUnmarshaler = (*SkillExpr)(nil)
)

// SkillExprError reports a malformed skill expression. Offset is a byte
// offset into Expr.
type SkillExprError struct {
	Expr   string
	Offset int
	Msg    string
}

func (e *SkillExprError) Error() string {
	expr := e.Expr
	if len(expr) > maxSkillExprInput {
		// Don't echo megabytes of hostile input into logs.
		cut := 64
		for cut > 0 && !utf8.RuneStart(expr[cut]) {
			cut--
		}
		expr = expr[:cut] + "..."
	}
	return fmt.Sprintf("skill expression %q: at offset %d: %s", expr, e.Offset, e.Msg)
}

// ParseSkillExpr compiles s. An empty (or all-whitespace) s means "no
// requirement" and yields nil, which matches every agent.
func ParseSkillExpr(s string) (*SkillExpr, error) {
	if err := checkSkillExprSize(s); err != nil {
		return nil, err
	}
	p := skillParser{src: s}
	p.skipSpace()
	if p.pos == len(s) {
		return nil, nil
	}
	root, err := p.or()
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos < len(s) {
		return nil, p.unexpected(`expected "&&", "||" or end of expression`)
	}

	e := &SkillExpr{prog: make([]skillInstr, p.leaves)}
	e.compile(root, skillAccept, skillReject)
	for _, t := range e.prog {
		e.skills = append(e.skills, t.name)
	}
	slices.Sort(e.skills)
	e.skills = slices.Compact(e.skills)
	var b strings.Builder
	root.format(&b)
	e.canon = b.String()
	return e, nil
}

// checkSkillExprSize rejects invalid UTF-8 and oversize input before parsing,
// so the parser itself can assume valid, bounded text.
func checkSkillExprSize(s string) error {
	if len(s) > maxSkillExprInput {
		return &SkillExprError{Expr: s, Offset: maxSkillExprInput,
			Msg: fmt.Sprintf("expression longer than %d bytes", maxSkillExprInput)}
	}
	n := 0
	for i := 0; i < len(s); {
		size := 1
		if c := s[i]; c >= utf8.RuneSelf {
			var r rune
			r, size = utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				return &SkillExprError{Expr: s, Offset: i, Msg: "invalid UTF-8"}
			}
		} else if isSkillSpace(c) {
			i++
			continue
		}
		n += size
		if n > maxSkillExprLen {
			return &SkillExprError{Expr: s, Offset: i,
				Msg: fmt.Sprintf("expression longer than %d bytes (not counting spaces)", maxSkillExprLen)}
		}
		i += size
	}
	return nil
}

// Match reports whether an agent with the given skill levels satisfies e.
// A skill missing from the map has level 0.
func (e *SkillExpr) Match(skills map[string]int) bool {
	if e == nil || len(e.prog) == 0 {
		return true
	}
	prog := e.prog
	i := int32(0)
	for {
		t := &prog[i]
		v := skills[t.name]
		i = t.ifFalse
		if v >= t.lo && v <= t.hi {
			i = t.ifTrue
		}
		if i < 0 {
			return i == skillAccept
		}
	}
}

// Score sums the agent's levels over the skills e names, each counted once,
// so the skill-weighted strategy can prefer stronger agents among matches.
func (e *SkillExpr) Score(skills map[string]int) int {
	if e == nil {
		return 0
	}
	sum := 0
	for _, name := range e.skills {
		sum += skills[name]
	}
	return sum
}

// Skills returns the skill names e mentions, sorted and unique. The slice is
// the caller's to keep.
func (e *SkillExpr) Skills() []string {
	if e == nil {
		return nil
	}
	return slices.Clone(e.skills)
}

// String returns e in canonical form: minimal parentheses, spaces around
// && and ||, and a bare name for ">=1". It parses back to an equivalent
// expression.
func (e *SkillExpr) String() string {
	if e == nil {
		return ""
	}
	return e.canon
}

// MarshalText has a value receiver so that a SkillExpr field (not only a
// *SkillExpr) encodes as text; encoders write nil pointers as null first.
func (e SkillExpr) MarshalText() ([]byte, error) {
	return []byte(e.canon), nil
}

// UnmarshalText parses text into e; empty text means no requirement.
func (e *SkillExpr) UnmarshalText(text []byte) error {
	p, err := ParseSkillExpr(string(text))
	if err != nil {
		return err
	}
	if p == nil {
		*e = SkillExpr{}
		return nil
	}
	*e = *p
	return nil
}

// compile fills e.prog for n so that evaluation continues at ifTrue or
// ifFalse. Leaves were numbered left to right while parsing, so a later
// sibling's first leaf is always after every leaf of an earlier one: jumps go
// only forward and Match always terminates.
func (e *SkillExpr) compile(n *skillNode, ifTrue, ifFalse int32) {
	switch n.kind {
	case skillLeaf:
		t := skillInstr{name: n.name, lo: math.MinInt, hi: math.MaxInt, ifTrue: ifTrue, ifFalse: ifFalse}
		switch n.op {
		case ">=":
			t.lo = n.level
		case ">":
			t.lo = n.level + 1
		case "<=":
			t.hi = n.level
		case "<":
			t.hi = n.level - 1
		case "==":
			t.lo, t.hi = n.level, n.level
		case "!=":
			t.lo, t.hi = n.level, n.level
			t.ifTrue, t.ifFalse = ifFalse, ifTrue
		}
		e.prog[n.index] = t
	case skillNot:
		e.compile(n.kids[0], ifFalse, ifTrue)
	case skillAnd:
		for i, k := range n.kids {
			next := ifTrue
			if i+1 < len(n.kids) {
				next = n.kids[i+1].firstLeaf()
			}
			e.compile(k, next, ifFalse)
		}
	case skillOr:
		for i, k := range n.kids {
			next := ifFalse
			if i+1 < len(n.kids) {
				next = n.kids[i+1].firstLeaf()
			}
			e.compile(k, ifTrue, next)
		}
	}
}

type skillNodeKind uint8

const (
	skillLeaf skillNodeKind = iota
	skillNot
	skillAnd
	skillOr
)

// skillNode is the parse tree; it only lives during ParseSkillExpr.
type skillNode struct {
	kind  skillNodeKind
	kids  []*skillNode // one for skillNot; two or more for skillAnd/skillOr
	name  string       // skillLeaf
	op    string       // skillLeaf: one of >= > <= < == !=
	level int          // skillLeaf
	index int32        // skillLeaf: position in the program
}

func (n *skillNode) firstLeaf() int32 {
	for n.kind != skillLeaf {
		n = n.kids[0]
	}
	return n.index
}

// format writes the canonical form. It never adds a "(" or "!" the source
// lacked, so it stays within maxSkillExprDepth.
func (n *skillNode) format(b *strings.Builder) {
	switch n.kind {
	case skillLeaf:
		b.WriteString(n.name)
		if n.op != ">=" || n.level != 1 {
			b.WriteString(n.op)
			b.WriteString(strconv.Itoa(n.level))
		}
	case skillNot:
		b.WriteByte('!')
		n.kids[0].formatOperand(b, skillNot)
	case skillAnd, skillOr:
		sep := " && "
		if n.kind == skillOr {
			sep = " || "
		}
		for i, k := range n.kids {
			if i > 0 {
				b.WriteString(sep)
			}
			k.formatOperand(b, n.kind)
		}
	}
}

// formatOperand parenthesises n when it binds more loosely than its parent.
// Tighter binding has the lower kind value (leaf, not, and, or).
func (n *skillNode) formatOperand(b *strings.Builder, parent skillNodeKind) {
	if n.kind > parent {
		b.WriteByte('(')
		n.format(b)
		b.WriteByte(')')
		return
	}
	n.format(b)
}

// skillParser is a recursive-descent parser over the source string.
type skillParser struct {
	src    string
	pos    int
	depth  int
	leaves int32
}

func (p *skillParser) fail(off int, format string, args ...any) *SkillExprError {
	return &SkillExprError{Expr: p.src, Offset: off, Msg: fmt.Sprintf(format, args...)}
}

// unexpected reports what was found at p.pos after saying what was wanted.
func (p *skillParser) unexpected(want string) *SkillExprError {
	if p.pos >= len(p.src) {
		return p.fail(p.pos, "%s, found end of expression", want)
	}
	r, _ := utf8.DecodeRuneInString(p.src[p.pos:])
	return p.fail(p.pos, "%s, found %q", want, string(r))
}

func isSkillSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r'
}

func (p *skillParser) skipSpace() {
	for p.pos < len(p.src) && isSkillSpace(p.src[p.pos]) {
		p.pos++
	}
}

func (p *skillParser) peek(off int) byte {
	if p.pos+off < len(p.src) {
		return p.src[p.pos+off]
	}
	return 0
}

// or = and { "||" and }
func (p *skillParser) or() (*skillNode, error) {
	return p.binary(skillOr, '|', p.and)
}

// and = unary { "&&" unary }
func (p *skillParser) and() (*skillNode, error) {
	return p.binary(skillAnd, '&', p.unary)
}

// binary parses operands separated by a doubled op byte. Operands of the same
// kind are flattened so that "a && (b && c)" and "a && b && c" have one
// canonical form.
func (p *skillParser) binary(kind skillNodeKind, op byte, operand func() (*skillNode, error)) (*skillNode, error) {
	n, err := operand()
	if err != nil {
		return nil, err
	}
	var kids []*skillNode
	for {
		p.skipSpace()
		if p.peek(0) != op {
			break
		}
		if p.peek(1) != op {
			return nil, p.fail(p.pos, "expected %q", string([]byte{op, op}))
		}
		p.pos += 2
		m, err := operand()
		if err != nil {
			return nil, err
		}
		if kids == nil {
			kids = appendSkillOperand(kids, kind, n)
		}
		kids = appendSkillOperand(kids, kind, m)
	}
	if kids == nil {
		return n, nil
	}
	return &skillNode{kind: kind, kids: kids}, nil
}

func appendSkillOperand(kids []*skillNode, kind skillNodeKind, n *skillNode) []*skillNode {
	if n.kind == kind {
		return append(kids, n.kids...)
	}
	return append(kids, n)
}

// unary = "!" unary | "(" expr ")" | cmp
func (p *skillParser) unary() (*skillNode, error) {
	p.skipSpace()
	start := p.pos
	switch p.peek(0) {
	case '!', '(':
		if p.depth >= maxSkillExprDepth {
			return nil, p.fail(start, "nested deeper than %d", maxSkillExprDepth)
		}
		p.depth++
		defer func() { p.depth-- }()
	}
	switch {
	case p.peek(0) == '!' && p.peek(1) != '=':
		p.pos++
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		return &skillNode{kind: skillNot, kids: []*skillNode{x}}, nil
	case p.peek(0) == '(':
		p.pos++
		x, err := p.or()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.peek(0) != ')' {
			return nil, p.unexpected(fmt.Sprintf(`expected "&&", "||" or ")" to close "(" at offset %d`, start))
		}
		p.pos++
		return x, nil
	}
	return p.cmp()
}

// cmp = IDENT [ op INT ]
func (p *skillParser) cmp() (*skillNode, error) {
	start := p.pos
	name := p.ident()
	if name == "" {
		return nil, p.unexpected(`expected a skill name, "!" or "("`)
	}
	if len(name) > maxSkillNameLen {
		return nil, p.fail(start, "skill name longer than %d bytes", maxSkillNameLen)
	}
	n := &skillNode{kind: skillLeaf, name: name, op: ">=", level: 1, index: p.leaves}
	p.leaves++

	p.skipSpace()
	opStart := p.pos
	switch c, c1 := p.peek(0), p.peek(1); {
	case (c == '>' || c == '<' || c == '=' || c == '!') && c1 == '=':
		n.op = p.src[p.pos : p.pos+2]
	case c == '>' || c == '<':
		n.op = p.src[p.pos : p.pos+1]
	case c == '=':
		return nil, p.fail(opStart, `"=" is not an operator, use "=="`)
	default:
		return n, nil // a bare name means "has the skill"
	}
	p.pos += len(n.op)

	p.skipSpace()
	numStart := p.pos
	for p.pos < len(p.src) && '0' <= p.src[p.pos] && p.src[p.pos] <= '9' {
		p.pos++
	}
	digits := p.src[numStart:p.pos]
	if digits == "" {
		p.pos = numStart
		return nil, p.fail(numStart, "expected a level 0-%d after %s", maxSkillLevel, n.op)
	}
	level, err := strconv.Atoi(digits)
	if err != nil || level > maxSkillLevel {
		return nil, p.fail(numStart, "level %s out of range 0-%d", digits, maxSkillLevel)
	}
	n.level = level
	return n, nil
}

// ident scans IDENT: a letter or '_', then letters, digits, marks, '_' or
// '-'. Marks are allowed so names in scripts such as Devanagari parse.
func (p *skillParser) ident() string {
	start := p.pos
	for p.pos < len(p.src) {
		r, size := utf8.DecodeRuneInString(p.src[p.pos:])
		ok := r == '_' || unicode.IsLetter(r)
		if p.pos > start {
			ok = ok || r == '-' || unicode.IsDigit(r) || unicode.IsMark(r)
		}
		if !ok {
			break
		}
		p.pos += size
	}
	return p.src[start:p.pos]
}
