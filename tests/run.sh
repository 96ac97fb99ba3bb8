#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# run.sh - run every test: the GTest unit binary, then each integration
# script under tests/integration (each alone, with a time limit).  The last
# line is "N passed, N failed[, N skipped]".
#
#   tests/run.sh                 everything, then the fuzzers' short runs
#   tests/run.sh shm sem         only integration scripts whose name has these
#   tests/run.sh fuzz            only the fuzzers (tests/fuzz/run.sh)
#
# A script's exit status counts: non-zero is a failure whatever it printed,
# 77 a skip (no FUSE or root here); a script that ran no test fails, and so
# does a unit binary that exits non-zero.  INTEGRATION_DIR=DIR runs the
# scripts of another directory (the runner's own test does).
#
# FUZZ_SECONDS=0 leaves the fuzzers out.  With TALLY=FILE the totals go to
# FILE as "PASSED FAILED SKIPPED" and the summary line becomes a comment,
# for tests/check.sh to add up several runs.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export BUILD
RESULTS=$(mktemp /tmp/ipcfs-results.XXXXXX)
export RESULTS
# A run stopped part way (Ctrl-C, a CI time limit) leaves no file behind.
trap 'rm -f "$RESULTS" "$RESULTS.skip"' EXIT
TIMEOUT=${TEST_TIMEOUT:-600}
pass=0 fail=0 skip=0

if [ $# -eq 0 ]; then
	echo "# unit tests"
	out=$("$BUILD/test-unit" 2>&1)
	rc=$?
	printf '%s\n' "$out"
	p=$(printf '%s\n' "$out" | grep -c '^ok ' || true)
	s=$(printf '%s\n' "$out" | grep -c '^ok .*# SKIP' || true)
	f=$(printf '%s\n' "$out" | grep -c '^not ok ' || true)
	# A crash before the plan is complete counts as a failure.
	planned=$(printf '%s\n' "$out" | sed -n 's/^1\.\.\([0-9]*\)$/\1/p' | head -1)
	[ -n "$planned" ] && [ $((p + f)) -lt "$planned" ] && f=$((f + planned - p - f))
	[ -z "$planned" ] && f=$((f + 1))
	# Its status has the last word too: a LeakSanitizer report at exit
	# comes after every "ok" line.
	if [ $rc -ne 0 ] && [ $f -eq 0 ]; then
		echo "not ok - unit tests: test-unit exited with status $rc"
		f=$((f + 1))
	fi
	pass=$((pass + p - s)) fail=$((fail + f)) skip=$((skip + s))
fi

# run_script NAME CMD...: one script, alone, with a time limit.  Its
# "RESULT p f s" line in $RESULTS is added up, and its exit status has the
# last word: 77 is a script skipped as a whole (the machine lacks FUSE or
# root; the reason is shown), any other non-zero status is a failure even
# when the script counted none (a mount that failed, a crash, a time-out).
run_script() {
	local name=$1 rc p=0 f=0 s=0 why t0=$SECONDS
	shift
	echo "# $name"
	: >"$RESULTS"
	rm -f "$RESULTS.skip"
	timeout -k 10 "$TIMEOUT" "$@"
	rc=$?
	echo "# $name: $((SECONDS - t0)) s"
	[ -s "$RESULTS" ] && read -r _ p f s <"$RESULTS"
	if [ $rc -eq 77 ]; then
		why=$(cat "$RESULTS.skip" 2>/dev/null)
		echo "ok - $name # SKIP ${why:-skipped by the script}"
		s=$((s + 1))
	elif [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $name: the script exited with status $rc"
		f=1
	elif [ $((p + f + s)) -eq 0 ]; then
		echo "not ok - $name: the script ran no test"
		f=1
	fi
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
	rm -f "$RESULTS.skip"
}

# selected NAME: no arguments, or one of them is part of NAME.
selected() {
	local a
	[ ${#args[@]} -eq 0 ] && return 0
	for a in "${args[@]}"; do [[ $1 == *"$a"* ]] && return 0; done
	return 1
}
args=("$@")

shopt -s nullglob
for t in "${INTEGRATION_DIR:-tests/integration}"/*.sh; do
	name=$(basename "$t" .sh)
	selected "$name" || continue
	run_script "$name" bash "$t"
done
if [ "${FUZZ_SECONDS:-3}" != 0 ] && selected fuzz; then
	FUZZ_SECONDS=${FUZZ_SECONDS:-3} run_script fuzz tests/fuzz/run.sh
fi
line="$pass passed, $fail failed"
[ $skip -gt 0 ] && line="$line, $skip skipped"
if [ -n "${TALLY:-}" ]; then
	echo "$pass $fail $skip" >"$TALLY"
	echo "# $BUILD: $line"
else
	echo "$line"
fi
[ $fail -eq 0 ]
