#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# posix_mq.sh - POSIX message queues (posix/mq/<name>/): what only they
# do (new, priorities, blocking, lines, notification, the creator's
# memory); what every kind does alike is tree.sh's, kind pmq.  Against the
# kernel and a native program: tests/helpers/pmqtool, which uses mq_open,
# mq_send, mq_receive and mq_notify and never ipcfs.  The referees are
# that program, mq_getattr, and the queue's own file seen in a throwaway
# mount of the mqueue filesystem (in a mount namespace of its own: the
# test's namespace never has one, since ipcfs must work without it).
#
# Every queue made here is named ipcfs-test-pmq-*, recorded when made and
# unlinked at exit, pass or fail; queues of the private IPC namespace
# vanish with it.

# The mqueue filesystem must not be mounted where the daemon runs: if the
# machine mounted it, run in a private mount namespace without it.
if [ -z "${PMQ_PRIVATE:-}" ] && awk '$3 == "mqueue" {f = 1} END {exit !f}' /proc/self/mounts; then
	exec unshare --mount --propagation private env PMQ_PRIVATE=1 bash -c '
		awk "\$3 == \"mqueue\" {print \$2}" /proc/self/mounts | sort -r |
			while read -r m; do umount -l "$m"; done
		exec bash "$0" "$@"' "$0" "$@"
fi

. "$(dirname "$0")/../lib.sh"
keyrange 0x1fc5f2
PMQ=$BUILD/pmqtool
PFX=ipcfs-test-pmq-
P=""

ipcfs_mount -o allow_other || exit 1
P=$MNT/posix/mq

# ---- queues of our own, removed at exit ----

# qname SUFFIX: our queue's name; recorded for the exit (track_pmq), and
# any queue of that name an earlier, killed run left is removed now.  The
# first in a test removes the earlier tests' queues: queues are charged to
# their creator's RLIMIT_MSGQUEUE (800 KiB: ten queues of the default
# size), and root makes them all.
qname() {
	local n=$PFX$1
	if [ "$(cat "$WORK/track.test" 2>/dev/null)" != "${FUNCNAME[1]}" ]; then
		echo "${FUNCNAME[1]}" >"$WORK/track.test"
		pmq_cleanup
	fi
	track_pmq "$n"
	"$PMQ" unlink "$n" 2>/dev/null
	printf '%s' "$n"
}

