package config

import (
	"fmt"
	"strings"
	"testing"

	"switchboard/config/configtest"
	"switchboard/routing"
)

const trunksBase = `dialplan:
  trunks:
    - {name: carrier1, host: 127.0.0.1, port: 5071, max_channels: 4, caller_id: "+4930111"}
    - {name: carrier2, host: 127.0.0.1, port: 5072}
trunk_groups:
  out:
    order: weight
    members:
      - {trunk: carrier1, priority: 1, weight: 3}
      - {trunk: carrier2, priority: 2}
outbound:
  manual: out
  queues: {support: out}
  numbers: {country_code: "49", national_prefix: "0", international_prefix: "00"}
  do_not_call: ["030 999 999"]
  restricted_prefixes:
    - {prefix: "+49900", why: premium, roles: [supervisor]}
`

func TestTrunksLoad(t *testing.T) {
	cfg, err := Load(configtest.WriteFile(t, trunksBase))
	if err != nil {
		t.Fatal(err)
	}
	want := []routing.Trunk{{Name: "carrier1", MaxChannels: 4, CallerID: "+4930111"}, {Name: "carrier2"}}
	if fmt.Sprint(cfg.Trunks) != fmt.Sprint(want) {
		t.Fatalf("trunks %+v", cfg.Trunks)
	}
	g := cfg.TrunkGroups["out"]
	if g.InviteTimeout != routing.DefaultInviteTimeout || g.RingTimeout != routing.DefaultOutRingTime || g.Members[1].Weight != 1 {
		t.Fatalf("group defaults %+v", g)
	}
	if cfg.Outbound.DownAfter != routing.DefaultDownAfter || cfg.Outbound.ProbeAfter != routing.DefaultProbeAfter ||
		cfg.Outbound.Numbers.MaxDigits != routing.DefaultMaxDigits {
		t.Fatalf("outbound defaults %+v", cfg.Outbound)
	}
}

func TestTrunkErrorsAtFileLine(t *testing.T) {
	for _, tt := range []struct {
		from, to string // a line of trunksBase and its bad form
		want     string
	}{
		{"      - {trunk: carrier2, priority: 2}", "      - {trunk: carrier9, priority: 2}", `trunk_groups.out.members[1].trunk: unknown trunk "carrier9" (not in dialplan.trunks)`},
		{"    order: weight", "    order: random", `trunk_groups.out.order: "random" is not`},
		{"  manual: out", "  manual: nowhere", `outbound.manual: unknown trunk group "nowhere"`},
		{"  queues: {support: out}", "  queues: {sales: out}", `outbound.queues.sales: unknown queue "sales"`},
		{`  do_not_call: ["030 999 999"]`, `  do_not_call: ["call me"]`, `outbound.do_not_call[0]: "call me": must be digits`},
		{"    - {prefix: \"+49900\", why: premium, roles: [supervisor]}", "    - {prefix: \"+49900\", why: expensive, roles: [supervisor]}", `outbound.restricted_prefixes[0].why: "expensive" is not`},
		{"    - {name: carrier2, host: 127.0.0.1, port: 5072}", "    - {name: carrier2, host: 127.0.0.1, port: 5072, max_channels: -1}", "dialplan.trunks[1].max_channels: must not be negative"},
	} {
		body := strings.Replace(trunksBase, tt.from+"\n", tt.to+"\n", 1)
		if body == trunksBase {
			t.Fatalf("line %q not in the base", tt.from)
		}
		p := configtest.WriteFile(t, body)
		line := strings.Count(body[:strings.Index(body, tt.to+"\n")], "\n") + 1
		_, err := Load(p)
		if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("%s:%d: %s", p, line, tt.want)) {
			t.Errorf("err = %v\nwant %s:%d: %s", err, p, line, tt.want)
		}
	}
}
