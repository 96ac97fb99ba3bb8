#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench.sh - `make bench`: ipcfs measured against its own reference points,
# in one run, and printed as one Markdown table.
#
# It mounts a private ipcfs and the FUSE floor (tests/bench/floorfs.c,
# mounted the same way), creates its own objects (keys 0x1fc5c000..0x1fc5ffff,
# IPC_PRIVATE objects tracked by id in a file, POSIX objects named
# ipcfs-bench-pshm*-PID in /dev/shm), and measures each figure
# against its references in the same run, interleaved (the order flips every
# run), so a noisy shared machine moves both sides alike.  Every figure is
# the median and min-max of several runs; every ratio is taken run by run.
# On exit, normal or not (INT, TERM), it unmounts what it mounted, ends the
# daemons it started (by pid) and removes exactly the objects it tracked;
# what a run killed outright (SIGKILL) left is cleaned up by the next one.
#
#   make bench                               build, then run this
#   BENCH_RUNS=3 BENCH_OPS=10000 BENCH_SEG_MB=64 BENCH_SHM_NS="100 400" \
#   BENCH_MQ_NS="100 1000" BENCH_RSS_N=1000 tests/bench/bench.sh   # a quick try
#
# (also BENCH_LINES, BENCH_LS_RUNS, BENCH_RSS_RUNS, BENCH_MARGIN, BENCH_TIMEOUT,
# BENCH_POLL_N, BENCH_POLL_IDLE: see their defaults below)
#
#   BENCH_ONLY=poll tests/bench/bench.sh     only the poll rows (under a minute;
#                                            the other phases are skipped)
#
# A row whose backend is missing or fails prints n/a and the reason; the
# others still run.  The table is also saved in $BUILD/bench/results.md,
# which `make bench` writes into doc/performance.md (tests/bench/write-doc.sh).

set -u
export LC_ALL=C
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
BIN=$BUILD/bench

RUNS=${BENCH_RUNS:-5}
RSS_RUNS=${BENCH_RSS_RUNS:-$RUNS}	# each mounts a fresh ipcfs and a fresh floor
LS_RUNS=${BENCH_LS_RUNS:-$((3 * RUNS))}	# listings take milliseconds: more runs, steadier medians
SEG_MB=${BENCH_SEG_MB:-1024}
OPS=${BENCH_OPS:-100000}
LINES=${BENCH_LINES:-100000}
WAKES=${BENCH_WAKES:-200}
SHM_NS=${BENCH_SHM_NS:-"1000 4000"}
MQ_NS=${BENCH_MQ_NS:-"1000 30000"}
RSS_N=${BENCH_RSS_N:-32000}
MARGIN=${BENCH_MARGIN:-64}	# ids of each kind left free for everyone else
TMO=${BENCH_TIMEOUT:-180}	# seconds any one measured command may take
MSG=64				# bytes per message in the queue rows
KEY_SEG=0x1fc5c000
KEY_Q=0x1fc5c001
KEY_QL=0x1fc5c002
KEY_SEM=0x1fc5c003
KEY_POLL=0x1fc5c004
POLL_N=${BENCH_POLL_N:-50}		# wake-ups per run in the poll rows
POLL_IDLE=${BENCH_POLL_IDLE:-1000}	# queue files polled besides the one that wakes
# BENCH_ONLY=poll: only the poll rows (with a small segment, since the
# set-up still makes one); empty: every row.
ONLY=${BENCH_ONLY:-}
case $ONLY in
"") ;;
poll) SEG_MB=${BENCH_SEG_MB:-64} ;;
*) echo "bench: BENCH_ONLY=$ONLY: only 'poll' can be chosen" >&2; exit 2 ;;
esac

NOTES=()

# What a run killed with SIGKILL left behind (its shell is gone): its
# mounts, and the objects it tracked.  Nothing else is touched.  Only a
# directory this user owns, that no one else may write in, is read, told
# by one lstat (anyone may make /tmp/ipcfs-bench.X and swap it for a link
# between two tests; once it is ours, the sticky /tmp keeps it ours), and
# what its files name is checked again: its own mounts, our names.
for old in /tmp/ipcfs-bench.*/owner; do
	dir=${old%/owner}
	st=$(stat -c '%u %F %a' -- "$dir" 2>/dev/null) || continue
	[[ $st =~ ^$EUID\ directory\ [0-7]?[0-7][0145][0145]$ ]] || continue
	kill -0 "$(cat "$old" 2>/dev/null)" 2>/dev/null && continue
	[ -e "$dir/mounts" ] && tac "$dir/mounts" | while read -r m; do
		[[ $m == "$dir"/* || $m =~ ^/dev/shm/ipcfs-bench\.[0-9]+$ ]] || continue
		# (From /proc: a mount whose daemon was killed too answers stat
		# with ENOTCONN, and mountpoint(1) says no.)
		awk -v m="$m" '$2 == m {found = 1} END {exit !found}' /proc/self/mounts || continue
		case $m in
		*/tmpfs) umount "$m" 2>/dev/null || umount -l "$m" ;;
		*) fusermount3 -u "$m" 2>/dev/null || fusermount3 -uz "$m" ;;
		esac
	done
	[ -e "$dir/objects" ] && "$BUILD/bench/benchobj" rm "$dir/objects" >/dev/null
	t=$(cat "$dir/tmpdir" 2>/dev/null)
	[[ $t =~ ^/dev/shm/ipcfs-bench\.[0-9]+$ ]] && rm -rf "$t"
	[ -e "$dir/pshm" ] && while read -r f; do
		[[ $f =~ ^ipcfs-bench-pshm[0-9a-z-]*$ ]] && rm -f "/dev/shm/$f"
	done <"$dir/pshm"
	t=$(cat "$dir/pmq" 2>/dev/null)
	[[ $t =~ ^ipcfs-bench-[0-9]+$ ]] && "$BUILD/pmqtool" unlink "$t" 2>/dev/null
	[ -s "$dir/objects" ] || rm -rf "$dir"
	NOTES+=("cleaned up after an earlier run that was killed ($dir)")
done

WORK=$(mktemp -d /tmp/ipcfs-bench.XXXXXX)
chmod 755 "$WORK"
echo $$ >"$WORK/owner"
R=$WORK/results
TRACK=$WORK/objects
mkdir -p "$R"

# ---- cleanup: only what this script made ----

cleanup() {
	local m p i
	set +e
	trap - EXIT INT TERM
	[ -e "$WORK/mounts" ] && tac "$WORK/mounts" | while read -r m; do
		if mountpoint -q "$m"; then
			case $m in
			*/tmpfs) umount "$m" 2>/dev/null || umount -l "$m" ;;
			*) fusermount3 -u "$m" 2>/dev/null || fusermount3 -uz "$m" ;;
			esac
		fi
	done
	[ -e "$WORK/pids" ] && while read -r p; do
		for i in $(seq 200); do kill -0 "$p" 2>/dev/null || break; sleep 0.05; done
		kill -9 "$p" 2>/dev/null
	done <"$WORK/pids"
	[ -e "$WORK/tmpdir" ] && rm -rf "$(cat "$WORK/tmpdir")"
	[ -e "$WORK/pshm" ] && while read -r f; do rm -f "/dev/shm/$f"; done <"$WORK/pshm"
	[ -e "$WORK/pmq" ] && "$BUILD/pmqtool" unlink "$(cat "$WORK/pmq")"
	if [ -e "$TRACK" ] && ! "$BIN/benchobj" rm "$TRACK" >/dev/null; then
		echo "bench: could not remove these objects (kind id):" >&2
		cat "$TRACK" >&2
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'echo "bench: interrupted" >&2; exit 130' INT TERM

