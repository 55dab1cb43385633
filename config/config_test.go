package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"switchboard/config/configtest"
)

func TestBuiltInConfigIsValid(t *testing.T) {
	cfg, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Listen.Addr != "127.0.0.1:8080" || cfg.PBX.ARI.URL != "http://127.0.0.1:8088" || len(cfg.Agents) == 0 {
		t.Fatalf("defaults: %+v", cfg)
	}
	if cfg.Database != filepath.Join("data", "switchboard.db") {
		t.Fatalf("database %q", cfg.Database)
	}
}

func TestConfigErrorsNameFileLineAndKey(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []string // each must appear in the error
	}{
		{"unknown key", "listen: 127.0.0.1:9\nlistne: x\n", []string{":2: listne: unknown key"}},
		{"bad duration", "queues:\n  support:\n    max_wait: forever\n", []string{":3: queues.support.max_wait: bad duration", "forever"}},
		{"unknown flow in a route", "routes:\n  \"100\": nowhere\n", []string{":2: routes.100: unknown flow \"nowhere\""}},
		{"every problem at once", `log_level: loud
pbx:
  ari:
    url: ftp://x
queues:
  q1: {strategy: psychic}
agents:
  - {id: "1", queues: [q9], endpoint: nope}
`, []string{
			":1: log_level:", ":4: pbx.ari.url:", ":6: queues.q1.strategy: unknown strategy",
			":8: agents[0].queues[0]: unknown queue \"q9\"", ":8: agents[0].endpoint:",
		}},
		{"trusted proxy not an address", "listen:\n  addr: 127.0.0.1:9\n  trusted_proxies: [10.0.0.0/8, proxy.example]\n",
			[]string{":3: listen.trusted_proxies[1]: \"proxy.example\" is not an address or CIDR"}},
		{"listen not host:port", "listen: 8080\n", []string{":1: listen:", "host:port"}},
		{"five problems, each at its line", `listen: 127.0.0.1:9
log_level: loud
queues:
  support:
    max_wait: forever
    strategy: psychic
teams:
  front: {min_ready: many}
agents:
  - {id: "1", queues: [q9]}
listne: x
`, []string{
			":5: queues.support.max_wait: bad duration \"forever\"", ":11: listne: unknown key",
			":8: teams.front.min_ready: wrong type", ":2: log_level:", ":6: queues.support.strategy: unknown strategy",
			":10: agents[0].queues[0]: unknown queue \"q9\"",
		}},
		{"clock not a time", "listen: 127.0.0.1:9\nclock: {start: \"saturday night\"}\n", []string{":2: clock.start:", "RFC 3339"}},
		{"menu option not a digit", `flows:
  main:
    start: m
    nodes:
      m:
        menu:
          prompt: [sound:x]
          options: {"12": m}
routes: {default: main}
`, []string{":8: flows.main.nodes.m.menu.options.12: option must be one DTMF digit"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := configtest.WriteFile(t, tt.body)
			_, err := Load(p)
			if err == nil {
				t.Fatal("loaded a bad config")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			if !strings.Contains(err.Error(), p) {
				t.Errorf("error does not name the file %s:\n%v", p, err)
			}
		})
	}
}

// FuzzLoadConfig: any file either loads into a config that passed
// validation or is refused with an error naming the file; never a panic.
func FuzzLoadConfig(f *testing.F) {
	f.Add(string(defaultYAML))
	f.Add("routes: {default: main}\nflows: {main: {start: a, nodes: {a: {hangup: {}}}}}\n")
	f.Add("queues:\n  q: {max_wait: -1s}\nagents: [{id: x, queues: [q]}]\n")
	f.Add("flows:\n  m:\n    start: x\n    nodes:\n      x: {menu: {prompt: [a], options: {'1': x}}}\n")
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, body string) {
		p := filepath.Join(dir, "fuzz.yaml")
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		cfg, err := Load(p)
		if err != nil {
			if !strings.Contains(err.Error(), p) {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if err := cfg.validate(); err != nil {
			t.Fatalf("loaded a config that does not validate: %v", err)
		}
	})
}

