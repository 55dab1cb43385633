package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"time"
)

// pprofEnv names the address of an optional Go profiling listener for
// `serve` (net/http/pprof), e.g. SWITCHBOARD_PPROF=127.0.0.1:6060. Off
// unless set; loopback only, on its own listener, so the API never serves
// it. The load benchmark (testbed/loadbench_e2e_test.go) profiles through it.
const pprofEnv = "SWITCHBOARD_PPROF"

// servePprof starts the profiling listener named by pprofEnv, if any; it
// stops with ctx.
func servePprof(ctx context.Context, log *slog.Logger) error {
	addr := os.Getenv(pprofEnv)
	if addr == "" {
		return nil
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%s=%q: %w", pprofEnv, addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("%s=%q: profiling listens on loopback only (127.0.0.1, ::1, localhost)", pprofEnv, addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("%s: %w", pprofEnv, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("profiling listener stopped", "addr", addr, "err", err)
		}
	}()
	log.Info("profiling listener (net/http/pprof)", "addr", ln.Addr().String())
	return nil
}
