#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# crash.sh - faults: the daemon killed with SIGKILL under load and with
# clients blocked in it, and objects removed by another program while the
# mount is using them.
#
# System V objects belong to the kernel, so a dead daemon must leave every
# object and byte as it was; its clients must get an error instead of
# hanging; the mount point must come clean with `fusermount3 -uz`; a new
# daemon must serve the same objects.  doc/design.md's "After a crash" section
# says what users do, and these tests do exactly that, step by step (each
# step is a "# figure: crash step" line).
. "$(dirname "$0")/../lib.sh"
keyrange 0x1fc5d1
ST=$BUILD/stresstool
STEPS=0
step() { STEPS=$((STEPS + 1)); figure "crash step $STEPS: $*"; }
# The load's deadline: far away (a hang).  The clients through the mount
# end with the daemon; the native ones are stopped then (alrm_ended).
LOAD=$((5 * HANG))

ipcfs_mount || exit 1

# alrm_ended PID: SIGALRM (a stresstool's deadline, now); has it ended?
alrm_ended() { kill -ALRM "$1" 2>/dev/null; ended "$1"; }
# at_work PID...: each has a file of the mount open (the clients through it).
at_work() {
	local p
	for p in "$@"; do
		ls -l "/proc/$p/fd" 2>/dev/null | grep -qF " -> $MNT/" || return 1
	done
}
# received_and_sent QID: the queue has had both (the kernel's times).
received_and_sent() {
	! ipcs -q -i "$1" | grep -Eq '(send|rcv)_time=Not set'
}
# counted CID: the P/V pairs' counter in segment CID has moved.
counted() { [ "$("$ST" sem-counter "$1")" -gt 0 ]; }
# waiting RECEIVES SENDS PID...: every PID waits on the mount, and the
# daemon waits for them in that many msgrcv and msgsnd.
waiting() {
	local r=$1 w=$2 p
	shift 2
	for p in "$@"; do on_mount "$p" || return 1; done
	daemon_sleeping "$W_MSGRCV" && [ "$DAEMON_SLEEPING" -ge "$r" ] &&
		daemon_sleeping "$W_MSGSND" && [ "$DAEMON_SLEEPING" -ge "$w" ]
}

# The daemon of the current mount, killed: SIGKILL, no chance to clean up.
kill_daemon() {
	local pid
	pid=$(tail -1 "$WORK/track.daemon")
	kill -9 "$pid" || return 1
	until_ended "$pid" || return 1
	# No longer one that assert_alive should find alive.
	sed -i "/^$pid\$/d" "$WORK/track.daemon"
}

# one_message FILE: read(2) once from a queue file, as a program taking
# one message would (cat would go on to wait for the next).
one_message() { dd if="$1" bs=65536 count=1 status=none; }

# After the crash: the mount point says ENOTCONN, cannot be mounted over,
# and `fusermount3 -uz` cleans it (doc/design.md, "After a crash").
clean_dead_mount() {
	assert_fails "Transport endpoint is not connected" ls "$MNT" || return 1
	step "the dead mount point answers ENOTCONN (Transport endpoint is not connected)"
	# stat(2) may still answer from the attributes the kernel cached (for
	# `timeout`, 1 s): until then, libfuse's own stat of the mount point
	# succeeds and a new daemon mounts over the dead mount instead of
	# refusing (so doc/design.md says to unmount first).  `[ -d ]` is the
	# same stat(2); coreutils' stat asks for more and always fails.
	until_true test ! -d "$MNT" || return 1
	assert_fails "Transport endpoint is not connected" timeout "$HANG" "$IPCFS" -f "$MNT" || return 1
	step "a new daemon refuses the dead mount point until it is cleaned"
	fusermount3 -uz "$MNT" || return 1
	# (mountpoint(1) says "no" for a dead mount: ask /proc/mounts.)
	grep -q " $MNT fuse" /proc/mounts && { echo "# still a mount point"; return 1; }
	step "fusermount3 -uz detaches the dead mount"
}

# A new daemon on the same mount point, as `ipcfs MNT` after a crash.
remount() {
	local pid log=$WORK/daemon-again$STEPS.log
	"$IPCFS" -f "$MNT" </dev/null >>"$log" 2>&1 &
	pid=$!
	echo "$pid" >>"$WORK/track.daemon"
	until_true up_or_ended "$MNT" "$pid" || return 1
	mountpoint -q "$MNT" && { step "a new daemon mounts the same mount point"; return 0; }
	echo "# remount failed: $(cat "$log")"
	return 1
}

