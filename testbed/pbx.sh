#!/usr/bin/env bash
# testbed/pbx.sh — a real Asterisk 22 (Debian sid) chrooted on 127.0.0.1.
#
#   testbed/pbx.sh build     build the cached root (once; later runs take seconds)
#   testbed/pbx.sh config    (re)write /etc/asterisk etc. inside the root
#   testbed/pbx.sh start     build if needed, write config, start, wait for ARI
#   testbed/pbx.sh stop      stop by the PID in the pid file (TERM, then KILL)
#   testbed/pbx.sh restart   stop + start
#   testbed/pbx.sh status    exit 0 if running and ARI answers
#   testbed/pbx.sh spec-dir  print the ARI spec dir (rest-api) inside the root
#   testbed/pbx.sh env       print the effective settings
#
# Settings (environment):
#   SB_PBX_ROOT        the Asterisk root        (default /var/cache/switchboard/
#                      asterisk-root-KEY, KEY a hash of suite, mirror and
#                      packages: outside the clone, so a fresh clone reuses it)
#   SB_PBX_RUN         pid file and logs         (default $REPO/.cache/testbed-run)
#   SB_SIP_PORT        SIP UDP on 127.0.0.1      (default 5060)
#   SB_ARI_PORT        HTTP/ARI on 127.0.0.1     (default 8088)
#   SB_RTP_START/END   RTP port range            (default 10000-10999)
#   SB_AGENT_BASE_PORT agent 100N's phone is at 127.0.0.1:(base+N) (default 5200)
#   SB_BENCH_PHONE_PORT the load benchmark's agents 2001..2040 all have their
#                      contact at 127.0.0.1:(this port): one sipp plays
#                      every phone (default 5300)
#   SB_CARRIER_BASE_PORT trunks carrier-good, carrier-503, carrier-silent are
#                      at 127.0.0.1:(base+1..3) (default 5600)
#   SB_ARI_USER/PASS   ARI credentials           (default switchboard/switchboard)
#   SB_START_TIMEOUT   seconds to wait for ARI   (default 30)
#   SB_FALLBACK_RING_TIME seconds the fallback ring group (1001-1003) rings
#                      when no Stasis app is connected (default 5)
#   SB_SWITCHBOARD     switchboard binary that renders the config
#                      (default: go build ./cmd/switchboard into SB_PBX_RUN)
#
# extensions.conf, pjsip.conf, ari.conf and http.conf are not written by hand:
# `switchboard render --pbx asterisk` (dialplan/) renders them from
# $SB_PBX_RUN/render.yaml, which this script writes from the settings above.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)

