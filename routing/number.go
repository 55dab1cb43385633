package routing

import (
	"strconv"
	"strings"
)

// Reasons a dialled number is refused (FieldError.Reason starts with one).
const (
	NumberEmpty    = "required"
	NumberLetters  = "must be digits, with an optional leading +"
	NumberTooShort = "too short"
	NumberTooLong  = "too long"
	NumberBadCode  = "not a country code: an international number cannot start with 0"
)

// maxNumberInput bounds what is even looked at.
const maxNumberInput = 64

// Normalise reads a dialled number under the plan: separators (spaces,
// dashes, dots, brackets) go, the rest must be digits with an optional
// leading +, of min_digits to max_digits digits. With a country code the
// result is E.164; without, it stays as dialled. The error names field
// "number" and the reason.
func (p NumberPlan) Normalise(raw string) (string, *FieldError) {
	bad := func(reason string) (string, *FieldError) {
		return "", &FieldError{Field: "number", Reason: reason}
	}
	if len(raw) > maxNumberInput {
		return bad(NumberTooLong + ": at most " + strconv.Itoa(p.MaxDigits) + " digits")
	}
	var b strings.Builder
	for i, r := range strings.TrimSpace(raw) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')':
		default:
			return bad(NumberLetters)
		}
	}
	n := b.String()
	digits := strings.TrimPrefix(n, "+")
	switch {
	case digits == "":
		return bad(NumberEmpty)
	case len(digits) < p.MinDigits:
		return bad(NumberTooShort + ": at least " + strconv.Itoa(p.MinDigits) + " digits")
	case len(digits) > p.MaxDigits:
		return bad(NumberTooLong + ": at most " + strconv.Itoa(p.MaxDigits) + " digits")
	}
	if p.CountryCode == "" || strings.HasPrefix(n, "+") {
		return p.checked(n)
	}
	switch {
	case p.InternationalPrefix != "" && strings.HasPrefix(n, p.InternationalPrefix):
		n = "+" + strings.TrimPrefix(n, p.InternationalPrefix)
	case p.NationalPrefix != "" && strings.HasPrefix(n, p.NationalPrefix):
		n = "+" + p.CountryCode + strings.TrimPrefix(n, p.NationalPrefix)
	default:
		n = "+" + p.CountryCode + n
	}
	if len(n)-1 > 15 { // E.164 has at most 15 digits
		return bad(NumberTooLong + ": more than the 15 digits of an E.164 number")
	}
	return p.checked(n)
}

// checked refuses what a prefix rewrite can leave: an international
// number starting with 0, or fewer digits than the plan's minimum.
func (p NumberPlan) checked(n string) (string, *FieldError) {
	digits := strings.TrimPrefix(n, "+")
	switch {
	case strings.HasPrefix(n, "+0"):
		return "", &FieldError{Field: "number", Reason: NumberBadCode}
	case len(digits) < p.MinDigits:
		return "", &FieldError{Field: "number", Reason: NumberTooShort + ": at least " + strconv.Itoa(p.MinDigits) + " digits"}
	}
	return n, nil
}

// international says whether a normalised number is outside the plan's
// country (always false for a national plan without a country code).
func (p NumberPlan) international(n string) bool {
	return p.CountryCode != "" && strings.HasPrefix(n, "+") && !strings.HasPrefix(n, "+"+p.CountryCode)
}

// restriction is the restricted prefix number falls under for role, nil
// when role may dial it.
func (o *Outbound) restriction(number, role string) *RestrictedPrefix {
	for i := range o.RestrictedPrefixes {
		r := &o.RestrictedPrefixes[i]
		if !strings.HasPrefix(number, r.Prefix) {
			continue
		}
		if r.Why == WhyInternational && !o.Numbers.international(number) {
			continue
		}
		allowed := false
		for _, x := range r.Roles {
			allowed = allowed || x == role
		}
		if !allowed {
			return r
		}
	}
	return nil
}
