#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# perms.sh - the permission matrix: for every kind, owner, mode and
# operation, an unprivileged caller gets through the mount exactly what
# the kernel gives the same caller natively, down to the errno.
#
#   kinds    shm, sem, mq
#   owners   root's; given to nobody (root created it); group 4242's; made
#            by nobody and given to root (nobody is only the creator)
#   callers  nobody; nobody with supplementary group 4242; nobody with
#            primary group 4242; nobody as root of a user namespace of its
#            own; root in a child user namespace (capabilities count only
#            in the user namespace that owns the IPC namespace, or above)
#   modes    000 400 200 600 040 020 060 004 002 006 066 666
#   ops      read, write, P/V/zero/SETVAL/GETALL/SETALL, send, receive,
#            receive by type, peek (messages/, MSG_COPY), qbytes down and
#            past msgmnb, info, truncate, chmod, chown, remove; and create
#
# tests/helpers/permtool runs each list of operations twice as the caller:
# on one object natively, on an identical one through the mount, and
# answers "ok" or the errno's name per line.  Any line where the two differ is a
# difference; there must be none.  The state each operation leaves is the
# same on both sides as long as the answers agree.
. "$(dirname "$0")/../lib.sh"
keyrange 0x1fc5d3
PT=$BUILD/permtool

ipcfs_mount || exit 1

CALLERS=(
	"nobody:setpriv --reuid=65534 --regid=65534 --clear-groups"
	"nobody+group4242:setpriv --reuid=65534 --regid=65534 --groups=4242"
	"nobody/gid4242:setpriv --reuid=65534 --regid=4242 --clear-groups"
	# Root of a user namespace of their own (unshare -Ur, allowed to anyone
	# on Debian): every capability there, none in the namespace that owns
	# the host's IPC objects.
	"nobody-in-own-userns:setpriv --reuid=65534 --regid=65534 --clear-groups unshare -Ur"
	# root's uid in a child user namespace: uid 0 still owns root's
	# objects, but its capabilities there count for nothing here.
	"root-of-child-userns:unshare -Ur"
)
MODES="000 400 200 600 040 020 060 004 002 006 066 666"
OWNERS="root given group creator"
OVER=$(($(cat /proc/sys/kernel/msgmnb) + 1))

# The operations, as "native | through the mount" pairs.  @N and @F are
# the two objects' ids, @M the mount, @U @G @MODE the owner and mode set.
OPS_SHM=(
	"stat-any shm @N | read @M/shm/@F/info"
	"shm-read @N | read @M/shm/@F/data"
	"shm-write @N | write @M/shm/@F/data w"
	"shm-zero @N | truncate @M/shm/@F/data 0"
	"set-same shm @N | chmod @M/shm/@F @MODE"
	"set-same shm @N | chown-same @M/shm/@F"
	"rm shm @N | rmdir @M/shm/@F"
)
OPS_SEM=(
	"stat-any sem @N | read @M/sem/@F/info"
	"sem-getval @N 0 | read @M/sem/@F/0"
	"sem-getall @N | read @M/sem/@F/values"
	"sem-zcnt @N 0 | read @M/sem/@F/semaphores"
	"sem-setval @N 0 1 | write @M/sem/@F/0 1"
	"sem-op @N 0 1 | write @M/sem/@F/0 +1 nonblock"
	"sem-op @N 0 -1 | write @M/sem/@F/0 -1 nonblock"
	"sem-op @N 1 0 | write @M/sem/@F/1 zero nonblock"
	"sem-op @N 0 0 | write @M/sem/@F/0 zero nonblock"
	"sem-setall @N 1 0 | write @M/sem/@F/values 1\\n0"
	"set-same sem @N | chmod @M/sem/@F @MODE"
	"set-same sem @N | chown-same @M/sem/@F"
	"rm sem @N | rmdir @M/sem/@F"
)
OPS_MQ=(
	"stat-any mq @N | read @M/mq/@F/info"
	"mq-copy @N 0 | ls @M/mq/@F/messages"
	"mq-copy @N 0 | read @M/mq/@F/messages/0.type1"
	"mq-copy @N 1 | stat @M/mq/@F/messages/1.type5"
	"mq-copy @N 0 | ls @M/mq/@F/type"
	"mq-send @N 1 x | write @M/mq/@F/queue x nonblock"
	"mq-send @N 1 y | write @M/mq/@F/lines y\\n nonblock"
	"mq-send @N 3 z | write @M/mq/@F/type/3 z nonblock"
	"mq-recv @N 5 | read @M/mq/@F/type/5 nonblock"
	"mq-recv @N 0 | read @M/mq/@F/queue nonblock"
	"mq-recv @N 0 | read @M/mq/@F/lines nonblock"
	"mq-qbytes @N 16000 | write @M/mq/@F/qbytes 16000"
	"mq-qbytes-over @N | write @M/mq/@F/qbytes @OVER"
	"set-same mq @N | chmod @M/mq/@F @MODE"
	"set-same mq @N | chown-same @M/mq/@F"
	"rm mq @N | rmdir @M/mq/@F"
)

