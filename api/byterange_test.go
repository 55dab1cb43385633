package api

import (
	"errors"
	"net/http"
	"testing"
)

func TestParseRange(t *testing.T) {
	tests := []struct {
		h      string
		size   int64
		want   *byteRange
		status int // 0: no error
	}{
		{"", 100, nil, 0},
		{"bytes=0-", 100, &byteRange{0, 100}, 0},
		{"bytes=0-9", 100, &byteRange{0, 10}, 0},
		{"bytes=50-", 100, &byteRange{50, 50}, 0},
		{"bytes=90-200", 100, &byteRange{90, 10}, 0},
		{"bytes=99-99", 100, &byteRange{99, 1}, 0},
		{"bytes=-10", 100, &byteRange{90, 10}, 0},
		{"bytes=-500", 100, &byteRange{0, 100}, 0},
		{"bytes=100-", 100, nil, http.StatusRequestedRangeNotSatisfiable},
		{"bytes=1000-2000", 100, nil, http.StatusRequestedRangeNotSatisfiable},
		{"bytes=-0", 100, nil, http.StatusRequestedRangeNotSatisfiable},
		{"bytes=0-", 0, nil, http.StatusRequestedRangeNotSatisfiable},
		{"bytes=9-0", 100, nil, http.StatusBadRequest},
		{"bytes=0-1,5-6", 100, nil, http.StatusBadRequest},
		{"items=0-1", 100, nil, http.StatusBadRequest},
		{"bytes=a-", 100, nil, http.StatusBadRequest},
		{"bytes=-", 100, nil, http.StatusBadRequest},
		{"bytes=5", 100, nil, http.StatusBadRequest},
		{"bytes=+5-", 100, nil, http.StatusBadRequest},
		{"bytes=99999999999999999999-", 100, nil, http.StatusBadRequest},
	}
	for _, tt := range tests {
		got, err := parseRange(tt.h, tt.size)
		var e *Error
		switch {
		case tt.status == 0 && err != nil:
			t.Errorf("%q: %v", tt.h, err)
		case tt.status != 0 && (!errors.As(err, &e) || e.Status != tt.status || e.Field != "Range"):
			t.Errorf("%q: error %v, want %d naming Range", tt.h, err, tt.status)
		case tt.status == 0 && (got == nil) != (tt.want == nil):
			t.Errorf("%q: %+v, want %+v", tt.h, got, tt.want)
		case tt.want != nil && *got != *tt.want:
			t.Errorf("%q: %+v, want %+v", tt.h, *got, *tt.want)
		}
	}
}

func FuzzParseRange(f *testing.F) {
	for _, s := range []string{"bytes=0-", "bytes=-5", "bytes=3-9", "bytes=9-3", "bytes=0-1,2-3", ""} {
		f.Add(s, int64(100))
	}
	f.Fuzz(func(t *testing.T, h string, size int64) {
		if size < 0 {
			size = -size
		}
		if size < 0 {
			return
		}
		r, err := parseRange(h, size)
		if err != nil || r == nil {
			return
		}
		if r.start < 0 || r.length < 1 || r.start+r.length > size {
			t.Fatalf("%q in %d bytes: %+v", h, size, *r)
		}
	})
}
