#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# posix_shm.sh - posix/shm/: POSIX shared memory objects (shm_open), the
# files of /dev/shm: what only they do (data, mappings, waiters, sizes,
# another namespace's /dev/shm); what every kind does alike (mkdir, rmdir,
# chmod, chown, info and stat, odd names, the permission matrix by
# caller) is tree.sh's, kind pshm.  The referees are the kernel's own view of those files
# (stat, ls -l /dev/shm, open(2) as each caller) and native programs that
# use shm_open and mmap: tests/helpers/pshmtool, and Python's
# multiprocessing.shared_memory (the standard library's shm_open; Debian
# packages no posix_ipc module).
#
# Every object this script makes is named ipcfs-test-posix_shm-... and
# recorded (NUL-separated) before it is made; teardown removes exactly
# those.  Leftovers of an earlier, killed run (same prefix) are removed at
# the start, as keyrange does for System V keys.
. "$(dirname "$0")/../lib.sh"
keyrange 0x1fc5f1
PT=$BUILD/pshmtool
P=ipcfs-test-posix_shm-
SHM=/dev/shm

pshm_prefix "$P"
track() { track_pshm "$1"; }

ipcfs_mount -o shm_size=64K || exit 1
D=$MNT/posix/shm

# mk NAME [SIZE [MODE]]: a new object made by the native program.
mk() { track "$1"; "$PT" create "$1" "${2:-4096}" "${3:-600}"; }
# stat_line PATH: what ls -l would tell of a file, and its times.
stat_line() { stat -c '%s %a %u %g %X %Y %Z' -- "$1"; }
# fs_line NAME: the same from the mount's one-value files.
fs_line() {
	local d=$D/$1
	printf '%s %o %s %s %s %s %s\n' "$(cat "$d/size")" "$(cat "$d/mode")" "$(cat "$d/uid")" \
		"$(cat "$d/gid")" "$(cat "$d/atime")" "$(cat "$d/mtime")" "$(cat "$d/ctime")"
}

# ---- the tree against the kernel's view ----

# (One object's info, stat and ls against its file: tree.sh, [pshm].)
test_listing_agrees_with_dev_shm() {
	local n want got
	mk "${P}list-a" 4096 600 || return 1
	mk "${P}list-b" 100000 640 || return 1
	mk "${P}list-c" 0 644 || return 1
	# An empty object too.
	assert_eq "$(stat_line "$SHM/${P}list-c")" "$(fs_line "${P}list-c")" "size mode uid gid times of an empty one" || return 1
	assert_eq 0 "$(stat -c %s "$D/${P}list-c/data")" "its data st_size" || return 1
	# Our objects are listed as /dev/shm lists them (only ours: others may
	# come and go meanwhile), and no glibc semaphore ever is.
	want=$(find "$SHM" -maxdepth 1 -type f -name "$P*" -printf '%f\n' | sort)
	got=$(ls -A "$D" | grep "^$P" | sort)
	assert_eq "$want" "$got" "names in posix/shm vs ls /dev/shm" || return 1
	! ls -A "$D" | grep -q '^sem\.' || { echo "# a sem.NAME file is listed"; return 1; }
}

test_glibc_semaphores_are_not_shm_objects() {
	# sem_open(3) makes /dev/shm/sem.NAME: that is posix/sem's.
	mk "sem.${P}sem" 32 600 || return 1
	assert_fails "No such file" ls "$D/sem.${P}sem" || return 1
	ls "$D" | grep -q "sem.${P}sem" && { echo "# sem.NAME listed"; return 1; }
	# ... and no object of ours can be made with such a name.
	track "sem.${P}made"
	assert_fails "Invalid argument" mkdir "$D/sem.${P}made" || return 1
	[ ! -e "$SHM/sem.${P}made" ] || { echo "# sem.NAME created"; return 1; }
}

# (mkdir, rmdir, chmod and chown against the file: tree.sh, [pshm].)
test_mkdir_sizes_by_shm_size() {
	local n=${P}mk
	track "$n"
	assert_ok mkdir -m 640 "$D/$n" || return 1
	assert_eq "65536 640" "$(stat -c '%s %a' "$SHM/$n")" "made with shm_size, mode" || return 1
}