# The objects of key N: still there, with the same id.
same_id() { assert_eq "$2" "$(ipcs -"$1" | awk -v k="$(key "$3")" '$1 == k {print $2}')" "id of key $3"; }

test_sigkill_in_the_middle_of_the_stress() {
	local load=$LOAD qid shmid sid cid d fs=() native=() i p sent=0 queued out lost extra
	local held=0 done_total=0 v
	ipcfs_mount || return 1	# its own daemon, to kill
	qid=$("$MQTOOL" create "$(key 1)" 600) || return 1
	"$MQTOOL" qbytes "$qid" 8192 || return 1
	shmid=$("$SHMTOOL" create "$(key 2)" $((1 << 20)) 600) || return 1
	sid=$("$SEMTOOL" create "$(key 3)" 1 600) || return 1
	"$SEMTOOL" setval "$sid" 0 1 || return 1
	cid=$("$SHMTOOL" create "$(key 4)" 4096 600) || return 1
	"$ST" sem-init "$cid" || return 1
	# The first half of the segment is written before the crash and
	# must come through it byte for byte.
	"$ST" shm-write "native:$shmid" 0 $((1 << 19)) 7 0 >/dev/null || return 1

	d=$MNT/mq/$qid
	i=0
	for t in "$d/queue" "$d/lines" "native:$qid"; do
		bg "$WORK/send$i" "$ST" mq-send "$t" "$i" "$load" 1000000
		[ "${t#native}" = "$t" ] && fs+=("$BG") || native+=("$BG")
		i=$((i + 1))
	done
	i=0
	for t in "$d/queue" "$d/queue" "native:$qid"; do
		bg "$WORK/recv$i" "$ST" mq-recv "$t" "$load" "$WORK/log$i"
		[ "${t#native}" = "$t" ] && fs+=("$BG") || native+=("$BG")
		i=$((i + 1))
	done
	bg "$WORK/shmw" "$ST" shm-write "$MNT/shm/$shmid/data" $((1 << 19)) $((1 << 19)) 8 "$load"
	fs+=("$BG")
	i=0
	for t in "$MNT/sem/$sid/0" "$MNT/sem/$(key 3)/0" "native:$sid:0"; do
		bg "$WORK/sem$i" "$ST" sem-count "$t" "$cid" 1000000 "$load"
		[ "${t#native}" = "$t" ] && fs+=("$BG") || native+=("$BG")
		i=$((i + 1))
	done
	# In the middle of it: every client through the mount at work,
	# messages sent and received, P/V pairs done.
	until_true at_work "${fs[@]}" || return 1
	until_true received_and_sent "$qid" || return 1
	until_true counted "$cid" || return 1

	kill_daemon || return 1
	step "SIGKILL to the daemon in the middle of the stress (6 clients through the mount, 4 native)"
	until_ended "${fs[@]}" || return 1
	grep -hqE "connection abort|not connected" "$WORK"/send0 "$WORK"/recv0 "$WORK"/shmw ||
		{ echo "# no client saw the connection go"; tail -n 2 "$WORK"/send* "$WORK"/recv*; return 1; }
	step "every client blocked in or using the mount got an error (ECONNABORTED/ENOTCONN), none hung"
	clean_dead_mount || return 1

	same_id q "$qid" 1 && same_id m "$shmid" 2 && same_id s "$sid" 3 && same_id m "$cid" 4 || return 1
	assert_eq $((1 << 20)) "$(ipcs -m -i "$shmid" | sed -n 's/.*bytes=\([0-9]*\).*/\1/p')" "size" ||
		return 1
	out=$("$ST" shm-verify "native:$shmid" 0 $((1 << 19)) 7 1) || { echo "# $out"; return 1; }
	step "the kernel objects are intact: same ids and sizes, the bytes written before: $out"

	# The native clients, stopped as their deadline would.
	for p in "${native[@]}"; do until_true alrm_ended "$p" || return 1; done
	remount || return 1
	# The new daemon serves the same objects, as the kernel has them.
	ls "$MNT/mq" | grep -qx "$qid" || { echo "# queue not listed"; return 1; }
	assert_eq "$("$MQTOOL" count "$qid")" "$(cat "$MNT/mq/$qid/qnum")" "qnum, native and mounted" ||
		return 1
	"$ST" shm-verify "$MNT/shm/$shmid/data" 0 $((1 << 19)) 7 1 >/dev/null || return 1
	cmp <("$SHMTOOL" read "$shmid" 0 $((1 << 20))) "$MNT/shm/$shmid/data" ||
		{ echo "# segment differs between native and mounted reads"; return 1; }
	assert_eq "$("$SEMTOOL" getval "$sid" 0)" "$(cat "$MNT/sem/$sid/0")" "semaphore value" || return 1
	step "the new daemon shows what native reads show (queue count, 1 MiB of segment, semaphore)"

	# Messages: every one accepted is delivered or still queued, except
	# one a reader through the mount had been given by msgrcv when the
	# daemon died (doc/design.md: only a message in flight can be lost).
	: >"$WORK/sent"
	for i in 0 1 2; do
		echo "$i $(field "$WORK/send$i" sent)" >>"$WORK/sent"
		sent=$((sent + $(field "$WORK/send$i" sent)))
	done
	"$ST" mq-drain "$qid" "$WORK/queued" >"$WORK/drain" || return 1
	queued=$(field "$WORK/drain" drained)
	# Allowed: one in flight per reader through the mount (2); sent but
	# never acknowledged, one for the queue writer and up to 8 for the
	# lines writer (a write of several lines cut off after some went).
	out=$("$ST" mq-check 2 9 "$WORK/sent" "$WORK/queued" "$WORK"/log*) || { echo "# $out"; return 1; }
	lost=$(echo "$out" | awk '{print $6}')
	extra=$(echo "$out" | awk '{print $10}')
	step "messages: $out ($queued still queued after the crash)"
	figure "crash: $sent messages accepted, $lost lost in flight at the SIGKILL, $extra sent but unacknowledged"

	# The semaphore: the counter is exact; value + holders cut off inside
	# = 1, or 0 if the daemon died holding a granted P it could not report.
	for i in 0 1 2; do
		done_total=$((done_total + $(field "$WORK/sem$i" done)))
		held=$((held + $(field "$WORK/sem$i" held)))
		assert_eq 0 "$(field "$WORK/sem$i" overlaps)" "overlaps $i" || return 1
	done
	assert_eq "$done_total" "$("$ST" sem-counter "$cid")" "counter" || return 1
	v=$("$SEMTOOL" getval "$sid" 0)
	[ $((v + held)) -le 1 ] || { echo "# value $v with $held holders"; return 1; }
	step "semaphore: counter exact ($done_total), value $v, $held holder(s) cut off inside, $((1 - v - held)) P granted in flight"
	# Serving: writes through the new mount reach the kernel.
	echo 1 >"$MNT/sem/$sid/0" || return 1
	assert_eq 1 "$("$SEMTOOL" getval "$sid" 0)" "SETVAL through the new mount" || return 1
	echo hello >"$MNT/mq/$qid/queue" || return 1
	assert_eq hello "$(one_message "$MNT/mq/$qid/queue")" "a message through the new mount" || return 1
	step "the new daemon serves writes and reads"
	figure "crash: $STEPS recovery steps verified under load"
	assert_alive
}

