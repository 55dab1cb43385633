package config

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"switchboard/auth"
	"switchboard/config/configtest"
	"switchboard/dialplan"
	"switchboard/routing"
)

// zeroBase sets every duration and count key to a value that is neither
// zero nor its default; each case below deletes one line (the default
// must come back) or sets it to zero (zero must stay, or be an error
// naming the key at its line).
const zeroBase = `watchdog: 45s
reservation_lease: 7s
reports:
  short_abandon: 9s
exports:
  retries: 4
  backoff: 45s
auth:
  session_idle: 20m
  session_max: 10h
  login_attempts: 6
  login_attempts_per_address: 60
  login_window: 20m
dialplan:
  media_timeout: 61s
  media_timeout_hold: 301s
  fallback:
    ring_time: 16s
  trunks:
    - name: carrier1
      host: 127.0.0.1
      max_channels: 4
extensions:
  "8001": {endpoint: PJSIP/8001, name: Office}
teams:
  red:
    name: Red
    min_ready: 2
not_ready_reasons:
  - code: break
    allowance: 15m
priority:
  vip: 5
  repeat: 3
  repeat_within: 1h
queues:
  support:
    max_wait: 4m
    ring_timeout: 16s
    wrap_up: 11s
    wrap_up_extend: 30s
    max_length: 5
    service_level:
      within: 21s
      percent: 81
    overflow_below_sl:
      below: 50
      window: 31m
      min_calls: 11
      to: {node: bye}
routes: {default: main}
flows:
  main:
    start: menu
    nodes:
      menu:
        menu:
          prompt: [sound:x]
          options: {"1": q, "2": col, "3": dir, "4": dial, "5": survey, "6": msg}
          timeout: 6s
          attempts: 4
      q:
        queue:
          queue: support
          priority: 2
      col:
        collect:
          max: 4
          min: 2
          var: acct
          next: bye
          timeout: 7s
          terminator: "*"
      dir:
        directory:
          var: ext
          next: bye
          letters: 4
          timeout: 8s
      dial:
        dial:
          extension: "8001"
          timeout: 21s
      survey:
        survey:
          prompt: [sound:x]
          timeout: 9s
      msg:
        message:
          target: "8001"
          max_duration: 3m
      bye: {hangup: {}}
agents:
  - id: "1001"
    team: red
    queues:
      - queue: support
        penalty: 2
    wrap_up: 12s
trunk_groups:
  out:
    members:
      - trunk: carrier1
        priority: 1
        weight: 2
    invite_timeout: 6s
    ring_timeout: 31s
    max_calls: 5
outbound:
  manual: out
  down_after: 4
  probe_after: 31s
  numbers:
    min_digits: 4
    max_digits: 14
`

