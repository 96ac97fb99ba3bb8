#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ns_metrics.sh - ns/metrics (every namespace at once) against what an
# operator runs without ipcfs: `ipcs -a` once in each namespace through
# nsenter.  One line:
#
#   ns/metrics: ipcfs MEDIAN ms, nsenter+ipcs MEDIAN ms, ratio MEDIAN-OF-PER-RUN-RATIOS
#
# BENCH_NS (100) namespaces made with `unshare --ipc`, each holding
# BENCH_NS_OBJS (300) objects, a third of each System V kind; BENCH_RUNS
# (5) runs, the two sides interleaved, their order flipping every run.
# For a quick check: BENCH_NS=10 BENCH_NS_OBJS=30 BENCH_RUNS=3.  It mounts
# its own ipcfs and on exit (normal, INT, TERM) unmounts, ends its daemon
# and the namespaces' processes (by pid): their objects vanish with them.
set -u
NAME=ns
NNS=${BENCH_NS:-100}
OBJS=${BENCH_NS_OBJS:-300}
PIDS=()
bench_cleanup() { local p; for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done; }
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

[ -x "$BUILD/bench/benchobj" ] || make -C "$ROOT" --no-print-directory "$BUILD/bench/benchobj" >/dev/null
per=$((OBJS / 3))
for i in $(seq "$NNS"); do
	unshare --ipc sleep 3600 </dev/null >/dev/null 2>&1 &
	PIDS+=($!)
	disown $!
done
for p in "${PIDS[@]}"; do
	for j in $(seq 100); do
		[ "$(readlink /proc/$p/ns/ipc)" != "$(readlink /proc/self/ns/ipc)" ] &&
			[ "$(cat /proc/$p/comm 2>/dev/null)" = sleep ] && break
		sleep 0.02
	done
	for kind in shm sem mq; do
		nsenter --ipc=/proc/$p/ns/ipc "$BUILD/bench/benchobj" create $kind $per /dev/null >/dev/null ||
			{ echo "ns_metrics: cannot make objects in $p"; exit 1; }
	done
done
bench_mount "$MNT"

side_ipcfs() { cat "$MNT/ns/metrics" >/dev/null; }
side_native() { local p; for p in "${PIDS[@]}"; do nsenter --ipc=/proc/$p/ns/ipc ipcs -a >/dev/null; done; }

# The series are all there: one ipcfs_shm_objects per namespace of ours.
got=$(grep -c '^ipcfs_shm_objects{' "$MNT/ns/metrics")
[ "$got" -ge "$NNS" ] || { echo "ns_metrics: $got namespaces in ns/metrics, want >= $NNS"; exit 1; }
pair side_ipcfs side_native
echo "ns/metrics: ipcfs $PAIR_A ms, nsenter+ipcs $PAIR_B ms, ratio $PAIR_RATIO" \
	"($NNS namespaces x $OBJS objects, $RUNS runs)"