# Clients blocked in the daemon when it dies: readers of an empty queue,
# writers of a full one, P and wait-for-zero.  None of them had been
# given anything, so nothing may change.
test_sigkill_with_clients_blocked_changes_nothing() {
	local q1 q2 s1 s2 pids=() i
	ipcfs_mount || return 1
	q1=$("$MQTOOL" create "$(key 10)" 600) || return 1
	q2=$("$MQTOOL" create "$(key 11)" 600) || return 1
	"$MQTOOL" qbytes "$q2" 16 || return 1
	"$MQTOOL" send "$q2" 5 0123456789abcdef || return 1
	s1=$("$SEMTOOL" create "$(key 12)" 1 600) || return 1
	s2=$("$SEMTOOL" create "$(key 13)" 1 600) || return 1
	"$SEMTOOL" setval "$s2" 0 1 || return 1
	for i in 0 1; do
		bg "$WORK/r$i" "$ST" mq-recv "$MNT/mq/$q1/queue" "$LOAD" "$WORK/rlog$i"
		pids+=("$BG")
	done
	bg "$WORK/r2" "$ST" mq-recv "$MNT/mq/$q1/lines" "$LOAD" "$WORK/rlog2"
	pids+=("$BG")
	bg "$WORK/r3" "$ST" mq-recv "$MNT/mq/$q1/type/7" "$LOAD" "$WORK/rlog3"
	pids+=("$BG")
	bg "$WORK/w0" "$SEMTOOL" write "$MNT/mq/$q2/queue" blocked-writer
	pids+=("$BG")
	bg "$WORK/w1" "$SEMTOOL" write "$MNT/mq/$q2/type/9" blocked-writer
	pids+=("$BG")
	bg "$WORK/p0" "$SEMTOOL" write "$MNT/sem/$s1/0" -1
	pids+=("$BG")
	bg "$WORK/z0" "$SEMTOOL" write "$MNT/sem/$s2/0" zero
	pids+=("$BG")
	# All of them waiting on the mount, and the daemon for them in the
	# kernel's msgrcv (4), msgsnd (2) and semop (P and zero).
	until_true waiting 4 2 "${pids[@]}" || return 1
	until_true ncnt_is "$s1" 0 1 || return 1
	until_true zcnt_is "$s2" 0 1 || return 1
	kill_daemon || return 1
	step "SIGKILL to the daemon with 8 clients blocked in it"
	until_ended "${pids[@]}" || return 1
	step "the 8 blocked clients got an error, none hung"
	assert_eq "0 0" "$("$SEMTOOL" getval "$s1" 0) $("$SEMTOOL" ncnt "$s1" 0)" "P: value, waiters" ||
		return 1
	assert_eq "1 0" "$("$SEMTOOL" getval "$s2" 0) $("$SEMTOOL" zcnt "$s2" 0)" "zero: value, waiters" ||
		return 1
	assert_eq 0 "$("$MQTOOL" count "$q1")" "empty queue" || return 1
	assert_eq 1 "$("$MQTOOL" count "$q2")" "full queue: only its message" || return 1
	assert_eq 0123456789abcdef "$("$MQTOOL" recv "$q2" 0 nowait)" "its message" || return 1
	for i in 0 1 2 3; do
		[ -s "$WORK/rlog$i" ] && { echo "# reader $i received something"; return 1; }
	done
	step "nothing changed: no P taken, no message sent or taken, no waiter left in the kernel"
	clean_dead_mount || return 1
	remount || return 1
	"$MQTOOL" send "$q1" 7 after-the-crash || return 1
	assert_eq after-the-crash "$(one_message "$MNT/mq/$q1/type/7")" "received through the new mount" ||
		return 1
	assert_alive
}

