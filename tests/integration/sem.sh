#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# sem.sh - semaphore sets through a real mount, against tests/helpers/semtool
# (plain semget/semop/semctl) on the other side and util-linux's ipcs as
# the referee.  Blocking writes are checked for what matters to a user:
# they block the writer only, a signal ends them with nothing changed,
# O_NONBLOCK turns them into EAGAIN, and removal wakes them.  What every
# kind does alike (names, mkdir, new, rmdir, chmod, chown, permissions,
# info, limits ...) is tested once for all of them in tree.sh.
#
# Error texts are checked through bash or semtool: dash (/bin/sh) reports
# every failed echo as "I/O error", whatever the errno.
. "$(dirname "$0")/../lib.sh"
keyrange 0x1fc5a0

ipcfs_mount || exit 1

# The total of one column of `semaphores` (3: ncnt, 4: zcnt).
column_sum() { awk -v c="$2" '{ s += $c } END { print s + 0 }' "$MNT/sem/$1/semaphores"; }
column_sum_is() { [ "$(column_sum "$1" "$2")" = "$3" ]; }
# still_waits ID NUM VALUE PID: semaphore NUM of set ID holds VALUE and
# the daemon's P for process PID still waits in the kernel (semncnt 1):
# what a semop that must not complete yet shows at once, since the
# kernel completes a waiting semop in the call that makes it possible.
still_waits() {
	assert_eq "$3 1" "$("$SEMTOOL" getval "$1" "$2") $("$SEMTOOL" ncnt "$1" "$2")" "value and waiters" &&
		! ended "$4"
}
# answers_while_waiting ID N WHAT CMD...: CMD answers while all N
# writers still wait on set ID (semncnt in all N): what the writers hold
# (a worker thread each) leaves the mount to the others.  Its time is a
# figure, not a verdict: a starved CMD would wait for ever.
answers_while_waiting() {
	local id=$1 n=$2 what=$3 t0
	shift 3
	t0=$(date +%s%N)
	timeout "$HANG" "$@" >/dev/null || { echo "# $what does not answer"; return 1; }
	figure "sem: $what answered in $((($(date +%s%N) - t0) / 1000000)) ms with $n writers waiting in the daemon"
	assert_eq "$n" "$(column_sum "$id" 3)" "writers still waiting after $what"
}

# ---- blocking: P, V and zero across the mount and a native program ----

test_program_blocked_in_p_is_released_by_echo() {
	local id
	id=$(sem_mk 1 1) || return 1
	bg "$WORK/p1.out" "$SEMTOOL" op "$id" 0 -1
	until_true ncnt_is "$id" 0 1 || { echo "# program not waiting"; return 1; }
	echo +1 >"$MNT/sem/$id/0" || return 1
	until_ended "$BG" || { echo "# program still blocked"; return 1; }
	wait "$BG" || return 1
	assert_eq done "$(cat "$WORK/p1.out")" "program output" || return 1
	assert_eq 0 "$("$SEMTOOL" getval "$id" 0)" "value after P and V"
}

test_shell_blocked_in_p_is_released_by_program() {
	local id
	id=$(sem_mk 2 1) || return 1
	bg "$WORK/p2.out" sh -c "echo -2 > '$MNT/sem/$id/0' && echo released"
	# Waiting: the daemon's P is in the kernel, for the shell.
	until_true ncnt_is "$id" 0 1 || { echo "# shell not waiting"; return 1; }
	ended "$BG" && { echo "# the write did not block"; return 1; }
	"$SEMTOOL" op "$id" 0 1 >/dev/null || return 1
	still_waits "$id" 0 1 "$BG" || { echo "# released by V 1 when it wanted 2"; return 1; }
	"$SEMTOOL" op "$id" 0 1 >/dev/null || return 1
	until_ended "$BG" || { echo "# shell still blocked"; return 1; }
	wait "$BG" || { echo "# shell failed: $(cat "$WORK/p2.out")"; return 1; }
	assert_eq released "$(cat "$WORK/p2.out")" "shell output" || return 1
	assert_eq 0 "$("$SEMTOOL" getval "$id" 0)" "value"
}

