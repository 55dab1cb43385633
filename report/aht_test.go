package report

import "testing"

// AHT is (talk + hold + wrap-up) ÷ handled, for queues and agents alike.
func TestAHTIncludesHold(t *testing.T) {
	m := metrics{"talk_s": 100, "hold_s": 40, "wrap_s": 60, "handled": 2}
	for name, kpis := range map[string][]kpi{"queue": callKPIs, "agent": agentCallKPIs} {
		found := false
		for _, k := range kpis {
			if k.Key != "aht" {
				continue
			}
			found = true
			if v, ok := k.value(m); !ok || v != 100 {
				t.Errorf("%s aht = %v, %v; want 100", name, v, ok)
			}
		}
		if !found {
			t.Errorf("%s: no aht column", name)
		}
	}
}
