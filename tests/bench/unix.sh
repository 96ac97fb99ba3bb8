#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# unix.sh - `ls -l unix` and `cat unix/*/info` against what an operator
# runs without ipcfs, `ss -xp` (iproute2), over the same sockets:
# BENCH_UNIX_PAIRS (250) pairs of processes each holding BENCH_UNIX_K (20)
# socketpair ends, one end of each pair in each process (10,000 sockets in
# 500 processes), made by $BUILD/bench/pipegen PAIRS K unix.  The listing
# opens the directory afresh, so ipcfs dumps and scans /proc every time.
# Two lines:
#
#   unix ls -l + cat info: ipcfs MEDIAN ms, ss -xp MEDIAN ms, ratio MEDIAN-OF-PER-RUN-RATIOS (N sockets)
#   unix daemon RSS after the listings: X MiB
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
PAIRS=${BENCH_UNIX_PAIRS:-250}
K=${BENCH_UNIX_K:-20}
WORK=$(mktemp -d /tmp/ipcfs-bench-unix.XXXXXX)
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

command -v ss >/dev/null || { echo "unix: n/a (no ss)"; exit 0; }
[ -x "$BUILD/bench/pipegen" ] || make -C "$ROOT" --no-print-directory "$BUILD/bench/pipegen" >/dev/null
"$BUILD/bench/pipegen" "$PAIRS" "$K" unix >"$WORK/gen" 2>&1 &
GEN=$!
for i in $(seq 600); do grep -q ready "$WORK/gen" && break; kill -0 "$GEN" 2>/dev/null || break; sleep 0.05; done
grep -q ready "$WORK/gen" || { echo "unix: n/a (pipegen: $(cat "$WORK/gen"))"; exit 0; }
mkdir -p "$MNT"
"$BUILD/ipcfs" -f "$MNT" </dev/null >"$WORK/log" 2>&1 &
DAEMON=$!
for i in $(seq 200); do mountpoint -q "$MNT" && break; sleep 0.05; done
mountpoint -q "$MNT" || { echo "unix: mount failed: $(cat "$WORK/log")"; exit 1; }

ms() { local t0 t1; t0=$(date +%s%N); "$@"; t1=$(date +%s%N); echo $(((t1 - t0) / 1000000)); }
side_ipcfs() { ls -l "$MNT/unix" >/dev/null; cat "$MNT"/unix/*/info >/dev/null; }
side_ss() { ss -xp >/dev/null; }

n=$(ls "$MNT/unix" | wc -l)
[ "$n" -ge $((2 * PAIRS * K)) ] || { echo "unix: $n sockets listed, want >= $((2 * PAIRS * K))"; exit 1; }
side_ipcfs; side_ss	# warm both
a=() b=() r=()
for run in $(seq "$RUNS"); do
	if [ $((run % 2)) = 1 ]; then x=$(ms side_ipcfs); y=$(ms side_ss)
	else y=$(ms side_ss); x=$(ms side_ipcfs); fi
	a+=("$x") b+=("$y") r+=("$(awk -v x="$x" -v y="$y" 'BEGIN {printf "%.2f", (y ? x / y : 0)}')")
done
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
echo "unix ls -l + cat info: ipcfs $(median "${a[@]}") ms, ss -xp $(median "${b[@]}") ms, ratio $(median "${r[@]}") ($n sockets)"
echo "unix daemon RSS after the listings: $(awk '/^VmRSS:/ {printf "%.1f", $2 / 1024}' "/proc/$DAEMON/status") MiB"
