#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# run.sh - run every test: the GTest unit binary, then each integration
# script under tests/integration (each alone, with a time limit).  The last
# line is "N passed, N failed[, N skipped]".
#
#   tests/run.sh                 everything
#   tests/run.sh shm sem         only integration scripts whose name has these
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export BUILD
RESULTS=$(mktemp /tmp/ipcfs-results.XXXXXX)
export RESULTS
TIMEOUT=${TEST_TIMEOUT:-600}
pass=0 fail=0 skip=0

if [ $# -eq 0 ]; then
	echo "# unit tests"
	if out=$("$BUILD/test-unit" 2>&1); then :; fi
	printf '%s\n' "$out"
	p=$(printf '%s\n' "$out" | grep -c '^ok ' || true)
	s=$(printf '%s\n' "$out" | grep -c '^ok .*# SKIP' || true)
	f=$(printf '%s\n' "$out" | grep -c '^not ok ' || true)
	# A crash before the plan is complete counts as a failure.
	planned=$(printf '%s\n' "$out" | sed -n 's/^1\.\.\([0-9]*\)$/\1/p' | head -1)
	[ -n "$planned" ] && [ $((p + f)) -lt "$planned" ] && f=$((f + planned - p - f))
	[ -z "$planned" ] && f=$((f + 1))
	pass=$((pass + p - s)) fail=$((fail + f)) skip=$((skip + s))
fi

for t in tests/integration/*.sh; do
	name=$(basename "$t" .sh)
	if [ $# -gt 0 ]; then
		m=0
		for a in "$@"; do [[ $name == *"$a"* ]] && m=1; done
		[ $m -eq 1 ] || continue
	fi
	echo "# $name"
	: >"$RESULTS"
	timeout -k 10 "$TIMEOUT" bash "$t"
	rc=$?
	if [ -s "$RESULTS" ]; then
		read -r _ p f s <"$RESULTS"
		pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
	else
		echo "not ok - $name: script ended without results (exit $rc)"
		fail=$((fail + 1))
	fi
done
rm -f "$RESULTS"
if [ $skip -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ $fail -eq 0 ]
