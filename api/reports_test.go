package api

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	_ "time/tzdata"

	"github.com/xuri/excelize/v2"

	"switchboard/report"
	"switchboard/report/reporttest"
	"switchboard/store"
	"switchboard/store/storetest"
)

// reportFixture is a server whose store holds report/testdata's fixture day.
func reportFixture(t *testing.T) *Server {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	st := storetest.New(t)
	if _, err := st.SetRollupConfig(t.Context(), store.RollupConfig{Location: loc,
		QueueSL: map[string]time.Duration{"sales": 30 * time.Second}}); err != nil {
		t.Fatal(err)
	}
	recs, err := reporttest.ReadFile("../report/testdata/fixture_day.txt", time.Date(2025, 3, 14, 0, 0, 0, 0, loc))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Append(t.Context(), recs...); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2025, 3, 16, 0, 0, 0, 0, loc)
	b := report.NewBuilder(st, report.Config{Location: loc, Queues: []string{"support", "sales"},
		Agents: []string{"1001", "1002"}, Teams: []report.Team{{ID: "front"}, {ID: "back"}},
		AgentTeam: map[string]string{"1001": "front", "1002": "back"}}, func() time.Time { return now })
	return New(Config{Reports: reportService{b, st}, Accounts: fakeAccounts{}, Audit: st}, newFakeAgents(), st, nil, nil, nil)
}

type reportService struct {
	*report.Builder
	*store.Store
}

func get(t *testing.T, s *Server, target string) *httptest.ResponseRecorder {
	t.Helper()
	w := httptest.NewRecorder()
	req := httptest.NewRequestWithContext(t.Context(), "GET", target, nil)
	req.Header.Set("Authorization", "Bearer role:supervisor")
	s.Handler().ServeHTTP(w, req)
	return w
}

// TestReportJSONCSVXLSXAgree reads one report in the three formats and
// compares every cell.
func TestReportJSONCSVXLSXAgree(t *testing.T) {
	s := reportFixture(t)
	for _, group := range []string{"interval15", "queue", "agent", "team", "ivr_node"} {
		base := "/api/v1/reports/summary?from=2025-03-14&to=2025-03-14&group=" + group
		w := get(t, s, base)
		if w.Code != 200 {
			t.Fatalf("%s: %d %s", group, w.Code, w.Body)
		}
		var tab report.Table
		if err := json.Unmarshal(w.Body.Bytes(), &tab); err != nil {
			t.Fatal(err)
		}
		want := [][]string{{tab.GroupName}}
		for _, c := range tab.Columns {
			want[0] = append(want[0], c.Label+" ("+c.Unit+")")
		}
		for _, r := range append(tab.Rows, tab.Total) {
			line := []string{r.Label}
			for _, v := range r.Values {
				if v == nil {
					line = append(line, "")
				} else {
					line = append(line, strconv.FormatFloat(*v, 'f', -1, 64))
				}
			}
			want = append(want, line)
		}
		if tab.Total.Values[0] == nil {
			t.Fatalf("%s: empty total", group)
		}

		w = get(t, s, base+"&format=csv")
		if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/csv") {
			t.Fatalf("csv: %d %v", w.Code, w.Header())
		}
		got, err := csv.NewReader(w.Body).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		compare(t, group+" csv", got, want)

		w = get(t, s, base+"&format=xlsx")
		if w.Code != 200 || !strings.Contains(w.Header().Get("Content-Disposition"), ".xlsx") {
			t.Fatalf("xlsx: %d %v", w.Code, w.Header())
		}
		f, err := excelize.OpenReader(bytes.NewReader(w.Body.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := f.GetRows("Sheet1", excelize.Options{RawCellValue: true})
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		for i := range rows { // GetRows drops trailing empty cells
			for len(rows[i]) < len(want[0]) {
				rows[i] = append(rows[i], "")
			}
		}
		compare(t, group+" xlsx", rows, want)
	}
}

func compare(t *testing.T, what string, got, want [][]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d lines, want %d", what, len(got), len(want))
	}
	for i := range want {
		if len(got[i]) != len(want[i]) {
			t.Fatalf("%s line %d: %d cells, want %d", what, i, len(got[i]), len(want[i]))
		}
		for j := range want[i] {
			g, w := got[i][j], want[i][j]
			if gf, err1 := strconv.ParseFloat(g, 64); err1 == nil {
				if wf, err2 := strconv.ParseFloat(w, 64); err2 == nil && gf == wf {
					continue
				}
			}
			if g != w {
				t.Errorf("%s line %d cell %d: %q, want %q", what, i, j, g, w)
			}
		}
	}
}