# as CALLER-INDEX CMD...: run CMD as that caller.
as() { local c=${CALLERS[$1]#*:}; shift; $c "$@"; }

# owner_of OWNER: "uid gid" it gets.
owner_of() {
	case $1 in
	root | creator) echo "0 0" ;;
	given) echo "65534 0" ;;
	group) echo "0 4242" ;;
	esac
}

# compare KIND OWNER MODE CALLER N F: run the kind's list both ways.
compare() {
	local c=$4
	compare_as "$1" "$2" "$3" "${CALLERS[$c]%%:*}" "${CALLERS[$c]#*:}" "${CALLERS[$c]#*:}" \
		"$5" "$6" "$MNT" "$OVER"
}

# compare_as KIND OWNER MODE NAME NATIVE-WRAP FS-WRAP N F PREFIX OVER: the
# kind's list natively with NATIVE-WRAP on object N, and through the mount
# at PREFIX with FS-WRAP on object F, the caller named NAME.
compare_as() {
	local kind=$1 owner=$2 mode=$3 name=$4 natwrap=$5 fswrap=$6 n=$7 f=$8 prefix=$9 over=${10}
	local u g ops line i=0 nat fs
	read -r u g < <(owner_of "$owner")
	case $kind in
	shm) ops=("${OPS_SHM[@]}") ;;
	sem) ops=("${OPS_SEM[@]}") ;;
	mq) ops=("${OPS_MQ[@]}") ;;
	esac
	: >"$WORK/nat.in"
	: >"$WORK/fs.in"
	for line in "${ops[@]}"; do
		line=${line//@N/$n}
		line=${line//@F/$f}
		line=${line//@MODE/$mode}	# (before @M, which it starts with)
		line=${line//@M/$prefix}
		line=${line//@U/$u}
		line=${line//@G/$g}
		line=${line//@OVER/$over}
		echo "${line%% | *}" >>"$WORK/nat.in"
		echo "${line#* | }" >>"$WORK/fs.in"
	done
	$natwrap "$PT" <"$WORK/nat.in" >"$WORK/nat.out" 2>&1
	$fswrap "$PT" <"$WORK/fs.in" >"$WORK/fs.out" 2>&1
	while IFS= read -r nat <&3 && IFS= read -r fs <&4; do
		echo x >>"$WORK/cases"
		# msgrcv's "no message" is ENOMSG; a non-blocking read(2) of an
		# empty queue says EAGAIN, as the contract wants.
		[ "$nat" = ENOMSG ] && [ "$fs" = EAGAIN ] && fs=ENOMSG
		# chown(2) from inside a user namespace to ids it cannot name is
		# refused by the VFS (EINVAL) before ipcfs hears of it; IPC_SET
		# says EPERM first to a caller who is not the owner.  Both refuse.
		if [ "$nat" = EPERM ] && [ "$fs" = EINVAL ] && [[ $name == *userns* ]] &&
			sed -n "$((i + 1))p" "$WORK/fs.in" | grep -q '^chown'; then
			echo x >>"$WORK/vfs_first"
			fs=$nat
		fi
		if [ "$nat" != "$fs" ]; then
			printf '%s %s owner=%s mode=%s caller=%s: kernel %s, ipcfs %s\n' "$kind" \
				"$(sed -n "$((i + 1))p" "$WORK/fs.in" | sed "s|$prefix/||; s|/$f/|/ID/|; s|/$f\$|/ID|; s| [0-9]* [0-9]*\$||")" \
				"$owner" "$mode" "$name" "$nat" "$fs" >>"$WORK/diffs"
		fi
		i=$((i + 1))
	done 3<"$WORK/nat.out" 4<"$WORK/fs.out"
	[ "$i" -eq "${#ops[@]}" ] || { echo "# $kind: $i answers for ${#ops[@]} operations"; cat "$WORK/nat.out" "$WORK/fs.out"; return 1; }
}

# setup OWNER MODE: two objects of each kind, as OWNER says, in the same
# state; sets IDS (shm shm sem sem mq mq).  In the IPC namespace of
# process $IN (as root joins it: nsenter --ipc), if set; else the host's.
setup() {
	local owner=$1 mode=$2 u g out in=""
	read -r u g < <(owner_of "$owner")
	[ -n "${IN:-}" ] && in="nsenter -t $IN --ipc"
	printf 'create shm 0 600\ncreate shm 0 600\ncreate sem 0 600 2\ncreate sem 0 600 2\ncreate mq 0 600\ncreate mq 0 600\n' >"$WORK/mk.in"
	if [ "$owner" = creator ]; then
		out=$($in ${CALLERS[0]#*:} "$PT" <"$WORK/mk.in")
	else
		out=$($in "$PT" <"$WORK/mk.in")
	fi
	# shellcheck disable=SC2206
	IDS=($(printf '%s\n' "$out" | awk '$2 == "ok" {print $1}'))
	[ "${#IDS[@]}" -eq 6 ] || { echo "# setup: $out"; return 1; }
	# (Ids of the host's objects; a namespace's go with it.)
	if [ -z "${IN:-}" ]; then
		track_shm "${IDS[0]}"; track_shm "${IDS[1]}"
		track_sem "${IDS[2]}"; track_sem "${IDS[3]}"
		track_mq "${IDS[4]}"; track_mq "${IDS[5]}"
	fi
	{
		for i in 0 1; do
			echo "shm-write ${IDS[$i]}"
			echo "set-owner shm ${IDS[$i]} $u $g $mode"
			echo "sem-setval ${IDS[$((2 + i))]} 0 1"
			echo "set-owner sem ${IDS[$((2 + i))]} $u $g $mode"
			echo "mq-send ${IDS[$((4 + i))]} 1 m1"
			echo "mq-send ${IDS[$((4 + i))]} 5 m5"
			echo "set-owner mq ${IDS[$((4 + i))]} $u $g $mode"
		done
	} | $in "$PT" >"$WORK/init.out"
	grep -qv '^ok$' "$WORK/init.out" && { echo "# init: $(tr '\n' ' ' <"$WORK/init.out")"; return 1; }
	return 0
}

teardown_objects() {
	local in=""
	[ -n "${IN:-}" ] && in="nsenter -t $IN --ipc"
	printf 'rm shm %s\nrm shm %s\nrm sem %s\nrm sem %s\nrm mq %s\nrm mq %s\n' "${IDS[@]}" |
		$in "$PT" >/dev/null
}

# nobodys_container: an IPC namespace owned by a user namespace nobody
# made (`unshare -Ur --ipc` as nobody), held by a sleeping process; sets
# UPID.
nobodys_container() {
	ipc_ns_new setpriv --reuid=65534 --regid=65534 --clear-groups unshare -Ur --ipc || return 1
	UPID=$NSPID
}

# report_diffs: the differences found, if any (then return 1).
report_diffs() {
	local diffs
	diffs=$(wc -l <"$WORK/diffs")
	[ "$diffs" -eq 0 ] && return 0
	echo "# differences from the kernel (first 25 of $diffs; by operation:)"
	sed 's/ owner=.*: / : /' "$WORK/diffs" | sort | uniq -c | sort -rn | head -10 | sed 's/^/#   /'
	head -25 "$WORK/diffs" | sed 's/^/#   /'
	return 1
}

test_matrix_matches_the_kernel() {
	local owner mode c diffs cases
	: >"$WORK/diffs"
	: >"$WORK/cases"
	: >"$WORK/vfs_first"
	for owner in $OWNERS; do
		for mode in $MODES; do
			for c in "${!CALLERS[@]}"; do
				setup "$owner" "$mode" || return 1
				compare shm "$owner" "$mode" "$c" "${IDS[0]}" "${IDS[1]}" || return 1
				compare sem "$owner" "$mode" "$c" "${IDS[2]}" "${IDS[3]}" || return 1
				compare mq "$owner" "$mode" "$c" "${IDS[4]}" "${IDS[5]}" || return 1
				teardown_objects
			done
		done
	done
	cases=$(wc -l <"$WORK/cases")
	diffs=$(wc -l <"$WORK/diffs")
	figure "perms: $cases cases compared (3 kinds, 4 owners, ${#CALLERS[@]} callers, 12 modes), $diffs differences"
	figure "perms: $(wc -l <"$WORK/vfs_first") chowns from a user namespace to ids it cannot name: the VFS says EINVAL, IPC_SET EPERM (both refuse)"
	report_diffs || return 1
	assert_alive
}

# The same matrix on objects in a container (an IPC namespace owned by a
# user namespace nobody made: unshare -Ur --ipc), acted on from outside
# it, through ns/INODE/.  Natively such a caller has to join the IPC
# namespace first, which needs CAP_SYS_ADMIN where it stands: root joins
# it as it is (nsenter --ipc), nobody, who made it, enters its user
# namespace first (nsenter -U -i --preserve-credentials: its own ids,
# every capability in that namespace), so that IPC_SET reads the ids in
# the container's user namespace (chown to ids it cannot name: EINVAL),
# and raising qbytes past msgmnb wants CAP_SYS_RESOURCE in the initial
# one.  Another user can do neither: no ns/INODE/ for them (ENOENT).
test_callers_outside_a_container_act_as_the_kernel_lets_them() {
	local owner mode c diffs cases upid uns over name nat fs out
	nobodys_container || return 1
	upid=$UPID
	uns=$(stat -L -c %i "/proc/$upid/ns/ipc")
	over=$(($(nsenter -t "$upid" --ipc cat /proc/sys/kernel/msgmnb) + 1))
	local outside=(
		"its-creator-outside|setpriv --reuid=65534 --regid=65534 --clear-groups nsenter -t $upid -U -i --preserve-credentials|setpriv --reuid=65534 --regid=65534 --clear-groups"
		"root-outside|nsenter -t $upid --ipc|"
	)
	: >"$WORK/diffs"
	: >"$WORK/cases"
	: >"$WORK/vfs_first"
	IN=$upid
	for owner in $OWNERS; do
		for mode in $MODES; do
			for c in "${outside[@]}"; do
				IFS='|' read -r name nat fs <<<"$c"
				setup "$owner" "$mode" || return 1
				compare_as shm "$owner" "$mode" "$name" "$nat" "$fs" "${IDS[0]}" "${IDS[1]}" \
					"$MNT/ns/$uns" "$over" || return 1
				compare_as sem "$owner" "$mode" "$name" "$nat" "$fs" "${IDS[2]}" "${IDS[3]}" \
					"$MNT/ns/$uns" "$over" || return 1
				compare_as mq "$owner" "$mode" "$name" "$nat" "$fs" "${IDS[4]}" "${IDS[5]}" \
					"$MNT/ns/$uns" "$over" || return 1
				teardown_objects
			done
		done
	done
	# Another user: natively no way in; through the mount no such directory.
	setup root 666 || return 1
	nat=$(echo "stat-any shm ${IDS[0]}" | setpriv --reuid=65533 --regid=65533 --clear-groups \
		nsenter -t "$upid" -U -i --preserve-credentials "$PT" 2>&1)
	out=$(printf 'read %s\nchmod %s 600\n' "$MNT/ns/$uns/shm/${IDS[1]}/info" "$MNT/ns/$uns/shm/${IDS[1]}" |
		setpriv --reuid=65533 --regid=65533 --clear-groups "$PT" | tr '\n' ' ')
	teardown_objects
	IN=
	cases=$(wc -l <"$WORK/cases")
	diffs=$(wc -l <"$WORK/diffs")
	figure "perms: $cases cases in a container acted on from outside through ns/ (3 kinds, 4 owners, 2 callers, 12 modes), $diffs differences"
	figure "perms: another user outside: natively [$(echo "$nat" | head -1)], through ns/ [$out]"
	assert_match "Permission denied|Operation not permitted" "$nat" "another user, natively" || return 1
	assert_eq "ENOENT ENOENT " "$out" "another user, through ns/" || return 1
	report_diffs || return 1
	assert_alive
}

# Creation as each caller: allowed both ways, with the caller as creator
# and owner; a taken key is EEXIST both ways, whoever holds it.
test_create_as_each_caller() {
	local c kind n=0 k k1 k2 nat fs diffs=0 id want
	for c in "${!CALLERS[@]}"; do
		for kind in shm sem mq; do
			k1=$(key $((n * 2)))
			k2=$(key $((n * 2 + 1)))
			n=$((n + 1))
			nat=$(echo "create $kind $k1 600" | as "$c" "$PT" | awk '{print $NF}')
			fs=$(echo "mkdir $MNT/$kind/$k2 600" | as "$c" "$PT")
			[ "$nat" = "$fs" ] || { echo "# create $kind as ${CALLERS[$c]%%:*}: kernel $nat, ipcfs $fs"; diffs=$((diffs + 1)); }
			# Again: both keys are taken now, by either side.
			for k in "$k1" "$k2"; do
				nat=$(echo "create $kind $k 600" | as "$c" "$PT" | awk '{print $NF}')
				fs=$(echo "mkdir $MNT/$kind/$k 600" | as "$c" "$PT")
				[ "$nat" = "$fs" ] || { echo "# re-create $kind $k: kernel $nat, ipcfs $fs"; diffs=$((diffs + 1)); }
			done
			id=$(cat "$MNT/$kind/$k2/id") || return 1
			want=65534
			[ "${CALLERS[$c]%%:*}" = root-of-child-userns ] && want=0
			assert_eq $want "$(cat "$MNT/$kind/$id/cuid")" "creator of $kind $k2" || return 1
		done
	done
	figure "perms: $((n * 3)) creations compared, $diffs differences"
	[ "$diffs" -eq 0 ]
}

# Callers with many groups: the kernel weighs all of them (and a member of
# the object's group gets the group bits, even fewer than others get);
# ipcfs reads them from /proc/PID/status, past 64 groups and past 4 KiB.
test_callers_with_many_groups() {
	local g100 g701 ids id kind t nat fs diffs=0 n=0 c mode gid
	g100=$(seq -s, 5001 5100)
	g701=$(seq -s, 1000000 1000700)
	# caller | object gid | mode
	for t in "nobody:$g100|5100|604" "nobody:$g100|5100|640" "nobody:$g100|5001|604" \
		"nobody:$g701|1000700|060" "nobody:$g701|1000700|606" "root:$g701|0|000"; do
		c=${t%%|*}
		gid=$(echo "$t" | cut -d'|' -f2)
		mode=${t##*|}
		if [ "${c%%:*}" = root ]; then
			c="setpriv --groups=${c#*:}"
		else
			c="setpriv --reuid=65534 --regid=65534 --groups=${c#*:}"
		fi
		for kind in shm sem mq; do
			id=$(echo "create $kind 0 600" | "$PT" | awk '{print $1}')
			case $kind in
			shm) track_shm "$id"; nat="shm-read $id"; fs="read $MNT/shm/$id/data" ;;
			sem) track_sem "$id"; nat="sem-getval $id 0"; fs="read $MNT/sem/$id/0" ;;
			mq) track_mq "$id"; nat="mq-copy $id 0"; fs="ls $MNT/mq/$id/messages"
			    echo "mq-send $id 1 m" | "$PT" >/dev/null ;;
			esac
			echo "set-owner $kind $id 0 $gid $mode" | "$PT" >/dev/null
			nat=$(echo "$nat" | $c "$PT")
			fs=$(echo "$fs" | $c "$PT")
			n=$((n + 1))
			if [ "$nat" != "$fs" ]; then
				echo "# $kind, gid $gid mode $mode, ${t%%:*} with $(echo "${t#*:}" | cut -d'|' -f1 | tr ',' '\n' | wc -l) groups: kernel $nat, ipcfs $fs"
				diffs=$((diffs + 1))
			fi
			echo "rm $kind $id" | "$PT" >/dev/null
		done
	done
	figure "perms: $n cases with callers in 100 and 701 groups, $diffs differences"
	[ "$diffs" -eq 0 ]
}

# A mount of an IPC namespace owned by a user namespace that nobody made
# (`unshare -Ur --ipc` as nobody): capabilities count there for root of
# that user namespace, and for nobody outside it, who created it (the
# kernel's cap_capable: the owner of a child namespace has every
# capability in it); not for another unprivileged user.  Objects are
# root's, mode 0600.  Referee: the same caller natively in that namespace.
test_capabilities_in_a_namespace_owned_by_a_child_user_namespace() {
	local upid c wrap ids out nat fs diffs=0 n=0
	nobodys_container || return 1
	upid=$UPID
	ipcfs_mount -o "ns=/proc/$upid/ns/ipc" || return 1
	out=$(printf 'create shm 0 600\ncreate sem 0 600 1\ncreate mq 0 600\n' |
		nsenter -t "$upid" --ipc "$PT")
	# shellcheck disable=SC2207
	ids=($(printf '%s\n' "$out" | awk '$2 == "ok" {print $1}'))
	[ ${#ids[@]} -eq 3 ] || { echo "# create: $out"; return 1; }
	echo "mq-send ${ids[2]} 1 m" | nsenter -t "$upid" --ipc "$PT" >/dev/null
	for c in "root-of-the-owner-userns:nsenter -t $upid --user --ipc" \
		"nobody-who-made-it:nsenter -t $upid --ipc setpriv --reuid=65534 --regid=65534 --clear-groups" \
		"another-user:nsenter -t $upid --ipc setpriv --reuid=65533 --regid=65533 --clear-groups"; do
		wrap=${c#*:}
		printf 'shm-read %s\nsem-getval %s 0\nmq-copy %s 0\nset-same shm %s\nset-same mq %s\n' \
			"${ids[0]}" "${ids[1]}" "${ids[2]}" "${ids[0]}" "${ids[2]}" >"$WORK/nat.in"
		printf 'read %s\nread %s\nls %s\nchmod %s 600\nchmod %s 600\n' "$MNT/shm/${ids[0]}/data" \
			"$MNT/sem/${ids[1]}/0" "$MNT/mq/${ids[2]}/messages" "$MNT/shm/${ids[0]}" \
			"$MNT/mq/${ids[2]}" >"$WORK/fs.in"
		nat=$($wrap "$PT" <"$WORK/nat.in" 2>&1 | tr '\n' ' ')
		fs=$($wrap "$PT" <"$WORK/fs.in" 2>&1 | tr '\n' ' ')
		n=$((n + 5))
		echo "# ${c%%:*}: kernel [$nat] ipcfs [$fs]"
		[ "$nat" = "$fs" ] || diffs=$((diffs + 1))
	done
	printf 'rm shm %s\nrm sem %s\nrm mq %s\n' "${ids[@]}" | nsenter -t "$upid" --ipc "$PT" >/dev/null
	figure "perms: $n cases in a namespace owned by a child user namespace, $diffs callers differ"
	[ "$diffs" -eq 0 ]
}

run_tests
