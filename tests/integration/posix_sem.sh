#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# posix_sem.sh - POSIX named semaphores (posix/sem/NAME) through a real
# mount: what only they do (posts and waits, blocking, interruption,
# readiness, garbage in the sem_t); what every kind does alike is
# tree.sh's, kind psem.  Against tests/helpers/psemtool (glibc's sem_open, sem_wait,
# sem_post, sem_getvalue, sem_unlink) on the other side and the files in
# /dev/shm (ls, stat, open(2) as each caller) as the referee.  Debian
# packages no POSIX semaphore module for Python or Perl (apt-cache search
# posix ipc: none), so the native side is C only.
#
# Every semaphore made here is named ipcfs-test-psem-...; each is recorded
# when made and removed at exit, pass or fail, and what a killed earlier
# run left with that prefix is removed at the start.
. "$(dirname "$0")/../lib.sh"
keyrange 0x1fc5f3
PSEM=$BUILD/psemtool
POLLWAIT=$BUILD/pollwait
PFX=ipcfs-test-psem-
SHM=/dev/shm

# What an earlier, killed run left.
pshm_prefix "sem.$PFX"
pshm_prefix "$PFX"

ipcfs_mount || exit 1
D=$MNT/posix/sem

# mk NAME [VALUE] [MODE]: a semaphore made natively (sem_open O_CREAT|O_EXCL).
mk() {
	track_psem "$PFX$1"
	[ "$("$PSEM" create "$PFX$1" "${2:-0}" "${3:-600}")" = ok ] || { echo "# cannot create $1"; return 1; }
}
val() { "$PSEM" value "$PFX$1"; }
waiters_are() { [ "$("$PSEM" waiters "$PFX$1")" = "$2" ]; }
# holds N VALUE WAITERS: the semaphore has VALUE, and WAITERS wait on it.
holds() { [ "$(val "$1") $("$PSEM" waiters "$PFX$1")" = "$2 $3" ]; }

# ---- the tree against /dev/shm ----

# (info, stat, ls, mkdir, rmdir, chmod and chown against the file and
# sem_getvalue, and a semaphore removed natively: tree.sh, [psem].)

# value and waiters are the file's contents: for those who may read it,
# unlike the attributes; and only sem. files are semaphores.
test_value_is_for_readers_and_only_sem_files_are_listed() {
	local n=list
	mk $n 5 640 || return 1
	assert_fails "Permission denied" $NOBODY cat "$SHM/sem.$PFX$n" || return 1
	assert_fails "Permission denied" $NOBODY cat "$D/$PFX$n/waiters" || return 1
	assert_fails "Permission denied" $NOBODY cat "$D/$PFX$n/value" || return 1
	assert_eq 0640 "$($NOBODY cat "$D/$PFX$n/mode")" "mode for nobody" || return 1
	# Other files of /dev/shm (shm_open's, without the sem. prefix) are
	# not semaphores.
	: >"$SHM/${PFX}plain" || return 1
	ls "$D" | grep -q "plain" && { rm -f "$SHM/${PFX}plain"; echo "# a plain file listed"; return 1; }
	rm -f "$SHM/${PFX}plain"
}

# What mkdir makes is a semaphore as sem_open makes it, of value 0 (sized
# as a sem_t, taken by sem_open, its mode less the caller's umask), and an
# open value file lives on after rmdir as a sem_t after sem_unlink.
test_mkdir_makes_what_sem_open_makes() {
	local n=mk f
	f=$SHM/sem.$PFX$n
	track_psem "$PFX$n"
	mkdir -m 640 "$D/$PFX$n" || return 1
	assert_eq "640 32" "$(stat -c '%a %s' "$f")" "the file mkdir made" || return 1
	assert_eq 0 "$(val $n)" "sem_getvalue of the new semaphore" || return 1
	"$PSEM" post "$PFX$n" 2 || return 1
	assert_eq 2 "$(cat "$D/$PFX$n/value")" "value after 2 native posts" || return 1
	assert_eq "File exists" "$("$PSEM" create "$PFX$n" 0 600)" "sem_open O_EXCL of it" || return 1
	exec 3>"$D/$PFX$n/value" || return 1
	rmdir "$D/$PFX$n" || return 1
	[ ! -e "$f" ] || { echo "# file still there after rmdir"; return 1; }
	echo -2 >&3 || { echo "# the open file stopped working"; return 1; }
	exec 3>&-
	track_psem "$PFX$n.u"
	$NOBODY sh -c "umask 077; mkdir '$D/$PFX$n.u'" || return 1
	assert_eq "600 65534 65534" "$(stat -c '%a %u %g' "$SHM/sem.$PFX$n.u")" "nobody's mkdir, umask 077" || return 1
	$NOBODY "$PSEM" post "$PFX$n.u" || return 1
	assert_eq 1 "$($NOBODY cat "$D/$PFX$n.u/value")" "its value" || return 1
	$NOBODY rmdir "$D/$PFX$n.u" || return 1
	assert_alive
}

