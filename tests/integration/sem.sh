#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# sem.sh - semaphore sets through a real mount, against tests/helpers/semtool
# (plain semget/semop/semctl) on the other side and util-linux's ipcs as
# the referee.  Blocking writes are checked for what matters to a user:
# they block the writer only, a signal ends them with nothing changed,
# O_NONBLOCK turns them into EAGAIN, and removal wakes them.
#
# Error texts are checked through bash or semtool: dash (/bin/sh) reports
# every failed echo as "I/O error", whatever the errno.
. "$(dirname "$0")/../lib.sh"
keyrange 0x1fc5a0
SEMTOOL=$BUILD/semtool

ipcfs_mount || exit 1

# sem_mk N NSEMS [MODE]: a set with our Nth key, made natively.
sem_mk() { "$SEMTOOL" create "$(key "$1")" "$2" "${3:-600}"; }

# ipcs_field ID NAME: one name=value from `ipcs -s -i ID`.
ipcs_field() {
	ipcs -s -i "$1" | tr '\t,' '\n\n' | sed 's/^ *//; s/ *= */=/; s/ *$//' | sed -n "s/^$2=//p"
}
# ipcs_table ID: ipcs's per-semaphore lines, "num value ncount zcount pid".
ipcs_table() { ipcs -s -i "$1" | awk 'f && NF {print $1, $2, $3, $4, $5} /^semnum/ {f = 1}'; }

# sem_exists ID: ipcs lists it (`ipcs -s -i` exits 0 even for a missing id).
sem_exists() { ipcs -s | awk -v i="$1" '$2 == i { f = 1 } END { exit !f }'; }

# The way ipcs prints a time: ctime(3), or "Not set".
ctime_of() { if [ "$1" = 0 ]; then echo "Not set"; else date -d "@$1" '+%a %b %e %H:%M:%S %Y'; fi; }

# wait_until SECONDS CMD...: poll CMD until it succeeds; fail after SECONDS.
wait_until() {
	local n=$(($1 * 20))
	shift
	until "$@"; do
		n=$((n - 1))
		[ $n -gt 0 ] || return 1
		sleep 0.05
	done
}
ncnt_is() { [ "$("$SEMTOOL" ncnt "$1" "$2")" = "$3" ]; }
zcnt_is() { [ "$("$SEMTOOL" zcnt "$1" "$2")" = "$3" ]; }
gone() { ! kill -0 "$1" 2>/dev/null; }
# The total of one column of `semaphores` (3: ncnt, 4: zcnt).
column_sum() { awk -v c="$2" '{ s += $c } END { print s + 0 }' "$MNT/sem/$1/semaphores"; }
column_sum_is() { [ "$(column_sum "$1" "$2")" = "$3" ]; }

# bg OUT CMD...: run CMD in the background, output to OUT (never to the
# test's own stdout, which run_tests reads to its end); pid in $BG.
bg() {
	local out=$1
	shift
	"$@" >"$out" 2>&1 &
	BG=$!
	track_pid "$BG"
}

# ---- blocking: P, V and zero across the mount and a native program ----

test_program_blocked_in_p_is_released_by_echo() {
	local id
	id=$(sem_mk 1 1) || return 1
	bg "$WORK/p1.out" "$SEMTOOL" op "$id" 0 -1
	wait_until 10 ncnt_is "$id" 0 1 || { echo "# program not waiting"; return 1; }
	echo +1 >"$MNT/sem/$id/0" || return 1
	wait_until 10 gone "$BG" || { echo "# program still blocked"; return 1; }
	wait "$BG" || return 1
	assert_eq done "$(cat "$WORK/p1.out")" "program output" || return 1
	assert_eq 0 "$("$SEMTOOL" getval "$id" 0)" "value after P and V"
}

