package pbx

import (
	"errors"
	"testing"
)

func TestCheckDial(t *testing.T) {
	for _, tc := range []struct {
		trunk, number string
		ok            bool
	}{
		{"carrier-a", "4930123456", true},
		{"carrier.b_2", "+4930123456", true},
		{"a", "12345678901234567890", true},
		{"a", "123456789012345678901", false}, // 21 digits
		{"a", "", false},
		{"a", "+", false},
		{"a", "++49", false},
		{"a", "49 30", false},
		{"a", "49&PJSIP/1001", false},
		{"a", "49,1", false},
		{"", "49", false},
		{"-a", "49", false},
		{"a/b", "49", false},
		{"a@b", "49", false},
	} {
		err := CheckDial(tc.trunk, tc.number)
		if tc.ok != (err == nil) || (err != nil && !errors.Is(err, ErrBadDial)) {
			t.Errorf("CheckDial(%q, %q) = %v, want ok=%v", tc.trunk, tc.number, err, tc.ok)
		}
	}
}
