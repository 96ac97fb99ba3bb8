#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# leaks.sh - the daemon under valgrind (memcheck, full leak check) through
# a workload that reaches every kind of request: random operations and
# nonsense from tests/helpers/randops, blocked P and receives ended by a
# signal (a message put back), a removal under waiters, an unfinished
# `lines` tail sent at close, E2BIG, interned type/<N> names, the
# generated views.
# After the unmount, valgrind's report must say "ERROR SUMMARY: 0 errors"
# and lose nothing definitely.
#
# With an ASan build (the second pass of `make check`) valgrind cannot run;
# the same workload then runs under ASan/LSan, whose report at exit is
# checked instead.  Everything happens in a private IPC namespace.
. "$(dirname "$0")/../lib.sh"
keyrange 0x1fc5d2
RO=$BUILD/randops
ST=$BUILD/stresstool
MQTOOL=$BUILD/mqtool
SEMTOOL=$BUILD/semtool
SHMTOOL=$BUILD/shmtool

if ldd "$IPCFS" | grep -q libasan; then
	CHECKER=asan
elif command -v valgrind >/dev/null; then
	CHECKER=valgrind
	IPCFS_VALGRIND=1
else
	CHECKER=none
fi
ipc_ns_new || exit 1
if [ "$CHECKER" != none ]; then
	ipcfs_mount -o "ns=/proc/$NSPID/ns/ipc,sem_nsems=2,timeout=0" || exit 1
fi


test_1_random_operations() {
	local i pids=() ssem smq
	[ "$CHECKER" = none ] && skip "neither valgrind nor an ASan build"
	ssem=$(in_ns "$SEMTOOL" create "$(key 240)" 1 666) || return 1
	in_ns "$SEMTOOL" setval "$ssem" 0 100 || return 1
	smq=$(in_ns "$MQTOOL" create "$(key 241)" 666) || return 1
	mkdir -m 777 "$WORK/out"
	for i in 0 1; do
		# nsenter execs the program: $! is its pid.
		if [ "$i" -eq 1 ]; then
			nsenter -t "$NSPID" --ipc $NOBODY env RANDOPS_SEM_NSEMS=2 "$RO" "$MNT" \
				"$(key $((i * 32)))" $((42 + i)) 400 120 "$ssem" "$smq" "$WORK/out/$i" \
				>"$WORK/out/$i.log" 2>&1 &
		else
			nsenter -t "$NSPID" --ipc env RANDOPS_SEM_NSEMS=2 "$RO" "$MNT" \
				"$(key $((i * 32)))" $((42 + i)) 400 120 "$ssem" "$smq" "$WORK/out/$i" \
				>"$WORK/out/$i.log" 2>&1 &
		fi
		pids+=($!)
		track_pid $!
	done
	for i in 0 1; do
		wait "${pids[$i]}" || { grep -m 5 -E 'WRONG|UNEXP' "$WORK/out/$i.log"; return 1; }
	done
	figure "leaks: $(cat "$WORK"/out/[01] | awk '$1 == "stats" {n += $2} END {print n}') random operations under $CHECKER"
}

test_2_blocked_calls_ended_by_signals_and_removal() {
	local sid qid q2 p r r2 w
	[ "$CHECKER" = none ] && skip "neither valgrind nor an ASan build"
	sid=$(in_ns "$SEMTOOL" create "$(key 100)" 2 600) || return 1
	qid=$(in_ns "$MQTOOL" create "$(key 101)" 600) || return 1
	q2=$(in_ns "$MQTOOL" create "$(key 102)" 600) || return 1
	# A P ended by Ctrl-C; a P released by a native V.
	bg "$WORK/p" "$SEMTOOL" write "$MNT/sem/$sid/0" -1 handler
	p=$BG
	until_true blocked "$p" "$W_SEMOP" || return 1
	kill -INT "$p"
	until_ended "$p" || return 1
	assert_match "Interrupted" "$(cat "$WORK/p")" "P interrupted" || return 1
	bg "$WORK/p" "$SEMTOOL" write "$MNT/sem/$sid/1" -1
	p=$BG
	until_true blocked "$p" "$W_SEMOP" || return 1
	in_ns "$SEMTOOL" op "$sid" 1 1 >/dev/null || return 1
	until_ended "$p" || return 1
	assert_eq ok "$(cat "$WORK/p")" "P released" || return 1
	# Readers: one released by a message, one interrupted.
	reader_start "$WORK/r" "$MNT/mq/$qid/queue" "$WORK/rlog" || return 1
	r=$READER
	until_true blocked "$r" "$W_MSGRCV" || return 1
	in_ns "$MQTOOL" send "$qid" 1 first || return 1
	# Received (logged), and waiting again; then interrupted there.
	until_true grep -qx first "$WORK/rlog" || return 1
	until_true blocked "$r" "$W_MSGRCV" || return 1
	until_true term_ended "$r" || return 1
	assert_eq first "$(cat "$WORK/rlog")" "message received" || return 1
	# A `lines` reader waiting, and a writer blocked on a full queue: the
	# queue removed under them.
	echo 8 >"$MNT/mq/$qid/qbytes" || return 1
	printf 12345678 >"$MNT/mq/$qid/type/1000000000000" || return 1
	bg "$WORK/w" "$SEMTOOL" write "$MNT/mq/$qid/queue" blocked
	w=$BG
	bg "$WORK/r2" "$ST" mq-recv "$MNT/mq/$q2/lines" 30 "$WORK/r2log"
	r2=$BG
	until_true blocked "$w" "$W_MSGSND" && until_true blocked "$r2" "$W_MSGRCV" || return 1
	rmdir "$MNT/mq/$qid" "$MNT/mq/$q2" || return 1
	until_ended "$w" "$r2" || return 1
	assert_eq "Identifier removed" "$(cat "$WORK/w")" "writer under removal" || return 1
	rmdir "$MNT/sem/$sid" || return 1
}

