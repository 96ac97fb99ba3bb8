# SPDX-License-Identifier: GPL-2.0-or-later
# common.sh - what the shell benchmarks (tests/bench/*.sh but bench.sh)
# share, sourced after their own settings: where the build is, a scratch
# directory, mounts of their own ipcfs that end with them, and the timing
# and median helpers.  A script sets NAME and may define bench_cleanup
# (its own objects and processes, removed by pid or name) before it sources
# this file; on exit (normal, INT, TERM) the mounts are unmounted, their
# daemons ended, bench_cleanup run and the scratch directory removed.  What
# a run killed with SIGKILL left (its mounts, and the objects it named with
# bench_leftover) is removed by the next run of any of these scripts.
#
#   bench_leftover_pmq NAME       record a POSIX queue this run made (named
#                                 ipcfs-bench-...), for a later run to
#                                 remove if this one is killed
#   bench_mount DIR [--floor] [OPTION...]
#                                 mount ipcfs (or the FUSE floor) on DIR, wait for it
#   bench_gen ARG...              pipegen's pipes or sockets, held until exit
#   ms CMD...                     milliseconds CMD takes, its output discarded
#   ns CMD...                     the same in nanoseconds
#   median                        the median of the numbers on stdin
#   pair A B                      RUNS timings (ms) of the functions A and B,
#                                 interleaved, the order flipping every run:
#                                 sets PAIR_A, PAIR_B (medians) and
#                                 PAIR_RATIO (the median of A/B run by run)
export LC_ALL=C
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
RUNS=${BENCH_RUNS:-5}

# own_dir DIR: DIR is a directory (not a link) this user owns that no one
# else may write in, told by one lstat: anyone may make entries in /tmp,
# and swap a directory of theirs for a link between two separate tests.
# Once it is ours, the sticky /tmp lets nobody else rename it.
own_dir() {
	local st
	st=$(stat -c '%u %F %a' -- "$1" 2>/dev/null) || return 1
	[[ $st =~ ^$EUID\ directory\ [0-7]?[0-7][0145][0145]$ ]]
}

# Earlier runs' scratch directories whose shell is gone (killed with
# SIGKILL): their mounts are unmounted and the POSIX queues they recorded
# (bench_leftover_pmq) removed.  Only a directory this user owns is read.
for old in /tmp/ipcfs-bench-*.*/owner; do
	dir=${old%/owner}
	own_dir "$dir" || continue
	kill -0 "$(cat "$old" 2>/dev/null)" 2>/dev/null && continue
	# (From /proc: the mount of a daemon killed with it answers stat with
	# ENOTCONN, and mountpoint(1) says no.)
	awk -v d="$dir/" 'index($2, d) == 1 {print $2}' /proc/self/mounts | while read -r m; do
		fusermount3 -u "$m" 2>/dev/null || fusermount3 -uz "$m" 2>/dev/null || true
	done
	[ -e "$dir/pmq" ] && while read -r q; do
		[[ $q =~ ^ipcfs-bench-[A-Za-z0-9.-]+$ ]] && "$BUILD/pmqtool" unlink "$q" >/dev/null 2>&1
	done <"$dir/pmq"
	rm -rf "$dir" 2>/dev/null || true
done

WORK=$(mktemp -d "/tmp/ipcfs-bench-$NAME.XXXXXX")
echo $$ >"$WORK/owner"
MNT=$WORK/mnt
BENCH_MOUNTS=()
BENCH_DAEMONS=()

bench_exit() {
	local m d i
	for m in "${BENCH_MOUNTS[@]}"; do mountpoint -q "$m" && fusermount3 -u "$m"; done
	for d in "${BENCH_DAEMONS[@]}"; do
		# A daemon ends by itself once unmounted; wait for it, bounded.
		for i in $(seq 100); do kill -0 "$d" 2>/dev/null || break; sleep 0.05; done
		kill -9 "$d" 2>/dev/null || true
	done
	declare -F bench_cleanup >/dev/null && bench_cleanup
	rm -rf "$WORK"
}
trap bench_exit EXIT

bench_leftover_pmq() { echo "$1" >>"$WORK/pmq"; }
trap 'exit 130' INT TERM

# bench_mount DIR [--floor] [OPTION...]: its daemon's pid in DAEMON.
# --floor mounts the FUSE floor (tests/bench/floorfs.c) instead of ipcfs.
bench_mount() {
	local dir=$1 i log bin=$BUILD/ipcfs
	shift
	[ "${1:-}" = --floor ] && { bin=$BUILD/bench/floorfs; shift; }
	mkdir -p "$dir"
	log=$WORK/log.${#BENCH_MOUNTS[@]}
	"$bin" -f "$@" "$dir" </dev/null >"$log" 2>&1 &
	DAEMON=$!
	BENCH_MOUNTS+=("$dir")
	BENCH_DAEMONS+=("$DAEMON")
	for i in $(seq 200); do
		mountpoint -q "$dir" && return 0
		kill -0 "$DAEMON" 2>/dev/null || break
		sleep 0.05
	done
	echo "$NAME: mount failed: $(cat "$log")"
	exit 1
}

# bench_gen ARG...: $BUILD/bench/pipegen ARG... in the background (its pid
# in GEN, for the script's bench_cleanup), once it holds every pipe or
# socket it makes; "n/a" and exit when it cannot.
bench_gen() {
	local i
	[ -x "$BUILD/bench/pipegen" ] || make -C "$ROOT" --no-print-directory "$BUILD/bench/pipegen" >/dev/null
	"$BUILD/bench/pipegen" "$@" >"$WORK/gen" 2>&1 &
	GEN=$!
	for i in $(seq 600); do grep -q ready "$WORK/gen" && break; kill -0 "$GEN" 2>/dev/null || break; sleep 0.05; done
	grep -q ready "$WORK/gen" || { echo "$NAME: n/a (pipegen: $(cat "$WORK/gen"))"; exit 0; }
}

ns() { local t0 t1; t0=$(date +%s%N); "$@" >/dev/null; t1=$(date +%s%N); echo $((t1 - t0)); }
ms() { echo $(($(ns "$@") / 1000000)); }
median() { sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

pair() {
	local run x y a=() b=() r=()
	"$1"; "$2"	# warm both
	for run in $(seq "$RUNS"); do
		if [ $((run % 2)) = 1 ]; then x=$(ms "$1"); y=$(ms "$2")
		else y=$(ms "$2"); x=$(ms "$1"); fi
		a+=("$x") b+=("$y") r+=("$(awk -v x="$x" -v y="$y" 'BEGIN {printf "%.2f", (y ? x / y : 0)}')")
	done
	PAIR_A=$(printf '%s\n' "${a[@]}" | median)
	PAIR_B=$(printf '%s\n' "${b[@]}" | median)
	PAIR_RATIO=$(printf '%s\n' "${r[@]}" | median)
}
