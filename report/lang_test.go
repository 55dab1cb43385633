package report

import (
	"regexp"
	"strings"
	"testing"
)

// latin finds English words in a label: anything but the abbreviations
// both languages use (T, IVR, s/m in durations).
var latin = regexp.MustCompile(`[A-Za-z]{2,}`)

// Every header of every report and grouping has a Chinese label, and the
// English table is left as it was.
func TestLocalizedHeaders(t *testing.T) {
	st := fixtureStore(t)
	b := fixtureBuilder(st)
	for _, def := range Reports {
		if provided[def.Name] {
			continue // its domain builds it and checks its headers (workforce: TestReportSpanChinese)
		}
		for _, group := range def.Groups {
			tab := build(t, b, Request{Report: def.Name, From: "2025-03-10", To: "2025-03-16"}, group)
			zh := tab.Localized("zh")
			check := func(what, s string) {
				if m := latin.FindString(s); m != "" && m != "IVR" {
					t.Errorf("%s by %s: %s %q is not in Chinese", def.Name, group, what, s)
				}
			}
			check("title", zh.Title)
			check("grouping", zh.GroupName)
			check("total", zh.Total.Label)
			for i, c := range zh.Columns {
				// A made column names config identifiers (a node, an
				// exit, a reason code): only the rest is checked.
				label := c.Label
				if _, ids, ok := strings.Cut(c.Key, ":"); ok {
					for _, id := range strings.Split(ids, "→") {
						label = strings.ReplaceAll(label, id, "")
					}
				}
				check("column "+c.Key, label)
				if c.Definition != tab.Columns[i].Definition || c.Key != tab.Columns[i].Key {
					t.Errorf("%s by %s: column %d changed beyond its label", def.Name, group, i)
				}
			}
			for _, r := range zh.Rows {
				if r.Label[0] == '(' {
					check("row", r.Label)
				}
			}
			if tab.Total.Label != "Total" || tab.Localized("en") != tab || tab.Localized("") != tab {
				t.Errorf("%s by %s: the English table changed", def.Name, group)
			}
		}
	}
}

// The queue grouping's rows carry each queue's own service-level target.
func TestQueueSLTarget(t *testing.T) {
	st := fixtureStore(t)
	b := fixtureBuilder(st)
	b.cfg.QueueSLTarget = map[string]float64{"support": 80, "sales": 90}
	tab := build(t, b, Request{Report: "summary", From: "2025-03-10", To: "2025-03-16"}, GroupQueue)
	got := map[string]float64{}
	for _, r := range tab.Rows {
		if r.SLTarget != nil {
			got[r.Key] = *r.SLTarget
		}
	}
	if got["support"] != 80 || got["sales"] != 90 || len(got) != 2 {
		t.Errorf("queue targets %v", got)
	}
	if tab.Total.SLTarget != nil {
		t.Errorf("the total has a target of its own: %v", *tab.Total.SLTarget)
	}
	for _, r := range build(t, b, Request{Report: "summary", From: "2025-03-10", To: "2025-03-16"}, GroupDay).Rows {
		if r.SLTarget != nil {
			t.Errorf("day row %s has a queue target", r.Key)
		}
	}
}
