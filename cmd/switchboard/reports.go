package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sort"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"switchboard/config"
	"switchboard/report"
	"switchboard/routing"
	"switchboard/store"
)

// reporting is the report builder and what feeds it.
type reporting struct {
	*report.Builder
	*store.Store
}

// openReports hands the store the rollup settings (rebuilding the rollup if
// they changed) and returns the builder.
func openReports(ctx context.Context, cfg *config.Config, st *store.Store, log *slog.Logger) (reporting, error) {
	loc, err := time.LoadLocation(cfg.Reports.TimeZone)
	if err != nil {
		return reporting{}, fmt.Errorf("reports.time_zone: %w", err)
	}
	rc := store.RollupConfig{Location: loc, ShortAbandon: cfg.Reports.ShortAbandon.D(), QueueSL: map[string]time.Duration{}}
	bc := report.Config{Location: loc, ShortAbandon: cfg.Reports.ShortAbandon.D()}
	targets := map[float64]bool{}
	for name, q := range cfg.Queues {
		if q == nil {
			continue
		}
		rc.QueueSL[name] = q.ServiceLevel.Within.D()
		targets[q.ServiceLevel.Percent] = true
		bc.Queues = append(bc.Queues, name)
	}
	sort.Strings(bc.Queues)
	if len(targets) == 1 {
		for p := range targets {
			bc.SLTarget = p
		}
	}
	for _, a := range cfg.Agents {
		bc.Agents = append(bc.Agents, a.ID)
	}
	for _, r := range cfg.NotReadyReasons {
		bc.Reasons = append(bc.Reasons, r.Code)
	}
	for _, d := range cfg.Dispositions {
		bc.Dispositions = append(bc.Dispositions, d.Code)
	}
	for _, tr := range cfg.Config.Trunks {
		bc.Trunks = append(bc.Trunks, tr.Name)
	}
	sort.Strings(bc.Trunks)
	bc.Teams, bc.AgentTeam = reportTeams(&cfg.Config)
	rebuilt, err := st.SetRollupConfig(ctx, rc)
	if err != nil {
		return reporting{}, err
	}
	if rebuilt {
		log.Info("report rollups rebuilt for the configured time zone and thresholds", "time_zone", loc.String())
	}
	return reporting{report.NewBuilder(st, bc, nil), st}, nil
}

// reportTeams is the team map the team grouping uses: the configured teams
// and each agent's team. After a hot reload, Builder.SetTeams(reportTeams(
// &next.Config)) makes reports use the new map (for their whole period).
func reportTeams(cfg *routing.Config) ([]report.Team, map[string]string) {
	var teams []report.Team
	for id, t := range cfg.Teams {
		rt := report.Team{ID: id}
		if t != nil {
			rt.Name = t.Name
		}
		teams = append(teams, rt)
	}
	sort.Slice(teams, func(i, j int) bool { return teams[i].ID < teams[j].ID })
	agentTeam := map[string]string{}
	for _, a := range cfg.Agents {
		if a.Team != "" {
			agentTeam[a.ID] = a.Team
		}
	}
	return teams, agentTeam
}

// newScheduler is the export scheduler of cfg.
func newScheduler(cfg *config.Config, rep reporting, clock report.Clock, log *slog.Logger, reg prometheus.Registerer) (*report.Scheduler, error) {
	return report.NewScheduler(cfg.Exports.Schedules, cfg.Exports.Retries, cfg.Exports.Backoff.D(),
		rep.Builder, rep.Store, clock, log, reg)
}

// exportOptions are the export command's flags.
type exportOptions struct {
	report, period, from, to, group, format, out string
}

// rollupOptions are the rollup command's flags.
type rollupOptions struct{ rebuild bool }

// addReportFlags registers the export and rollup commands' flags.
func addReportFlags(fs *flag.FlagSet, cmd string) (*exportOptions, *rollupOptions) {
	eo, ro := &exportOptions{}, &rollupOptions{}
	switch cmd {
	case "export":
		fs.StringVar(&eo.report, "report", "summary", "report: summary, service, satisfaction")
		fs.StringVar(&eo.period, "period", "", "named period (yesterday, last_month, …) instead of --from/--to")
		fs.StringVar(&eo.from, "from", "", "first day, YYYY-MM-DD")
		fs.StringVar(&eo.to, "to", "", "last day (included), YYYY-MM-DD")
		fs.StringVar(&eo.group, "group", "", "interval15|interval30|interval60|day|queue|agent|team|ivr_node (default: the report's)")
		fs.StringVar(&eo.format, "format", "csv", "csv or xlsx")
		fs.StringVar(&eo.out, "out", "", "output file (written atomically, with FILE.manifest.json)")
	case "rollup":
		fs.BoolVar(&ro.rebuild, "rebuild", false, "rebuild the calls table and the report rollups from the event log")
	}
	return eo, ro
}

// export writes one report to a file, as a schedule would.
func export(ctx context.Context, cfg *config.Config, o *exportOptions, log *slog.Logger, stdout io.Writer) error {
	if o.out == "" {
		return errors.New("export: --out FILE is required")
	}
	if err := report.CheckFormat(o.format); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	st, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.Close()
	rep, err := openReports(ctx, cfg, st, log)
	if err != nil {
		return err
	}
	t, err := rep.Build(ctx, report.Request{Report: o.report, Group: o.group, Period: o.period, From: o.from, To: o.to})
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	out, err := filepath.Abs(o.out)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	m, err := report.WriteFile(out, t, o.format, report.Manifest{GeneratedAt: time.Now().UTC()})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %s by %s, %s..%s, %d rows, sha256 %s\n", m.File, m.Report, m.Group, m.From, m.To, m.Rows, m.SHA256)
	return nil
}

// rollup rebuilds the derived tables from the log.
func rollup(ctx context.Context, cfg *config.Config, o *rollupOptions, log *slog.Logger, stdout io.Writer) error {
	if !o.rebuild {
		return errors.New("rollup: say --rebuild to rebuild the calls table and report rollups from the log")
	}
	st, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.Close()
	start := time.Now()
	if _, err := openReports(ctx, cfg, st, log); err != nil {
		return err
	}
	if err := st.RebuildDerived(ctx); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "rollup rebuilt from the log in %s\n", time.Since(start).Round(time.Millisecond))
	return nil
}