# ---- blocking: a native program and a shell release each other ----

test_program_blocked_in_sem_wait_is_released_by_echo() {
	local n=rel1
	mk $n 0 666 || return 1
	bg "$WORK/w.out" "$PSEM" wait "$PFX$n"
	until_true waiters_are $n 1 || { echo "# sem_wait not blocked"; return 1; }
	assert_eq 1 "$(cat "$D/$PFX$n/waiters")" "waiters file" || return 1
	echo +1 >"$D/$PFX$n/value" || return 1
	until_ended "$BG" || { echo "# sem_wait still blocked"; return 1; }
	wait "$BG" || return 1
	assert_eq done "$(cat "$WORK/w.out")" "program" || return 1
	assert_eq 0 "$(val $n)" "value"
}

test_shell_blocked_in_minus_n_is_released_by_sem_post() {
	local n=rel2
	mk $n 0 666 || return 1
	bg "$WORK/s.out" sh -c "echo -2 > '$D/$PFX$n/value' && echo released"
	until_true waiters_are $n 1 || { echo "# the write is not waiting"; return 1; }
	"$PSEM" post "$PFX$n" || return 1
	# The first post taken, and the write waits on for the second.
	until_true holds $n 0 1 || { echo "# the first post was not taken, or the write stopped waiting"; return 1; }
	ended "$BG" && { echo "# released by 1 post when it wanted 2"; return 1; }
	"$PSEM" post "$PFX$n" || return 1
	until_ended "$BG" || { echo "# shell still blocked"; return 1; }
	wait "$BG" || { echo "# $(cat "$WORK/s.out")"; return 1; }
	assert_eq released "$(cat "$WORK/s.out")" "shell" || return 1
	assert_eq "0 0" "$(val $n) $("$PSEM" waiters "$PFX$n")" "value and waiters"
}

test_posts_and_waits_interoperate_both_ways() {
	local n=io
	mk $n 0 600 || return 1
	echo +3 >"$D/$PFX$n/value" || return 1
	assert_eq 3 "$(val $n)" "sem_getvalue after +3" || return 1
	"$PSEM" post "$PFX$n" 4 || return 1
	assert_eq 7 "$(cat "$D/$PFX$n/value")" "value after 4 sem_post" || return 1
	echo -5 >"$D/$PFX$n/value" || return 1
	assert_eq done "$("$PSEM" wait "$PFX$n")" "a native sem_wait of the rest" || return 1
	assert_eq done "$("$PSEM" wait "$PFX$n")" "and the last" || return 1
	assert_eq "Resource temporarily unavailable" "$("$PSEM" wait "$PFX$n" nonblock)" "empty" || return 1
	# Writes with surrounding blanks; +0 and -0 change nothing.
	printf ' +2 \n' >"$D/$PFX$n/value" && echo +0 >"$D/$PFX$n/value" && echo -0 >"$D/$PFX$n/value" || return 1
	assert_eq 2 "$(val $n)" "after ' +2 ', +0, -0"
}

# ---- interruption and O_NONBLOCK: nothing taken ----

test_interrupted_minus_n_takes_nothing() {
	local n=intr
	mk $n 2 666 || return 1
	# Ctrl-C on a shell waiting for 3, once it has taken the 2 there are
	# and waits.
	ctrl_c "echo -3 > '$D/$PFX$n/value'" holds $n 0 1 || { echo "# the interrupted write succeeded"; return 1; }
	assert_eq 2 "$(val $n)" "value after Ctrl-C (the 2 taken are back)" || return 1
	until_true waiters_are $n 0 || return 1
	# A program that handles SIGINT lives on: its write says EINTR.
	bg "$WORK/h.out" "$PSEM" write "$D/$PFX$n/value" -3 handler
	until_true waiters_are $n 1 || { echo "# not waiting"; return 1; }
	kill -INT "$BG"
	until_ended "$BG" || { echo "# still blocked after SIGINT"; return 1; }
	wait "$BG"
	assert_eq 1 $? "exit status of the handling program" || return 1
	assert_eq "Interrupted system call" "$(grep -v caught "$WORK/h.out")" "its error" || return 1
	assert_eq "2 0" "$(val $n) $("$PSEM" waiters "$PFX$n")" "value and waiters after EINTR" || return 1
	echo -2 >"$D/$PFX$n/value" || return 1
	assert_eq 0 "$(val $n)" "a later -2"
}

