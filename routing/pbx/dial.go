package pbx

import (
	"errors"
	"fmt"
)

// ErrBadDial is returned by a driver for an Originate it will not dial.
var ErrBadDial = errors.New("bad dial")

// maxNumberDigits bounds a dialled number (E.164 has at most 15 digits;
// national plans with prefixes stay under this).
const maxNumberDigits = 20

// CheckDial is the drivers' last check before a number and a trunk name go
// into a dial string: the number is digits with an optional leading +,
// the trunk a config name (letters, digits, '_', '.', '-'). Anything else
// could dial a second destination ('&', ',', '/', '@').
func CheckDial(trunk, number string) error {
	if trunk == "" || !nameChars(trunk) {
		return fmt.Errorf("%w: trunk %q must be letters, digits, '_', '.' or '-'", ErrBadDial, trunk)
	}
	digits := number
	if len(digits) > 0 && digits[0] == '+' {
		digits = digits[1:]
	}
	if digits == "" || len(digits) > maxNumberDigits {
		return fmt.Errorf("%w: number %q must have 1 to %d digits", ErrBadDial, number, maxNumberDigits)
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return fmt.Errorf("%w: number %q must be digits with an optional leading +", ErrBadDial, number)
		}
	}
	return nil
}

func nameChars(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		ok := c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || (i > 0 && (c == '_' || c == '.' || c == '-'))
		if !ok {
			return false
		}
	}
	return true
}
