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
	return 0
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
	local n i pid lead=
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
	for i in $(seq 600); do
		mountpoint -q "$MNT" && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	echo "# mount failed: $(cat "$LOG")"
	return 1
}

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

ipcfs_umount_all() {
	local m p i wait=100
	# valgrind writes its report after the unmount: give it time.
	[ -n "${IPCFS_VALGRIND:-}" ] && wait=1200
	tracked mount | while read -r m; do
		# A new daemon may have been stacked on a dead one: all of them.
		for i in 1 2 3; do
			is_mounted "$m" || break
			fusermount3 -u "$m" 2>/dev/null || fusermount3 -uz "$m"
		done
	done
	tracked daemon | while read -r p; do
		for i in $(seq $wait); do kill -0 "$p" 2>/dev/null || break; sleep 0.05; done
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

# eventually_eq EXPECTED WHAT CMD...: CMD prints EXPECTED within 5 s.  For
# what follows a close(2): FUSE sends the release after close returns.
eventually_eq() {
	local want=$1 what=$2 got i
	shift 2
	for i in $(seq 100); do
		got=$("$@" 2>&1) && [ "$got" = "$want" ] && return 0
		sleep 0.05
	done
	assert_eq "$want" "$got" "$what"
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

# until_true CMD...: retry CMD for up to 10 s.
until_true() {
	local i
	for i in $(seq 200); do "$@" && return 0; sleep 0.05; done
	echo "# timed out waiting for: $*"
	return 1
}
# Has process PID ended (gone, or a zombie not yet reaped)?
ended() { [ ! -e "/proc/$1" ] || [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = Z ]; }
# Is process PID asleep (state S: blocked, e.g. in a read of ours)?
sleeping() { [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = S ]; }

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

# ipc_ns_new: a private IPC namespace for this script, held by a sleeping
# process (tracked, so killed at exit); sets NSPID.  Mount it with
# `ipcfs_mount -o ns=/proc/$NSPID/ns/ipc`, run native tools in it with
# `in_ns CMD...`.  Its objects vanish with it, and its limits (the
# kernel.shm*/msg*/sem sysctls are per namespace) are its own.
# `ipc_ns_new CMD...` runs CMD sleep 600 instead (CMD makes the namespace:
# `setpriv ... unshare -Ur --ipc` for a user's own).
ipc_ns_new() {
	local i
	[ $# -gt 0 ] || set -- unshare --ipc
	"$@" sleep 600 </dev/null >/dev/null 2>&1 &
	NSPID=$!
	track_pid "$NSPID"
	disown "$NSPID"	# killed at exit without a "Killed" job notice
	# Joined once unshare has exec'd sleep in the new namespace.
	for i in $(seq 100); do
		[ "$(readlink "/proc/$NSPID/ns/ipc" 2>/dev/null)" != "$(readlink /proc/self/ns/ipc)" ] &&
			[ "$(cat "/proc/$NSPID/comm" 2>/dev/null)" = sleep ] && return 0
		sleep 0.05
	done
	echo "# could not make an IPC namespace ($*)"
	return 1
}
in_ns() { nsenter -t "$NSPID" --ipc "$@"; }

# ipc_exists m|s|q ID: is there such an object (ipcs -i exits 0 either way)?
ipc_exists() { ipcs -"$1" | awk -v i="$2" '$2 == i {f = 1} END {exit !f}'; }
