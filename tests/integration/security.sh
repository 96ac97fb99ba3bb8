#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# security.sh - the daemon is root and acts for whoever calls: it must never
# give a caller more than the kernel would, and no caller may take the
# mount from the others.
#
#   - an open file acts on the object it was opened on, with the rights its
#     opener has now (referee: what msgsnd/semop answer the same caller)
#   - blocked operations of one user cannot starve everyone else's
#   - close(2) never blocks, and a killed client leaves nothing behind
#   - memory does not grow with anything a client can repeat
. "$(dirname "$0")/../lib.sh"
keyrange 0x1fc5c1

ipcfs_mount || exit 1

# obj_new KIND N MODE: make one through the mount (key N of our range);
# prints its id.
obj_new() {
	mkdir -m "$3" "$MNT/$1/$(key "$2")" && cat "$MNT/$1/$(key "$2")/id"
}

# A directory where nobody may leave files.
shared_dir() { mkdir -p "$WORK/pub"; chmod 1777 "$WORK/pub"; }

# holder FILE OPS...: as nobody, open FILE non-blocking (read-only when
# every OP is a read, else read-write), say
# so (touch $WORK/pub/ready), wait for $WORK/pub/go, then do each OP
# (write:TEXT or read) and print "ok" or the errno's name per OP.
holder() {
	local file=$1
	shift
	shared_dir
	rm -f "$WORK/pub/ready" "$WORK/pub/go"
	$NOBODY /usr/bin/python3 - "$file" "$WORK/pub" "$@" >"$WORK/holder.out" 2>&1 <<'PY' &
import errno, os, sys, time
path, pub, ops = sys.argv[1], sys.argv[2], sys.argv[3:]
mode = os.O_RDONLY if all(op == "read" for op in ops) else os.O_RDWR
fd = os.open(path, mode | os.O_NONBLOCK)
open(pub + "/ready", "w").close()
while not os.path.exists(pub + "/go"):
    time.sleep(0.01)
for op in ops:
    try:
        if op == "read":
            os.read(fd, 8192)
        else:
            os.write(fd, op.split(":", 1)[1].encode())
        print("ok")
    except OSError as e:
        print(errno.errorcode[e.errno])
PY
	HOLDER=$!
	track_pid "$HOLDER"
	until_true holder_ready && [ -e "$WORK/pub/ready" ] && return 0
	echo "# the holder did not open $file: $(cat "$WORK/holder.out")"
	return 1
}
# holder_ready: the holder has opened its file, or has ended (failing).
holder_ready() { [ -e "$WORK/pub/ready" ] || ended "$HOLDER"; }
# answers: let the holder go on, wait for it; its answers on one line.
# (Not in a $(...): only this shell can wait for the holder.)
answers() {
	touch "$WORK/pub/go"
	wait "$HOLDER"
	ANSWERS=$(tr '\n' ' ' <"$WORK/holder.out" | sed 's/ $//')
}

# After the owner tightens the mode, an open file is refused what the
# native calls would refuse: msgsnd/msgrcv need w/r at every call.
test_a_tightened_queue_refuses_an_open_file() {
	local id nat
	id=$(obj_new mq 1 666) || return 1
	holder "$MNT/mq/$id/queue" write:a read || return 1
	chmod 600 "$MNT/mq/$id" || return 1
	answers
	assert_eq "EACCES EACCES" "$ANSWERS" "send and receive after chmod 600" || return 1
	nat=$(printf 'mq-send %s 1 x\nmq-recv %s 0\n' "$id" "$id" | $NOBODY "$BUILD/permtool" | tr '\n' ' ')
	assert_eq "EACCES EACCES " "$nat" "the kernel, natively"
}

test_a_tightened_semaphore_refuses_an_open_file() {
	local id
	id=$(obj_new sem 2 666) || return 1
	holder "$MNT/sem/$id/0" write:+1 write:-1 write:5 || return 1
	chmod 600 "$MNT/sem/$id" || return 1
	answers
	assert_eq "EACCES EACCES EACCES" "$ANSWERS" "V, P and SETVAL after chmod 600" || return 1
	assert_eq 0 "$(cat "$MNT/sem/$id/0")" "value untouched"
}

