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

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		printListing(stderr)
		return 2
	}
	if isHelp(args[0]) {
		printListing(stdout)
		return 0
	}
	cmd, ok := lookup(args[0])
	if !ok {
		fmt.Fprintf(stderr, "unknown command %q\n", args[0])
		printListing(stderr)
		return 2
	}
	switch cmd.name {
	case "help":
		return runHelp(args[1:], stdout, stderr)
	case "replay": // its own flags: see replay.go
		return runReplay(args[1:], stdout, stderr)
	case "user", "token": // subcommands: see accounts.go
		return runAccounts(args, os.Stdin, stdout, stderr)
	}
	fs := flag.NewFlagSet(cmd.name, flag.ContinueOnError)
	configPath := fs.String("config", "", "YAML config file (default: built-in)")
	renderOpts := addRenderFlags(fs, cmd.name)
	exportOpts, rollupOpts := addReportFlags(fs, cmd.name)
	backupOpts := addBackupFlags(fs, cmd.name)
	if code, done := cmd.parseFlags(fs, args[1:], stdout, stderr); done {
		return code
	}
	cfg, err := config.Load(*configPath)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := newLogger(cfg.LogLevel, stderr)

	switch cmd.name {
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
	case "backup":
		err = backupDB(ctx, cfg, backupOpts, log, stdout)
	case "restore":
		err = restoreBackup(ctx, cfg, backupOpts, stdout)
	case "serve":
		err = serve(ctx, cfg, *configPath, log, stdout)
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		log.Error("switchboard failed", "command", args[0], "err", err)
		return 1
	}
	return 0
}

// runHelp is `switchboard help [COMMAND]`: the listing, or what
// `switchboard COMMAND -h` prints.
func runHelp(args []string, stdout, stderr io.Writer) int {
	switch {
	case len(args) == 0:
		printListing(stdout)
		return 0
	case len(args) > 1:
		fmt.Fprintf(stderr, "help: one command at a time, not %q\n", args)
		printListing(stderr)
		return 2
	case isHelp(args[0]) || args[0] == "help":
		help, _ := lookup("help")
		help.printUsage(stdout, nil)
		return 0
	}
	if _, ok := lookup(args[0]); !ok {
		fmt.Fprintf(stderr, "help: unknown command %q\n", args[0])
		printListing(stderr)
		return 2
	}
	return run([]string{args[0], "-h"}, stdout, stderr)
}

func newLogger(level string, w io.Writer) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l}))
}
