#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ns.sh - ns/: every IPC namespace of the machine, each a whole tree acting
# in that namespace.  Referees: the kernel, through native tools run in the
# namespace (nsenter --ipc ... ipcs), and lsns's inode numbers.
. "$(dirname "$0")/../lib.sh"
keyrange 0x1fc5f4
ipcfs_mount || exit 1

ns_of() { stat -L -c %i "/proc/$1/ns/ipc"; }
# Has process PID (which starts as unshare) run sleep in a namespace of its own?
in_own_ns() {
	[ "$(cat "/proc/$1/comm" 2>/dev/null)" = sleep ] &&
		[ "$(ns_of "$1" 2>/dev/null)" != "$(ns_of $$)" ]
}

# A namespace of our own, held by a sleeping process; sets NSPID and NS.
new_ns() { ipc_ns_new || return 1; NS=$(ns_of "$NSPID"); }

# The ids ipcs shows in the namespace for kind m|s|q, sorted.
ipcs_ids() { in_ns ipcs -"$1" | awk '$2 ~ /^[0-9]+$/ {print $2}' | sort -n; }
mount_ids() { ls "$MNT/ns/$NS/$1" | grep -E '^[0-9]+$' | sort -n; }

# ns_unlisted INO: ns/ does not list INO.
ns_unlisted() { local l; l=$(ls "$MNT/ns") && ! grep -qx "$1" <<<"$l"; }

test_listed_with_self_and_processes() {
	new_ns || return 1
	ls "$MNT/ns" | grep -qx "$NS" || { echo "# $NS not listed"; return 1; }
	assert_eq "$(ns_of $$)" "$(readlink "$MNT/ns/self")" "self" || return 1
	assert_match "^$NSPID sleep( /.*)?\$" "$(cat "$MNT/ns/$NS/processes")" "processes" || return 1
	for f in shm sem mq posix limits summary metrics processes; do
		[ -e "$MNT/ns/$NS/$f" ] || { echo "# no $f"; return 1; }
	done
	# lsns agrees on the number.
	lsns -t ipc -n -o NS | grep -qx "$NS" || { echo "# lsns does not know $NS"; return 1; }
}

test_objects_listed_under_their_namespace() {
	new_ns || return 1
	in_ns ipcmk -M 8192 -p 600 >/dev/null || return 1
	in_ns ipcmk -S 3 >/dev/null || return 1
	in_ns ipcmk -Q >/dev/null || return 1
	for k in m:shm s:sem q:mq; do
		assert_eq "$(ipcs_ids ${k%%:*})" "$(mount_ids ${k#*:})" "${k#*:} ids" || return 1
	done
	id=$(mount_ids shm | head -1)
	assert_eq 8192 "$(cat "$MNT/ns/$NS/shm/$id/size")" "size" || return 1
}

test_mkdir_creates_in_the_namespace_only() {
	new_ns || return 1
	mkdir "$MNT/ns/$NS/sem/$(key 1)" || return 1
	mkdir "$MNT/ns/$NS/shm/$(key 2)" || return 1
	in_ns ipcs -s | grep -q "^$(key 1) " || { echo "# sem not in the namespace"; return 1; }
	in_ns ipcs -m | grep -q "^$(key 2) " || { echo "# shm not in the namespace"; return 1; }
	ipcs -s | grep -q "^$(key 1) " && { echo "# sem on the host"; return 1; }
	ipcs -m | grep -q "^$(key 2) " && { echo "# shm on the host"; return 1; }
	[ -e "$MNT/sem/$(key 1)" ] && { echo "# key resolves at the top level"; return 1; }
	rmdir "$MNT/ns/$NS/sem/$(key 1)" || return 1
	in_ns ipcs -s | grep -q "^$(key 1) " && { echo "# rmdir left it"; return 1; }
	return 0
}