test_3_files_of_every_kind() {
	local id q h
	[ "$CHECKER" = none ] && skip "neither valgrind nor an ASan build"
	mkdir "$MNT/shm/$(key 110)" "$MNT/sem/$(key 111)" "$MNT/mq/$(key 112)" || return 1
	id=$(cat "$MNT/shm/$(key 110)/id")
	q=$(cat "$MNT/mq/$(key 112)/id")
	bg "$WORK/h" nsenter -t "$NSPID" --ipc "$SHMTOOL" hold "$id"
	h=$BG
	until_true grep -qx attached "$WORK/h" || return 1
	cat "$MNT/shm/$id/attached" "$MNT/shm/$id/info" "$MNT/limits" "$MNT/summary" \
		"$MNT/metrics" >/dev/null || return 1
	echo hello >"$MNT/shm/$id/data" || return 1
	truncate -s 100 "$MNT/shm/$id/data" || return 1
	echo "private 3 600" >"$MNT/sem/new" || return 1
	# A message too big for the reader's buffer: E2BIG, left queued.
	head -c 3000 /dev/zero | tr '\0' x >"$MNT/mq/$q/type/7" || return 1
	assert_fails "Argument list too long" dd if="$MNT/mq/$q/type/7" bs=8 count=1 \
		status=none iflag=nonblock of=/dev/null || return 1
	# An unfinished last line, sent when the file is closed (then, not
	# before close(2) returns: the release comes after).
	printf 'a\nb\nunfinished' >"$MNT/mq/$q/lines" || return 1
	eventually_eq 4 "3000 x, a, b, unfinished" cat "$MNT/mq/$q/qnum" || return 1
	ls -l "$MNT/mq/$q/messages" "$MNT/mq/$q/type" >/dev/null || return 1
	assert_eq unfinished "$(cat "$MNT/mq/$q/messages/3.type1")" "the last line" || return 1
	dd if="$MNT/mq/$q/lines" bs=64k count=1 status=none iflag=nonblock >/dev/null || return 1
	ls -lR "$MNT" >/dev/null 2>&1
	kill "$h"
	until_ended "$h" || return 1
	rmdir "$MNT/shm/$(key 110)" "$MNT/sem/$(key 111)" "$MNT/mq/$(key 112)" || return 1
	assert_alive
}

# Last: unmount, let the daemon exit, read the checker's report.
test_4_checker_report_is_clean() {
	local pid l
	[ "$CHECKER" = none ] && skip "neither valgrind nor an ASan build"
	pid=$(tail -1 "$WORK/track.daemon")
	fusermount3 -u "$MNT" || return 1
	# valgrind writes its report as the daemon exits: as long as that
	# takes (HANG catches a hang).
	until_ended "$pid" || { echo "# the daemon did not exit after the unmount"; return 1; }
	if [ "$CHECKER" = valgrind ]; then
		l=$(ls "$WORK"/valgrind.*.log | head -1)
		grep -q 'ERROR SUMMARY: 0 errors' "$l" || { grep -E 'ERROR SUMMARY|Invalid|uninit|lost' "$l" | head; return 1; }
		grep -Eq 'definitely lost: [1-9]' "$l" && { grep -A3 'definitely lost' "$l"; return 1; }
		figure "leaks: valgrind: $(grep -o 'ERROR SUMMARY: [0-9]* errors' "$l");" \
			"$(grep -o 'definitely lost: [0-9,]* bytes' "$l" || echo 'no leak possible')"
	else
		grep -q LeakSanitizer "$LOG" && { head -30 "$LOG"; return 1; }
		figure "leaks: ASan/LSan: no report at the daemon's exit"
	fi
	return 0
}

run_tests
