package report

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// adherenceTable is what workforce's provider returns, in short.
func adherenceTable(group string, span Span) *Table {
	v, w := 92.5, 1.0
	return &Table{Report: "adherence", Title: "Login adherence and attendance", Group: group, GroupName: "Month",
		From: span.From.Format(time.DateOnly), To: span.To.Format(time.DateOnly),
		Columns: []Column{{Key: "shifts", Label: "Scheduled shifts", Unit: UnitCount}, {Key: "signed_in", Label: "Signed in within schedule", Unit: UnitSeconds},
			{Key: "adherence", Label: "Login adherence %", Unit: UnitPercent}},
		Rows:  []Row{{Key: "2025-02", Label: "2025-02", Values: []*float64{&w, &w, &v}}},
		Total: Row{Key: "total", Label: "Total", Values: []*float64{&w, &w, &v}}}
}

func TestProvidedReport(t *testing.T) {
	ctx := context.Background()
	b := fixtureBuilder(fixtureStore(t))
	req := Request{Report: "adherence", Group: GroupMonth, Period: PeriodCustom, From: "2025-02-01", To: "2025-02-28"}
	var fe *FieldError
	if _, err := b.Build(ctx, req); !errors.As(err, &fe) || fe.Field != "report" || !errors.Is(err, ErrNotAvailable) {
		t.Fatalf("no provider: %v", err)
	}
	var gotGroup string
	var gotSpan Span
	b.Provide("adherence", func(_ context.Context, group string, span Span) (*Table, error) {
		gotGroup, gotSpan = group, span
		return adherenceTable(group, span), nil
	})
	tb, err := b.Build(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if gotGroup != GroupMonth || gotSpan.From.Format(time.DateOnly) != "2025-02-01" || gotSpan.To.Format(time.DateOnly) != "2025-02-28" {
		t.Fatalf("provider got %s %+v", gotGroup, gotSpan)
	}
	zh := tb.Localized("zh")
	if zh.Title != "登陆吻合度与出勤" || zh.GroupName != "月份" || zh.Columns[1].Label != "排班内签入时长" || zh.Columns[2].Label != "登陆吻合度" || zh.Total.Label != "合计" {
		t.Errorf("zh headers: %q %q %+v %q", zh.Title, zh.GroupName, zh.Columns, zh.Total.Label)
	}
	// The call reports keep their own label for the same key.
	if zhColumn(Column{Key: "signed_in"}) != "签入时长" {
		t.Error("call reports' signed_in relabelled")
	}
	for _, bad := range []struct{ group, field string }{{GroupQueue, "group"}, {GroupInterval30, "group"}} {
		if _, err := b.Build(ctx, Request{Report: "adherence", Group: bad.group, Period: PeriodYesterday}); !errors.As(err, &fe) || fe.Field != bad.field {
			t.Errorf("group %s: %v", bad.group, err)
		}
	}
	b.Provide("adherence", func(context.Context, string, Span) (*Table, error) { return nil, errors.New("book broken") })
	if _, err := b.Build(ctx, req); err == nil || !strings.Contains(err.Error(), "book broken") {
		t.Errorf("provider error: %v", err)
	}
}

// TestProvidedReportExported: a monthly schedule of the adherence report
// writes last month's table through the provider.
func TestProvidedReportExported(t *testing.T) {
	st := fixtureStore(t)
	dir := t.TempDir()
	clock := newFakeClock(time.Date(2025, 3, 1, 6, 0, 0, 0, fixtureLoc))
	sched := Schedule{Name: "adherence", Cron: "0 6 1 * *", Report: "adherence", Period: PeriodLastMonth,
		Group: GroupMonth, Format: FormatCSV, Dir: dir, File: "{name}-{from}.{ext}"}
	s, runs, _ := newTestScheduler(t, st, clock, sched)
	s.b.Provide("adherence", func(_ context.Context, group string, span Span) (*Table, error) {
		return adherenceTable(group, span), nil
	})
	go s.RunOnce(context.Background(), "adherence", clock.Now(), false)
	if run := waitRun(t, runs); run.Status != "ok" || run.From != "2025-02-01" || run.To != "2025-02-28" {
		t.Fatalf("run %+v", run)
	}
	b, err := os.ReadFile(filepath.Join(dir, "adherence-2025-02-01.csv"))
	if err != nil || !strings.Contains(string(b), "Login adherence %") || !strings.Contains(string(b), "2025-02,1,1,92.5") {
		t.Fatalf("export %q %v", b, err)
	}
}