test_rmdir_of_a_mapped_object_lives_on_in_its_mapping() {
	local n=${P}live pid
	mk "$n" 4096 || return 1
	"$PT" write "$n" 0 before || return 1
	mkfifo "$WORK/hold.out"
	"$PT" hold "$n" >"$WORK/hold.out" &
	pid=$!
	track_pid $pid
	read -r line <"$WORK/hold.out"
	assert_eq mapped "$line" || return 1
	exec 7<"$D/$n/data"	# an open data keeps working too
	assert_ok rmdir "$D/$n" || return 1
	assert_fails "No such file" ls "$D/$n" || return 1
	# The holder still maps it (as after shm_unlink): its maps say so.
	grep -q "/dev/shm/$n (deleted)" "/proc/$pid/maps" || { echo "# mapping gone"; return 1; }
	assert_eq before "$(head -c 6 <&7)" "read through a data opened before rmdir" || return 1
	exec 7<&-
	kill $pid
}

# ---- data, with native programs on the other side ----

test_c_client_and_shell_see_each_others_bytes() {
	local n=${P}data
	mk "$n" 4096 || return 1
	"$PT" write "$n" 10 "from C" || return 1
	assert_eq "from C" "$(dd if="$D/$n/data" bs=1 skip=10 count=6 status=none)" "C -> cat" || return 1
	printf 'from shell' | dd of="$D/$n/data" bs=1 seek=100 conv=notrunc status=none || return 1
	assert_eq "from shell" "$("$PT" read "$n" 100 10)" "shell -> C" || return 1
	# cat shows the whole object, as cat of its /dev/shm file does.
	cmp "$D/$n/data" "$SHM/$n" || return 1
	assert_eq 4096 "$(stat -c %s "$D/$n/data")" "st_size" || return 1
}

test_python_shared_memory_both_ways() {
	local n=${P}py out
	track "$n"
	out=$(python3 - "$n" "$D/$n/data" <<'EOF'
import sys, subprocess, time
from multiprocessing import shared_memory
name, data = sys.argv[1], sys.argv[2]
s = shared_memory.SharedMemory(name=name, create=True, size=8192)
try:
    s.buf[0:12] = b"from python!"
    with open(data, "rb") as f:
        print("shell read:", f.read(12).decode())
    with open(data, "r+b") as f:
        f.seek(4000)
        f.write(b"from the mount")
    print("python read:", bytes(s.buf[4000:4014]).decode())
finally:
    s.close()
    s.unlink()
EOF
	)
	assert_eq "shell read: from python!
python read: from the mount" "$out" "multiprocessing.shared_memory" || return 1
}

# looping PID: the waiter PID sleeps in the pause of its polling loop.
looping() { sleeps_in "$1" 'nanosleep'; }
# looked_or_ended PID: the shell waiter left its mark, or PID ended.
looked_or_ended() { [ -e "$WORK/looked" ] || ended "$1"; }
# holder_up PID: PID runs sleep (its setup done), or it ended (failed).
holder_up() { [ "$(cat "/proc/$1/comm" 2>/dev/null)" = sleep ] || ended "$1"; }

test_native_waiter_released_by_a_shell_write() {
	local n=${P}wait pid line
	mk "$n" 4096 || return 1
	mkfifo "$WORK/await.out"
	"$PT" await "$n" 0 GO >"$WORK/await.out" &
	pid=$!
	track_pid $pid
	exec 8<"$WORK/await.out"
	read -r line <&8
	assert_eq waiting "$line" || return 1
	# In its loop's pause: it has looked, and found no GO yet.
	until_true looping "$pid" || { echo "# the waiter did not wait"; return 1; }
	printf GO | dd of="$D/$n/data" conv=notrunc status=none || return 1
	read -r -t "$HANG" line <&8
	assert_eq seen "$line" "native waiter released" || return 1
	# ... and the shell sees its answer.
	assert_eq GOack "$(head -c 5 "$D/$n/data")" || return 1
}

test_shell_waiter_released_by_a_native_write() {
	local n=${P}shellwait pid
	mk "$n" 4096 || return 1
	# The shell polls the mount until the native program writes (and
	# leaves a mark each time it found no DONE).
	timeout "$HANG" bash -c 'until [ "$(head -c 4 "$1")" = DONE ]; do : >"$2"; sleep 0.02; done' \
		_ "$D/$n/data" "$WORK/looked" &
	pid=$!
	until_true looked_or_ended "$pid" || return 1
	[ -e "$WORK/looked" ] && ! ended "$pid" || { echo "# the shell did not wait"; return 1; }
	"$PT" write "$n" 0 DONE || return 1
	wait $pid || { echo "# the shell waiter was not released"; return 1; }
}

