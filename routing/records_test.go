package routing

import (
	"encoding/json"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"switchboard/routing/pbx"
)

// Every Ev* constant of journal.go is registered (EvPBX as its kinds): a
// new record type without a payload type fails here.
func TestRecordsRegisterEveryType(t *testing.T) {
	fs := token.NewFileSet()
	f, err := parser.ParseFile(fs, "journal.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			vs := s.(*ast.ValueSpec)
			for i, name := range vs.Names {
				if !strings.HasPrefix(name.Name, "Ev") || i >= len(vs.Values) {
					continue
				}
				lit, ok := vs.Values[i].(*ast.BasicLit)
				if !ok {
					t.Fatalf("%s is not a string literal", name.Name)
				}
				typ, _ := strconv.Unquote(lit.Value)
				n++
				if name.Name == "EvPBX" {
					continue // a prefix: its kinds are checked below
				}
				if _, ok := Records[typ]; !ok {
					t.Errorf("%s (%q) is not registered in Records", name.Name, typ)
				}
			}
		}
	}
	if n < 25 {
		t.Fatalf("found only %d Ev* constants in journal.go", n)
	}
	for _, ev := range []pbx.Event{pbx.CallArrived{}, pbx.LegRinging{}, pbx.LegAnswered{}, pbx.DTMFReceived{},
		pbx.PlaybackFinished{}, pbx.ChannelHungUp{}, pbx.Resynced{}, pbx.LinkDown{}, pbx.CommandFailed{},
		pbx.RecordingFinished{}} {
		if got := Records[EvPBX+ev.Kind()]; got != reflect.TypeOf(ev) {
			t.Errorf("%s registered as %v, want %T", EvPBX+ev.Kind(), got, ev)
		}
	}
}

// Every registered payload survives the log: encoded, then read back
// through Payload, it is the same value, whether the record carries the
// engine's value or only its bytes.
func TestRecordsRoundTrip(t *testing.T) {
	for _, typ := range RecordTypes() {
		t.Run(typ, func(t *testing.T) {
			rt := Records[typ]
			v := reflect.New(rt)
			fillNonZero(v.Elem())
			b, err := json.Marshal(v.Interface())
			if err != nil {
				t.Fatal(err)
			}
			for _, rec := range []*Record{
				{Type: typ, Seq: 7, Data: b},
				{Type: typ, Seq: 7, Data: b, payload: v.Elem().Interface()},
			} {
				p, err := Payload(rec)
				if err != nil {
					t.Fatal(err)
				}
				if reflect.TypeOf(p) != reflect.PointerTo(rt) {
					t.Fatalf("Payload is %T, want *%v", p, rt)
				}
				again, err := json.Marshal(p)
				if err != nil {
					t.Fatal(err)
				}
				if string(again) != string(b) {
					t.Errorf("round trip (cached %v):\n got %s\nwant %s", rec.payload != nil, again, b)
				}
			}
		})
	}
}

func TestDecodeErrorsNameTheType(t *testing.T) {
	_, err := Decode[OfferData](&Record{Type: "call.bogus", Seq: 3})
	var re *RecordError
	if !errors.As(err, &re) || re.Type != "call.bogus" || !errors.Is(err, ErrUnknownRecord) {
		t.Errorf("unknown type: %v", err)
	}
	_, err = Decode[OfferData](&Record{Type: EvCallOffered, Seq: 4, Data: []byte(`{"agent":1}`)})
	if !errors.As(err, &re) || re.Type != EvCallOffered || re.Seq != 4 || !strings.Contains(err.Error(), EvCallOffered) {
		t.Errorf("undecodable: %v", err)
	}
	if _, err := Decode[EndedData](&Record{Type: EvCallOffered}); err == nil || !strings.Contains(err.Error(), "not routing.EndedData") {
		t.Errorf("wrong payload type: %v", err)
	}
	d, err := Decode[OfferData](&Record{Type: EvCallAnswered, Data: []byte(`{"agent":"a1","leg":"l"}`)})
	if err != nil || d.Agent != "a1" || d.Leg != "l" {
		t.Errorf("Decode = %+v, %v", d, err)
	}
	d, err = Decode[OfferData](&Record{Type: EvCallAnswered, Data: []byte(`{"agent":"bytes"}`), payload: OfferData{Agent: "cached"}})
	if err != nil || d.Agent != "cached" {
		t.Errorf("Decode with the engine's value = %+v, %v", d, err)
	}
}

// fillNonZero sets every field of v to a non-zero value JSON can carry.
func fillNonZero(v reflect.Value) {
	switch v.Interface().(type) {
	case time.Time:
		v.Set(reflect.ValueOf(time.Date(2026, 12, 2, 9, 30, 0, 0, time.UTC)))
		return
	case json.RawMessage:
		v.Set(reflect.ValueOf(json.RawMessage(`{"k":1}`)))
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				fillNonZero(v.Field(i))
			}
		}
	case reflect.String:
		v.SetString("x-" + v.Type().Name())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(3)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(3)
	case reflect.Float32, reflect.Float64:
		v.SetFloat(1.5)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fillNonZero(v.Elem())
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		fillNonZero(v.Index(0))
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fillNonZero(k)
		fillNonZero(e)
		v.SetMapIndex(k, e)
	}
}
