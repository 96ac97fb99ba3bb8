#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# shm.sh - shared memory through a real mount, against tests/helpers/shmtool
# (plain shmget/shmat) on the other side and util-linux's ipcs as the
# referee: what only segments do.  What every kind does alike (names,
# mkdir, new, rmdir, chmod, chown, permissions, info, the read-only
# mount ...) is tested once for all of them in tree.sh.
. "$(dirname "$0")/../lib.sh"
keyrange 0x1fc590
SHMTOOL=$BUILD/shmtool

ipcfs_mount || exit 1

# shm_mk N SIZE [MODE]: a segment with our Nth key, made natively.
shm_mk() { "$SHMTOOL" create "$(key "$1")" "$2" "${3:-600}"; }

# ipcs_field ID NAME: one name=value from `ipcs -m -i ID`.
ipcs_field() { ipcs -m -i "$1" | tr '\t' '\n' | sed -n "s/^$2=//p" | sed 's/ *$//'; }

# shm_room: how many more segments shmmni allows, 16 left for others.
shm_room() { echo $(( $(cat /proc/sys/kernel/shmmni) - $(ipcs -m | grep -c '^0x') - 16 )); }

test_program_write_shows_in_cat() {
	local id
	id=$(shm_mk 1 4096) || return 1
	"$SHMTOOL" write "$id" 0 "hello from C" || return 1
	assert_eq "hello from C" "$(head -c 12 "$MNT/shm/$id/data")" "cat data"
	# No stale cache: a second write is visible to the next read.
	"$SHMTOOL" write "$id" 6 "again!" || return 1
	assert_eq "hello again!" "$(head -c 12 "$MNT/shm/$id/data")" "second read"
	assert_eq 4096 "$(wc -c <"$MNT/shm/$id/data")" "whole segment length"
}

test_echo_writes_and_truncate_zero_fills() {
	local id
	id=$(shm_mk 2 64) || return 1
	"$SHMTOOL" write "$id" 0 "XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX" || return 1
	echo hi >"$MNT/shm/$id/data" || return 1
	assert_eq "$(printf 'hi\n' | od -An -c)" "$("$SHMTOOL" read "$id" 0 3 | od -An -c)" "echo wrote" || return 1
	# Truncation zero-filled the rest; the size is unchanged.
	assert_eq "$(head -c 61 /dev/zero | od -An -tx1)" "$("$SHMTOOL" read "$id" 3 61 | od -An -tx1)" "zero fill" || return 1
	assert_eq 64 "$(stat -c %s "$MNT/shm/$id/data")" "st_size"
}

test_dd_seek_notrunc_writes_in_place() {
	local id
	id=$(shm_mk 3 8192) || return 1
	"$SHMTOOL" write "$id" 0 "keepme" || return 1
	printf 'middle' | dd of="$MNT/shm/$id/data" bs=1 seek=5000 conv=notrunc status=none || return 1
	assert_eq "middle" "$("$SHMTOOL" read "$id" 5000 6)" "program sees dd write" || return 1
	assert_eq "keepme" "$("$SHMTOOL" read "$id" 0 6)" "start untouched" || return 1
	# Reading at an offset through the mount.
	assert_eq "middle" "$(dd if="$MNT/shm/$id/data" bs=1 skip=5000 count=6 status=none)" "dd read at offset"
}

test_write_past_end_is_efbig_and_changes_nothing() {
	local id
	id=$(shm_mk 4 16) || return 1
	"$SHMTOOL" write "$id" 0 "0123456789abcdef" || return 1
	assert_fails "File too large" dd if=/dev/zero of="$MNT/shm/$id/data" bs=1 count=1 seek=16 conv=notrunc status=none || return 1
	# A write that straddles the end writes nothing at all.
	assert_fails "File too large" bash -c "printf 'ZZZZ' | dd of='$MNT/shm/$id/data' bs=4 seek=14 oflag=seek_bytes conv=notrunc status=none" || return 1
	assert_fails "File too large" bash -c "echo 'this line is longer than sixteen bytes' > '$MNT/shm/$id/data'" || return 1
	# (the failed echo's O_TRUNC zero-filled it, as truncation does)
	assert_eq 16 "$(stat -c %s "$MNT/shm/$id/data")" "size unchanged"
	"$SHMTOOL" write "$id" 0 "0123456789abcdef" || return 1
	assert_fails "File too large" bash -c "printf 'ZZZZ' | dd of='$MNT/shm/$id/data' bs=4 seek=14 oflag=seek_bytes conv=notrunc status=none" || return 1
	assert_eq "0123456789abcdef" "$("$SHMTOOL" read "$id" 0 16)" "bytes unchanged"
	assert_fails "File too large" truncate -s 17 "$MNT/shm/$id/data"
}

