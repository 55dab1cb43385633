package esl

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// Limits on what one Event Socket message may make us allocate. A real
// FreeSWITCH event is a few KB (the largest in the captures is 11 KB); a
// hostile or corrupt Content-Length must not make the reader allocate
// gigabytes.
const (
	// DefaultMaxBody caps a message body (Content-Length).
	DefaultMaxBody = 4 << 20
	maxHeaderLine  = 64 << 10
	maxHeaders     = 4096
)

// Content types FreeSWITCH sends (mod_event_socket.c).
const (
	typeAuthRequest = "auth/request"
	typeCommand     = "command/reply"
	typeAPI         = "api/response"
	typeEventPlain  = "text/event-plain"
	typeEventJSON   = "text/event-json"
	typeDisconnect  = "text/disconnect-notice"
	typeLog         = "log/data"
)

// Message is one Event Socket message: a header block and, when the
// headers carry Content-Length, a body of exactly that many bytes.
// Header values are percent-decoded (FreeSWITCH URL-encodes them in the
// outbound connect reply, e.g. "Reply-Text: %2BOK%0A").
type Message struct {
	Header Header
	Body   []byte
}

// Header is a message's or an event's headers. FreeSWITCH's names are
// case-sensitive on the wire but unique; Get is an exact lookup.
type Header map[string]string

// Get returns the value of name ("" if absent).
func (h Header) Get(name string) string { return h[name] }

// ContentType is the message's Content-Type header.
func (m *Message) ContentType() string { return m.Header["Content-Type"] }

// ReplyText is a command/reply's Reply-Text.
func (m *Message) ReplyText() string { return m.Header["Reply-Text"] }

// frameReader reads messages off a stream.
type frameReader struct {
	r       *bufio.Reader
	maxBody int
}

func newFrameReader(r io.Reader, maxBody int) *frameReader {
	if maxBody <= 0 {
		maxBody = DefaultMaxBody
	}
	return &frameReader{r: bufio.NewReaderSize(r, 64<<10), maxBody: maxBody}
}

// read returns the next message. Blank lines between messages are
// skipped, as FreeSWITCH's own client does. A stream that ends between
// messages returns io.EOF; one that ends inside a message returns
// io.ErrUnexpectedEOF; a malformed message returns a *FrameError.
func (f *frameReader) read() (*Message, error) {
	h, err := readHeaderBlock(f.r, true)
	if err != nil {
		return nil, err
	}
	m := &Message{Header: h}
	if cl, ok := h["Content-Length"]; ok {
		n, err := parseLength(cl, f.maxBody)
		if err != nil {
			return nil, err
		}
		if n > 0 {
			m.Body = make([]byte, n)
			if _, err := io.ReadFull(f.r, m.Body); err != nil {
				if errors.Is(err, io.EOF) {
					err = io.ErrUnexpectedEOF
				}
				return nil, err
			}
		}
	}
	return m, nil
}

func parseLength(s string, max int) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	switch {
	case err != nil || n < 0:
		return 0, &FrameError{Reason: "bad Content-Length " + strconv.Quote(clipString(s, 32))}
	case n > max:
		return 0, &FrameError{Reason: fmt.Sprintf("Content-Length %d above the limit of %d", n, max)}
	}
	return n, nil
}

// lineReader is what readHeaderBlock needs: bufio.Reader and bytes.Reader
// (via a bufio wrapper) both do.
type lineReader interface {
	ReadSlice(delim byte) ([]byte, error)
}

