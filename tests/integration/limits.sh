#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# limits.sh - the kernel's limits reached through the mount: shmmni,
# shmmax, shmall, msgmni, msgmax, msgmnb (a full queue), semmni, semmsl,
# semmns, semvmx.  Each refusal must be a clear errno, leave nothing half
# made and leave the daemon serving.
#
# The machine's own limits are never approached: the daemon serves a
# private IPC namespace (-o ns=/proc/PID/ns/ipc, held by `unshare --ipc
# sleep`), whose limits are lowered through its own /proc/sys/kernel (those
# sysctls are per IPC namespace).  Its objects vanish with it.
. "$(dirname "$0")/../lib.sh"
keyrange 0x1fc5d5
MQTOOL=$BUILD/mqtool
SEMTOOL=$BUILD/semtool
SHMTOOL=$BUILD/shmtool

ipc_ns_new || exit 1
# Lowered limits, the namespace's own.
in_ns sh -c 'echo 8 >/proc/sys/kernel/shmmni; echo 65536 >/proc/sys/kernel/shmmax;
	echo 40 >/proc/sys/kernel/shmall; echo 8 >/proc/sys/kernel/msgmni;
	echo 128 >/proc/sys/kernel/msgmax; echo 256 >/proc/sys/kernel/msgmnb;
	echo "250 20 32 8" >/proc/sys/kernel/sem' || exit 1
ipcfs_mount -o "ns=/proc/$NSPID/ns/ipc" || exit 1

# count KIND: objects in the namespace (m, s or q).
count() { in_ns ipcs -"$1" | grep -c '^0x'; }

# refused ERRTEXT CMD...: CMD fails saying ERRTEXT (one limit case,
# counted in a file: tests run in subshells).
refused() {
	echo "$*" >>"$WORK/cases"
	assert_fails "$@"
}

# writer_waits PID: the writer PID waits in the daemon's msgsnd (or ended).
writer_waits() { blocked "$1" "$W_MSGSND" || ended "$1"; }

test_limits_file_shows_the_namespace() {
	local l
	l=$(cat "$MNT/limits")
	for v in "shmmni: 8" "shmmax: 65536" "shmall: 40" "msgmni: 8" "msgmax: 128" "msgmnb: 256" \
		"semmni: 8" "semmsl: 250" "semmns: 20" "semvmx: 32767"; do
		assert_match "$v" "$l" "limits" || return 1
	done
}

test_shm_shmmni_shmmax_shmall() {
	local i n=0
	# 8 segments of one page each, then ENOSPC, by mkdir and by new.
	for i in $(seq 1 8); do
		mkdir "$MNT/shm/$(key "$i")" || return 1
	done
	refused "No space left on device" mkdir "$MNT/shm/$(key 9)" || return 1
	refused "No space left on device" bash -c "echo '$(key 10) 4096' > '$MNT/shm/new'" || return 1
	refused "No space left on device" bash -c "echo 'private 4096' > '$MNT/shm/new'" || return 1
	assert_eq 8 "$(count m)" "segments: exactly shmmni" || return 1
	ls "$MNT/shm/$(key 9)" >/dev/null 2>&1 && { echo "# half-made $(key 9)"; return 1; }
	# Room again once one goes.
	rmdir "$MNT/shm/$(key 8)" || return 1
	mkdir "$MNT/shm/$(key 9)" || return 1
	for i in $(seq 1 7) 9; do rmdir "$MNT/shm/$(key "$i")" || return 1; done
	# shmmax: a segment over 64 KiB is EINVAL.
	refused "Invalid argument" bash -c "echo '$(key 11) 65537' > '$MNT/shm/new'" || return 1
	refused "Invalid argument" bash -c "echo '$(key 11) 1M' > '$MNT/shm/new'" || return 1
	# shmall: 40 pages in all; three of 16 pages do not fit.
	echo "$(key 12) 64K" >"$MNT/shm/new" || return 1
	echo "$(key 13) 64K" >"$MNT/shm/new" || return 1
	refused "No space left on device" bash -c "echo '$(key 14) 64K' > '$MNT/shm/new'" || return 1
	assert_eq 2 "$(count m)" "segments after shmall" || return 1
	# A mount whose shm_size exceeds shmmax: mkdir says EINVAL.
	ipcfs_mount -o "ns=/proc/$NSPID/ns/ipc,shm_size=1M" || return 1
	refused "Invalid argument" mkdir "$MNT/shm/$(key 15)" || return 1
	assert_eq 2 "$(count m)" "nothing half made" || return 1
	assert_alive
}

