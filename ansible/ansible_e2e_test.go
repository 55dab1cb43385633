//go:build e2e

package ansible_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"switchboard/testbed"
)

func TestMain(m *testing.M) { testbed.Main(m) }

// recap is one host's PLAY RECAP line.
type recap struct {
	line                             string
	ok, changed, unreachable, failed int
}

var recapRE = regexp.MustCompile(`(?m)^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+).*$`)

// playbook runs ansible-playbook in ansible/ on the local host (every group
// is localhost) and returns the PLAY RECAP and the whole output.
func playbook(t *testing.T, name string, vars map[string]any, extra ...string) (recap, string) {
	t.Helper()
	r, out, err := runPlaybook(t, name, vars, extra...)
	if err != nil {
		t.Fatalf("ansible-playbook %s: %v\n%s", name, err, out)
	}
	return r, out
}

// playbookMayFail is playbook for a run that is expected to fail.
func playbookMayFail(t *testing.T, name string, vars map[string]any, extra ...string) (recap, string) {
	t.Helper()
	r, out, _ := runPlaybook(t, name, vars, extra...)
	return r, out
}

func runPlaybook(t *testing.T, name string, vars map[string]any, extra ...string) (recap, string, error) {
	t.Helper()
	dir := t.TempDir()
	inv := filepath.Join(dir, "inventory.ini")
	host := "localhost ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n"
	if err := os.WriteFile(inv, []byte("[asterisk]\n"+host+"[freeswitch]\n"+host+"[switchboard]\n"+host), 0o644); err != nil {
		t.Fatal(err)
	}
	vb, _ := json.Marshal(vars)
	vf := filepath.Join(dir, "vars.json")
	if err := os.WriteFile(vf, vb, 0o644); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"-i", inv, "-e", "@" + vf}, extra...)
	cmd := exec.Command("ansible-playbook", append(args, name)...)
	cmd.Dir = filepath.Join(testbed.RepoDir(), "ansible")
	cmd.Env = append(os.Environ(), "ANSIBLE_NOCOLOR=1", "ANSIBLE_CONFIG="+filepath.Join(cmd.Dir, "ansible.cfg"),
		"ANSIBLE_LOCAL_TEMP="+filepath.Join(dir, "tmp"), "ANSIBLE_REMOTE_TEMP="+filepath.Join(dir, "tmp"))
	out, runErr := cmd.CombinedOutput()
	m := recapRE.FindAllStringSubmatch(string(out), -1)
	if len(m) != 1 {
		t.Fatalf("ansible-playbook %s: want one PLAY RECAP line, got %d:\n%s", name, len(m), out)
	}
	n := func(i int) int { v, _ := strconv.Atoi(m[0][i]); return v }
	r := recap{line: strings.Join(strings.Fields(m[0][0]), " "), ok: n(2), changed: n(3), unreachable: n(4), failed: n(5)}
	t.Logf("%s: PLAY RECAP %s", name, r.line)
	return r, string(out), runErr
}

// buildSwitchboard builds the binary the playbooks render with.
func buildSwitchboard(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "switchboard")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/switchboard")
	cmd.Dir = testbed.RepoDir()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// sbConfig is the testbed's Switchboard config (what pbx.sh renders) with
