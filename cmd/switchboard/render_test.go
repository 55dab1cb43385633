package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runCmd(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

// The built-in config renders the testbed's Asterisk files.
func TestRenderBuiltInAsterisk(t *testing.T) {
	dir := t.TempDir()
	code, out, errs := runCmd("render", "--pbx", "asterisk", "--out", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if out != "extensions.conf\npjsip.conf\nari.conf\nhttp.conf\n" {
		t.Errorf("stdout %q", out)
	}
	ext, _ := os.ReadFile(filepath.Join(dir, "extensions.conf"))
	pjsip, _ := os.ReadFile(filepath.Join(dir, "pjsip.conf"))
	ari, _ := os.ReadFile(filepath.Join(dir, "ari.conf"))
	for _, want := range []string{"exten => _X.,1,", "Stasis(switchboard,${EXTEN})", "Dial(PJSIP/1001&PJSIP/1002&PJSIP/1003,15)", "Playback(all-circuits-busy-now)"} {
		if !strings.Contains(string(ext), want) {
			t.Errorf("extensions.conf lacks %q:\n%s", want, ext)
		}
	}
	if !strings.Contains(string(pjsip), "contact = sip:1009@127.0.0.1:5209") {
		t.Errorf("pjsip.conf lacks phone 1009:\n%s", pjsip)
	}
	if !strings.Contains(string(ari), "[switchboard]\ntype = user") || !strings.Contains(string(ari), "password = switchboard") {
		t.Errorf("ari.conf:\n%s", ari)
	}
}

// A file's dialplan section is laid over the built-in one key by key; the
// ARI credentials come from pbx.ari.
func TestRenderFileOverridesKeyByKey(t *testing.T) {
	cfg := writeConfig(t, `pbx:
  ari: {user: ops, password: pw}
  esl: {password: s3cret, outbound_listen: 127.0.0.1:8084}
dialplan:
  fallback: {ring_time: 7s, then: hangup}
`)
	dir := t.TempDir()
	for _, pbx := range []string{"asterisk", "freeswitch"} {
		if code, _, errs := runCmd("render", "--config", cfg, "--pbx", pbx, "--out", dir); code != 0 {
			t.Fatalf("%s: exit %d: %s", pbx, code, errs)
		}
	}
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	if ext := read("extensions.conf"); !strings.Contains(ext, "Dial(PJSIP/1001&PJSIP/1002&PJSIP/1003,7)") || strings.Contains(ext, "Playback(") {
		t.Errorf("extensions.conf:\n%s", ext)
	}
	if p := read("pjsip.conf"); !strings.Contains(p, "[1009]") {
		t.Errorf("the built-in phones were lost:\n%s", p)
	}
	if a := read("ari.conf"); !strings.Contains(a, "[ops]") || !strings.Contains(a, "password = pw") {
		t.Errorf("ari.conf:\n%s", a)
	}
	es := read("autoload_configs/event_socket.conf.xml")
	if !strings.Contains(es, `value="s3cret"`) || !strings.Contains(es, `name="listen-port" value="8021"`) {
		t.Errorf("event_socket.conf.xml:\n%s", es)
	}
	if x := read("dialplan/public/00_switchboard.xml"); !strings.Contains(x, `data="127.0.0.1:8084 async full"`) {
		t.Errorf("switchboard.xml:\n%s", x)
	}
}

// Bad dialplan settings fail every command with FILE:LINE: key: problem.
func TestRenderBadConfigNamesLineAndKey(t *testing.T) {
	cfg := writeConfig(t, `dialplan:
  fallback:
    ring: ["1001", "2001"]
    then: pray
  trunks:
    - {name: carrier, host: 192.0.2.1, transport: tls}
`)
	for _, cmd := range []string{"render", "validate"} {
		args := []string{cmd, "--config", cfg}
		if cmd == "render" {
			args = append(args, "--pbx", "asterisk", "--out", t.TempDir())
		}
		code, _, errs := runCmd(args...)
		if code != 1 {
			t.Fatalf("%s: exit %d, want 1: %s", cmd, code, errs)
		}
		for _, want := range []string{
			`:3: dialplan.fallback.ring[1]: "2001" is not one of dialplan.phones`,
			`:4: dialplan.fallback.then: "pray"`,
			`:6: dialplan.trunks[0].transport: "tls"`,
		} {
			if !strings.Contains(errs, want) {
				t.Errorf("%s: stderr lacks %q:\n%s", cmd, want, errs)
			}
		}
	}
}

func TestRenderFlags(t *testing.T) {
	if code, _, errs := runCmd("render"); code != 1 || !strings.Contains(errs, "--pbx: required") || !strings.Contains(errs, "--out: required") {
		t.Errorf("no flags: exit %d: %s", code, errs)
	}
	if code, _, errs := runCmd("render", "--pbx", "yate", "--out", t.TempDir()); code != 1 || !strings.Contains(errs, "unknown pbx") {
		t.Errorf("unknown pbx: exit %d: %s", code, errs)
	}
	// The built-in config takes FreeSWITCH calls over the inbound socket only
	// (no outbound listener): there is no socket dialplan to render.
	if code, _, errs := runCmd("render", "--pbx", "freeswitch", "--out", t.TempDir()); code != 1 || !strings.Contains(errs, "pbx.esl.outbound_listen: required") {
		t.Errorf("freeswitch without an outbound listener: exit %d: %s", code, errs)
	}
	// Only render takes --pbx.
	if code, _, _ := runCmd("validate", "--pbx", "asterisk"); code != 2 {
		t.Errorf("validate --pbx: exit %d, want 2", code)
	}
}
