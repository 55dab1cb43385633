// Command switchboard is the call-center control plane: it runs beside a
// PBX and decides where every call goes.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // calendars' time zones on hosts without tzdata

	"switchboard/config"
)

const usage = `usage: switchboard <command> [flags]

commands:
  serve     run Switchboard (--config FILE; built-in defaults without it)
  migrate   create or upgrade the database and exit
  validate  check a config file and exit non-zero on any problem
  render    write the PBX's config snippets (--pbx asterisk|freeswitch --out DIR)
  export    write a report to a file (--report NAME --from DAY --to DAY --group G --format csv|xlsx --out FILE)
  rollup    rebuild the report rollups from the event log (--rebuild)
  user      accounts: user add|passwd|list (the first admin too; the password is read from stdin)
  token     API tokens for programs: token add|revoke (add prints the token, once)
  replay    what-if: re-run a logged period under another config (--from DB --config NEW [--old OLD] [--since T --until T] [--json])
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	if args[0] == "replay" { // its own flags: see replay.go
		return runReplay(args[1:], stdout, stderr)
	}
	if args[0] == "user" || args[0] == "token" { // subcommands: see accounts.go
		return runAccounts(args, os.Stdin, stdout, stderr)
	}
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "", "YAML config file (default: built-in)")
	renderOpts := addRenderFlags(fs, args[0])
	exportOpts, rollupOpts := addReportFlags(fs, args[0])
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	cfg, err := config.Load(*configPath)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := newLogger(cfg.LogLevel, stderr)

	switch args[0] {
	case "validate":
		fmt.Fprintf(stdout, "config OK: %d flows, %d queues, %d agents\n", len(cfg.Flows), len(cfg.Queues), len(cfg.Agents))
		return 0
	case "migrate":
		err = migrate(ctx, cfg, log)
	case "render":
		err = render(cfg, renderOpts, stdout)
	case "export":
		err = export(ctx, cfg, exportOpts, log, stdout)
	case "rollup":
		err = rollup(ctx, cfg, rollupOpts, log, stdout)
	case "serve":
		err = serve(ctx, cfg, *configPath, log, stdout)
	default:
		fmt.Fprintf(stderr, "unknown command %q\n%s", args[0], usage)
		return 2
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		log.Error("switchboard failed", "command", args[0], "err", err)
		return 1
	}
	return 0
}

func newLogger(level string, w io.Writer) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l}))
}
