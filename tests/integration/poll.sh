#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# poll.sh - poll(2), select(2) and epoll on queue and semaphore files, with
# tests/helpers/pollwait (a C program waiting through the mount) and
# Python's selectors on this side, and native msgsnd/msgrcv/semop
# (tests/helpers/mqtool, semtool) from another process on the other.  The
# referee is the kernel: a file is reported ready exactly when the native
# object is (a message of that kind is queued, a P of 1 would not block
# ...), and what the waiter then reads is what the native program sent.
#
# Every waiter runs with a timeout (HANG: it only catches a hang), and each
# wake-up is checked to come from the native call: the waiter must be
# asleep in its poll, select or epoll_wait just before it.
. "$(dirname "$0")/../lib.sh"
keyrange 0x1fc5e5
MQTOOL=$BUILD/mqtool
SEMTOOL=$BUILD/semtool
POLLWAIT=$BUILD/pollwait

ipcfs_mount || exit 1
# A waiter's timeout, ms: the hang bound.
T=$((HANG * 1000))

mq_mk() { "$MQTOOL" create "$(key "$1")" "${2:-600}"; }
sem_mk() { "$SEMTOOL" create "$(key "$1")" "$2" "${3:-600}"; }
qnum() { "$MQTOOL" count "$1"; }
qnum_is() { [ "$(qnum "$1")" = "$2" ]; }


# waiter NAME CMD...: start a waiting program (pollwait, python) in the
# background, its output in $WORK/NAME; return once it has said "waiting"
# and is asleep in its poll, select or epoll_wait, so that what wakes it
# is what the test does next.  Its pid is in $WAITER.
waiter() {
	local out=$WORK/$1
	shift
	# Emptied here, not by the background redirection: until the child
	# gets to that, a previous waiter's "waiting" would still be read.
	: >"$out"
	"$@" </dev/null >>"$out" 2>&1 &
	WAITER=$!
	track_pid "$WAITER"
	until_true grep -q '^waiting$' "$out" || return 1
	until_true waiter_asleep || return 1
	if ended "$WAITER" || [ "$(tail -1 "$out")" != waiting ]; then
		echo "# woke before anything happened:"
		sed 's/^/#   /' "$out"
		return 1
	fi
}

# waiter_asleep: the waiter sleeps in its wait for readiness (or ended,
# which the caller tells apart).
waiter_asleep() { ended "$WAITER" || sleeps_in "$WAITER" "$W_POLL"; }

# woken NAME: the waiter's whole output, once it has ended (10 s at most).
woken() {
	until_ended "$WAITER" || return 1
	wait "$WAITER"
	cat "$WORK/$1"
}

