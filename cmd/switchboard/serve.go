package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"switchboard/api"
	"switchboard/ari"
	"switchboard/auth"
	"switchboard/backup"
	"switchboard/config"
	"switchboard/customers"
	"switchboard/esl"
	"switchboard/followups"
	"switchboard/live"
	"switchboard/quality"
	"switchboard/report"
	"switchboard/retention"
	"switchboard/routing"
	"switchboard/routing/pbx"
	"switchboard/store"
	"switchboard/workforce"
)

// openStore opens the configured database and brings its schema up to date.
func openStore(ctx context.Context, cfg *config.Config, log *slog.Logger) (*store.Store, error) {
	st, err := store.OpenKind(ctx, cfg.Store.Kind, cfg.Store.DSN, log)
	if err != nil {
		return nil, err
	}
	if err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

func migrate(ctx context.Context, cfg *config.Config, log *slog.Logger) error {
	st, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.Close()
	log.Info("database ready", "store", cfg.Store.Kind, "where", cfg.Store.Where())
	return nil
}

// serve wires the store, the PBX driver, the engine and the API, and runs
// them until ctx ends; with a cluster: section, once this node holds the
// lease (cluster.go).
func serve(ctx context.Context, cfg *config.Config, path string, log *slog.Logger, stdout io.Writer) error {
	st, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.Close()
	if cfg.Cluster.Enabled() {
		return serveClustered(ctx, st, cfg, path, log, stdout)
	}
	return serveOn(ctx, st, cfg, path, log, stdout, nil)
}

// serveOn is serve on an open store; owner, when set, is the lease this
// node drives the PBX under, shown in /healthz and /metrics.
func serveOn(ctx context.Context, st *store.Store, cfg *config.Config, path string, log *slog.Logger, stdout io.Writer, owner *ownership) error {
	var err error
	// Routing sections saved from the admin page override the file's.
	editor := config.NewEditor(path, st, log.With("component", "config"))
	if cfg, err = editor.Start(ctx, cfg); err != nil {
		return fmt.Errorf("config versions: %w", err)
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if owner != nil {
		reg.MustRegister(owner.metrics)
	}
	rep, err := openReports(ctx, cfg, st, log)
	if err != nil {
		return err
	}
	clk := newClocks(cfg.Clock, time.Now())
	if cfg.Clock.Start != "" {
		log.Warn("clock: running on a set clock, not the machine's (a rehearsal or test; never in production)", "start", cfg.Clock.Start)
	}
	exports, err := newScheduler(cfg, rep, clk.report, log, reg)
	if err != nil {
		return err
	}
	backups, err := backup.NewScheduler(cfg.Backups, cfg.Reports.TimeZone, st, nil, log)
	if err != nil {
		return err
	}

	drv, err := newDriver(cfg, log, reg)
	if err != nil {
		return fmt.Errorf("pbx driver: %w", err)
	}
	// The engine's journal publishes each durable record to the live feed.
	hub := live.NewHub(live.DefaultBuffer, log, reg)
	eng := routing.NewEngine(&cfg.Config, drv, live.Tee{Next: st, Hub: hub}, clk.engine, routing.RandomIDs(), log.With("component", "engine"), reg)
	desk, err := newTicketDesk(ctx, cfg, st, eng, hub, clk.now, log.With("component", "tickets"))
	if err != nil {
		return err
	}
	qd, err := newQualityDesk(ctx, cfg, st, eng, log.With("component", "quality"))
	if err != nil {
		return err
	}
	// The monthly service export (due by the 22nd) carries quality
	// inspection's summary beside it.
	exports.AddSection("service", report.Section{Key: "quality", Build: func(_ context.Context, span report.Span) (*report.Table, error) {
		return qd.svc.ReportSpan(quality.GroupAgent, span)
	}})
	floor, err := newFloorDesk(ctx, cfg, st, eng, hub, clk.now, log.With("component", "workforce"))
	if err != nil {
		return err
	}
	devs, err := newDeviceDesk(ctx, st, eng, hub, rep.Location(), log.With("component", "devices"))
	if err != nil {
		return err
	}
	// Staffing forecasts from the rollups' logged load, per queue's target.
	targets := map[string]workforce.Target{}
	for name, q := range cfg.Queues {
		if q != nil {
			targets[name] = workforce.Target{Percent: q.ServiceLevel.Percent, Within: q.ServiceLevel.Within.D()}
		}
	}
	staffer := workforce.NewStaffer(floor.svc, rep.Load, targets)
	// Adherence is in the report catalogue (and so its scheduled exports),
	// built from the workforce book rather than the rollups.
	rep.Provide("adherence", func(_ context.Context, group string, span report.Span) (*report.Table, error) {
		return floor.svc.ReportSpan(span.From, span.To, group, "")
	})
	bc := boardConfig(cfg)
	bc.Now = clk.now
	bc.OverdueTickets = desk.svc.OverdueCount
	desk.svc.SetLocation(rep.Location())
	fdesk, err := newFollowupDesk(ctx, cfg, st, eng, hub, desk, rep.Location(), clk.now, log.With("component", "followups"))
	if err != nil {
		return err
	}
	bc.OverdueFollowUps = fdesk.svc.OverdueCount
	// The weekly satisfaction export (Monday 18:00) carries the follow-up
	// results (回访: reached, satisfaction, coverage) beside the survey.
	exports.AddSection("satisfaction", report.Section{Key: "followups", Build: func(ctx context.Context, span report.Span) (*report.Table, error) {
		views, err := eng.Agents(ctx)
		if err != nil {
			return nil, err
		}
		teams := map[string]string{}
		for _, v := range views {
			teams[v.ID] = v.Team
		}
		return fdesk.svc.ReportSpan(followups.GroupAgent, span, teams)
	}})
	board := live.NewBoard(bc, eng, rep, st, hub, log)
	editor.Attach(eng, func(next *config.Config) {
		rep.SetTeams(reportTeams(&next.Config)) // reports group by the teams now in force
		bc := boardConfig(next)
		board.SetConfig(bc.Wallboard, bc.Teams)
	})
	if err := restore(ctx, st, eng); err != nil {
		return err
	}

	health := func(context.Context) (map[string]any, bool) {
		up := eng.LinkUp()
		h := map[string]any{"pbx": map[string]any{"kind": cfg.PBX.Kind, "node": cfg.PBX.Node, "link_up": up}}
		if owner != nil {
			h["cluster"] = owner.health()
		}
		return h, up
	}
	reload := editor.Reload
	accounts := auth.New(cfg.Auth, st, time.Now, log)
	proxies, err := cfg.Listen.Proxies()
	if err != nil {
		return err // validate reported it already; belt and braces
	}
	apiCfg := api.Config{Listen: cfg.Listen.Addr, TrustedProxies: proxies, Reload: reload, Reports: rep,
		Accounts: accounts, Audit: st, Privacy: cfg.Privacy, SecureCookie: cfg.Auth.SecureCookie,
		ConfigEdit: api.ConfigEdit{Source: editor, Versions: st}, Teams: editor, Live: hub, Wallboard: board,
		Tickets: desk.svc, Quality: qd.svc, Workforce: floor.svc, FollowUps: fdesk.svc, Devices: devs.svc, Staffing: staffer, Customers: customers.NewService(st.CustomerIndex(), func(ctx context.Context, d routing.Decision) (any, error) {
			return routing.Decide(ctx, eng, d)
		})}
	if rf, ok := drv.(pbx.RecordingFetcher); ok {
		apiCfg.Recordings = rf // messages' and calls' audio through the API
	}
	recCtl := routing.NewRecordings(eng)
	apiCfg.RecordingControl = recCtl
	_, hasControls := drv.(pbx.CallController)
	apiCfg.CallControls = routing.NewCallControls(eng, hasControls)
	sweeper := &retention.Sweeper{Index: st, Control: recCtl, Now: clk.now, Log: log.With("component", "retention")}
	sweeper.Deleter, _ = drv.(retention.Deleter)
	apiCfg.RecordingsDir = cfg.PBX.ARI.RecordingsDir
	if cfg.PBX.Kind == "freeswitch" {
		apiCfg.RecordingsDir = cfg.PBX.ESL.RecordingsDir
	}
	srv := api.New(apiCfg, eng, st, log, reg, health)
	if err := servePprof(ctx, log); err != nil {
		return err
	}
	go reloadOnHangup(ctx, reload, log)

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var wg sync.WaitGroup
	runs := map[string]func(context.Context) error{"engine": eng.Run, "api": srv.Run, "exports": exports.Run, "backups": backups.Run,
		"live": hub.Run, "wallboard": board.Run, "tickets": desk.Run, "quality": qd.Run, "workforce": floor.Run, "devices": devs.Run, "followups": fdesk.Run, "retention": sweeper.Run}
	errc := make(chan error, len(runs))
	for name, run := range runs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := run(ctx); err != nil && !errors.Is(err, context.Canceled) {
				errc <- fmt.Errorf("%s: %w", name, err)
				cancel(err)
			}
		}()
	}
	fmt.Fprintf(stdout, "switchboard: API http://%s/api/v1  (health /healthz, metrics /metrics)\n", cfg.Listen.Addr)
	if cfg.PBX.Kind == "freeswitch" {
		fmt.Fprintf(stdout, "switchboard: driving freeswitch at %s (outbound socket %q); database %s\n", cfg.PBX.ESL.Addr, cfg.PBX.ESL.OutboundListen, cfg.Store.Where())
		log.Info("switchboard started", "listen", cfg.Listen.Addr, "pbx", cfg.PBX.ESL.Addr, "db", cfg.Store.Where())
	} else {
		fmt.Fprintf(stdout, "switchboard: driving %s at %s as Stasis app %q; database %s\n", cfg.PBX.Kind, cfg.PBX.ARI.URL, cfg.PBX.ARI.App, cfg.Store.Where())
		log.Info("switchboard started", "listen", cfg.Listen.Addr, "pbx", cfg.PBX.ARI.URL, "db", cfg.Store.Where())
	}
	wg.Wait()
	close(errc)
	return <-errc
}