RUN=${SB_PBX_RUN:-$REPO/.cache/testbed-run}
SIP_PORT=${SB_SIP_PORT:-5060}
ARI_PORT=${SB_ARI_PORT:-8088}
RTP_START=${SB_RTP_START:-10000}
RTP_END=${SB_RTP_END:-10999}
AGENT_BASE_PORT=${SB_AGENT_BASE_PORT:-5200}
BENCH_PHONE_PORT=${SB_BENCH_PHONE_PORT:-5300}
CARRIER_BASE_PORT=${SB_CARRIER_BASE_PORT:-5600}
BENCH_AGENTS=40
ARI_USER=${SB_ARI_USER:-switchboard}
ARI_PASS=${SB_ARI_PASS:-switchboard}
START_TIMEOUT=${SB_START_TIMEOUT:-30}
FALLBACK_RING_TIME=${SB_FALLBACK_RING_TIME:-5}
SUITE=${SB_DEBIAN_SUITE:-sid}
MIRROR=${SB_DEBIAN_MIRROR:-http://deb.debian.org/debian}
INCLUDE=asterisk,asterisk-modules,asterisk-core-sounds-en
# The root is keyed by what goes into it, so changing the suite, mirror or
# packages builds a new one instead of reusing a stale one.
ROOT_KEY=$(printf '%s\n' "$SUITE" "$MIRROR" "$INCLUDE" | sha256sum | cut -c1-12)
ROOT=${SB_PBX_ROOT:-/var/cache/switchboard/asterisk-root-$ROOT_KEY}
PIDFILE=$RUN/asterisk.pid

log() { echo "pbx.sh: $*" >&2; }
die() { log "$*"; exit 1; }

need_root() { [ "$(id -u)" = 0 ] || die "must run as root (debootstrap/chroot)"; }

# ensure_host_pkgs installs debootstrap and sipp (sip-tester) when missing.
ensure_host_pkgs() {
	local missing=()
	command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
	command -v sipp >/dev/null 2>&1 || missing+=(sip-tester)
	command -v curl >/dev/null 2>&1 || missing+=(curl)
	[ ${#missing[@]} -eq 0 ] && return 0
	need_root
	log "installing host packages: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

built() { [ -x "$ROOT/usr/sbin/asterisk" ] && [ -d "$ROOT/usr/share/asterisk/rest-api" ]; }

# umount_under unmounts anything mounted below $1 (debootstrap may leave
# /proc or /sys mounted when it is interrupted).
umount_under() {
	local dir mnts
	dir=$(readlink -f "$1")
	mnts=$(awk -v d="$dir/" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r)
	for m in $mnts; do umount -l "$m" || true; done
}

cmd_build() {
	ensure_host_pkgs
	if built; then return 0; fi
	need_root
	local tmp=$ROOT.tmp
	mkdir -p "$(dirname "$ROOT")"
	if [ -e "$tmp" ]; then
		umount_under "$tmp"
		rm -rf --one-file-system "$tmp"
	fi
	log "debootstrap $SUITE into $tmp (about a minute)"
	local start=$SECONDS
	debootstrap --variant=minbase --include="$INCLUDE" "$SUITE" "$tmp" "$MIRROR" >"$(dirname "$ROOT")/debootstrap.log" 2>&1 ||
		{ umount_under "$tmp"; tail -20 "$(dirname "$ROOT")/debootstrap.log" >&2; die "debootstrap failed (log: $(dirname "$ROOT")/debootstrap.log)"; }
	umount_under "$tmp"
	rm -rf "$tmp/var/cache/apt/archives/"*.deb
	[ -x "$tmp/usr/sbin/asterisk" ] || die "debootstrap finished but $tmp has no asterisk"
	mv "$tmp" "$ROOT"
	log "root built in $((SECONDS - start)) s: $ROOT"
}

# switchboard_bin prints the switchboard binary to render with: SB_SWITCHBOARD,
# or one built from this checkout into $RUN (go's build cache makes a
# rebuild of unchanged sources take about a second).
switchboard_bin() {
	if [ -n "${SB_SWITCHBOARD:-}" ]; then
		echo "$SB_SWITCHBOARD"
		return 0
	fi
	mkdir -p "$RUN"
	(cd "$REPO" && PATH="$PATH:/usr/local/go/bin" go build -o "$RUN/switchboard" ./cmd/switchboard) >&2 ||
		die "cannot build switchboard (or set SB_SWITCHBOARD to a built binary)"
	echo "$RUN/switchboard"
}

# render_config writes extensions.conf, pjsip.conf, ari.conf and http.conf
# into $1 with `switchboard render`, from a Switchboard config made of the
# SB_* settings; the rest is the built-in default (config/default.yaml):
# any number (_X.) to Stasis(switchboard); without the app, ring 1001-1003,
# then answer, play all-circuits-busy-now and hang up.
render_config() {
	local etc=$1 cfg=$RUN/render.yaml bin n
	mkdir -p "$RUN"
	{
		cat <<EOF
# Written by testbed/pbx.sh for: switchboard render --pbx asterisk
pbx:
  ari: {url: "http://127.0.0.1:$ARI_PORT", user: "$ARI_USER", password: "$ARI_PASS", app: switchboard}
dialplan:
  fallback: {ring_time: ${FALLBACK_RING_TIME}s}
  asterisk:
    http_bind: 127.0.0.1:$ARI_PORT
    sip_bind: 127.0.0.1:$SIP_PORT
    user_agent: Switchboard-testbed
  phones:
EOF
		# Phone 1007 gives up on silence after 5 s (the media-timeout e2e).
		for n in 1 2 3 4 5 6 7 8 9; do
			extra=""
			[ "$n" = 7 ] && extra=", media_timeout: 5s"
			echo "    - {name: \"100$n\", contact: \"sip:100$n@127.0.0.1:$((AGENT_BASE_PORT + n))\"$extra}"
		done
		# The load benchmark's agents (testbed/loadbench_e2e_test.go):
		# 2001..2040, every contact on the same port (one sipp for all).
		for n in $(seq 1 $BENCH_AGENTS); do
			printf '    - {name: "%d", contact: "sip:%d@127.0.0.1:%d"}\n' $((2000 + n)) $((2000 + n)) "$BENCH_PHONE_PORT"
		done
		# The carriers (testbed/trunks_e2e_test.go): sipp UAS on loopback,
		# qualified every 2 s so a dead one is seen within the test.
		echo "  trunks:"
		n=0
		for c in good 503 silent; do
			n=$((n + 1))
			echo "    - {name: \"carrier-$c\", host: 127.0.0.1, port: $((CARRIER_BASE_PORT + n)), qualify: 2s}"
		done
	} >"$cfg"
	bin=$(switchboard_bin)
	"$bin" render --pbx asterisk --out "$etc" --config "$cfg" >/dev/null ||
		die "switchboard render failed (config $cfg)"
}

# bench_queue_config adds what the load benchmark compares Switchboard with:
# Asterisk's own app_queue. Dialling "appqueue" (no digits, so Switchboard's
# _X. never sees it) rings the caller while Queue() offers the call to the
# benchmark's agents 2001..2040: leastrecent, ringinuse=no, no wrap-up.
bench_queue_config() {
	local etc=$1 n
	cat >>"$etc/extensions.conf" <<'EOF'

; Added by testbed/pbx.sh for the load benchmark: app_queue side by side.
[from-callers](+)
exten => appqueue,1,Queue(bench,r)
 same => n,Hangup()
EOF
	{
		cat <<'EOF'
; Written by testbed/pbx.sh for the load benchmark (app_queue side by side).
[general]
persistentmembers = no
shared_lastcall = no
; Every waiting caller may ring a free member, not only the head of the queue.
autofill = yes

[bench]
strategy = leastrecent
ringinuse = no
wrapuptime = 0
; retry: the pause after a round with nobody free; 1 s is the smallest.
retry = 1
timeout = 15
joinempty = yes
leavewhenempty = no
announce-frequency = 0
periodic-announce-frequency = 0
announce-holdtime = no
announce-position = no
EOF
		for n in $(seq 1 $BENCH_AGENTS); do
			echo "member => PJSIP/$((2000 + n))"
		done
	} >"$etc/queues.conf"
}

ast_ids() {
	AST_UID=$(awk -F: '$1 == "asterisk" { print $3 }' "$ROOT/etc/passwd")
	AST_GID=$(awk -F: '$1 == "asterisk" { print $4 }' "$ROOT/etc/passwd")
	[ -n "$AST_UID" ] && [ -n "$AST_GID" ] || die "no asterisk user in $ROOT/etc/passwd"
}

# cmd_config writes the whole configuration; it is idempotent and cheap.
cmd_config() {
	built || die "no root at $ROOT; run: $0 build"
	need_root
	ast_ids
	local etc=$ROOT/etc/asterisk
	# Keep Debian's sample configuration aside once; /etc/asterisk holds only ours.
	if [ ! -d "$ROOT/etc/asterisk.dist" ]; then
		mv "$etc" "$ROOT/etc/asterisk.dist"
	fi
	rm -rf "$etc"
	mkdir -p "$etc"

	printf '127.0.0.1\tlocalhost\n127.0.1.1\t%s\n::1\tlocalhost ip6-localhost ip6-loopback\n' "$(hostname)" >"$ROOT/etc/hosts"
	: >"$ROOT/etc/resolv.conf"

	cat >"$etc/asterisk.conf" <<EOF
[directories]
astetcdir => /etc/asterisk
astmoddir => /usr/lib/x86_64-linux-gnu/asterisk/modules
astvarlibdir => /var/lib/asterisk
astdbdir => /var/lib/asterisk
astkeydir => /var/lib/asterisk
astdatadir => /usr/share/asterisk
astagidir => /usr/share/asterisk/agi-bin
astspooldir => /var/spool/asterisk
astrundir => /var/run/asterisk
astlogdir => /var/log/asterisk
astsbindir => /usr/sbin

[options]
runuser = asterisk
rungroup = asterisk
nocolor = yes
highpriority = no
transmit_silence = no
documentation_language = en_US
EOF
	# The module directory is arch-specific; use what the root has.
	local moddir
	moddir=$(cd "$ROOT" && ls -d usr/lib/*/asterisk/modules 2>/dev/null | head -1)
	[ -n "$moddir" ] && sed -i "s|^astmoddir => .*|astmoddir => /$moddir|" "$etc/asterisk.conf"

	cat >"$etc/logger.conf" <<'EOF'
[general]
dateformat = %F %T.%3q
appendhostname = no

[logfiles]
messages.log => notice,warning,error,verbose(3)
console => notice,warning,error
EOF

	cat >"$etc/modules.conf" <<'EOF'
[modules]
autoload = no

; --- core resources ---
load => res_sorcery_config.so
load => res_sorcery_memory.so
load => res_sorcery_astdb.so
load => res_timing_timerfd.so
load => res_musiconhold.so

; --- SIP (PJSIP) ---
load => res_pjproject.so
load => res_pjsip.so
load => res_pjsip_session.so
load => res_pjsip_pubsub.so
load => res_pjsip_sdp_rtp.so
load => res_pjsip_endpoint_identifier_ip.so
load => res_pjsip_endpoint_identifier_user.so
load => res_pjsip_endpoint_identifier_anonymous.so
load => res_pjsip_caller_id.so
load => res_pjsip_header_funcs.so
load => res_pjsip_rfc3326.so
load => res_pjsip_dtmf_info.so
load => res_pjsip_authenticator_digest.so
load => res_pjsip_outbound_authenticator_digest.so
load => res_pjsip_dlg_options.so
load => chan_pjsip.so
load => func_pjsip_endpoint.so
load => res_rtp_asterisk.so

; --- ARI / Stasis ---
load => res_http_websocket.so
load => res_websocket_client.so
load => res_stasis.so
load => res_stasis_answer.so
load => res_stasis_playback.so
load => res_stasis_recording.so
load => res_stasis_snoop.so
load => res_stasis_device_state.so
load => res_ari.so
load => res_ari_model.so
load => res_ari_applications.so
load => res_ari_asterisk.so
load => res_ari_bridges.so
load => res_ari_channels.so
load => res_ari_device_states.so
load => res_ari_endpoints.so
load => res_ari_events.so
load => res_ari_playbacks.so
load => res_ari_recordings.so
load => res_ari_sounds.so
load => app_stasis.so

; --- bridging ---
load => bridge_simple.so
load => bridge_softmix.so
load => bridge_native_rtp.so
load => bridge_holding.so
load => chan_bridge_media.so

; --- codecs and formats (core sounds are GSM) ---
load => codec_ulaw.so
load => codec_alaw.so
load => codec_a_mu.so
load => codec_gsm.so
load => format_wav.so
load => format_wav_gsm.so
load => format_gsm.so
load => format_pcm.so
load => format_sln.so

; --- dialplan ---
load => pbx_config.so
load => app_dial.so
load => app_playback.so
load => func_channel.so
load => func_strings.so
load => func_callerid.so
load => func_hangupcause.so

; --- the load benchmark's comparison: Asterisk's own queue ---
load => app_queue.so
EOF

	render_config "$etc"
	bench_queue_config "$etc"

	cat >"$etc/rtp.conf" <<EOF
[general]
rtpstart = $RTP_START
rtpend = $RTP_END
bindaddr = 127.0.0.1
strictrtp = no
icesupport = no
EOF

	cat >"$etc/musiconhold.conf" <<'EOF'
[general]
[default]
mode = files
directory = /var/lib/asterisk/moh-testbed
EOF
	cat >"$etc/cli.conf" <<'EOF'
[general]
EOF

	cat >"$etc/cdr.conf" <<'EOF'
[general]
enable = no
EOF
	cat >"$etc/cel.conf" <<'EOF'
[general]
enable = no
EOF
	cat >"$etc/manager.conf" <<'EOF'
[general]
enabled = no
EOF
	# Tone definitions (ringing, busy, ...) from Debian's sample.
	cp -f "$ROOT/etc/asterisk.dist/indications.conf" "$etc/indications.conf" 2>/dev/null || : >"$etc/indications.conf"
	# Present, with defaults, so Asterisk does not complain about them.
	local f
	for f in features.conf acl.conf udptl.conf ccss.conf pjproject.conf websocket_client.conf stasis.conf; do
		: >"$etc/$f"
	done

	chmod 644 "$etc"/*.conf
	local d
	# NB: the root's var/run is an absolute symlink to /run, which from the
	# host would be the HOST's /run: always use run/ here.
	# var/spool/asterisk/recording: ARI stores recordings there and does not
	# create it (POST /channels/{id}/record answers 500 without it).
	for d in run/asterisk var/lib/asterisk var/spool/asterisk var/spool/asterisk/recording var/log/asterisk; do
		[ -L "$ROOT/$d" ] && die "$ROOT/$d is a symlink; refusing to chown through it"
		mkdir -p "$ROOT/$d"
		chown -R "$AST_UID:$AST_GID" "$ROOT/$d"
	done
	# Music on hold: a short loop of core prompts (the moh packages are not installed).
	mkdir -p "$ROOT/var/lib/asterisk/moh-testbed"
	for d in beep silence/1; do
		cp -f "$ROOT/usr/share/asterisk/sounds/en_US_f_Allison/$d.gsm" \
			"$ROOT/var/lib/asterisk/moh-testbed/$(echo "$d" | tr / -).gsm" 2>/dev/null || true
	done
}

ari_ok() {
	curl -s -o /dev/null -w '%{http_code}' --max-time 2 -u "$ARI_USER:$ARI_PASS" \
		"http://127.0.0.1:$ARI_PORT/ari/asterisk/info" 2>/dev/null | grep -q '^200$'
}

live_pid() {
	[ -f "$PIDFILE" ] || return 1
	local pid
	pid=$(cat "$PIDFILE")
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
	# Guard against PID reuse: it must be an asterisk process.
	grep -q asterisk "/proc/$pid/cmdline" 2>/dev/null || return 1
	echo "$pid"
}

where() {
	echo "ARI http://127.0.0.1:$ARI_PORT/ari (user $ARI_USER, password $ARI_PASS, app switchboard)"
	echo "SIP udp 127.0.0.1:$SIP_PORT (callers: any number, e.g. sip:100@127.0.0.1:$SIP_PORT); agents 1001..1009 at 127.0.0.1:$((AGENT_BASE_PORT + 1))..$((AGENT_BASE_PORT + 9))"
	echo "logs $ROOT/var/log/asterisk/messages.log, $RUN/asterisk.out; pid $PIDFILE"
}

cmd_start() {
	need_root
	if pid=$(live_pid) && ari_ok; then
		log "already running (pid $pid)"
		where
		return 0
	fi
	if pid=$(live_pid); then
		log "pid $pid is alive but ARI does not answer; restarting"
		cmd_stop
	fi
	cmd_build
	cmd_config
	mkdir -p "$RUN"
	rm -f "$PIDFILE"
	ast_ids
	# Remove a stale control socket from a killed run.
	rm -f "$ROOT/run/asterisk/asterisk.ctl" "$ROOT/run/asterisk/asterisk.pid"
	# -f: foreground (we background it). chroot drops to the root's own
	# asterisk user before exec, so Asterisk never runs as root.
	setsid chroot --userspec="$AST_UID:$AST_GID" --groups="$AST_GID" "$ROOT" \
		/usr/sbin/asterisk -f -n -C /etc/asterisk/asterisk.conf \
		</dev/null >"$RUN/asterisk.out" 2>&1 &
	local pid=$!
	echo "$pid" >"$PIDFILE"
	local deadline=$((SECONDS + START_TIMEOUT))
	while ! ari_ok; do
		if ! kill -0 "$pid" 2>/dev/null; then
			rm -f "$PIDFILE"
			tail -30 "$RUN/asterisk.out" >&2 || true
			die "asterisk exited during start-up (see $RUN/asterisk.out, $ROOT/var/log/asterisk/messages.log)"
		fi
		if [ $SECONDS -ge $deadline ]; then
			tail -30 "$RUN/asterisk.out" >&2 || true
			cmd_stop
			die "ARI did not answer within ${START_TIMEOUT}s"
		fi
		sleep 0.1
	done
	log "started (pid $pid)"
	where
}

cmd_stop() {
	local pid
	if ! pid=$(live_pid); then
		rm -f "$PIDFILE"
		return 0
	fi
	kill -TERM "$pid" 2>/dev/null || true
	local i
	for i in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		log "pid $pid ignored TERM for 10 s; KILL"
		kill -KILL "$pid" 2>/dev/null || true
		for i in $(seq 1 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
	fi
	rm -f "$PIDFILE"
	log "stopped (pid $pid)"
}

cmd_status() {
	local pid
	if pid=$(live_pid); then
		if ari_ok; then
			echo "running (pid $pid)"
			where
			return 0
		fi
		echo "pid $pid alive, ARI not answering"
		return 1
	fi
	echo "stopped"
	return 3
}

case ${1:-} in
build) cmd_build ;;
config) cmd_config ;;
start) cmd_start ;;
stop) cmd_stop ;;
restart) cmd_stop && cmd_start ;;
status) cmd_status ;;
spec-dir) echo "$ROOT/usr/share/asterisk/rest-api" ;;
env)
	cat <<EOF
SB_PBX_ROOT=$ROOT
SB_PBX_RUN=$RUN
SB_SIP_PORT=$SIP_PORT
SB_ARI_PORT=$ARI_PORT
SB_RTP_START=$RTP_START
SB_RTP_END=$RTP_END
SB_AGENT_BASE_PORT=$AGENT_BASE_PORT
SB_BENCH_PHONE_PORT=$BENCH_PHONE_PORT
SB_ARI_USER=$ARI_USER
SB_ARI_PASS=$ARI_PASS
SB_FALLBACK_RING_TIME=$FALLBACK_RING_TIME
EOF
	;;
*)
	echo "usage: $0 build|config|start|stop|restart|status|spec-dir|env" >&2
	exit 2
	;;
esac
