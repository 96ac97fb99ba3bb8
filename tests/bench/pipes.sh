#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pipes.sh - `ls -l pipes` against what an operator runs without ipcfs,
# `lsfd -Q 'TYPE == "FIFO"'` (util-linux), over the same pipes: BENCH_PIPE_PAIRS
# (500) pairs of processes each holding BENCH_PIPE_K (20) pipes, one the read
# ends and the other the write ends (10,000 pipes in 1,000 processes), made
# by $BUILD/bench/pipegen.  Each listing opens the directory afresh, so
# ipcfs scans /proc every time (the listing shows every pipe made before
# it).  Two lines:
#
#   pipes ls -l: ipcfs MEDIAN ms, lsfd MEDIAN ms, ratio MEDIAN-OF-PER-RUN-RATIOS (N pipes)
#   pipes daemon RSS after the listings: X MiB
#
# BENCH_RUNS (5) runs, the two sides interleaved, their order flipping
# every run.  It mounts its own ipcfs; on exit (normal, INT, TERM) it
# unmounts, ends its daemon and the generator (by pid), whose processes
# end with it (PR_SET_PDEATHSIG).
set -u
export LC_ALL=C
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
RUNS=${BENCH_RUNS:-5}
PAIRS=${BENCH_PIPE_PAIRS:-500}
K=${BENCH_PIPE_K:-20}
WORK=$(mktemp -d /tmp/ipcfs-bench-pipes.XXXXXX)
MNT=$WORK/mnt
DAEMON=""
GEN=""

cleanup() {
	local i
	mountpoint -q "$MNT" && fusermount3 -u "$MNT"
	if [ -n "$DAEMON" ]; then
		for i in $(seq 100); do kill -0 "$DAEMON" 2>/dev/null || break; sleep 0.05; done
		kill -9 "$DAEMON" 2>/dev/null
	fi
	[ -n "$GEN" ] && kill "$GEN" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

command -v lsfd >/dev/null || { echo "pipes: n/a (no lsfd)"; exit 0; }
[ -x "$BUILD/bench/pipegen" ] || make -C "$ROOT" --no-print-directory "$BUILD/bench/pipegen" >/dev/null
"$BUILD/bench/pipegen" "$PAIRS" "$K" >"$WORK/gen" 2>&1 &
GEN=$!
for i in $(seq 600); do grep -q ready "$WORK/gen" && break; kill -0 "$GEN" 2>/dev/null || break; sleep 0.05; done
grep -q ready "$WORK/gen" || { echo "pipes: n/a (pipegen: $(cat "$WORK/gen"))"; exit 0; }
mkdir -p "$MNT"
"$BUILD/ipcfs" -f "$MNT" </dev/null >"$WORK/log" 2>&1 &
DAEMON=$!
for i in $(seq 200); do mountpoint -q "$MNT" && break; sleep 0.05; done
mountpoint -q "$MNT" || { echo "pipes: mount failed: $(cat "$WORK/log")"; exit 1; }

ms() { local t0 t1; t0=$(date +%s%N); "$@"; t1=$(date +%s%N); echo $(((t1 - t0) / 1000000)); }
side_ipcfs() { ls -l "$MNT/pipes" >/dev/null; }
side_lsfd() { lsfd -Q 'TYPE == "FIFO"' >/dev/null; }

n=$(ls "$MNT/pipes" | wc -l)
[ "$n" -ge $((PAIRS * K)) ] || { echo "pipes: $n pipes listed, want >= $((PAIRS * K))"; exit 1; }
side_ipcfs; side_lsfd	# warm both
a=() b=() r=()
for run in $(seq "$RUNS"); do
	if [ $((run % 2)) = 1 ]; then x=$(ms side_ipcfs); y=$(ms side_lsfd)
	else y=$(ms side_lsfd); x=$(ms side_ipcfs); fi
	a+=("$x") b+=("$y") r+=("$(awk -v x="$x" -v y="$y" 'BEGIN {printf "%.2f", (y ? x / y : 0)}')")
done
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
echo "pipes ls -l: ipcfs $(median "${a[@]}") ms, lsfd $(median "${b[@]}") ms, ratio $(median "${r[@]}") ($n pipes)"
echo "pipes daemon RSS after the listings: $(awk '/^VmRSS:/ {printf "%.1f", $2 / 1024}' "/proc/$DAEMON/status") MiB"