test_a_loosened_mode_counts_at_once() {
	local id
	id=$(obj_new mq 3 644) || return 1
	holder "$MNT/mq/$id/lines" read || return 1
	chmod 622 "$MNT/mq/$id" || return 1
	echo hi >"$MNT/mq/$id/lines"
	answers
	assert_eq EACCES "$ANSWERS" "receive after chmod 622 (no read for others)"
}

# An id made again (here at once, through kernel.msg_next_id in a private
# namespace) names another object: an old open file of the removed one
# answers EIDRM and never touches the new one, another user's.
test_an_id_made_again_is_not_the_object_opened() {
	local id id2 nat
	ipc_ns_new || return 1
	ipcfs_mount -o "ns=/proc/$NSPID/ns/ipc" || return 1
	id=$(echo "create mq $(key 10) 666" | in_ns "$BUILD/permtool" | awk '{print $1}')
	holder "$MNT/mq/$id/queue" read write:intruder || return 1
	echo "rm mq $id" | in_ns "$BUILD/permtool" >/dev/null
	in_ns sh -c "echo $id > /proc/sys/kernel/msg_next_id"
	id2=$(printf 'create mq %s 600\n' "$(key 11)" | in_ns "$BUILD/permtool" | awk '{print $1}')
	assert_eq "$id" "$id2" "the id came back" || return 1
	printf 'mq-send %s 1 secret\n' "$id2" | in_ns "$BUILD/permtool" >/dev/null
	answers
	assert_eq "EIDRM EIDRM" "$ANSWERS" "old file on the new queue" || return 1
	assert_eq 1 "$(cat "$MNT/mq/$id2/qnum")" "the new queue keeps its message, and no other"
}

test_an_open_file_of_a_removed_semaphore_says_eidrm() {
	local id
	id=$(obj_new sem 4 666) || return 1
	holder "$MNT/sem/$id/0" write:+1 || return 1
	rmdir "$MNT/sem/$id" || return 1
	answers
	assert_eq EIDRM "$ANSWERS" "V on a removed set"
}

daemon_pid() { cat "$MNT.pid"; }
# The daemon keeps this many idle workers (fs/main.c WORKERS_IDLE).
IDLE=64
threads_of() { ls "/proc/$1/task" | wc -l; }
rss_of() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
# Under the sanitizers memory figures mean nothing and everything is slower.
sanitized() { [[ $BUILD == *asan* ]] || [ -n "${IPCFS_VALGRIND:-}" ]; }

# blockers_settled: the blockers' last line counts all but the 256
# reads a user may have refused, and the daemon waits in msgrcv for them.
blockers_settled() {
	local line
	line=$(tail -1 "$WORK/blockers.out" 2>/dev/null)
	[[ $line == blocked* ]] && [ "$(echo "$line" | awk '{print $4 + $6}')" -ge $((5000 - 256)) ] &&
		daemon_sleeping "$W_MSGRCV" && [ "$DAEMON_SLEEPING" -ge 1 ]
}
# settle_blockers: wait until blockers_settled.  The daemon answers the
# 5,000 opens and reads as fast as it can start workers for them, which
# on a busy machine takes minutes: only a minute with no read answered
# at all counts as a hang.
settle_blockers() {
	local end=$((SECONDS + HANG)) n=0 done=-1 now
	until blockers_settled; do
		now=$(tail -1 "$WORK/blockers.out" 2>/dev/null | awk '/^blocked/ {print $4 + $6}')
		if [ "${now:-0}" -gt "$done" ]; then
			done=${now:-0}
			end=$((SECONDS + HANG))
		fi
		[ $SECONDS -lt $end ] || { echo "# no read answered in $HANG s (a hang)"; return 1; }
		poll_pause
	done
}
# back_near PID T0 R0: the daemon's threads (in t1) are back to T0 and its
# idle workers, its RSS (in r1) within 8 MiB of R0 (unless sanitized).
back_near() {
	t1=$(threads_of "$1")
	r1=$(rss_of "$1")
	[ "$t1" -le $(($2 + IDLE)) ] && { sanitized || [ "$r1" -le $(($3 + 8192)) ]; }
}

