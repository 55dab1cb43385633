package config

import (
	"fmt"
	"strings"
	"testing"

	"switchboard/config/configtest"
)

const workforceBase = trunksBase + `workforce:
  time_zone: "+08:00"
  calendar: office
  shifts:
    - name: day
      start: "09:00"
      end: "17:00"
      meals:
        - {start: "12:00", end: "13:00", allowance: 30m}
    - name: night
      start: "22:00"
      end: "06:00"
calendars:
  office:
    weekly:
      mon-fri: ["09:00-18:00"]
`

func TestWorkforceLoad(t *testing.T) {
	cfg, err := Load(configtest.WriteFile(t, workforceBase))
	if err != nil {
		t.Fatal(err)
	}
	if w := cfg.Workforce; len(w.Shifts) != 2 || w.Location().String() != "+08:00" {
		t.Fatalf("workforce %+v", w)
	}
}

func TestWorkforceErrorsAtFileLine(t *testing.T) {
	for _, tt := range []struct{ from, to, want string }{
		{`      end: "06:00"`, `      end: "6pm"`, `workforce.shifts[1].end: "6pm" is not HH:MM`},
		{`        - {start: "12:00", end: "13:00", allowance: 30m}`, `        - {start: "12:00", end: "13:00", allowance: 90m}`,
			"workforce.shifts[0].meals[0].allowance: must be more than 0 and fit the window"},
		{`  time_zone: "+08:00"`, `  time_zone: "+8"`, `workforce.time_zone: offset "+8" is not ±HH:MM`},
		{"  calendar: office", "  calendar: closed", `workforce.calendar: unknown calendar "closed"`},
		{"    - name: night", "    - name: day", `workforce.shifts[1].name: shift "day" is defined twice`},
	} {
		body := strings.Replace(workforceBase, tt.from+"\n", tt.to+"\n", 1)
		if body == workforceBase {
			t.Fatalf("line %q not in the base", tt.from)
		}
		p := configtest.WriteFile(t, body)
		line := strings.Count(body[:strings.LastIndex(body, tt.to+"\n")], "\n") + 1
		_, err := Load(p)
		if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("%s:%d: %s", p, line, tt.want)) {
			t.Errorf("err = %v\nwant %s:%d: %s", err, p, line, tt.want)
		}
	}
}
