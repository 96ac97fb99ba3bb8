#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# unix.sh - `ls -l unix` and `cat unix/*/info` against what an operator
# runs without ipcfs, `ss -xp` (iproute2), over the same sockets:
# BENCH_UNIX_PAIRS (250) pairs of processes each holding BENCH_UNIX_K (20)
# socketpair ends, one end of each pair in each process (10,000 sockets in
# 500 processes), made by $BUILD/bench/pipegen PAIRS K unix.  The listing
# opens the directory afresh, so ipcfs dumps and scans /proc every time.
# Four lines: the listing and every `info`, the listing alone, the same
# walk on the FUSE floor (floorfs serving as many directories, each with a
# small `info`, with no work: what any FUSE file system pays for a lookup,
# an open and two reads per file), and the daemon's RSS:
#
#   unix ls -l + cat info: ipcfs MEDIAN ms, ss -xp MEDIAN ms, ratio MEDIAN-OF-PER-RUN-RATIOS (N sockets)
#   unix ls -l: ipcfs MEDIAN ms, ss -xp MEDIAN ms, ratio ...
#   unix ls -l + cat info: ipcfs MEDIAN ms, FUSE floor MEDIAN ms, ratio ... (N directories)
#   unix daemon RSS after the listings: X MiB
#
# BENCH_RUNS (5) runs, the two sides interleaved, their order flipping
# every run.  It mounts its own ipcfs and floor; on exit (normal, INT, TERM) it
# unmounts, ends their daemons and the generator (by pid), whose processes
# end with it (PR_SET_PDEATHSIG).
set -u
NAME=unix
PAIRS=${BENCH_UNIX_PAIRS:-250}
K=${BENCH_UNIX_K:-20}
GEN=""
bench_cleanup() { [ -n "$GEN" ] && kill "$GEN" 2>/dev/null; }
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

command -v ss >/dev/null || { echo "unix: n/a (no ss)"; exit 0; }
bench_gen "$PAIRS" "$K" unix
bench_mount "$MNT"
IPCFS=$DAEMON

side_ipcfs() { ls -l "$MNT/unix" >/dev/null; cat "$MNT"/unix/*/info >/dev/null; }
side_ls() { ls -l "$MNT/unix" >/dev/null; }
side_ss() { ss -xp >/dev/null; }

n=$(ls "$MNT/unix" | wc -l)
[ "$n" -ge $((2 * PAIRS * K)) ] || { echo "unix: $n sockets listed, want >= $((2 * PAIRS * K))"; exit 1; }
pair side_ipcfs side_ss
echo "unix ls -l + cat info: ipcfs $PAIR_A ms, ss -xp $PAIR_B ms, ratio $PAIR_RATIO ($n sockets)"
pair side_ls side_ss
echo "unix ls -l: ipcfs $PAIR_A ms, ss -xp $PAIR_B ms, ratio $PAIR_RATIO ($n sockets)"
# The FUSE floor (tests/bench/floorfs.c) doing the same: ls -l of as many
# directories and cat of an `info` in each, served with no work.  What any
# FUSE file system pays for this walk; ipcfs's own cost is beyond it.
[ -x "$BUILD/bench/floorfs" ] || make -C "$ROOT" --no-print-directory "$BUILD/bench/floorfs" >/dev/null
bench_mount "$WORK/floor" --floor
side_floor() { ls -l "$WORK/floor/d/$n" >/dev/null; cat "$WORK/floor/d/$n"/*/info >/dev/null; }
pair side_ipcfs side_floor
echo "unix ls -l + cat info: ipcfs $PAIR_A ms, FUSE floor $PAIR_B ms, ratio $PAIR_RATIO ($n directories)"
echo "unix daemon RSS after the listings: $(awk '/^VmRSS:/ {printf "%.1f", $2 / 1024}' "/proc/$IPCFS/status") MiB"
