package main

import (
	"bytes"
	"strings"
	"testing"

	"switchboard/config"
	"switchboard/config/configtest"
)

// writeConfig writes a config file for a command under test.
func writeConfig(t *testing.T, body string) string { return configtest.WriteFile(t, body) }

func TestValidateCommandExitCodes(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"validate"}, &out, &errb); code != 0 {
		t.Fatalf("built-in config: exit %d: %s", code, errb.String())
	}
	bad := writeConfig(t, "listen: [\n")
	errb.Reset()
	if code := run([]string{"validate", "--config", bad}, &out, &errb); code == 0 {
		t.Fatal("validate accepted malformed YAML")
	}
	if !strings.Contains(errb.String(), bad) {
		t.Fatalf("error does not name the file: %s", errb.String())
	}
}

func TestDriverFromFreeSWITCHConfig(t *testing.T) {
	cfg, err := config.Load(writeConfig(t, "pbx:\n  kind: freeswitch\n  esl:\n    addr: 10.0.0.5:8021\n    password: s3cret\n    outbound_listen: 0.0.0.0:8084\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := newDriver(cfg, nil, nil); err != nil {
		t.Errorf("driver from config: %v", err)
	}
}
