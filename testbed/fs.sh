#!/usr/bin/env bash
# testbed/fs.sh - a real FreeSWITCH 1.10.12 on 127.0.0.1: the twin of pbx.sh.
#
#   testbed/fs.sh build    build/install with ../shared/freeswitch/build.sh (once, ~12-21 min;
#                          1 s when nothing changed), into SB_FS_PREFIX, outside the clone
#   testbed/fs.sh config   (re)write $SB_FS_RUN/conf from `switchboard render --pbx freeswitch`
#                          plus a minimal core config (modules, sofia profile, ACL)
#   testbed/fs.sh start    config, start by PID, wait until the event socket answers
#   testbed/fs.sh stop     SIGTERM to the PID in the pid file, SIGKILL after 30 s
#   testbed/fs.sh status   exit 0 when running and `api status` answers
#   testbed/fs.sh api CMD  one API command over the event socket
#
# Settings (environment; defaults do not collide with pbx.sh's 5060/8088/10000-10999):
#   SB_FS_PREFIX      install dir               (default /var/cache/switchboard/freeswitch)
#   SB_FS_BUILD_DIR   build dir                 (default /var/tmp/freeswitch-build)
#   SB_FS_RUN         conf, pid, log, db        (default $REPO/.cache/fs-run)
#   SB_FS_SIP_PORT    SIP UDP/TCP on 127.0.0.1  (default 5080)
#   SB_FS_ESL_PORT    inbound event socket      (default 8021)
#   SB_FS_SOCKET_PORT Switchboard's outbound-socket listener (default 8084)
#   SB_FS_RTP_START/END RTP range, even end     (default 11000-11998)
#   SB_FS_ESL_PASSWORD                          (default ClueCon)
#   SB_SWITCHBOARD    switchboard binary that renders (default: go build into SB_FS_RUN)
# The build's own minimal config ($PREFIX/conf) is never used or touched: the switch
# runs with -conf/-log/-db/-run under SB_FS_RUN, so several worktrees share one build.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
SHARED=${SB_FS_SHARED:-$REPO/../shared/freeswitch}
[ -d "$SHARED" ] || SHARED=/work/shared/freeswitch
PREFIX=${SB_FS_PREFIX:-/var/cache/switchboard/freeswitch}
BUILD_DIR=${SB_FS_BUILD_DIR:-/var/tmp/freeswitch-build}
RUN=${SB_FS_RUN:-$REPO/.cache/fs-run}
SIP_PORT=${SB_FS_SIP_PORT:-5080}
ESL_PORT=${SB_FS_ESL_PORT:-8021}
SOCKET_PORT=${SB_FS_SOCKET_PORT:-8084}
RTP_START=${SB_FS_RTP_START:-11000}
RTP_END=${SB_FS_RTP_END:-11998}
ESL_PASSWORD=${SB_FS_ESL_PASSWORD:-ClueCon}
AGENT_BASE_PORT=${SB_AGENT_BASE_PORT:-5200}
BIN=$PREFIX/bin/freeswitch
CONF=$RUN/conf
PIDFILE=$RUN/run/freeswitch.pid

log() { echo "fs.sh: $*" >&2; }
die() { log "$*"; exit 1; }

built() { [ -x "$BIN" ] && [ -x "$PREFIX/bin/fs_cli" ]; }

cmd_build() {
	if built && [ -z "${SB_FS_REBUILD:-}" ]; then
		# build.sh is idempotent (~1 s) and notices changed tarballs; run it anyway.
		:
	fi
	PREFIX=$PREFIX BUILD_DIR=$BUILD_DIR NO_CONFIG=1 nice -n 10 "$SHARED/build.sh"
}

switchboard_bin() {
	if [ -n "${SB_SWITCHBOARD:-}" ]; then echo "$SB_SWITCHBOARD"; return 0; fi
	mkdir -p "$RUN"
	(cd "$REPO" && PATH="$PATH:/usr/local/go/bin" go build -o "$RUN/switchboard" ./cmd/switchboard) >&2 ||
		die "cannot build switchboard (or set SB_SWITCHBOARD)"
	echo "$RUN/switchboard"
}

# render writes the Switchboard side (dialplan, event socket, trunks) into $CONF.
render() {
	local cfg=$RUN/render.yaml
	cat >"$cfg" <<EOF
# Written by testbed/fs.sh for: switchboard render --pbx freeswitch
pbx:
  kind: freeswitch
  esl: {addr: "127.0.0.1:$ESL_PORT", password: "$ESL_PASSWORD", outbound_listen: "127.0.0.1:$SOCKET_PORT"}
dialplan:
  freeswitch:
    event_socket: {acl: loopback_only}
EOF
	"$(switchboard_bin)" render --pbx freeswitch --out "$CONF" --config "$cfg" >/dev/null ||
		die "switchboard render failed (config $cfg)"
}

