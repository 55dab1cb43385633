package live

import (
	"bytes"
	"testing"

	"gopkg.in/yaml.v3"
)

// FuzzWallboardConfig: any wallboard: section decodes or fails cleanly, and
// Validate never panics; what validates has no negative or NaN level.
func FuzzWallboardConfig(f *testing.F) {
	for _, s := range []string{
		"thresholds: {waiting: {amber: 3, red: 6}, asa: {amber: 20s, red: 1m}}",
		"queues: {support: {service_level: {amber: 80, red: 70}}}",
		"teams: {ready: {red: 1}}",
		"thresholds: {longest_wait: {amber: .nan}}",
		"thresholds: {abandon_rate: {amber: -1e309}}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var w WallboardConfig
		dec := yaml.NewDecoder(bytes.NewReader(b))
		dec.KnownFields(true)
		if dec.Decode(&w) != nil {
			return
		}
		if w.Validate([]string{"support"}) != nil {
			return
		}
		for _, ls := range []map[string]*Limit{w.Thresholds.limits(), w.Queues["support"].limits(), {"ready": w.Teams.Ready}} {
			for m, l := range ls {
				if l == nil {
					continue
				}
				for _, v := range []Level{l.Amber, l.Red} {
					if !(v >= 0) {
						t.Fatalf("%s: level %v validated", m, v)
					}
				}
			}
		}
	})
}
