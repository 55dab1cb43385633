package routing

import (
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// A queue decoded from YAML keeps an explicit zero and defaults what is
// left out; Defaults (for configs built in Go) fills zeros.
func TestQueueDecodesOverDefaults(t *testing.T) {
	var c Config
	if err := yaml.Unmarshal([]byte("queues:\n  a: {wrap_up: 0s}\n  b: {}\n"), &c); err != nil {
		t.Fatal(err)
	}
	if c.Queues["a"].WrapUp != 0 || c.Queues["a"].RingTimeout != DefaultRingTimeout {
		t.Errorf("a: %+v, want wrap_up 0 and the default ring timeout", c.Queues["a"])
	}
	if got, want := *c.Queues["b"], NewQueue(); got.WrapUp != want.WrapUp || got.Strategy != want.Strategy || got.ServiceLevel != want.ServiceLevel {
		t.Errorf("b: %+v, want the defaults %+v", got, want)
	}
	built := Config{Queues: map[string]*Queue{"q": {}}}
	built.Defaults()
	if built.Queues["q"].WrapUp != DefaultWrapUp || built.Watchdog != DefaultWatchdog {
		t.Errorf("Defaults on a Go-built config: %+v", built)
	}
}

func TestDefaultedTypesRejectUnknownKeys(t *testing.T) {
	var c Config
	err := yaml.Unmarshal([]byte("queues:\n  a:\n    escalation:\n      - {after: 1s, overflw: {queue: b}}\ndispositions:\n  - {code: x, label: y}\n"), &c)
	for _, want := range []string{"line 4: field overflw not found in type routing.EscalationStep", "line 6: field label not found in type routing.Disposition"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want %q", err, want)
		}
	}
}