# cmd_config: the minimum of our own around the rendered files.
cmd_config() {
	built || die "no $BIN; run: $0 build"
	[ $((RTP_END % 2)) = 0 ] || die "SB_FS_RTP_END must be even (FreeSWITCH rounds an odd end down)"
	rm -rf "$CONF"
	mkdir -p "$CONF" "$RUN/log" "$RUN/run" "$RUN/db" "$RUN/recordings"
	render
	local n users=""
	# Agents' phones are static contacts (like pbx.sh's pjsip endpoints): user/100N
	# dials sip:100N@127.0.0.1:(base+N), where the testbed's sipp phone answers.
	for n in 1 2 3 4 5 6 7 8 9; do
		users+="        <user id=\"100$n\"><params><param name=\"dial-string\" value=\"sofia/switchboard/sip:100$n@127.0.0.1:$((AGENT_BASE_PORT + n))\"/></params></user>
"
	done
	cat >"$CONF/freeswitch.xml" <<EOF
<?xml version="1.0"?>
<!-- Written by testbed/fs.sh: loopback-only test switch around the rendered files. -->
<document type="freeswitch/xml">
  <X-PRE-PROCESS cmd="set" data="local_ip_v4=127.0.0.1"/>
  <X-PRE-PROCESS cmd="set" data="domain=127.0.0.1"/>
  <X-PRE-PROCESS cmd="set" data="domain_name=127.0.0.1"/>
  <section name="configuration" description="Various Configuration">
    <configuration name="switch.conf" description="Core Configuration">
      <settings>
        <param name="colorize-console" value="false"/>
        <param name="max-sessions" value="200"/>
        <param name="sessions-per-second" value="50"/>
        <param name="loglevel" value="info"/>
        <param name="rtp-start-port" value="$RTP_START"/>
        <param name="rtp-end-port" value="$RTP_END"/>
        <param name="dump-cores" value="no"/>
      </settings>
    </configuration>
    <configuration name="modules.conf" description="Modules">
      <modules>
        <load module="mod_console"/>
        <load module="mod_logfile"/>
        <load module="mod_event_socket"/>
        <load module="mod_commands"/>
        <load module="mod_dptools"/>
        <load module="mod_dialplan_xml"/>
        <load module="mod_loopback"/>
        <load module="mod_sofia"/>
        <load module="mod_native_file"/>
        <load module="mod_sndfile"/>
        <load module="mod_tone_stream"/>
        <load module="mod_db"/>
        <load module="mod_hash"/>
        <load module="mod_expr"/>
        <load module="mod_say_en"/>
      </modules>
    </configuration>
    <configuration name="console.conf" description="Console Logger">
      <mappings><map name="all" value="console,info,notice,warning,err,crit,alert"/></mappings>
      <settings><param name="colorize" value="false"/><param name="loglevel" value="info"/></settings>
    </configuration>
    <configuration name="logfile.conf" description="File Logging">
      <settings><param name="rotate-on-hup" value="true"/></settings>
      <profiles><profile name="default">
        <settings>
          <param name="logfile" value="$RUN/log/freeswitch.log"/>
          <param name="rollover" value="52428800"/>
          <param name="maximum-rotate" value="3"/>
          <param name="uuid" value="true"/>
        </settings>
        <mappings><map name="all" value="debug,info,notice,warning,err,crit,alert"/></mappings>
      </profile></profiles>
    </configuration>
    <configuration name="acl.conf" description="Network Lists">
      <network-lists>
        <list name="loopback_only" default="deny"><node type="allow" cidr="127.0.0.0/8"/></list>
      </network-lists>
    </configuration>
    <X-PRE-PROCESS cmd="include" data="autoload_configs/event_socket.conf.xml"/>
    <configuration name="sofia.conf" description="sofia Endpoint">
      <global_settings>
        <param name="log-level" value="0"/>
        <param name="auto-restart" value="false"/>
      </global_settings>
      <profiles>
        <profile name="switchboard">
          <gateways><X-PRE-PROCESS cmd="include" data="sip_profiles/external/*.xml"/></gateways>
          <domains/>
          <settings>
            <param name="context" value="public"/>
            <param name="dialplan" value="XML"/>
            <param name="sip-ip" value="127.0.0.1"/>
            <param name="sip-port" value="$SIP_PORT"/>
            <param name="rtp-ip" value="127.0.0.1"/>
            <param name="ext-sip-ip" value="127.0.0.1"/>
            <param name="ext-rtp-ip" value="127.0.0.1"/>
            <param name="auth-calls" value="false"/>
            <param name="apply-inbound-acl" value="loopback_only"/>
            <param name="disable-register" value="true"/>
            <param name="manage-presence" value="false"/>
            <param name="inbound-codec-prefs" value="PCMU,PCMA"/>
            <param name="outbound-codec-prefs" value="PCMU,PCMA"/>
            <param name="dtmf-type" value="rfc2833"/>
            <param name="rfc2833-pt" value="101"/>
            <param name="liberal-dtmf" value="true"/>
            <param name="rtp-timer-name" value="soft"/>
            <param name="tls" value="false"/>
            <param name="user-agent-string" value="Switchboard-testbed"/>
          </settings>
        </profile>
      </profiles>
    </configuration>
    <configuration name="db.conf" description="LIMIT DB Configuration"><settings/></configuration>
    <configuration name="hash.conf" description="Hash Configuration"><remotes/></configuration>
  </section>
  <section name="directory" description="User Directory">
    <domain name="127.0.0.1">
      <users>
$users      </users>
    </domain>
  </section>
  <section name="dialplan" description="Regex/XML Dialplan">
    <context name="public">
      <X-PRE-PROCESS cmd="include" data="dialplan/public/*.xml"/>
    </context>
  </section>
</document>
EOF
}