test_shell_blocked_in_p_is_released_by_program() {
	local id
	id=$(sem_mk 2 1) || return 1
	bg "$WORK/p2.out" sh -c "echo -2 > '$MNT/sem/$id/0' && echo released"
	wait_until 10 ncnt_is "$id" 0 1 || { echo "# shell not waiting"; return 1; }
	sleep 0.2
	gone "$BG" && { echo "# the write did not block"; return 1; }
	"$SEMTOOL" op "$id" 0 1 >/dev/null || return 1
	sleep 0.2
	gone "$BG" && { echo "# released by V 1 when it wanted 2"; return 1; }
	"$SEMTOOL" op "$id" 0 1 >/dev/null || return 1
	wait_until 10 gone "$BG" || { echo "# shell still blocked"; return 1; }
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
	wait_until 10 zcnt_is "$id" 0 1 || { echo "# not waiting for zero"; return 1; }
	# Another name, so another inode: the waiter holds the lock of its own.
	echo -1 >"$MNT/sem/$(key 3)/0" || return 1
	sleep 0.2
	gone "$BG" && { echo "# woke at 1"; return 1; }
	"$SEMTOOL" op "$id" 0 -1 >/dev/null || return 1
	wait_until 10 gone "$BG" || { echo "# still waiting at 0"; return 1; }
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
	timeout 5 sh -c "echo -0 > '$MNT/sem/$id/0'" || return 1
	assert_eq "7 32767" "$("$SEMTOOL" getall "$id")" "after +0 and -0"
}

# ---- interrupts, O_NONBLOCK, removal ----

test_interrupt_ends_blocked_write_and_changes_nothing() {
	local id rc
	id=$(sem_mk 5 1) || return 1
	"$SEMTOOL" setval "$id" 0 2 || return 1
	# Ctrl-C on a shell blocked in P by 3 (the value is 2).
	timeout -s INT 1 sh -c "echo -3 > '$MNT/sem/$id/0'"
	rc=$?
	[ $rc -ne 0 ] || { echo "# interrupted write succeeded"; return 1; }
	assert_eq 2 "$("$SEMTOOL" getval "$id" 0)" "value after Ctrl-C" || return 1
	wait_until 5 ncnt_is "$id" 0 0 || { echo "# a waiter is left in the kernel"; return 1; }
	# Same for wait-for-zero.
	timeout -s INT 1 sh -c "echo zero > '$MNT/sem/$id/0'"
	[ $? -ne 0 ] || { echo "# interrupted zero succeeded"; return 1; }
	wait_until 5 zcnt_is "$id" 0 0 || { echo "# a zero waiter is left"; return 1; }
	# A process that handles SIGINT lives on: its write fails with EINTR.
	bg "$WORK/h.out" "$SEMTOOL" write "$MNT/sem/$id/0" -3 handler
	wait_until 10 ncnt_is "$id" 0 1 || { echo "# handler process not waiting"; return 1; }
	kill -INT "$BG"
	wait_until 10 gone "$BG" || { echo "# still blocked after SIGINT"; return 1; }
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
	wait_until 5 ncnt_is "$id" 0 0 || { echo "# a waiter is left"; return 1; }
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
	wait_until 10 ncnt_is "$id" 0 1 || { echo "# P not waiting"; return 1; }
	wait_until 10 zcnt_is "$id" 1 1 || { echo "# zero not waiting"; return 1; }
	wait_until 10 ncnt_is "$id" 1 1 || { echo "# P through the key not waiting"; return 1; }
	rmdir "$MNT/sem/$id" || return 1
	for p in $p1 $p2 $p3; do
		wait_until 10 gone "$p" || { echo "# $p still blocked after removal"; return 1; }
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
	local id i pids=() t0 t1 failed=0
	id=$(sem_mk 8 1) || return 1
	for i in $(seq 64); do
		bg "$WORK/w$i.out" sh -c "echo -1 > '$MNT/sem/$id/0'"
		pids+=("$BG")
	done
	# All 64 wait in the daemon, each with an inode of its own: none waits
	# in the kernel behind another's write to the same path.
	wait_until 10 ncnt_is "$id" 0 64 || { echo "# waiting: $("$SEMTOOL" ncnt "$id" 0) of 64"; return 1; }
	t0=$(date +%s%N)
	timeout 5 ls "$MNT/sem" >/dev/null || { echo "# ls does not answer"; return 1; }
	t1=$(date +%s%N)
	[ $(((t1 - t0) / 1000000)) -lt 2000 ] || { echo "# ls took $(((t1 - t0) / 1000000)) ms"; return 1; }
	for p in "${pids[@]}"; do gone "$p" && failed=$((failed + 1)); done
	assert_eq 0 "$failed" "writers that did not block" || return 1
	echo +64 >"$MNT/sem/$id/0" || return 1	# through the same path
	for p in "${pids[@]}"; do
		wait_until 20 gone "$p" || { echo "# writer $p still blocked"; return 1; }
		wait "$p" || failed=$((failed + 1))
	done
	assert_eq 0 "$failed" "writers that failed" || return 1
	assert_eq 0 "$("$SEMTOOL" getval "$id" 0)" "value after 64 P and V 64" || return 1
	assert_alive
}