test_zero_waits_until_the_value_is_zero() {
	local id
	id=$(sem_mk 3 1) || return 1
	echo zero >"$MNT/sem/$id/0" || return 1	# 0 already: returns at once
	"$SEMTOOL" setval "$id" 0 2 || return 1
	bg "$WORK/z.out" sh -c "echo zero > '$MNT/sem/$id/0' && echo zero-reached"
	until_true zcnt_is "$id" 0 1 || { echo "# not waiting for zero"; return 1; }
	# Another name, so another inode: the waiter holds the lock of its own.
	echo -1 >"$MNT/sem/$(key 3)/0" || return 1
	assert_eq "1 1" "$("$SEMTOOL" getval "$id" 0) $("$SEMTOOL" zcnt "$id" 0)" "value and zero waiters" || return 1
	ended "$BG" && { echo "# woke at 1"; return 1; }
	"$SEMTOOL" op "$id" 0 -1 >/dev/null || return 1
	until_ended "$BG" || { echo "# still waiting at 0"; return 1; }
	wait "$BG" || return 1
	assert_eq zero-reached "$(cat "$WORK/z.out")" "output"
}

test_set_add_and_read_through_files() {
	local id
	id=$(sem_mk 4 2) || return 1
	echo 5 >"$MNT/sem/$id/1" || return 1
	assert_eq "0 5" "$("$SEMTOOL" getall "$id")" "SETVAL" || return 1
	echo +3 >"$MNT/sem/$id/1" || return 1
	echo -2 >"$MNT/sem/$id/1" || return 1
	printf '  +1  \n' >"$MNT/sem/$id/0" || return 1	# blanks around are fine
	assert_eq "1 6" "$("$SEMTOOL" getall "$id")" "V and P" || return 1
	"$SEMTOOL" setval "$id" 0 9 || return 1
	assert_eq 9 "$(cat "$MNT/sem/$id/0")" "reading shows a native SETVAL" || return 1
	assert_eq "9 6" "$(cat "$MNT/sem/$id/values")" "values" || return 1
	echo "7 32767" >"$MNT/sem/$id/values" || return 1
	assert_eq "7 32767" "$("$SEMTOOL" getall "$id")" "SETALL" || return 1
	# +0 and -0 change nothing and never wait (semop would read 0 as "zero").
	echo +0 >"$MNT/sem/$id/0" || return 1
	timeout $HANG sh -c "echo -0 > '$MNT/sem/$id/0'" || return 1
	assert_eq "7 32767" "$("$SEMTOOL" getall "$id")" "after +0 and -0"
}

# ---- interrupts, O_NONBLOCK, removal ----

