#!/usr/bin/env bash
# failures.sh LOG: what each failed test printed, from a `go test -v` log,
# so a red CI run ends with the reason and not only the test's name.
# Each test's output is cut to its last lines; the whole log stays in LOG.
set -euo pipefail
log=${1:?usage: failures.sh LOG}
keep=${KEEP:-40}
awk -v keep="$keep" '
/^=== (RUN|NAME|CONT) / { cur = $3; next }
/^=== PAUSE / { next }
/^ *--- FAIL: / { name = $3; failed[name] = 1; order[++n] = name; next }
/^ *--- (PASS|SKIP): / { next }
cur != "" { out[cur, ++cnt[cur]] = $0 }
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
  print "=== failed:"
  for (i = 1; i <= n; i++) if (!shown[order[i]]++) print "  " order[i]
}' "$log"