func TestReportBadInput(t *testing.T) {
	s := reportFixture(t)
	for _, tt := range []struct{ target, field, code string }{
		{"/api/v1/reports/nope?period=today", "report", CodeBadRequest},
		{"/api/v1/reports/summary?group=weekday", "group", CodeBadRequest},
		{"/api/v1/reports/satisfaction?group=ivr_node", "group", CodeBadRequest},
		{"/api/v1/reports/satisfaction?group=trunk", "group", CodeBadRequest},
		{"/api/v1/reports/summary?from=2025-03-15&to=2025-03-14", "from", CodeBadRequest},
		{"/api/v1/reports/summary?from=2024-01-01&to=2025-03-14", "to", CodeBadRequest},
		{"/api/v1/reports/summary?from=14.03.2025&to=2025-03-14", "from", CodeBadRequest},
		{"/api/v1/reports/summary?period=fortnight", "period", CodeBadRequest},
		{"/api/v1/reports/summary?period=today&format=pdf", "format", CodeBadRequest},
		{"/api/v1/reports/summary?colour=red", "colour", CodeBadRequest},
		{"/api/v1/exports/runs?limit=0", "limit", CodeBadRequest},
	} {
		w := get(t, s, tt.target)
		var body errorBody
		if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
			t.Fatalf("%s: %v %s", tt.target, err, w.Body)
		}
		if w.Code != 400 || body.Error.Field != tt.field || body.Error.Code != tt.code {
			t.Errorf("%s: %d %+v, want 400 %s field %s", tt.target, w.Code, body.Error, tt.code, tt.field)
		}
	}
	// 400 days is the limit, included.
	if w := get(t, s, "/api/v1/reports/summary?group=day&from=2024-02-10&to=2025-03-15"); w.Code != 200 {
		t.Errorf("400 days: %d %s", w.Code, w.Body)
	}
}

func TestExportRunsAndCatalog(t *testing.T) {
	s := reportFixture(t)
	rs := s.cfg.Reports.(reportService)
	run := store.ExportRun{Schedule: "daily", ScheduledFor: time.Now(), StartedAt: time.Now(), FinishedAt: time.Now(),
		From: "2025-03-14", To: "2025-03-14", Status: "failed", Attempts: 3, Error: "disk full"}
	if err := rs.RecordExportRun(context.Background(), &run); err != nil {
		t.Fatal(err)
	}
	w := get(t, s, "/api/v1/exports/runs")
	var list struct{ Runs []store.ExportRun }
	if err := json.Unmarshal(w.Body.Bytes(), &list); err != nil || w.Code != 200 || len(list.Runs) != 1 || list.Runs[0].Error != "disk full" {
		t.Fatalf("%d %s %v", w.Code, w.Body, err)
	}
	w = get(t, s, "/api/v1/reports")
	if w.Code != 200 || !strings.Contains(w.Body.String(), `"satisfaction"`) ||
		!strings.Contains(w.Body.String(), `"unavailable_groups":[]`) {
		t.Fatalf("catalog %d %s", w.Code, w.Body)
	}
	var tab report.Table
	w = get(t, s, "/api/v1/reports/summary?from=2025-03-14&to=2025-03-14&group=team")
	if err := json.Unmarshal(w.Body.Bytes(), &tab); err != nil || w.Code != 200 || len(tab.Rows) != 4 ||
		tab.Rows[1].Key != "front" || *tab.Rows[1].Values[1] != 3 {
		t.Fatalf("team %d %s", w.Code, w.Body)
	}
	// The fixture day's three surveys (5, 3, 4): by agent 1001 (5, 4) and
	// 1002 (3); count and average are the first two columns.
	tab = report.Table{}
	w = get(t, s, "/api/v1/reports/satisfaction?from=2025-03-14&to=2025-03-14")
	if err := json.Unmarshal(w.Body.Bytes(), &tab); err != nil || w.Code != 200 || len(tab.Rows) != 2 ||
		tab.Columns[1].Key != "survey_avg" || *tab.Total.Values[0] != 3 || *tab.Total.Values[1] != 4 ||
		*tab.Rows[0].Values[1] != 4.5 || *tab.Rows[1].Values[1] != 3 {
		t.Fatalf("satisfaction %d %s", w.Code, w.Body)
	}
	// Without a report service the routes answer 503.
	bare := New(Config{Accounts: fakeAccounts{}}, newFakeAgents(), rs.Store, nil, nil, nil)
	if w := get(t, bare, "/api/v1/reports/summary"); w.Code != 503 {
		t.Fatalf("no reports: %d", w.Code)
	}
}