die() {
	echo "bench: $*" >&2
	exit 1
}

# T CMD...: CMD with a time limit; Ctrl-C still reaches it.
T() { timeout --foreground -k 5 "$TMO" "$@"; }

# ---- mounts ----

wait_mounted() { # DIR PID LOG
	local i
	for i in $(seq 200); do
		mountpoint -q "$1" && return 0
		kill -0 "$2" 2>/dev/null || break
		sleep 0.05
	done
	echo "bench: mount at $1 failed: $(tail -3 "$3")" >&2
	return 1
}

# start_fs VAR DIR CMD...: mount with CMD (foreground daemon), pid in VAR.
start_fs() {
	local var=$1 dir=$2 pid
	shift 2
	mkdir -p "$dir"
	echo "$dir" >>"$WORK/mounts"
	"$@" "$dir" </dev/null >>"$dir.log" 2>&1 &
	pid=$!
	echo "$pid" >>"$WORK/pids"
	printf -v "$var" '%s' "$pid"
	wait_mounted "$dir" "$pid" "$dir.log"
}

stop_fs() { # DIR PID
	local i
	fusermount3 -u "$1" 2>/dev/null || fusermount3 -uz "$1"
	for i in $(seq 200); do kill -0 "$2" 2>/dev/null || return 0; sleep 0.05; done
	kill -9 "$2" 2>/dev/null
}

rss_mib() { # PID
	awk '/^VmRSS:/ {printf "%.2f\n", $2 / 1024}' "/proc/$1/status"
}

# ---- measuring ----

# measure NAME FUNC ARGS...: FUNC prints one number; it is appended to
# $R/NAME.  A failure writes the reason to $R/NAME.na and later runs of
# that figure are skipped.
measure() {
	local name=$1 out rc
	shift
	[ -e "$R/$name.na" ] && return 0
	if out=$("$@" 2>"$WORK/err") && [ -n "$out" ]; then
		echo "$out" >>"$R/$name"
	else
		rc=$?
		out=$(grep -v '^$' "$WORK/err" | tail -1 | cut -c1-100)
		echo "${out:-failed (exit $rc)}" >"$R/$name.na"
	fi
}

# measure_pair NAME REF CMD...: CMD (fdloop -p) prints two "SECONDS OPS/S
# BYTES" lines, for ipcfs and for the reference, driven alternately in
# chunks of 1,000 calls; their k ops/s are appended to $R/NAME and $R/REF.
# Small operations cost one FUSE round trip, whose time on this kind of
# machine swings by 2x over seconds (where the scheduler puts the daemon's
# worker against the client); alternating puts both sides under the same
# swings, where runs one after the other do not.
measure_pair() {
	local name=$1 ref=$2 out rc
	shift 2
	[ -e "$R/$name.na" ] && return 0
	if out=$(T "$@" 2>"$WORK/err") && [ "$(printf '%s\n' "$out" | wc -l)" = 2 ]; then
		printf '%s\n' "$out" | awk -v a="$R/$name" -v b="$R/$ref" \
			'{ f = NR == 1 ? a : b; printf "%.4f\n", $2 / 1000 >>f }'
	else
		rc=$?
		out=$(grep -v '^$' "$WORK/err" | tail -1 | cut -c1-100)
		echo "${out:-failed (exit $rc)}" >"$R/$name.na"
		echo "not measured: the paired ipcfs run failed" >"$R/$ref.na"
	fi
}

# pin / unpin: both daemons (every thread) on one CPU, $PIN_CPU, where the
# small-operation rows also run their client (taskset -c).  A FUSE round
# trip here costs ~5 us when the client and the daemon's worker share a
# CPU and up to ~100 us when each wakeup crosses to an idle one (this is a
# VM); unpinned, which of the two a daemon gets depends on where the
# scheduler left its threads, and ratios between two daemons ranged 0.3-1.8
# run to run.  On one CPU the figure is each daemon's own cost per call.
pin() { local p; for p in "$IPCFS_PID" "$FLOOR_PID"; do taskset -a -p -c "$PIN_CPU" "$p" >/dev/null; done; }
unpin() { local p; for p in "$IPCFS_PID" "$FLOOR_PID"; do taskset -a -p -c "$ALL_CPUS" "$p" >/dev/null; done; }

# na NAME REASON: the figure cannot be measured at all.
na() { [ -e "$R/$1.na" ] || echo "$2" >"$R/$1.na"; }

