package main

import (
	"bytes"
	"strings"
	"testing"
)

// Every way of asking for a command's usage prints the same text, in the
// one style, on stdout, and exits 0.
func TestCommandHelp(t *testing.T) {
	for _, c := range commands {
		t.Run(c.name, func(t *testing.T) {
			forms := [][]string{{c.name, "-h"}, {c.name, "--help"}, {c.name, "-help"}, {"help", c.name}}
			switch c.name {
			case "user":
				forms = append(forms, []string{"user", "add", "-h"}, []string{"user", "list", "--help"})
			case "token":
				forms = append(forms, []string{"token", "revoke", "-h"})
			}
			var first string
			for _, args := range forms {
				code, stdout, stderr := runCaptured(args...)
				if code != 0 || stderr != "" {
					t.Errorf("%q: exit %d, stderr %q; want 0 and nothing", args, code, stderr)
				}
				if !strings.HasPrefix(stdout, "usage: switchboard "+c.name+" ") {
					t.Errorf("%q: stdout does not start with the command's usage line:\n%s", args, stdout)
				}
				if !strings.Contains(stdout, "\n"+c.about+"\n") {
					t.Errorf("%q: stdout does not say what the command does:\n%s", args, stdout)
				}
				if c.name != "help" && !strings.Contains(stdout, "\nflags:\n  -") {
					t.Errorf("%q: stdout lists no flags:\n%s", args, stdout)
				}
				if first == "" {
					first = stdout
				} else if stdout != first {
					t.Errorf("%q prints another usage than %q:\n%s\nwant:\n%s", args, forms[0], stdout, first)
				}
			}
		})
	}
}

// The listing names every command; asked for, it is on stdout with exit 0;
// after a mistake, on stderr with exit 2.
func TestCommandListing(t *testing.T) {
	tests := []struct {
		args       []string
		code       int
		onStdout   bool
		complaints string // on stderr before the listing
	}{
		{[]string{"help"}, 0, true, ""},
		{[]string{"--help"}, 0, true, ""},
		{[]string{"-h"}, 0, true, ""},
		{nil, 2, false, ""},
		{[]string{"frobnicate"}, 2, false, `unknown command "frobnicate"`},
		{[]string{"frobnicate", "--config", "x.yaml"}, 2, false, `unknown command "frobnicate"`},
		{[]string{"help", "frobnicate"}, 2, false, `help: unknown command "frobnicate"`},
		{[]string{"help", "user", "token"}, 2, false, "help: one command at a time"},
	}
	for _, tt := range tests {
		code, stdout, stderr := runCaptured(tt.args...)
		listing, other := stdout, stderr
		if !tt.onStdout {
			listing, other = stderr, stdout
		}
		if code != tt.code {
			t.Errorf("%q: exit %d, want %d", tt.args, code, tt.code)
		}
		if !strings.Contains(listing, "usage: switchboard <command> [flags]\n") {
			t.Errorf("%q: no listing where expected:\n%s", tt.args, listing)
		}
		for _, c := range commands {
			if !strings.Contains(listing, "\n  "+c.name+" ") {
				t.Errorf("%q: the listing leaves out %s:\n%s", tt.args, c.name, listing)
			}
		}
		if other != "" {
			t.Errorf("%q: the other stream has %q", tt.args, other)
		}
		if !strings.HasPrefix(stderr, tt.complaints) {
			t.Errorf("%q: stderr %q, want it to start with %q", tt.args, stderr, tt.complaints)
		}
	}
}

// A bad flag is named, with the command's usage, on stderr, exit 2.
func TestCommandBadFlag(t *testing.T) {
	for _, c := range commands {
		if c.name == "help" {
			continue
		}
		args := []string{c.name, "--no-such-flag"}
		if c.name == "user" || c.name == "token" {
			args = []string{c.name, "add", "--no-such-flag"}
		}
		code, stdout, stderr := runCaptured(args...)
		if code != 2 || stdout != "" {
			t.Errorf("%q: exit %d, stdout %q; want 2 and nothing", args, code, stdout)
		}
		if !strings.HasPrefix(stderr, "flag provided but not defined: -no-such-flag\nusage: switchboard "+c.name+" ") {
			t.Errorf("%q: stderr does not name the flag, then give the usage:\n%s", args, stderr)
		}
	}
}

func runCaptured(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return code, out.String(), errb.String()
}
