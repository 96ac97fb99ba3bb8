# SPDX-License-Identifier: GPL-2.0-or-later
# lib.sh - shared by the integration tests (tests/integration/*.sh).
#
# A test script sources this, mounts a private ipcfs, defines test_*
# functions and ends with `run_tests`.  Each test_* runs in its own
# subshell; it fails by returning non-zero (the assert_* helpers print why).
#
#   . "$(dirname "$0")/../lib.sh"
#   keyrange 0x1fc501     # this script's own keys: 0x1fc50100..0x1fc501ff
#   ipcfs_mount           # $MNT, daemon log in $LOG, unmounted at exit
#   test_example() { id=$(shm_new 4096); assert_eq 4096 "$(cat $MNT/shm/$id/size)"; }
#   run_tests
#
# Everything a script creates is removed at exit, pass or fail: objects in
# its key range and the ids it tracked, its mounts and the processes it
# started (by pid).  It never touches other objects.  Tests run in
# subshells, so what must be cleaned up is recorded in files under $WORK.

set -u
TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$TESTS_DIR/.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
IPCFS=$BUILD/ipcfs
SCRIPT=$(basename "$0" .sh)
WORK=$(mktemp -d "/tmp/ipcfs-$SCRIPT.XXXXXX")
chmod 755 "$WORK"
MNT=""
LOG=""
KEYPFX=""
PASS=0
FAIL=0
SKIP=0
NUM=0
NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups"
# The native programs the tests use on the other side (tests/helpers).
SHMTOOL=$BUILD/shmtool
SEMTOOL=$BUILD/semtool
MQTOOL=$BUILD/mqtool

# HANG: the seconds after which a wait counts as a hang.  Every wait for a
# condition (until_true, eventually_eq, until_ended, the mount and
# namespace waits) ends at this bound, and only there: it catches a hang
# and never decides whether behaviour was right, so it is far above what
# the slowest machine needs under load (a quiet run waits for
# milliseconds).  A test never waits for time instead of a condition.
HANG=${TEST_HANG:-60}