// restore hands the engine what the log says was live when Switchboard
// last stopped: agent states and calls without an end.
func restore(ctx context.Context, st *store.Store, eng *routing.Engine) error {
	states, err := allEvents(ctx, st, routing.EvAgentState, 0)
	if err != nil {
		return fmt.Errorf("restore agent states: %w", err)
	}
	open := true
	calls, err := st.Calls(ctx, store.CallFilter{Open: &open, Limit: store.MaxLimit})
	if err != nil {
		return fmt.Errorf("restore open calls: %w", err)
	}
	var restored []routing.RestoredCall
	for _, c := range calls {
		rc := routing.RestoredCall{ID: c.ID, Channel: c.Channel, Flow: c.Flow, Queue: c.Queue, Agent: c.Agent, Answered: c.AnsweredAt != nil,
			Caller: c.Caller, Called: c.Called}
		if c.QueuedAt != nil {
			rc.QueuedAt = *c.QueuedAt
		}
		if rc.Answered {
			evs, err := st.Events(ctx, store.EventFilter{CallID: c.ID, TypePrefix: routing.EvCallAnswered})
			if err != nil {
				return fmt.Errorf("restore call %s: %w", c.ID, err)
			}
			for _, ev := range evs {
				var d routing.OfferData
				if json.Unmarshal(ev.Data, &d) == nil {
					rc.Leg = d.Leg
				}
			}
		}
		restored = append(restored, rc)
	}
	if err := eng.Restore(ctx, states, restored); err != nil {
		return err
	}
	work, err := allEvents(ctx, st, "work.", 0)
	if err != nil {
		return fmt.Errorf("restore work items: %w", err)
	}
	if err := eng.RestoreWork(ctx, work); err != nil {
		return err
	}
	chats, err := allEvents(ctx, st, "chat.", 0)
	if err != nil {
		return fmt.Errorf("restore chats: %w", err)
	}
	return routing.RestoreChats(ctx, eng, chats)
}