pid_of() { cat "$PIDFILE" 2>/dev/null || true; }
running() {
	local pid; pid=$(pid_of)
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null &&
		[ "$(readlink -f "/proc/$pid/exe" 2>/dev/null)" = "$(readlink -f "$BIN")" ]
}
api() { "$PREFIX/bin/fs_cli" -H 127.0.0.1 -P "$ESL_PORT" -p "$ESL_PASSWORD" -T 2000 -t 10000 -x "$*"; }

cmd_start() {
	if running; then log "already running, pid $(pid_of)"; return 0; fi
	built || cmd_build
	cmd_config
	rm -f "$PIDFILE"
	# -np: no realtime priority (starves a 2-core box); -nonat: no NAT-PMP/UPnP probing.
	FREESWITCH_BG_TIMEOUT=60 "$BIN" -ncwait -nonat -np \
		-conf "$CONF" -log "$RUN/log" -db "$RUN/db" -run "$RUN/run" \
		-recordings "$RUN/recordings" >"$RUN/log/fs.out" 2>&1 </dev/null ||
		{ tail -30 "$RUN/log/fs.out" >&2; die "FreeSWITCH did not start"; }
	local i
	for i in $(seq 1 60); do
		if running && api status >/dev/null 2>&1; then
			log "running, pid $(pid_of); SIP 127.0.0.1:$SIP_PORT ESL 127.0.0.1:$ESL_PORT socket -> 127.0.0.1:$SOCKET_PORT"
			return 0
		fi
		sleep 0.5
	done
	tail -30 "$RUN/log/freeswitch.log" >&2 || true
	die "started but the event socket does not answer (log $RUN/log/freeswitch.log)"
}

cmd_stop() {
	if ! running; then rm -f "$PIDFILE"; return 0; fi
	local pid i; pid=$(pid_of)
	kill -TERM "$pid"
	for i in $(seq 1 60); do
		kill -0 "$pid" 2>/dev/null || { rm -f "$PIDFILE"; log "stopped (pid $pid)"; return 0; }
		sleep 0.5
	done
	log "pid $pid alive after 30 s: SIGKILL"
	kill -KILL "$pid" 2>/dev/null || true
	rm -f "$PIDFILE"
}

cmd_status() {
	running || { log "not running"; return 3; }
	api status
}

case ${1:-} in
build) cmd_build ;;
config) cmd_config ;;
start) cmd_start ;;
stop) cmd_stop ;;
restart) cmd_stop; cmd_start ;;
status) cmd_status ;;
api) shift; api "$@" ;;
env) for v in PREFIX BUILD_DIR RUN SIP_PORT ESL_PORT SOCKET_PORT RTP_START RTP_END; do echo "$v=${!v}"; done ;;
*) echo "usage: $0 build|config|start|stop|restart|status|api CMD|env" >&2; exit 2 ;;
esac
