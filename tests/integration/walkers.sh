#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# walkers.sh - tools that walk a tree and read every file take no message
# and finish, run by root over the whole mount: grep -r, cp -r, tar c,
# rsync -a, find -type f -exec cat.  Referee: the queues' own counts (qnum,
# curmsgs), before and after, and the walker's end within a time limit (a
# walker still running at the limit has blocked on a queue: a failure).
#
# The whole mount means ns/ too, which lists every IPC namespace root can
# see: other tests' and the machine's queues.  So each walk runs in a
# sandbox of its own (new PID, mount and IPC namespaces, a tmpfs on
# /dev/shm): its ipcfs sees the sandbox's processes only, so its ns/ holds
# the sandbox's IPC namespace and one more made inside it, and nothing a
# walker does can reach a message this test did not send.  Everything in
# the sandbox (daemon, mount, objects) ends with it.
#
# In both namespaces: a System V queue and a POSIX queue of 10 messages,
# read by none of the walkers, and what the same paths still do for the
# documented idioms (cat, read, >, exec 3<>) once the walkers are done.
. "$(dirname "$0")/../lib.sh"
require_fuse_root
keyrange 0x1fc5f6
command -v rsync >/dev/null || skip_script "rsync is not installed (tools/deps.sh test)"
unshare --help 2>&1 | grep -q -- --mount-proc || skip_script "unshare lacks --mount-proc"

# The script the sandbox runs: mount, make the queues, run one walker
# ($1, a shell command over $M) and report "name left" for each queue,
# then "status N" of the walker (124: it did not finish in time).
cat >"$WORK/sandbox.sh" <<'EOF'
set -u
export M=$WORK/sbmnt
# until_up CMD...: lib.sh's until_true, in here: retry CMD, HANG s at most.
until_up() {
	local end=$((SECONDS + HANG))
	until "$@"; do [ $SECONDS -lt $end ] || return 1; sleep 0.05; done
}
other_ns() { [ "$(readlink /proc/$1/ns/ipc)" != "$(readlink /proc/self/ns/ipc)" ]; }
mkdir -p "$M" "$WORK/dst"
mount -t tmpfs -o size=4m tmpfs /dev/shm || exit 1
"$IPCFS" -f "$M" </dev/null >>"$WORK/daemon-sandbox.log" 2>&1 &
until_up mountpoint -q "$M" || { echo "no mount"; exit 1; }
unshare --ipc sleep 600 </dev/null >/dev/null 2>&1 &
inner=$!
until_up other_ns "$inner" || { echo "no namespace"; exit 1; }
ino=$(readlink /proc/$inner/ns/ipc | tr -dc 0-9)
# The queues, 10 messages each, and a few other objects to walk past.
# (Both namespaces' processes have the sandbox's /dev/shm: posix/shm and
# posix/sem objects get a name each.)
for top in "$M" "$M/ns/$ino"; do
	mkdir "$top/mq/$KEY" "$top/posix/mq/walk" "$top/sem/$KEY" "$top/shm/$KEY" \
		"$top/posix/sem/walk${top##*/}" "$top/posix/shm/walk${top##*/}" || exit 1
	seq 10 >"$top/mq/$KEY/lines" || exit 1
	seq 10 >"$top/posix/mq/walk/lines" || exit 1
	echo 3 >"$top/sem/$KEY/0" || exit 1
done
timeout -k 5 "$LIMIT" bash -c "$1" </dev/null >"$WORK/walker.out" 2>&1
echo "status $?"
for top in "$M" "$M/ns/$ino"; do
	echo "${top#$M}/mq $(cat "$top/mq/$KEY/qnum")"
	echo "${top#$M}/posix/mq $(cat "$top/posix/mq/walk/curmsgs")"
done
# The documented paths still work, through the links the walkers passed
# (bounded: a queue a walker emptied would block them).
for top in "$M" "$M/ns/$ino"; do
	timeout "$LIMIT" bash -c 'read -r l <"$1" && echo "read $l"' _ "$top/mq/$KEY/lines"
	timeout "$LIMIT" bash -c 'echo hello >"$1" && echo sent' _ "$top/mq/$KEY/queue"
	timeout "$LIMIT" bash -c 'exec 3<>"$1" && read -r l <&3 && echo "read $l"' _ "$top/posix/mq/walk/lines"
done
kill "$inner"
fusermount3 -u "$M"
EOF

# walk NAME COMMAND: one walker over the whole mount ($M) in a sandbox;
# passes when it finished (HANG, the hang bound, at most: a walker blocked
# in a read never does) and every queue still holds 10.
walk() {
	local name=$1 out
	out=$(WORK=$WORK IPCFS=$IPCFS KEY=$(key 1) LIMIT=$HANG HANG=$HANG \
		unshare --pid --fork --mount-proc --ipc bash "$WORK/sandbox.sh" "$2" 2>&1)
	echo "# $name: $(tr '\n' ' ' <<<"$out")"
	assert_match '^status ([0-9]+)$' "$(grep '^status' <<<"$out")" "$name ended" || return 1
	[ "$(grep '^status' <<<"$out")" != "status 124" ] ||
		{ echo "# $name did not finish within $HANG s: blocked"; sed 's/^/#   /' "$WORK/walker.out" | tail -5; return 1; }
	assert_eq "/mq 10
/posix/mq 10
/ns/INO/mq 10
/ns/INO/posix/mq 10" "$(grep 'mq [0-9]*$' <<<"$out" | sed -E 's|/ns/[0-9]+/|/ns/INO/|')" \
		"messages left by $name" || return 1
	assert_eq "read 1
sent
read 1
read 1
sent
read 1" "$(grep -E '^(read|sent)' <<<"$out")" "cat, read, > and exec 3<> after $name"
}

test_grep_r_takes_nothing() { walk "grep -r" 'grep -r x "$M"'; }
test_cp_r_takes_nothing() { walk "cp -r" 'cp -r "$M" "$WORK/dst/cp"'; }
test_tar_c_takes_nothing() { walk "tar c" 'tar cf "$WORK/dst/walk.tar" "$M"'; }
test_rsync_a_takes_nothing() { walk "rsync -a" 'rsync -a "$M/" "$WORK/dst/rsync/"'; }
test_find_exec_cat_takes_nothing() { walk "find -exec cat" 'find "$M" -type f -exec cat {} + >/dev/null'; }

run_tests