# Objects removed by another program (ipcrm, or the tools) while the
# mount is using them: open `data`, a blocked P and zero-wait, blocked
# readers and writers.  Each gets a clear error at once; the daemon lives.
test_removed_while_in_use_gives_clear_errors() {
	local shm s q1 q2 pids=() i
	shm=$("$SHMTOOL" create "$(key 20)" 4096 600) || return 1
	s=$("$SEMTOOL" create "$(key 21)" 2 600) || return 1
	"$SEMTOOL" setval "$s" 1 1 || return 1
	q1=$("$MQTOOL" create "$(key 22)" 600) || return 1
	q2=$("$MQTOOL" create "$(key 23)" 600) || return 1
	"$MQTOOL" qbytes "$q2" 4 || return 1
	"$MQTOOL" send "$q2" 1 full || return 1

	# shm: an open data file keeps working, as an mmap of a removed
	# segment does; it holds no attachment, so the segment and its names
	# go at once.
	exec 7<>"$MNT/shm/$shm/data"
	ipcrm -m "$shm" || return 1
	printf 'still-mapped' >&7 || { exec 7>&-; return 1; }
	assert_eq still-mapped "$(python3 -c 'import os; print(os.pread(7, 12, 0).decode())')" \
		"read back after removal" || { exec 7>&-; return 1; }
	exec 7>&-
	ipc_exists m "$shm" && { echo "# an open data kept the segment"; return 1; }
	assert_fails "No such file" cat "$MNT/shm/$shm/info" || return 1

	# sem and mq: blocked writers and readers get "Identifier removed".
	bg "$WORK/p" "$SEMTOOL" write "$MNT/sem/$s/0" -1
	pids+=("$BG")
	bg "$WORK/z" "$SEMTOOL" write "$MNT/sem/$s/1" zero
	pids+=("$BG")
	bg "$WORK/r" "$ST" mq-recv "$MNT/mq/$q1/queue" "$LOAD" "$WORK/rlog"
	pids+=("$BG")
	bg "$WORK/l" "$ST" mq-recv "$MNT/mq/$q1/lines" "$LOAD" "$WORK/llog"
	pids+=("$BG")
	bg "$WORK/w" "$SEMTOOL" write "$MNT/mq/$q2/queue" more
	pids+=("$BG")
	until_true waiting 2 1 "${pids[@]}" || return 1
	until_true ncnt_is "$s" 0 1 || return 1
	until_true zcnt_is "$s" 1 1 || return 1
	ipcrm -s "$s" -q "$q1" || return 1
	"$MQTOOL" rm "$q2" || return 1
	until_ended "${pids[@]}" || return 1
	for f in p z w; do
		assert_eq "Identifier removed" "$(cat "$WORK/$f")" "blocked writer $f" || return 1
	done
	for f in r l; do
		assert_match "Identifier removed" "$(cat "$WORK/$f")" "blocked reader $f" || return 1
	done
	# The names are gone, with ENOENT, from every file of them.
	assert_fails "No such file" cat "$MNT/sem/$s/values" || return 1
	assert_fails "No such file" ls "$MNT/mq/$q1/messages" || return 1
	assert_fails "No such file" bash -c "echo x > '$MNT/mq/$q2/queue'" || return 1
	# Removed through the mount while a client waits: the same.
	s=$("$SEMTOOL" create "$(key 24)" 1 600) || return 1
	bg "$WORK/p2" "$SEMTOOL" write "$MNT/sem/$s/0" -1
	until_true ncnt_is "$s" 0 1 || return 1
	rmdir "$MNT/sem/$s" || return 1
	until_ended "$BG" || return 1
	assert_eq "Identifier removed" "$(cat "$WORK/p2")" "P when rmdir'd" || return 1
	figure "crash: removal under 7 users (open data, P, zero, 2 readers, writer, rmdir) gave clear errors"
	assert_alive
}

