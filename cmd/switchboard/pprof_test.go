package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
)

func TestServePprof(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	t.Run("off unless set", func(t *testing.T) {
		t.Setenv(pprofEnv, "")
		if err := servePprof(context.Background(), log); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("loopback only", func(t *testing.T) {
		for _, addr := range []string{"0.0.0.0:6060", ":6060", "192.0.2.1:6060", "example.com:6060"} {
			t.Setenv(pprofEnv, addr)
			if err := servePprof(context.Background(), log); err == nil {
				t.Errorf("%s: accepted, want loopback only", addr)
			}
		}
	})
	t.Run("serves the index on loopback", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		t.Setenv(pprofEnv, addr)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		if err := servePprof(ctx, log); err != nil {
			t.Fatal(err)
		}
		resp, err := http.Get("http://" + addr + "/debug/pprof/")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || !strings.Contains(string(b), "goroutine") {
			t.Fatalf("GET /debug/pprof/: %d %.200s", resp.StatusCode, b)
		}
	})
}