test_write_past_end_is_efbig_and_changes_nothing() {
	local n=${P}efbig sum
	mk "$n" 4096 || return 1
	"$PT" write "$n" 4090 edge || return 1
	sum=$(md5sum <"$SHM/$n")
	assert_fails "File too large" dd if=/dev/zero of="$D/$n/data" bs=8 count=1 seek=4090 \
		oflag=seek_bytes conv=notrunc status=none || return 1
	assert_fails "File too large" dd if=/dev/zero of="$D/$n/data" bs=1 count=1 seek=5000 \
		conv=notrunc status=none || return 1
	assert_eq "$sum" "$(md5sum <"$SHM/$n")" "contents after refused writes" || return 1
	assert_eq 4096 "$("$PT" size "$n")" "size after refused writes" || return 1
	# The last bytes can be written.
	printf 123456 | dd of="$D/$n/data" bs=6 seek=4090 oflag=seek_bytes conv=notrunc status=none || return 1
	assert_eq 123456 "$("$PT" read "$n" 4090 6)" || return 1
}

test_echo_zero_fills_and_truncate_resizes() {
	local n=${P}trunc
	mk "$n" 4096 || return 1
	"$PT" write "$n" 1000 old || return 1
	# echo > data: as for System V, zeros after the text, size kept.
	echo hello >"$D/$n/data" || return 1
	assert_eq 4096 "$("$PT" size "$n")" "size after echo" || return 1
	assert_eq hello "$("$PT" read "$n" 0 5)" || return 1
	assert_eq 0 "$("$PT" read "$n" 6 4090 | tr -d '\0' | wc -c)" "zeros after the text" || return 1
	# truncate -s resizes, as ftruncate does natively, up and down.
	assert_ok truncate -s 1M "$D/$n/data" || return 1
	assert_eq 1048576 "$("$PT" size "$n")" "grown" || return 1
	assert_eq 1048576 "$(stat -c %s "$D/$n/data")" "st_size grown" || return 1
	assert_ok truncate -s 3 "$D/$n/data" || return 1
	assert_eq "3 hel" "$("$PT" size "$n") $("$PT" read "$n" 0 10)" "shrunk" || return 1
	# truncate(2) by path (no open file) too.
	python3 -c 'import os, sys; os.truncate(sys.argv[1], 8192)' "$D/$n/data" || return 1
	assert_eq 8192 "$("$PT" size "$n")" "truncate(2)" || return 1
	# A read-only open cannot resize.
	assert_fails "" python3 -c 'import os, sys; fd = os.open(sys.argv[1], os.O_RDONLY); os.ftruncate(fd, 5)' \
		"$D/$n/data" || return 1
	assert_eq 8192 "$("$PT" size "$n")" "size after a refused ftruncate" || return 1
}

test_object_shrunk_under_an_open_data() {
	local n=${P}shrink
	mk "$n" 1048576 || return 1
	exec 7<>"$D/$n/data"
	"$PT" write "$n" 0 abc || return 1
	truncate -s 10 "$SHM/$n"	# natively, behind the open file
	assert_eq 10 "$(dd bs=1M status=none <&7 | wc -c)" "a read sees the new end" || return 1
	assert_fails "File too large" dd of=/dev/fd/7 bs=1 seek=20 conv=notrunc status=none <<<x || return 1
	exec 7>&-
	assert_alive || return 1
}

test_nonblocking_open_reads_and_writes() {
	local n=${P}nonblock out
	mk "$n" 4096 || return 1
	"$PT" write "$n" 0 nb || return 1
	out=$(python3 - "$D/$n/data" <<'EOF'
import os, sys
fd = os.open(sys.argv[1], os.O_RDWR | os.O_NONBLOCK)
print(os.pread(fd, 2, 0).decode(), os.pwrite(fd, b"xy", 2))
EOF
	)
	assert_eq "nb 2" "$out" "O_NONBLOCK" || return 1
	assert_eq nbxy "$("$PT" read "$n" 0 4)" || return 1
}

test_killed_reader_and_writer_change_nothing() {
	local n=${P}kill sum i
	mk "$n" $((64 << 20)) || return 1
	head -c $((64 << 20)) /dev/urandom >"$SHM/$n"
	sum=$(md5sum <"$SHM/$n")
	for i in 1 2 3 4 5; do
		timeout -s KILL 0.0$i cat "$D/$n/data" >/dev/null
		timeout -s INT 0.0$i dd if="$D/$n/data" of=/dev/null bs=1M status=none
	done
	assert_eq "$sum" "$(md5sum <"$SHM/$n")" "contents after killed readers" || return 1
	# A writer killed mid-way: each write() is whole or not at all, and
	# what was written is exactly what it wrote (here: the same bytes).
	for i in 1 2 3; do
		timeout -s KILL 0.0$i dd if="$SHM/$n" of="$D/$n/data" bs=1M conv=notrunc status=none
	done
	assert_eq "$sum" "$(md5sum <"$SHM/$n")" "contents after killed writers" || return 1
	assert_eq $((64 << 20)) "$("$PT" size "$n")" "size" || return 1
	assert_alive || return 1
}

