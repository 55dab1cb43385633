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
	"strings"
	"syscall"
	"time"

	"switchboard/config"
	"switchboard/replay"
	"switchboard/routing"
	"switchboard/store"
)

// runReplay is `switchboard replay`. It has flags of its own, so it is
// dispatched before the other commands' flags are parsed.
func runReplay(args []string, stdout, stderr io.Writer) int {
	cmd, _ := lookup("replay")
	fs := flag.NewFlagSet(cmd.name, flag.ContinueOnError)
	def := replay.DefaultOptions()
	from := fs.String("from", "", "the event log: a SQLite file written by switchboard serve (required)")
	newPath := fs.String("config", "", "the config to try (required)")
	oldPath := fs.String("old", "", "the config to compare with (default: the last config.applied before the period)")
	since := fs.String("since", "", "start of the period, RFC 3339 (default: the log's first record)")
	until := fs.String("until", "", "end of the period, RFC 3339 (default: the log's last record)")
	asJSON := fs.Bool("json", false, "write the report as JSON")
	opt := def
	fs.DurationVar(&opt.Media, "media", def.Media, "how long each media item plays")
	fs.DurationVar(&opt.Ring, "ring", def.Ring, "ring time of agents never seen answering")
	fs.DurationVar(&opt.Recovery, "recovery", def.Recovery, "time to ready again after a missed offer, when never seen")
	fs.DurationVar(&opt.DefaultTalk, "talk", def.DefaultTalk, "talk time when the period has no answered call")
	extra := fs.String("patience-extra", "", "how much longer than their recorded wait callers who did not hang up would wait (default: without limit)")
	var shifts shiftFlag
	fs.Var(&shifts, "shift", "NEW=OLD: agent NEW works agent OLD's recorded shift (repeatable)")
	if code, done := cmd.parseFlags(fs, args, stdout, stderr); done {
		return code
	}
	if err := checkReplayFlags(fs, *from, *newPath); err != nil {
		fmt.Fprintf(stderr, "replay: %v\n", err)
		return 2
	}
	var (
		p   replay.Period
		err error
	)
	if p.Since, err = parseTime("since", *since); err == nil {
		p.Until, err = parseTime("until", *until)
	}
	if err == nil && !p.Since.IsZero() && !p.Until.IsZero() && !p.Until.After(p.Since) {
		err = errors.New("--until must be after --since")
	}
	opt.ExtraPatience = -1
	if err == nil && *extra != "" {
		if opt.ExtraPatience, err = time.ParseDuration(*extra); err == nil && opt.ExtraPatience < 0 {
			err = errors.New("--patience-extra must not be negative")
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "replay: %v\n", err)
		return 2
	}
	opt.Shifts = shifts

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := replayReport(ctx, *from, *newPath, *oldPath, p, opt)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	if *asJSON {
		err = rep.WriteJSON(stdout)
	} else {
		err = rep.WriteText(stdout)
	}
	if err != nil {
		fmt.Fprintf(stderr, "replay: %v\n", err)
		return 1
	}
	return 0
}

func checkReplayFlags(fs *flag.FlagSet, from, newPath string) error {
	var errs []error
	if fs.NArg() > 0 {
		errs = append(errs, fmt.Errorf("unexpected arguments %q", fs.Args()))
	}
	if from == "" {
		errs = append(errs, errors.New("--from DB is required"))
	}
	if newPath == "" {
		errs = append(errs, errors.New("--config NEW is required"))
	}
	return errors.Join(errs...)
}

// replayReport loads the configs, reads the log and compares.
func replayReport(ctx context.Context, from, newPath, oldPath string, p replay.Period, opt replay.Options) (*replay.Report, error) {
	newCfg, err := config.Load(newPath)
	if err != nil {
		return nil, err
	}
	var oldCfg *routing.Config
	if oldPath != "" {
		c, err := config.Load(oldPath)
		if err != nil {
			return nil, err
		}
		oldCfg = &c.Config
	}
	// store.Open creates a missing file; a replay must not.
	if st, err := os.Stat(from); err != nil {
		return nil, fmt.Errorf("replay: --from: %w", err)
	} else if st.IsDir() {
		return nil, fmt.Errorf("replay: --from %s: is a directory", from)
	}
	s, err := store.Open(ctx, from, slog.New(slog.DiscardHandler))
	if err != nil {
		return nil, fmt.Errorf("replay: %w", err)
	}
	defer s.Close()
	w, err := replay.Extract(ctx, s, p)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", from, err)
	}
	oldName := oldPath
	if oldCfg == nil {
		if w.Config == nil {
			return nil, fmt.Errorf("replay: %s: %w", from, replay.ErrNoConfig)
		}
		oldCfg, oldName = w.Config, w.ConfigNote
	}
	return replay.Compare(w, oldCfg, &newCfg.Config, oldName, newPath, opt)
}

func parseTime(name, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("--%s %q: want RFC 3339, e.g. 2026-03-02T09:00:00Z", name, s)
	}
	return t, nil
}

// shiftFlag collects NEW=OLD pairs.
type shiftFlag map[string]string

func (f *shiftFlag) String() string {
	var parts []string
	for k, v := range *f {
		parts = append(parts, k+"="+v)
	}
	return strings.Join(parts, ",")
}

func (f *shiftFlag) Set(s string) error {
	n, o, ok := strings.Cut(s, "=")
	if !ok || n == "" || o == "" {
		return fmt.Errorf("want NEW=OLD agent IDs, got %q", s)
	}
	if *f == nil {
		*f = shiftFlag{}
	}
	(*f)[n] = o
	return nil
}
