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
NAME=pipes
PAIRS=${BENCH_PIPE_PAIRS:-500}
K=${BENCH_PIPE_K:-20}
GEN=""
bench_cleanup() { [ -n "$GEN" ] && kill "$GEN" 2>/dev/null; }
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

command -v lsfd >/dev/null || { echo "pipes: n/a (no lsfd)"; exit 0; }
bench_gen "$PAIRS" "$K"
bench_mount "$MNT"

side_ipcfs() { ls -l "$MNT/pipes" >/dev/null; }
side_lsfd() { lsfd -Q 'TYPE == "FIFO"' >/dev/null; }

n=$(ls "$MNT/pipes" | wc -l)
[ "$n" -ge $((PAIRS * K)) ] || { echo "pipes: $n pipes listed, want >= $((PAIRS * K))"; exit 1; }
pair side_ipcfs side_lsfd
echo "pipes ls -l: ipcfs $PAIR_A ms, lsfd $PAIR_B ms, ratio $PAIR_RATIO ($n pipes)"
echo "pipes daemon RSS after the listings: $(awk '/^VmRSS:/ {printf "%.1f", $2 / 1024}' "/proc/$DAEMON/status") MiB"