# Each round a writer of -N is killed (or interrupted) once the daemon
# has taken N-1 and waits for the last, and right after that one more is
# posted natively.  A writer that never heard of its wait must have taken
# nothing: the N-1 posted back, the last post still there.  A writer
# interrupted after its wait completed heard of it (its write succeeded):
# then all N are gone, fairly.
test_killed_and_interrupted_waiters_take_nothing() {
	local n=kill out f
	f=$D/$PFX$n/value
	mk $n 0 666 || return 1
	out=$("$PSEM" killwait "$f" "$PFX$n" 300 1 KILL)
	figure "posix sem: killed blocked -1, then a post: $out"
	assert_eq "rounds 300 lost 0" "$out" "killed -1" || return 1
	out=$("$PSEM" killwait "$f" "$PFX$n" 200 3 KILL)
	figure "posix sem: killed -3 holding 2, then a post: $out"
	assert_eq "rounds 200 lost 0" "$out" "killed -3" || return 1
	out=$("$PSEM" killwait "$f" "$PFX$n" 200 3 INT)
	figure "posix sem: SIGINT (handled) on -3 holding 2, then a post every other round: $out"
	assert_match "^rounds 200 lost 0 eintr [0-9]+ ok [0-9]+$" "$out" "interrupted -3" || return 1
	assert_alive
}

test_nonblock_gives_eagain_and_takes_nothing() {
	local n=nb
	mk $n 0 666 || return 1
	assert_eq "Resource temporarily unavailable" \
		"$("$PSEM" write "$D/$PFX$n/value" -1 nonblock)" "-1 on 0 with O_NONBLOCK" || return 1
	"$PSEM" post "$PFX$n" 2 || return 1
	assert_eq "Resource temporarily unavailable" \
		"$("$PSEM" write "$D/$PFX$n/value" -3 nonblock)" "-3 on 2 with O_NONBLOCK" || return 1
	assert_eq "2 0" "$(val $n) $("$PSEM" waiters "$PFX$n")" "value and waiters" || return 1
	assert_eq ok "$("$PSEM" write "$D/$PFX$n/value" -2 nonblock)" "-2 on 2" || return 1
	assert_eq 0 "$(val $n)" "value after it"
}

test_bad_input_fails_and_changes_nothing() {
	local n=bad t
	mk $n 3 666 || return 1
	for t in 5 abc + -- --1 +1x "+ 1" zero "1 2" "+1
+1"; do
		assert_eq "Invalid argument" "$("$PSEM" write "$D/$PFX$n/value" "$t")" "writing [$t]" || return 1
	done
	assert_eq "Numerical result out of range" "$("$PSEM" write "$D/$PFX$n/value" +2147483648)" \
		"+2^31" || return 1
	assert_eq "Invalid argument" "$(printf -- '+1\0' | dd of="$D/$PFX$n/value" status=none 2>&1 >/dev/null |
		sed 's/.*: //')" "a NUL byte" || return 1
	assert_eq 3 "$(val $n)" "value after bad writes" || return 1
	# Past SEM_VALUE_MAX: what sem_post says (EOVERFLOW), nothing posted.
	mk $n.max 2147483646 666 || return 1
	assert_eq "Value too large for defined data type" \
		"$("$PSEM" write "$D/$PFX$n.max/value" +2)" "+2 at SEM_VALUE_MAX-1" || return 1
	assert_eq 2147483646 "$(val $n.max)" "value after it" || return 1
	echo +1 >"$D/$PFX$n.max/value" || return 1
	assert_eq 2147483647 "$(val $n.max)" "+1 reaches SEM_VALUE_MAX" || return 1
	assert_eq "Value too large for defined data type" "$("$PSEM" write "$D/$PFX$n.max/value" +1)" \
		"+1 past it" || return 1
	assert_fails "Value too large" "$PSEM" post "$PFX$n.max" || return 1
	assert_alive
}

# (Odd names, the longest and one byte more, and the permission matrix
# by caller, owner and mode: tree.sh, [psem].)

# A right checked at open, as sem_open's: an open value file keeps
# working after a chmod 000 (a program's mapping does too), and a new
# open is refused.
test_rights_are_taken_at_open() {
	local n=perm
	mk $n 0 666 || return 1
	exec 3>"$D/$PFX$n/value" || return 1
	chmod 000 "$SHM/sem.$PFX$n" || return 1
	echo +1 >&3 || { echo "# the open file was cut off"; return 1; }
	exec 3>&-
	assert_fails "Permission denied" $NOBODY sh -c "echo +1 > '$D/$PFX$n/value'" || return 1
	assert_eq 1 "$(val $n)" "value"
}

# ---- readiness ----