// readHeaderBlock reads "Name: value" lines up to an empty line. With
// skipBlank, empty lines before the first header are skipped.
func readHeaderBlock(r lineReader, skipBlank bool) (Header, error) {
	h := make(Header, 8)
	lines := 0
	for {
		line, err := readLine(r)
		if err != nil {
			if errors.Is(err, io.EOF) && (len(h) > 0 || len(line) > 0) {
				return nil, io.ErrUnexpectedEOF
			}
			return nil, err
		}
		if len(line) == 0 {
			if len(h) == 0 && skipBlank {
				continue
			}
			return h, nil
		}
		lines++
		if lines > maxHeaders {
			return nil, &FrameError{Reason: fmt.Sprintf("more than %d header lines", maxHeaders)}
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok || len(name) == 0 {
			return nil, &FrameError{Reason: "header line without a name: " + strconv.Quote(clipString(string(line), 64))}
		}
		h[string(name)] = unescape(string(bytes.TrimLeft(value, " ")))
	}
}

// readLine returns one line without its "\n" (and "\r"), refusing lines
// longer than maxHeaderLine without buffering them.
func readLine(r lineReader) ([]byte, error) {
	var long []byte
	for {
		frag, err := r.ReadSlice('\n')
		if err == nil {
			if long != nil {
				frag = append(long, frag...)
			}
			frag = frag[:len(frag)-1]
			if n := len(frag); n > 0 && frag[n-1] == '\r' {
				frag = frag[:n-1]
			}
			return frag, nil
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			if len(long)+len(frag) > maxHeaderLine {
				return nil, &FrameError{Reason: fmt.Sprintf("header line longer than %d bytes", maxHeaderLine)}
			}
			long = append(long, frag...)
			continue
		}
		return append(long, frag...), err
	}
}

// unescape percent-decodes v the way FreeSWITCH encodes header values
// (switch_url_encode: %XX only; '+' stays '+'). An invalid escape is kept
// as it is, so a value is never lost.
func unescape(v string) string {
	i := strings.IndexByte(v, '%')
	if i < 0 {
		return v
	}
	var b strings.Builder
	b.Grow(len(v))
	b.WriteString(v[:i])
	for ; i < len(v); i++ {
		c := v[i]
		if c == '%' && i+2 < len(v) {
			hi, ok1 := unhex(v[i+1])
			lo, ok2 := unhex(v[i+2])
			if ok1 && ok2 {
				b.WriteByte(hi<<4 | lo)
				i += 2
				continue
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// Event is a FreeSWITCH event: its headers and its body (BACKGROUND_JOB's
// result, an event's _body).
type Event struct {
	Header Header
	Body   string
}

// Name is the Event-Name header.
func (e *Event) Name() string { return e.Header["Event-Name"] }

// Get returns the value of header name.
func (e *Event) Get(name string) string { return e.Header[name] }

// parseEvent decodes a text/event-plain or text/event-json message body.
func parseEvent(m *Message) (*Event, error) {
	switch m.ContentType() {
	case typeEventPlain:
		return parsePlainEvent(m.Body)
	case typeEventJSON:
		return parseJSONEvent(m.Body)
	}
	return nil, &FrameError{Reason: "not an event: Content-Type " + strconv.Quote(m.ContentType())}
}

// parsePlainEvent: a header block with URL-encoded values, then, if the
// block has Content-Length, that many bytes of body.
func parsePlainEvent(body []byte) (*Event, error) {
	r := bufio.NewReader(bytes.NewReader(body))
	h, err := readHeaderBlock(r, false)
	if err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			// The last header line may end the body without a blank line.
			h, err = readHeaderBlock(bufio.NewReader(io.MultiReader(bytes.NewReader(body), strings.NewReader("\n\n"))), false)
		}
		if err != nil {
			return nil, fmt.Errorf("event-plain: %w", err)
		}
	}
	if h["Event-Name"] == "" {
		return nil, &FrameError{Reason: "event without Event-Name"}
	}
	ev := &Event{Header: h}
	if cl, ok := h["Content-Length"]; ok {
		n, err := parseLength(cl, len(body))
		if err != nil {
			return nil, fmt.Errorf("event-plain: %w", err)
		}
		rest, _ := io.ReadAll(r)
		if len(rest) < n {
			return nil, &FrameError{Reason: fmt.Sprintf("event body of %d bytes, Content-Length %d", len(rest), n)}
		}
		ev.Body = string(rest[:n])
	}
	return ev, nil
}

// parseJSONEvent: one JSON object of string values (arrays for headers
// with several values, e.g. variable_DP_MATCH); "_body" is the body.
func parseJSONEvent(body []byte) (*Event, error) {
	var raw map[string]any
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, fmt.Errorf("event-json: %w", err)
	}
	h := make(Header, len(raw))
	ev := &Event{Header: h}
	for k, v := range raw {
		var s string
		switch v := v.(type) {
		case string:
			s = v
		case []any:
			parts := make([]string, 0, len(v))
			for _, p := range v {
				ps, ok := p.(string)
				if !ok {
					return nil, &FrameError{Reason: "event-json: header " + strconv.Quote(clipString(k, 64)) + " holds a non-string"}
				}
				parts = append(parts, ps)
			}
			s = strings.Join(parts, "|")
		case float64:
			s = strconv.FormatFloat(v, 'f', -1, 64)
		default:
			return nil, &FrameError{Reason: "event-json: header " + strconv.Quote(clipString(k, 64)) + " is not a string"}
		}
		if k == "_body" {
			ev.Body = s
			continue
		}
		h[k] = s
	}
	if h["Event-Name"] == "" {
		return nil, &FrameError{Reason: "event without Event-Name"}
	}
	return ev, nil
}

// writeCommand writes one command: its lines, then a blank line. Lines
// must not contain newlines themselves (that would inject a command).
func appendCommand(buf []byte, lines ...string) ([]byte, error) {
	for _, l := range lines {
		if strings.ContainsAny(l, "\r\n") {
			return nil, fmt.Errorf("esl: command line %q contains a newline", clipString(l, 64))
		}
		buf = append(buf, l...)
		buf = append(buf, '\n')
	}
	return append(buf, '\n'), nil
}

func clipString(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// sortedNames lists h's names, for stable output in tests and errors.
func (h Header) sortedNames() []string {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}
