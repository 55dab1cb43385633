package dialplan

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// testbedConfig is what the testbed renders: any number to Switchboard,
// phones with static contacts, a ring group, then a prompt.
func testbedConfig() *Config {
	c := &Config{
		Context:      "from-callers",
		AgentContext: "from-agents",
		DIDs:         []string{"_X."},
		Fallback: Fallback{
			Ring: []string{"1001", "1002", "1003"}, RingTime: 5,
			Then: "playback", Playback: "all-circuits-busy-now",
		},
		Asterisk: Asterisk{
			HTTPBind: "127.0.0.1:8088", SessionLimit: 100, SIPBind: "127.0.0.1:5060",
			MediaAddress: "127.0.0.1", Codecs: []string{"ulaw", "alaw"},
			AllowAnonymous: true, UserAgent: "Switchboard-testbed",
		},
		Switch:           FreeSWITCH{Context: "public", EventSocket: EventSocket{ACL: "loopback.auto"}},
		MediaTimeout:     60,
		MediaTimeoutHold: 300,
	}
	for _, n := range []string{"1001", "1002", "1003"} {
		c.Phones = append(c.Phones, Phone{Name: n, Contact: "sip:" + n + "@127.0.0.1:52" + n[2:]})
	}
	return c
}

// siteConfig is a production-like site: listed DIDs and a pattern, trunks
// (one with auth over TCP), registering phones, voicemail at the end.
func siteConfig() *Config {
	c := testbedConfig()
	c.DIDs = []string{"+4930123456", "_0800[1-3]XXX.", "100"}
	c.Fallback = Fallback{Ring: []string{"alice", "bob"}, RingTime: 20, Then: "voicemail", Voicemail: "100@sales"}
	off, short, ten := Seconds(0), Seconds(30), Seconds(10)
	c.Phones = []Phone{{Name: "alice", Password: "a-secret"}, {Name: "bob", Contact: "sip:bob@10.0.0.12:5060", Password: "b&<secret>", MediaTimeout: &short}}
	c.Trunks = []Trunk{
		// A carrier that sends no RTP in silence: no media timeout on it.
		{Name: "carrier", Host: "192.0.2.10", Codecs: []string{"alaw"}, Auth: &TrunkAuth{Username: "acme", Password: "s3cret"}, MediaTimeout: &off},
		{Name: "branch-pbx", Host: "pbx.branch.example", Port: 5080, Transport: "tcp", Qualify: &ten},
		// A peer that answers no OPTIONS: never qualified.
		{Name: "legacy", Host: "192.0.2.20", Qualify: &off},
	}
	c.Asterisk.HTTPBind = "0.0.0.0:8088"
	c.Asterisk.SIPBind = "0.0.0.0:5060"
	c.Asterisk.MediaAddress = ""
	c.Asterisk.AllowAnonymous = false
	c.Asterisk.UserAgent = ""
	// Switchboard listens on a wildcard address; FreeSWITCH listens everywhere.
	c.Switch.Socket = "10.0.0.5:8084"
	c.Switch.EventSocket = EventSocket{Listen: "0.0.0.0:8021"}
	return c
}

var testLink = Link{
	User: "switchboard", Password: "ari-pass", App: "switchboard",
	ESLAddr: "127.0.0.1:8021", ESLPassword: "p&ss<word>", ESLOutbound: "127.0.0.1:8084",
}

// Every rendered file of every PBX matches its golden file.
func TestRenderGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  func() *Config
	}{{"testbed", testbedConfig}, {"site", siteConfig}} {
		for _, pbx := range PBXs {
			files, err := Render(pbx, tc.cfg(), testLink)
			if err != nil {
				t.Fatalf("%s/%s: %v", tc.name, pbx, err)
			}
			for _, f := range files {
				golden := filepath.Join("testdata", tc.name, pbx, f.Name+".golden")
				if *update {
					if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(golden, f.Data, 0o644); err != nil {
						t.Fatal(err)
					}
					continue
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run go test ./dialplan -update)", err)
				}
				if !bytes.Equal(f.Data, want) {
					t.Errorf("%s differs from the rendered file; got:\n%s", golden, f.Data)
				}
			}
		}
	}
}

// Rendering twice gives the same bytes (no map order, no time).
func TestRenderIsDeterministic(t *testing.T) {
	for _, pbx := range PBXs {
		a, err := Render(pbx, siteConfig(), testLink)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 20; i++ {
			b, _ := Render(pbx, siteConfig(), testLink)
			for j := range a {
				if a[j].Name != b[j].Name || !bytes.Equal(a[j].Data, b[j].Data) {
					t.Fatalf("%s: run %d differs in %s", pbx, i, a[j].Name)
				}
			}
		}
	}
}