# native_stat NAME FORMAT: stat(1) of the queue's file in a mount of the
# mqueue filesystem made in a mount namespace of its own, gone after.
native_stat() { in_mqueue stat -c "$2" -- "$WORK/mq/$1"; }
# rd FILE: one read of 8 KiB (a queue's msgsize by default): one message.
rd() { dd if="$1" bs=8192 count=1 status=none "${@:2}"; }
# reaped: the daemon has no child left (each creation runs in a child,
# waited for and reaped before mkdir or `new` answers, failed or not).
reaped() {
	local d f st kids=
	d=$(mount_pid)
	for f in /proc/[0-9]*/stat; do
		read -r st 2>/dev/null <"$f" || continue
		st=(${st##*) })	# state ppid ...
		[ "${st[1]}" = "$d" ] && kids+=" ${f//[^0-9]/}"
	done
	[ -z "$kids" ] || { echo "# the daemon's children left:$kids"; return 1; }
}

# ---- the tests ----

test_no_mqueue_mount() {
	# Neither here nor where the daemon runs: the referee's mounts are in
	# namespaces of their own.
	assert_eq "" "$(awk '$3 == "mqueue"' /proc/self/mounts "/proc/$(mount_pid)/mounts")" \
		"mqueue mounts" || return 1
	local q=$(qname nomount)
	"$PMQ" create "$q" 640 || return 1
	assert_eq "$q" "$(ls "$P" | grep -Fx -- "$q")" "listed" || return 1
	assert_eq 0640 "$(cat "$P/$q/mode")" "mode"
}

# (info, stat, the status files, limits and summary against the queue's
# file and mq_getattr; mkdir, rmdir, chmod and chown: tree.sh, [pmq].)

# mkdir makes a queue of the namespace's default sizes; `new` takes
# NAME [MAXMSG MSGSIZE] [MODE] and reads back the name.
test_mkdir_and_new_make_queues_of_their_sizes() {
	local q=$(qname mk) n=$(qname new) b=$(qname bad)
	mkdir -m 0660 "$P/$q" || return 1
	assert_eq "10 8192 0" "$("$PMQ" attr "$q")" "mkdir makes the defaults" || return 1
	rmdir "$P/$q" || return 1
	# new: NAME [MAXMSG MSGSIZE] [MODE], and reading back the name.
	exec 3<>"$P/new"
	echo "/$n 3 64 0600" >&3 || return 1
	assert_eq "$n" "$(cat <&3)" "new reads back the name" || return 1
	exec 3>&-
	assert_eq "3 64 0" "$("$PMQ" attr "$n")" "new's sizes" || return 1
	assert_eq 600 "$(native_stat "$n" '%a')" "new's mode" || return 1
	# Bad lines make nothing.
	local l
	for l in "$b 0 64" "$b 9" "$b 3 64 999" "$b x 64" "a/b" "$b 1 2 3 4" ""; do
		assert_fails "Invalid argument" bash -c 'printf "%s\n" "$1" > "$2"' sh "$l" "$P/new" ||
			return 1
	done
	assert_eq ENOENT "$("$PMQ" can "$b" r)" "nothing made" || return 1
	# Sizes over the namespace's limits: the kernel refuses nobody, as it
	# would natively.
	assert_fails "Invalid argument" $NOBODY bash -c "echo '$b 100000 64' > '$P/new'" || return 1
	assert_fails "File exists" bash -c "echo '$n' > '$P/new'" || return 1
	reaped
}

test_priorities_both_ways() {
	local q=$(qname prio)
	"$PMQ" create "$q" 600 || return 1
	"$PMQ" send "$q" 0 low || return 1
	echo urgent >"$P/$q/prio/5" || return 1
	printf mid >"$P/$q/prio/2" || return 1
	printf plain >"$P/$q/queue" || return 1
	# Through the mount: the highest priority first, as mq_receive.
	assert_eq "urgent" "$(rd "$P/$q/queue")" "first read" || return 1
	# Natively: what is left, in the kernel's order, with priorities.
	assert_eq "2 mid
0 low
0 plain" "$("$PMQ" recv-all "$q")" "native receive" || return 1
	# prio/<N> is write-only and bounded by MQ_PRIO_MAX.
	assert_fails "Permission denied" cat "$P/$q/prio/5" || return 1
	[ ! -e "$P/$q/prio/32768" ] && [ ! -e "$P/$q/prio/07" ] && [ -e "$P/$q/prio/0" ] ||
		{ echo "# prio/ resolves the wrong names"; return 1; }
	# A name that cannot exist says so, also to the shell's > (which
	# creates).  Before: "Operation not permitted".
	assert_fails "No such file" bash -c "echo x > '$P/$q/prio/32768'" || return 1
	assert_fails "No such file" bash -c "echo x > '$P/$q/prio/99999'" || return 1
	assert_fails "No such file" bash -c "echo x > '$P/$q/prio/abc'" || return 1
	echo top >"$P/$q/prio/32767" || return 1
	assert_eq "32767 top" "$("$PMQ" recvp "$q" nowait | tr -d '\n')" "highest priority"
}

test_blocked_native_reader_released_by_shell() {
	local q=$(qname rel1)
	"$PMQ" create "$q" 600 || return 1
	bg "$WORK/rel1.out" "$PMQ" recv "$q"
	# Blocked: asleep in the kernel's mq_receive.
	until_true sleeps_in "$BG" "$W_PMQ" || { echo "# the native reader did not block"; return 1; }
	echo hi >"$P/$q/queue" || return 1
	wait $BG || return 1
	assert_eq "hi" "$(cat "$WORK/rel1.out")" "the native reader's message"
}

test_blocked_shell_reader_released_by_native() {
	local q=$(qname rel2)
	"$PMQ" create "$q" 600 || return 1
	bg "$WORK/rel2.out" dd if="$P/$q/queue" bs=8192 count=1 status=none
	# Blocked: waiting on the mount, the daemon in mq_receive for it (a
	# read that would not block ends instead).
	until_true blocked "$BG" "$W_PMQ" || { echo "# the shell reader did not block"; return 1; }
	"$PMQ" send "$q" 7 "from native" || return 1
	wait $BG || return 1
	assert_eq "from native" "$(cat "$WORK/rel2.out")" "the shell reader's message"
}

test_blocked_shell_writer_released_by_native() {
	local q=$(qname rel3)
	"$PMQ" create "$q" 600 2 64 || return 1
	printf a >"$P/$q/queue" && printf b >"$P/$q/queue" || return 1
	bg "$WORK/rel3.out" sh -c "printf c >'$P/$q/queue'"
	until_true blocked "$BG" "$W_PMQ" || { echo "# the shell writer did not block on a full queue"; return 1; }
	assert_eq "a" "$("$PMQ" recv "$q")" "native receive" || return 1
	wait $BG || return 1
	assert_eq "0 b
0 c" "$("$PMQ" recv-all "$q")" "the queue after"
}

test_nonblock_and_emsgsize() {
	local q=$(qname nb)
	"$PMQ" create "$q" 600 1 16 || return 1
	assert_fails "Resource temporarily unavailable" dd if="$P/$q/queue" bs=16 count=1 \
		iflag=nonblock status=none || return 1
	echo x >"$P/$q/queue" || return 1
	assert_fails "Resource temporarily unavailable" sh -c \
		"echo y | dd of='$P/$q/queue' oflag=nonblock status=none" || return 1
	# A read buffer smaller than msgsize, a message over it: EMSGSIZE,
	# as mq_receive and mq_send say, and the queue unchanged.
	assert_fails "Message too long" dd if="$P/$q/queue" bs=8 count=1 status=none || return 1
	assert_eq 1 "$(cat "$P/$q/curmsgs")" "still queued" || return 1
	"$PMQ" recv "$q" nowait >/dev/null || return 1
	assert_fails "Message too long" bash -c "printf '%017d' 0 > '$P/$q/queue'" || return 1
	assert_eq 0 "$(cat "$P/$q/curmsgs")" "nothing sent"
}

test_interrupted_reader_and_writer_change_nothing() {
	local q=$(qname intr) sig
	"$PMQ" create "$q" 600 1 64 || return 1
	# Readers blocked on an empty queue, ended by a signal (TERM, KILL)
	# once they wait: their receives in the daemon end too (a ghost
	# reader left waiting would take the next message), and the message
	# sent after is there, for the native reader.
	for sig in TERM KILL TERM KILL TERM KILL; do
		kill_blocked $sig "$W_PMQ" dd if="$P/$q/queue" bs=64 count=1 status=none || return 1
	done
	until_true daemon_done "$W_PMQ" || { echo "# a ghost reader waits on"; return 1; }
	"$PMQ" send "$q" 1 kept || return 1
	assert_eq 1 "$(cat "$P/$q/curmsgs")" "the message is queued" || return 1
	# A writer blocked on the full queue, interrupted: sends nothing.
	for sig in TERM KILL; do
		kill_blocked $sig "$W_PMQ" sh -c "echo extra > '$P/$q/queue'" || return 1
	done
	until_true daemon_done "$W_PMQ" || { echo "# a ghost writer waits on"; return 1; }
	assert_eq "1 kept" "$("$PMQ" recv-all "$q")" "only the first message" || return 1
	assert_alive
}

# A reader stopped at the very moment its message arrives: the message is
# either read by the reader or still queued, never lost.  The readers are
# mqtool's (lib.sh, reader_start): stopped by SIGTERM, a read() returns
# the message, which the reader logs before anything else, or fails with
# EINTR.  So a message neither logged nor queued is one ipcfs lost.  (A
# reader killed with -9 just after its read() returned loses the message
# by itself, natively too: the test did that with dd and failed now and
# then under load.)  Each round, a reader provably waits (on the mount,
# the daemon in mq_receive for it), then a message is sent natively and
# the reader stopped at that moment (the send first in even rounds, the
# stop first in odd ones): every round races the two, whatever the
# machine's speed.
test_killed_readers_lose_nothing() {
	local q=$(qname kill) i rounds=40 sp left got
	"$PMQ" create "$q" 600 10 64 || return 1
	for i in $(seq $rounds); do
		reader_start "$WORK/kill.$i.out" "$P/$q/queue" "$WORK/kill.$i.log" 64 || return 1
		until_true blocked "$READER" "$W_PMQ" || return 1
		if ((i % 2)); then
			kill -TERM "$READER"
			"$PMQ" send "$q" 0 "m$i" &
		else
			"$PMQ" send "$q" 0 "m$i" &
			kill -TERM "$READER"
		fi
		sp=$!
		until_true term_ended "$READER" || return 1
		wait $sp || return 1
	done
	# Blocked on the empty queue (so it cannot be between a read and
	# its log; it took what the rounds left), a reader killed with -9
	# takes nothing sent after: once its receive in the daemon is over,
	# that message is queued, alone.
	reader_start "$WORK/kill.last.out" "$P/$q/queue" "$WORK/kill.last.log" 64 || return 1
	until_true blocked "$READER" "$W_PMQ" || return 1
	kill -9 "$READER"
	until_ended "$READER" || return 1
	"$PMQ" send "$q" 0 after || return 1
	until_true daemon_done "$W_PMQ" || { echo "# the dead reader's receive waits on"; return 1; }
	eventually_eq 1 "queued after the kill -9 and a send" cat "$P/$q/curmsgs" || return 1
	grep -v '^ready$' "$WORK"/kill.*.out && return 1
	"$PMQ" recv-all "$q" >"$WORK/kill.rest" || return 1
	left=$(grep -c ' m[0-9]*$' "$WORK/kill.rest")
	got=$(cat "$WORK"/kill.*.log | grep -c '^m[0-9]*$')
	figure "posix_mq: $rounds readers stopped as a message came: $got messages read, $left still queued"
	assert_eq "$(seq $rounds | sed 's/^/m/' | sort)" \
		"$({ sed -n 's/^0 //p' "$WORK/kill.rest" | grep '^m'; cat "$WORK"/kill.*.log | grep .; } | sort)" \
		"each message read or queued, once" || return 1
	assert_eq "0 after" "$(tail -n 1 "$WORK/kill.rest")" "sent after the kill -9: still queued"
}

test_notify_signal_and_thread() {
	local q=$(qname notify) how pid
	"$PMQ" create "$q" 600 || return 1
	for how in signal thread; do
		rm -f "$WORK/ready"
		"$PMQ" notify "$q" "$WORK/ready" $how >"$WORK/notify.out" &
		pid=$!
		track_pid $pid
		until_true test -e "$WORK/ready" || return 1
		# The registration shows in the kernel's status line.
		assert_eq "$pid" "$(cat "$P/$q/notify_pid")" "notify_pid ($how)" || return 1
		echo "hi $how" >"$P/$q/queue" || return 1
		wait $pid || return 1
		assert_eq "notified hi $how" "$(cat "$WORK/notify.out")" "$how notification" || return 1
	done
}

test_lines() {
	local q=$(qname lines) pid long
	"$PMQ" create "$q" 600 10 512 || return 1
	# More lines than the queue holds: the writer waits for the reader.
	seq 500 >"$P/$q/lines" &
	pid=$!
	track_pid $pid
	assert_eq "$(seq 500 | sha1sum)" "$(head -n 500 "$P/$q/lines" | sha1sum)" "500 lines" ||
		return 1
	wait $pid || return 1
	assert_eq 0 "$(cat "$P/$q/curmsgs")" "head took exactly 500" || return 1
	# The shell's read takes exactly one message per line it reads.
	printf 'one\ntwo\nthree\nlast' >"$P/$q/lines" || return 1
	{ read -r a; read -r b; } <"$P/$q/lines"
	assert_eq "one two" "$a $b" "read" || return 1
	assert_eq "0 three
0 last" "$("$PMQ" recv-all "$q")" "the rest, natively" || return 1
	# A message longer than a read: the next reads of the same file.
	long=$(printf '%0300d' 7)
	"$PMQ" send "$q" 0 "$long" || return 1
	assert_eq "$long" "$(dd if="$P/$q/lines" bs=100 count=4 status=none)" "a long line" ||
		return 1
	# Too long for msgsize: nothing sent.
	assert_fails "Message too long" bash -c "printf '%0600d\n' 0 > '$P/$q/lines'" || return 1
	assert_eq 0 "$(cat "$P/$q/curmsgs")" "nothing sent"
}

# grep stops at its match and takes what it read up to it: its 96 KiB
# reads take one message each (128 KiB, cat's, take every one there).
# Before, `grep -m1 .` and `grep -q '^3$'` took all 10.
test_grep_takes_up_to_its_match() {
	local q=$(qname grep)
	# (10 messages: more than msg_max needs CAP_SYS_RESOURCE.)
	"$PMQ" create "$q" 600 10 64 || return 1
	seq 10 >"$P/$q/lines" || return 1
	assert_eq 1 "$(timeout $HANG grep -m1 . "$P/$q/lines")" "grep -m1 ." || return 1
	assert_eq 9 "$(cat "$P/$q/curmsgs")" "grep -m1 took one" || return 1
	"$PMQ" recv-all "$q" >/dev/null || return 1
	seq 10 >"$P/$q/lines" || return 1
	timeout $HANG grep -q '^3$' "$P/$q/lines" || { echo "# grep -q did not match"; return 1; }
	assert_eq 7 "$(cat "$P/$q/curmsgs")" "grep -q took three" || return 1
	assert_eq "$(seq 4 5)" "$(timeout $HANG perl -ne 'print; exit if $. == 2' "$P/$q/lines")" "perl -ne" || return 1
	assert_eq 6 "$(timeout $HANG python3 -c 'import sys; print(sys.stdin.readline(), end="")' <"$P/$q/lines")" "python readline" || return 1
	assert_eq 4 "$(cat "$P/$q/curmsgs")" "each took what it printed" || return 1
	assert_eq "$(seq 7 10)" "$(dd if="$P/$q/lines" bs=128K count=1 status=none)" "one 128 KiB read takes all"
}

# A line longer than msgsize is dropped whole (EMSGSIZE, nothing of the
# write that made it too long is sent) and the lines after it arrive
# intact.  Before, the part written first went as a fragment.
test_an_over_long_line_is_dropped_whole() {
	local q=$(qname long) l
	"$PMQ" create "$q" 600 10 8192 || return 1
	l=$P/$q/lines
	# bash's printf: "ok1\n", the long line in 4 KiB pieces, "ok2\n".
	assert_fails "Message too long" bash -c 'printf "ok1\n%9000s\nok2\n" x >"$1"' _ "$l" || return 1
	echo ok3 >"$l" || return 1
	assert_eq "0 ok1
0 ok2
0 ok3" "$("$PMQ" recv-all "$q")" "bash printf" || return 1
	# In 4 KiB writes: the third holds the line's end and ok2.
	printf 'ok1\n%9000s\nok2\n' x | dd of="$l" bs=4096 iflag=fullblock status=none 2>/dev/null &&
		{ echo "# dd's writes all succeeded"; return 1; }
	echo ok3 >"$l" || return 1
	assert_eq "0 ok1
0 ok3" "$("$PMQ" recv-all "$q")" "4 KiB writes" || return 1
	python3 - "$l" >"$WORK/pylong" <<'PY' || return 1
import os, sys
fd = os.open(sys.argv[1], os.O_WRONLY)
for b in (b"ok1\n" + b"B" * 5000, b"B" * 4000 + b"\nok2\n", b"ok3\n",
          b"ok4\n" + b"C" * 8000, b"C" * 200):
    try:
        os.write(fd, b)
        print("ok")
    except OSError as e:
        print(os.strerror(e.errno))
os.close(fd)
PY
	assert_eq "ok
Message too long
ok
ok
Message too long" "$(cat "$WORK/pylong")" "each write's result" || return 1
	# (ok4's line is closed unfinished after a refused write: nothing.)
	assert_eq "0 ok1
0 ok3
0 ok4" "$("$PMQ" recv-all "$q")" "python, one open file"
}

test_open_queue_survives_rmdir() {
	local q=$(qname unlinked)
	"$PMQ" create "$q" 600 || return 1
	exec 3<>"$P/$q/queue"
	rmdir "$P/$q" || return 1
	assert_eq ENOENT "$("$PMQ" can "$q" r)" "unlinked" || return 1
	echo still >&3 || return 1
	assert_eq still "$(dd bs=8192 count=1 status=none <&3)" "through the open file" || return 1
	exec 3>&-
}

# (Odd names, the longest and one byte more: tree.sh, [pmq].)

test_private_ipc_namespace() {
	ipc_ns_new || return 1
	local main=$MNT q=${PFX}ns
	ipcfs_mount -o ns=/proc/$NSPID/ns/ipc || return 1
	in_ns "$PMQ" create "$q" 600 || return 1
	[ -d "$MNT/posix/mq/$q" ] || { echo "# not in the namespace's mount"; return 1; }
	[ ! -e "$main/posix/mq/$q" ] || { echo "# seen outside the namespace"; return 1; }
	assert_eq ENOENT "$("$PMQ" can "$q" r)" "not in ours" || return 1
	echo "in ns" >"$MNT/posix/mq/$q/prio/3" || return 1
	assert_eq "3 in ns" "$(in_ns "$PMQ" recvp "$q" nowait)" "native receive in the namespace" ||
		return 1
	mkdir "$MNT/posix/mq/${q}2" || return 1
	assert_eq "10 8192 0" "$(in_ns "$PMQ" attr "${q}2")" "mkdir in the namespace" || return 1
	in_ns "$PMQ" unlink "$q" && in_ns "$PMQ" unlink "${q}2"
}

# (The permission matrix by caller, owner and mode: tree.sh, [pmq].)
# A caller denied natively sends nothing, by any file, and reads no
# status of the queue.
test_a_caller_denied_sends_nothing() {
	local q=$(qname perm)
	"$PMQ" create "$q" 640 || return 1
	assert_eq EACCES "$($NOBODY "$PMQ" can "$q" w)" "mq_open for writing, natively" || return 1
	assert_fails "Permission denied" $NOBODY sh -c "echo x > '$P/$q/queue'" || return 1
	assert_fails "Permission denied" $NOBODY sh -c "echo x > '$P/$q/prio/1'" || return 1
	assert_fails "Permission denied" $NOBODY cat "$P/$q/qsize" || return 1
	assert_eq 0 "$(cat "$P/$q/curmsgs")" "nothing sent"
}

# Rights are taken at open, as for an mqd_t: a chmod after does not take
# them away (natively neither).  Nobody's shell opens the queue, the test
# sees its file open (/proc/PID/fd/3), takes the rights away, and only
# then lets it write.
test_rights_at_open() {
	local q=$(qname atopen)
	"$PMQ" create "$q" 600 && chmod 666 "$P/$q" || return 1
	bg "$WORK/atopen.out" $NOBODY bash -c 'exec 3>"$1" || exit 1
		until [ -e "$2" ]; do sleep 0.01; done	# the go: a condition, polled
		echo after >&3' _ "$P/$q/queue" "$WORK/go"
	# (queue is a link to .queue: the open file is that.)
	has_open() { [[ $(readlink "/proc/$1/fd/3") == "$2"/* ]]; }
	until_true has_open "$BG" "$P/$q" || { cat "$WORK/atopen.out"; return 1; }
	chmod 600 "$P/$q" || return 1
	touch "$WORK/go"
	until_ended "$BG" && wait $BG || { cat "$WORK/atopen.out"; return 1; }
	assert_eq "0 after" "$("$PMQ" recv-all "$q")" "sent with the rights of the open"
}

# A queue's memory is charged to its creator, against their own
# RLIMIT_MSGQUEUE, as mq_open does natively: through the mount too (were
# it charged to the daemon, any user could use up root's allowance).
test_queue_memory_is_the_creators() {
	local a=$(qname mem1) b=$(qname mem2) nat fs
	# Room for one queue of the default size (80 KiB and a little), not two.
	nat=$($NOBODY prlimit --msgqueue=100000 sh -c \
		'"$1" create "$2" 600 && "$1" create "$3" 600' sh "$PMQ" "$a" "$b" 2>&1)
	"$PMQ" unlink "$a" 2>/dev/null
	"$PMQ" unlink "$b" 2>/dev/null
	fs=$($NOBODY prlimit --msgqueue=100000 sh -c 'mkdir "$1" && mkdir "$2"' sh "$P/$a" "$P/$b" 2>&1)
	assert_match "Too many open files" "$nat" "natively" || return 1
	assert_match "Too many open files" "$fs" "through the mount" || return 1
	assert_eq "65534 ok ENOENT" "$(stat -c %u "$P/$a") $("$PMQ" can "$a" r) $("$PMQ" can "$b" r)" \
		"the first made, by nobody; not the second" || return 1
	reaped
}

run_tests
