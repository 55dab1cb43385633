package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// command is one of switchboard's commands as its help shows it. The
// listing (switchboard help) and each command's usage (switchboard CMD -h,
// switchboard help CMD) are printed from this table, in one style.
type command struct {
	name     string
	synopses []string // what follows "switchboard NAME", one usage line each
	summary  string   // the listing's line
	about    string   // what the command's own usage says it does
}

var commands = []command{
	{name: "serve", synopses: []string{"[--config FILE]"},
		summary: "run Switchboard (--config FILE; built-in defaults without it)",
		about:   "Runs Switchboard: the PBX link, the routing engine and the API, until\nSIGINT or SIGTERM. Without --config it runs on the built-in defaults."},
	{name: "migrate", synopses: []string{"[--config FILE]"},
		summary: "create or upgrade the database and exit",
		about:   "Creates or upgrades the database named in the config, then exits."},
	{name: "validate", synopses: []string{"[--config FILE]"},
		summary: "check a config file and exit non-zero on any problem",
		about:   "Checks the config file and exits non-zero on any problem. Every problem\nis reported, each as FILE:LINE: key: problem."},
	{name: "render", synopses: []string{"--pbx asterisk|freeswitch --out DIR [--config FILE]"},
		summary: "write the PBX's config snippets (--pbx asterisk|freeswitch --out DIR)",
		about:   "Writes the PBX's files (dialplan, trunks, phones, control-link\ncredentials) into DIR from the config's dialplan and pbx sections."},
	{name: "export", synopses: []string{"--out FILE [--report NAME] [--from DAY --to DAY | --period P] [--group G] [--format csv|xlsx] [--config FILE]"},
		summary: "write a report to a file (--report NAME --from DAY --to DAY --group G --format csv|xlsx --out FILE)",
		about:   "Writes one report to FILE as a schedule would, with FILE.manifest.json\nbeside it. --period names a period (yesterday, last_month, …) instead of\n--from/--to."},
	{name: "rollup", synopses: []string{"--rebuild [--config FILE]"},
		summary: "rebuild the report rollups from the event log (--rebuild)",
		about:   "With --rebuild, re-derives the calls table and the report rollups from\nthe event log."},
	{name: "backup", synopses: []string{"--out FILE [--config FILE]"},
		summary: "copy the SQLite database to FILE while Switchboard runs (--out FILE)",
		about:   "Writes a consistent copy of the SQLite database to FILE (VACUUM INTO),\nsafe while switchboard serve runs. PostgreSQL: pg_dump (docs/operations.md)."},
	{name: "restore", synopses: []string{"--from FILE [--config FILE]"},
		summary: "put a backup in place of the database, in an empty data dir (--from FILE)",
		about:   "Checks the backup FILE and copies it to the config's database path,\nwhose directory must be empty or missing. PostgreSQL: pg_restore."},
	{name: "user", synopses: []string{
		"add --config FILE --username U --name N --role R [--agent-id A] [--team T] [--lang zh|en] [--password-file F]",
		"passwd --config FILE --username U [--password-file F]",
		"list --config FILE",
	},
		summary: "accounts: user add|passwd|list (the first admin too; the password is read from stdin)",
		about:   "Manages sign-in accounts, the first admin too. The password is read\nfrom the first line of stdin, or of --password-file.\n" + rolesHelp},
	{name: "token", synopses: []string{
		"add --config FILE --name N --role R",
		"revoke --config FILE --id N",
	},
		summary: "API tokens for programs: token add|revoke (add prints the token, once)",
		about:   "Manages API tokens for programs. token add prints the token on stdout,\nonce: it is stored only as a hash.\n" + rolesHelp},
	{name: "replay", synopses: []string{"--from DB --config NEW [--old OLD] [--since T] [--until T] [--json]"},
		summary: "what-if: re-run a logged period under another config (--from DB --config NEW [--old OLD] [--since T --until T] [--json])",
		about: `Re-runs the calls of a recorded period through the engine under the NEW
config and under the OLD one (default: the config the log says was running
when the period began), and reports service level, ASA, waits, abandons,
overflows and timeouts per queue for the recording, both simulations and
new−old. Times are RFC 3339 (2026-03-02T09:00:00Z).`},
	{name: "help", synopses: []string{"[COMMAND]"},
		summary: "print this listing, or a command's usage",
		about:   "Prints the listing of commands, or COMMAND's usage and flags (as\nswitchboard COMMAND -h does)."},
}

const rolesHelp = "Roles: agent, team_lead, supervisor, quality, admin."

// lookup finds a command by name.
func lookup(name string) (command, bool) {
	for _, c := range commands {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// isHelp reports whether arg asks for help, as the flag package reads it.
func isHelp(arg string) bool {
	switch arg {
	case "-h", "--help", "-help", "--h":
		return true
	}
	return false
}

// printListing writes the usage that lists every command.
func printListing(w io.Writer) {
	fmt.Fprint(w, "usage: switchboard <command> [flags]\n\ncommands:\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, c := range commands {
		fmt.Fprintf(tw, "  %s\t%s\n", c.name, c.summary)
	}
	tw.Flush()
	fmt.Fprint(w, "\nswitchboard help COMMAND (or switchboard COMMAND -h) prints a command's usage and flags.\n")
}

// printUsage writes the command's usage: its synopses, what it does and,
// when fs is given, its flags.
func (c command) printUsage(w io.Writer, fs *flag.FlagSet) {
	for i, s := range c.synopses {
		lead := "usage: "
		if i > 0 {
			lead = strings.Repeat(" ", len(lead))
		}
		fmt.Fprintf(w, "%sswitchboard %s %s\n", lead, c.name, s)
	}
	fmt.Fprintf(w, "\n%s\n", c.about)
	if fs == nil {
		return
	}
	fmt.Fprint(w, "\nflags:\n")
	out := fs.Output()
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(out)
}

// parseFlags parses a command's flags. -h and --help print its usage on
// stdout (exit 0); a bad flag prints the problem and the usage on stderr
// (exit 2). done says the command ends here with code.
func (c command) parseFlags(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) (code int, done bool) {
	fs.SetOutput(stderr)
	fs.Usage = func() {} // printed below, on the stream the outcome calls for
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		c.printUsage(stdout, fs)
		return 0, true
	case err != nil:
		c.printUsage(stderr, fs)
		return 2, true
	}
	return 0, false
}