# poller_task: /proc/PID/task/TID of the daemon's poller thread (ipcfs-poll).
poller_task() {
	local d t c
	read -r d <"$MNT.pid" || return 1
	for t in /proc/"$d"/task/*; do
		read -r c <"$t/comm" 2>/dev/null || continue
		[ "$c" = ipcfs-poll ] && { echo "$t"; return 0; }
	done
	return 1
}

# poller_idle: the poller waits in futex(2) with no timeout (its g_cond_wait
# when no file is polled), as /proc/TID/syscall shows: number 202, the
# fourth argument (timeout) 0.
poller_idle() {
	local t sc
	t=$(poller_task) || return 1
	read -r -a sc <"$t/syscall" 2>/dev/null || return 1
	[ "${sc[0]}" = 202 ] && [ "${sc[4]}" = 0x0 ] && sleeping "${t#/proc/}"
}

# wakeups TASK: how many times the thread has been switched out so far.
wakeups() {
	awk '/ctxt_switches/ { n += $2 } END { print n + 0 }' "$1/status"
}

# lines of text, for comparing a waiter's output.
nl_join() { printf '%s\n' "$@"; }

# ---- queues ----

test_poll_on_queue_woken_by_native_msgsnd() {
	local id
	id=$(mq_mk 1) || return 1
	waiter w1 "$POLLWAIT" -m poll -t $T -r "$MNT/mq/$id/queue:in" || return 1
	"$MQTOOL" send "$id" 1 "hello" || return 1
	assert_eq "$(nl_join waiting 0:in 'read 0 hello')" "$(woken w1)" "poll(2) woken, reads the message" || return 1
	assert_eq 0 "$(qnum "$id")" "the read took it, polling took nothing"
}

test_epoll_on_lines_and_select_on_queue_woken_by_native_msgsnd() {
	local id
	id=$(mq_mk 2) || return 1
	waiter w2 "$POLLWAIT" -m epoll -t $T -r "$MNT/mq/$id/lines:in" || return 1
	"$MQTOOL" send "$id" 4 "a line" || return 1
	assert_eq "$(nl_join waiting 0:in 'read 0 a line')" "$(woken w2)" "epoll on lines" || return 1
	waiter w2s "$POLLWAIT" -m select -t $T -r "$MNT/mq/$id/queue:in" || return 1
	"$MQTOOL" send "$id" 1 "selected" || return 1
	assert_eq "$(nl_join waiting 0:in 'read 0 selected')" "$(woken w2s)" "select on queue" || return 1
	assert_eq 0 "$(qnum "$id")" "both taken"
}

test_type_n_ready_only_for_its_type() {
	local id
	id=$(mq_mk 3) || return 1
	"$MQTOOL" send "$id" 3 "three" || return 1
	# Type 3 is queued, type 5 is not: type/5 waits, type/3 and queue do not.
	assert_eq "$(nl_join waiting timeout)" "$("$POLLWAIT" -t 500 "$MNT/mq/$id/type/5:in")" \
		"type/5 with only type 3 queued" || return 1
	assert_eq "$(nl_join waiting '0:in 1:in')" \
		"$("$POLLWAIT" -t 500 "$MNT/mq/$id/type/3:in" "$MNT/mq/$id/queue:in")" "type/3 and queue" || return 1
	for mode in poll epoll select; do
		waiter w3 "$POLLWAIT" -m $mode -t $T -r "$MNT/mq/$id/type/5:in" || return 1
		"$MQTOOL" send "$id" 5 "five $mode" || return 1
		assert_eq "$(nl_join waiting 0:in "read 0 five $mode")" "$(woken w3)" "$mode on type/5" || return 1
	done
	assert_eq 1 "$(qnum "$id")" "type 3 still queued" || return 1
	assert_eq three "$("$MQTOOL" recv "$id" 3 nowait)" "untouched"
}

test_polling_type_n_never_takes_a_zero_length_message() {
	local id
	id=$(mq_mk 4) || return 1
	# A msgrcv probe with a small buffer would take an empty message:
	# polling must find it (or not) and leave it queued.
	"$MQTOOL" send "$id" 7 "" || return 1
	assert_eq "$(nl_join waiting timeout)" "$("$POLLWAIT" -t 300 "$MNT/mq/$id/type/9:in")" "type/9" || return 1
	assert_eq "$(nl_join waiting 0:in)" "$("$POLLWAIT" -t 300 "$MNT/mq/$id/type/7:in")" "type/7" || return 1
	assert_eq "$(nl_join waiting 0:in)" "$("$POLLWAIT" -m epoll -t 300 "$MNT/mq/$id/type/7:in")" "type/7, epoll" || return 1
	assert_eq 1 "$(qnum "$id")" "the empty message is still queued" || return 1
	assert_eq "$(printf '' | od -An -c)" "$("$MQTOOL" recv "$id" 7 nowait | od -An -c)" "and empty"
}

test_edge_triggered_epoll_woken_for_each_new_message() {
	local id
	id=$(mq_mk 5) || return 1
	# An edge-triggered reader reads until EAGAIN, then waits for the next
	# event: each message sent afterwards must wake it.
	waiter w5 "$POLLWAIT" -m epollet -n 3 -t $T -r "$MNT/mq/$id/queue:in" || return 1
	"$MQTOOL" send "$id" 1 first || return 1
	# Each time drained and back in epoll_wait before the next message.
	until_true grep -q '^read 0 first$' "$WORK/w5" || return 1
	until_true waiter_asleep || return 1
	"$MQTOOL" send "$id" 1 second || return 1
	until_true grep -q '^read 0 second$' "$WORK/w5" || return 1
	until_true waiter_asleep || return 1
	"$MQTOOL" send "$id" 1 third || return 1
	assert_eq "$(nl_join waiting 0:in 'read 0 first' 0:in 'read 0 second' 0:in 'read 0 third')" \
		"$(woken w5)" "three edges, each drained" || return 1
	assert_eq 0 "$(qnum "$id")" "all taken"
}

test_pollout_on_a_full_queue_when_a_native_reader_takes_one() {
	local id
	id=$(mq_mk 6) || return 1
	"$MQTOOL" qbytes "$id" 16 || return 1
	"$MQTOOL" send "$id" 1 "0123456789abcdef" || return 1
	# Full: not even one more byte fits.
	assert_eq "$(nl_join waiting timeout)" "$("$POLLWAIT" -t 300 "$MNT/mq/$id/queue:out")" "full queue" || return 1
	for mode in poll epoll; do
		waiter w6 "$POLLWAIT" -m $mode -t $T "$MNT/mq/$id/queue:out" || return 1
		"$MQTOOL" recv "$id" 1 nowait >/dev/null || return 1
		assert_eq "$(nl_join waiting 0:out)" "$(woken w6)" "$mode: writable once a message is taken" || return 1
		"$MQTOOL" send "$id" 1 "0123456789abcdef" || return 1
	done
	# Writable means a write does not block (here: 1 byte fits again).
	"$MQTOOL" recv "$id" 1 nowait >/dev/null || return 1
	"$MQTOOL" send "$id" 1 "0123456789abcde" || return 1
	assert_eq "$(nl_join waiting 0:out)" "$("$POLLWAIT" -t 300 "$MNT/mq/$id/queue:out")" "one byte left" || return 1
	printf x | timeout "$HANG" dd of="$MNT/mq/$id/queue" bs=1 oflag=nonblock status=none || return 1
	assert_eq 2 "$(qnum "$id")" "sent"
}

test_nothing_happens_no_wakeup() {
	local id sid
	id=$(mq_mk 7) || return 1
	sid=$(sem_mk 8 2) || return 1
	"$SEMTOOL" setval "$sid" 1 1 || return 1
	for mode in poll epoll select; do
		assert_eq "$(nl_join waiting timeout)" "$("$POLLWAIT" -m $mode -t 700 \
			"$MNT/mq/$id/queue:in" "$MNT/mq/$id/lines:in" "$MNT/mq/$id/type/2:in" \
			"$MNT/sem/$sid/0:in" "$MNT/sem/$sid/1:pri")" "$mode: 700 ms with nothing ready" || return 1
	done
}

test_removed_queue_and_set_wake_with_err_hup() {
	local id sid
	id=$(mq_mk 9) || return 1
	sid=$(sem_mk 10 1) || return 1
	waiter w9 "$POLLWAIT" -t $T "$MNT/mq/$id/queue:in" "$MNT/sem/$sid/0:in" || return 1
	"$MQTOOL" rm "$id" || return 1
	assert_eq "$(nl_join waiting 0:in+err+hup)" "$(woken w9)" "queue removed" || return 1
	waiter w9s "$POLLWAIT" -m epoll -t $T "$MNT/sem/$sid/0:in" || return 1
	"$SEMTOOL" rm "$sid" || return 1
	assert_eq "$(nl_join waiting 0:in+err+hup)" "$(woken w9s)" "set removed"
}

# ---- semaphores ----

test_semaphore_in_when_p_would_not_block_pri_when_zero() {
	local sid f
	sid=$(sem_mk 11 1) || return 1
	f=$MNT/sem/$sid/0
	# Value 0: a P would block, zero would not; a V never blocks.
	assert_eq "$(nl_join waiting 0:out+pri)" "$("$POLLWAIT" -t 300 "$f:in+out+pri")" "value 0" || return 1
	for mode in poll epoll select; do
		waiter w11 "$POLLWAIT" -m $mode -t $T "$f:in" || return 1
		"$SEMTOOL" op "$sid" 0 +1 nowait >/dev/null || return 1
		assert_eq "$(nl_join waiting 0:in)" "$(woken w11)" "$mode: woken by a native V" || return 1
		waiter w11z "$POLLWAIT" -m $mode -t $T "$f:pri" || return 1
		"$SEMTOOL" op "$sid" 0 -1 nowait >/dev/null || return 1
		assert_eq "$(nl_join waiting 0:pri)" "$(woken w11z)" "$mode: woken by a native P to 0" || return 1
	done
	# What readiness promised holds: with the value 1, `-1` does not block.
	"$SEMTOOL" setval "$sid" 0 1 || return 1
	assert_eq "$(nl_join waiting 0:in+out)" "$("$POLLWAIT" -t 300 "$f:in+out+pri")" "value 1" || return 1
	assert_eq ok "$("$SEMTOOL" write "$f" -1 nonblock)" "P of 1 without blocking" || return 1
	assert_eq ok "$("$SEMTOOL" write "$f" zero nonblock)" "then zero without blocking"
}

# ---- Python's selectors ----

test_python_selectors_woken_by_native_msgsnd() {
	local id sel
	id=$(mq_mk 12) || return 1
	cat >"$WORK/sel.py" <<'EOF'
import os, selectors, sys
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_NONBLOCK)
sel = getattr(selectors, sys.argv[2])()
sel.register(fd, selectors.EVENT_READ)
print(type(sel).__name__, "ready at first:", sel.select(0.3), flush=True)
print("waiting", flush=True)
events = sel.select(int(sys.argv[3]) / 1000)
print("events:", [(key.fd == fd, mask) for key, mask in events], flush=True)
print("read:", os.read(fd, 65536).decode().rstrip("\n"), flush=True)
EOF
	for sel in DefaultSelector PollSelector SelectSelector; do
		waiter py python3 "$WORK/sel.py" "$MNT/mq/$id/lines" "$sel" "$T" || return 1
		"$MQTOOL" send "$id" 1 "for $sel" || return 1
		assert_match "ready at first: \[\]
waiting
events: \[\(True, 1\)\]
read: for $sel$" "$(woken py)" "python $sel" || return 1
	done
	assert_eq 0 "$(qnum "$id")" "all taken"
}

# ---- following a queue as a user would ----

test_cat_and_tail_n_plus_1_follow_lines_tail_f_does_not() {
	local id p
	id=$(mq_mk 13) || return 1
	# cat prints each message as it comes.
	"$MQTOOL" send "$id" 1 one || return 1
	spawn_out() { "$@" </dev/null >"$WORK/follow" 2>&1 & p=$!; track_pid "$p"; }
	spawn_out cat "$MNT/mq/$id/lines"
	until_true grep -qx one "$WORK/follow" || return 1
	"$MQTOOL" send "$id" 1 two || return 1
	until_true grep -qx two "$WORK/follow" || return 1
	kill "$p"
	until_ended "$p" || return 1
	# So does `tail -n +1 -f` (its output line-buffered, as on a terminal).
	spawn_out stdbuf -oL tail -n +1 -f "$MNT/mq/$id/lines"
	"$MQTOOL" send "$id" 1 three || return 1
	until_true grep -qx three "$WORK/follow" || return 1
	"$MQTOOL" send "$id" 1 four || return 1
	until_true grep -qx four "$WORK/follow" || return 1
	kill "$p"
	until_ended "$p" || return 1
	assert_eq 0 "$(qnum "$id")" "followed, all taken" || return 1
	# `tail -f` (last 10 lines, then follow) reads to the end of the file
	# first, and a queue has no end: it takes messages and prints none
	# (doc/design.md, "Readiness").  This states it; if it ever changes,
	# doc/design.md must too.
	spawn_out stdbuf -oL tail -f "$MNT/mq/$id/lines"
	"$MQTOOL" send "$id" 1 five || return 1
	# It took the message and waits in its next read, for an end that
	# never comes: until that read returns it prints nothing.
	until_true qnum_is "$id" 0 || return 1
	until_true blocked "$p" "$W_MSGRCV" || return 1
	assert_eq "" "$(cat "$WORK/follow")" "tail -f printed nothing" || return 1
	kill "$p"
	until_ended "$p"
}

# ---- many files, and nothing left behind ----

test_many_files_one_woken_then_no_cost_when_nobody_polls() {
	local ids=() files=() i n=100 t before after
	for i in $(seq $n); do
		ids+=("$("$MQTOOL" create private 600)") || return 1
		track_mq "${ids[-1]}"
		files+=("$MNT/mq/${ids[-1]}/queue:in")
	done
	for mode in epoll poll; do
		waiter w14 "$POLLWAIT" -m $mode -t $T -r "${files[@]}" || return 1
		"$MQTOOL" send "${ids[57]}" 1 "to 57 by $mode" || return 1
		assert_eq "$(nl_join waiting 57:in "read 57 to 57 by $mode")" "$(woken w14)" "$mode: one of $n" || return 1
	done
	# Waiters that time out or are killed while the poller checks their
	# files: their handles go with their files.
	for i in $(seq 10); do
		"$POLLWAIT" -m epoll -t 30 "${files[@]}" >/dev/null || return 1
	done
	waiter w14k "$POLLWAIT" -t $T "${files[@]}" || return 1
	kill -9 "$WAITER"
	until_ended "$WAITER" || return 1
	# Nobody polls now: the poller sleeps with no timeout and nothing wakes
	# it.  A poller still checking 100 files every 2 ms would wake hundreds
	# of times in the second below, on any machine; an idle one not once.
	until_true poller_idle || return 1
	t=$(poller_task) || return 1
	before=$(wakeups "$t")
	sleep 1	# the span watched, after the state that decides was proved
	after=$(wakeups "$t")
	assert_eq "$before" "$after" "times the idle poller woke in 1 s (switch count before = after)" || return 1
	poller_idle || { echo "# the poller left its untimed wait"; return 1; }
	assert_alive
}

run_tests