func TestExplicitZero(t *testing.T) {
	sec := func(s int) routing.Duration { return routing.Duration(time.Duration(s) * time.Second) }
	q := func(c *Config) *routing.Queue { return c.Queues["support"] }
	node := func(c *Config, n string) *routing.Node { return c.Flows["main"].Nodes[n] }
	zeroWrap := routing.Duration(0)
	for _, tt := range []struct {
		line string // in zeroBase
		zero string // the line with an explicit zero
		get  func(*Config) any
		def  any    // without the line
		want any    // with the zero (when err is "")
		err  string // with the zero: the key and problem reported
	}{
		{"watchdog: 45s", "watchdog: 0s", func(c *Config) any { return c.Watchdog }, routing.DefaultWatchdog, nil, "watchdog: must not be 0"},
		{"reservation_lease: 7s", "reservation_lease: 0s", func(c *Config) any { return c.ReservationLease }, routing.DefaultReservationLease, nil, "reservation_lease: must be greater than 0"},
		{"  short_abandon: 9s", "  short_abandon: 0s", func(c *Config) any { return c.Reports.ShortAbandon }, sec(5), routing.Duration(0), ""},
		{"  retries: 4", "  retries: 0", func(c *Config) any { return c.Exports.Retries }, 3, 0, ""},
		{"  backoff: 45s", "  backoff: 0s", func(c *Config) any { return c.Exports.Backoff }, sec(30), routing.Duration(0), ""},
		{"  session_idle: 20m", "  session_idle: 0s", func(c *Config) any { return c.Auth.SessionIdle }, auth.DefaultSessionIdle, nil, "auth.session_idle: must be greater than 0"},
		{"  session_max: 10h", "  session_max: 0s", func(c *Config) any { return c.Auth.SessionMax }, auth.DefaultSessionMax, nil, "auth.session_max: must be greater than 0"},
		{"  login_attempts: 6", "  login_attempts: 0", func(c *Config) any { return c.Auth.LoginAttempts }, auth.DefaultLoginAttempts, nil, "auth.login_attempts: must be greater than 0"},
		{"  login_attempts_per_address: 60", "  login_attempts_per_address: 0", func(c *Config) any { return c.Auth.AddressAttempts }, 50, nil, "auth.login_attempts_per_address: must be greater than 0"},
		{"  login_window: 20m", "  login_window: 0s", func(c *Config) any { return c.Auth.LoginWindow }, auth.DefaultLoginWindow, nil, "auth.login_window: must be greater than 0"},
		{"  media_timeout: 61s", "  media_timeout: 0s", func(c *Config) any { return c.Dialplan.MediaTimeout }, dialplan.Seconds(60), dialplan.Seconds(0), ""},
		{"  media_timeout_hold: 301s", "  media_timeout_hold: 0s", func(c *Config) any { return c.Dialplan.MediaTimeoutHold }, dialplan.Seconds(300), dialplan.Seconds(0), ""},
		{"    ring_time: 16s", "    ring_time: 0s", func(c *Config) any { return c.Dialplan.Fallback.RingTime }, dialplan.Seconds(15), nil, "dialplan.fallback.ring_time"},
		{"    min_ready: 2", "    min_ready: 0", func(c *Config) any { return c.Teams["red"].MinReady }, 0, 0, ""},
		{"    allowance: 15m", "    allowance: 0s", func(c *Config) any { return c.NotReadyReasons[0].Allowance }, routing.Duration(0), routing.Duration(0), ""},
		{"  vip: 5", "  vip: 0", func(c *Config) any { return c.Priority.VIP }, 0, 0, ""},
		{"  repeat: 3", "  repeat: 0", func(c *Config) any { return c.Priority.Repeat }, 0, 0, ""},
		{"  repeat_within: 1h", "  repeat_within: 0s", func(c *Config) any { return c.Priority.RepeatWithin }, routing.Duration(0), routing.Duration(0), ""},
		{"    max_wait: 4m", "    max_wait: 0s", func(c *Config) any { return q(c).MaxWait }, routing.DefaultMaxWait, nil, "queues.support.max_wait: must be greater than 0"},
		{"    ring_timeout: 16s", "    ring_timeout: 0s", func(c *Config) any { return q(c).RingTimeout }, routing.DefaultRingTimeout, nil, "queues.support.ring_timeout: must be greater than 0"},
		{"    wrap_up: 11s", "    wrap_up: 0s", func(c *Config) any { return q(c).WrapUp }, routing.DefaultWrapUp, routing.Duration(0), ""},
		{"    wrap_up_extend: 30s", "    wrap_up_extend: 0s", func(c *Config) any { return q(c).WrapUpExtend }, routing.DefaultWrapUpExtend, routing.Duration(0), ""},
		{"    max_length: 5", "    max_length: 0", func(c *Config) any { return q(c).MaxLength }, 0, 0, ""},
		{"      within: 21s", "      within: 0s", func(c *Config) any { return q(c).ServiceLevel.Within }, routing.DefaultSLWithin, nil, "queues.support.service_level.within: must be greater than 0"},
		{"      percent: 81", "      percent: 0", func(c *Config) any { return q(c).ServiceLevel.Percent }, float64(routing.DefaultSLPercent), float64(0), ""},
		{"      window: 31m", "      window: 0s", func(c *Config) any { return q(c).OverflowBelowSL.Window }, routing.DefaultSLWindow, nil, "queues.support.overflow_below_sl.window: must be greater than 0"},
		{"      min_calls: 11", "      min_calls: 0", func(c *Config) any { return q(c).OverflowBelowSL.MinCalls }, routing.DefaultSLMinCalls, 0, ""},
		{"          timeout: 6s", "          timeout: 0s", func(c *Config) any { return node(c, "menu").Menu.Timeout }, routing.DefaultMenuTimeout, nil, "flows.main.nodes.menu.menu.timeout: must be greater than 0"},
		{"          attempts: 4", "          attempts: 0", func(c *Config) any { return node(c, "menu").Menu.Attempts }, routing.DefaultMenuAttempts, nil, "flows.main.nodes.menu.menu.attempts: must be at least 1"},
		{"          priority: 2", "          priority: 0", func(c *Config) any { return node(c, "q").Queue.Priority }, 0, 0, ""},
		{"          min: 2", "          min: 0", func(c *Config) any { return node(c, "col").Collect.Min }, 0, 0, ""},
		{"          timeout: 7s", "          timeout: 0s", func(c *Config) any { return node(c, "col").Collect.Timeout }, routing.DefaultCollectTimeout, nil, "flows.main.nodes.col.collect.timeout: must be greater than 0"},
		{`          terminator: "*"`, `          terminator: ""`, func(c *Config) any { return node(c, "col").Collect.Terminator }, routing.DefaultTerminator, "", ""},
		{"          letters: 4", "          letters: 0", func(c *Config) any { return node(c, "dir").Directory.Letters }, routing.DefaultDirectoryLetters, nil, "flows.main.nodes.dir.directory.letters: must be 1-10"},
		{"          timeout: 8s", "          timeout: 0s", func(c *Config) any { return node(c, "dir").Directory.Timeout }, routing.DefaultDirectoryTimeout, nil, "flows.main.nodes.dir.directory.timeout: must be greater than 0"},
		{"          timeout: 21s", "          timeout: 0s", func(c *Config) any { return node(c, "dial").Dial.Timeout }, routing.DefaultDialTimeout, nil, "flows.main.nodes.dial.dial.timeout: must be greater than 0"},
		{"          timeout: 9s", "          timeout: 0s", func(c *Config) any { return node(c, "survey").Survey.Timeout }, routing.DefaultSurveyTimeout, nil, "flows.main.nodes.survey.survey.timeout: must be greater than 0"},
		{"          max_duration: 3m", "          max_duration: 0s", func(c *Config) any { return node(c, "msg").Message.MaxDuration }, routing.DefaultMessageMax, nil, "flows.main.nodes.msg.message.max_duration: must be greater than 0"},
		{"    wrap_up: 12s", "    wrap_up: 0s", func(c *Config) any { return c.Agents[0].WrapUp }, (*routing.Duration)(nil), &zeroWrap, ""},
		{"        penalty: 2", "        penalty: 0", func(c *Config) any { return c.Agents[0].Queues[0].Penalty }, 0, 0, ""},
		{"      max_channels: 4", "      max_channels: 0", func(c *Config) any { return c.Trunks[0].MaxChannels }, 0, 0, ""},
		{"        priority: 1", "        priority: 0", func(c *Config) any { return c.TrunkGroups["out"].Members[0].Priority }, 0, 0, ""},
		{"        weight: 2", "        weight: 0", func(c *Config) any { return c.TrunkGroups["out"].Members[0].Weight }, 1, 0, ""},
		{"    invite_timeout: 6s", "    invite_timeout: 0s", func(c *Config) any { return c.TrunkGroups["out"].InviteTimeout }, routing.DefaultInviteTimeout, nil, "trunk_groups.out.invite_timeout: must be greater than 0"},
		{"    ring_timeout: 31s", "    ring_timeout: 0s", func(c *Config) any { return c.TrunkGroups["out"].RingTimeout }, routing.DefaultOutRingTime, nil, "trunk_groups.out.ring_timeout: must be greater than 0"},
		{"    max_calls: 5", "    max_calls: 0", func(c *Config) any { return c.TrunkGroups["out"].MaxCalls }, 0, 0, ""},
		{"  down_after: 4", "  down_after: 0", func(c *Config) any { return c.Outbound.DownAfter }, routing.DefaultDownAfter, nil, "outbound.down_after: must be at least 1"},
		{"  probe_after: 31s", "  probe_after: 0s", func(c *Config) any { return c.Outbound.ProbeAfter }, routing.DefaultProbeAfter, nil, "outbound.probe_after: must be greater than 0"},
		{"    min_digits: 4", "    min_digits: 0", func(c *Config) any { return c.Outbound.Numbers.MinDigits }, routing.DefaultMinDigits, nil, "outbound.numbers.min_digits: must be at least 1"},
		{"    max_digits: 14", "    max_digits: 0", func(c *Config) any { return c.Outbound.Numbers.MaxDigits }, routing.DefaultMaxDigits, nil, "outbound.numbers.max_digits: must be from min_digits"},
	} {
		name := strings.TrimSpace(tt.zero)
		if strings.Count(zeroBase, tt.line+"\n") != 1 {
			t.Fatalf("%s: line %q is not once in the base", name, tt.line)
		}
		t.Run(name+"/absent", func(t *testing.T) {
			cfg, err := Load(configtest.WriteFile(t, strings.Replace(zeroBase, tt.line+"\n", "", 1)))
			if err != nil {
				t.Fatal(err)
			}
			if got := tt.get(cfg); !reflect.DeepEqual(got, tt.def) {
				t.Errorf("without the key: %v (%T), want the default %v", got, got, tt.def)
			}
		})
		t.Run(name+"/zero", func(t *testing.T) {
			body := strings.Replace(zeroBase, tt.line+"\n", tt.zero+"\n", 1)
			p := configtest.WriteFile(t, body)
			cfg, err := Load(p)
			if tt.err != "" {
				line := strings.Count(body[:strings.Index(body, tt.zero+"\n")], "\n") + 1
				want := fmt.Sprintf("%s:%d: %s", p, line, tt.err)
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Fatalf("err = %v, want %q", err, want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := tt.get(cfg); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("explicit zero: %v (%T), want %v", got, got, tt.want)
			}
		})
	}
}

// The types that decode over their defaults stay strict: an unknown key
// (a typo of wrap_up here) is an error with its line, not a silent default.
func TestDefaultedSectionsRejectUnknownKeys(t *testing.T) {
	body := strings.Replace(zeroBase, "    wrap_up: 11s\n", "    wrapup: 0s\n", 1)
	body = strings.Replace(body, "          attempts: 4\n", "          attempts: 4\n          retries: 2\n", 1)
	_, err := Load(configtest.WriteFile(t, body))
	for _, want := range []string{":40: queues.support.wrapup: unknown key", ":62: flows.main.nodes.menu.menu.retries: unknown key"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want %q", err, want)
		}
	}
}