test_interrupt_ends_blocked_write_and_changes_nothing() {
	local id rc
	id=$(sem_mk 5 1) || return 1
	"$SEMTOOL" setval "$id" 0 2 || return 1
	# Ctrl-C on a shell blocked in P by 3 (the value is 2), once its P
	# waits in the daemon.
	ctrl_c "echo -3 > '$MNT/sem/$id/0'" ncnt_is "$id" 0 1 || { echo "# interrupted write succeeded"; return 1; }
	assert_eq 2 "$("$SEMTOOL" getval "$id" 0)" "value after Ctrl-C" || return 1
	until_true ncnt_is "$id" 0 0 || { echo "# a waiter is left in the kernel"; return 1; }
	# Same for wait-for-zero.
	ctrl_c "echo zero > '$MNT/sem/$id/0'" zcnt_is "$id" 0 1 || { echo "# interrupted zero succeeded"; return 1; }
	until_true zcnt_is "$id" 0 0 || { echo "# a zero waiter is left"; return 1; }
	# A process that handles SIGINT lives on: its write fails with EINTR.
	bg "$WORK/h.out" "$SEMTOOL" write "$MNT/sem/$id/0" -3 handler
	until_true ncnt_is "$id" 0 1 || { echo "# handler process not waiting"; return 1; }
	kill -INT "$BG"
	until_ended "$BG" || { echo "# still blocked after SIGINT"; return 1; }
	wait "$BG"
	rc=$?
	assert_eq 1 "$rc" "write result of the handling process" || return 1
	assert_eq "Interrupted system call" "$(grep -v caught "$WORK/h.out")" "its error" || return 1
	grep -q "caught SIGINT" "$WORK/h.out" || { echo "# handler did not run"; return 1; }
	assert_eq 2 "$("$SEMTOOL" getval "$id" 0)" "value after EINTR" || return 1
	# The daemon is fine and the semaphore still works.
	echo -2 >"$MNT/sem/$id/0" || return 1
	assert_eq 0 "$("$SEMTOOL" getval "$id" 0)" "a later P" || return 1
	assert_alive
}

test_nonblock_gives_eagain_and_changes_nothing() {
	local id
	id=$(sem_mk 6 1) || return 1
	assert_eq "Resource temporarily unavailable" \
		"$("$SEMTOOL" write "$MNT/sem/$id/0" -1 nonblock)" "P on 0 with O_NONBLOCK" || return 1
	assert_fails "Resource temporarily unavailable" \
		dd if=<(printf -- '-1\n') of="$MNT/sem/$id/0" oflag=nonblock status=none || return 1
	assert_eq 0 "$("$SEMTOOL" getval "$id" 0)" "value unchanged" || return 1
	until_true ncnt_is "$id" 0 0 || { echo "# a waiter is left"; return 1; }
	"$SEMTOOL" setval "$id" 0 1 || return 1
	assert_eq "Resource temporarily unavailable" \
		"$("$SEMTOOL" write "$MNT/sem/$id/0" zero nonblock)" "zero on 1 with O_NONBLOCK" || return 1
	assert_eq 1 "$("$SEMTOOL" getval "$id" 0)" "value unchanged" || return 1
	# What can be done at once is done.
	assert_eq ok "$("$SEMTOOL" write "$MNT/sem/$id/0" -1 nonblock)" "possible P" || return 1
	assert_eq 0 "$("$SEMTOOL" getval "$id" 0)" "value after the P"
}

test_removing_the_set_wakes_waiters_with_eidrm() {
	local id p1 p2 p3
	id=$(sem_mk 7 2) || return 1
	"$SEMTOOL" setval "$id" 1 1 || return 1
	bg "$WORK/r1.out" "$SEMTOOL" write "$MNT/sem/$id/0" -1; p1=$BG
	bg "$WORK/r2.out" "$SEMTOOL" write "$MNT/sem/$id/1" zero; p2=$BG
	bg "$WORK/r3.out" sh -c "echo -5 > '$MNT/sem/$(key 7)/1'"; p3=$BG
	until_true ncnt_is "$id" 0 1 || { echo "# P not waiting"; return 1; }
	until_true zcnt_is "$id" 1 1 || { echo "# zero not waiting"; return 1; }
	until_true ncnt_is "$id" 1 1 || { echo "# P through the key not waiting"; return 1; }
	rmdir "$MNT/sem/$id" || return 1
	for p in $p1 $p2 $p3; do
		until_ended "$p" || { echo "# $p still blocked after removal"; return 1; }
		wait "$p" && { echo "# $p succeeded"; return 1; }
	done
	assert_eq "Identifier removed" "$(cat "$WORK/r1.out")" "P's error" || return 1
	assert_eq "Identifier removed" "$(cat "$WORK/r2.out")" "zero's error" || return 1
	ls "$MNT/sem" | grep -qx "$id" && { echo "# still listed"; return 1; }
	assert_alive
}