# present NAME PATH: is the file there?  If not, NAME is n/a and why.
present() {
	local rel=${2#"$MNT"/}
	[ -e "$2" ] && return 0
	case $rel in
	shm | shm/* | sem | sem/* | mq | mq/*)
		[ -d "$MNT/${rel%%/*}" ] || { na "$1" "backend missing"; return 1; } ;;
	esac
	na "$1" "no ${2#"$WORK"/}"
	return 1
}

# dd_gbps DD-ARGS...: GB/s of a copy of the whole segment size, timed as
# a whole process (dd's own clock starts after open, and opening `data`
# attaches the segment: that is part of the cost).
dd_gbps() {
	local t
	t=$("$BIN/nativeloop" time "$TMO" dd "$@" bs=1M count="$SEG_MB" 2>"$WORK/dd.err") ||
		{ tail -1 "$WORK/dd.err" >&2; return 1; }
	awk -v want=$((SEG_MB << 20)) -v t="$t" '/copied/ {
		if ($1 != want) { print "short copy: " $1 " bytes" > "/dev/stderr"; exit 1 }
		printf "%.4f\n", $1 / (t / 1000) / 1e9 }' "$WORK/dd.err"
}

# kops PROGRAM ARGS...: thousands of operations per second (second field).
kops() {
	local out
	out=$(T "$@") || return 1
	echo "$out" | awk '{printf "%.4f\n", $2 / 1000}'
}

gbps() { # nativeloop shmcopy: bytes per second -> GB/s
	local out
	out=$(T "$@") || return 1
	echo "$out" | awk '{printf "%.4f\n", $2 / 1e9}'
}

# ms CMD...: milliseconds of one whole run of CMD (fork to exit), its
# output discarded.
ms() { "$BIN/nativeloop" time "$TMO" "$@"; }

# interleave RUN FN1 FN2 ...: call the functions, in reverse order on
# even runs, so no side always goes first.
interleave() {
	local run=$1 fns
	shift
	fns=("$@")
	if ((run % 2 == 0)); then
		local i
		for ((i = ${#fns[@]} - 1; i >= 0; i--)); do eval "${fns[i]}"; done
	else
		local f
		for f in "${fns[@]}"; do eval "$f"; done
	fi
}

# ---- the machine ----

for p in floorfs fdloop nativeloop benchobj pollbench; do
	[ -x "$BIN/$p" ] || die "$BIN/$p is missing: run 'make bench'"
done
[ -x "$BUILD/ipcfs" ] || die "$BUILD/ipcfs is missing: run 'make bench'"
[ -w /dev/fuse ] || die "no /dev/fuse"
# A copy, so that a rebuild meanwhile changes nothing under us.
IPCFS=$WORK/ipcfs.bin
cp "$BUILD/ipcfs" "$IPCFS"

# The CPUs we may use, and the one the small-operation rows share.
ALL_CPUS=$(taskset -c -p $$ | sed 's/.*: //')
PIN_CPU=${ALL_CPUS##*[,-]}
CPU=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
MEM_GIB=$(awk '/^MemTotal/ {printf "%.0f", $2 / 1048576}' /proc/meminfo)
AVAIL_MB=$(awk '/^MemAvailable/ {printf "%d", $2 / 1024}' /proc/meminfo)
HEADER="machine: $(nproc) CPUs, ${CPU:-unknown CPU}, Linux $(uname -r), $MEM_GIB GiB; \
libfuse $("$IPCFS" --version 2>/dev/null | sed -n 's/.*, \(.*\) at run time/\1/p'); \
load at start $(cut -d' ' -f1-3 /proc/loadavg); $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "# ipcfs benchmark"
echo "$HEADER"
echo "runs: $RUNS per figure ($LS_RUNS for listings and metrics); work directory $WORK"

# The segment (which ipcfs and the floor both serve), a tmpfs file and a
# POSIX object of the same size, with room to spare.
if ((AVAIL_MB < 3 * SEG_MB + 1024)); then
	new=$(((AVAIL_MB - 1024) / 3))
	((new < 64)) && die "too little memory for the segment rows"
	NOTES+=("segment scaled from $SEG_MB MiB to $new MiB: only $AVAIL_MB MiB available")
	SEG_MB=$new
fi
SEG_LABEL="$SEG_MB MiB"
((SEG_MB % 1024 == 0)) && SEG_LABEL="$((SEG_MB / 1024)) GiB"

# ---- set-up ----

echo "setting up: objects, ipcfs, the floor, tmpfs ..."
SEG=$("$BIN/benchobj" key shm $KEY_SEG "$TRACK" $((SEG_MB << 20))) || die "cannot create the segment"
Q=$("$BIN/benchobj" key mq $KEY_Q "$TRACK") || die "cannot create a queue"
QL=$("$BIN/benchobj" key mq $KEY_QL "$TRACK") || die "cannot create a queue"
SEM=$("$BIN/benchobj" key sem $KEY_SEM "$TRACK") || die "cannot create a semaphore set"

MNT=$WORK/ipcfs
FLOOR=$WORK/floor
TMPFS=$WORK/tmpfs
start_fs IPCFS_PID "$MNT" "$IPCFS" -f || die "ipcfs does not mount"
# The same daemon keeping no view after a close: what a single `cat` of a
# segment nobody read through ipcfs in the last minute costs.
MNT0=$WORK/ipcfs-cold
start_fs IPCFS0_PID "$MNT0" "$IPCFS" -f -o shm_linger=0 || die "ipcfs (shm_linger=0) does not mount"
# The POSIX queue's name is known now; it is made below, before the floor's
# pmq file is first opened.
PQ=ipcfs-bench-$$
start_fs FLOOR_PID "$FLOOR" "$BIN/floorfs" -f -o shmid="$SEG",msqid="$Q",semid="$SEM",pmq="$PQ" ||
	die "the floor does not mount"
mkdir -p "$TMPFS"
echo "$TMPFS" >>"$WORK/mounts"
if ! mount -t tmpfs -o size=$((SEG_MB + 16))m,mode=0700 bench-tmpfs "$TMPFS" 2>/dev/null; then
	TMPFS=/dev/shm/ipcfs-bench.$$
	mkdir -p "$TMPFS"
	echo "$TMPFS" >"$WORK/tmpdir"
	NOTES+=("tmpfs rows use /dev/shm (could not mount a private tmpfs)")
fi
# Pages exist before anything is timed: the segment and the tmpfs file are
# written in full once.
"$BIN/nativeloop" shmcopy "$SEG" in >/dev/null || die "cannot fill the segment"
dd if=/dev/zero of="$TMPFS/file" bs=1M count="$SEG_MB" status=none || die "cannot fill tmpfs"
"$BIN/benchobj" setval "$SEM" 0
# POSIX objects (posix/shm): one of the segment's size, and the 64 MiB one
# `cat` reads.  Their /dev/shm files are the reference: tmpfs itself.
PSHM=ipcfs-bench-pshm-$$
PSHM64=ipcfs-bench-pshm64-$$
printf '%s\n' "$PSHM" "$PSHM64" >"$WORK/pshm"
dd if=/dev/zero of="/dev/shm/$PSHM" bs=1M count="$SEG_MB" status=none || die "cannot fill /dev/shm/$PSHM"
head -c $((64 << 20)) /dev/urandom >"/dev/shm/$PSHM64" || die "cannot fill /dev/shm/$PSHM64"

DATA=$MNT/shm/$SEG/data
PDATA=$MNT/posix/shm/$PSHM/data
PDATA64=$MNT/posix/shm/$PSHM64/data
QUEUE=$MNT/mq/$Q/queue
LINESF=$MNT/mq/$QL/lines
SEMF=$MNT/sem/$SEM/0
# A POSIX queue, made through the mount (removed by cleanup, named after
# this run): its `queue` against the floor, and mq_send/mq_receive.
mkdir "$MNT/posix/mq/$PQ" && echo "$PQ" >"$WORK/pmq" || die "cannot create a POSIX queue"
PQUEUE=$MNT/posix/mq/$PQ/queue

# Phases 1-3 (skipped with BENCH_ONLY=poll).
if [ -z "$ONLY" ]; then

# ---- phase 1: data and small operations ----

echo "phase 1: ${SEG_LABEL} reads and writes, $OPS small operations, $RUNS runs ..."

shm_read_ipcfs() { present shm_read.ipcfs "$DATA" && measure shm_read.ipcfs dd_gbps if="$DATA" of=/dev/null; }
shm_read_cold() { present shm_read.cold "$MNT0/shm/$SEG/data" && measure shm_read.cold dd_gbps if="$MNT0/shm/$SEG/data" of=/dev/null; }
shm_write_cold() { present shm_write.cold "$MNT0/shm/$SEG/data" && measure shm_write.cold dd_gbps if=/dev/zero of="$MNT0/shm/$SEG/data" conv=notrunc; }
shm_read_floor() { measure shm_read.floor dd_gbps if="$FLOOR/seg" of=/dev/null; }
shm_read_floor_open() { measure shm_read.floor_open dd_gbps if="$FLOOR/segopen" of=/dev/null; }
shm_read_static() { measure shm_read.static dd_gbps if="$FLOOR/static" of=/dev/null; }
shm_read_tmpfs() { measure shm_read.tmpfs dd_gbps if="$TMPFS/file" of=/dev/null; }
shm_read_native() { measure shm_read.native gbps "$BIN/nativeloop" shmcopy "$SEG" out; }
shm_write_ipcfs() { present shm_write.ipcfs "$DATA" && measure shm_write.ipcfs dd_gbps if=/dev/zero of="$DATA" conv=notrunc; }
shm_write_floor() { measure shm_write.floor dd_gbps if=/dev/zero of="$FLOOR/seg" conv=notrunc; }
shm_write_floor_open() { measure shm_write.floor_open dd_gbps if=/dev/zero of="$FLOOR/segopen" conv=notrunc; }
shm_write_tmpfs() { measure shm_write.tmpfs dd_gbps if=/dev/zero of="$TMPFS/file" conv=notrunc; }
shm_write_native() { measure shm_write.native gbps "$BIN/nativeloop" shmcopy "$SEG" in; }
# The same memcpy through an mmap of data (FUSE passthrough maps the
# segment itself).
map_read_ipcfs() { present map_read.ipcfs "$DATA" && measure map_read.ipcfs gbps "$BIN/nativeloop" mapcopy "$DATA" out; }
map_write_ipcfs() { present map_write.ipcfs "$DATA" && measure map_write.ipcfs gbps "$BIN/nativeloop" mapcopy "$DATA" in; }
# posix/shm's data against its own /dev/shm file (tmpfs), and cat of 64 MiB.
pshm_read_ipcfs() { present pshm_read.ipcfs "$PDATA" && measure pshm_read.ipcfs dd_gbps if="$PDATA" of=/dev/null; }
pshm_read_tmpfs() { measure pshm_read.tmpfs dd_gbps if="/dev/shm/$PSHM" of=/dev/null; }
pshm_write_ipcfs() { present pshm_write.ipcfs "$PDATA" && measure pshm_write.ipcfs dd_gbps if=/dev/zero of="$PDATA" conv=notrunc; }
pshm_write_tmpfs() { measure pshm_write.tmpfs dd_gbps if=/dev/zero of="/dev/shm/$PSHM" conv=notrunc; }
pmap_read_ipcfs() { present pmap_read.ipcfs "$PDATA" && measure pmap_read.ipcfs gbps "$BIN/nativeloop" mapcopy "$PDATA" out; }
pmap_read_tmpfs() { measure pmap_read.tmpfs gbps "$BIN/nativeloop" mapcopy "/dev/shm/$PSHM" out; }
pcat_ipcfs() { present pcat.ipcfs "$PDATA64" && measure pcat.ipcfs ms cat "$PDATA64"; }
pcat_tmpfs() { measure pcat.tmpfs ms cat "/dev/shm/$PSHM64"; }
# small_pair NAME FILE FLOOR-FILE [FDLOOP-OPTION...] -- MODE COUNT SIZE [WORD...]:
# fdloop on FILE paired with the floor's FLOOR-FILE, all on one CPU, into
# NAME.ipcfs and NAME.floor (the floor alone when FILE is missing).
small_pair() {
	local name=$1 file=$2 ref=$3 opts=()
	shift 3
	while [ "$1" != -- ]; do opts+=("$1"); shift; done
	shift
	pin
	if present "$name.ipcfs" "$file"; then
		measure_pair "$name.ipcfs" "$name.floor" taskset -c "$PIN_CPU" "$BIN/fdloop" "${opts[@]}" \
			-p "$ref" "$1" "$file" "${@:2}"
	else
		measure "$name.floor" kops taskset -c "$PIN_CPU" "$BIN/fdloop" "$1" "$ref" "${@:2}"
	fi
	unpin
}
q_write_pair() { small_pair q_write "$QUEUE" "$FLOOR/null" -q "$Q" -- write "$OPS" $MSG; }
# The same calls on the floor's msgq, semop and pmq files, each against
# the floor's plain file: the floor making the native check and operation
# in its own worker, and nothing else (floorfs.c).  Their ratio is the
# small rows' limit measured where the calls are made, after a switch
# from the client, rather than added up from loops that run warm.
q_write_situ() { small_pair q_write_situ "$FLOOR/msgq" "$FLOOR/null" -q "$Q" -- write "$OPS" $MSG; }
q_read_situ() { small_pair q_read_situ "$FLOOR/msgq" "$FLOOR/small" -q "$Q" -m $MSG -- read "$OPS" 8192; }
pq_write_situ() { small_pair pq_write_situ "$FLOOR/pmq" "$FLOOR/null" -Q "/$PQ" -- write "$OPS" $MSG; }
pq_read_situ() { small_pair pq_read_situ "$FLOOR/pmq" "$FLOOR/small" -Q "/$PQ" -m $MSG -- read "$OPS" 8192; }
sem_situ() {
	"$BIN/benchobj" setval "$SEM" 0
	small_pair sem_situ "$FLOOR/semop" "$FLOOR/null" -- write "$OPS" 0 '+1\n' '-1\n'
}
q_write_native() { measure q_write.native kops "$BIN/nativeloop" msgsnd "$Q" "$OPS" $MSG; }
# The check ipcfs makes before each queue or semaphore operation: one
# MSG_STAT_ANY / SEM_STAT_ANY (POSIX files are checked at open only).
q_check_native() { measure q_check.native kops "$BIN/nativeloop" msgstat "$Q" "$OPS"; }
sem_check_native() { measure sem_check.native kops "$BIN/nativeloop" semstat "$SEM" "$OPS"; }
q_read_pair() { small_pair q_read "$QUEUE" "$FLOOR/small" -q "$Q" -m $MSG -- read "$OPS" 8192; }
q_read_native() { measure q_read.native kops "$BIN/nativeloop" msgrcv "$Q" "$OPS" 8192; }
pq_write_pair() { small_pair pq_write "$PQUEUE" "$FLOOR/null" -Q "/$PQ" -- write "$OPS" $MSG; }
pq_write_native() { measure pq_write.native kops "$BIN/nativeloop" mqsend "/$PQ" "$OPS" $MSG; }
pq_read_pair() { small_pair pq_read "$PQUEUE" "$FLOOR/small" -Q "/$PQ" -m $MSG -- read "$OPS" 8192; }
pq_read_native() { measure pq_read.native kops "$BIN/nativeloop" mqrecv "/$PQ" "$OPS" 8192; }
lines_ipcfs() {
	present lines.ipcfs "$LINESF" || return 0
	"$BIN/benchobj" drain "$QL"
	measure lines.ipcfs kops "$BIN/nativeloop" recv "$QL" "$LINES" sh -c 'seq "$1" >"$0"' "$LINESF" "$LINES"
}
lines_native() { "$BIN/benchobj" drain "$QL"; measure lines.native kops "$BIN/nativeloop" lines "$QL" "$LINES"; }
# `cat lines` while a native sender feeds the queue (its 128 KiB reads take
# every whole message that fits), against a native msgrcv loop (lines.native).
cat_lines_ipcfs() {
	present cat_lines.ipcfs "$LINESF" || return 0
	"$BIN/benchobj" drain "$QL"
	measure cat_lines.ipcfs kops "$BIN/nativeloop" feed "$QL" "$LINES" cat "$LINESF"
	"$BIN/benchobj" drain "$QL"
}
# A P blocked on a semaphore file, released by a V written to the same
# path (each open has an inode of its own), against semop on both sides.
wake_ipcfs() {
	present wake.ipcfs "$SEMF" || return 0
	"$BIN/benchobj" setval "$SEM" 0
	measure wake.ipcfs T "$BIN/nativeloop" wake "$SEM" "$WAKES" "$SEMF"
}
wake_native() { "$BIN/benchobj" setval "$SEM" 0; measure wake.native T "$BIN/nativeloop" wake "$SEM" "$WAKES"; }
sem_pair() {
	"$BIN/benchobj" setval "$SEM" 0
	small_pair sem "$SEMF" "$FLOOR/null" -- write "$OPS" 0 '+1\n' '-1\n'
}
sem_native() { "$BIN/benchobj" setval "$SEM" 0; measure sem.native kops "$BIN/nativeloop" semop "$SEM" "$OPS"; }

# One untimed round of everything small, so that no first call pays for
# loading, faulting in or the kernel's first lookups.
warm() {
	local save=$OPS save_lines=$LINES
	OPS=2000 LINES=2000
	R=$WORK/warm
	mkdir -p "$R"
	q_write_pair; q_read_pair; lines_ipcfs; sem_pair
	OPS=$save LINES=$save_lines
	R=$WORK/results
	rm -rf "$WORK/warm"
}
warm

for run in $(seq "$RUNS"); do
	echo "  run $run/$RUNS"
	interleave "$run" shm_read_ipcfs shm_read_cold shm_read_floor shm_read_floor_open \
		shm_read_static shm_read_tmpfs shm_read_native map_read_ipcfs
	interleave "$run" shm_write_ipcfs shm_write_cold shm_write_floor shm_write_floor_open \
		shm_write_tmpfs shm_write_native map_write_ipcfs
	interleave "$run" pshm_read_ipcfs pshm_read_tmpfs pmap_read_ipcfs pmap_read_tmpfs
	interleave "$run" pshm_write_ipcfs pshm_write_tmpfs
	interleave "$run" pcat_ipcfs pcat_tmpfs
	interleave "$run" q_check_native sem_check_native
	interleave "$run" q_write_pair q_write_situ q_write_native
	interleave "$run" q_read_pair q_read_situ q_read_native
	interleave "$run" pq_write_pair pq_write_situ pq_write_native
	interleave "$run" pq_read_pair pq_read_situ pq_read_native
	interleave "$run" lines_ipcfs lines_native
	interleave "$run" cat_lines_ipcfs
	interleave "$run" sem_pair sem_situ sem_native
	interleave "$run" wake_ipcfs wake_native
done
"$BIN/benchobj" drain "$Q"
"$BIN/benchobj" drain "$QL"

# ---- phase 2 and 3: listings of many objects ----

# grow KIND N: have N of our bulk objects of KIND (or as many as the free
# room allows, keeping $MARGIN ids for others); the number is in HAVE[KIND].
declare -A HAVE=([shm]=0 [mq]=0)
grow() {
	local kind=$1 want=$2 free made
	free=$("$BIN/benchobj" free "$kind" | cut -d' ' -f1)
	if ((want - HAVE[$kind] > free - MARGIN)); then
		local can=$((HAVE[$kind] + free - MARGIN))
		((can < HAVE[$kind])) && can=${HAVE[$kind]}
		NOTES+=("$kind: N scaled from $want to $can (free ids: $free; $MARGIN left for others)")
		want=$can
	fi
	if ((want > HAVE[$kind])); then
		made=$("$BIN/benchobj" create "$kind" $((want - HAVE[$kind])) "$TRACK" 4096)
		HAVE[$kind]=$((HAVE[$kind] + ${made:-0}))
	fi
}

# listed KIND: how many objects of KIND exist now (ours and anyone
# else's): what ipcfs, ipcs and /proc/sysvipc list.
listed() { "$BIN/benchobj" free "$1" | cut -d' ' -f3; }

# ls_rows TAG KIND IPCS-FLAG PROC-FILE: one listing figure at the current N.
ls_rows() {
	local tag=$1 kind=$2 flag=$3 proc=$4 n run
	n=$(listed "$kind")
	echo "$n" >"$R/$tag.n"
	ls_ipcfs() { present "$tag.ipcfs" "$MNT/$kind" && measure "$tag.ipcfs" ms ls -l "$MNT/$kind"; }
	ls_ipcs() { measure "$tag.ipcs" ms ipcs "$flag"; }
	ls_floor() { measure "$tag.floor" ms ls -l "$FLOOR/d/$n"; }
	ls_proc() { measure "$tag.proc" ms cat "$proc"; }
	# Warm: the first listing after creating objects fills the caches.
	ls -l "$MNT/$kind" "$FLOOR/d/$n" >/dev/null 2>&1
	ipcs "$flag" >/dev/null
	for run in $(seq "$LS_RUNS"); do
		interleave "$run" ls_ipcfs ls_ipcs ls_floor ls_proc
	done
}

echo "phase 2: ls -l of shm (N = $SHM_NS) ..."
i=0
for n in $SHM_NS; do
	i=$((i + 1))
	grow shm "$n"
	ls_rows "ls_shm$i" shm -m /proc/sysvipc/shm
	echo "  N = $(cat "$R/ls_shm$i.n") (ours: ${HAVE[shm]})"
done
"$BIN/benchobj" rm "$TRACK" shm >/dev/null
HAVE[shm]=0

echo "phase 3: ls -l of queues (N = $MQ_NS), metrics, daemon RSS ..."
# metrics at every N too (the monitoring issue asks for 1,000 and 30,000).
metrics_ipcfs() {
	present "metrics$MI.ipcfs" "$MNT/mq" && present "metrics$MI.ipcfs" "$MNT/metrics" &&
		measure "metrics$MI.ipcfs" ms cat "$MNT/metrics"
}
metrics_ipcs() { measure "metrics$MI.ipcs" ms ipcs -q; }
i=0
for n in $MQ_NS; do
	i=$((i + 1))
	grow mq "$n"
	ls_rows "ls_mq$i" mq -q /proc/sysvipc/msg
	echo "  N = $(cat "$R/ls_mq$i.n") (ours: ${HAVE[mq]})"
	MI=$i
	cat "$MNT/metrics" >/dev/null 2>&1
	for run in $(seq "$LS_RUNS"); do
		interleave "$run" metrics_ipcfs metrics_ipcs
	done
	cp "$R/ls_mq$i.n" "$R/metrics$i.n"
done

# RSS: a fresh ipcfs and a fresh floor each list N entries (twice, as a
# user looking twice would); then VmRSS.
grow mq "$RSS_N"
NRSS=$(listed mq)
echo "$NRSS" >"$R/rss.n"
for run in $(seq "$RSS_RUNS"); do
	start_fs P2 "$WORK/rss-ipcfs$run" "$IPCFS" -f || { na rss.ipcfs "mount failed"; break; }
	measure rss.idle rss_mib "$P2"
	if [ ! -d "$WORK/rss-ipcfs$run/mq" ]; then
		na rss.ipcfs "backend missing"
	elif ls -l "$WORK/rss-ipcfs$run/mq" >/dev/null && ls -l "$WORK/rss-ipcfs$run/mq" >/dev/null; then
		measure rss.ipcfs rss_mib "$P2"
	else
		na rss.ipcfs "ls -l failed"
	fi
	cat "$WORK/rss-ipcfs$run/metrics" >/dev/null && measure rss.metrics rss_mib "$P2"
	stop_fs "$WORK/rss-ipcfs$run" "$P2"
	start_fs P3 "$WORK/rss-floor$run" "$BIN/floorfs" -f || { na rss.floor "mount failed"; break; }
	ls -l "$WORK/rss-floor$run/d/$NRSS" >/dev/null && ls -l "$WORK/rss-floor$run/d/$NRSS" >/dev/null
	measure rss.floor rss_mib "$P3"
	stop_fs "$WORK/rss-floor$run" "$P3"
done
echo "  N = $NRSS (ours: ${HAVE[mq]})"
MAIN_RSS=$(rss_mib "$IPCFS_PID")
MAIN_SHMEM=$(awk '/^RssShmem:/ {printf "%.2f\n", $2 / 1024}' "/proc/$IPCFS_PID/status")
"$BIN/benchobj" rm "$TRACK" mq >/dev/null
HAVE[mq]=0

fi # phases 1-3

# Derived figures: growth from the first to the last queue N, run by run.
ratio_file() { # A B OUT: A/B line by line
	if [ -e "$R/$1.na" ] || [ -e "$R/$2.na" ] || [ ! -s "$R/$1" ] || [ ! -s "$R/$2" ]; then
		echo "from: $(cat "$R/$1.na" "$R/$2.na" 2>/dev/null | head -1)" >"$R/$3.na"
		return
	fi
	paste "$R/$1" "$R/$2" | awk 'NF == 2 && $2 > 0 {printf "%.6f\n", $1 / $2}' >"$R/$3"
}
# limit_file OUT FLOOR NATIVE [CHECK]: a small operation's limit, run by
# run: the floor's time per call over the floor's plus the native
# operation's plus the native check's (the figures are rates): what
# ipcfs ÷ floor would be if the daemon added nothing but the operation
# and the check it makes, each at native cost.
limit_file() {
	local out=$1 f files=()
	shift
	for f in "$@"; do
		if [ -e "$R/$f.na" ] || [ ! -s "$R/$f" ]; then
			echo "from: $(cat "$R/$f.na" 2>/dev/null || echo "$f not measured")" >"$R/$out.na"
			return
		fi
		files+=("$R/$f")
	done
	paste "${files[@]}" | awk '{ t = 0; for (i = 1; i <= NF; i++) t += 1 / $i
		if (NF && $1 > 0) printf "%.6f\n", (1 / $1) / t }' >"$R/$out"
}
if [ -z "$ONLY" ]; then
ratio_file "ls_mq$i.ipcfs" ls_mq1.ipcfs growth.ipcfs
ratio_file "ls_mq$i.floor" ls_mq1.floor growth.floor
limit_file q_write.limit q_write.floor q_write.native q_check.native
limit_file q_read.limit q_read.floor q_read.native q_check.native
limit_file sem.limit sem.floor sem.native sem_check.native
limit_file pq_write.limit pq_write.floor pq_write.native
limit_file pq_read.limit pq_read.floor pq_read.native
fi

# ---- phase 4: poll wake-ups ----

# A native msgsnd from another process wakes a process waiting in poll(2)
# on the queue's file: how long after the send does its wait return?  The
# same through a pipe (the floor for any wake-up) and for a native msgrcv
# blocked on the queue.  Then with $POLL_IDLE more queue files in the same
# epoll set, which ipcfs must check too, and the daemon's CPU time while
# those are polled and nothing happens (pollbench.c says how).
echo "phase 4: poll wake-ups ($POLL_N per run), alone and among $POLL_IDLE polled files ..."
PQ=$("$BIN/benchobj" key mq $KEY_POLL "$TRACK") || die "cannot create a queue"
free=$("$BIN/benchobj" free mq | cut -d' ' -f1)
if ((POLL_IDLE > free - MARGIN)); then
	NOTES+=("poll: idle files scaled from $POLL_IDLE to $((free - MARGIN)) (free queue ids: $free)")
	POLL_IDLE=$((free - MARGIN))
fi
before=$(wc -l <"$TRACK")
"$BIN/benchobj" create mq "$POLL_IDLE" "$TRACK" >/dev/null
mapfile -t IDLE_FILES < <(tail -n +$((before + 1)) "$TRACK" | awk -v m="$MNT" '$1 == "q" {print m "/mq/" $2 "/queue"}')
PFILE=$MNT/mq/$PQ/queue
poll_ipcfs() { present poll.ipcfs "$PFILE" && measure poll.ipcfs T "$BIN/pollbench" poll "$POLL_N" "$PQ" "$PFILE"; }
poll_pipe() { measure poll.pipe T "$BIN/pollbench" pipe "$POLL_N"; }
poll_msgrcv() { measure poll.msgrcv T "$BIN/pollbench" msgrcv "$POLL_N" "$PQ"; }
poll_many() {
	present pollmany.ipcfs "$PFILE" &&
		measure pollmany.ipcfs T "$BIN/pollbench" epoll "$POLL_N" "$PQ" "$PFILE" "${IDLE_FILES[@]}"
}
poll_cpu_idle() { measure pollcpu.idle T "$BIN/pollbench" cpu 2000 "$IPCFS_PID"; }
poll_cpu_many() {
	present pollcpu.many "$PFILE" &&
		measure pollcpu.many T "$BIN/pollbench" cpu 2000 "$IPCFS_PID" "${IDLE_FILES[@]}"
}
for run in $(seq "$RUNS"); do
	echo "  run $run/$RUNS"
	interleave "$run" poll_ipcfs poll_pipe poll_msgrcv poll_many poll_cpu_idle poll_cpu_many
done
"$BIN/benchobj" rm "$TRACK" mq >/dev/null

# ---- the table ----

# stats NAME: "median min max" of $R/NAME.
stats() {
	sort -g "$R/$1" | awk '{v[NR] = $1} END {
		if (!NR) exit 1
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		print m, v[1], v[NR] }'
}

fmt() { # VALUE: three significant figures or so
	awk -v v="$1" 'BEGIN {
		a = v < 0 ? -v : v
		if (a >= 100) f = "%.0f"; else if (a >= 10) f = "%.1f"; else if (a >= 1) f = "%.2f"; else f = "%.3f"
		printf f, v }'
}

cell() { # NAME: "median (min–max)" or "n/a (reason)"
	local s
	if [ -e "$R/$1.na" ]; then
		echo "n/a ($(cat "$R/$1.na"))"
	elif [ -s "$R/$1" ] && s=$(stats "$1"); then
		set -- $s
		echo "$(fmt "$1") ($(fmt "$2")–$(fmt "$3"))"
	else
		echo "n/a (not measured)"
	fi
}

# verdict GOAL MEDIAN: goal "ge:0.9", "le:1.0" ...
verdict() {
	awk -v g="$1" -v m="$2" 'BEGIN {
		split(g, p, ":")
		ok = p[1] == "ge" ? m >= p[2] : m <= p[2]
		print ok ? "met" : "**missed**" }'
}

TABLE=$WORK/table.md
out() { printf '%s\n' "$*" >>"$TABLE"; }

# row FIGURE UNIT IPCFS [REF-LABEL REF GOAL GOAL-TEXT]...: the figure's
# first line, then one line per reference; GOAL "-" is for information.
row() {
	local fig=$1 unit=$2 a=$3 first=1 label ref goal text rc rs met
	shift 3
	while (($#)); do
		label=$1 ref=$2 goal=$3 text=$4
		shift 4
		rc="n/a"
		met="–"
		if [ ! -e "$R/$a.na" ] && [ ! -e "$R/$ref.na" ] && [ -s "$R/$a" ] && [ -s "$R/$ref" ]; then
			ratio_file "$a" "$ref" "r.$a.$ref"
			rs=$(stats "r.$a.$ref")
			set -- $rs "$@"
			rc="$(fmt "$1") ($(fmt "$2")–$(fmt "$3"))"
			[ "$goal" != - ] && met=$(verdict "$goal" "$1")
			shift 3
		fi
		if ((first)); then
			out "| $fig | $unit | $(cell "$a") | $label | $(cell "$ref") | $rc | $text | $met |"
			first=0
		else
			out "| | | | $label | $(cell "$ref") | $rc | $text | $met |"
		fi
	done
}

# lim NAME: the goal of small-operation row NAME, from its limit (see
# limit_file): ipcfs ÷ floor at least the limit less 0.03; in GOAL and
# GOAL_TEXT.
lim() {
	local l
	if [ -s "$R/$1.limit" ] && l=$(stats "$1.limit"); then
		l=${l%% *}
		GOAL=ge:$(awk -v l="$l" 'BEGIN {printf "%.4f", l - 0.03}')
		GOAL_TEXT="≥ limit − 0.03 = $(fmt "${GOAL#ge:}") (limit $(fmt "$l"))"
	else
		GOAL=-
		GOAL_TEXT="limit n/a ($(cat "$R/$1.limit.na" 2>/dev/null || echo "not measured"))"
	fi
}

commas() { # 30006 -> 30,006
	echo "$1" | sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|[^0-9]\)/\1,\2\3/' -e 'ta'
}
n_of() { commas "$(cat "$R/$1.n" 2>/dev/null || echo "?")"; }

: >"$TABLE"
out "| figure | unit | ipcfs: median (min–max) | reference | reference: median (min–max) | ipcfs ÷ reference, run by run | goal | met |"
out "|---|---|---|---|---|---|---|---|"
if [ -z "$ONLY" ]; then
row "read a $SEG_LABEL segment through \`data\` (\`dd bs=1M\`; FUSE passthrough)" "GB/s" shm_read.ipcfs \
	"tmpfs read, same size" shm_read.tmpfs ge:0.9 "≥ 0.9" \
	"FUSE floor: same bytes from a segment attached once" shm_read.floor - "" \
	"FUSE floor: touching a fresh attachment at each open" shm_read.floor_open - "" \
	"FUSE floor: static buffer, no copy from a segment" shm_read.static - "" \
	"memcpy out of the shmat'ed segment (pages mapped)" shm_read.native - ""
row "write it (\`dd bs=1M conv=notrunc\` from /dev/zero; through the daemon)" "GB/s" shm_write.ipcfs \
	"tmpfs write, same size" shm_write.tmpfs ge:0.9 "≥ 0.9" \
	"FUSE floor: writing into a segment attached once" shm_write.floor ge:0.9 "≥ 0.9 (the daemon's own cost)" \
	"FUSE floor: touching a fresh attachment at each open" shm_write.floor_open - "" \
	"memcpy into the shmat'ed segment (pages mapped)" shm_write.native - ""
row "memcpy out of an mmap of \`data\` (pages mapped)" "GB/s" map_read.ipcfs \
	"memcpy out of the shmat'ed segment (pages mapped)" shm_read.native ge:0.9 "≥ 0.9"
row "memcpy into an mmap of \`data\` (pages mapped)" "GB/s" map_write.ipcfs \
	"memcpy into the shmat'ed segment (pages mapped)" shm_write.native ge:0.9 "≥ 0.9"
row "the same read, cold: ipcfs with \`shm_linger=0\` (a new view at each open)" "GB/s" shm_read.cold \
	"FUSE floor: same bytes from a segment attached once" shm_read.floor - "" \
	"FUSE floor: touching a fresh attachment at each open" shm_read.floor_open - ""
row "the same write, cold (\`shm_linger=0\`)" "GB/s" shm_write.cold \
	"FUSE floor: writing into a segment attached once" shm_write.floor - "" \
	"FUSE floor: touching a fresh attachment at each open" shm_write.floor_open - ""
row "read a $SEG_LABEL POSIX object through \`posix/shm/NAME/data\` (\`dd bs=1M\`)" "GB/s" pshm_read.ipcfs \
	"tmpfs: the same of /dev/shm/NAME" pshm_read.tmpfs ge:0.9 "≥ 0.9"
row "write it (\`dd bs=1M conv=notrunc\`; through the daemon)" "GB/s" pshm_write.ipcfs \
	"tmpfs: the same into /dev/shm/NAME" pshm_write.tmpfs ge:0.9 "≥ 0.9"
row "memcpy out of an mmap of its \`data\`" "GB/s" pmap_read.ipcfs \
	"memcpy out of an mmap of /dev/shm/NAME" pmap_read.tmpfs ge:0.9 "≥ 0.9"
row "\`cat\` of a 64 MiB POSIX object's \`data\`" "ms" pcat.ipcfs \
	"\`cat /dev/shm/NAME\`" pcat.tmpfs le:1.1 "≤ 1.1"
lim q_write
row "$(commas "$OPS") one-message writes of $MSG B to \`queue\`, one fd" "k ops/s" q_write.ipcfs \
	"FUSE floor: small writes, discarded" q_write.floor "$GOAL" "$GOAL_TEXT" \
	"native msgsnd" q_write.native - "" \
	"native check: msgctl(MSG_STAT_ANY)" q_check.native - ""
row "the FUSE floor making only that check and msgsnd, in its worker (the limit measured in place)" "k ops/s" q_write_situ.ipcfs \
	"FUSE floor: small writes, discarded" q_write_situ.floor - ""
lim q_read
row "$(commas "$OPS") one-message reads from \`queue\` (8 KiB buffer)" "k ops/s" q_read.ipcfs \
	"FUSE floor: small reads ($MSG B)" q_read.floor "$GOAL" "$GOAL_TEXT" \
	"native msgrcv" q_read.native - "" \
	"native check: msgctl(MSG_STAT_ANY)" q_check.native - ""
row "the FUSE floor making only that check and msgrcv, in its worker" "k ops/s" q_read_situ.ipcfs \
	"FUSE floor: small reads ($MSG B)" q_read_situ.floor - ""
lim pq_write
row "$(commas "$OPS") one-message writes of $MSG B to \`posix/mq/Q/queue\` (checked at open only)" "k ops/s" pq_write.ipcfs \
	"FUSE floor: small writes, discarded" pq_write.floor "$GOAL" "$GOAL_TEXT" \
	"native mq_send" pq_write.native - ""
row "the FUSE floor making only mq_timedsend, in its worker" "k ops/s" pq_write_situ.ipcfs \
	"FUSE floor: small writes, discarded" pq_write_situ.floor - ""
lim pq_read
row "$(commas "$OPS") one-message reads from \`posix/mq/Q/queue\` (8 KiB buffer)" "k ops/s" pq_read.ipcfs \
	"FUSE floor: small reads ($MSG B)" pq_read.floor "$GOAL" "$GOAL_TEXT" \
	"native mq_receive" pq_read.native - ""
row "the FUSE floor making only mq_timedreceive, in its worker" "k ops/s" pq_read_situ.ipcfs \
	"FUSE floor: small reads ($MSG B)" pq_read_situ.floor - ""
row "\`seq $LINES > lines\`, received by a native reader" "k msgs/s" lines.ipcfs \
	"native msgsnd loop of the same messages" lines.native ge:0.3 "≥ 0.3"
row "\`cat lines\` of $(commas "$LINES") messages a native sender feeds" "k msgs/s" cat_lines.ipcfs \
	"native msgrcv loop of the same messages" lines.native ge:0.3 "≥ 0.3"
row "a P blocked on \`sem/ID/0\` released by \`+1\` written to the same path: V to wake-up (median of $WAKES)" "µs" wake.ipcfs \
	"native semop P released by a native semop V" wake.native - ""
lim sem
row "$(commas "$OPS") \`+1\`/\`-1\` writes to a semaphore" "k ops/s" sem.ipcfs \
	"FUSE floor: small writes, discarded" sem.floor "$GOAL" "$GOAL_TEXT" \
	"native semop" sem.native - "" \
	"native check: semctl(SEM_STAT_ANY)" sem_check.native - ""
row "the FUSE floor making only that check and semop, in its worker" "k ops/s" sem_situ.ipcfs \
	"FUSE floor: small writes, discarded" sem_situ.floor - ""
i=0
for n in $SHM_NS; do
	i=$((i + 1))
	row "\`ls -l\` of N = $(n_of "ls_shm$i") shm" "ms" "ls_shm$i.ipcfs" \
		"\`ipcs -m\`" "ls_shm$i.ipcs" le:1.0 "≤ 1.0" \
		"FUSE floor \`ls -l\` of N entries" "ls_shm$i.floor" - "" \
		"cat /proc/sysvipc/shm" "ls_shm$i.proc" - ""
done
i=0
for n in $MQ_NS; do
	i=$((i + 1))
	row "\`ls -l\` of N = $(n_of "ls_mq$i") queues" "ms" "ls_mq$i.ipcfs" \
		"\`ipcs -q\`" "ls_mq$i.ipcs" le:1.0 "≤ 1.0" \
		"FUSE floor \`ls -l\` of N entries" "ls_mq$i.floor" - "" \
		"cat /proc/sysvipc/msg" "ls_mq$i.proc" - ""
done
row "growth of \`ls -l\`, $(n_of ls_mq1) → $(n_of "ls_mq$i") queues" "× (ratio)" growth.ipcfs \
	"the FUSE floor's growth" growth.floor le:1.2 "≤ 1.2"
i=0
for n in $MQ_NS; do
	i=$((i + 1))
	row "\`cat metrics\` with $(n_of "metrics$i") queues" "ms" "metrics$i.ipcfs" \
		"\`ipcs -q\`" "metrics$i.ipcs" le:2 "≤ 2"
done
row "daemon RSS after listing $(n_of rss) queues (fresh daemon, \`ls -l\` twice)" "MiB" rss.ipcfs \
	"FUSE floor RSS after listing as many entries" rss.floor - "ipcfs ≤ 8 MiB" \
	"ipcfs RSS fresh, before listing" rss.idle - ""

# The RSS goal is on ipcfs's own figure, not a ratio.
if [ -s "$R/rss.ipcfs" ]; then
	set -- $(stats rss.ipcfs)
	RSS_MET=$(verdict le:8 "$1")
	sed -i "s/| ipcfs ≤ 8 MiB | – |$/| ipcfs ≤ 8 MiB | $RSS_MET |/" "$TABLE"
fi
fi # rows of phases 1-3
row "poll wake-up: native msgsnd → \`poll()\` on \`queue\` returns" "µs" poll.ipcfs \
	"native pipe write → \`poll()\` returns" poll.pipe - "" \
	"native msgsnd → a blocked native msgrcv returns" poll.msgrcv - ""
row "the same with epoll, $(commas "$POLL_IDLE") idle queue files polled too" "µs" pollmany.ipcfs \
	"native pipe write → \`poll()\` returns" poll.pipe - ""

{
	echo
	echo "## ipcfs benchmark"
	echo
	echo "$HEADER."
	echo "Each figure: median (min–max) of $RUNS runs ($LS_RUNS for \`ls -l\` and metrics, $RSS_RUNS for RSS); ratios are taken run by run against"
	echo "the reference measured in the same run, interleaved.  Goals apply to the median ratio."
	echo
	cat "$TABLE"
	echo
	if [ -z "$ONLY" ]; then
	echo "- ipcfs daemon RSS: the fresh one of the RSS row after also one \`cat metrics\`: $(cell rss.metrics) MiB;"
	echo "  the one that served every row, at the end: ${MAIN_RSS:-?} MiB, of which ${MAIN_SHMEM:-?} MiB are pages of the"
	echo "  $SEG_LABEL segment (RssShmem) that its shared view still maps: it lingers \`shm_linger\` (60) seconds after the last close."
	echo "- Queue rows: qbytes is the kernel's default ($(cat /proc/sys/kernel/msgmnb) bytes), so writes and reads go in"
	echo "  batches of what one queue holds; between batches the queue is emptied or refilled natively with the clock stopped."
	echo "- Small-operation rows (queue writes and reads, semaphore writes): ipcfs and the floor run alternately in chunks"
	echo "  of 1,000 calls within one client, and the client and both daemons are pinned to CPU $PIN_CPU.  Unpinned, a round"
	echo "  trip costs ~5 us or up to ~100 us depending on whether the scheduler puts the daemon's worker on the client's"
	echo "  CPU, and ipcfs ÷ floor swung between 0.3 and 1.8 run to run; pinned, each figure is the daemon's own cost per call."
	echo "  Their goal is physical: the limit is what ipcfs ÷ floor would be if the daemon added only the native operation"
	echo "  and the native check it makes before it (one MSG_STAT_ANY or SEM_STAT_ANY; POSIX files are checked at open),"
	echo "  floor ÷ (floor + operation + check) as times per call, run by run; met when the median ratio is within 0.03 of it."
	echo "- \`data\` rows: read-only opens are FUSE passthrough (the kernel reads the object's own memory file); opens that"
	echo "  write go through the daemon, which keeps data's rules (EFBIG, nothing written past the end, a segment's size"
	echo "  fixed), so the write rows are the FUSE floor's, not tmpfs's.  mmap of \`data\` maps the object itself."
	echo "- N counts every object ipcfs listed, including other users'; \`ipcs\` and the floor list the same N."
	fi
	echo "- Poll rows: each figure is the median of $POLL_N wake-ups, the send 2-12 ms after the waiter began (at random)."
	echo "  The daemon's CPU while $(commas "$POLL_IDLE") queue files were polled (epoll) and nothing happened:"
	echo "  $(cell pollcpu.many) % of one CPU; with nobody polling: $(cell pollcpu.idle) %."
	for n in "${NOTES[@]}"; do echo "- $n"; done
	if grep -Eq 'AddressSanitizer|runtime error|Segmentation|Aborted' "$MNT.log" 2>/dev/null; then
		echo "- the ipcfs daemon log shows errors:"
		grep -E 'AddressSanitizer|runtime error|Segmentation|Aborted' "$MNT.log" | head -5 | sed 's/^/    /'
	fi
} | tee "$BIN/results.md"