// http.conf's session limit, plus extra lines under dialplan:.
func sbConfig(t *testing.T, p *testbed.PBX, sessionLimit int, dialplan string) string {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "pbx:\n  ari: {url: \"http://127.0.0.1:%d\", user: %q, password: %q, app: %s}\n", p.ARIPort, p.User, p.Password, p.App)
	fmt.Fprintf(&b, "dialplan:\n  asterisk:\n    http_bind: 127.0.0.1:%d\n    sip_bind: 127.0.0.1:%d\n    user_agent: Switchboard-testbed\n    session_limit: %d\n", p.ARIPort, p.SIPPort, sessionLimit)
	b.WriteString("  phones:\n")
	for n := 1; n <= 9; n++ {
		fmt.Fprintf(&b, "    - {name: \"100%d\", contact: \"sip:100%d@127.0.0.1:%d\"}\n", n, n, p.AgentPort(n))
	}
	b.WriteString(dialplan)
	f := filepath.Join(t.TempDir(), "switchboard.yaml")
	if err := os.WriteFile(f, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

func asteriskRx(t *testing.T, p *testbed.PBX, command string) string {
	t.Helper()
	out, err := exec.Command("chroot", p.Root, "/usr/sbin/asterisk", "-C", "/etc/asterisk/asterisk.conf", "-rx", command).CombinedOutput()
	if err != nil {
		t.Fatalf("asterisk -rx %q: %v\n%s", command, err, out)
	}
	return string(out)
}

// The Asterisk role installs the rendered files into the running testbed
// Asterisk (a chroot, through asterisk_root) and reloads only what changed;
// a second run changes nothing.
func TestAsteriskRoleOnTheTestbed(t *testing.T) {
	p := testbed.StartPBX(t)
	// The role rewrites the testbed's config: put pbx.sh's back afterwards.
	t.Cleanup(func() {
		if err := p.Restart(); err != nil {
			t.Error(err)
		}
	})
	bin := buildSwitchboard(t)
	vars := map[string]any{
		"switchboard_cmd":            bin,
		"asterisk_root":              p.Root,
		"asterisk_switchboard_group": "root",
		"asterisk_switchboard_mode":  "0644",
		"asterisk_switchboard_cli":   []string{"chroot", p.Root, "/usr/sbin/asterisk", "-C", "/etc/asterisk/asterisk.conf"},
	}
	if code, _, _ := p.ARI(http.MethodGet, "/endpoints/PJSIP/carrier", nil); code != http.StatusNotFound {
		t.Fatalf("endpoint carrier before the role: %d, want 404", code)
	}

	// A new DID and a trunk: every file but ari.conf changes. http.conf
	// changes too (a smaller session limit).
	vars["switchboard_config"] = sbConfig(t, p, 50, `  dids: ["_X.", "7777"]
  fallback: {ring_time: 5s}
  trunks:
    - {name: carrier, host: 192.0.2.10, codecs: [alaw], auth: {username: acme, password: s3cret}}
`)
	r1, out1 := playbook(t, "asterisk.yml", vars)
	if r1.failed != 0 || r1.changed != 6 { // 3 files + their 3 reloads
		t.Errorf("first run: %s, want changed=6\n%s", r1.line, out1)
	}
	for _, h := range []string{"Reload the Asterisk dialplan", "Reload Asterisk PJSIP", "Reload the Asterisk HTTP server"} {
		if !strings.Contains(out1, "RUNNING HANDLER [asterisk_switchboard : "+h+"]") {
			t.Errorf("first run: handler %q did not run\n%s", h, out1)
		}
	}
	if strings.Contains(out1, "Reload Asterisk ARI") {
		t.Errorf("first run: ari.conf did not change but ARI was reloaded\n%s", out1)
	}
	// The running Asterisk has the new dialplan and trunk.
	if s := asteriskRx(t, p, "dialplan show 7777@from-callers"); !strings.Contains(s, "'7777' =>") || !strings.Contains(s, "Stasis(switchboard,${EXTEN})") {
		t.Errorf("DID 7777 not in the live dialplan:\n%s", s)
	}
	if code, body, _ := p.ARI(http.MethodGet, "/endpoints/PJSIP/carrier", nil); code != http.StatusOK {
		t.Errorf("endpoint carrier after the role: %d %s", code, body)
	}
	if s := asteriskRx(t, p, "http show status"); !strings.Contains(s, fmt.Sprintf("127.0.0.1:%d", p.ARIPort)) {
		t.Errorf("http status:\n%s", s)
	}
	// Each replaced file was kept.
	for _, f := range []string{"extensions.conf", "pjsip.conf", "http.conf"} {
		if m, _ := filepath.Glob(filepath.Join(p.Root, "etc", "asterisk", f+".*~")); len(m) != 1 {
			t.Errorf("%s: backups %v, want one", f, m)
		}
	}

	r2, out2 := playbook(t, "asterisk.yml", vars)
	if r2.changed != 0 || r2.failed != 0 || strings.Contains(out2, "RUNNING HANDLER") {
		t.Errorf("second run: %s, want changed=0 and no handler\n%s", r2.line, out2)
	}

	// Only the dialplan changes: only the dialplan is reloaded.
	vars["switchboard_config"] = writeTemp(t, strings.Replace(readFile(t, vars["switchboard_config"].(string)), "ring_time: 5s", "ring_time: 6s", 1))
	r3, out3 := playbook(t, "asterisk.yml", vars)
	if r3.changed != 2 || !strings.Contains(out3, "Reload the Asterisk dialplan") || strings.Contains(out3, "Reload Asterisk PJSIP") {
		t.Errorf("third run: %s, want only extensions.conf and its reload\n%s", r3.line, out3)
	}
	if s := asteriskRx(t, p, "dialplan show s@switchboard-fallback"); !strings.Contains(s, "Dial(PJSIP/1001&PJSIP/1002&PJSIP/1003,6)") {
		t.Errorf("ring time 6 not live:\n%s", s)
	}
}

// The FreeSWITCH role installs its two files with backups and is
// idempotent. No FreeSWITCH runs here: its handlers call `true` in place
// of fs_cli.
func TestFreeSWITCHRoleIsIdempotent(t *testing.T) {
	t.Parallel() // no PBX
	bin := buildSwitchboard(t)
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "etc", "freeswitch", "autoload_configs"), 0o755); err != nil {
		t.Fatal(err)
	}
	vars := map[string]any{
		"switchboard_cmd": bin, "freeswitch_root": root, "freeswitch_switchboard_group": "root",
		"freeswitch_switchboard_cli": []string{"true"},
		"switchboard_config":         writeTemp(t, "pbx:\n  esl: {outbound_listen: 127.0.0.1:8084}\n"),
	}
	r1, out1 := playbook(t, "freeswitch.yml", vars)
	if r1.failed != 0 || r1.changed != 5 { // dir, 2 files, 2 reloads
		t.Errorf("first run: %s, want changed=5\n%s", r1.line, out1)
	}
	x := readFile(t, filepath.Join(root, "etc", "freeswitch", "dialplan", "public", "00_switchboard.xml"))
	if !strings.Contains(x, `data="127.0.0.1:8084 async full"`) {
		t.Errorf("dialplan:\n%s", x)
	}
	if es := readFile(t, filepath.Join(root, "etc", "freeswitch", "autoload_configs", "event_socket.conf.xml")); !strings.Contains(es, `"listen-port" value="8021"`) {
		t.Errorf("event_socket.conf.xml:\n%s", es)
	}
	r2, out2 := playbook(t, "freeswitch.yml", vars)
	if r2.changed != 0 || r2.failed != 0 {
		t.Errorf("second run: %s, want changed=0\n%s", r2.line, out2)
	}
}

