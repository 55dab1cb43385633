package store

import (
	"context"
	"reflect"
	"strconv"
	"testing"

	"switchboard/routing"
)

// BenchmarkAppendCall: one whole call's records, batched as the engine
// appends them (one Append per input). "bytes" records carry only their
// JSON, as read back from the log; "typed" ones also the engine's value
// (Record.SetPayload), which the projection and rollups read instead of
// decoding.
//
//	go test -run '^$' -bench BenchmarkAppendCall ./store/
func BenchmarkAppendCall(b *testing.B) {
	for _, typed := range []bool{false, true} {
		name := "bytes"
		if typed {
			name = "typed"
		}
		b.Run(name, func(b *testing.B) {
			s, _ := openTest(b)
			ctx := context.Background()
			prep := func(recs ...*routing.Record) []*routing.Record {
				for _, r := range recs {
					if !typed {
						continue
					}
					p, err := routing.Payload(r)
					if err != nil {
						b.Fatal(err)
					}
					r.SetPayload(reflect.ValueOf(p).Elem().Interface(), r.Data)
				}
				return recs
			}
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				id, t := "c"+strconv.Itoa(i), float64(i)
				for _, batch := range [][]*routing.Record{
					prep(arrived(id, t), ivr(id, t, "main", "")),
					prep(ivr(id, t+1, "support", "1"), queued(id, t+1, "support"),
						offer(routing.EvCallOffered, id, t+1, "1001", ""), agentState("1001", t+1, "ready", "ringing")),
					prep(offer(routing.EvCallAnswered, id, t+2, "1001", ""), agentState("1001", t+2, "ringing", "on_call")),
					prep(ended(id, t+3, routing.OutcomeAnswered, "normal", "caller"), agentState("1001", t+3, "on_call", "wrap_up")),
					prep(agentState("1001", t+4, "wrap_up", "ready")),
				} {
					if err := s.Append(ctx, batch...); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
