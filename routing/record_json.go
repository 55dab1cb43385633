package routing

import (
	"encoding/json"
	"strconv"
	"time"
)

// JSON is rec as json.Marshal encodes it, byte for byte. A record the
// engine made (its payload set) is written around the engine's own Data
// without the second scan json.Marshal gives a RawMessage; any other
// record, or one with bytes json.Marshal would escape, goes through
// json.Marshal.
func (r *Record) JSON() ([]byte, error) {
	if r.payload == nil || !plainTime(r.Time) || !plainData(r.Data) ||
		!plainString(r.Type) || !plainString(r.CallID) || !plainString(r.AgentID) || !plainString(r.Queue) {
		return json.Marshal(r)
	}
	b := make([]byte, 0, 128+len(r.Type)+len(r.CallID)+len(r.AgentID)+len(r.Queue)+len(r.Data))
	b = append(b, `{"seq":`...)
	b = strconv.AppendInt(b, r.Seq, 10)
	b = append(b, `,"time":"`...)
	b = r.Time.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","type":"`...)
	b = append(b, r.Type...)
	b = append(b, '"')
	b = appendField(b, `,"call_id":"`, r.CallID)
	b = appendField(b, `,"agent_id":"`, r.AgentID)
	b = appendField(b, `,"queue":"`, r.Queue)
	if len(r.Data) > 0 {
		b = append(b, `,"data":`...)
		b = append(b, r.Data...)
	}
	return append(b, '}'), nil
}

// appendField appends an omitempty string field; name ends in its opening
// quote.
func appendField(b []byte, name, v string) []byte {
	if v == "" {
		return b
	}
	b = append(b, name...)
	b = append(b, v...)
	return append(b, '"')
}

// plainString: s is printable ASCII json.Marshal writes as it is (no quote,
// backslash or HTML-escaped byte).
func plainString(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}

// plainData: the engine's compact JSON holds nothing json.Marshal's
// HTML-escaping compaction would change (<, >, &, U+2028, U+2029; the
// engine's encoder does not escape them). Any 0xE2 lead byte is taken as
// possibly U+2028/9.
func plainData(d []byte) bool {
	for _, c := range d {
		if c == '<' || c == '>' || c == '&' || c == 0xE2 {
			return false
		}
	}
	return true
}

// plainTime: time.Time's MarshalJSON would write t as RFC 3339 with
// nanoseconds and not refuse it (a four-digit year, a whole-minute offset).
func plainTime(t time.Time) bool {
	if y := t.Year(); y < 0 || y > 9999 {
		return false
	}
	_, off := t.Zone()
	return off%60 == 0 && off > -24*3600 && off < 24*3600
}
