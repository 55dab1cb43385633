package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"switchboard/auth"
	"switchboard/config"
	"switchboard/routing"
	"switchboard/store"
)

// The user and token commands: how the first admin is made (there is no
// default password) and how accounts are fixed when nobody can sign in.

// cliActor is who the audit log says did what the commands do.
const cliActor = "cli"

func runAccounts(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	c, _ := lookup(args[0])
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	var (
		configPath = fs.String("config", "", "YAML config file (default: built-in)")
		username   = fs.String("username", "", "sign-in name: 2-64 of a-z 0-9 . _ -")
		name       = fs.String("name", "", "display name (user), or token name")
		role       = fs.String("role", "", "agent | team_lead | supervisor | quality | admin")
		agentID    = fs.String("agent-id", "", "the routing agent the user takes calls as (agents)")
		team       = fs.String("team", "", "the user's team: one of the routing config's teams (an agent's is their agent's)")
		lang       = fs.String("lang", "zh", "zh | en")
		passFile   = fs.String("password-file", "", "read the password from this file's first line, not stdin")
		id         = fs.Int64("id", 0, "token id (token revoke)")
		validDays  = fs.Int("valid-days", 90, "days the token works (token add; 1 to 366)")
	)
	if len(args) < 2 {
		c.printUsage(stderr, fs)
		return 2
	}
	if isHelp(args[1]) { // switchboard user -h
		c.printUsage(stdout, fs)
		return 0
	}
	if code, done := c.parseFlags(fs, args[2:], stdout, stderr); done {
		return code
	}
	cmd := args[0] + " " + args[1]
	switch cmd {
	case "user add", "user passwd", "user list", "token add", "token revoke":
	default:
		fmt.Fprintf(stderr, "unknown command %q\n", cmd)
		c.printUsage(stderr, fs)
		return 2
	}
	cfg, err := config.Load(*configPath)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	ctx := context.Background()
	log := newLogger("warn", stderr) // the commands' own output is enough
	st, err := openStore(ctx, cfg, log)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	defer st.Close()
	// Accounts name the teams and agents of the config running (with the
	// admin page's saved sections), as the API checks them.
	if cfg, err = config.NewEditor(*configPath, st, log).Start(ctx, cfg); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	svc := auth.New(cfg.Auth, st, time.Now, log)
	password := func() (string, error) { return readPassword(*passFile, stdin, stderr) }

	switch cmd {
	case "user add":
		err = userAdd(ctx, svc, st, directory(&cfg.Config), auth.NewUser{Username: *username, Name: *name, Role: auth.Role(*role),
			AgentID: *agentID, Team: *team, Lang: *lang}, password, stdout)
	case "user passwd":
		err = userPasswd(ctx, svc, st, *username, password, stdout)
	case "user list":
		err = userList(ctx, svc, stdout)
	case "token add":
		err = tokenAdd(ctx, svc, st, auth.TokenSpec{Name: *name, Role: auth.Role(*role), CreatedBy: cliActor,
			ValidFor: time.Duration(*validDays) * 24 * time.Hour}, stdout, stderr)
	case "token revoke":
		err = tokenRevoke(ctx, svc, st, *id, stdout)
	}
	if err != nil {
		fmt.Fprintf(stderr, "switchboard %s: %v\n", cmd, err)
		return 1
	}
	return 0
}

func userAdd(ctx context.Context, svc *auth.Service, st *store.Store, dir auth.Directory, nu auth.NewUser, password func() (string, error), stdout io.Writer) error {
	// Check what can be checked before asking for a password.
	if _, err := auth.ParseRole(string(nu.Role)); err != nil {
		return err
	}
	named := auth.User{Role: nu.Role, AgentID: strings.TrimSpace(nu.AgentID), Team: strings.TrimSpace(nu.Team)}
	if err := dir.Check(named); err != nil {
		return err
	}
	nu.Team = dir.AgentTeam(named)
	var err error
	if nu.Password, err = password(); err != nil {
		return err
	}
	u, err := svc.CreateUser(ctx, nu)
	if aerr := auditCLI(ctx, st, "user.create", nu.Username, err, map[string]any{"role": nu.Role, "agent_id": nu.AgentID, "team": nu.Team}); aerr != nil {
		return aerr
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "user %s (%s) created, id %d\n", u.Username, u.Role, u.ID)
	return nil
}