# Writes to one file are serialised by the kernel (FUSE holds the inode
# lock across a write, and `>` truncates under it), so of 64 shells in P on
# one semaphore one waits in the daemon and the rest in the kernel.  The
# V goes through the 0xKEY name, which is another inode.
test_64_blocked_writers_on_one_semaphore() {
	local id i pids=() failed=0
	id=$(sem_mk 8 1) || return 1
	for i in $(seq 64); do
		bg "$WORK/w$i.out" sh -c "echo -1 > '$MNT/sem/$id/0'"
		pids+=("$BG")
	done
	# All 64 wait in the daemon, each with an inode of its own: none waits
	# in the kernel behind another's write to the same path.
	until_true ncnt_is "$id" 0 64 || { echo "# waiting: $("$SEMTOOL" ncnt "$id" 0) of 64"; return 1; }
	answers_while_waiting "$id" 64 ls ls "$MNT/sem" || return 1
	for p in "${pids[@]}"; do ended "$p" && failed=$((failed + 1)); done
	assert_eq 0 "$failed" "writers that did not block" || return 1
	echo +64 >"$MNT/sem/$id/0" || return 1	# through the same path
	for p in "${pids[@]}"; do
		until_ended "$p" || { echo "# writer $p still blocked"; return 1; }
		wait "$p" || failed=$((failed + 1))
	done
	assert_eq 0 "$failed" "writers that failed" || return 1
	assert_eq 0 "$("$SEMTOOL" getval "$id" 0)" "value after 64 P and V 64" || return 1
	assert_alive
}

# 64 writers on 64 semaphores: all of them wait in the daemon at once,
# each holding a worker thread, and the mount still answers.
test_64_writers_wait_in_the_daemon_at_once() {
	local id i pids=() failed=0
	id=$(sem_mk 9 64) || return 1
	for i in $(seq 0 63); do
		bg "$WORK/d$i.out" sh -c "echo -1 > '$MNT/sem/$id/$i'"
		pids+=("$BG")
	done
	until_true column_sum_is "$id" 3 64 || { echo "# waiting: $(column_sum "$id" 3) of 64"; return 1; }
	answers_while_waiting "$id" 64 "ls -l" ls -l "$MNT/sem" || return 1
	answers_while_waiting "$id" 64 "cat info" cat "$MNT/sem/$id/info" || return 1
	# One SETALL releases them all.
	printf '1 %.0s' $(seq 64) >"$MNT/sem/$id/values" || return 1
	for p in "${pids[@]}"; do
		until_ended "$p" || { echo "# writer $p still blocked"; return 1; }
		wait "$p" || failed=$((failed + 1))
	done
	assert_eq 0 "$failed" "writers that failed" || return 1
	assert_eq "$(printf '0 %.0s' $(seq 64) | sed 's/ $//')" "$(cat "$MNT/sem/$id/values")" "values" || return 1
	assert_alive
}

# ---- bad input ----

test_bad_input_fails_clearly_and_changes_nothing() {
	local id t
	id=$(sem_mk 10 2) || return 1
	"$SEMTOOL" setall "$id" 3 4 || return 1
	for t in garbage + - abc "1 2" "+-1" "--1" "zero zero" "1.5" "0x10" "$(printf '%070d' 1)"; do
		assert_fails "Invalid argument" bash -c "echo '$t' > '$MNT/sem/$id/0'" || return 1
	done
	assert_fails "Invalid argument" bash -c "printf '1\\0' > '$MNT/sem/$id/0'" || return 1
	for t in 32768 +32768 -32768 99999999999999999999; do
		assert_fails "Numerical result out of range" bash -c "echo '$t' > '$MNT/sem/$id/0'" || return 1
	done
	# V past SEMVMX: the kernel's ERANGE.
	assert_fails "Numerical result out of range" bash -c "echo +32765 > '$MNT/sem/$id/0'" || return 1
	# values: a count other than nsems, a bad word, a value out of range.
	for t in 1 "1 2 3" "" "1 x" "1 -2" "1,2"; do
		assert_fails "Invalid argument" bash -c "echo '$t' > '$MNT/sem/$id/values'" || return 1
	done
	assert_fails "Numerical result out of range" bash -c "echo '1 32768' > '$MNT/sem/$id/values'" || return 1
	# No semaphore 2 in a set of two.
	assert_fails "No such file" cat "$MNT/sem/$id/2" || return 1
	assert_fails "No such file" "$SEMTOOL" write "$MNT/sem/$id/2" 1 || return 1
	assert_fails "No such file" cat "$MNT/sem/$id/02" || return 1
	assert_eq "3 4" "$("$SEMTOOL" getall "$id")" "values unchanged" || return 1
	assert_alive
}

