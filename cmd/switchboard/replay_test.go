package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"switchboard/config"
	"switchboard/replay"
	"switchboard/replay/replaytest"
)

func TestReplayCommand(t *testing.T) {
	builtIn, err := config.Load("")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "day.db")
	replaytest.WriteLog(t, db, replaytest.Records(t, &builtIn.Config, replaytest.Day(40, "1001", "1002")))
	stricter := writeConfig(t, "queues:\n  support:\n    max_wait: 30s\n    hold_media: [sound:pls-hold-while-try]\n")
	bad := writeConfig(t, "queues:\n  support:\n    max_wait: forever\n")
	missing := filepath.Join(dir, "nowhere.db")

	tests := []struct {
		name     string
		args     []string
		code     int
		stdout   []string // each must appear
		stderr   []string
		noCreate string // a file that must not exist afterwards
	}{
		{"text report", []string{"--from", db, "--config", stricter}, 0,
			[]string{"support (SL 20s)", "total", "actual", "old sim", "new sim", "new-old", "config.applied seq 1"}, nil, ""},
		{"json with an old config and a period", []string{"--from", db, "--config", stricter, "--old", stricter, "--json",
			"--since", "2026-03-02T09:00:00Z", "--until", "2026-03-02T09:10:00Z", "--patience-extra", "30s"}, 0,
			[]string{`"queue": "support"`, `"queue": "total"`}, nil, ""},
		{"missing database", []string{"--from", missing, "--config", stricter}, 1,
			nil, []string{"--from", "no such file"}, missing},
		{"unknown flag", []string{"--from", db, "--config", stricter, "--frm", "x"}, 2,
			nil, []string{"flag provided but not defined: -frm"}, ""},
		{"no database given", []string{"--config", stricter}, 2, nil, []string{"--from DB is required"}, ""},
		{"no config given", []string{"--from", db}, 2, nil, []string{"--config NEW is required"}, ""},
		{"bad time", []string{"--from", db, "--config", stricter, "--since", "yesterday"}, 2, nil, []string{"--since \"yesterday\": want RFC 3339"}, ""},
		{"bad config names file and line", []string{"--from", db, "--config", bad}, 1, nil, []string{bad + ":3: queues.support.max_wait:", "forever"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(append([]string{"replay"}, tt.args...), &out, &errb)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.code, out.String(), errb.String())
			}
			for _, w := range tt.stdout {
				if !strings.Contains(out.String(), w) {
					t.Errorf("stdout lacks %q:\n%s", w, out.String())
				}
			}
			for _, w := range tt.stderr {
				if !strings.Contains(errb.String(), w) {
					t.Errorf("stderr lacks %q:\n%s", w, errb.String())
				}
			}
			if tt.noCreate != "" {
				if _, err := os.Stat(tt.noCreate); err == nil {
					t.Errorf("replay created %s", tt.noCreate)
				}
			}
			if code == 0 && strings.Contains(strings.Join(tt.args, " "), "--json") {
				var rep replay.Report
				if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
					t.Fatalf("--json output: %v", err)
				}
				if got := rep.QueueNames(); len(got) != 1 || got[0] != "support" {
					t.Errorf("queues %v", got)
				}
			}
		})
	}
}
