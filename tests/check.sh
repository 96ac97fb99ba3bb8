#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# check.sh - what `make check` runs once everything is built: the whole
# suite (tests/run.sh) with each build directory given, one after the
# other, and ONE last line adding them up: "N passed, N failed[, N skipped]".
#
#   tests/check.sh build build/asan     the normal build, then ASan+UBSan
#
# The fuzzers' short runs belong to the first pass only: they are built
# with their own sanitizers and would only repeat themselves.
set -u
cd "$(dirname "$0")/.."
pass=0 fail=0 skip=0 first=1
tally=$(mktemp /tmp/ipcfs-tally.XXXXXX)
start=$(date +%s)
for b in "$@"; do
	echo "# ==== pass with BUILD=$b ===="
	: >"$tally"
	if [ $first -eq 1 ]; then
		BUILD=$b TALLY=$tally tests/run.sh
	else
		BUILD=$b TALLY=$tally FUZZ_SECONDS=0 tests/run.sh
	fi
	if [ -s "$tally" ]; then
		read -r p f s <"$tally"
	else
		echo "not ok - the pass with BUILD=$b ended without a tally"
		p=0 f=1 s=0
	fi
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
	first=0
done
rm -f "$tally"
echo "# all passes: $(( $(date +%s) - start )) s"
if [ $skip -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ $fail -eq 0 ]