// directory is what accounts may name of cfg: its teams and agents.
func directory(cfg *routing.Config) auth.Directory {
	d := auth.Directory{Agents: map[string]string{}}
	for id := range cfg.Teams {
		d.Teams = append(d.Teams, id)
	}
	for _, a := range cfg.Agents {
		d.Agents[a.ID] = a.Team
	}
	return d
}

func userPasswd(ctx context.Context, svc *auth.Service, st *store.Store, username string, password func() (string, error), stdout io.Writer) error {
	u, err := svc.UserNamed(ctx, strings.ToLower(strings.TrimSpace(username)))
	if errors.Is(err, auth.ErrNotFound) {
		return fmt.Errorf("no user %q", username)
	}
	if err != nil {
		return err
	}
	pass, err := password()
	if err != nil {
		return err
	}
	_, err = svc.UpdateUser(ctx, u.ID, auth.UserPatch{Password: &pass})
	if aerr := auditCLI(ctx, st, "user.update", u.Username, err, map[string]any{"password_changed": true}); aerr != nil {
		return aerr
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "password of %s changed; their sessions ended\n", u.Username)
	return nil
}

func userList(ctx context.Context, svc *auth.Service, stdout io.Writer) error {
	users, err := svc.Users(ctx)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tUSERNAME\tROLE\tAGENT\tTEAM\tLANG\tDISABLED\tNAME")
	for _, u := range users {
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\t%v\t%s\n", u.ID, u.Username, u.Role, u.AgentID, u.Team, u.Lang, u.Disabled, u.Name)
	}
	return w.Flush()
}

func tokenAdd(ctx context.Context, svc *auth.Service, st *store.Store, spec auth.TokenSpec, stdout, stderr io.Writer) error {
	raw, t, err := svc.CreateToken(ctx, spec)
	if aerr := auditCLI(ctx, st, "token.create", spec.Name, err, map[string]any{"role": spec.Role}); aerr != nil {
		return aerr
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "token %s (%s) created, id %d, works until %s; it is shown only now:\n", t.Name, t.Role, t.ID, t.ExpiresAt.Format(time.RFC3339))
	fmt.Fprintln(stdout, raw)
	return nil
}

func tokenRevoke(ctx context.Context, svc *auth.Service, st *store.Store, id int64, stdout io.Writer) error {
	if id <= 0 {
		return errors.New("--id: required (see GET /api/v1/tokens)")
	}
	err := svc.RevokeToken(ctx, id)
	if aerr := auditCLI(ctx, st, "token.revoke", fmt.Sprint(id), err, nil); aerr != nil {
		return aerr
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "token %d revoked\n", id)
	return nil
}

// auditCLI records what a command did (or failed to do: err).
func auditCLI(ctx context.Context, st *store.Store, action, target string, err error, detail map[string]any) error {
	if err != nil {
		if detail == nil {
			detail = map[string]any{}
		}
		detail["error"] = err.Error()
	}
	e := store.AuditEntry{Time: time.Now(), Actor: cliActor, Role: string(auth.Admin), Addr: "local",
		Action: action, Target: target, OK: err == nil}
	if detail != nil {
		b, jerr := json.Marshal(detail)
		if jerr != nil {
			return jerr
		}
		e.Detail = b
	}
	if aerr := st.AppendAudit(ctx, e); aerr != nil {
		return fmt.Errorf("audit log: %w", aerr)
	}
	return nil
}

// readPassword is the first line of file, or of stdin when file is "".
func readPassword(file string, stdin io.Reader, stderr io.Writer) (string, error) {
	src := stdin
	if file != "" {
		f, err := os.Open(file)
		if err != nil {
			return "", fmt.Errorf("password file: %w", err)
		}
		defer f.Close()
		src = f
	} else if f, ok := stdin.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			fmt.Fprint(stderr, "password (shown as typed; or pipe it in): ")
		}
	}
	line, err := bufio.NewReader(io.LimitReader(src, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("password: none given (first line of stdin or --password-file)")
	}
	return line, nil
}