test_mount_option_shm_size() {
	local m k
	ipcfs_mount -o shm_size=1M || return 1
	k=$(key 8)
	mkdir "$MNT/shm/$k" || return 1
	assert_eq 1048576 "$(cat "$MNT/shm/$k/size")" "shm_size=1M" || return 1
	rmdir "$MNT/shm/$k"
}

# dir_or_ended DIR PID: DIR is there (the daemon PID serves it), or PID ended.
dir_or_ended() { [ -d "$1" ] || ended "$2"; }
# unlisted ID: ls of shm/ does not show ID.
unlisted() { local l; l=$(ls "$MNT/shm") && ! grep -qx "$1" <<<"$l"; }

# rmdir of an attached segment: it stays listed, marked dest, until the
# last detach.
test_rmdir_of_an_attached_segment_marks_it_dest() {
	local c holder
	c=$(shm_mk 15 4096) || return 1
	coproc HOLD { exec "$SHMTOOL" hold "$c"; }
	holder=$HOLD_PID
	track_pid "$holder"
	read -r _ <&"${HOLD[0]}"
	rmdir "$MNT/shm/$c" || return 1
	assert_eq 1 "$(cat "$MNT/shm/$c/dest")" "dest after rmdir" || return 1
	ls "$MNT/shm" | grep -qx "$c" || { echo "# dest segment not listed"; return 1; }
	assert_eq 1 "$(cat "$MNT/shm/$c/nattch")" "still attached" || return 1
	kill "$holder"; wait "$holder" 2>/dev/null
	until_true unlisted "$c" || { echo "# gone segment still listed"; return 1; }
	assert_fails "No such file" rmdir "$MNT/shm/$c"
}

test_an_open_data_outlives_its_removed_segment() {
	local id
	id=$(shm_mk 43 4096) || return 1
	ls "$MNT/shm/$id" >/dev/null || return 1
	# Open data, then the segment goes away: the open file keeps working,
	# as an mmap of a removed segment does, new opens get ENOENT.  Where
	# the daemon has views, the open file does not keep the segment in
	# ipcs as `dest`: it holds no attachment.
	exec 4<"$MNT/shm/$id/data"
	"$SHMTOOL" rm "$id" || return 1
	if can_view && ipc_exists m "$id"; then echo "# an open data kept it attached"; exec 4<&-; return 1; fi
	assert_eq 4096 "$(wc -c <&4)" "open file still reads" || return 1
	exec 4<&-
	assert_fails "No such file" cat "$MNT/shm/$id/info" || return 1
	assert_fails "No such file" cat "$MNT/shm/$id/data" || return 1
	assert_fails "No such file" cat "$MNT/shm/$(key 43)/info" || return 1
	assert_alive
}

test_attached_lists_processes() {
	local id p1 p2 out
	id=$(shm_mk 46 4096) || return 1
	assert_eq "" "$(cat "$MNT/shm/$id/attached")" "nobody attached" || return 1
	coproc H1 { exec "$SHMTOOL" hold "$id"; }
	p1=$H1_PID; track_pid "$p1"; read -r _ <&"${H1[0]}"
	coproc H2 { exec "$SHMTOOL" hold "$id" ro; }
	p2=$H2_PID; track_pid "$p2"; read -r _ <&"${H2[0]}"
	out=$(cat "$MNT/shm/$id/attached")
	assert_eq "$(printf '%s shmtool\n%s shmtool' "$p1" "$p2" | sort)" "$(printf '%s\n' "$out" | sort)" "both holders" || return 1
	kill "$p1"; wait "$p1" 2>/dev/null
	assert_eq "$p2 shmtool" "$(cat "$MNT/shm/$id/attached")" "one left" || return 1
	kill "$p2"; wait "$p2" 2>/dev/null
	assert_eq "" "$(cat "$MNT/shm/$id/attached")" "none left"
}

# attached_or_ended OUT PID: the holder PID said so in OUT, or ended.
attached_or_ended() { grep -q '^attached$' "$1" || ended "$2"; }

