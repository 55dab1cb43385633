#!/usr/bin/env bash
# fuzz.sh FUZZTIME: every Fuzz target of the module for FUZZTIME each. A
# crasher is written to the package's testdata/fuzz and fails the run.
#
# Go 1.26's coordinator can fail a target with a bare "context deadline
# exceeded" when -fuzztime ends while a starved worker is mid-input
# (go.dev/issue/75804, fixed in 1.27): no input is written and nothing
# reproduces. Such a run is checked by replaying the target's corpus and
# tried once more; any other failure, or a second one, fails.
set -u
fuzztime=${1:-8s}
go=${GO:-go}
mkdir -p .cache
log=.cache/fuzz.log

bare_deadline() {
	grep -q 'context deadline exceeded' "$log" && ! grep -qE 'Failing input written|panic:|_test\.go:[0-9]+:' "$log"
}

for d in $(grep -rl --include='*_test.go' '^func Fuzz' . | xargs -n1 dirname | sort -u); do
	for f in $(grep -h '^func Fuzz' "$d"/*_test.go | sed 's/^func \(Fuzz[A-Za-z0-9_]*\).*/\1/'); do
		echo "fuzz $d $f ($fuzztime)"
		for try in 1 2; do
			if "$go" test -run '^$' -fuzz "^$f\$" -fuzztime "$fuzztime" "$d" >"$log" 2>&1; then
				break
			fi
			if [ "$try" = 1 ] && bare_deadline && "$go" test -count=1 -run "^$f\$" "$d" >/dev/null 2>&1; then
				echo "  $f: the coordinator's deadline race (go.dev/issue/75804), corpus replays clean; once more"
				continue
			fi
			cat "$log"
			exit 1
		done
	done
done
