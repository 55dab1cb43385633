package api

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// byteRange is one satisfiable range of a body of known size: bytes
// start..start+length-1.
type byteRange struct {
	start, length int64
}

// contentRange is the Content-Range header of r in a body of size bytes.
func (r byteRange) contentRange(size int64) string {
	return fmt.Sprintf("bytes %d-%d/%d", r.start, r.start+r.length-1, size)
}

// CodeRangeNotSatisfiable: a Range past the end of the recording (416).
const CodeRangeNotSatisfiable = "range_not_satisfiable"

// parseRange reads a Range header for a body of size bytes (RFC 9110
// 14.1.2): "bytes=a-b", "bytes=a-" or "bytes=-n". It returns nil for no
// header (the whole body). A header that is not a single byte range is a
// 400 naming Range; one that starts past the end is a 416 saying how big
// the body is. The browser's audio element sends "bytes=0-" and seeks
// with "bytes=N-".
func parseRange(h string, size int64) (*byteRange, error) {
	if h == "" {
		return nil, nil
	}
	bad := func(why string) error {
		return &Error{Status: http.StatusBadRequest, Code: CodeBadRequest, Field: "Range", Message: why}
	}
	spec, ok := strings.CutPrefix(h, "bytes=")
	if !ok {
		return nil, bad("only byte ranges are served: bytes=START-END")
	}
	if strings.Contains(spec, ",") {
		return nil, bad("one range at a time: bytes=START-END")
	}
	first, last, ok := strings.Cut(strings.TrimSpace(spec), "-")
	if !ok {
		return nil, bad("a range is START-END, START- or -SUFFIX")
	}
	num := func(s string) (int64, bool) {
		if s == "" || len(s) > 18 || strings.TrimLeft(s, "0123456789") != "" {
			return 0, false
		}
		n, err := strconv.ParseInt(s, 10, 64)
		return n, err == nil
	}
	past := func() error {
		return &Error{Status: http.StatusRequestedRangeNotSatisfiable, Code: CodeRangeNotSatisfiable, Field: "Range",
			Message: fmt.Sprintf("range %q starts past the end: the recording has %d bytes (0-%d)", h, size, size-1)}
	}
	if first == "" { // the last n bytes
		n, ok := num(last)
		if !ok {
			return nil, bad("a suffix range is -N with N a number of bytes")
		}
		if n == 0 || size == 0 {
			return nil, past()
		}
		n = min(n, size)
		return &byteRange{start: size - n, length: n}, nil
	}
	start, ok := num(first)
	if !ok {
		return nil, bad("the range's start must be a number of bytes")
	}
	end := size - 1
	if last != "" {
		e, ok := num(last)
		if !ok {
			return nil, bad("the range's end must be a number of bytes")
		}
		if e < start {
			return nil, bad("the range ends before it starts")
		}
		end = min(e, size-1)
	}
	if start >= size {
		return nil, past()
	}
	return &byteRange{start: start, length: end - start + 1}, nil
}