test_mq_msgmni_msgmax_full_queue() {
	local i id w native fs
	for i in $(seq 20 27); do mkdir "$MNT/mq/$(key "$i")" || return 1; done
	refused "No space left on device" mkdir "$MNT/mq/$(key 28)" || return 1
	refused "No space left on device" bash -c "echo private > '$MNT/mq/new'" || return 1
	assert_eq 8 "$(count q)" "queues: exactly msgmni" || return 1
	id=$(cat "$MNT/mq/$(key 20)/id")
	# msgmax: 129 bytes in one message is EINVAL, by queue and by lines.
	refused "Invalid argument" bash -c "head -c 129 /dev/zero | tr '\\0' x > '$MNT/mq/$id/queue'" ||
		return 1
	refused "Invalid argument" bash -c "head -c 200 /dev/zero | tr '\\0' x > '$MNT/mq/$id/lines'" ||
		return 1
	assert_eq 0 "$(cat "$MNT/mq/$id/qnum")" "nothing sent" || return 1
	# msgmnb: the queue holds 256 bytes; then O_NONBLOCK says EAGAIN...
	for i in 1 2; do
		head -c 128 /dev/zero | tr '\0' y | dd of="$MNT/mq/$id/queue" bs=128 status=none || return 1
	done
	refused "Resource temporarily unavailable" "$SEMTOOL" write "$MNT/mq/$id/queue" z nonblock ||
		return 1
	# ... a blocking writer waits, and Ctrl-C ends it with EINTR, unsent.
	"$SEMTOOL" write "$MNT/mq/$id/queue" z handler >"$WORK/w" 2>&1 &
	w=$!
	track_pid "$w"
	until_true writer_waits "$w" && ! ended "$w" || { echo "# writer did not wait: $(cat "$WORK/w")"; return 1; }
	kill -INT "$w"
	wait "$w"
	echo "blocked writer interrupted" >>"$WORK/cases"
	assert_match "Interrupted system call" "$(cat "$WORK/w")" "blocked writer" || return 1
	assert_eq 2 "$(cat "$MNT/mq/$id/qnum")" "still 2 messages" || return 1
	# qbytes past msgmnb: the owner without CAP_SYS_RESOURCE may not.
	chown nobody "$MNT/mq/$id" || return 1
	refused "Operation not permitted" $NOBODY bash -c "echo 257 > '$MNT/mq/$id/qbytes'" || return 1
	$NOBODY bash -c "echo 100 > '$MNT/mq/$id/qbytes'" || return 1
	# Root may, if it has CAP_SYS_RESOURCE (a container's root may not):
	# exactly as the kernel lets root do it natively.
	if in_ns "$MQTOOL" qbytes "$(cat "$MNT/mq/$(key 21)/id")" 100000 2>/dev/null; then
		native=ok
	else
		native=EPERM
	fi
	if bash -c "echo 100000 > '$MNT/mq/$id/qbytes'" 2>/dev/null; then fs=ok; else fs=EPERM; fi
	echo "root qbytes past msgmnb" >>"$WORK/cases"
	assert_eq "$native" "$fs" "root past msgmnb: kernel $native, ipcfs $fs" || return 1
	for i in $(seq 20 27); do rmdir "$MNT/mq/$(key "$i")" || return 1; done
	assert_alive
}

test_sem_semmni_semmsl_semmns_semvmx() {
	local i id
	ipcfs_mount -o "ns=/proc/$NSPID/ns/ipc,sem_nsems=2" || return 1
	# semmns: 20 semaphores in all, 2 per set: 8 sets (semmni) use 16.
	for i in $(seq 40 47); do mkdir "$MNT/sem/$(key "$i")" || return 1; done
	refused "No space left on device" mkdir "$MNT/sem/$(key 48)" || return 1
	refused "No space left on device" bash -c "echo 'private 1' > '$MNT/sem/new'" || return 1
	assert_eq 8 "$(count s)" "sets: exactly semmni" || return 1
	rmdir "$MNT/sem/$(key 47)" "$MNT/sem/$(key 46)" "$MNT/sem/$(key 45)" || return 1
	# 10 of 20 used: a set of 11 does not fit, nor one over semmsl.
	refused "No space left on device" bash -c "echo '$(key 49) 11' > '$MNT/sem/new'" || return 1
	refused "Invalid argument" bash -c "echo '$(key 49) 251' > '$MNT/sem/new'" || return 1
	refused "Invalid argument" bash -c "echo '$(key 49) 0' > '$MNT/sem/new'" || return 1
	echo "$(key 49) 10" >"$MNT/sem/new" || return 1
	assert_eq 6 "$(count s)" "sets" || return 1
	# semvmx: 32767 is the most a semaphore holds.
	id=$(cat "$MNT/sem/$(key 40)/id")
	echo 32767 >"$MNT/sem/$id/0" || return 1
	refused "Numerical result out of range" "$SEMTOOL" write "$MNT/sem/$id/0" +1 || return 1
	refused "Numerical result out of range" "$SEMTOOL" write "$MNT/sem/$id/1" 32768 || return 1
	refused "Numerical result out of range" "$SEMTOOL" write "$MNT/sem/$id/values" "32768 0" ||
		return 1
	assert_eq "32767 0" "$(cat "$MNT/sem/$id/values")" "values unchanged" || return 1
	assert_alive
}

test_zz_figures() {
	figure "limits: $(wc -l <"$WORK/cases") refusals at the kernel's limits checked, in a private IPC namespace"
}

run_tests