# holder CMD...: run CMD (a `shmtool hold`) in the background, its output
# in a file (so that no $(...) waits for it), until it says it is
# attached; print its pid (tracked).
holder() {
	local out pid
	out=$(mktemp "$WORK/holder.XXXXXX")
	"$@" </dev/null >"$out" 2>&1 &
	pid=$!
	track_pid "$pid"
	until_true attached_or_ended "$out" "$pid" >&2 && grep -q '^attached$' "$out" && { echo "$pid"; return 0; }
	echo "# holder $*: $(cat "$out")" >&2
	return 1
}

# `attached` shows a process to whom the kernel shows its /proc/PID/maps
# (the referee): nobody sees its own dumpable process, not root's, not
# its own that made itself non-dumpable, not its own that holds a
# capability (nobody's has none); each unseen one is counted on a last
# line "hidden N".  Root (CAP_SYS_PTRACE) sees every one.
test_attached_shows_only_whom_maps_would() {
	local a b pr prb pn pd pc p seen want got hidden=0
	a=$(shm_mk 57 4096 600) || return 1
	b=$(shm_mk 58 4096 666) || return 1
	pr=$(holder "$SHMTOOL" hold "$a") || return 1
	prb=$(holder "$SHMTOOL" hold "$b") || return 1
	pn=$(holder $NOBODY "$SHMTOOL" hold "$b") || return 1
	pd=$(holder $NOBODY "$SHMTOOL" hold "$b" nodump) || return 1
	pc=$(holder $NOBODY --inh-caps=+sys_nice --ambient-caps=+sys_nice "$SHMTOOL" hold "$b") || return 1
	# The referee first: what /proc/PID/maps gives nobody.
	$NOBODY cat "/proc/$pr/maps" >/dev/null 2>&1 && { echo "# nobody reads root's maps"; return 1; }
	$NOBODY cat "/proc/$pn/maps" >/dev/null || { echo "# nobody cannot read its own maps"; return 1; }
	$NOBODY cat "/proc/$pd/maps" >/dev/null 2>&1 && { echo "# nobody reads a non-dumpable maps"; return 1; }
	$NOBODY cat "/proc/$pc/maps" >/dev/null 2>&1 && { echo "# nobody reads maps of one with caps"; return 1; }
	assert_eq "hidden 1" "$($NOBODY cat "$MNT/shm/$a/attached")" "root's 0600 segment, to nobody" || return 1
	assert_eq "$pn shmtool
hidden 3" "$($NOBODY cat "$MNT/shm/$b/attached")" "the 0666 segment, to nobody" || return 1
	assert_eq "$pr shmtool" "$(cat "$MNT/shm/$a/attached")" "root's 0600 segment, to root" || return 1
	assert_eq "$(printf '%s shmtool\n' "$prb" "$pn" "$pd" "$pc" | sort)" "$(sort "$MNT/shm/$b/attached")" \
		"the 0666 segment, to root" || return 1
	# Process by process, against the referee: listed to nobody exactly
	# when nobody may read its maps, and the others counted.
	seen=$($NOBODY cat "$MNT/shm/$b/attached")
	for p in $prb $pn $pd $pc; do
		if $NOBODY cat "/proc/$p/maps" >/dev/null 2>&1; then want=listed; else want=hidden; hidden=$((hidden + 1)); fi
		if grep -q "^$p " <<<"$seen"; then got=listed; else got=hidden; fi
		assert_eq "$want" "$got" "process $p to nobody" || return 1
	done
	assert_eq "hidden $hidden" "$(tail -n 1 <<<"$seen")" "the count" || return 1
	# A `while read pid cmd` loop tells the count from a process.
	assert_eq "$pn" "$($NOBODY cat "$MNT/shm/$b/attached" | while read -r p cmd; do
		[ "$p" = hidden ] || echo "$p"; done)" "pids read by a loop" || return 1
	kill $pr $prb $pn $pd $pc
}