# Every operation that blocks holds one of the daemon's workers.  One user
# with 5,000 blocked reads must not take them all: root's listing, a
# one-value file and a non-blocking send answer within 1 s throughout, and
# once the attacker is killed its waits end at once and the daemon's
# threads and memory come back near where they were: the workers beyond
# the 64 idle ones it keeps exit, and those 64 hold some 5 MiB.
test_blocked_operations_of_one_user_leave_the_mount_to_the_others() {
	local qa qb sb dpid t0 r0 i blk t1 r1 line
	qa=$(obj_new mq 20 666) && qb=$(obj_new mq 21 600) && sb=$(obj_new sem 22 600) || return 1
	dpid=$(daemon_pid)
	t0=$(threads_of "$dpid")
	r0=$(rss_of "$dpid")
	$NOBODY "$BUILD/blockers" "$MNT/mq/$qa/queue" 5000 >"$WORK/blockers.out" 2>&1 &
	blk=$!
	track_pid "$blk"
	# Settled: all but the 256 a user may have were refused, and the rest
	# wait in the daemon (its line comes once a second).
	settle_blockers || { echo "# attacker: $(tail -1 "$WORK/blockers.out" 2>/dev/null)"; kill -9 "$blk"; return 1; }
	line=$(tail -1 "$WORK/blockers.out")
	echo "# attacker: $line"
	for i in 1 2 3 4 5; do
		timeout 1 ls "$MNT/mq" >/dev/null || { echo "# ls did not answer within 1 s"; return 1; }
		timeout 1 cat "$MNT/sem/$sb/0" >/dev/null || { echo "# cat did not answer"; return 1; }
		printf 'x' | timeout 1 dd of="$MNT/mq/$qb/queue" oflag=nonblock status=none ||
			{ echo "# a non-blocking send did not answer"; return 1; }
	done
	# The attacker's reads were still waiting all that time.
	daemon_sleeping "$W_MSGRCV" && [ "$DAEMON_SLEEPING" -ge 1 ] ||
		{ echo "# the attacker's reads no longer wait"; return 1; }
	figure "security: with 5,000 blocked reads of one user ($line), root's ls, cat and send answered within 1 s"
	kill -9 "$blk"
	wait "$blk" 2>/dev/null
	i=$SECONDS
	until_true back_near "$dpid" "$t0" "$r0"
	figure "security: daemon threads $t0 -> $t1, RSS $r0 -> $r1 KiB, $((SECONDS - i)) s after the attacker was killed"
	assert_eq 5 "$(cat "$MNT/mq/$qb/qnum")" "root's sends all went" || return 1
	[ "$t1" -le $((t0 + IDLE)) ] || { echo "# threads stayed: $t1 (from $t0)"; return 1; }
	sanitized || [ "$r1" -le $((r0 + 8192)) ] || { echo "# RSS stayed: $r1 KiB (from $r0)"; return 1; }
	assert_alive
}

# all_on_mount PID...: every PID waits on the mount; bg_on_mount: $BG does.
all_on_mount() { local p; for p; do on_mount "$p" || return 1; done; }
bg_on_mount() { on_mount "$BG"; }

# A close never blocks the kernel's shared release slots: writers whose
# unfinished last line finds the queue full wait in their own close(2),
# interruptibly, and meanwhile everybody else's opens and closes go on.
test_closes_with_unfinished_lines_on_a_full_queue_block_nobody_else() {
	local q i pids=() p
	q=$(obj_new mq 23 666) || return 1
	echo 8 >"$MNT/mq/$q/qbytes" || return 1
	printf '12345678' | dd of="$MNT/mq/$q/queue" oflag=nonblock status=none || return 1
	for i in $(seq 16); do
		$NOBODY sh -c "printf x > $MNT/mq/$q/lines" 2>/dev/null &
		pids+=($!)
		track_pid $!
	done
	# All 16 wait in their close(2), on the mount.
	until_true all_on_mount "${pids[@]}" || return 1
	for i in $(seq 20); do
		timeout 1 cat "$MNT/limits" >/dev/null || { echo "# cat limits hung (round $i)"; return 1; }
	done
	all_on_mount "${pids[@]}" || { echo "# a writer stopped waiting meanwhile"; return 1; }
	for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
	until_ended "${pids[@]}" || { echo "# killed writers did not end"; return 1; }
	assert_eq 1 "$(cat "$MNT/mq/$q/qnum")" "killed writers sent nothing" || return 1
	# A writer that waits is let through by a reader making room.
	sh -c "printf z > $MNT/mq/$q/lines" &
	p=$!
	track_pid "$p"
	until_true on_mount "$p" || return 1
	dd if="$MNT/mq/$q/queue" bs=64 count=1 status=none iflag=nonblock >/dev/null || return 1
	until_ended "$p" || { echo "# the waiting close did not end"; return 1; }
	eventually_eq z "line sent at the last close" dd if="$MNT/mq/$q/queue" bs=64 count=1 status=none iflag=nonblock || return 1
	# Interrupted, the close says so and the line is dropped.
	printf '12345678' | dd of="$MNT/mq/$q/queue" oflag=nonblock status=none || return 1
	# Ctrl-C once the close waits on the mount (not before it began).
	ctrl_c "printf y > $MNT/mq/$q/lines" bg_on_mount || { echo "# the interrupted close succeeded"; return 1; }
	# The line is dropped by that close itself, before it returned.
	assert_eq 1 "$(cat "$MNT/mq/$q/qnum")" "interrupted line dropped"
}

