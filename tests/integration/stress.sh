#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# stress.sh - many clients at once, through the mount and natively side
# by side; then every byte and every message is accounted for.  The load comes from tests/helpers/stresstool (see its
# header):
#
#   mq   writers on queue, lines, type/2 and native msgsnd, STRESS_MAX
#        messages each; readers on queue, lines, type/2 and native
#        msgrcv until all are received; every message carries its
#        writer, sequence number and a checksum, and the payload is a
#        function of them.  Afterwards sent = received, message by
#        message: none lost, none twice, none corrupt.
#   shm  writers at disjoint (unaligned) offsets of one segment, through
#        `data` and shmat, while a reader streams the whole file; every
#        byte is then the last pattern its writer wrote, read both ways.
#   sem  processes doing STRESS_SEM_ITERS P/V pairs each through the mount
#        (P by sem/ID/0, V by sem/0xKEY/0) and natively around a counter
#        in a segment: the counter ends exact and no process ever saw
#        another inside, so the semaphore really excluded.
#
# The mq and sem phases are counts, whatever time they take (a slow
# machine takes longer, with the same verdict); the shm phase lasts
# STRESS_SECONDS (default 8), and its verdict is every byte's, however
# many passes were made.  A phase still running after BULK seconds hangs.
# Figures go to the output as "# figure:" lines.
. "$(dirname "$0")/../lib.sh"
keyrange 0x1fc5d0
ST=$BUILD/stresstool
SECS=${STRESS_SECONDS:-8}
# Per writer: tens of thousands in all.
MAX_PER_WRITER=${STRESS_MAX:-20000}
# A phase's bound: a hang, far above what it takes (some seconds quiet).
BULK=$((5 * HANG + SECS))

ipcfs_mount || exit 1

# wait_all PID...: wait for each (after BULK seconds, one still running
# hangs: it is shown and killed); fails if any exits non-zero.
wait_all() {
	local p rc=0
	HANG=$BULK until_ended "$@" || { kill -9 "$@" 2>/dev/null; return 1; }
	for p in "$@"; do wait "$p" || rc=1; done
	return $rc
}
# alrm_ended PID: SIGALRM (a stresstool's deadline, now); has it ended?
# (A signal that came before a read began does not end that read.)
alrm_ended() { kill -ALRM "$1" 2>/dev/null; ended "$1"; }

test_mq_writers_and_readers_lose_nothing() {
	local id d w senders=() readers=() p i n sent=0 recv=0 queued bytes=0 out
	id=$("$MQTOOL" create "$(key 1)" 600) || return 1
	# A small queue, so that writers wait on it full as readers wait on it
	# empty.
	"$MQTOOL" qbytes "$id" 8192 || return 1
	d=$MNT/mq/$id
	i=0
	for w in "$d/queue" "$d/queue" "$d/lines" "$d/type/2" "native:$id:1" "native:$id:3"; do
		bg "$WORK/send$i" "$ST" mq-send "$w" "$i" "$BULK" "$MAX_PER_WRITER"
		senders+=("$BG")
		i=$((i + 1))
	done
	i=0
	for w in "$d/queue" "$d/queue" "$d/lines" "$d/type/2" "native:$id" "native:$id:3"; do
		bg "$WORK/recv$i" "$ST" mq-recv "$w" "$BULK" "$WORK/log$i"
		readers+=("$BG")
		i=$((i + 1))
	done
	# Meanwhile, the non-destructive views are read under load, for as
	# long as the load lasts.
	while ! ended "${senders[0]}"; do
		ls "$d/messages" >/dev/null 2>&1
		cat "$d/qnum" "$d/cbytes" "$MNT/summary" >/dev/null
	done
	wait_all "${senders[@]}" || { tail -n 3 "$WORK"/send* "$WORK"/recv*; return 1; }
	# Everything sent is received (readers of any type take every kind),
	# then the readers are stopped as their deadline would.
	HANG=$BULK until_true qnum_is "$id" 0 || return 1
	for p in "${readers[@]}"; do HANG=$BULK until_true alrm_ended "$p" || return 1; done
	wait_all "${readers[@]}" || { tail -n 3 "$WORK"/recv*; return 1; }
	: >"$WORK/sent"
	for i in 0 1 2 3 4 5; do
		n=$(field "$WORK/send$i" sent)
		echo "$i $n" >>"$WORK/sent"
		sent=$((sent + n))
		bytes=$((bytes + $(field "$WORK/send$i" bytes)))
		recv=$((recv + $(field "$WORK/recv$i" received)))
	done
	"$ST" mq-drain "$id" "$WORK/queued" >"$WORK/drain" || { cat "$WORK/drain"; return 1; }
	queued=$(field "$WORK/drain" drained)
	out=$("$ST" mq-check 0 0 "$WORK/sent" "$WORK/queued" "$WORK"/log*) || { echo "# $out"; return 1; }
	figure "mq: $sent messages ($bytes bytes) sent by 6 writers (4 through the mount)," \
		"$recv received by 6 readers (4 through the mount), $queued still queued; $out"
	assert_eq "$sent" "$((recv + queued))" "sent = received + queued" || return 1
	assert_eq $((6 * MAX_PER_WRITER)) "$sent" "messages sent" || return 1
	assert_eq 0 "$("$MQTOOL" count "$id")" "queue empty after the drain" || return 1
	assert_alive
}