// reloadOnHangup reloads the config on SIGHUP, as daemons do.
func reloadOnHangup(ctx context.Context, reload func(context.Context) (int, error), log *slog.Logger) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			if _, err := reload(ctx); err != nil {
				log.Error("config reload refused; the running config stays", "err", err)
			}
		}
	}
}

// newDriver makes the PBX driver pbx.kind names.
func newDriver(cfg *config.Config, log *slog.Logger, reg prometheus.Registerer) (pbx.Switch, error) {
	if cfg.PBX.Kind == "freeswitch" {
		return esl.New(esl.Config{
			Addr: cfg.PBX.ESL.Addr, Password: cfg.PBX.ESL.Password,
			OutboundListen: cfg.PBX.ESL.OutboundListen, Node: cfg.PBX.Node,
			RecordingsDir: cfg.PBX.ESL.RecordingsDir,
		}, log, reg)
	}
	// The driver tells trunks from phones in endpoint events by these names.
	var trunks []string
	for _, t := range cfg.Dialplan.Trunks {
		trunks = append(trunks, t.Name)
	}
	return ari.New(ari.Config{
		URL: cfg.PBX.ARI.URL, User: cfg.PBX.ARI.User, Password: cfg.PBX.ARI.Password,
		App: cfg.PBX.ARI.App, Node: cfg.PBX.Node, Trunks: trunks,
	}, log, reg)
}