test_poll_says_when_a_wait_would_not_block() {
	local n=poll
	mk $n 0 666 || return 1
	assert_eq "waiting
timeout" "$("$POLLWAIT" -t 200 "$D/$PFX$n/value:in")" "poll on value 0" || return 1
	bg "$WORK/p.out" "$POLLWAIT" -t $((HANG * 1000)) "$D/$PFX$n/value:in"
	until_true grep -q waiting "$WORK/p.out" || return 1
	until_true sleeps_in "$BG" "$W_POLL" || return 1
	"$PSEM" post "$PFX$n" || return 1
	until_ended "$BG" || { echo "# poll not woken by sem_post"; return 1; }
	assert_eq "waiting
0:in" "$(cat "$WORK/p.out")" "poll after a post" || return 1
	assert_eq "waiting
0:out" "$("$POLLWAIT" -t 200 "$D/$PFX$n/value:out")" "POLLOUT" || return 1
	assert_eq 1 "$(val $n)" "value untouched by poll"
}

# ---- what the daemon must survive: bytes written by others ----

# The sem_t is in a file its writers may write at will.  glibc's sem_post
# aborts the process ("The futex facility returned an unexpected error
# code") when the futex call made from the sem_t's `private` word fails:
# with a waiter counted and private 0x7f, as below, FUTEX_WAKE becomes an
# operation that does not exist.  And a mapping of a file shrunk to 0
# faults with SIGBUS.  Neither may take the daemon down (a daemon calling
# glibc's sem_post, or not guarding its accesses, fails this test).
test_garbage_and_shrunk_semaphores_do_not_kill_the_daemon() {
	local n=junk f
	f=$SHM/sem.$PFX$n
	mk $n 0 666 || return 1
	# data = 0 | 1 waiter << 32, private = 0x7f.
	printf '\x00\x00\x00\x00\x01\x00\x00\x00\x7f\x00\x00\x00' |
		dd of="$f" conv=notrunc status=none || return 1
	echo +1 >"$D/$PFX$n/value" || { echo "# post on a garbage sem_t failed"; return 1; }
	assert_alive || return 1
	assert_eq 1 "$(cat "$D/$PFX$n/value")" "value" || return 1
	# Shrunk to nothing under open files: a waiter and a reader fail with
	# EIDRM, the daemon lives.
	echo -1 >"$D/$PFX$n/value" || return 1
	bg "$WORK/j.out" "$PSEM" write "$D/$PFX$n/value" -1 handler
	until_true waiters_are $n 2 || { echo "# not waiting"; return 1; }
	exec 3<"$D/$PFX$n/value" || return 1
	truncate -s 0 "$f" || return 1
	kill -INT "$BG"
	until_ended "$BG" || { echo "# still blocked"; return 1; }
	assert_eq "Identifier removed" "$(grep -v caught "$WORK/j.out")" "the waiter" || return 1
	assert_fails "Identifier removed" cat <&3 || return 1
	exec 3<&-
	assert_fails "Invalid argument" cat "$D/$PFX$n/value" || return 1
	assert_alive
}

test_metrics_show_values_to_readers() {
	local n=met
	mk $n 4 600 || return 1
	assert_match "^ipcfs_posix_sem_value\{[^}]*name=\"$PFX$n\"[^}]*\} 4$" "$(grep "$PFX$n" "$MNT/metrics")" \
		"root's metrics" || return 1
	assert_match "^ipcfs_posix_sem_waiters\{[^}]*name=\"$PFX$n\"[^}]*\} 0$" "$(grep "$PFX$n" "$MNT/metrics")" || return 1
	$NOBODY grep -q "ipcfs_posix_sem_[a-z]*{.*name=\"$PFX$n\"" "$MNT/metrics" &&
		{ echo "# nobody sees a value it may not read"; return 1; }
	return 0
}

# ns=/proc/PID/ns/ipc: PID's /dev/shm (its mount namespace's), not ours.
test_ns_option_serves_that_process_dev_shm() {
	local pid n=${PFX}ns
	unshare --ipc --mount sh -c 'mount -t tmpfs tmpfs /dev/shm && exec sleep 600' </dev/null >/dev/null 2>&1 &
	pid=$!
	track_pid $pid
	until_true in_own_ns $pid || return 1
	ipcfs_mount -o ns=/proc/$pid/ns/ipc || return 1
	mkdir "$MNT/posix/sem/$n" || return 1
	[ -f "/proc/$pid/root/dev/shm/sem.$n" ] || { echo "# not in the namespace's /dev/shm"; return 1; }
	[ ! -e "$SHM/sem.$n" ] || { track_psem "$n"; echo "# made in ours"; return 1; }
	echo +2 >"$MNT/posix/sem/$n/value" || return 1
	assert_eq 2 "$(nsenter -t $pid -m "$PSEM" value "$n")" "sem_getvalue in there"
}

run_tests
