#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# run.sh - run every libFuzzer harness (tests/fuzz/fuzz_*.c, built into
# build/fuzz by `make fuzz-build`) for a while, as TAP lines that
# tests/run.sh counts with the other tests.
#
#   tests/fuzz/run.sh                       3 s each (what `make check` runs)
#   FUZZ_SECONDS=60 FUZZ_KEEP=1 tests/fuzz/run.sh
#                                           `make fuzz`: longer, and the corpus
#                                           grows in build/fuzz/corpus/NAME
#
# Every harness starts from tests/fuzz/seeds/NAME with tests/fuzz/NAME.dict.
# A failure (crash, sanitizer report, broken property, leak, timeout)
# leaves its input in build/fuzz/crash-NAME-*; replay it with
# `build/fuzz/fuzz_NAME FILE`.  Each line tells how many inputs were run.
set -u
cd "$(dirname "$0")/../.."
SECS=${FUZZ_SECONDS:-3}
# The compiler the Makefile builds the harnesses with (its FUZZ_CC).
FUZZ_CC=${FUZZ_CC-$(command -v clang-14 || command -v clang)}
DIR=${FUZZ_DIR:-build/fuzz}
pass=0 fail=0 skip=0 num=0 total=0

for src in tests/fuzz/fuzz_*.c; do
	name=$(basename "$src" .c)
	name=${name#fuzz_}
	bin=$DIR/fuzz_$name
	num=$((num + 1))
	if [ ! -x "$bin" ]; then
		# Without clang nothing can be built: a skip, with the reason.
		# With it, a harness that is missing failed to compile.
		if [ -z "$FUZZ_CC" ]; then
			echo "ok $num - fuzz: $name # SKIP not built: no clang (tools/deps.sh fuzz)"
			skip=$((skip + 1))
		else
			echo "not ok $num - fuzz: $name: not built, though $FUZZ_CC is here (make fuzz-build failed?)"
			fail=$((fail + 1))
		fi
		continue
	fi
	if [ -n "${FUZZ_KEEP:-}" ]; then
		corpus=$DIR/corpus/$name
		mkdir -p "$corpus"
	else
		corpus=$(mktemp -d "/tmp/ipcfs-fuzz-$name.XXXXXX")
	fi
	dict=()
	[ -e "tests/fuzz/$name.dict" ] && dict=(-dict="tests/fuzz/$name.dict")
	log=$(mktemp "/tmp/ipcfs-fuzz-$name.log.XXXXXX")
	# New inputs go to the first directory only: the seeds stay as they are.
	"$bin" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$DIR/crash-$name-" "${dict[@]}" "$corpus" "tests/fuzz/seeds/$name" \
		>"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	if [ $rc -eq 0 ] && [ -n "$execs" ]; then
		pass=$((pass + 1))
		total=$((total + execs))
		echo "ok $num - fuzz: $name: $execs inputs in ${SECS}s, no failure"
	else
		fail=$((fail + 1))
		echo "not ok $num - fuzz: $name (exit $rc)"
		grep -E 'ERROR|property failed|SUMMARY|Test unit written|==[0-9]+==' "$log" | head -20 |
			sed 's/^/#   /'
	fi
	rm -f "$log"
	[ -n "${FUZZ_KEEP:-}" ] || rm -rf "$corpus"
done
echo "# fuzz: $total inputs in all; $pass passed, $fail failed, $skip skipped"
echo "RESULT $pass $fail $skip" >>"${RESULTS:-/dev/null}"
[ $fail -eq 0 ]