// The fallback's last step follows dialplan.fallback.then on both PBXs.
func TestFallbackLastStep(t *testing.T) {
	tests := []struct {
		then          string
		asterisk, fs  string
		notAst, notFS string
	}{
		{"playback", "Playback(all-circuits-busy-now)", `data="all-circuits-busy-now"`, "VoiceMail(", `"voicemail"`},
		{"voicemail", "VoiceMail(100@default,u)", `application="voicemail" data="default ${domain_name} 100"`, "Playback(", `"playback"`},
		{"hangup", "same => n(done),Hangup()", `application="hangup"`, "Playback(", `"playback"`},
	}
	for _, tc := range tests {
		c := testbedConfig()
		c.Fallback.Then, c.Fallback.Voicemail = tc.then, "100@default"
		ast := render(t, "asterisk", c)["extensions.conf"]
		fs := render(t, "freeswitch", c)["dialplan/public/00_switchboard.xml"]
		if !strings.Contains(ast, tc.asterisk) || strings.Contains(ast, tc.notAst) {
			t.Errorf("then=%s: asterisk wants %q, not %q:\n%s", tc.then, tc.asterisk, tc.notAst, ast)
		}
		if !strings.Contains(fs, tc.fs) || strings.Contains(fs, tc.notFS) {
			t.Errorf("then=%s: freeswitch wants %q, not %q:\n%s", tc.then, tc.fs, tc.notFS, fs)
		}
	}
}

// Without a ring group the fallback goes straight to its last step.
func TestFallbackWithoutRingGroup(t *testing.T) {
	c := testbedConfig()
	c.Fallback.Ring = nil
	if ast := render(t, "asterisk", c)["extensions.conf"]; strings.Contains(ast, "Dial(") {
		t.Errorf("Dial without a ring group:\n%s", ast)
	}
	if fs := render(t, "freeswitch", c)["dialplan/public/00_switchboard.xml"]; strings.Contains(fs, `application="bridge"`) {
		t.Errorf("bridge without a ring group:\n%s", fs)
	}
}

func render(t *testing.T, pbx string, c *Config) map[string]string {
	t.Helper()
	files, err := Render(pbx, c, testLink)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, f := range files {
		m[f.Name] = string(f.Data)
	}
	return m
}

// A bad config is refused with every problem, each naming its key.
func TestRenderRejectsBadConfigNamingTheKey(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Config, *Link)
		want   []string
		pbxs   []string // default: every PBX
	}{
		{"no DIDs", func(c *Config, _ *Link) { c.DIDs = nil }, []string{"dialplan.dids: at least one"}, nil},
		{"bad DID", func(c *Config, _ *Link) { c.DIDs = []string{"100", "1 00"} }, []string{"dialplan.dids[1]:"}, nil},
		{"ring an unknown phone", func(c *Config, _ *Link) { c.Fallback.Ring = []string{"1001", "2001"} },
			[]string{`dialplan.fallback.ring[1]: "2001" is not one of dialplan.phones`}, nil},
		{"no ring time", func(c *Config, _ *Link) { c.Fallback.RingTime = 0 }, []string{"dialplan.fallback.ring_time:"}, nil},
		{"negative media timeouts", func(c *Config, _ *Link) {
			neg := Seconds(-1)
			c.MediaTimeoutHold, c.Phones[2].MediaTimeout = -5, &neg
		}, []string{"dialplan.media_timeout_hold: must not be negative", "dialplan.phones[2].media_timeout: must not be negative"}, nil},
		{"unknown last step", func(c *Config, _ *Link) { c.Fallback.Then = "pray" }, []string{`dialplan.fallback.then: "pray"`}, nil},
		{"voicemail without a box", func(c *Config, _ *Link) { c.Fallback.Then = "voicemail" }, []string{"dialplan.fallback.voicemail:"}, nil},
		{"phone twice", func(c *Config, _ *Link) { c.Phones = append(c.Phones, c.Phones[0]) }, []string{"dialplan.phones[3].name:"}, nil},
		{"phone unreachable", func(c *Config, _ *Link) { c.Phones[1].Contact = "" }, []string{"dialplan.phones[1]: a phone needs"}, nil},
		{"trunk", func(c *Config, _ *Link) {
			c.Trunks = []Trunk{{Name: "t 1", Host: "", Port: 70000, Transport: "tls", Codecs: []string{"G.729"}, Auth: &TrunkAuth{}}}
		}, []string{
			"dialplan.trunks[0].name:", "dialplan.trunks[0].host:", "dialplan.trunks[0].port:", "dialplan.trunks[0].transport:",
			"dialplan.trunks[0].codecs[0]:", "dialplan.trunks[0].auth.username:", "dialplan.trunks[0].auth.password:",
		}, nil},
		{"password that would end the line", func(c *Config, _ *Link) { c.Phones[0].Password = "a;b" }, []string{"dialplan.phones[0].password:"}, nil},
		{"binds", func(c *Config, _ *Link) {
			c.Asterisk.HTTPBind, c.Asterisk.SIPBind, c.Switch.Socket = "localhost:8088", "127.0.0.1", "127.0.0.1:0"
		}, []string{"dialplan.asterisk.http_bind:", "dialplan.asterisk.sip_bind:", "dialplan.freeswitch.socket:"}, nil},
		{"no codecs", func(c *Config, _ *Link) { c.Asterisk.Codecs = nil }, []string{"dialplan.asterisk.codecs:"}, nil},
		{"event socket listen", func(c *Config, _ *Link) { c.Switch.EventSocket.Listen = "8021" }, []string{"dialplan.freeswitch.event_socket.listen:"}, nil},
		{"ari link", func(_ *Config, l *Link) { l.User, l.Password, l.App = "a b", "", "" },
			[]string{"pbx.ari.user:", "pbx.ari.password:", "pbx.ari.app:"}, []string{"asterisk"}},
		{"esl link", func(_ *Config, l *Link) { l.ESLPassword, l.ESLOutbound, l.ESLAddr = "", "", "fs:8021" },
			[]string{"pbx.esl.password:", "pbx.esl.outbound_listen: required", "pbx.esl.addr:"}, []string{"freeswitch"}},
		{"esl overrides", func(c *Config, l *Link) {
			l.ESLOutbound, l.ESLAddr = "", ""
			c.Switch.Socket, c.Switch.EventSocket.Listen = "127.0.0.1:8084", "127.0.0.1:8021"
		}, nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, l := testbedConfig(), testLink
			tc.change(c, &l)
			pbxs := tc.pbxs
			if pbxs == nil {
				pbxs = PBXs
			}
			for _, pbx := range pbxs {
				_, err := Render(pbx, c, l)
				if len(tc.want) == 0 {
					if err != nil {
						t.Errorf("%s: %v", pbx, err)
					}
					continue
				}
				if err == nil {
					t.Fatalf("%s: no error", pbx)
				}
				for _, w := range tc.want {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("%s: error lacks %q:\n%v", pbx, w, err)
					}
				}
			}
		})
	}
}

