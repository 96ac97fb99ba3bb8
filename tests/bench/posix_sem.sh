#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# posix_sem.sh - POSIX semaphores through ipcfs against the native calls,
# measured in the same run: a post and a wait (`+1` then `-1` written to
# posix/sem/NAME/value on one open file, build/psemtool fdbench) against
# sem_post + sem_wait on the same semaphore (psemtool bench).  Each figure
# is the median of RUNS runs, the two sides interleaved; the ratio is taken
# run by run.  Prints lines `name: ipcfs X, native Y, ratio Z`.
#
#   tests/bench/posix_sem.sh              (after make check-build)
#   BENCH_RUNS=3 BENCH_OPS=20000 tests/bench/posix_sem.sh
#
# It mounts a private ipcfs and makes one semaphore, sem.ipcfs-bench-psem,
# both removed on exit.
set -u
NAME=psem
SEM=ipcfs-bench-psem
OPS=${BENCH_OPS:-100000}
bench_cleanup() { rm -f "/dev/shm/sem.$SEM"; }
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
PSEM=$BUILD/psemtool

[ -x "$PSEM" ] && [ -x "$BUILD/ipcfs" ] || { echo "build first: make check-build"; exit 1; }
bench_mount "$MNT"
rm -f "/dev/shm/sem.$SEM"
"$PSEM" create "$SEM" 0 600 >/dev/null || exit 1

for r in $(seq "$RUNS"); do
	if [ $((r % 2)) = 1 ]; then
		f=$("$PSEM" fdbench "$MNT/posix/sem/$SEM/value" "$OPS") || exit 1
		n=$("$PSEM" bench "$SEM" "$OPS") || exit 1
	else
		n=$("$PSEM" bench "$SEM" "$OPS") || exit 1
		f=$("$PSEM" fdbench "$MNT/posix/sem/$SEM/value" "$OPS") || exit 1
	fi
	echo "$f" >>"$WORK/fs"
	echo "$n" >>"$WORK/native"
	awk -v a="$f" -v b="$n" 'BEGIN { printf "%.1f\n", a / (b > 0 ? b : 1) }' >>"$WORK/ratio"
done
printf 'posix sem post+wait pair (ns, median of %d x %d): ipcfs %s, native %s, ratio %s\n' \
	"$RUNS" "$OPS" "$(median <"$WORK/fs")" "$(median <"$WORK/native")" "$(median <"$WORK/ratio")"
