package api

import (
	"bytes"
	"encoding/json"
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
}

// DefaultPrivacy: agents see the number of the call they are on (they
// only ever see their own calls); team leads and supervisors reveal on
// demand; quality inspectors and admins never see one.
var DefaultPrivacy = Privacy{
	FullNumbers: []auth.Role{auth.Agent},
	Reveal:      []auth.Role{auth.TeamLead, auth.Supervisor},
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

// maskJSON masks every string value in b that is a phone number.
func maskJSON(b []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return json.Marshal(maskValue(v))
}

func maskValue(v any) any {
	switch t := v.(type) {
	case string:
		return MaskNumber(t)
	case []any:
		for i := range t {
			t[i] = maskValue(t[i])
		}
	case map[string]any:
		for k := range t {
			t[k] = maskValue(t[k])
		}
	}
	return v
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
