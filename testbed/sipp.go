package testbed

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

type sippProc struct {
	cmd                       *exec.Cmd
	dir                       string
	logFile, errFile, outFile string
	cancel                    context.CancelFunc
	done                      chan struct{}
	code                      int
	err                       error
}

func startSipp(t testing.TB, dir, name, scenario string, args []string, lifetime time.Duration) (*sippProc, error) {
	t.Helper()
	sf := filepath.Join(dir, name+".xml")
	if err := os.WriteFile(sf, []byte(scenario), 0o644); err != nil {
		return nil, err
	}
	mp, err := FreeUDPPortRange(4)
	if err != nil {
		return nil, err
	}
	cp, err := FreeUDPPort()
	if err != nil {
		return nil, err
	}
	p := &sippProc{
		dir:     dir,
		logFile: filepath.Join(dir, name+".log"),
		errFile: filepath.Join(dir, name+"-errors.log"),
		outFile: filepath.Join(dir, name+".out"),
		done:    make(chan struct{}),
	}
	secs := int((lifetime + time.Second - 1) / time.Second)
	full := append([]string{
		"-sf", sf,
		"-i", "127.0.0.1",
		"-mi", "127.0.0.1", "-mp", strconv.Itoa(mp),
		"-cp", strconv.Itoa(cp),
		"-nostdin",
		"-trace_err", "-error_file", p.errFile,
		"-trace_logs", "-log_file", p.logFile,
		"-timeout", strconv.Itoa(secs) + "s", "-timeout_error",
		"-max_recv_loops", "1000",
	}, args...)
	out, err := os.Create(p.outFile)
	if err != nil {
		return nil, err
	}
	// The context is a hard bound on top of sipp's own -timeout.
	ctx, cancel := context.WithTimeout(context.Background(), lifetime+5*time.Second)
	p.cancel = cancel
	cmd := exec.CommandContext(ctx, SippBinary, full...)
	cmd.Dir = dir
	cmd.Stdin = nil
	cmd.Stdout = out
	cmd.Stderr = out
	cmd.Env = append(os.Environ(), "TERM=dumb")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.WaitDelay = 2 * time.Second
	if err := cmd.Start(); err != nil {
		cancel()
		out.Close()
		return nil, fmt.Errorf("testbed: start sipp: %w", err)
	}
	p.cmd = cmd
	go func() {
		err := cmd.Wait()
		out.Close()
		p.code = cmd.ProcessState.ExitCode()
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			p.err = err
		}
		if ctx.Err() != nil {
			p.err = fmt.Errorf("sipp %s killed after its deadline of %v", name, lifetime+5*time.Second)
		}
		cancel()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.kill()
		_, _ = p.wait()
	})
	return p, nil
}

func (p *sippProc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// kill sends SIGKILL to the sipp process (by its PID) if it is still running.
func (p *sippProc) kill() {
	if p.exited() {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
}

func (p *sippProc) wait() (int, error) {
	<-p.done
	return p.code, p.err
}

// waitUDPBound waits until something is bound to 127.0.0.1:port (sipp's SIP
// socket), so calls can be sent to a phone as soon as StartPhone returns.
func waitUDPBound(port int, p *sippProc, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port})
		if err != nil {
			return nil // bound by sipp
		}
		c.Close()
		if p.exited() {
			return errors.New("sipp exited at start-up")
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("port %d not bound after %v", port, timeout)
		}
		time.Sleep(10 * time.Millisecond) // no event to wait on: poll the port
	}
}

// FreeUDPPort returns a UDP port on 127.0.0.1 that was free a moment ago.
func FreeUDPPort() (int, error) {
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return 0, err
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port, nil
}

// FreeUDPPortRange returns an even port p such that p..p+n-1 were free on
// 127.0.0.1 (sipp's media uses the port and the ones after it).
func FreeUDPPortRange(n int) (int, error) {
	for try := 0; try < 50; try++ {
		base, err := FreeUDPPort()
		if err != nil {
			return 0, err
		}
		base &^= 1
		if base+n > 65535 || base < 1024 {
			continue
		}
		ok := true
		var held []*net.UDPConn
		for i := 0; i < n && ok; i++ {
			c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: base + i})
			if err != nil {
				ok = false
				break
			}
			held = append(held, c)
		}
		for _, c := range held {
			c.Close()
		}
		if ok {
			return base, nil
		}
	}
	return 0, errors.New("testbed: no free UDP port range")
}

// sippTimestamp starts each entry of sipp's error file; entries are not
// always separated by a newline.
var sippTimestamp = regexp.MustCompile(`\d{4}-\d\d-\d\d\t\d\d:\d\d:\d\d\.\d+\t`)

// sippErrors returns the entries of sipp's error file that are real errors:
// the scenarios use receive timeouts (ontimeout) as interruptible pauses, and
// sipp notes each of them there; its minor watchdog trips on a loaded machine.
func sippErrors(s string) string {
	idx := sippTimestamp.FindAllStringIndex(s, -1)
	var out []string
	for i, loc := range idx {
		end := len(s)
		if i+1 < len(idx) {
			end = idx[i+1][0]
		}
		e := strings.TrimSpace(s[loc[0]:end])
		if strings.Contains(e, "receive timeout on message") && strings.Contains(e, "jumping to label") {
			continue
		}
		// sipp's own scheduler falling behind on a busy machine (its
		// watchdog), not a SIP error: the scenario's checks still run.
		if strings.Contains(e, "Overload warning: the minor watchdog timer") {
			continue
		}
		out = append(out, e)
	}
	return strings.Join(out, "\n")
}

func readFile(name string) string {
	b, err := os.ReadFile(name)
	if err != nil {
		return ""
	}
	return string(b)
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