test_ls_l_of_many_segments() {
	local n room ids t0 t1 listed
	room=$(shm_room)
	n=4000
	[ "$room" -lt "$n" ] && n=$room
	[ "$n" -lt 100 ] && skip "only $room segments of shmmni free"
	"$SHMTOOL" create-many "$n" 4096 >"$WORK/many" || return 1
	while read -r id; do track_shm "$id"; done <"$WORK/many"
	listed=$(ls -l "$MNT/shm" | awk '$1 ~ /^d/ && $NF ~ /^[0-9]+$/' | wc -l)
	[ "$listed" -ge "$n" ] || { echo "# listed $listed of $n"; return 1; }
	# Every one we made is there, with its mode.
	assert_eq "$n" "$(ls -l "$MNT/shm" | awk '$1 == "drw-------" {print $NF}' | sort | comm -12 - <(sort "$WORK/many") | wc -l)" "our segments listed" || return 1
	xargs -a "$WORK/many" ipcrm $(sed 's/^/-m /' "$WORK/many") 2>/dev/null
	true
}

# can_view: may a daemon started from here make views?  They need
# /proc/self/map_files: CAP_SYS_ADMIN (21) or CAP_CHECKPOINT_RESTORE (40).
can_view() {
	local eff
	eff=$(awk '/^CapEff:/ {print $2}' /proc/self/status)
	(( (0x$eff >> 21 & 1) || (0x$eff >> 40 & 1) ))
}
NO_VIEW="the daemon could not make views here (no CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE)"

# daemon_maps_of KEY: how many of $MNT's daemon's mappings show the
# segment with this key (its open attachments and its shared view).
daemon_maps_of() { grep -c " /SYSV${1#0x}" "/proc/$(mount_pid)/maps"; }

test_open_data_is_no_attachment_and_opens_share_a_view() {
	can_view || skip "$NO_VIEW"
	local id k
	k=$(key 49)
	id=$(shm_mk 49 65536) || return 1
	"$SHMTOOL" write "$id" 60000 "one" || return 1
	assert_eq "one" "$(dd if="$MNT/shm/$id/data" bs=1 skip=60000 count=3 status=none)" "first read" || return 1
	# Two opens at once, read and written through: no attachment (what
	# the kernel tells ipcs and PostgreSQL, what the mount says) and one
	# view (one mapping in the daemon); both see each other's writes and
	# the program's, and the program sees theirs.
	exec 3<>"$MNT/shm/$id/data" 4<"$MNT/shm/$id/data"
	printf 'via3' >&3
	assert_eq "via3" "$(head -c 4 <&4)" "one open sees the other's write" || { exec 3<&- 4<&-; return 1; }
	assert_eq "via3" "$("$SHMTOOL" read "$id" 0 4)" "the program sees it" || { exec 3<&- 4<&-; return 1; }
	assert_eq 0 "$(ipcs_field "$id" nattch)" "ipcs nattch with two opens" || { exec 3<&- 4<&-; return 1; }
	assert_eq 0 "$(cat "$MNT/shm/$id/nattch")" "nattch with two opens" || { exec 3<&- 4<&-; return 1; }
	assert_eq "" "$(cat "$MNT/shm/$id/attached")" "attached with two opens" || { exec 3<&- 4<&-; return 1; }
	assert_eq 1 "$(daemon_maps_of "$k")" "one view, no attachment" || { exec 3<&- 4<&-; return 1; }
	exec 3<&- 4<&-
	"$SHMTOOL" write "$id" 60000 "two" || return 1
	assert_eq "two" "$(dd if="$MNT/shm/$id/data" bs=1 skip=60000 count=3 status=none)" "no stale view" || return 1
	printf 'six' | dd of="$MNT/shm/$id/data" bs=1 seek=65533 conv=notrunc status=none || return 1
	assert_eq "six" "$("$SHMTOOL" read "$id" 65533 3)" "program sees the write" || return 1
	assert_eq 0 "$(ipcs_field "$id" nattch)" "nattch at the end" || return 1
	eventually_eq 1 "the view alone is left" daemon_maps_of "$k"
}

