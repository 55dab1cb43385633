package report

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
	_ "time/tzdata"

	"switchboard/report/reporttest"
	"switchboard/routing"
	"switchboard/store"
	"switchboard/store/storetest"
)

// fixtureLoc is the fixture day's time zone.
var fixtureLoc = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return loc
}()

// fixtureRollup is the rollup configuration fixture_expected.txt assumes.
var fixtureRollup = store.RollupConfig{
	Location: fixtureLoc, ShortAbandon: 5 * time.Second, SLThreshold: 20 * time.Second,
	QueueSL: map[string]time.Duration{"sales": 30 * time.Second},
}

// readScript parses testdata/fixture_day.txt into records.
func readScript(t testing.TB, path string, day time.Time) []*routing.Record {
	t.Helper()
	recs, err := reporttest.ReadFile(path, day)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// appendBatches appends records sharing a time in one Append, as the
// engine does for the records of one input.
func appendBatches(t testing.TB, st *store.Store, recs []*routing.Record) {
	t.Helper()
	for i := 0; i < len(recs); {
		j := i + 1
		for j < len(recs) && recs[j].Time.Equal(recs[i].Time) {
			j++
		}
		if err := st.Append(context.Background(), recs[i:j]...); err != nil {
			t.Fatal(err)
		}
		i = j
	}
}

// fixtureStore is a SQLite store holding the fixture day.
func fixtureStore(t testing.TB) *store.Store {
	t.Helper()
	return fixtureStoreOn(t, store.KindSQLite)
}

// fixtureStoreOn is a store of the given kind holding the fixture day.
func fixtureStoreOn(t testing.TB, kind string) *store.Store {
	t.Helper()
	st := storetest.Open(t, kind)
	if _, err := st.SetRollupConfig(context.Background(), fixtureRollup); err != nil {
		t.Fatal(err)
	}
	day := time.Date(2025, 3, 14, 0, 0, 0, 0, fixtureLoc)
	appendBatches(t, st, readScript(t, "testdata/fixture_day.txt", day))
	return st
}

// fixtureTeams are the fixture's teams: front (1001), back (1002) and night
// without members.
var (
	fixtureTeams     = []Team{{ID: "front", Name: "Front line"}, {ID: "back", Name: "Back office"}, {ID: "night"}}
	fixtureAgentTeam = map[string]string{"1001": "front", "1002": "back"}
)

func fixtureBuilder(st *store.Store) *Builder {
	now := time.Date(2025, 3, 16, 0, 0, 0, 0, fixtureLoc)
	return NewBuilder(st, Config{Location: fixtureLoc, Queues: []string{"support", "sales"},
		Agents: []string{"1001", "1002"}, Reasons: []string{"break"}, Teams: fixtureTeams, AgentTeam: fixtureAgentTeam},
		func() time.Time { return now })
}

// expectation is one section of fixture_expected.txt.
type expectation struct {
	report          string // "summary" unless the section says REPORT:GROUP
	group, from, to string
	rows            map[string]map[string]string // row key → column → value
	order           []string
}

func readExpected(t *testing.T) []expectation {
	t.Helper()
	b, err := os.ReadFile("testdata/fixture_expected.txt")
	if err != nil {
		t.Fatal(err)
	}
	var out []expectation
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "["):
			f := strings.Fields(strings.Trim(line, "[]"))
			report, group, ok := strings.Cut(f[0], ":")
			if !ok {
				report, group = "summary", f[0]
			}
			out = append(out, expectation{report: report, group: group, from: f[1], to: f[2], rows: map[string]map[string]string{}})
		default:
			e := &out[len(out)-1]
			f := strings.Fields(line)
			key := f[0]
			if key == "(none)" {
				key = ""
			}
			cols := map[string]string{}
			for _, kv := range f[1:] {
				k, v, _ := strings.Cut(kv, "=")
				cols[k] = v
			}
			e.rows[key] = cols
			e.order = append(e.order, key)
		}
	}
	return out
}

func cell(t *Table, r Row, col string) (string, bool) {
	for i, c := range t.Columns {
		if c.Key == col {
			if r.Values[i] == nil {
				return "-", true
			}
			return strconv.FormatFloat(*r.Values[i], 'f', -1, 64), true
		}
	}
	return "", false
}

// TestFixtureDay checks every KPI of the hand-worked fixture day, on each
// backend.
func TestFixtureDay(t *testing.T) {
	for _, kind := range storetest.Backends {
		t.Run(kind, func(t *testing.T) { testFixtureDay(t, fixtureStoreOn(t, kind)) })
	}
}

