#!/usr/bin/env bash
# failures.sh LOG: what each failed test printed, from a `go test -v` log,
# so a red CI run ends with the reason and not only the test's name.
# First each failed test's last lines (event log, Switchboard's log), then,
# last because CI shows the tail, a summary: each failed test and its own
# messages (file_test.go:N: …). The whole log stays in LOG.
set -euo pipefail
log=${1:?usage: failures.sh LOG}
keep=${KEEP:-40}
awk -v keep="$keep" '
/^=== (RUN|NAME|CONT) / { cur = $3; next }
/^=== PAUSE / { next }
/^ *--- FAIL: / { failed[$3] = 1; order[++n] = $3; next }
/^ *--- (PASS|SKIP): / { next }
cur != "" {
  out[cur, ++cnt[cur]] = $0
  # A message of the test itself; the dumps its cleanup logs are not.
  if ($0 ~ /^ +[A-Za-z0-9_.]+\.go:[0-9]+: / && $0 !~ /: (event log|switchboard log \(tail\)):$/ && nmsg[cur] < 5)
    msg[cur, ++nmsg[cur]] = $0
}
END {
  if (n == 0) exit
  print "\n=== what the failed tests printed (last " keep " lines each; all of it in the log) ==="
  for (i = 1; i <= n; i++) {
    t = order[i]
    if (seen[t]++) continue
    print "--- FAIL: " t
    from = cnt[t] - keep + 1; if (from < 1) from = 1
    for (j = from; j <= cnt[t]; j++) print substr(out[t, j], 1, 400)
  }
  print "=== failed, with their own messages:"
  for (i = 1; i <= n; i++) {
    t = order[i]
    if (shown[t]++) continue
    print "  " t
    for (j = 1; j <= nmsg[t]; j++) print "  " substr(msg[t, j], 1, 300)
  }
}' "$log"
