package config

import (
	"strings"
	"testing"

	"switchboard/config/configtest"
)

func TestWallboardConfig(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []string // each must appear in the error; none: valid
	}{
		{"defaults overridden metric by metric", "wallboard:\n  thresholds:\n    waiting: {amber: 10, red: 20}\n", nil},
		{"red below amber", "wallboard:\n  thresholds:\n    waiting: {amber: 10, red: 2}\n",
			[]string{":3: wallboard.thresholds.waiting.red: 2 must not be below amber"}},
		{"not a number", "wallboard:\n  thresholds:\n    asa: {amber: soon}\n", []string{":3: wallboard.thresholds.asa.amber: ", `"soon" is not a number or a duration`}},
		{"unknown metric", "wallboard:\n  thresholds:\n    happiness: {amber: 1}\n", []string{":3: wallboard.thresholds.happiness: unknown key"}},
		{"unknown queue", "wallboard:\n  queues:\n    nope: {waiting: {amber: 1}}\n", []string{":3: wallboard.queues.nope: no such queue"}},
		{"queue override", "wallboard:\n  queues:\n    support:\n      service_level: {amber: 101}\n",
			[]string{":4: wallboard.queues.support.service_level.amber: 101 is not a percentage"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Load(configtest.WriteFile(t, tt.body))
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				th := cfg.Wallboard.Thresholds
				if th.Waiting.Amber != 10 || th.ASA == nil || th.ASA.Amber != 20 {
					t.Fatalf("merged thresholds: waiting %+v asa %+v", th.Waiting, th.ASA)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error, want %v", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}