# A daemon started without -f has no stderr once it is in the background
# (fuse_daemonize points it at /dev/null): its log goes to syslog.  Run in
# a mount namespace of its own whose /dev (a tmpfs with /dev/null and
# /dev/fuse bound in) has a /dev/log the test listens on; the daemon is
# SIGHUP'd, which it logs as it exits ("stopped by signal").
test_background_daemon_logs_to_syslog() {
	cat >"$WORK/bg.sh" <<'EOF'
set -u
W=$1 IPCFS=$2 D= L=
out() { echo "$*" >>"$W/bg.out"; }
# wait_for CMD...: until CMD succeeds, 30 s at most.
wait_for() { local i; for i in $(seq 3000); do "$@" && return 0; sleep 0.01; done; return 1; }
gone() { [ ! -e "/proc/$1" ] || [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = Z ]; }
finish() {
	[ -n "$D" ] && kill -KILL "$D" 2>/dev/null
	mountpoint -q "$W/bgmnt" && umount -l "$W/bgmnt"
	[ -n "$L" ] && kill "$L" 2>/dev/null && wait "$L" 2>/dev/null
}
trap finish EXIT
mkdir -p "$W/olddev" "$W/bgmnt" || exit 1
mount --bind /dev "$W/olddev" && mount -t tmpfs -o mode=755 bgdev /dev || exit 1
for f in null fuse; do
	touch "/dev/$f" && mount --bind "$W/olddev/$f" "/dev/$f" || exit 1
done
umount -l "$W/olddev"
/usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log")
with open(sys.argv[1], "ab", buffering=0) as f:
    while True:
        f.write(s.recv(65536) + b"\n")
' "$W/syslog.txt" &
L=$!
wait_for test -S /dev/log || { out "no listener"; exit 1; }
"$IPCFS" "$W/bgmnt" </dev/null >"$W/bg.stderr" 2>&1 || { out "mount failed"; exit 1; }
# The daemon: the one process of this mount namespace running $IPCFS.
for p in /proc/[0-9]*; do
	[ "$(readlink "$p/exe")" = "$(readlink -f "$IPCFS")" ] &&
		[ "$(readlink "$p/ns/mnt")" = "$(readlink /proc/$$/ns/mnt)" ] && D=${p#/proc/}
done
[ -n "$D" ] || { out "no daemon"; exit 1; }
ls "$W/bgmnt" >/dev/null || { out "not serving"; exit 1; }
kill -HUP "$D"
wait_for gone "$D" || { out "daemon did not exit"; exit 1; }
D=
wait_for grep -q "stopped by signal" "$W/syslog.txt"
out "syslog: $(grep -a "stopped by signal" "$W/syslog.txt" | head -1)"
out "stderr: $(wc -c <"$W/bg.stderr") bytes"
EOF
	timeout $((2 * HANG)) unshare -m --propagation private bash "$WORK/bg.sh" "$WORK" "$IPCFS"
	cat "$WORK/bg.out" 2>/dev/null
	assert_match '^<[0-9]+>.*ipcfs\[[0-9]+\]: stopped by signal 1 ' \
		"$(sed -n 's/^syslog: //p' "$WORK/bg.out" 2>/dev/null)" "the daemon's last line, in syslog" ||
		return 1
	figure "crash: a background daemon's log reaches syslog: $(sed -n 's/^syslog: //p' "$WORK/bg.out")"
}

run_tests