// The Switchboard role, render-only: user creation and the service are left
// out (this sandbox has no systemd as PID 1, so systemctl cannot run even in
// check mode). It installs binary, config and a unit that systemd-analyze
// verify accepts, is idempotent, and refuses a config the binary rejects.
func TestSwitchboardRoleRendersTheService(t *testing.T) {
	t.Parallel() // no PBX
	bin := buildSwitchboard(t)
	root := t.TempDir()
	// The service it starts must not reach the testbed's Asterisk, which
	// another package's tests may be driving: ARI on a port nobody serves.
	good := fmt.Sprintf("listen: 127.0.0.1:%d\npbx: {ari: {url: \"http://127.0.0.1:%d\", app: role-test}}\n", testbed.FreePort(t), testbed.FreePort(t))
	cfg := writeTemp(t, good)
	vars := map[string]any{
		"switchboard_binary_src": bin, "switchboard_config_src": cfg, "switchboard_root": root,
		"switchboard_user": "root", "switchboard_group": "root",
		"switchboard_create_user": false, "switchboard_manage_service": false,
	}
	r1, out1 := playbook(t, "switchboard.yml", vars)
	if r1.failed != 0 || r1.changed != 4 { // directories, binary, config, unit
		t.Errorf("first run: %s, want changed=4\n%s", r1.line, out1)
	}
	unit := readFile(t, filepath.Join(root, "etc", "systemd", "system", "switchboard.service"))
	for _, want := range []string{
		"ExecStart=/usr/local/bin/switchboard serve --config /etc/switchboard/switchboard.yaml",
		"User=root", "NoNewPrivileges=yes", "ProtectSystem=strict", "ReadWritePaths=/var/lib/switchboard",
	} {
		if !strings.Contains(unit, want) {
			t.Errorf("unit lacks %q:\n%s", want, unit)
		}
	}
	verifyUnit(t, root)
	runUnit(t, root, unit, good)
	r2, out2 := playbook(t, "switchboard.yml", vars)
	if r2.changed != 0 || r2.failed != 0 {
		t.Errorf("second run: %s, want changed=0\n%s", r2.line, out2)
	}

	// A config the binary rejects is not installed.
	vars["switchboard_config_src"] = writeTemp(t, "listen: 127.0.0.1:8099\ndialplan: {fallback: {then: pray}}\n")
	bad, outBad := playbookMayFail(t, "switchboard.yml", vars)
	if bad.failed != 1 || !strings.Contains(outBad, "dialplan.fallback.then") {
		t.Errorf("bad config: %s, want the config task to fail naming the key\n%s", bad.line, outBad)
	}
	if got := readFile(t, filepath.Join(root, "etc", "switchboard", "switchboard.yaml")); got != good {
		t.Errorf("the rejected config replaced the good one: %q", got)
	}
}