# Lookups of distinct names from several processes at once outrun the
# kernel's forgets (the daemon asks for them one name at a time): before,
# four loops of one user grew the daemon by ~3 MiB/s until its table of
# such names was full, and then every user's type/N and queue opens
# failed.  Each user now holds at most a share of it (NODE_INTERN_PER_USER,
# fs/node.h): nobody's loops get ENOSPC past theirs, root's lookups and
# opens keep working, and the daemon stays small.
# a_loop_refused: one of the lookup loops below has been told ENOSPC.
a_loop_refused() { cat "$WORK"/look.* 2>/dev/null | grep -q "No space left on device"; }

test_parallel_lookups_of_one_user_take_only_its_share() {
	local mq dpid r0 r peak=0 i pids=() bad=0 f refused=0
	ipcfs_mount || return 1	# a daemon of its own: its figures are this test's
	mq=$(obj_new mq 27 666) || return 1
	dpid=$(mount_pid)
	r0=$(rss_of "$dpid")
	for i in 1 2 3 4; do
		$NOBODY "$BUILD/hammer" lookup "$MNT/mq/$mq/type" $((i * 10000000)) 3000000 \
			>"$WORK/look.$i" 2>&1 &
		pids+=($!)
		track_pid $!
	done
	# Nobody's share is full once a loop is refused (a loop ends there;
	# the others may go on as the kernel forgets names and frees room).
	until_true a_loop_refused || return 1
	for i in $(seq 30); do
		r=$(rss_of "$dpid")
		((r > peak)) && peak=$r
		# Root's new names and opens of a queue file (a node each).
		stat "$MNT/mq/$mq/type/$((90000000 + i))" >/dev/null 2>&1 || bad=$((bad + 1))
		echo "m$i" 2>/dev/null >"$MNT/mq/$mq/queue" || bad=$((bad + 1))
	done
	kill "${pids[@]}" 2>/dev/null
	wait "${pids[@]}" 2>/dev/null
	r=$(rss_of "$dpid")
	((r > peak)) && peak=$r
	for f in "$WORK"/look.*; do grep -q "No space left on device" "$f" && refused=$((refused + 1)); done
	figure "security: 4 lookup loops of nobody: daemon RSS $r0 -> peak $peak KiB; $refused loops refused ($(cat "$WORK"/look.* | sed 's/.*after /after /' | xargs)); root's lookups and opens failed $bad times"
	assert_eq 0 "$bad" "root's lookups and opens while nobody's share was full" || return 1
	sanitized || [ "$peak" -le $((r0 + 32768)) ] || { echo "# peak RSS $peak KiB (from $r0)"; return 1; }
	assert_eq 30 "$(cat "$MNT/mq/$mq/qnum")" "root's messages"
}

# rss_within PID KIB: PID's RSS (in r1) is at most KIB (any, sanitized);
# adds it to path every 2 s (of the caller's i and path_next).
rss_within() {
	r1=$(rss_of "$1")
	if [ $((SECONDS - i)) -ge "$path_next" ]; then
		path="$path $r1"
		path_next=$((path_next + 2))
	fi
	sanitized || [ "$r1" -le "$2" ]
}