test_view_never_keeps_a_removed_segment() {
	can_view || skip "$NO_VIEW"
	local a b k=$(key 50) k2=$(key 51)
	a=$(shm_mk 50 1048576) || return 1
	cat "$MNT/shm/$a/data" >/dev/null || return 1
	eventually_eq 1 "view kept after close (shm_linger)" daemon_maps_of "$k" || return 1
	# Removed through ipcfs: the view goes with it, at once.
	rmdir "$MNT/shm/$a" || return 1
	assert_eq 0 "$(daemon_maps_of "$k")" "view dropped by rmdir" || return 1
	ipc_exists m "$a" && { echo "# $a still exists"; return 1; }
	# Removed by someone else: gone from the daemon within seconds.
	b=$(shm_mk 51 1048576) || return 1
	cat "$MNT/shm/$b/data" >/dev/null || return 1
	eventually_eq 1 "view kept after close" daemon_maps_of "$k2" || return 1
	ipcrm -m "$b" || return 1
	eventually_eq 0 "view dropped after ipcrm" daemon_maps_of "$k2" || return 1
	# The same key made again serves the new segment's bytes.
	b=$(shm_mk 51 1048576) || return 1
	"$SHMTOOL" write "$b" 0 "fresh" || return 1
	assert_eq "fresh" "$(head -c 5 "$MNT/shm/$k2/data")" "new segment under the old key"
}

test_view_follows_an_id_made_again() {
	can_view || skip "$NO_VIEW"
	local id1 id2 k=$(key 56)
	# The same id, key, size and creator again at once: a private
	# namespace, whose kernel.shm_next_id hands out the removed id.
	ipc_ns_new || return 1
	ipcfs_mount -o "ns=/proc/$NSPID/ns/ipc" || return 1
	coproc RE { exec nsenter -t "$NSPID" --ipc "$SHMTOOL" recreate "$k" 65536 old! new!; }
	track_pid "$RE_PID"
	read -r id1 <&"${RE[0]}" || return 1
	assert_eq "old!" "$(head -c 4 "$MNT/shm/$id1/data")" "the first segment" || return 1
	eventually_eq 1 "its view kept after close" daemon_maps_of "$k" || return 1
	echo >&"${RE[1]}"
	read -r id2 <&"${RE[0]}" || return 1
	assert_eq "$id1" "$id2" "made again under the same id" || return 1
	assert_eq "new!" "$(head -c 4 "$MNT/shm/$id2/data")" "the new segment's bytes, not the old view's" || return 1
	printf 'mine' | dd of="$MNT/shm/$id2/data" conv=notrunc status=none || return 1
	assert_eq "mine" "$(nsenter -t "$NSPID" --ipc "$SHMTOOL" read "$id2" 0 4)" "a write reaches the new segment" || return 1
	echo >&"${RE[1]}"
	wait "$RE_PID"
}

test_views_kept_are_bounded() {
	can_view || skip "$NO_VIEW"
	local room n=1100 id
	room=$(shm_room)
	[ "$room" -lt "$n" ] && skip "only $room segments of shmmni free"
	"$SHMTOOL" create-many "$n" 4096 >"$WORK/bounded" || return 1
	while read -r id; do track_shm "$id"; done <"$WORK/bounded"
	# A daemon of its own: the cap counts every unused view, and other
	# tests leave theirs lingering in the main one.
	ipcfs_mount || return 1
	# Each read leaves a view behind (shm_linger); at most 1,024 stay.
	while read -r id; do cat "$MNT/shm/$id/data" >/dev/null || return 1; done <"$WORK/bounded"
	eventually_eq 1024 "views kept" grep -c ' /SYSV00000000 ' "/proc/$(mount_pid)/maps" || return 1
	sed 's/^/-m /' "$WORK/bounded" | xargs -n 200 ipcrm || return 1
	eventually_eq 0 "views dropped with their segments" grep -c ' /SYSV00000000 ' "/proc/$(mount_pid)/maps"
}

test_shm_linger_option() {
	can_view || skip "$NO_VIEW"
	local id k=$(key 52) t0 t1
	id=$(shm_mk 52 65536) || return 1
	ipcfs_mount -o shm_linger=0 || return 1
	exec 3<"$MNT/shm/$id/data"
	assert_eq 1 "$(daemon_maps_of "$k")" "linger 0: the view (no attachment) while open" || { exec 3<&-; return 1; }
	exec 3<&-
	eventually_eq 0 "linger 0: unmapped at close" daemon_maps_of "$k" || return 1
	ipcfs_mount -o shm_linger=2 || return 1
	# Kept 2 s from the release, which comes after the open: gone no
	# sooner than 2 s after t0 however slow the machine (a slow one only
	# sees it go later).
	t0=$(date +%s%N)
	cat "$MNT/shm/$id/data" >/dev/null || return 1
	eventually_eq 1 "linger 2: kept after close" daemon_maps_of "$k" || return 1
	eventually_eq 0 "linger 2: unmapped after it" daemon_maps_of "$k" || return 1
	t1=$(date +%s%N)
	[ $(((t1 - t0) / 1000000)) -ge 2000 ] ||
		{ echo "# linger 2: unmapped $(((t1 - t0) / 1000000)) ms after the open"; asserted_wrong; }
}