# ---- metrics (limits and summary, for every kind: tree.sh) ----

# A sample per semaphore, and values only in the scrape of a caller who
# may read them.
test_metrics_per_semaphore_and_values_only_to_readers() {
	local pub priv m
	pub=$(sem_mk 13 2 644) || return 1
	priv=$(sem_mk 14 2 600) || return 1
	"$SEMTOOL" setall "$pub" 4 5 || return 1
	m=$(cat "$MNT/metrics")
	assert_match "^ipcfs_sem_nsems\\{kind=\"sem\",id=\"$pub\",key=\"$(key 13)\",owner=\"root\"\\} 2\$" \
		"$(printf '%s\n' "$m" | grep "^ipcfs_sem_nsems{.*id=\"$pub\"")" "nsems gauge" || return 1
	assert_eq "ipcfs_sem_value{kind=\"sem\",id=\"$pub\",key=\"$(key 13)\",owner=\"root\",num=\"1\"} 5" \
		"$(printf '%s\n' "$m" | grep "^ipcfs_sem_value{.*id=\"$pub\".*num=\"1\"")" "value sample" || return 1
	grep -q "^ipcfs_sem_ncnt{.*id=\"$pub\".*num=\"0\"} 0$" <<<"$m" || { echo "# no ncnt sample"; return 1; }
	grep -q "^ipcfs_sem_zcnt{.*id=\"$pub\".*num=\"0\"} 0$" <<<"$m" || { echo "# no zcnt sample"; return 1; }
	# Values need read access: root's scrape shows a 0600 set's values,
	# nobody's does not.
	grep -q "^ipcfs_sem_value{.*id=\"$priv\"" <<<"$m" || { echo "# root does not see private values"; return 1; }
	m=$($NOBODY cat "$MNT/metrics") || return 1
	grep -q "^ipcfs_sem_value{.*id=\"$priv\"" <<<"$m" && { echo "# private values shown to nobody"; return 1; }
	grep -q "^ipcfs_sem_value{.*id=\"$pub\".*num=\"1\"} 5$" <<<"$m" || { echo "# nobody misses public values"; return 1; }
	return 0
}

# ---- the sem_nsems option (mkdir and new, for every kind: tree.sh) ----

test_mount_option_sem_nsems() {
	local k out
	ipcfs_mount -o sem_nsems=3 || return 1
	k=$(key 16)
	mkdir "$MNT/sem/$k" || return 1
	assert_eq 3 "$(cat "$MNT/sem/$k/nsems")" "sem_nsems=3" || return 1
	assert_eq "0 0 0" "$(cat "$MNT/sem/$k/values")" "three values" || return 1
	out=$("$IPCFS" -h 2>&1)
	assert_match "sem_nsems=N" "$out" "-h lists sem_nsems=" || return 1
	mkdir -p "$WORK/bad"
	for bad in 0 abc -1 3K 99999999999; do
		assert_fails "sem_nsems=$bad" "$IPCFS" -f -o "sem_nsems=$bad" "$WORK/bad" || return 1
	done
	mountpoint -q "$WORK/bad" && { echo "# mounted anyway"; return 1; }
	return 0
}

