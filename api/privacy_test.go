package api

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// maskJSON gives the JSON value masking the decoded value gives (the way
// it was done before: decode, mask every string value, encode), without
// decoding: string values that are phone numbers masked, keys and all
// else as they were.
func FuzzMaskJSON(f *testing.F) {
	for _, s := range []string{
		`{"seq":1,"type":"call.offered","call_id":"c1","data":{"agent":"a1","caller":"13812345678"}}`,
		`{"13812345678":"13812345678","n":13812345678,"list":["+8613812345678","1001",{"x":"0201234567"}]}`,
		`["1234567",[],{},"",null,true,1.5e3]`,
		`{"a":"\u0031\u0033812345678","b":"138\"1234","c\"d":"13812345678"}`,
		`{"nested":{"deep":[{"caller":"+441234567890"}]},"after":"x"}`,
		`"13812345678"`,
		` { "k" : [ "13812345678" , 1 ] } `,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := maskJSON(b)
		want, wantErr := maskByDecoding(b)
		if (err != nil) != (wantErr != nil) {
			t.Fatalf("maskJSON(%s) error %v, decoding %v", b, err, wantErr)
		}
		if err != nil {
			return
		}
		if !reflect.DeepEqual(decoded(t, got), decoded(t, want)) {
			t.Errorf("maskJSON(%s)\n got %s\nwant %s", b, got, want)
		}
		// Decoding keeps only the last of duplicate keys, so "nothing to
		// mask" is read from every string in the text, not the decoded value.
		if !anyNumber(t, b) && !bytes.Equal(got, b) {
			t.Errorf("nothing to mask in %s, yet it changed: %s", b, got)
		}
	})
}

func maskByDecoding(b []byte) ([]byte, error) {
	if !json.Valid(b) {
		return nil, errNotJSON
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	var walk func(any) any
	walk = func(v any) any {
		switch t := v.(type) {
		case string:
			return MaskText(t)
		case []any:
			for i := range t {
				t[i] = walk(t[i])
			}
		case map[string]any:
			for k := range t {
				t[k] = walk(t[k])
			}
		}
		return v
	}
	return json.Marshal(walk(v))
}

func decoded(t *testing.T, b []byte) any {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	return v
}

// anyNumber says whether any string token of b, key or value, is one
// masking would change.
func anyNumber(t *testing.T, b []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(b))
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		if s, ok := tok.(string); ok && MaskText(s) != s {
			return true
		}
	}
}

func BenchmarkMaskJSON(b *testing.B) {
	rec := []byte(`{"seq":12345,"time":"2026-12-02T09:30:01.123456789Z","type":"call.offered","call_id":"c-12345","agent_id":"a1","queue":"support","data":{"agent":"a1","endpoint":"PJSIP/1001","leg":"leg-12345","caller":"13812345678"}}`)
	b.Run("decoding", func(b *testing.B) {
		for b.Loop() {
			if _, err := maskByDecoding(rec); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("in place", func(b *testing.B) {
		for b.Loop() {
			if _, err := maskJSON(rec); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func TestMaskText(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"13812345678", "138****5678"},
		{"+8613812345678", "+861******5678"},
		{"call me on 13812345678 after 5", "call me on 138****5678 after 5"},
		{"电话13812345678，谢谢", "电话138****5678，谢谢"},
		{"card 6222021234567890123.", "card 622************0123."},
		{"collect:6222021234567890", "collect:622*********7890"},
		{"two: 13812345678/13987654321", "two: 138****5678/139****4321"},
		{"2026-12-03T12:02:33.970313352Z", "2026-12-03T12:02:33.970313352Z"},
		{"1764763353.42", "1764763353.42"},
		{"rec-20261203120233-1", "rec-20261203120233-1"},
		{"T0000012345", "T0000012345"},
		{"ext 1001, queue 123456", "ext 1001, queue 123456"},
		{"138****5678", "138****5678"},
		{"", ""},
	} {
		if got := MaskText(tt.in); got != tt.want {
			t.Errorf("MaskText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
