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
export LC_ALL=C
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
RUNS=${BENCH_RUNS:-5}
NNS=${BENCH_NS:-100}
OBJS=${BENCH_NS_OBJS:-300}
WORK=$(mktemp -d /tmp/ipcfs-bench-ns.XXXXXX)
MNT=$WORK/mnt
DAEMON=""
PIDS=()

cleanup() {
	local i p
	mountpoint -q "$MNT" && fusermount3 -u "$MNT"
	if [ -n "$DAEMON" ]; then
		for i in $(seq 100); do kill -0 "$DAEMON" 2>/dev/null || break; sleep 0.05; done
		kill -9 "$DAEMON" 2>/dev/null
	fi
	for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

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
mkdir -p "$MNT"
"$BUILD/ipcfs" -f "$MNT" </dev/null >"$WORK/log" 2>&1 &
DAEMON=$!
for i in $(seq 200); do mountpoint -q "$MNT" && break; sleep 0.05; done
mountpoint -q "$MNT" || { echo "ns_metrics: mount failed: $(cat "$WORK/log")"; exit 1; }

ms() { local t0 t1; t0=$(date +%s%N); "$@"; t1=$(date +%s%N); echo $(((t1 - t0) / 1000000)); }
side_ipcfs() { cat "$MNT/ns/metrics" >/dev/null; }
side_native() { local p; for p in "${PIDS[@]}"; do nsenter --ipc=/proc/$p/ns/ipc ipcs -a >/dev/null; done; }

# The series are all there: one ipcfs_shm_objects per namespace of ours.
got=$(grep -c '^ipcfs_shm_objects{' "$MNT/ns/metrics")
[ "$got" -ge "$NNS" ] || { echo "ns_metrics: $got namespaces in ns/metrics, want >= $NNS"; exit 1; }
side_ipcfs; side_native	# warm both
a=() b=() r=()
for run in $(seq "$RUNS"); do
	if [ $((run % 2)) = 1 ]; then x=$(ms side_ipcfs); y=$(ms side_native)
	else y=$(ms side_native); x=$(ms side_ipcfs); fi
	a+=("$x") b+=("$y") r+=("$(awk -v x="$x" -v y="$y" 'BEGIN {printf "%.2f", (y ? x / y : 0)}')")
done
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
echo "ns/metrics: ipcfs $(median "${a[@]}") ms, nsenter+ipcs $(median "${b[@]}") ms, ratio $(median "${r[@]}")" \
	"($NNS namespaces x $OBJS objects, $RUNS runs)"