# Memory does not grow with what a client can repeat: opens of every kind
# of file, and lookups of distinct names (any type/N resolves, and types
# past 2^20 need a table entry, which the kernel's forget releases).
test_memory_does_not_grow_with_opens_or_lookups() {
	local shm sem mq dpid n=100000 looks=1000000 r0 r1 f out i allow path="" path_next=0
	sanitized && n=5000 looks=50000
	ipcfs_mount || return 1	# a daemon of its own: its figures are this test's
	shm=$(obj_new shm 24 600) && sem=$(obj_new sem 25 600) && mq=$(obj_new mq 26 600) || return 1
	dpid=$(mount_pid)
	set -- "$MNT/shm/$shm/data" "$MNT/shm/$shm/info" "$MNT/shm/$shm/size" "$MNT/shm/$shm/attached" \
		"$MNT/sem/$sem/0" "$MNT/sem/$sem/values" "$MNT/sem/$sem/semaphores" \
		"$MNT/mq/$mq/queue w" "$MNT/mq/$mq/lines w" "$MNT/mq/$mq/type/7 w" \
		"$MNT/mq/$mq/qnum" "$MNT/limits" "$MNT/summary"
	# Warm up first, so that the figure is growth with repetition: the
	# libraries' pages, and the pool of worker threads a burst of lookups
	# and forgets brings.
	for f in "$@"; do "$BUILD/hammer" open $f 1000 >/dev/null; done
	"$BUILD/hammer" lookup "$MNT/mq/$mq/type" 3000000 $((looks / 20)) >/dev/null
	# The baseline once the warm-up's names are swept and their pages
	# trimmed (fs/evict.c: 1 s after the last new name), which nothing
	# outside the daemon shows.  Not a verdict: taken too early it is only
	# higher, and the check below laxer, never failing a sound daemon.
	sleep 3
	r0=$(rss_of "$dpid")
	for f in "$@"; do
		out=$("$BUILD/hammer" open $f $n)
		[ "$out" = ok ] || { echo "# $out"; return 1; }
	done
	figure "security: RSS $r0 -> $(rss_of "$dpid") KiB after the opens"
	out=$("$BUILD/hammer" lookup "$MNT/mq/$mq/type" 2000000 $looks)
	[ "$out" = ok ] || { echo "# $out"; return 1; }
	# The kernel forgets the names it was asked to drop when it gets to
	# it, then the daemon gives the pages back.  Alone this takes 1-3 s;
	# late in a full make check it once took just over 10 s: wait for it
	# (HANG catches memory that never comes back), and keep the path.
	allow=2048
	i=$SECONDS
	until_true rss_within "$dpid" $((r0 + allow))
	figure "security: RSS $r0 -> $r1 KiB after $n opens of each of $# files and $looks distinct lookups ($(threads_of "$dpid") threads, $((SECONDS - i)) s)"
	# Every file still works.
	assert_eq 600 "$(cat "$MNT/shm/$shm/mode" | sed 's/^0//')" "a one-value file" || return 1
	echo +1 >"$MNT/sem/$sem/0" || return 1
	echo hello >"$MNT/mq/$mq/type/4000001" || return 1
	assert_eq hello "$(dd if="$MNT/mq/$mq/type/4000001" bs=64 count=1 status=none iflag=nonblock)" "type/N" || return 1
	sanitized || [ "$r1" -le $((r0 + allow)) ] || {
		echo "# RSS grew by $((r1 - r0)) KiB (allowed $allow); every 2 s:$path; now $(grep -E '^(Rss|Anonymous):' "/proc/$dpid/smaps_rollup" | xargs)"
		return 1
	}
}


# ---- POSIX files and user namespaces ----