test_data_without_a_view_still_works() {
	can_view || skip "no CAP_SYS_ADMIN to mount /dev/fuse by hand (and no view to do without)"
	local id k=$(key 55) pid
	id=$(shm_mk 55 65536) || return 1
	# Without CAP_SYS_ADMIN and CAP_CHECKPOINT_RESTORE the daemon cannot
	# open /proc/self/map_files: each open reads and writes through its
	# own attachment instead, which nattch counts and `attached` shows.  Such a daemon cannot mount either (nor can
	# fusermount3 under the same bounding set), so the mount is made here
	# and handed to it as /dev/fd/N, which libfuse takes as mounted.
	local fd m=$WORK/nocap
	mkdir -p "$m"
	exec {fd}<>/dev/fuse
	mount -i -t fuse -o "fd=$fd,rootmode=40000,user_id=0,group_id=0,allow_other" ipcfs "$m" ||
		{ exec {fd}<&-; return 1; }
	track_mount "$m"
	setpriv --bounding-set -sys_admin,-checkpoint_restore "$IPCFS" -f "/dev/fd/$fd" \
		</dev/null >>"$WORK/daemon-nocap.log" 2>&1 &
	pid=$!
	echo "$pid" >>"$WORK/track.daemon"
	exec {fd}<&-
	MNT=$m
	echo "$pid" >"$MNT.pid"
	until_true dir_or_ended "$MNT/shm/$id" "$pid" || return 1
	[ $(( 0x$(awk '/^CapEff/ {print $2}' "/proc/$pid/status") >> 21 & 1 )) = 0 ] ||
		{ echo "# the daemon kept CAP_SYS_ADMIN"; return 1; }
	"$SHMTOOL" write "$id" 100 "native" || return 1
	assert_eq "native" "$(dd if="$MNT/shm/$id/data" bs=1 skip=100 count=6 status=none)" "read" || return 1
	printf 'mount' | dd of="$MNT/shm/$id/data" bs=1 seek=200 conv=notrunc status=none || return 1
	assert_eq "mount" "$("$SHMTOOL" read "$id" 200 5)" "write" || return 1
	exec 3<"$MNT/shm/$id/data"
	assert_eq 1 "$(ipcs_field "$id" nattch)" "nattch while open" || { exec 3<&-; return 1; }
	assert_eq "$pid" "$(cut -d' ' -f1 "$MNT/shm/$id/attached")" "attached while open" || { exec 3<&-; return 1; }
	exec 3<&-
	eventually_eq 0 "nattch after close" ipcs_field "$id" nattch || return 1
	eventually_eq 0 "nothing mapped after close" daemon_maps_of "$k"
}

test_options_help_version_and_bad_options() {
	local out
	out=$("$IPCFS" -h 2>&1) || return 1
	assert_match "ns=PATH" "$out" "-h lists ns=" || return 1
	assert_match "shm_size=SIZE" "$out" "-h lists shm_size=" || return 1
	assert_match "shm_linger=SECS" "$out" "-h lists shm_linger=" || return 1
	assert_match "allow_other|-o opt" "$out" "-h shows libfuse's options" || return 1
	assert_match "^ipcfs version [0-9]" "$("$IPCFS" --version 2>&1)" "--version" || return 1
	mkdir -p "$WORK/bad"
	assert_fails "shm_size=abc" "$IPCFS" -f -o shm_size=abc "$WORK/bad" || return 1
	assert_fails "timeout=-1" "$IPCFS" -f -o timeout=-1 "$WORK/bad" || return 1
	assert_fails "shm_linger=soon" "$IPCFS" -f -o shm_linger=soon "$WORK/bad" || return 1
	assert_fails "not an IPC namespace" "$IPCFS" -f -o ns=/proc/self/ns/net "$WORK/bad" || return 1
	assert_fails "No such file" "$IPCFS" -f -o ns=/nonexistent "$WORK/bad" || return 1
	mountpoint -q "$WORK/bad" && { echo "# mounted anyway"; return 1; }
	return 0
}