// Every routing section a file sets must reach the engine, not only the
// ones the built-in config has.
func TestFileSectionsAreKept(t *testing.T) {
	p := configtest.WriteFile(t, `
teams: {t1: {min_ready: 1}}
calendars: {office: {weekly: {mon-fri: ["09:00-18:00"]}}}
extensions: {"8001": {endpoint: PJSIP/1004}}
priority: {vip: 5, vip_numbers: ["1"]}
login: {second_sign_in: take_over}
ordering: sl_risk
reservation_lease: 3s
watchdog: 10s
`)
	cfg, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Teams["t1"] == nil || cfg.Calendars["office"] == nil || cfg.Extensions["8001"] == nil ||
		cfg.Priority.VIP != 5 || cfg.Login.SecondSignIn != "take_over" || cfg.Ordering != "sl_risk" ||
		cfg.ReservationLease.D().String() != "3s" || cfg.Watchdog.D().String() != "10s" {
		t.Fatalf("sections lost: %+v", cfg.Config)
	}
}

func TestFlowFiles(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "flows"), 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("sb.yaml", "flows_dir: flows\nroutes: {default: main}\n")
	write("flows/main.yaml", "start: hello\nnodes:\n  hello: {play: {media: [sound:hello-world], next: menu}}\n  menu:\n    menu: {prompt: [sound:beep], options: {\"1\": nowhere}}\n")
	_, err := Load(filepath.Join(dir, "sb.yaml"))
	want := filepath.Join(dir, "flows", "main.yaml") + ":5: flows.main.nodes.menu.menu.options.1: unknown node \"nowhere\""
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("error %v\nwant it to contain %s", err, want)
	}
	write("flows/main.yaml", "start: hello\nnodes:\n  hello: {play: {media: [sound:hello-world]}}\n")
	write("flows/sales.yaml", "start: q\nnodes:\n  q: {hangup: {}}\n")
	cfg, err := Load(filepath.Join(dir, "sb.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Flows) != 2 || cfg.Flows["sales"] == nil {
		t.Fatalf("flows %v", cfg.Flows)
	}
	write("flows/sales.yaml", "start: q\nnodez: {}\n")
	if _, err := Load(filepath.Join(dir, "sb.yaml")); err == nil || !strings.Contains(err.Error(), "sales.yaml") || !strings.Contains(err.Error(), "nodez") {
		t.Fatalf("unknown key in a flow file: %v", err)
	}
}

// Maps a file names replace the built-in ones (not merged into them); the
// sections it leaves out keep the built-in ones.
func TestFileMapsReplaceBuiltIn(t *testing.T) {
	cfg, err := Load(configtest.WriteFile(t, "queues:\n  sales: {}\nflows:\n  main:\n    start: q\n    nodes:\n      q: {queue: {queue: sales}}\nagents: []\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Queues) != 1 || cfg.Queues["sales"] == nil || cfg.Queues["sales"].WrapUp != 10_000_000_000 {
		t.Errorf("queues %v, want only sales with its defaults", cfg.Queues)
	}
	if len(cfg.Flows) != 1 || cfg.Routes != nil {
		t.Errorf("flows %v routes %v: a file's flows come with its own routes (none here)", cfg.Flows, cfg.Routes)
	}
	if len(cfg.Dispositions) != 5 || cfg.PBX.ARI.App != "switchboard" {
		t.Errorf("sections left out lost their built-in values: %+v %+v", cfg.Dispositions, cfg.PBX)
	}
}

func TestListenTakesAnAddressOrAMapping(t *testing.T) {
	cfg, err := Load(configtest.WriteFile(t, "listen:\n  addr: 127.0.0.1:9\n  trusted_proxies: [10.0.0.0/8, 192.0.2.7]\n"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := cfg.Listen.Proxies()
	if err != nil || cfg.Listen.Addr != "127.0.0.1:9" || len(p) != 2 || p[1].String() != "192.0.2.7/32" {
		t.Errorf("listen %+v, proxies %v, %v", cfg.Listen, p, err)
	}
	cfg, err = Load(configtest.WriteFile(t, "listen: 127.0.0.1:9\n"))
	if err != nil || cfg.Listen.Addr != "127.0.0.1:9" || len(cfg.Listen.TrustedProxies) != 0 {
		t.Errorf("plain listen: %+v, %v", cfg.Listen, err)
	}
}
