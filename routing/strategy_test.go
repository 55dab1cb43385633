package routing

import "testing"

// Every strategy Validate accepts has a value in the table, and no more.
func TestStrategiesTable(t *testing.T) {
	for _, name := range Strategies {
		if strategies[name].score == nil {
			t.Errorf("strategy %q has no entry in the table", name)
		}
	}
	if len(strategies) != len(Strategies) {
		t.Errorf("table has %d strategies, config lists %d", len(strategies), len(Strategies))
	}
}