# keyrange 0xPPPPPP: this script owns keys 0xPPPPPP00..0xPPPPPPff.  What
# is found there at the start was left by an earlier run of this script
# that was killed before its teardown (a stopped session, a CI timeout):
# it is removed, and said, so that this run's creations do not fail with
# EEXIST.  Every script has a range of its own (tests/integration/runner.sh
# checks that no two share one).
keyrange() {
	local n
	KEYPFX=${1#0x}
	n=$(keyed_objects | wc -l)
	[ "$n" -eq 0 ] && return 0
	echo "# $SCRIPT: removing $n objects an earlier, killed run left in keys 0x${KEYPFX}xx"
	cleanup_keyed
}

# keyed_objects: "FLAG ID" of each object in this script's key range.
keyed_objects() {
	local kind
	for kind in m s q; do
		ipcs -$kind 2>/dev/null | awk -v p="0x$KEYPFX" -v k=$kind \
			'tolower(substr($1,1,8)) == tolower(p) {print k, $2}'
	done
}
cleanup_keyed() {
	keyed_objects | while read -r kind id; do ipcrm -$kind "$id" 2>/dev/null; done
}
# key N: the Nth key of the range, as 0x%08x.
key() { printf '0x%s%02x' "$KEYPFX" "$1"; }

track_shm() { echo "$1" >>"$WORK/track.shm"; }
# track_pshm NAME: remove /dev/shm/NAME at exit (names may hold any byte).
track_pshm() { printf '%s\0' "$1" >>"$WORK/track.pshm"; }
# pshm_prefix PREFIX: this script names its POSIX objects PREFIX...; what
# is found with it at the start was left by an earlier, killed run, as for
# keyrange, and is removed.
pshm_prefix() {
	local f
	for f in "/dev/shm/$1"*; do
		[ -e "$f" ] || continue
		echo "# $SCRIPT: removing $f, left by an earlier, killed run"
		rm -f -- "$f"
	done
}
# track_psem NAME: remove the POSIX semaphore NAME (/dev/shm/sem.NAME) at exit.
track_psem() { track_pshm "sem.$1"; }
# track_pmq NAME: mq_unlink NAME at exit (recorded as hex: names hold
# any byte).
track_pmq() {
	printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n' >>"$WORK/track.pmq"
	echo >>"$WORK/track.pmq"
}
# pmq_cleanup: unlink every queue recorded so far.
pmq_cleanup() {
	local h
	[ -e "$WORK/track.pmq" ] || return 0
	while read -r h; do "$BUILD/pmqtool" unlink-hex "$h" 2>/dev/null; done <"$WORK/track.pmq"
	return 0
}
# in_mqueue CMD...: CMD in a mount namespace of its own where the IPC
# namespace's mqueue filesystem is mounted on $WORK/mq (gone after): the
# native view of POSIX queues, where none is mounted.
in_mqueue() {
	mkdir -p "$WORK/mq"
	unshare --mount --propagation private sh -c 'mount -t mqueue none "$0" && exec "$@"' "$WORK/mq" "$@"
}
# pmq_prefix PREFIX: as pshm_prefix, for POSIX queues.
pmq_prefix() {
	in_mqueue sh -c 'for f in "$0/$1"*; do
			[ -e "$f" ] || continue
			echo "# $2: removing the queue ${f##*/}, left by an earlier, killed run"
			rm -f -- "$f"
		done' "$WORK/mq" "$1" "$SCRIPT"
}
track_sem() { echo "$1" >>"$WORK/track.sem"; }
track_mq() { echo "$1" >>"$WORK/track.mq"; }
track_pid() { echo "$1" >>"$WORK/track.pid"; }
# tracked KIND: the recorded lines (none when nothing was recorded).
tracked() { [ -e "$WORK/track.$1" ] && cat "$WORK/track.$1"; return 0; }

# Remove every object whose key is in our range (native ipcs listing, so
# it works even when the daemon is gone), and the tracked private ids.
cleanup_objects() {

	[ -n "$KEYPFX" ] || return 0
	cleanup_keyed
	tracked shm | while read -r id; do ipcrm -m "$id" 2>/dev/null; done
	tracked sem | while read -r id; do ipcrm -s "$id" 2>/dev/null; done
	tracked mq | while read -r id; do ipcrm -q "$id" 2>/dev/null; done
	if [ -e "$WORK/track.pshm" ]; then
		while IFS= read -r -d '' id; do rm -f -- "/dev/shm/$id"; done <"$WORK/track.pshm"
	fi
	pmq_cleanup
}

# IPCFS_VALGRIND=1: every daemon runs under valgrind (memcheck, leak
# check), its report in $WORK/valgrind.PID.log, checked by check_logs.
# Slow: for short scripts (tests/integration/leaks.sh sets it itself).
# tests/valgrind/stat_any.c (build/vgshim.so) tells valgrind what the
# kernel's *_STAT_ANY calls write, which it does not know by itself.
valgrind_wrap() {
	echo "env LD_PRELOAD=$BUILD/vgshim.so valgrind --leak-check=full --show-leak-kinds=definite" \
		"--errors-for-leak-kinds=definite --error-exitcode=99 --log-file=$WORK/valgrind.%p.log"
}

# ipcfs_mount [ipcfs options...]: mount at a new directory; sets MNT, LOG.
# With IPCFS_LEADER=1 the daemon is started as systemd starts it: the
# leader of a session of its own, with no controlling terminal (setsid;
# check it with is_lone_leader).
ipcfs_mount() {
	local n pid lead=
	require_fuse_root
	n=$(tracked mount | wc -l)
	MNT=$WORK/mnt$n
	LOG=$WORK/daemon$n.log
	mkdir -p "$MNT"
	chmod 755 "$MNT"
	# No inherited stdout: a test's $(...) would wait for the daemon.
	local wrap=${IPCFS_WRAP:-}
	[ -n "${IPCFS_VALGRIND:-}" ] && wrap=$(valgrind_wrap)
	# (setsid execs in place: a script's background job leads no group.)
	[ -n "${IPCFS_LEADER:-}" ] && lead=setsid
	$lead $wrap "$IPCFS" -f "$@" "$MNT" </dev/null >>"$LOG" 2>&1 &
	pid=$!
	echo "$pid" >>"$WORK/track.daemon"
	echo "$pid" >"$MNT.pid"
	echo "$MNT" >>"$WORK/track.mount"
	# Up, or the daemon gave up (a bad option, no /dev/fuse).
	until_true up_or_ended "$MNT" "$pid" || return 1
	mountpoint -q "$MNT" && return 0
	echo "# mount failed: $(cat "$LOG")"
	return 1
}

# up_or_ended DIR PID: DIR is mounted, or its daemon PID has ended.
up_or_ended() { mountpoint -q "$1" || ended "$2"; }

# mount_pid: the pid of the daemon serving $MNT.
mount_pid() { cat "$MNT.pid"; }

# stat_field PID N: field N of /proc/PID/stat (1-based, as proc(5) counts;
# the command, which may hold blanks, is skipped over).
stat_field() { sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | awk -v n="$2" '{print $(n - 2)}'; }
# is_lone_leader PID: PID leads its own session and has no controlling
# terminal (tty_nr 0), as a daemon systemd started.
is_lone_leader() { [ "$(stat_field "$1" 6)" = "$1" ] && [ "$(stat_field "$1" 7)" = 0 ]; }

# track_mount DIR: a mount made another way (mount(8)), unmounted at exit.
track_mount() { echo "$1" >>"$WORK/track.mount"; }

# is_mounted DIR: a mount at DIR, even a dead one (whose daemon died:
# mountpoint(1) cannot stat it and says no).
is_mounted() { awk -v m="$1" '$2 == m {f = 1} END {exit !f}' /proc/mounts; }

# Unmounted, each daemon exits and only then writes what its checker
# (valgrind, ASan's leak check) found: it is waited for, as long as it
# takes (the bound catches a hang), and killed only after that.
ipcfs_umount_all() {
	local m p i
	tracked mount | while read -r m; do
		# A new daemon may have been stacked on a dead one: all of them.
		for i in 1 2 3; do
			is_mounted "$m" || break
			fusermount3 -u "$m" 2>/dev/null || fusermount3 -uz "$m"
		done
	done
	tracked daemon | while read -r p; do
		until_ended "$p" >/dev/null || echo "# daemon $p did not exit after the unmount: killed"
		kill -9 "$p" 2>/dev/null
	done
	rm -f "$WORK/track.mount" "$WORK/track.daemon"
}

# The daemon logs must show no sanitizer report and no crash; under
# valgrind, its reports no error and no leak.
check_logs() {
	local l bad=0
	for l in "$WORK"/daemon*.log; do
		[ -e "$l" ] || continue
		if grep -Eq 'AddressSanitizer|LeakSanitizer|runtime error:|Segmentation|Aborted|assertion' "$l"; then
			echo "# daemon log $l shows errors:"
			sed 's/^/#   /' "$l" | head -40
			bad=1
		fi
	done
	for l in "$WORK"/valgrind.*.log; do
		[ -e "$l" ] || continue
		if ! grep -q 'ERROR SUMMARY: 0 errors' "$l" || grep -Eq 'definitely lost: [1-9]' "$l"; then
			echo "# valgrind report $l shows errors or leaks (or is incomplete):"
			grep -E 'ERROR SUMMARY|definitely lost|indirectly lost|Invalid|uninitialised|at 0x|by 0x' "$l" |
				sed 's/^/#   /' | head -40
			bad=1
		fi
	done
	return $bad
}

teardown() {
	local p rc=$?
	tracked pid | while read -r p; do kill -9 "$p" 2>/dev/null; done
	ipcfs_umount_all
	cleanup_objects
	if ! check_logs; then
		FAIL=$((FAIL + 1))
		echo "not ok - $SCRIPT: daemon log clean"
	fi
	rm -rf "$WORK"
	echo "# $SCRIPT: $PASS passed, $FAIL failed, $SKIP skipped"
	echo "RESULT $PASS $FAIL $SKIP" >>"${RESULTS:-/dev/null}"
	# The exit status tells the runner too: 77 skipped as a whole, any
	# other non-zero failed (whatever was counted), 0 only when no test failed.
	if [ -n "${TESTS_RAN:-}" ]; then
		rc=0
		[ $FAIL -gt 0 ] && rc=1
	elif [ $rc -eq 0 ]; then
		# It ended before run_tests (an `exit 0` too early): nothing was
		# tested, which is no pass.
		echo "not ok - $SCRIPT: the script ended before it ran its tests"
		rc=1
	fi
	exit $rc
}
trap teardown EXIT
trap 'exit 130' INT TERM

# ---- assertions: print why and return 1 ----
#
# A failed assertion also leaves a mark that run_tests reads: a test fails
# when any of its assertions failed, even one whose status the test did not
# return (an assert_eq on a line of its own, not the test's last).

# asserted_wrong: the mark (a file in $WORK, so that it crosses subshells).
asserted_wrong() { : >"$WORK/assert-failed"; return 1; }

assert_eq() { # EXPECTED ACTUAL [WHAT]
	if [ "$1" != "$2" ]; then
		printf '# %s: expected [%s], got [%s]\n' "${3:-value}" "$1" "$2"
		asserted_wrong
	fi
}

# eventually_eq EXPECTED WHAT CMD...: CMD prints EXPECTED, at once or
# after a while (HANG at most).  For what follows a close(2): FUSE sends
# the release after close returns.
eventually_eq() {
	local want=$1 what=$2 got end=$((SECONDS + HANG)) n=0
	shift 2
	while :; do
		# The output decides, not the status: `grep -c` says 0 and fails.
		got=$("$@" 2>&1)
		[ "$got" = "$want" ] && return 0
		[ $SECONDS -lt $end ] || break
		poll_pause
	done
	assert_eq "$want" "$got" "$what (after $HANG s)"
}

assert_match() { # REGEX ACTUAL [WHAT]
	# A here-string, not a pipe: grep -q may stop reading early, and
	# under pipefail the writer's SIGPIPE would fail the assertion.
	if ! grep -Eq -- "$1" <<<"$2"; then
		printf '# %s: [%s] does not match /%s/\n' "${3:-value}" "$2" "$1"
		asserted_wrong
	fi
}

# assert_fails "Permission denied" CMD...: CMD fails and says that.
assert_fails() {
	local want=$1 out
	shift
	if out=$("$@" 2>&1); then
		printf '# expected failure (%s) from: %s\n#   but it succeeded: %s\n' "$want" "$*" "$out"
		asserted_wrong
	fi
	if ! printf '%s' "$out" | grep -q -- "$want"; then
		printf '# expected "%s" from: %s\n#   got: %s\n' "$want" "$*" "$out"
		asserted_wrong
	fi
}

assert_ok() { # CMD...: CMD succeeds
	local out
	if ! out=$("$@" 2>&1); then
		printf '# command failed: %s\n#   %s\n' "$*" "$out"
		asserted_wrong
	fi
}

# The daemon still answers.
assert_alive() {
	local p
	for p in $(tracked daemon); do
		kill -0 "$p" 2>/dev/null || { echo "# daemon $p died"; asserted_wrong; return; }
	done
	ls "$MNT" >/dev/null || { echo "# mount does not answer"; asserted_wrong; }
}

# skip_script REASON: this whole script cannot run on this machine (exit
# 77, shown as skipped with the reason).  Only for what the machine lacks.
skip_script() {
	echo "# SKIP $SCRIPT: $*"
	echo "$*" >"${RESULTS:-/dev/null}.skip" 2>/dev/null
	exit 77
}

# Every integration script mounts a filesystem and makes IPC objects as
# root: without root or /dev/fuse none of it can run.
require_fuse_root() {
	[ "$(id -u)" -eq 0 ] || skip_script "needs root (it mounts and acts as other users)"
	[ -c /dev/fuse ] || skip_script "no /dev/fuse on this machine"
	command -v fusermount3 >/dev/null || skip_script "fusermount3 is not installed (tools/deps.sh)"
}

# ---- waiting for a condition ----

# until_true CMD...: retry CMD until it succeeds; fails (saying so) after
# HANG seconds.
until_true() {
	local end=$((SECONDS + HANG)) n=0
	until "$@"; do
		[ $SECONDS -lt $end ] || { echo "# no success in $HANG s (a hang): $*"; return 1; }
		poll_pause
	done
}
# poll_pause: the pause between two looks at a condition, 10 ms for the
# first few (most conditions hold at once or nearly), then 50 ms.  Uses
# and counts the caller's local n.
poll_pause() {
	n=$((n + 1))
	if [ "$n" -le 10 ]; then sleep 0.01; else sleep 0.05; fi
}
# Has process PID ended (gone, or a zombie not yet reaped)?
ended() {
	local st
	read -r st 2>/dev/null <"/proc/$1/stat" || return 0
	st=${st##*) }
	[ "${st%% *}" = Z ]
}
# until_ended PID...: wait until every PID has ended; after HANG seconds,
# say what each one left is doing (state, kernel function) and fail.
until_ended() {
	local p end=$((SECONDS + HANG)) n=0
	for p in "$@"; do
		until ended "$p"; do
			if [ $SECONDS -ge $end ]; then
				for p in "$@"; do
					ended "$p" || echo "# still running after $HANG s: $(ps -o pid=,stat=,wchan:24=,args= -p "$p" | cut -c1-150)"
				done
				return 1
			fi
			poll_pause
		done
	done
}
# clock_past SECONDS: the clock is past that second (a change made now
# shows in a time in seconds).
clock_past() { [ "$(date +%s)" -gt "$1" ]; }
# The checks below read /proc with bash's own read: they are polled, and
# must cost no process each.
# sleeping PID: PID is asleep (state S: blocked, e.g. in a read of ours).
sleeping() {
	local st
	read -r st 2>/dev/null <"/proc/$1/stat" || return 1
	st=${st##*) }
	[ "${st%% *}" = S ]
}
# sleeps_in PID REGEX: PID (a process, or a thread: PID/task/TID) is asleep
# in a kernel function matching REGEX (its wchan: do_msgrcv,
# __do_semtimedop, wq_sleep for a POSIX queue, do_epoll_wait ...).
sleeps_in() {
	local w=
	sleeping "$1" || return 1
	read -r w 2>/dev/null <"/proc/$1/wchan"
	[[ $w =~ $2 ]]
}
# on_mount PID: PID is asleep in a request to a FUSE daemon, waiting for
# its answer.
on_mount() { sleeps_in "$1" '^request_wait_answer$|^fuse_'; }
# daemon_sleeping REGEX: how many threads of $MNT's daemon are asleep in a
# kernel function matching REGEX (its waits for a client: msgrcv, semop,
# mq_receive ...).  In $DAEMON_SLEEPING, not printed: it is polled.
daemon_sleeping() {
	local t d
	DAEMON_SLEEPING=0
	read -r d <"$MNT.pid" || return 1
	for t in /proc/"$d"/task/*; do
		sleeps_in "${t#/proc/}" "$1" && DAEMON_SLEEPING=$((DAEMON_SLEEPING + 1))
	done
	return 0
}
# blocked PID REGEX [N]: PID waits on the mount for an operation the daemon
# is blocked in: PID asleep in its request, and at least N (default 1) of
# the daemon's threads asleep in a kernel function matching REGEX.  This
# proves a wait: an operation that would not block ends instead, however
# slow the machine.  (N counts this test's waiters of that kind: the
# daemon's idle threads sleep elsewhere.)
blocked() { on_mount "$1" && daemon_sleeping "$2" && [ "$DAEMON_SLEEPING" -ge "${3:-1}" ]; }
# daemon_done REGEX: none of the daemon's threads waits in REGEX any more
# (the waits of clients that ended are over: what they did is done).
daemon_done() { daemon_sleeping "$1" && [ "$DAEMON_SLEEPING" = 0 ]; }
# The kernel functions the daemon waits in, by operation.
W_MSGRCV='msgrcv$'
W_MSGSND='msgsnd$'
W_SEMOP='semtimedop$'
W_PMQ='^wq_sleep$'
W_POLL='^poll_schedule_timeout|^do_epoll_wait$|^do_select$'

skip() { # REASON: end this test as skipped
	echo "SKIP: $*"
	exit 77
}

# ---- the runner ----

run_tests() {
	local t rc out
	for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
		[ -n "${ONLY:-}" ] && [[ $t != *"$ONLY"* ]] && continue
		NUM=$((NUM + 1))
		rm -f "$WORK/assert-failed"
		out=$(cd "$WORK" && (set -o pipefail; "$t") 2>&1)
		rc=$?
		if [ $rc -eq 0 ] && [ -e "$WORK/assert-failed" ]; then
			rc=1
			out="$out
# an assertion above failed, though the test went on and returned 0"
		fi
		if [ $rc -eq 0 ]; then
			PASS=$((PASS + 1))
			echo "ok $NUM - $SCRIPT: ${t#test_}"
		elif [ $rc -eq 77 ]; then
			SKIP=$((SKIP + 1))
			echo "ok $NUM - $SCRIPT: ${t#test_} # SKIP $(printf '%s' "$out" | grep -m1 '^SKIP:' | cut -c7-)"
		else
			FAIL=$((FAIL + 1))
			echo "not ok $NUM - $SCRIPT: ${t#test_}"
			printf '%s\n' "$out" | sed 's/^/#   /' | tail -30
		fi
	done
	TESTS_RAN=1
}

# ---- shared by several scripts ----

# figure TEXT: a measured figure, shown in the output whether the test
# passes or not (a passing test's own output is not shown).
exec {FIGURES}>&1
figure() { echo "# figure: $*" >&"$FIGURES"; }

# bg OUT CMD...: run CMD in the background, its output to the file OUT
# (never the test's own stdout, which run_tests reads to its end: a process
# left behind would hold it); its pid tracked and in $BG.
bg() {
	local out=$1
	shift
	"$@" </dev/null >"$out" 2>&1 &
	BG=$!
	track_pid "$BG"
}

# field FILE WORD: the number after WORD in the last line of FILE that has
# it (a stresstool summary line).
field() { awk -v w="$2" '{for (i = 1; i < NF; i++) if ($i == w) print $(i + 1)}' "$1" | tail -1; }

# Objects with our Nth key, made natively; each prints its id.
shm_mk() { "$SHMTOOL" create "$(key "$1")" "$2" "${3:-600}"; }	# N SIZE [MODE]
sem_mk() { "$SEMTOOL" create "$(key "$1")" "$2" "${3:-600}"; }	# N NSEMS [MODE]
mq_mk() { "$MQTOOL" create "$(key "$1")" "${2:-600}"; }	# N [MODE]
# qnum ID: the messages in queue ID; qnum_is ID N: there are N.
qnum() { "$MQTOOL" count "$1"; }
qnum_is() { [ "$(qnum "$1")" = "$2" ]; }
# ncnt_is ID NUM N, zcnt_is ID NUM N: N processes wait on semaphore NUM of
# set ID to decrease it, to see it zero (the kernel's count, semctl GETNCNT).
ncnt_is() { [ "$("$SEMTOOL" ncnt "$1" "$2")" = "$3" ]; }
zcnt_is() { [ "$("$SEMTOOL" zcnt "$1" "$2")" = "$3" ]; }

# The killable reader of a queue file (mqtool reader, System V or POSIX):
# stopped by SIGTERM, a read(2) either returns a message, which it logs
# before anything else, or fails with EINTR.  So a reader stopped this way
# never loses a message by itself.
# reader_start OUT FILE LOG [SIZE]: one, reading FILE in reads of SIZE,
# logging to LOG, its output in OUT ("ready" once FILE is open, and
# nothing else: an error); returns once it is ready, its pid in $READER.
reader_start() {
	bg "$1" "$MQTOOL" reader "$2" "$3" "${4:-65536}"
	READER=$BG
	until_true grep -q '^ready$' "$1"
}
# ctrl_c SCRIPT COND...: `sh -c SCRIPT` (a write that blocks) in the
# background, sent SIGINT once COND holds (the write waits in the daemon),
# as Ctrl-C would; true when it then ended failing.  (A script's
# background jobs ignore SIGINT: env gives it back.)
ctrl_c() {
	local script=$1
	shift
	bg "$WORK/ctrl_c.out" env --default-signal=INT sh -c "$script"
	until_true "$@" || return 1
	kill -INT "$BG"
	until_ended "$BG" || return 1
	! wait "$BG"
}

# kill_blocked SIG REGEX CMD...: CMD in the background, sent SIG once it is
# blocked (blocked PID REGEX: a read or write waiting in the daemon), and
# waited for.
kill_blocked() {
	local sig=$1 w=$2
	shift 2
	bg "$WORK/kill_blocked.out" "$@"
	until_true blocked "$BG" "$w" || return 1
	kill -"$sig" "$BG"
	until_ended "$BG"
}

# term_ended PID: send SIGTERM; has it ended?  (For until_true: a TERM
# that came before its read() began does not end that read.)
term_ended() { kill -TERM "$1" 2>/dev/null; ended "$1"; }

# ns_of PID: the inode of PID's IPC namespace (its name under ns/).
ns_of() { stat -L -c %i "/proc/$1/ns/ipc"; }
# rss_of PID: its resident memory, KiB.
rss_of() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
# Under a sanitizer or valgrind memory figures mean nothing and
# everything is slower.
sanitized() { [[ $BUILD == *asan* ]] || [ -n "${IPCFS_VALGRIND:-}" ]; }

# ipc_ns_new: a private IPC namespace for this script, held by a sleeping
# process (tracked, so killed at exit); sets NSPID.  Mount it with
# `ipcfs_mount -o ns=/proc/$NSPID/ns/ipc`, run native tools in it with
# `in_ns CMD...`.  Its objects vanish with it, and its limits (the
# kernel.shm*/msg*/sem sysctls are per namespace) are its own.
# `ipc_ns_new CMD...` runs CMD sleep 600 instead (CMD makes the namespace:
# `setpriv ... unshare -Ur --ipc` for a user's own).
ipc_ns_new() {
	[ $# -gt 0 ] || set -- unshare --ipc
	"$@" sleep 600 </dev/null >/dev/null 2>&1 &
	NSPID=$!
	track_pid "$NSPID"
	disown "$NSPID"	# killed at exit without a "Killed" job notice
	# Joined once unshare has exec'd sleep in the new namespace.
	until_true in_own_ns "$NSPID" || { echo "# could not make an IPC namespace ($*)"; return 1; }
}
# in_own_ns PID: PID (which starts as unshare) runs sleep in an IPC
# namespace other than ours.
in_own_ns() {
	[ "$(cat "/proc/$1/comm" 2>/dev/null)" = sleep ] &&
		[ "$(ns_of "$1" 2>/dev/null)" != "$(ns_of $$)" ]
}
in_ns() { nsenter -t "$NSPID" --ipc "$@"; }

# ipc_exists m|s|q ID: is there such an object (ipcs -i exits 0 either way)?
ipc_exists() { ipcs -"$1" | awk -v i="$2" '$2 == i {f = 1} END {exit !f}'; }