func TestRenderUnknownPBX(t *testing.T) {
	_, err := Render("yate", testbedConfig(), testLink)
	if !errors.Is(err, ErrUnknownPBX) {
		t.Fatalf("err = %v", err)
	}
}

// DIDRegexp turns Asterisk patterns into anchored regular expressions that
// match what the pattern matches.
func TestDIDRegexp(t *testing.T) {
	tests := []struct {
		did       string
		match, no []string
	}{
		{"100", []string{"100"}, []string{"1000", "10", "x100"}},
		{"+4930123", []string{"+4930123"}, []string{"4930123", "+49301234"}},
		{"_X.", []string{"12", "100"}, []string{"1", "", "a1"}},
		{"_0800[1-3]XX", []string{"0800155", "0800399"}, []string{"0800455", "080015", "08001555"}},
		{"_NXX!", []string{"200", "2001234"}, []string{"100", "20"}},
		{"_ZX", []string{"10", "99"}, []string{"09", "100"}},
	}
	for _, tc := range tests {
		re := regexp.MustCompile(DIDRegexp(tc.did))
		for _, m := range tc.match {
			if !re.MatchString(m) {
				t.Errorf("%s (%s) does not match %q", tc.did, re, m)
			}
		}
		for _, m := range tc.no {
			if re.MatchString(m) {
				t.Errorf("%s (%s) matches %q", tc.did, re, m)
			}
		}
	}
}

// Write leaves a file with the same bytes untouched and creates directories.
func TestWriteCreatesDirsAndKeepsUnchangedFiles(t *testing.T) {
	dir := t.TempDir()
	files := render(t, "freeswitch", testbedConfig())
	list := []File{}
	for _, name := range []string{"dialplan/public/00_switchboard.xml", "autoload_configs/event_socket.conf.xml"} {
		list = append(list, File{Name: name, Data: []byte(files[name])})
	}
	if err := Write(dir, list); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "dialplan", "public", "00_switchboard.xml")
	st1, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	// Make the file look old; an unchanged rewrite must not touch it.
	old := st1.ModTime().Add(-3600e9)
	if err := os.Chtimes(p, old, old); err != nil {
		t.Fatal(err)
	}
	if err := Write(dir, list); err != nil {
		t.Fatal(err)
	}
	st2, _ := os.Stat(p)
	if !st2.ModTime().Equal(old) {
		t.Errorf("unchanged file rewritten: mtime %v, want %v", st2.ModTime(), old)
	}
}

// A PBX reading a config file while render replaces it must see the whole
// old file, not a truncated or half-written one: the old file's contents
// stay intact under a reader holding it open, and no temporary file is left.
func TestWriteReplacesFilesAtomically(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "pjsip.conf")
	if err := os.WriteFile(p, []byte("old contents\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	reader, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	if err := Write(dir, []File{{Name: "pjsip.conf", Data: []byte("new\n")}}); err != nil {
		t.Fatal(err)
	}
	held, err := io.ReadAll(reader)
	if err != nil {
		t.Fatal(err)
	}
	if string(held) != "old contents\n" {
		t.Errorf("a reader of the old file saw %q: the file was rewritten in place", held)
	}
	now, _ := os.ReadFile(p)
	if string(now) != "new\n" {
		t.Errorf("file = %q, want the new contents", now)
	}
	st, _ := os.Stat(p)
	if st.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, want 0640 (it holds the ARI/ESL password)", st.Mode().Perm())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only pjsip.conf (a temporary file left?)", len(entries))
	}
}
