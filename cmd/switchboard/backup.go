package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"switchboard/config"
	"switchboard/store"
)

// backupOptions are the flags of backup (--out) and restore (--from).
type backupOptions struct {
	out, from string
}

func addBackupFlags(fs *flag.FlagSet, cmd string) *backupOptions {
	o := &backupOptions{}
	switch cmd {
	case "backup":
		fs.StringVar(&o.out, "out", "", "file to write the copy to (must not exist)")
	case "restore":
		fs.StringVar(&o.from, "from", "", "backup file written by switchboard backup")
	}
	return o
}

// backupDB copies the configured SQLite database to --out while Switchboard
// may be running (store.Backup).
func backupDB(ctx context.Context, cfg *config.Config, o *backupOptions, log *slog.Logger, stdout io.Writer) error {
	if o.out == "" {
		return errors.New("backup: --out FILE is required")
	}
	if cfg.Store.Kind == store.KindPostgres {
		return fmt.Errorf("backup: %w", store.ErrPostgresBackup)
	}
	st, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Backup(ctx, o.out); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backup of %s written to %s\n", cfg.Database, o.out)
	return nil
}

// restoreBackup puts a backup at the configured database path, whose directory
// must be empty or missing (store.Restore).
func restoreBackup(ctx context.Context, cfg *config.Config, o *backupOptions, stdout io.Writer) error {
	if o.from == "" {
		return errors.New("restore: --from FILE is required")
	}
	if cfg.Store.Kind == store.KindPostgres {
		return fmt.Errorf("restore: %w", store.ErrPostgresBackup)
	}
	if err := store.Restore(ctx, o.from, cfg.Database); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "restored %s to %s; start switchboard serve with this config\n", o.from, cfg.Database)
	return nil
}