test_bad_input_is_refused_and_changes_nothing() {
	local n=${P}bad
	mk "$n" 4096 || return 1
	assert_fails "" bash -c "echo x >'$D/$n/info'" || return 1
	assert_fails "" bash -c "echo 5 >'$D/$n/size'" || return 1
	assert_fails "No such file" cat "$D/${P}nosuch/data" || return 1
	assert_fails "No such file" rmdir "$D/${P}nosuch" || return 1
	assert_fails "" mkdir "$D/$n/sub" || return 1
	assert_fails "" ln -s x "$D/${P}link" || return 1
	assert_fails "Is a directory" truncate -s 0 "$D/$n" || return 1
	assert_fails "" truncate -s 5 "$D/$n/info" || return 1
	assert_eq 4096 "$("$PT" size "$n")" "size" || return 1
	[ ! -e "$SHM/${P}link" ] || return 1
	assert_alive || return 1
}

# (Odd names, the longest and one byte more: tree.sh, [pshm].)

test_attached_lists_mappers_under_the_ptrace_rule() {
	local n=${P}att pid npid line
	mk "$n" 4096 644 || return 1
	assert_eq "" "$(cat "$D/$n/attached")" "nobody maps it" || return 1
	mkfifo "$WORK/a.out" "$WORK/b.out"
	"$PT" hold "$n" ro >"$WORK/a.out" &
	pid=$!
	track_pid $pid
	read -r line <"$WORK/a.out"
	$NOBODY "$PT" hold "$n" ro >"$WORK/b.out" &
	npid=$!
	track_pid $npid
	read -r line <"$WORK/b.out"
	npid=$(pgrep -P $npid -x pshmtool || echo $npid)
	assert_eq "$(printf '%s pshmtool\n%s pshmtool' $pid $npid | sort)" \
		"$(sort "$D/$n/attached")" "root reads attached" || return 1
	# nobody may not read root's /proc/PID/maps: that one is counted only.
	# (Without the check, nobody would see root's PID here.)
	assert_eq "$(printf '%s pshmtool\nhidden 1' $npid)" "$($NOBODY cat "$D/$n/attached")" \
		"nobody reads attached" || return 1
	kill $pid $npid
	until_true bash -c "[ -z \"\$(cat '$D/$n/attached')\" ]" || return 1
}

# (The permission matrix by caller, owner and mode, against the kernel:
# tree.sh, [pshm].)

# ---- another namespace: a container's own /dev/shm ----

test_ns_option_serves_the_containers_dev_shm() {
	local pid n=${P}ns
	command -v nsenter >/dev/null || skip "no nsenter"
	unshare --ipc --mount --propagation private sh -c \
		'mount -t tmpfs -o size=8m ipcfs-test-shm /dev/shm && exec sleep 600' </dev/null >/dev/null 2>&1 &
	pid=$!
	track_pid $pid
	disown $pid
	until_true holder_up "$pid"
	[ "$(cat /proc/$pid/comm 2>/dev/null)" = sleep ] || skip "cannot make a mount namespace with a tmpfs on /dev/shm"
	nsenter -t $pid --ipc --mount "$PT" create "$n-inside" 4096 640 || return 1
	nsenter -t $pid --ipc --mount "$PT" write "$n-inside" 0 container || return 1
	mk "$n-host" || return 1
	ipcfs_mount -o "ns=/proc/$pid/ns/ipc" || return 1
	assert_eq "$n-inside" "$(ls "$MNT/posix/shm")" "the container's objects only" || return 1
	assert_eq container "$(head -c 9 "$MNT/posix/shm/$n-inside/data")" || return 1
	assert_ok mkdir "$MNT/posix/shm/$n-made" || return 1
	assert_eq "$n-inside $n-made" "$(nsenter -t $pid --mount ls /dev/shm | tr '\n' ' ' | sed 's/ $//')" \
		"made in the container's /dev/shm" || return 1
	[ ! -e "$SHM/$n-made" ] || { track "$n-made"; echo "# made on the host"; return 1; }
	printf host | dd of="$MNT/posix/shm/$n-made/data" conv=notrunc status=none || return 1
	assert_eq host "$(nsenter -t $pid --ipc --mount "$PT" read "$n-made" 0 4)" "read in the container" || return 1
	assert_ok rmdir "$MNT/posix/shm/$n-made" || return 1
	# (The container's tmpfs goes with its last process.)
}

run_tests