# own_userns_ns: a process of nobody's in a user and IPC namespace of its
# own (where nobody is root), with $1 run before it sleeps; sets UPID and
# UNS (the IPC namespace's inode).
own_userns_ns() {
	$NOBODY unshare -Urm --ipc sh -c "${1:-true}; exec sleep 600" </dev/null >"$WORK/own.out" 2>&1 &
	UPID=$!
	track_pid "$UPID"
	until_true sh -c "[ \"\$(readlink /proc/$UPID/ns/ipc)\" != \"\$(readlink /proc/self/ns/ipc)\" ] &&
		[ \"\$(cat /proc/$UPID/comm)\" = sleep ]" || { cat "$WORK/own.out"; return 1; }
	UNS=$(stat -L -c %i "/proc/$UPID/ns/ipc")
}

# Root of a user namespace of one's own has every capability there, and
# none over the host's files: through ns/ its capabilities must not become
# the daemon's (root's) on a root-only file in /dev/shm.
test_root_of_an_own_user_namespace_gets_no_capability_over_host_files() {
	local f=ipcfs-test-sec-$$ d
	trap "rm -f '/dev/shm/$f'" EXIT
	printf topsecret >"/dev/shm/$f" && chmod 600 "/dev/shm/$f" || return 1
	own_userns_ns || return 1
	d=$MNT/ns/$UNS/posix/shm/$f
	$NOBODY ls "$MNT/ns" | grep -qx "$UNS" || { echo "# nobody does not see its namespace"; return 1; }
	# Natively, nobody cannot; through the mount, neither.
	$NOBODY cat "/dev/shm/$f" >/dev/null 2>&1 && { echo "# the native check lets nobody read"; return 1; }
	assert_fails "Permission denied" $NOBODY cat "$d/data" || return 1
	printf gotcha | $NOBODY dd of="$d/data" conv=notrunc status=none 2>/dev/null &&
		{ echo "# nobody wrote root's file"; return 1; }
	$NOBODY chmod 666 "$d" 2>/dev/null && { echo "# nobody chmod'ed root's file"; return 1; }
	assert_eq "topsecret 600 root" "$(cat "/dev/shm/$f") $(stat -c '%a %U' "/dev/shm/$f")" \
		"root's file" || return 1
	assert_alive
}

# A file bind-mounted over a name in one's own /dev/shm (a tmpfs mounted
# in a mount namespace of one's own) is not an object: the daemon lists
# and stats there as root, and must not show or open root's file.
test_a_file_bind_mounted_into_a_namespace_shm_is_no_object() {
	local t=$WORK/rootonly
	printf rootsecret >"$t" && chmod 600 "$t" || return 1
	chmod 711 "$WORK"
	own_userns_ns "mount -t tmpfs shm /dev/shm && touch /dev/shm/b && mount --bind $t /dev/shm/b && touch /dev/shm/plain" ||
		return 1
	$NOBODY ls "$MNT/ns/$UNS/posix/shm" >"$WORK/listing" 2>&1 || { cat "$WORK/listing"; return 1; }
	grep -qx plain "$WORK/listing" || { echo "# its own file is not listed:"; cat "$WORK/listing"; return 1; }
	grep -qx b "$WORK/listing" && { echo "# the bind mount is listed"; return 1; }
	! $NOBODY cat "$MNT/ns/$UNS/posix/shm/b/data" 2>/dev/null | grep -q rootsecret ||
		{ echo "# root's file read through the bind mount"; return 1; }
	assert_alive
}

# A FIFO renamed over an object's name between the daemon's stat and its
# open must not hold a worker: an open of a FIFO waits for the other end.
test_a_fifo_swapped_in_holds_no_worker() {
	local n=ipcfs-test-sec-fifo-$$ daemon stuck i
	trap "rm -f '/dev/shm/$n' '/dev/shm/$n.r' '/dev/shm/$n.f'" EXIT
	printf data >"/dev/shm/$n" && chmod 666 "/dev/shm/$n" || return 1
	/usr/bin/python3 - "/dev/shm/$n" <<'PY' &
import os, sys, time
n = sys.argv[1]
end = time.time() + 3
while time.time() < end:
    open(n + ".r", "w").write("data")
    os.chmod(n + ".r", 0o666)
    os.rename(n + ".r", n)
    os.mkfifo(n + ".f", 0o666)
    os.rename(n + ".f", n)
PY
	local swapper=$!
	track_pid "$swapper"
	for i in $(seq 150); do timeout 0.3 cat "$MNT/posix/shm/$n/data" >/dev/null 2>&1; done
	wait "$swapper"
	daemon=$(cat "$MNT.pid")
	stuck=$(cat /proc/"$daemon"/task/*/wchan 2>/dev/null | tr '\0' '\n' | grep -c -e fifo -e pipe -e wait_for_partner)
	figure "fifo swapped in: 150 opens raced, $stuck daemon threads left waiting on a FIFO"
	assert_eq 0 "$stuck" "daemon threads waiting on a FIFO" || return 1
	assert_alive
}

run_tests
