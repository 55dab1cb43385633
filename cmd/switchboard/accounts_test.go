package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"switchboard/api"
	"switchboard/auth"
	"switchboard/config"
	"switchboard/store"
)

var _ api.Accounts = (*auth.Service)(nil)

func TestUserAndTokenCommands(t *testing.T) {
	cost := auth.PasswordCost
	auth.PasswordCost = bcrypt.MinCost
	t.Cleanup(func() { auth.PasswordCost = cost })
	dir := t.TempDir()
	cfgPath := writeConfig(t, "data_dir: "+dir+"\n"+`
agents:
  - {id: "1001", name: Ann, endpoint: PJSIP/1001, team: front}
teams: {front: {name: Front}}
`)
	run := func(stdin string, args ...string) (string, string, int) {
		var out, errb bytes.Buffer
		code := runAccounts(args, strings.NewReader(stdin), &out, &errb)
		return out.String(), errb.String(), code
	}

	out, errs, code := run("first admin pass\n", "user", "add", "--config", cfgPath, "--username", "root.admin", "--name", "管理员", "--role", "admin")
	if code != 0 || !strings.Contains(out, "user root.admin (admin) created") {
		t.Fatalf("user add: %d %q %q", code, out, errs)
	}
	pwFile := filepath.Join(dir, "pw")
	if err := os.WriteFile(pwFile, []byte("agent password 1\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errs, code = run("", "user", "add", "--config", cfgPath, "--username", "ann", "--name", "Ann", "--role", "agent",
		"--agent-id", "1001", "--team", "front", "--lang", "en", "--password-file", pwFile)
	if code != 0 || !strings.Contains(out, "user ann (agent) created") {
		t.Fatalf("user add in a configured team: %d %q %q", code, out, errs)
	}
	for _, tc := range []struct {
		stdin string
		args  []string
		want  string
	}{
		{"whatever pass\n", []string{"user", "add", "--username", "bob", "--name", "B", "--role", "boss"}, `"boss" is not a role`},
		// Teams and agents are the routing config's.
		{"whatever pass\n", []string{"user", "add", "--username", "bob", "--name", "B", "--role", "team_lead", "--team", "night"}, `team: no team "night" in the routing config; teams: front`},
		{"whatever pass\n", []string{"user", "add", "--username", "bob", "--name", "B", "--role", "agent", "--agent-id", "1002"}, `agent_id: no agent "1002"`},
		{"short\n", []string{"user", "add", "--username", "bob", "--name", "B", "--role", "admin"}, "password: at least 10"},
		{"", []string{"user", "add", "--username", "bob", "--name", "B", "--role", "admin"}, "password: none given"},
		{"whatever pass\n", []string{"user", "add", "--username", "ann", "--name", "B", "--role", "admin"}, "username:"},
		{"", []string{"user", "passwd", "--username", "nobody"}, `no user "nobody"`},
		{"", []string{"token", "add", "--name", "bad name", "--role", "admin"}, "name:"},
		{"", []string{"token", "revoke"}, "--id: required"},
	} {
		_, errs, code := run(tc.stdin, append(tc.args, "--config", cfgPath)...)
		if code != 1 || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 1 and %q", tc.args, code, errs, tc.want)
		}
	}
	if _, _, code := run("", "user", "frobnicate"); code != 2 {
		t.Errorf("unknown subcommand: exit %d, want 2", code)
	}

	out, errs, code = run("", "token", "add", "--config", cfgPath, "--name", "crm", "--role", "supervisor")
	raw := strings.TrimSpace(out)
	if code != 0 || !strings.HasPrefix(raw, auth.TokenPrefix) || strings.Count(out, "\n") != 1 {
		t.Fatalf("token add: %d %q %q", code, out, errs)
	}
	if out, errs, code = run("root password two\n", "user", "passwd", "--config", cfgPath, "--username", "root.admin"); code != 0 {
		t.Fatalf("user passwd: %d %q %q", code, out, errs)
	}
	if out, _, _ = run("", "user", "list", "--config", cfgPath); !strings.Contains(out, "root.admin") || !strings.Contains(out, "1001") {
		t.Errorf("user list:\n%s", out)
	}

	// What the commands made works for signing in.
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(dir, "switchboard.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc := auth.New(auth.Config{}, st, time.Now, nil)
	if _, err := svc.Login(ctx, "root.admin", "first admin pass", "x"); !errors.Is(err, auth.ErrBadCredentials) {
		t.Errorf("old admin password: %v", err)
	}
	for user, pass := range map[string]string{"root.admin": "root password two", "ann": "agent password 1"} {
		if _, err := svc.Login(ctx, user, pass, "x"); err != nil {
			t.Errorf("sign in as %s: %v", user, err)
		}
	}
	p, err := svc.Token(ctx, raw)
	if err != nil || p.Role != auth.Supervisor || p.Username != "token:crm" {
		t.Errorf("token: %+v %v", p, err)
	}
	if _, _, code := run("", "token", "revoke", "--config", cfgPath, "--id", "1"); code != 0 {
		t.Fatal("token revoke failed")
	}
	if _, err := svc.Token(ctx, raw); !errors.Is(err, auth.ErrNoSession) {
		t.Errorf("revoked token: %v", err)
	}
	entries, err := st.Audit(ctx, store.AuditFilter{Actor: cliActor})
	if err != nil || len(entries) < 5 {
		t.Errorf("audit: %d entries, %v", len(entries), err)
	}
}

func TestAuthConfig(t *testing.T) {
	cfg, err := config.Load(writeConfig(t, "auth:\n  session_idle: 10m\n  secure_cookie: true\nprivacy:\n  full_numbers: []\n"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Auth.SessionIdle != 10*time.Minute || cfg.Auth.SessionMax != 12*time.Hour || !cfg.Auth.SecureCookie || cfg.Auth.LoginAttempts != 5 {
		t.Errorf("auth = %+v", cfg.Auth)
	}
	if len(cfg.Privacy.FullNumbers) != 0 || len(cfg.Privacy.Reveal) != 2 {
		t.Errorf("privacy = %+v", cfg.Privacy)
	}
	_, err = config.Load(writeConfig(t, "auth:\n  session_idle: 2h\n  session_max: 1h\nprivacy:\n  reveal: [team_lead, root]\n"))
	for _, want := range []string{":3: auth.session_max:", `:5: privacy.reveal[1]: "root" is not a role`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v lacks %q", err, want)
		}
	}
}