# 64 writers on 64 semaphores: all of them wait in the daemon at once,
# each holding a worker thread, and the mount still answers.
test_64_writers_wait_in_the_daemon_at_once() {
	local id i pids=() failed=0 t0 t1
	id=$(sem_mk 9 64) || return 1
	for i in $(seq 0 63); do
		bg "$WORK/d$i.out" sh -c "echo -1 > '$MNT/sem/$id/$i'"
		pids+=("$BG")
	done
	wait_until 30 column_sum_is "$id" 3 64 || { echo "# waiting: $(column_sum "$id" 3) of 64"; return 1; }
	t0=$(date +%s%N)
	timeout 5 ls -l "$MNT/sem" >/dev/null || { echo "# ls does not answer"; return 1; }
	timeout 5 cat "$MNT/sem/$id/info" >/dev/null || { echo "# info does not answer"; return 1; }
	t1=$(date +%s%N)
	[ $(((t1 - t0) / 1000000)) -lt 2000 ] || { echo "# took $(((t1 - t0) / 1000000)) ms"; return 1; }
	# One SETALL releases them all.
	printf '1 %.0s' $(seq 64) >"$MNT/sem/$id/values" || return 1
	for p in "${pids[@]}"; do
		wait_until 20 gone "$p" || { echo "# writer $p still blocked"; return 1; }
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

# ---- what ipcs shows ----

test_info_ls_and_semaphores_agree_with_ipcs() {
	local id d info v
	id=$(sem_mk 11 3 640) || return 1
	"$SEMTOOL" setall "$id" 1 2 3 || return 1
	"$SEMTOOL" op "$id" 1 1 >/dev/null || return 1	# sets otime and a pid
	bg "$WORK/i.out" "$SEMTOOL" op "$id" 0 -5
	wait_until 10 ncnt_is "$id" 0 1 || return 1
	d=$MNT/sem/$id
	info=$(cat "$d/info")
	for v in uid gid cuid cgid nsems; do
		assert_eq "$(ipcs_field "$id" $v)" "$(printf '%s\n' "$info" | sed -n "s/^$v: //p")" "info $v" || return 1
		assert_eq "$(ipcs_field "$id" $v)" "$(cat "$d/$v")" "file $v" || return 1
	done
	assert_eq "$(ipcs_field "$id" access_perms)" "$(cat "$d/mode")" "mode" || return 1
	assert_eq "$(key 11)" "$(cat "$d/key")" "key" || return 1
	assert_eq "$id" "$(cat "$d/id")" "id" || return 1
	assert_eq "$(ipcs_field "$id" otime)" "$(ctime_of "$(cat "$d/otime")")" "otime" || return 1
	assert_eq "$(ipcs_field "$id" ctime)" "$(ctime_of "$(cat "$d/ctime")")" "ctime" || return 1
	assert_eq "$(ipcs_table "$id")" "$(cat "$d/semaphores")" "semaphores table" || return 1
	assert_eq "1 3 3" "$(cat "$d/values")" "values" || return 1
	assert_eq 3 "$(wc -l <"$d/semaphores")" "a line per semaphore" || return 1
	# The directory is the set: mode, owner, times.
	assert_eq "drw-r----- root root" "$(stat -c '%A %U %G' "$d")" "directory" || return 1
	assert_eq "$(cat "$d/ctime")" "$(stat -c %Z "$d")" "directory ctime" || return 1
	assert_eq "$(cat "$d/otime")" "$(stat -c %X "$d")" "directory atime = otime" || return 1
	assert_eq "$(cat "$d/otime")" "$(stat -c %Y "$d")" "directory mtime = otime" || return 1
	assert_eq "-rw-r----- root" "$(stat -c '%A %U' "$d/2")" "a semaphore file" || return 1
	assert_eq "0 1 2 semaphores values" "$(ls "$d" | grep -E '^[0-9]+$|^values$|^semaphores$' | sort | tr '\n' ' ' | sed 's/ $//')" "listing" || return 1
	assert_match "^drw-r----- +2 root +root .* $id\$" "$(ls -l "$MNT/sem" | grep " $id\$")" "ls -l line" || return 1
	"$SEMTOOL" op "$id" 0 5 >/dev/null
	wait_until 10 gone "$BG"
}

test_never_operated_set_uses_ctime_for_dir_times() {
	local id d
	id=$(sem_mk 12 1) || return 1
	d=$MNT/sem/$id
	assert_eq 0 "$(cat "$d/otime")" "otime" || return 1
	assert_eq "Not set" "$(ipcs_field "$id" otime)" "ipcs otime" || return 1
	assert_eq "$(cat "$d/ctime")" "$(stat -c %X "$d")" "atime falls back to ctime" || return 1
	assert_eq "$(cat "$d/ctime")" "$(stat -c %Y "$d")" "mtime falls back to ctime"
}

test_limits_summary_and_metrics() {
	local pub priv lim sum m
	pub=$(sem_mk 13 2 644) || return 1
	priv=$(sem_mk 14 2 600) || return 1
	"$SEMTOOL" setall "$pub" 4 5 || return 1
	lim=$(cat "$MNT/limits")
	assert_eq "$(ipcs -l -s | sed -n 's/^max number of arrays = //p')" "$(printf '%s\n' "$lim" | sed -n 's/^semmni: //p')" semmni || return 1
	assert_eq "$(ipcs -l -s | sed -n 's/^max semaphores per array = //p')" "$(printf '%s\n' "$lim" | sed -n 's/^semmsl: //p')" semmsl || return 1
	assert_eq "$(ipcs -l -s | sed -n 's/^max semaphores system wide = //p')" "$(printf '%s\n' "$lim" | sed -n 's/^semmns: //p')" semmns || return 1
	assert_eq "$(ipcs -l -s | sed -n 's/^max ops per semop call = //p')" "$(printf '%s\n' "$lim" | sed -n 's/^semopm: //p')" semopm || return 1
	assert_eq "$(ipcs -l -s | sed -n 's/^semaphore max value = //p')" "$(printf '%s\n' "$lim" | sed -n 's/^semvmx: //p')" semvmx || return 1
	sum=$(cat "$MNT/summary")
	assert_eq "$(ipcs -u -s | sed -n 's/^used arrays = //p')" "$(printf '%s\n' "$sum" | sed -n 's/^sem_sets: //p')" "used arrays" || return 1
	assert_eq "$(ipcs -u -s | sed -n 's/^allocated semaphores = //p')" "$(printf '%s\n' "$sum" | sed -n 's/^sem_semaphores: //p')" "allocated semaphores" || return 1
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

# ---- creation: mkdir, the sem_nsems option, new ----

test_mkdir_creates_one_semaphore_by_default() {
	local k id
	k=$(key 15)
	mkdir -m 640 "$MNT/sem/$k" || return 1
	id=$(ipcs -s | awk -v k="$k" '$1 == k {print $2}')
	assert_match '^[0-9]+$' "$id" "ipcs lists the key" || return 1
	assert_eq 1 "$(ipcs_field "$id" nsems)" "default nsems" || return 1
	assert_eq 0640 "$(ipcs_field "$id" access_perms)" "mode" || return 1
	assert_fails "File exists" mkdir "$MNT/sem/$k" || return 1
	rmdir "$MNT/sem/$k" || return 1
	sem_exists "$id" && { echo "# not removed"; return 1; }
	return 0
}

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

test_new_creates_and_reads_back_id() {
	local k id before
	k=$(key 17)
	exec 3<>"$MNT/sem/new"
	echo "$k 4 600" >&3 || return 1
	read -r id <&3
	exec 3>&-
	assert_match '^[0-9]+$' "$id" "read-back id" || return 1
	assert_eq 4 "$(ipcs_field "$id" nsems)" "nsems" || return 1
	assert_eq 0600 "$(ipcs_field "$id" access_perms)" "mode" || return 1
	assert_eq "$k" "$(ipcs -s | awk -v i="$id" '$2 == i {print $1}')" "key" || return 1
	exec 3<>"$MNT/sem/new"
	echo "private 2" >&3 || return 1
	read -r id <&3
	exec 3>&-
	track_sem "$id"
	assert_eq 2 "$(ipcs_field "$id" nsems)" "private nsems" || return 1
	assert_eq 0644 "$(ipcs_field "$id" access_perms)" "default mode" || return 1
	assert_eq 0x00000000 "$(ipcs -s | awk -v i="$id" '$2 == i {print $1}')" "private key" || return 1
	# Bad lines make nothing.
	before=$(ipcs -s | wc -l)
	for l in "$(key 18)" "$(key 18) 0" "$(key 18) abc" "$(key 18) 2K" "$(key 18) 1 999" \
		"$(key 18) -1" "$(key 18) 99999999" "$(key 18) 1 600 x"; do
		assert_fails "Invalid argument" bash -c "echo '$l' > '$MNT/sem/new'" || return 1
	done
	assert_fails "File exists" bash -c "echo '$k 1' > '$MNT/sem/new'" || return 1
	assert_eq "$before" "$(ipcs -s | wc -l)" "nothing made by bad lines"
}

test_key_names_and_by_key_links() {
	local id k p
	id=$(sem_mk 19 2) || return 1
	k=$(key 19)
	assert_eq "../$id" "$(readlink "$MNT/sem/by-key/$k")" "by-key link" || return 1
	assert_eq "$id" "$(cat "$MNT/sem/by-key/$k/id")" "through the link" || return 1
	assert_eq "$id" "$(cat "$MNT/sem/$k/id")" "0xKEY name" || return 1
	assert_eq "$id" "$(cat "$MNT/sem/0x000${k#0x}/id")" "leading zeros" || return 1
	echo 7 >"$MNT/sem/$k/1" || return 1
	assert_eq 7 "$("$SEMTOOL" getval "$id" 1)" "write through the key name" || return 1
	p=$("$SEMTOOL" create private 1) || return 1
	track_sem "$p"
	ls -l "$MNT/sem/by-key" | grep -q -- "-> ../$p\$" && { echo "# private set has a link"; return 1; }
	ls "$MNT/sem" | grep -qx "$p" || { echo "# private set not listed"; return 1; }
	ls "$MNT/sem" | grep -q '^0x' && { echo "# listing shows key names"; return 1; }
	return 0
}

test_chmod_chown_rmdir_as_root() {
	local id
	id=$(sem_mk 20 1 600) || return 1
	chmod 604 "$MNT/sem/$id" || return 1
	assert_eq 0604 "$(ipcs_field "$id" access_perms)" "chmod" || return 1
	chown nobody:nogroup "$MNT/sem/$id" || return 1
	assert_eq "65534 65534" "$(ipcs_field "$id" uid) $(ipcs_field "$id" gid)" "chown" || return 1
	assert_eq 0 "$(ipcs_field "$id" cuid)" "creator unchanged" || return 1
	rmdir "$MNT/sem/$(key 20)" || return 1
	sem_exists "$id" && { echo "# not removed"; return 1; }
	return 0
}

# ---- permissions: exactly what the kernel allows nobody ----

test_permissions_as_nobody_match_the_kernel() {
	local mode id n=30 native fs diffs=0 f
	for mode in 600 640 604 606 644 660 666 400 200 602 622; do
		id=$(sem_mk $n 1 "$mode") || return 1
		n=$((n + 1))
		f=$MNT/sem/$id/0
		# read: GETVAL
		if $NOBODY "$SEMTOOL" getval "$id" 0 >/dev/null 2>&1; then native=ok; else native=denied; fi
		if $NOBODY cat "$f" >/dev/null 2>&1; then fs=ok; else fs=denied; fi
		[ "$native" = "$fs" ] || { echo "# mode $mode read: kernel $native, ipcfs $fs"; diffs=$((diffs + 1)); }
		if $NOBODY cat "$MNT/sem/$id/values" >/dev/null 2>&1; then fs=ok; else fs=denied; fi
		[ "$native" = "$fs" ] || { echo "# mode $mode values: kernel $native, ipcfs $fs"; diffs=$((diffs + 1)); }
		if $NOBODY cat "$MNT/sem/$id/semaphores" >/dev/null 2>&1; then fs=ok; else fs=denied; fi
		[ "$native" = "$fs" ] || { echo "# mode $mode semaphores: kernel $native, ipcfs $fs"; diffs=$((diffs + 1)); }
		# write: SETVAL and V
		if $NOBODY "$SEMTOOL" setval "$id" 0 1 >/dev/null 2>&1; then native=ok; else native=denied; fi
		if $NOBODY sh -c "echo 1 > '$f'" 2>/dev/null; then fs=ok; else fs=denied; fi
		[ "$native" = "$fs" ] || { echo "# mode $mode write: kernel $native, ipcfs $fs"; diffs=$((diffs + 1)); }
		if [ "$fs" = denied ]; then
			assert_fails "Permission denied" $NOBODY bash -c "echo +1 > '$f'" || return 1
		fi
		# wait-for-zero needs read in the kernel: never more through a
		# file (which also needs opening for write).
		"$SEMTOOL" setval "$id" 0 0 || return 1
		if $NOBODY "$SEMTOOL" op "$id" 0 0 nowait >/dev/null 2>&1; then native=ok; else native=denied; fi
		if [ "$($NOBODY "$SEMTOOL" write "$f" zero nonblock 2>/dev/null)" = ok ]; then fs=ok; else fs=denied; fi
		[ "$fs" = ok ] && [ "$native" = denied ] && { echo "# mode $mode zero: ipcfs allows what the kernel refuses"; diffs=$((diffs + 1)); }
		# Removal and IPC_SET: never for nobody on root's set.
		assert_fails "Operation not permitted" $NOBODY rmdir "$MNT/sem/$id" || return 1
		assert_fails "Operation not permitted" $NOBODY chmod 666 "$MNT/sem/$id" || return 1
		assert_fails "Operation not permitted" $NOBODY chown nobody "$MNT/sem/$id" || return 1
		sem_exists "$id" || { echo "# mode $mode: set removed"; return 1; }
	done
	# A writer without read access (0602) may V but not wait for zero.
	id=$(sem_mk $n 1 602) || return 1
	assert_eq ok "$($NOBODY "$SEMTOOL" write "$MNT/sem/$id/0" +1)" "V with write only" || return 1
	assert_eq "Permission denied" "$($NOBODY "$SEMTOOL" write "$MNT/sem/$id/0" zero nonblock)" "zero with write only" || return 1
	assert_eq 0 "$diffs" "differences from the kernel"
}

test_nobody_creates_owns_and_removes_own() {
	local k id
	k=$(key 50)
	$NOBODY mkdir -m 600 "$MNT/sem/$k" || return 1
	id=$(ipcs -s | awk -v k="$k" '$1 == k {print $2}')
	assert_eq "65534 65534" "$(ipcs_field "$id" cuid) $(ipcs_field "$id" cgid)" "creator is nobody" || return 1
	assert_eq "nobody" "$(ipcs -s -c | awk -v i="$id" '$1 == i {print $3}')" "ipcs -s -c creator" || return 1
	$NOBODY sh -c "echo 4 > '$MNT/sem/$id/0'" || return 1
	assert_eq 4 "$($NOBODY cat "$MNT/sem/$id/0")" "nobody reads its own" || return 1
	$NOBODY chmod 640 "$MNT/sem/$id" || return 1
	assert_eq 0640 "$(ipcs_field "$id" access_perms)" "nobody chmod" || return 1
	$NOBODY rmdir "$MNT/sem/$id" || return 1
	sem_exists "$id" && { echo "# not removed"; return 1; }
	return 0
}

# A writer killed while blocked in P takes nothing with it: a V made right
# after the kill is still there once it is reaped (the kernel would have
# cancelled a dead process's semop), 1,000 times over.
test_a_killed_waiter_takes_no_v() {
	local id out
	id=$(sem_mk 60 1 666) || return 1
	out=$("$BUILD/killwait" sem "$MNT/sem/$id/0" "$id" 1000)
	echo "# figure: sem: killed blocked P, then V: $out"
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
	wait_until 10 ncnt_is "$id" 0 8 || { echo "# waiting in the daemon: $("$SEMTOOL" ncnt "$id" 0) of 8"; return 1; }
	for i in $(seq 8); do
		timeout 5 sh -c "echo +1 >> '$f'" || { echo "# V $i did not get through"; return 1; }
	done
	for p in "${pids[@]}"; do
		wait_until 10 gone "$p" || { echo "# P $p still blocked"; return 1; }
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
	wait_until 10 column_sum_is "$id" 4 4 || { echo "# zero waiters: $(column_sum "$id" 4) of 4"; return 1; }
	timeout 5 sh -c "echo 0 > '$f'" || { echo "# SETVAL did not get through"; return 1; }
	for p in "${pids[@]}"; do
		wait_until 10 gone "$p" || { echo "# zero waiter $p still blocked"; return 1; }
	done
	# O_NONBLOCK never waits, whatever else waits on the path.
	bg "$WORK/p9.out" sh -c "echo -1 > '$f'"
	p=$BG
	wait_until 10 ncnt_is "$id" 0 1 || return 1
	assert_fails "Resource temporarily unavailable" timeout 5 dd of="$f" oflag=nonblock status=none <<<"-1" || return 1
	echo +1 >"$f" || return 1
	wait_until 10 gone "$p" || { echo "# last P still blocked"; return 1; }
	assert_eq 0 "$(cat "$f")" "value at the end"
}

run_tests