// runUnit runs the installed unit's ExecStart the way systemd would, minus
// systemd (there is none as PID 1 here): its paths under root, in its
// WorkingDirectory. The installed binary and config must come up and answer
// /healthz, keep their database in the state directory, and stop cleanly on
// SIGTERM within TimeoutStopSec.
func runUnit(t *testing.T, root, unit, cfg string) {
	t.Helper()
	key := func(k string) string {
		for _, line := range strings.Split(unit, "\n") {
			if v, ok := strings.CutPrefix(line, k+"="); ok {
				return v
			}
		}
		t.Fatalf("unit has no %s=", k)
		return ""
	}
	args := strings.Fields(key("ExecStart"))
	for i, a := range args {
		if strings.HasPrefix(a, "/") {
			args[i] = filepath.Join(root, a)
		}
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Dir = filepath.Join(root, key("WorkingDirectory"))
	var log strings.Builder
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatalf("ExecStart %v: %v", args, err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	first, _, _ := strings.Cut(cfg, "\n")
	listen := strings.TrimSpace(strings.TrimPrefix(first, "listen:"))
	up := false
	for range 100 { // 10 s at most
		if r, err := http.Get("http://" + listen + "/healthz"); err == nil {
			r.Body.Close()
			up = true
			break
		}
		select {
		case err := <-done:
			t.Fatalf("the service exited at start: %v\n%s", err, log.String())
		case <-time.After(100 * time.Millisecond):
		}
	}
	if !up {
		t.Fatalf("the service never answered /healthz on %s\n%s", listen, log.String())
	}
	if _, err := os.Stat(filepath.Join(cmd.Dir, "data", "switchboard.db")); err != nil {
		t.Errorf("no database in the state directory: %v", err)
	}
	stop, err := time.ParseDuration(key("TimeoutStopSec"))
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("the service did not stop cleanly on SIGTERM: %v\n%s", err, log.String())
		}
	case <-time.After(stop):
		t.Errorf("the service was still running %v after SIGTERM (systemd would kill it)\n%s", stop, log.String())
	}
}

// verifyUnit runs systemd-analyze verify on the installed unit inside root
// (given the host's own units, which the unit's dependencies name); it
// exits 0 even on an unknown or malformed setting, so any output fails too.
func verifyUnit(t *testing.T, root string) {
	t.Helper()
	lib := filepath.Join(root, "usr", "lib", "systemd")
	if err := os.MkdirAll(lib, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("cp", "-r", "/lib/systemd/system", lib).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v %s", err, out)
	}
	out, err := exec.Command("systemd-analyze", "--root="+root, "verify", "/etc/systemd/system/switchboard.service").CombinedOutput()
	if err != nil || len(out) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func writeTemp(t *testing.T, body string) string {
	t.Helper()
	f, err := os.CreateTemp(t.TempDir(), "*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(body); err != nil {
		t.Fatal(err)
	}
	return f.Name()
}
