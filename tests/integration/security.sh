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
exec 5>&1
figure() { echo "# figure: $*" >&5; }

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
	for i in $(seq 200); do [ -e "$WORK/pub/ready" ] && return 0; sleep 0.02; done
	echo "# the holder did not open $file: $(cat "$WORK/holder.out")"
	return 1
}
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

run_tests
