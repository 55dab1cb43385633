package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"

	"github.com/labstack/echo/v4"

	"switchboard/auth"
)

// Privacy is who sees callers' full numbers. Everyone else sees them
// masked (138****5678) in every JSON answer and on the live feed; the
// Reveal roles may ask for one full number at a time, which is audited.
type Privacy struct {
	FullNumbers []auth.Role `yaml:"full_numbers"`
	Reveal      []auth.Role `yaml:"reveal"`
	// AgentRecordings lets agents play the recordings of their own calls
	// (team leads, supervisors and quality inspectors always may).
	AgentRecordings bool `yaml:"agent_recordings"`
}

// DefaultPrivacy: agents see the number of the call they are on (they
// only ever see their own calls); team leads and supervisors reveal on
// demand; quality inspectors and admins never see one.
var DefaultPrivacy = Privacy{
	FullNumbers: []auth.Role{auth.Agent},
	Reveal:      []auth.Role{auth.TeamLead, auth.Supervisor},
}

// seesNumbers: role sees full numbers, always or by revealing them.
func (p Privacy) seesNumbers(role auth.Role) bool {
	return slices.Contains(p.FullNumbers, role) || slices.Contains(p.Reveal, role)
}

func (s *Server) masks(p auth.Principal) bool {
	return !slices.Contains(s.cfg.Privacy.FullNumbers, p.Role)
}

// MaskNumber hides the middle of a phone number: 13812345678 →
// 138****5678. Strings that are not numbers of 7 digits or more (an
// extension, a name) come back unchanged.
func MaskNumber(v string) string {
	if !isPhoneNumber(v) {
		return v
	}
	plus := ""
	if v[0] == '+' {
		plus, v = "+", v[1:]
	}
	keep, tail := 3, 4
	if len(v) < 11 {
		keep, tail = 2, 2
	}
	return plus + v[:keep] + stars(len(v)-keep-tail) + v[len(v)-tail:]
}

func stars(n int) string { return string(bytes.Repeat([]byte{'*'}, n)) }

func isPhoneNumber(v string) bool {
	d := v
	if len(d) > 0 && d[0] == '+' {
		d = d[1:]
	}
	if len(d) < 7 || len(d) > 20 {
		return false
	}
	for i := 0; i < len(d); i++ {
		if d[i] < '0' || d[i] > '9' {
			return false
		}
	}
	return true
}

// MaskText masks every phone number inside v (MaskNumber of each): a run
// of 7 to 20 digits, with its leading + if any, that is a word of its own
// — not part of a longer word, an ID or a time: a run right after or
// before a letter, digit, '.', '-' or '_' is not a number someone keyed
// in, so "…T09:30:01.123456789Z" keeps its fraction. Notes ("call me on
// 13812345678"), keyed-in digits in an IVR path ("collect:6222…") and
// whole numbers are all masked; the rest of v is kept.
func MaskText(v string) string {
	var b []byte // nil until something is masked
	last := 0
	for i := 0; i < len(v); {
		if !isDigit(v[i]) || (i > 0 && wordByte(v[i-1]) && v[i-1] != '+') {
			i++
			continue
		}
		start := i
		if i > 0 && v[i-1] == '+' {
			if i > 1 && wordByte(v[i-2]) {
				i++
				continue
			}
			start = i - 1
		}
		j := i
		for j < len(v) && isDigit(v[j]) {
			j++
		}
		// A '.' ends a sentence, but "1764763353.42" (an Asterisk
		// uniqueid) or a decimal is no number.
		end := j == len(v) || !wordByte(v[j]) || v[j] == '.' && (j+1 == len(v) || !isDigit(v[j+1]))
		if n := j - i; n >= 7 && n <= 20 && end {
			b = append(append(b, v[last:start]...), MaskNumber(v[start:j])...)
			last = j
		}
		i = j
	}
	if b == nil {
		return v
	}
	return string(append(b, v[last:]...))
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// wordByte: a byte that continues a word, an ID or a time.
func wordByte(c byte) bool {
	return isDigit(c) || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '.' || c == '-' || c == '_' || c == '+'
}

// maskJSON masks the phone numbers in every string value in b (MaskText;
// object keys are left alone). It rewrites those strings in place and keeps the
// rest of b as it is, so a record or answer is not decoded and encoded
// again for masking; b must be JSON.
func maskJSON(b []byte) ([]byte, error) {
	if !json.Valid(b) {
		return nil, errNotJSON
	}
	var (
		out     []byte
		last    int
		objects []bool // per open container: is it an object
		key     bool   // the next string is an object key
	)
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '{', '[':
			objects = append(objects, b[i] == '{')
			key = b[i] == '{'
		case '}', ']':
			objects = objects[:len(objects)-1]
			key = false
		case ',':
			key = len(objects) > 0 && objects[len(objects)-1]
		case ':':
			key = false
		case '"':
			end := stringEnd(b, i)
			if !key {
				if m, ok := maskString(b[i:end]); ok {
					out = append(append(out, b[last:i]...), m...)
					last = end
				}
			}
			key = false
			i = end - 1
		}
	}
	if out == nil {
		return b, nil
	}
	return append(out, b[last:]...), nil
}

var errNotJSON = errors.New("mask: not JSON")

// stringEnd is the index just past the string literal opening at b[i].
func stringEnd(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(b)
}

// maskString is the literal lit masked, if it holds a phone number.
func maskString(lit []byte) ([]byte, bool) {
	inner := lit[1 : len(lit)-1]
	if !bytes.ContainsRune(inner, '\\') {
		m := MaskText(string(inner))
		if m == string(inner) {
			return nil, false
		}
		return []byte(`"` + m + `"`), true
	}
	var v string
	if err := json.Unmarshal(lit, &v); err != nil {
		return nil, false
	}
	m := MaskText(v)
	if m == v {
		return nil, false
	}
	out, err := json.Marshal(m)
	return out, err == nil
}

// MaskFor returns how JSON for p must be transformed before it leaves the
// server (nil: as it is). The live feed uses it on each event.
func (s *Server) MaskFor(p auth.Principal) func([]byte) ([]byte, error) {
	if !s.masks(p) {
		return nil
	}
	return maskJSON
}

// maskingSerializer is Echo's JSON serializer with masking for principals
// who may not see full numbers: every c.JSON goes through it.
type maskingSerializer struct {
	echo.DefaultJSONSerializer
	s *Server
}

func (m maskingSerializer) Serialize(c echo.Context, i any, indent string) error {
	p := principalOf(c)
	if p.Role == "" || !m.s.masks(p) {
		return m.DefaultJSONSerializer.Serialize(c, i, indent)
	}
	b, err := json.Marshal(i)
	if err != nil {
		return err
	}
	if b, err = maskJSON(b); err != nil {
		return err
	}
	_, err = c.Response().Write(append(b, '\n'))
	return err
}
