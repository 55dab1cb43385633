// Package pgtest starts a throwaway PostgreSQL server for tests: initdb in a
// temporary directory, pg_ctl on a free 127.0.0.1 port, stopped through its
// own pid file when the tests end. Nothing global is touched: no system
// cluster, no service, nothing killed by name.
//
// A package whose tests want PostgreSQL calls Main from TestMain, so that
// one server serves every test and each test gets a database of its own
// (DSN). Without Main, DSN starts a server per test.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// User is the superuser initdb creates; connections are trusted on loopback.
const User = "switchboard"

// Server is one running PostgreSQL cluster.
type Server struct {
	Dir  string // the temporary directory: data/, the socket, the log
	Port int
	bin  string
	cred *syscall.Credential // the postgres user when we run as root
	dbs  atomic.Int64
}

// BinDir is where the PostgreSQL programs are: $SB_PG_BIN, or the newest
// /usr/lib/postgresql/*/bin (Debian's postgresql package).
func BinDir() (string, error) {
	if d := os.Getenv("SB_PG_BIN"); d != "" {
		return d, nil
	}
	ds, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(ds, func(i, j int) bool { return version(ds[i]) > version(ds[j]) })
	for _, d := range ds {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	return "", errors.New("pgtest: no PostgreSQL server programs (apt-get install postgresql, or set SB_PG_BIN)")
}

func version(dir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return n
}

// Start runs initdb and pg_ctl start; Stop undoes it.
func Start(ctx context.Context) (*Server, error) {
	bin, err := BinDir()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "sb-pg-")
	if err != nil {
		return nil, fmt.Errorf("pgtest: %w", err)
	}
	s := &Server{Dir: dir, bin: bin}
	// initdb and postgres refuse to run as root: run them as postgres.
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("pgtest: running as root needs a postgres user: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		s.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(dir, uid, gid); err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("pgtest: %w", err)
		}
	}
	if err := s.run(ctx, "initdb", "-D", s.data(), "-U", User, "--auth=trust",
		"--encoding=UTF8", "--locale=C", "--no-sync"); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	// A free port can be taken between our probe and the server's bind:
	// try a few.
	for attempt := 0; ; attempt++ {
		if s.Port, err = freePort(); err == nil {
			err = s.run(ctx, "pg_ctl", "-D", s.data(), "-l", filepath.Join(dir, "server.log"), "-w", "-t", "60",
				"-o", fmt.Sprintf("-p %d -c listen_addresses=127.0.0.1 -k %s -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200", s.Port, dir),
				"start")
		}
		if err == nil {
			return s, nil
		}
		if attempt == 2 {
			log, _ := os.ReadFile(filepath.Join(dir, "server.log"))
			s.Stop()
			return nil, fmt.Errorf("%w\n%s", err, log)
		}
	}
}

func (s *Server) data() string { return filepath.Join(s.Dir, "data") }

// Bin is the path of one of the PostgreSQL programs (pg_dump, pg_restore).
func (s *Server) Bin(name string) string { return filepath.Join(s.bin, name) }

func (s *Server) run(ctx context.Context, prog string, args ...string) error {
	cmd := exec.CommandContext(ctx, s.Bin(prog), args...)
	cmd.Dir = s.Dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("pgtest: %s: %w\n%s", prog, err, out)
	}
	return nil
}

// Stop stops the server (pg_ctl stop, then the postmaster pid from its pid
// file if that failed) and removes its directory.
func (s *Server) Stop() error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := s.run(ctx, "pg_ctl", "-D", s.data(), "-m", "fast", "-w", "stop")
	if err != nil {
		if b, rerr := os.ReadFile(filepath.Join(s.data(), "postmaster.pid")); rerr == nil {
			pid, _ := strconv.Atoi(strings.SplitN(string(b), "\n", 2)[0])
			if pid > 0 {
				syscall.Kill(pid, syscall.SIGKILL)
			}
		} else {
			err = nil // never started
		}
	}
	return errors.Join(err, os.RemoveAll(s.Dir))
}

// URL is the DSN of database db.
func (s *Server) URL(db string) string {
	return fmt.Sprintf("postgres://%s@127.0.0.1:%d/%s?sslmode=disable", User, s.Port, db)
}

// CreateDB creates a fresh database and returns its DSN.
func (s *Server) CreateDB(ctx context.Context) (name, dsn string, err error) {
	name = fmt.Sprintf("t%d_%d", os.Getpid(), s.dbs.Add(1))
	if err := s.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return "", "", err
	}
	return name, s.URL(name), nil
}

// DropDB drops a database, closing whatever still uses it.
func (s *Server) DropDB(ctx context.Context, name string) error {
	return s.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
}

// Exec runs one statement in the postgres database.
func (s *Server) Exec(ctx context.Context, sql string) error {
	conn, err := pgx.Connect(ctx, s.URL("postgres"))
	if err != nil {
		return fmt.Errorf("pgtest: %w", err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, sql); err != nil {
		return fmt.Errorf("pgtest: %s: %w", sql, err)
	}
	return nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// The shared server of a test binary that called Main.
var (
	mainCalled bool
	sharedOnce sync.Once
	shared     *Server
	sharedErr  error
)

// Main runs the tests (call it as os.Exit(pgtest.Main(m)) in TestMain) and
// stops the shared server if a test started it.
func Main(m *testing.M) int {
	mainCalled = true
	code := m.Run()
	if shared != nil {
		if err := shared.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			if code == 0 {
				code = 1
			}
		}
	}
	return code
}

// Shared is the test binary's server, started on first use; without Main
// it is a server of t's own, stopped when t ends.
func Shared(t testing.TB) *Server {
	t.Helper()
	if !mainCalled {
		s, err := Start(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if err := s.Stop(); err != nil {
				t.Error(err)
			}
		})
		return s
	}
	sharedOnce.Do(func() { shared, sharedErr = Start(context.Background()) })
	if sharedErr != nil {
		t.Fatal(sharedErr)
	}
	return shared
}

// DSN is a fresh, empty database for t, dropped when t ends.
func DSN(t testing.TB) string {
	t.Helper()
	s := Shared(t)
	name, dsn, err := s.CreateDB(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.DropDB(context.Background(), name); err != nil {
			t.Error(err)
		}
	})
	return dsn
}
