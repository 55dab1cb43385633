//go:build e2e

package testbed

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Browser tests: Debian's chromium driven by playwright-core from npm
// (web-test/, pinned by its lockfile; `make deps` runs npm ci). Each test
// is a node script that talks to the Go test over stdin/stdout: the script
// prints "STEP name [json]", the Go test answers with a line when it has
// acted. Screenshots go to .cache/shots/.

type browser struct {
	t     *testing.T
	cmd   *exec.Cmd
	stdin io.WriteCloser
	lines chan string
	done  chan error
	log   *syncBuffer
}

func repoDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// runBrowser starts web-test/<script> against s.
func runBrowser(t *testing.T, s *sb, script string, env ...string) *browser {
	t.Helper()
	repo := repoDir(t)
	if _, err := os.Stat(filepath.Join(repo, "web-test", "node_modules", "playwright-core")); err != nil {
		t.Fatalf("playwright-core is not installed: run `make deps` (npm ci in web-test/): %v", err)
	}
	shots := filepath.Join(repo, ".cache", "shots")
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	cmd := exec.CommandContext(ctx, "node", filepath.Join("web-test", script))
	cmd.Dir = repo
	cmd.Env = append(os.Environ(), append([]string{"SB_URL=" + s.base, "SB_SHOTS=" + shots}, env...)...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	b := &browser{t: t, cmd: cmd, stdin: stdin, lines: make(chan string, 64), done: make(chan error, 1), log: &syncBuffer{}}
	cmd.Stderr = b.log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(b.log, line)
			if strings.HasPrefix(line, "STEP shot ") {
				t.Logf("browser: %s", line)
			}
			b.lines <- line
		}
		close(b.lines)
		b.done <- cmd.Wait()
	}()
	t.Cleanup(func() {
		stdin.Close()
		cancel()
		if t.Failed() {
			t.Logf("browser %s output:\n%s", script, tail(b.log.String(), 60))
		}
	})
	return b
}

// step waits for the script to print "STEP name" and returns its JSON data
// decoded into out (if not nil). A FAIL line or the script's exit fails
// the test.
func (b *browser) step(name string, within time.Duration, out any) {
	b.t.Helper()
	deadline := time.After(within)
	for {
		select {
		case line, ok := <-b.lines:
			if !ok {
				b.t.Fatalf("browser script ended before step %q", name)
			}
			if strings.HasPrefix(line, "FAIL ") {
				b.t.Fatalf("browser: %s", line)
			}
			rest, found := strings.CutPrefix(line, "STEP "+name)
			if !found || (rest != "" && rest[0] != ' ') {
				continue
			}
			if out != nil {
				if err := json.Unmarshal([]byte(strings.TrimSpace(rest)), out); err != nil {
					b.t.Fatalf("step %s data %q: %v", name, rest, err)
				}
			}
			return
		case <-deadline:
			b.t.Fatalf("browser did not reach step %q within %s", name, within)
		}
	}
}

// send writes a line to the script (it is waiting in waitGo).
func (b *browser) send(line string) {
	b.t.Helper()
	if _, err := io.WriteString(b.stdin, line+"\n"); err != nil {
		b.t.Fatalf("browser stdin: %v", err)
	}
}

// finish waits for the script to exit 0.
func (b *browser) finish(within time.Duration) {
	b.t.Helper()
	for {
		select {
		case line, ok := <-b.lines:
			if !ok {
				select {
				case err := <-b.done:
					if err != nil {
						b.t.Fatalf("browser script: %v", err)
					}
				case <-time.After(within):
					b.t.Fatal("browser script did not exit")
				}
				return
			}
			if strings.HasPrefix(line, "FAIL ") {
				b.t.Fatalf("browser: %s", line)
			}
		case <-time.After(within):
			b.t.Fatalf("browser script did not finish within %s", within)
		}
	}
}

// user creates an account through the admin API and returns its password.
func (s *sb) user(username, role, agentID, team string) string {
	s.t.Helper()
	// Not derived visibly from the username: auth refuses passwords that
	// contain it.
	pw := fmt.Sprintf("tb-pass-%x", sha256.Sum256([]byte(username)))[:20]
	body := map[string]any{"username": username, "name": username, "role": role, "agent_id": agentID,
		"team": team, "password": pw, "lang": "en"}
	var out map[string]any
	if code := s.do("POST", "/api/v1/users", body, &out); code != 201 {
		s.t.Fatalf("create user %s: %d %v", username, code, out)
	}
	return pw
}