test_reads_and_writes_act_there() {
	local q s
	new_ns || return 1
	mkdir "$MNT/ns/$NS/mq/$(key 3)" "$MNT/ns/$NS/sem/$(key 4)" || return 1
	q=$(readlink "$MNT/ns/$NS/mq/by-key/$(key 3)"); q=${q#../}
	s=$(readlink "$MNT/ns/$NS/sem/by-key/$(key 4)"); s=${s#../}
	echo hello >"$MNT/ns/$NS/mq/$q/queue" || return 1
	# The kernel, asked in the namespace: one message of 6 bytes.
	assert_eq "6 1" "$(in_ns ipcs -q | awk -v k="$(key 3)" '$1 == k {print $5, $6}')" "queue in ns" || return 1
	assert_eq hello "$(head -n 1 "$MNT/ns/$NS/mq/$q/lines")" "received" || return 1
	echo 7 >"$MNT/ns/$NS/sem/$s/0" || return 1
	assert_match "^0 +7 " "$(in_ns ipcs -s -i "$s" | awk '$1 == "0"')" "semval in ns" || return 1
	# POSIX queues of the namespace: its own mqueue instance.
	mkdir "$MNT/ns/$NS/posix/mq/ipcfs-ns-test" || return 1
	echo posix >"$MNT/ns/$NS/posix/mq/ipcfs-ns-test/queue" || return 1
	in_ns "$BUILD/pmqtool" curmsgs /ipcfs-ns-test 2>/dev/null | grep -qx 1 ||
		assert_eq 1 "$(cat "$MNT/ns/$NS/posix/mq/ipcfs-ns-test/curmsgs")" "curmsgs" || return 1
	[ -e "$MNT/posix/mq/ipcfs-ns-test" ] && { echo "# POSIX queue on the host"; return 1; }
	return 0
}

test_invisible_to_callers_who_may_not_see_it() {
	local upid uns
	new_ns || return 1
	# nobody may not read root's processes: no such namespace for them.
	$NOBODY ls "$MNT/ns" | grep -qx "$NS" && { echo "# nobody lists root's namespace"; return 1; }
	assert_fails "No such file" $NOBODY ls "$MNT/ns/$NS/shm" || return 1
	# ... though the kernel caches the name root looked up.
	ls "$MNT/ns/$NS/shm" >/dev/null || return 1
	assert_fails "No such file" $NOBODY cat "$MNT/ns/$NS/summary" || return 1
	# A namespace nobody made (in a user namespace of theirs) is theirs to see.
	$NOBODY unshare -Ur --ipc sleep 600 </dev/null >/dev/null 2>&1 &
	upid=$!
	track_pid "$upid"
	until_true in_own_ns "$upid" || return 1
	uns=$(ns_of "$upid")
	$NOBODY ls "$MNT/ns" | grep -qx "$uns" || { echo "# nobody does not see its own"; return 1; }
	# and root in it counts there: nobody is root in that namespace.
	$NOBODY mkdir "$MNT/ns/$uns/shm/$(key 5)" || return 1
	nsenter -t "$upid" --ipc ipcs -m | grep -q "^$(key 5) " || { echo "# not made there"; return 1; }
	ls "$MNT/ns" | grep -qx "$uns" || { echo "# root does not see it"; return 1; }
}

test_gone_when_its_processes_are() {
	local fd_ok
	new_ns || return 1
	mkdir "$MNT/ns/$NS/mq/$(key 6)" || return 1
	exec 3>"$MNT/ns/$NS/mq/$(readlink "$MNT/ns/$NS/mq/by-key/$(key 6)" | cut -c4-)/queue" || return 1
	echo one >&3 || return 1
	kill -9 "$NSPID"
	until_ended "$NSPID" || return 1
	# The kernel frees the namespace after its last process, a moment later.
	until_true ns_unlisted "$NS" || { echo "# still listed"; return 1; }
	assert_fails "No such file" ls "$MNT/ns/$NS/" || return 1
	# The open file: an error, not a crash.
	fd_ok=0
	echo two >&3 2>/dev/null && fd_ok=1
	exec 3>&-
	[ $fd_ok = 0 ] || { echo "# write to a gone namespace succeeded"; return 1; }
	assert_alive
}

test_metrics_labelled_by_namespace() {
	local out
	new_ns || return 1
	mkdir "$MNT/ns/$NS/shm/$(key 7)" || return 1
	out=$(cat "$MNT/ns/metrics") || return 1
	assert_match "^ipcfs_shm_size\\{ns=\"$NS\".*key=\"$(key 7)\".*\\} 4096" "$out" "series" || return 1
	assert_match "ipcfs_shm_objects\\{ns=\"$(ns_of $$)\"" "$out" "host's too" || return 1
	# Every sample carries ns=.
	printf '%s\n' "$out" | grep -v '^#' | grep -v 'ns="' | head -3 | grep -q . &&
		{ echo "# samples without ns="; return 1; }
	if command -v promtool >/dev/null || "$ROOT/tools/deps.sh" prometheus >/dev/null 2>&1; then
		printf '%s\n' "$out" | promtool check metrics 2>&1 | grep -v -i "counter metrics should\|no help" |
			grep . && { echo "# promtool complains"; return 1; }
	fi
	return 0
}

# Is semncnt of semaphore 0 of set $1 in the namespace $2 (the kernel's)?
ncnt_is() { [ "$(in_ns ipcs -s -i "$1" | awk '$1 == "0" {print $3}')" = "$2" ]; }

test_killed_blocked_operation_leaves_nothing() {
	local s p
	new_ns || return 1
	mkdir "$MNT/ns/$NS/sem/$(key 8)" || return 1
	s=$(readlink "$MNT/ns/$NS/sem/by-key/$(key 8)" | cut -c4-)
	bash -c "echo -1 > '$MNT/ns/$NS/sem/$s/0'" &
	p=$!
	until_true ncnt_is "$s" 1 || return 1
	kill -9 $p
	wait $p 2>/dev/null
	until_true ncnt_is "$s" 0 || return 1
	assert_eq 0 "$(cat "$MNT/ns/$NS/sem/$s/0")" "value untouched" || return 1
	# Interrupted (SIGINT) likewise, once it waits (not after 0.5 s).
	ctrl_c "echo -1 > '$MNT/ns/$NS/sem/$s/0'" ncnt_is "$s" 1 || { echo "# the interrupted P succeeded"; return 1; }
	until_true ncnt_is "$s" 0 || return 1
	assert_eq 0 "$(in_ns ipcs -s -i "$s" | awk '$1 == "0" {print $3}')" "ncnt in the namespace" || return 1
	assert_alive
}


# The namespace table is shared: one user making many namespaces takes at
# most a share of it, and namespaces made after (root's, a container's)
# are still listed.
test_one_user_takes_only_a_share_of_the_table() {
	local i pids=() listed=0 p
	for i in $(seq 20); do
		$NOBODY unshare -Ur --ipc sleep 600 </dev/null >/dev/null 2>&1 &
		pids+=($!)
		track_pid $!
	done
	for p in "${pids[@]}"; do until_true in_own_ns "$p" || return 1; done
	new_ns || return 1
	ls "$MNT/ns" >"$WORK/ns.list" || return 1
	for p in "${pids[@]}"; do grep -qx "$(ns_of "$p")" "$WORK/ns.list" && listed=$((listed + 1)); done
	figure "ns: 20 namespaces of nobody's, $listed listed; root's made after: $(grep -cx "$NS" "$WORK/ns.list")"
	[ "$listed" -le 16 ] || { echo "# one user holds $listed entries"; return 1; }
	grep -qx "$NS" "$WORK/ns.list" || { echo "# root's namespace made after is not listed"; return 1; }
}


# nsfs hands a gone namespace's inode number to the next one at once:
# that namespace must be listed and usable, though the kernel may still
# hold nodes of the old one.
test_a_namespace_with_a_gone_ones_number_is_listed() {
	local old i
	new_ns || return 1
	old=$NS
	ls "$MNT/ns/$NS/shm" >/dev/null || return 1	# the kernel keeps its nodes
	kill -9 "$NSPID"
	until_ended "$NSPID" || return 1
	ls "$MNT/ns" >/dev/null
	for i in $(seq 20); do
		new_ns || return 1
		[ "$NS" = "$old" ] && break
	done
	[ "$NS" = "$old" ] || skip "the kernel did not reuse the inode number in 20 tries"
	ls "$MNT/ns" | grep -qx "$NS" || { echo "# the new namespace $NS is not listed"; return 1; }
	ls "$MNT/ns/$NS/shm" >/dev/null || return 1
}

run_tests