# ---- killed waiters, shells sharing a path ----

# A writer killed while blocked in P takes nothing with it: a V made right
# after the kill is still there once it is reaped (the kernel would have
# cancelled a dead process's semop), 1,000 times over.
test_a_killed_waiter_takes_no_v() {
	local id out
	id=$(sem_mk 60 1 666) || return 1
	out=$("$BUILD/killwait" sem "$MNT/sem/$id/0" "$id" 1000)
	figure "sem: killed blocked P, then V: $out"
	assert_eq "rounds 1000 lost 0" "$out" "V consumed by a dead writer"
}

# Two shells, one path: P in some shells and V in others, all with the
# shell's own > and >> on the same file.  Before, the second writer of a
# path waited in the kernel behind the first one's blocked write (state D,
# deaf to signals), so the V never arrived.
test_shells_p_and_v_through_one_path() {
	local id f i pids=() p failed=0
	id=$(sem_mk 61 1 666) || return 1
	f=$MNT/sem/$id/0
	for i in $(seq 8); do
		bg "$WORK/p$i.out" sh -c "echo -1 > '$f'"
		pids+=("$BG")
	done
	until_true ncnt_is "$id" 0 8 || { echo "# waiting in the daemon: $("$SEMTOOL" ncnt "$id" 0) of 8"; return 1; }
	for i in $(seq 8); do
		timeout $HANG sh -c "echo +1 >> '$f'" || { echo "# V $i did not get through"; return 1; }
	done
	for p in "${pids[@]}"; do
		until_ended "$p" || { echo "# P $p still blocked"; return 1; }
		wait "$p" || failed=$((failed + 1))
	done
	assert_eq 0 "$failed" "P writers that failed" || return 1
	assert_eq 0 "$(cat "$f")" "value after 8 P and 8 V" || return 1
	# Waiters for zero, released by a SETVAL through the same path.
	echo 3 >"$f" || return 1
	pids=()
	for i in $(seq 4); do
		bg "$WORK/z$i.out" sh -c "echo zero > '$f'"
		pids+=("$BG")
	done
	until_true column_sum_is "$id" 4 4 || { echo "# zero waiters: $(column_sum "$id" 4) of 4"; return 1; }
	timeout $HANG sh -c "echo 0 > '$f'" || { echo "# SETVAL did not get through"; return 1; }
	for p in "${pids[@]}"; do
		until_ended "$p" || { echo "# zero waiter $p still blocked"; return 1; }
	done
	# O_NONBLOCK never waits, whatever else waits on the path.
	bg "$WORK/p9.out" sh -c "echo -1 > '$f'"
	p=$BG
	until_true ncnt_is "$id" 0 1 || return 1
	assert_fails "Resource temporarily unavailable" timeout $HANG dd of="$f" oflag=nonblock status=none <<<"-1" || return 1
	echo +1 >"$f" || return 1
	until_ended "$p" || { echo "# last P still blocked"; return 1; }
	assert_eq 0 "$(cat "$f")" "value at the end"
}

# A semaphore number past the set's is no file, also to the shell's >
# (which creates): "No such file or directory", as for cat.  Creating
# any other file is refused (tree.sh).  Before: "Operation not permitted".
test_a_number_past_the_set_is_no_such_file() {
	local id
	id=$(sem_mk 15 2) || return 1
	assert_fails "No such file" bash -c "echo 1 > '$MNT/sem/$id/2'" || return 1
	assert_fails "No such file" bash -c "echo -1 > '$MNT/sem/$id/99999'" || return 1
	assert_fails "No such file" cat "$MNT/sem/$id/2" || return 1
	assert_fails "Operation not permitted" bash -c "echo 1 > '$MNT/sem/$id/x'" || return 1
	assert_eq "0 0" "$(cat "$MNT/sem/$id/values")" "nothing changed"
}

run_tests