test_shm_disjoint_writers_every_byte_right() {
	local size=$((4 << 20)) id parts=6 r i off len pids=() passes bytes=0 checked=0 t
	id=$("$SHMTOOL" create "$(key 2)" "$size" 600) || return 1
	# Unaligned regions, so writes straddle pages and region borders.
	r=$((size / parts))
	for i in $(seq 0 $((parts - 1))); do
		off=$((i * r))
		len=$r
		[ "$i" -eq $((parts - 1)) ] && len=$((size - off))
		t=$MNT/shm/$id/data
		[ "$i" -eq 4 ] && t=native:$id
		echo "$off $len $((1000 + i)) $t" >>"$WORK/regions"
		bg "$WORK/shm$i" "$ST" shm-write "$t" "$off" "$len" "$((1000 + i))" "$SECS"
		pids+=("$BG")
	done
	bg "$WORK/shmread" "$ST" shm-read "$MNT/shm/$id/data" "$SECS"
	pids+=("$BG")
	wait_all "${pids[@]}" || { tail -n 3 "$WORK"/shm*; return 1; }
	i=0
	while read -r off len seed t; do
		passes=$(field "$WORK/shm$i" passes)
		bytes=$((bytes + $(field "$WORK/shm$i" bytes)))
		# The last pass, read natively and through the mount.
		for t in "native:$id" "$MNT/shm/$id/data"; do
			"$ST" shm-verify "$t" "$off" "$len" "$seed" "$passes" >"$WORK/verify" ||
				{ echo "# region $i via $t:"; cat "$WORK/verify"; return 1; }
			checked=$((checked + $(field "$WORK/verify" checked)))
		done
		i=$((i + 1))
	done <"$WORK/regions"
	assert_eq $((2 * size)) "$checked" "bytes checked" || return 1
	figure "shm: $bytes bytes written by $parts writers (5 through the mount) while" \
		"$(field "$WORK/shmread" read) bytes were read; $checked bytes checked, 0 wrong"
	assert_alive
}

# sem_pv_run PATH...: one sem-count process per PATH (a file of the mount
# or native:ID:0) around a counter; checks the counter and the semaphore.
sem_pv_run() {
	local sid=$SID cid=$CID i=0 t pids=() done_total=0 iters=${STRESS_SEM_ITERS:-600}
	"$SEMTOOL" setval "$sid" 0 1 || return 1
	"$ST" sem-init "$cid" || return 1
	for t in "$@"; do
		bg "$WORK/sem$i" "$ST" sem-count "$t" "$cid" "$iters" "$BULK"
		pids+=("$BG")
		i=$((i + 1))
	done
	wait_all "${pids[@]}" || { tail -n 3 "$WORK"/sem*; return 1; }
	for i in $(seq 0 $(($# - 1))); do
		done_total=$((done_total + $(field "$WORK/sem$i" done)))
		assert_eq 0 "$(field "$WORK/sem$i" overlaps)" "process $i saw another inside" || return 1
	done
	assert_eq "$done_total" "$("$ST" sem-counter "$cid")" "counter = P/V pairs done" || return 1
	assert_eq 1 "$("$SEMTOOL" getval "$sid" 0)" "semaphore released" || return 1
	assert_eq 1 "$(cat "$MNT/sem/$sid/0")" "as the mount shows it" || return 1
	assert_eq $(($# * iters)) "$done_total" "P/V pairs done" || return 1
	PAIRS=$done_total
}

sem_pv_setup() {
	SID=$("$SEMTOOL" create "$(key "$1")" 1 600) || return 1
	CID=$("$SHMTOOL" create "$(key "$2")" 4096 600) || return 1
}

# Through the mount, P by id and V by key (two names, two files: a V
# must not wait for the kernel's file lock that a blocked P holds, see the
# notes of doc/design.md, "Semaphores from the shell"), and natively beside them.
test_sem_pv_pairs_exclude_around_a_counter() {
	local pv
	sem_pv_setup 3 4 || return 1
	pv=$MNT/sem/$SID/0,$MNT/sem/$(key 3)/0
	sem_pv_run "$pv" "$pv" "$pv" "$pv" "native:$SID:0" "native:$SID:0" || return 1
	figure "sem: $PAIRS P/V pairs by 6 processes (4 through the mount), counter exact, 0 overlaps"
	assert_alive
}

run_tests
