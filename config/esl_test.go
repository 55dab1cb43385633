package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestConfigFreeSWITCH(t *testing.T) {
	write := func(body string) string {
		p := filepath.Join(t.TempDir(), "sb.yaml")
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cfg, err := Load(write("pbx:\n  kind: freeswitch\n  esl:\n    addr: 10.0.0.5:8021\n    password: s3cret\n    outbound_listen: 0.0.0.0:8084\n"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.PBX.ESL.Addr != "10.0.0.5:8021" || cfg.PBX.ESL.Password != "s3cret" || cfg.PBX.ESL.OutboundListen != "0.0.0.0:8084" {
		t.Errorf("esl config %+v", cfg.PBX.ESL)
	}
	_, err = Load(write("pbx:\n  kind: freeswitch\n  esl:\n    addr: nope\n"))
	if err == nil || !strings.Contains(err.Error(), ":4: pbx.esl.addr") {
		t.Errorf("bad addr: %v; want it located at line 4", err)
	}
	_, err = Load(write("pbx:\n  kind: yate\n"))
	if err == nil || !strings.Contains(err.Error(), "supported: asterisk, freeswitch") {
		t.Errorf("unknown kind: %v", err)
	}
}