// TestReportsPageRendersTheJSON runs the page's script under node on the
// API's JSON and checks the table and charts it draws. (The browser test of
// the page itself is left to the UI shell.)
func TestReportsPageRendersTheJSON(t *testing.T) {
	s := reportFixture(t)
	page := get(t, s, "/ui/reports")
	if page.Code != 200 || !strings.Contains(page.Body.String(), `src="/ui/reports/reports.js"`) {
		t.Fatalf("page %d", page.Code)
	}
	if js := get(t, s, "/ui/reports/reports.js"); js.Code != 200 || !strings.Contains(js.Body.String(), "renderTable") {
		t.Fatalf("js %d", js.Code)
	}
	w := get(t, s, "/api/v1/reports/summary?from=2025-03-14&to=2025-03-14&group=queue")
	dir := t.TempDir()
	jsonPath := filepath.Join(dir, "table.json")
	if err := os.WriteFile(jsonPath, w.Body.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	script := `const r = require(process.argv[1]); const t = JSON.parse(require("fs").readFileSync(process.argv[2]));
		process.stdout.write(r.renderTable(t) + "\n@@\n" + r.renderCharts(t));`
	abs, _ := filepath.Abs("ui/reports.js")
	out, err := exec.CommandContext(t.Context(), "node", "-e", script, abs, jsonPath).CombinedOutput()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, out)
	}
	html, charts, _ := strings.Cut(string(out), "\n@@\n")
	for _, want := range []string{"<td>support</td><td>6</td><td>3</td><td>2</td>", "<td>Total</td><td>8</td><td>4</td>",
		"57.14 %", `data-def="Answer rate: answered ÷ (offered − short abandons) × 100."`} {
		if !strings.Contains(html, want) {
			t.Errorf("table lacks %q", want)
		}
	}
	if n := strings.Count(charts, "<svg"); n != 3 { // queue grouping: no agent-state chart
		t.Errorf("%d charts, want 3:\n%s", n, charts)
	}
	if !strings.Contains(charts, "target 80 %") {
		t.Errorf("no SL target line")
	}
	// Issue 16: durations as h:mm:ss, legends as lists that wrap, axes
	// with the rows' names and the unit's ticks.
	if !regexp.MustCompile(`<td>\d+:\d\d:\d\d</td>`).MatchString(html) || strings.Contains(html, "<td>12.5</td>") {
		t.Errorf("durations not as h:mm:ss:\n%s", html)
	}
	if n := strings.Count(charts, `<ul class="legend">`); n != 3 {
		t.Errorf("%d HTML legends, want one per chart", n)
	}
	for _, want := range []string{`class="x-tick"`, `>support</text>`, `class="y-tick"`, `>100 %</text>`} {
		if !strings.Contains(charts, want) {
			t.Errorf("charts lack %s", want)
		}
	}
	check := `const r = require(process.argv[1]); process.stdout.write([0, 59.6, 65, 3600, 36125].map(r.hms).join(" "));`
	out, err = exec.CommandContext(t.Context(), "node", "-e", check, abs).CombinedOutput()
	if want := "0:00:00 0:01:00 0:01:05 1:00:00 10:02:05"; err != nil || string(out) != want {
		t.Errorf("hms: %q (%v), want %q", out, err, want)
	}
}

// TestExportDownloadAudited: a CSV or XLSX download is an audited action;
// reading the JSON on the page is not.
func TestExportDownloadAudited(t *testing.T) {
	s := reportFixture(t)
	for _, q := range []string{"format=csv", "format=xlsx", "format=json"} {
		if w := get(t, s, "/api/v1/reports/summary?from=2025-03-14&to=2025-03-14&"+q); w.Code != 200 {
			t.Fatalf("%s: %d %s", q, w.Code, w.Body)
		}
	}
	es, err := s.cfg.Audit.Audit(t.Context(), store.AuditFilter{Action: "export.download"})
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 2 || es[0].Actor != "test-supervisor" || !strings.HasSuffix(es[0].Target, ".xlsx") || !strings.HasSuffix(es[1].Target, ".csv") {
		t.Fatalf("audit: %+v", es)
	}
}

// Headers come in the language asked for (lang), else the user's: JSON
// and CSV alike; an unknown language is refused at the parameter.
func TestReportHeadersInChinese(t *testing.T) {
	s := reportFixture(t)
	base := "/api/v1/reports/summary?from=2025-03-14&to=2025-03-14&group=queue"
	var en, zh report.Table
	if w := get(t, s, base); w.Code != 200 || json.Unmarshal(w.Body.Bytes(), &en) != nil {
		t.Fatalf("en: %d %s", w.Code, w.Body)
	}
	if w := get(t, s, base+"&lang=zh"); w.Code != 200 || json.Unmarshal(w.Body.Bytes(), &zh) != nil {
		t.Fatalf("zh: %d %s", w.Code, w.Body)
	}
	if en.GroupName != "Queue" || zh.GroupName != "队列" || zh.Columns[0].Label != "进入队列" || zh.Total.Label != "合计" {
		t.Errorf("headers: en %q, zh %q %q %q", en.GroupName, zh.GroupName, zh.Columns[0].Label, zh.Total.Label)
	}
	w := get(t, s, base+"&lang=zh&format=csv")
	first, _, _ := strings.Cut(strings.TrimPrefix(w.Body.String(), "\ufeff"), "\n")
	if w.Code != 200 || !strings.HasPrefix(first, "队列,进入队列 (数量),接通 (数量),") {
		t.Errorf("zh CSV header: %d %q", w.Code, first)
	}
	w = get(t, s, base+"&lang=fr")
	var e errorBody
	if w.Code != 400 || json.Unmarshal(w.Body.Bytes(), &e) != nil || e.Error.Field != "lang" {
		t.Errorf("lang=fr: %d %s", w.Code, w.Body)
	}
}