// TestBackendsAnswerTheSame: every report of the fixture's expectations,
// built from a SQLite and from a PostgreSQL store holding the same day, is
// the same table, cell for cell.
func TestBackendsAnswerTheSame(t *testing.T) {
	lite, pg := fixtureBuilder(fixtureStoreOn(t, store.KindSQLite)), fixtureBuilder(fixtureStoreOn(t, store.KindPostgres))
	n := 0
	for _, e := range readExpected(t) {
		req := Request{Report: e.report, Group: e.group, From: e.from, To: e.to}
		a, err := lite.Build(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		p, err := pg.Build(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(tableCells(a), tableCells(p)) {
			t.Errorf("%+v:\nsqlite   %v\npostgres %v", req, tableCells(a), tableCells(p))
		}
		n += len(a.Rows)
	}
	if n == 0 {
		t.Fatal("the fixture built no rows")
	}
}

// tableCells is a table's rows as key: formatted values, total included.
func tableCells(tab *Table) map[string][]string {
	out := map[string][]string{}
	for _, r := range append([]Row{tab.Total}, tab.Rows...) {
		vals := make([]string, len(r.Values))
		for i, v := range r.Values {
			vals[i] = fmtVal(v)
		}
		out[r.Key] = vals
	}
	return out
}

func testFixtureDay(t *testing.T, st *store.Store) {
	b := fixtureBuilder(st)
	for _, e := range readExpected(t) {
		t.Run(fmt.Sprintf("%s_%s_%s_%s", e.report, e.group, e.from, e.to), func(t *testing.T) {
			tab, err := b.Build(context.Background(), Request{Report: e.report, Group: e.group, From: e.from, To: e.to})
			if err != nil {
				t.Fatal(err)
			}
			rows := map[string]Row{"total": tab.Total}
			for _, r := range tab.Rows {
				rows[r.Key] = r
			}
			for _, key := range e.order {
				r, ok := rows[key]
				if !ok {
					t.Errorf("no row %q", key)
					continue
				}
				for col, want := range e.rows[key] {
					got, ok := cell(tab, r, col)
					if !ok {
						t.Errorf("row %q: no column %s", key, col)
					} else if got != want {
						t.Errorf("row %q %s = %s, want %s", key, col, got, want)
					}
				}
			}
		})
	}
}

// TestIntervalsAddUpToTheDay: every count and time column of the interval
// rows sums to the total, which equals the day's row and the queue total.
func TestIntervalsAddUpToTheDay(t *testing.T) {
	st := fixtureStore(t)
	b := fixtureBuilder(st)
	req := Request{Report: "summary", From: "2025-03-14", To: "2025-03-14"}
	day := build(t, b, req, GroupDay)
	queues := build(t, b, req, GroupQueue)
	for _, g := range []string{GroupInterval15, GroupInterval30, GroupInterval60} {
		tab := build(t, b, req, g)
		wantRows := map[string]int{GroupInterval15: 96, GroupInterval30: 48, GroupInterval60: 24}[g]
		if len(tab.Rows) != wantRows {
			t.Errorf("%s: %d rows, want %d", g, len(tab.Rows), wantRows)
		}
		for i, c := range tab.Columns {
			if c.Unit == UnitPercent || c.Unit == UnitScore || strings.HasPrefix(c.Key, "max_") || c.Key == "max_wait" ||
				c.Key == "asa" || c.Key == "avg_wait" || strings.HasSuffix(c.Key, "aht") || strings.HasSuffix(c.Key, "_avg") {
				continue
			}
			sum := 0.0
			for _, r := range tab.Rows {
				if r.Values[i] != nil {
					sum += *r.Values[i]
				}
			}
			if tot := *tab.Total.Values[i]; sum != tot {
				t.Errorf("%s %s: rows sum to %v, total %v", g, c.Key, sum, tot)
			}
		}
		for i, c := range tab.Columns {
			if got, _ := cell(day, day.Rows[0], c.Key); got != fmtVal(tab.Total.Values[i]) {
				t.Errorf("%s total %s = %s, day row %s", g, c.Key, fmtVal(tab.Total.Values[i]), got)
			}
			if got, ok := cell(queues, queues.Total, c.Key); ok && got != fmtVal(tab.Total.Values[i]) {
				t.Errorf("%s total %s = %s, queue total %s", g, c.Key, fmtVal(tab.Total.Values[i]), got)
			}
		}
	}
}

// TestRebuildGivesTheSameReport: the rollup rebuilt from the log equals the
// one Append maintained.
func TestRebuildGivesTheSameReport(t *testing.T) {
	st := fixtureStore(t)
	b := fixtureBuilder(st)
	req := Request{Report: "summary", From: "2025-03-14", To: "2025-03-15"}
	var before []*Table
	for _, g := range []string{GroupInterval15, GroupAgent, GroupTeam, GroupIVRNode, GroupQueue} {
		before = append(before, build(t, b, req, g))
	}
	if err := st.RebuildDerived(context.Background()); err != nil {
		t.Fatal(err)
	}
	for i, g := range []string{GroupInterval15, GroupAgent, GroupTeam, GroupIVRNode, GroupQueue} {
		after := build(t, b, req, g)
		bj, _ := json.Marshal(before[i])
		aj, _ := json.Marshal(after)
		if string(bj) != string(aj) {
			t.Errorf("%s differs after rebuild", g)
		}
	}
}

// TestTeamsAddUp: the team table's total equals the queue total for every
// call column and the agent total for every agent column, over two days;
// rows are the configured teams (by ID, with their names), then "(no team)"
// and "(not answered)".
func TestTeamsAddUp(t *testing.T) {
	st := fixtureStore(t)
	b := fixtureBuilder(st)
	req := Request{Report: "summary", From: "2025-03-14", To: "2025-03-15"}
	teams := build(t, b, req, GroupTeam)
	var labels []string
	for _, r := range teams.Rows {
		labels = append(labels, r.Key+"="+r.Label)
	}
	if got := strings.Join(labels, ","); got != "back=Back office,front=Front line,night=night,=(no team),(unanswered)=(not answered)" {
		t.Errorf("rows %s", got)
	}
	checked := map[string]bool{}
	for _, other := range []*Table{build(t, b, req, GroupQueue), build(t, b, req, GroupAgent)} {
		for i, c := range teams.Columns {
			if got, ok := cell(other, other.Total, c.Key); ok {
				checked[c.Key] = true
				if want := fmtVal(teams.Total.Values[i]); got != want {
					t.Errorf("team total %s = %s, %s total %s", c.Key, want, other.Group, got)
				}
			}
		}
	}
	if len(checked) != len(teams.Columns) {
		t.Errorf("%d of %d team columns are in the queue or agent report", len(checked), len(teams.Columns))
	}
}

// TestSetTeamsRegroups: the team map in force applies to the whole period
// (no rebuild); an agent with no team goes to "(no team)".
func TestSetTeamsRegroups(t *testing.T) {
	st := fixtureStore(t)
	b := fixtureBuilder(st)
	b.SetTeams([]Team{{ID: "front"}}, map[string]string{"1001": "front"})
	tab := build(t, b, Request{Report: "summary", From: "2025-03-14", To: "2025-03-14"}, GroupTeam)
	want := map[string]map[string]string{
		"front":        {"offered": "3", "answered": "3", "offers": "3", "signed_in": "54000"},
		"":             {"offered": "1", "answered": "1", "offers": "3", "signed_in": "10800", "nr_refused": "1"},
		"(unanswered)": {"offered": "4", "answered": "0", "offers": "0", "signed_in": "0"},
	}
	if len(tab.Rows) != len(want) {
		t.Fatalf("%d rows, want %d", len(tab.Rows), len(want))
	}
	for _, r := range tab.Rows {
		for col, w := range want[r.Key] {
			if got, _ := cell(tab, r, col); got != w {
				t.Errorf("row %q %s = %s, want %s", r.Key, col, got, w)
			}
		}
	}
}

func build(t *testing.T, b *Builder, req Request, group string) *Table {
	t.Helper()
	req.Group = group
	tab, err := b.Build(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

func fmtVal(v *float64) string {
	if v == nil {
		return "-"
	}
	return strconv.FormatFloat(*v, 'f', -1, 64)
}

// TestOpenStatesCountUpToNow: mid-morning, the states agents are still in
// count up to now, per agent and per interval.
func TestOpenStatesCountUpToNow(t *testing.T) {
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "sb.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SetRollupConfig(context.Background(), fixtureRollup); err != nil {
		t.Fatal(err)
	}
	day := time.Date(2025, 3, 14, 0, 0, 0, 0, fixtureLoc)
	now := day.Add(10*time.Hour + 2*time.Minute)
	var upTo []*routing.Record
	for _, r := range readScript(t, "testdata/fixture_day.txt", day) {
		if !r.Time.After(now) {
			upTo = append(upTo, r)
		}
	}
	appendBatches(t, st, upTo)
	b := NewBuilder(st, Config{Location: fixtureLoc}, func() time.Time { return now })
	agents := build(t, b, Request{Report: "summary", Period: PeriodToday}, GroupAgent)
	for _, r := range agents.Rows {
		want := map[string]string{"1001": "2470", "1002": "2692"}[r.Key] // 1002: 610 + 910 + 1172
		if got, _ := cell(agents, r, "ready"); got != want {
			t.Errorf("agent %s ready %s, want %s", r.Key, got, want)
		}
	}
	if r := agents.Rows[1]; r.Key != "1002" {
		t.Fatalf("rows %v", agents.Rows)
	} else if got, _ := cell(agents, r, "on_call"); got != "105" {
		t.Errorf("1002 on call %s, want 105 (open since 10:00:15)", got)
	}
	iv := build(t, b, Request{Report: "summary", Period: PeriodToday}, GroupInterval15)
	for _, r := range iv.Rows {
		switch r.Key {
		case "2025-03-14T10:00:00+08:00":
			for col, want := range map[string]string{"ready": "120", "on_call": "105", "ringing": "15", "signed_in": "240"} {
				if got, _ := cell(iv, r, col); got != want {
					t.Errorf("10:00 %s = %s, want %s", col, got, want)
				}
			}
		case "2025-03-14T09:45:00+08:00":
			if got, _ := cell(iv, r, "ready"); got != "1790" { // 1001 900 + 1002 890 (09:45:00-09:59:50)
				t.Errorf("09:45 ready %s, want 1790", got)
			}
		case "2025-03-14T10:15:00+08:00":
			if got, _ := cell(iv, r, "signed_in"); got != "0" {
				t.Errorf("10:15 signed in %s, want 0 (after now)", got)
			}
		}
	}
}
