package config

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"switchboard/config/configtest"
)

const ticketsBase = trunksBase + `dispositions: [resolved, complaint]
tickets:
  calendar: office
  from_dispositions:
    complaint: complaint
  categories:
    - name: complaint
      dispatch_within: 30m
      business_hours: true
calendars:
  office:
    weekly:
      mon-fri: ["09:00-18:00"]
`

func TestTicketsLoad(t *testing.T) {
	cfg, err := Load(configtest.WriteFile(t, ticketsBase))
	if err != nil {
		t.Fatal(err)
	}
	tc := cfg.Tickets
	if len(tc.Categories) != 1 || tc.Categories[0].DispatchWithin.D() != 30*time.Minute || tc.FromDispositions["complaint"] != "complaint" {
		t.Fatalf("tickets %+v", tc)
	}
}

func TestTicketsErrorsAtFileLine(t *testing.T) {
	for _, tt := range []struct {
		from, to string
		want     string
	}{
		{"      dispatch_within: 30m", "      dispatch_within: -5m", "tickets.categories[0].dispatch_within: must not be negative"},
		{"    complaint: complaint", "    complaint: nosuch", `tickets.from_dispositions.complaint: unknown category "nosuch"`},
		{"  calendar: office", "  calendar: closed", `tickets.calendar: unknown calendar "closed"`},
	} {
		body := strings.Replace(ticketsBase, tt.from+"\n", tt.to+"\n", 1)
		if body == ticketsBase {
			t.Fatalf("line %q not in the base", tt.from)
		}
		p := configtest.WriteFile(t, body)
		line := strings.Count(body[:strings.Index(body, tt.to+"\n")], "\n") + 1
		_, err := Load(p)
		if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("%s:%d: %s", p, line, tt.want)) {
			t.Errorf("err = %v\nwant %s:%d: %s", err, p, line, tt.want)
		}
	}
}

func TestQualityDefaultForm(t *testing.T) {
	cfg, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Quality.Validate(cfg.dispositionCodes()); err != nil {
		t.Fatal(err)
	}
	if len(cfg.Quality.Forms) != 1 || len(cfg.Quality.Forms[0].Sections) != 5 {
		t.Fatalf("default form %+v", cfg.Quality.Forms)
	}
}

func TestQualityFormErrorsAtFileLine(t *testing.T) {
	body := ticketsBase + `quality:
  forms:
    - id: f
      sections:
        - id: s
          items:
            - {id: a, weight: 60}
            - {id: b, weight: 30, max: 5}
`
	p := configtest.WriteFile(t, body)
	line := strings.Count(body[:strings.Index(body, "      sections:")], "\n") + 1
	_, err := Load(p)
	want := fmt.Sprintf("%s:%d: quality.forms[0].sections: the items' weights add up to 90, not 100", p, line)
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("err = %v\nwant %s", err, want)
	}
}
