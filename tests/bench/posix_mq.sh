#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# posix_mq.sh - POSIX message queues through ipcfs against the native calls,
# measured in the same run: N small messages (1 byte) sent by one process
# and received by another at the same time, through the mount (dd: one
# write(2) per message, one read(2) per message) and natively (pmqtool's
# mq_send and mq_receive loops).  Prints
#
#   posix_mq_pair: ipcfs X msg/s, native Y msg/s, ratio Z
#
# Usage: tests/bench/posix_mq.sh [N]   (as root; builds nothing: run
# `make check-build` first).
set -eu
NAME=pmq
N=${1:-20000}
Q=ipcfs-bench-pmq-$$
# (Only once made here: a queue of that name made by someone else stays.)
bench_cleanup() { [ -s "$WORK/pmq" ] && "$BUILD/pmqtool" unlink "$Q" 2>/dev/null || true; }
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

bench_mount "$MNT"
mkdir "$MNT/posix/mq/$Q"
bench_leftover_pmq "$Q"	# the defaults: 10 messages of up to 8 KiB

now() { date +%s.%N; }
rate() { awk -v n="$N" -v a="$1" -v b="$2" 'BEGIN {printf "%.0f", n / (b - a)}'; }

t0=$(now)
dd if="$MNT/posix/mq/$Q/queue" of=/dev/null bs=8192 count="$N" status=none &
reader=$!
dd if=/dev/zero of="$MNT/posix/mq/$Q/queue" bs=1 count="$N" status=none
wait "$reader"
t1=$(now)
"$BUILD/pmqtool" loop-recv "$Q" "$N" &
reader=$!
"$BUILD/pmqtool" loop-send "$Q" "$N"
wait "$reader"
t2=$(now)

fs=$(rate "$t0" "$t1")
nat=$(rate "$t1" "$t2")
echo "posix_mq_pair: ipcfs $fs msg/s, native $nat msg/s, ratio $(awk -v a="$nat" -v b="$fs" 'BEGIN {printf "%.1f", a / b}')"