# What the man page promises of the options, and nothing misleading said
# first.  Before: max_waits=0 mounted, ns=/etc/passwd first warned about
# /dev/shm, and -h listed libfuse's max_threads (ignored) with its
# defaults.
test_options_say_exactly_what_is_wrong() {
	local out
	mkdir -p "$WORK/bad"
	for v in 0 3841 -1 abc ""; do
		assert_fails "max_waits=$v: want 1 to 3840" timeout "$HANG" "$IPCFS" -f -o "max_waits=$v" "$WORK/bad" || return 1
	done
	out=$(timeout 10 "$IPCFS" -f -o ns=/etc/passwd "$WORK/bad" 2>&1) && { echo "# mounted"; return 1; }
	assert_eq "ipcfs: ns=/etc/passwd: not an IPC namespace" "$out" "all it says" || return 1
	mountpoint -q "$WORK/bad" && { echo "# mounted anyway"; return 1; }
	out=$("$IPCFS" -h 2>&1) || return 1
	assert_match "max_idle_threads=N +idle worker threads kept \(64\)" "$out" "-h: max_idle_threads, ipcfs's default" || return 1
	if grep -q "max_threads" <<<"$out"; then echo "# -h lists max_threads"; return 1; fi
	# The man page a user reads has the version, not its template's word.
	out=$(MANWIDTH=200 man -l "$BUILD/ipcfs.1" 2>/dev/null) || { echo "# no $BUILD/ipcfs.1"; return 1; }
	assert_match "ipcfs $(cat "$ROOT/VERSION")" "$out" "man page version" || return 1
	if grep -q "@VERSION@" <<<"$out" || [ -e "$ROOT/doc/ipcfs.1" ]; then echo "# @VERSION@ shown"; return 1; fi
	return 0
}

test_mount_via_mount8_and_fstab_words() {
	local m=$WORK/m8 id
	command -v mount.fuse3 >/dev/null || skip "mount.fuse3 not installed"
	mkdir -p "$m"
	# mount(8) runs helpers with a clean PATH, so name the program in
	# the source ("PROGRAM#SOURCE"); installed, `-t fuse.ipcfs ipcfs` works.
	mount -t fuse "$IPCFS#ipcfs" "$m" -o noauto,_netdev,shm_size=8K,timeout=0 || return 1
	track_mount "$m"
	id=$(shm_mk 47 4096) || return 1
	assert_eq 4096 "$(cat "$m/shm/$id/size")" "served" || return 1
	mkdir "$m/shm/$(key 48)" || return 1
	assert_eq 8192 "$(cat "$m/shm/$(key 48)/size")" "option passed through" || return 1
	grep -q " $m fuse.ipcfs " /proc/mounts || { echo "# not in /proc/mounts as fuse.ipcfs"; return 1; }
	fusermount3 -u "$m"
}

# Mounted by any route, the mount is nosuid,nodev (an IPC view has no
# programs and no devices), whatever the command line or fstab says.
# mount.fuse3 asks for dev,suid unless told otherwise; before, mount(8)
# and fstab mounts were `rw,relatime`.  Referee: /proc/mounts.
test_every_mount_is_nosuid_nodev() {
	local m=$WORK/flags
	command -v mount.fuse3 >/dev/null || skip "mount.fuse3 not installed"
	mkdir -p "$m"
	track_mount "$m"
	mount_flags() { awk -v m="$m" '$2 == m {print $4}' /proc/mounts | tr , '\n' | grep -E '^no(suid|dev)$' | xargs; }
	"$IPCFS" -o suid,dev "$m" || return 1
	assert_eq "nosuid nodev" "$(mount_flags)" "started directly, -o suid,dev" || return 1
	fusermount3 -u "$m" || return 1
	mount -t fuse "$IPCFS#ipcfs" "$m" || return 1
	assert_eq "nosuid nodev" "$(mount_flags)" "mount(8)" || return 1
	umount "$m" || return 1
	mount -t fuse "$IPCFS#ipcfs" "$m" -o suid,dev || return 1
	assert_eq "nosuid nodev" "$(mount_flags)" "mount(8) -o suid,dev" || return 1
	umount "$m" || return 1
	echo "$IPCFS#ipcfs $m fuse suid,dev,nofail 0 0" >"$WORK/fstab"
	mount -a -T "$WORK/fstab" || return 1
	assert_eq "nosuid nodev" "$(mount_flags)" "fstab suid,dev" || return 1
	umount "$m"
}

run_tests
