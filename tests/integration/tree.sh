#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tree.sh - what the tree does alike for every kind of object, each test
# run once per kind: names (ids, 0xKEY, by-key/, unknown and vanished
# ones, odd POSIX names), mkdir, new, rmdir, chmod and chown as the
# kernel's create, IPC_RMID and IPC_SET (or, for a POSIX kind, the
# changes of its file), permissions as nobody and as every caller against
# what the kernel allows them natively, info, stat and ls against the
# kernel's view, the changes the tree refuses, xattrs, a read-only mount,
# limits and summary.  The referees are, for System V, ipcs and each
# kind's native program (tests/helpers/shmtool, semtool, mqtool); for a
# POSIX kind, its native calls (pshmtool, psemtool, pmqtool: shm_open,
# sem_open, mq_open) and the object's own file (/dev/shm/NAME,
# /dev/shm/sem.NAME, NAME in an mqueue mount of a namespace of its own),
# never ipcs.  What only one kind does is in shm.sh, sem.sh, mq.sh,
# posix_shm.sh, posix_sem.sh, posix_mq.sh.
#
# A test_* here is one function run by each_kind for every kind of the
# table below, each in a subshell with the kind's row and data set; every
# line it prints is prefixed with the kind ("[sem] # mode 602 read:
# kernel ok, ipcfs denied"), every kind runs even after one failed, and
# the test fails naming the kinds that did.  TREE_KINDS="sem pmq" runs
# only those kinds.
. "$(dirname "$0")/../lib.sh"
keyrange 0x1fc5e8
PAGE=$(getconf PAGESIZE)
# The POSIX kinds' objects are named $PFX<N>; what an earlier, killed run
# left under that prefix is removed now, as keyrange does for keys.
PFX=ipcfs-test-tree-
pshm_prefix "$PFX"
pshm_prefix "sem.$PFX"
pmq_prefix "$PFX"

ipcfs_mount || exit 1

# The kinds, one a line.  A new kind is a line here, a kind_NAME function
# setting its data and the hooks it needs (see "The kinds' hooks").
#   kind   the suffix of its functions (kind_shm, mk_shm ...)
#   dir    its directory in the mount
#   ipcs   the letter ipcs and ipcrm take for it (-m, -s, -q); - for a
#          POSIX kind, whose hooks default to the _posix ones, not the
#          System V (_sysv) ones
#   keys   yes: objects have keys, so 0xKEY names and by-key/; no (the
#          POSIX kinds' named objects): tests of keys skip the kind
#   param  the one-value file of what `new` and mkdir size an object by
#          (shm_size, sem_nsems), - for none
KIND_TABLE='
shm   shm        m  yes  size
sem   sem        s  yes  nsems
mq    mq         q  yes  -
pshm  posix/shm  -  no   size
psem  posix/sem  -  no   -
pmq   posix/mq   -  no   -
'
KINDS=${TREE_KINDS:-$(awk 'NF {print $1}' <<<"$KIND_TABLE")}

# The modes of the permission matrix as nobody, for every kind.
PERM_MODES="600 640 604 606 644 660 666 400 200 602 622"

# ---- running a test for every kind ----

# use_kind KIND: its row of the table (K, DIRNAME, DIR, F, KEYS, PARAM,
# and FAMILY: sysv or posix), then its data (kind_KIND).  NATIVE prefixes
# the native programs and ipcs (a test in an IPC namespace of its own
# sets it).
use_kind() {
	local row
	row=$(awk -v k="$1" '$1 == k' <<<"$KIND_TABLE")
	[ -n "$row" ] || { echo "# no kind $1 in the table"; return 1; }
	read -r K DIRNAME F KEYS PARAM <<<"$row"
	FAMILY=sysv
	[ "$F" = - ] && FAMILY=posix
	DIR=$MNT/$DIRNAME
	NATIVE=""
	"family_$FAMILY"
	"kind_$K"
}

# each_kind FUNC: FUNC for every kind, each in a subshell (use_kind),
# its output prefixed with [KIND].  A kind that says `skip` is skipped;
# the test is skipped when every kind was, and fails if any kind failed.
# (The output goes through a file, not a pipe: a process a test leaves
# behind cannot hold the test up.)
each_kind() {
	local fn=$1 k rc failed="" why="" skipped=0 n=0 out=$WORK/kind.out
	for k in $KINDS; do
		n=$((n + 1))
		(use_kind "$k" && "$fn") >"$out" 2>&1 </dev/null
		rc=$?
		sed "s/^/[$k] /" "$out"
		case $rc in
		0) ;;
		77)
			skipped=$((skipped + 1))
			why="$why${why:+; }$k: $(sed -n 's/^SKIP: //p' "$out" | head -1)"
			;;
		*) failed="$failed $k" ;;
		esac
	done
	rm -f "$out"
	[ -z "$failed" ] || { echo "# failed for:$failed"; return 1; }
	[ "$skipped" -lt "$n" ] || skip "$why"
}

# hook NAME ARGS...: the kind's NAME_KIND, or its family's (NAME_sysv,
# NAME_posix), or NAME_any, the first there is.
hook() {
	local f=$1_$K
	declare -F "$f" >/dev/null || f=$1_$FAMILY
	declare -F "$f" >/dev/null || f=$1_any
	declare -F "$f" >/dev/null || { echo "# kind $K has no hook $1"; return 1; }
	shift
	"$f" "$@"
}

# needs_keys: the rest of this test is about keys; a kind without skips it.
needs_keys() { [ "$KEYS" = yes ] || skip "$K objects have no keys"; }
# has_field NAME: the kind has one-value file NAME among its FIELDS.
has_field() { [[ " $FIELDS " == *" $1 "* || " $FIELDS " == *" $1:"* ]]; }

# ipcs_name FILE: what ipcs calls the attribute of one-value file FILE.
ipcs_name() {
	local v
	for v in $FIELDS; do
		[ "${v%%:*}" = "$1" ] && { echo "${v#*:}"; return 0; }
	done
	echo "$1"
}
# field_of ID FILE: the value ipcs shows for one-value file FILE.
field_of() { hook field "$1" "$(ipcs_name "$2")"; }
# id_of_key N: the id ipcs lists for our Nth key.
id_of_key() { $NATIVE ipcs -"$F" | awk -v k="$(key "$1")" '$1 == k {print $2}'; }
# key_of ID: the key ipcs lists for ID.
key_of() { $NATIVE ipcs -"$F" | awk -v i="$1" '$2 == i {print $1}'; }
# new_line KEY [PARAM [MODE]]: a line for `new` (empty words left out).
new_line() {
	local l=$1 a
	shift
	for a; do [ -n "$a" ] && l="$l $a"; done
	echo "$l"
}
# The way ipcs prints a time: ctime(3), or "Not set".
ctime_of() { if [ "$1" = 0 ]; then echo "Not set"; else date -d "@$1" '+%a %b %e %H:%M:%S %Y'; fi; }
# newest DIR FILE...: the largest of these one-value files, or ctime if 0.
newest() {
	local d=$1 f v max=0
	shift
	for f; do v=$(cat "$d/$f"); [ "$v" -gt "$max" ] && max=$v; done
	[ "$max" = 0 ] && max=$(cat "$d/ctime")
	echo "$max"
}

# verdict CMD...: ok or denied.
verdict() { if "$@" >/dev/null 2>&1; then echo ok; else echo denied; fi; }
# same MODE WHAT NATIVE CMD...: CMD run as nobody must be allowed or
# denied as the kernel decided natively (NATIVE: ok or denied); a
# difference is said and counted in DIFFS.  FS is ipcfs's verdict.
DIFFS=0
same() {
	local mode=$1 what=$2 native=$3
	shift 3
	FS=$(verdict $NOBODY "$@")
	[ "$native" = "$FS" ] && return 0
	echo "# mode $mode $what: kernel $native, ipcfs $FS"
	DIFFS=$((DIFFS + 1))
}

# ---- the kinds' hooks ----
#
# kind_K sets the kind's data:
#   TOOL      its native program
#   LIVE      the file that acts on the object (data, 0, queue)
#   FIELDS    the attributes compared with ipcs, FILE or FILE:IPCSNAME
#   TIMES     its times, the same way
#   DIR_TIMES the one-value files the directory's atime and mtime come
#             from: "ATIME...;MTIME..." (the newest of each list)
#   MADE      the param `mk` gives; DEFAULT the one mkdir gives
#   INFO      the param of the object the info test makes
#   HAS_NEW   yes: the kind's directory has `new`
#   NEW_ARG, NEW_VAL    a param for `new` and the value it shows;
#   PRIV_ARG, PRIV_VAL  the same for a private object
#   BAD_NEW   lines `new` refuses, with one of the errors in NEW_ERRORS
#   BAD_NAMES names mkdir refuses (Invalid argument, Operation not
#             permitted, File name too long)
#   RM_DENIED what nobody's rmdir of root's object says (as the native
#             removal does)
#   MARK, NAME_MAX_K, MATRIX_OPS (POSIX kinds) what put_* gives and get_*
#             takes back; the longest name; the operations matrix_ops does
#   LIMITS    its names in `limits`; SUMMARY in `summary`
# and hooks (NAME_K; else NAME_sysv or NAME_posix, the family's; else
# NAME_any, the default where there is one):
#   name N               the name mkdir takes for our Nth object (0xKEY,
#                        or $PFX<N>)
#   id_of N              the directory name of our Nth object, empty if none
#   mk N [MODE [PARAM]]  make an object natively with our Nth key (or
#                        name); its id (or name)
#   mk_private           a private one, tracked; its id
#   field ID NAME        what `ipcs -F -i ID` says of NAME (a POSIX kind:
#                        the object's file, or its program)
#   exists ID, rm ID, track ID
#   dir_times ID         the directory's atime mtime ctime, as the kernel
#                        tells them
#   metric_labels ID N   the labels of the samples of object ID (our Nth)
#                        in metrics
#   info_setup ID, info_more ID   around the info test: give the object
#                        fields that are not 0; the kind's own checks
#   through_key ID KEY   act on the object through its key name
#   access ID MODE       nobody's accesses against the kernel's (same)
#   access_more N        more of them, on objects of its own (key N)
#   own_use ID           nobody uses its own object
#   before_set ID, after_set ID   around chmod and chown
#   ro_setup ID, ro_reads ID, ro_refused ID, ro_unchanged ID
#   limit NAME           the kernel's value of limit NAME
#   usage                the kernel's figures of SUMMARY, in that order
#   metric ID            "NAME VALUE" of a gauge of the object
# and, for the POSIX kinds (the odd names and the matrix by caller):
#   nstat NAME FORMAT    stat(1) of the object's file
#   mk_named NAME [MODE [PARAM]]  make one natively by that name
#   put_native NAME, get_mount NAME   MARK given natively, taken back
#                        through the mount; put_mount, get_native the
#                        other way
#   too_long_native NAME the native call refuses NAME as too long
#   matrix_mk NAME U:G MODE, matrix_ops CALLER NAT FS MODE U G
#                        see permission_matrix

# The data every System V kind shares.
family_sysv() {
	HAS_NEW=yes
	RM_DENIED="Operation not permitted"
	BAD_NAMES=(0x 0x0 zz 12 "0x${KEYPFX}0g" 0x100000000 "with space")
}
name_sysv() { key "$1"; }
id_of_sysv() { id_of_key "$1"; }
exists_sysv() { $NATIVE ipcs -"$F" | awk -v i="$1" '$2 == i {f = 1} END {exit !f}'; }
rm_sysv() { $NATIVE ipcrm -"$F" "$1"; }
# The newest of each list of DIR_TIMES' files, then ctime.
dir_times_sysv() {
	local d=$DIR/$1
	# shellcheck disable=SC2086
	echo "$(newest "$d" ${DIR_TIMES%;*}) $(newest "$d" ${DIR_TIMES#*;}) $(cat "$d/ctime")"
}
metric_labels_sysv() { echo "kind=\"$K\",id=\"$1\",key=\"$(key "$2")\",owner=\"root\""; }
track_any() { "track_$K" "$1"; }
# The hooks a kind may go without.
info_setup_any() { :; }
info_more_any() { :; }
through_key_any() { :; }
access_more_any() { :; }
own_use_any() { :; }
before_set_any() { :; }
after_set_any() { :; }
ro_setup_any() { :; }
ro_reads_any() { :; }
ro_refused_any() { :; }
ro_unchanged_any() { :; }

# -- shm: tests/helpers/shmtool --
kind_shm() {
	TOOL=$BUILD/shmtool
	LIVE=data
	FIELDS="uid gid cuid cgid lpid cpid nattch size:bytes mode:access_perms"
	TIMES="atime:att_time dtime:det_time ctime:change_time"
	DIR_TIMES="atime;atime dtime"
	MADE=4096 DEFAULT=$PAGE INFO=12345
	NEW_ARG=10000 NEW_VAL=10000 PRIV_ARG=2K PRIV_VAL=2048
	NEW_ERRORS="Invalid argument\|No space\|Cannot allocate"
	BAD_NEW=(" " "garbage" "$(key 10)" "$(key 10) abc" "$(key 10) 4096 999" "$(key 10) -5"
		"$(key 10) 4096 600 extra" "0xzz 4096" "private 0" "private 99999999999G"
		"$(key 10) 4096
$(key 11) 4096")
	LIMITS="shmmni shmmax shmall shmmin"
	SUMMARY="shm_segments shm_pages shm_pages_resident shm_pages_swapped"
}
mk_shm() { $NATIVE "$TOOL" create "$(key "$1")" "${3:-$MADE}" "${2:-600}"; }
mk_private_shm() {
	local id
	id=$($NATIVE "$TOOL" create private "$MADE") || return 1
	track_shm "$id"
	echo "$id"
}
field_shm() { $NATIVE ipcs -m -i "$1" | tr '\t' '\n' | sed -n "s/^$2=//p" | sed 's/ *$//'; }
info_setup_shm() { "$TOOL" write "$1" 0 "x"; }	# sets atime, dtime, lpid
info_more_shm() { assert_eq "$INFO" "$(stat -c %s "$DIR/$1/data")" "data st_size"; }
through_key_shm() {
	printf 'by-key' | dd of="$DIR/$2/data" conv=notrunc status=none || return 1
	assert_eq "by-key" "$("$TOOL" read "$1" 0 6)" "write through the key name"
}
# read, and write (shmat without SHM_RDONLY needs read and write)
access_shm() {
	local id=$1 mode=$2 f=$DIR/$1/data native
	native=$(verdict $NOBODY "$TOOL" read "$id" 0 1)
	same "$mode" read "$native" head -c 1 "$f"
	native=$(verdict $NOBODY "$TOOL" write "$id" 0 n)
	same "$mode" write "$native" sh -c "printf n | dd of='$f' conv=notrunc status=none"
	# The denial is EACCES, as the kernel's.
	if [ "$FS" = denied ]; then
		assert_fails "Permission denied" $NOBODY bash -c "printf n | dd of='$f' conv=notrunc status=none" || return 1
	fi
}
own_use_shm() {
	$NOBODY sh -c "echo mine > '$DIR/$1/data'" || return 1
	assert_eq mine "$(head -c 4 "$DIR/$1/data")" "root reads (CAP_IPC_OWNER)"
}
ro_setup_shm() { "$TOOL" write "$1" 0 "ro-data"; }
ro_reads_shm() { assert_eq "ro-data" "$(head -c 7 "$DIR/$1/data")" "reads work"; }
ro_refused_shm() { assert_fails "Read-only file system" bash -c "echo x > '$DIR/$1/data'"; }
ro_unchanged_shm() { assert_eq "ro-data" "$("$TOOL" read "$1" 0 7)" "unchanged"; }
limit_shm() {
	case $1 in
	shmmin) ipcs -l -m | sed -n 's/^min seg size (bytes) = //p' ;;
	*) cat "/proc/sys/kernel/$1" ;;
	esac
}
usage_shm() {
	ipcs -u -m | sed -n 's/^segments allocated *//p; s/^pages allocated *//p;
		s/^pages resident *//p; s/^pages swapped *//p' | xargs
}
metric_shm() { echo "ipcfs_shm_size $MADE"; }

# -- sem: tests/helpers/semtool --
kind_sem() {
	TOOL=$BUILD/semtool
	LIVE=0
	FIELDS="uid gid cuid cgid nsems mode:access_perms"
	TIMES="otime ctime"
	DIR_TIMES="otime;otime"
	MADE=2 DEFAULT=1 INFO=3
	NEW_ARG=4 NEW_VAL=4 PRIV_ARG=2 PRIV_VAL=2
	NEW_ERRORS="Invalid argument"
	BAD_NEW=("$(key 10)" "$(key 10) 0" "$(key 10) abc" "$(key 10) 2K" "$(key 10) 1 999"
		"$(key 10) -1" "$(key 10) 99999999" "$(key 10) 1 600 x")
	LIMITS="semmni semmsl semmns semopm semvmx"
	SUMMARY="sem_sets sem_semaphores"
}
mk_sem() { $NATIVE "$TOOL" create "$(key "$1")" "${3:-$MADE}" "${2:-600}"; }
mk_private_sem() {
	local id
	id=$($NATIVE "$TOOL" create private "$MADE") || return 1
	track_sem "$id"
	echo "$id"
}
field_sem() {
	$NATIVE ipcs -s -i "$1" | tr '\t,' '\n\n' | sed 's/^ *//; s/ *= */=/; s/ *$//' | sed -n "s/^$2=//p"
}
ncnt_is() { [ "$("$TOOL" ncnt "$1" "$2")" = "$3" ]; }
# Values, an otime and a pid, and a waiter (ncnt 1) to show in the table.
info_setup_sem() {
	"$TOOL" setall "$1" 1 2 3 || return 1
	"$TOOL" op "$1" 1 1 >/dev/null || return 1
	"$TOOL" op "$1" 0 -5 >"$WORK/sem-waiter.out" 2>&1 &
	echo $! >"$WORK/sem-waiter.pid"
	track_pid $!
	until_true ncnt_is "$1" 0 1
}
info_more_sem() {
	local id=$1 d=$DIR/$1 w
	assert_eq "$(ipcs -s -i "$id" | awk 'f && NF {print $1, $2, $3, $4, $5} /^semnum/ {f = 1}')" \
		"$(cat "$d/semaphores")" "semaphores table" || return 1
	assert_eq "1 3 3" "$(cat "$d/values")" "values" || return 1
	assert_eq 3 "$(wc -l <"$d/semaphores")" "a line per semaphore" || return 1
	assert_eq "-rw-r----- root" "$(stat -c '%A %U' "$d/2")" "a semaphore file" || return 1
	assert_eq "0 1 2 semaphores values" \
		"$(ls "$d" | grep -E '^[0-9]+$|^values$|^semaphores$' | sort | tr '\n' ' ' | sed 's/ $//')" "listing" || return 1
	"$TOOL" op "$id" 0 5 >/dev/null || return 1
	w=$(cat "$WORK/sem-waiter.pid")
	until_ended "$w"
}
through_key_sem() {
	echo 7 >"$DIR/$2/1" || return 1
	assert_eq 7 "$("$TOOL" getval "$1" 1)" "write through the key name"
}
# read: GETVAL; write: SETVAL and V; wait-for-zero
access_sem() {
	local id=$1 mode=$2 f=$DIR/$1/0 native fs
	native=$(verdict $NOBODY "$TOOL" getval "$id" 0)
	same "$mode" read "$native" cat "$f"
	same "$mode" values "$native" cat "$DIR/$id/values"
	same "$mode" semaphores "$native" cat "$DIR/$id/semaphores"
	native=$(verdict $NOBODY "$TOOL" setval "$id" 0 1)
	same "$mode" write "$native" sh -c "echo 1 > '$f'"
	if [ "$FS" = denied ]; then
		assert_fails "Permission denied" $NOBODY bash -c "echo +1 > '$f'" || return 1
	fi
	# Wait-for-zero needs read in the kernel: never more through a file
	# (which also needs opening for write).
	"$TOOL" setval "$id" 0 0 || return 1
	native=$(verdict $NOBODY "$TOOL" op "$id" 0 0 nowait)
	if [ "$($NOBODY "$TOOL" write "$f" zero nonblock 2>/dev/null)" = ok ]; then fs=ok; else fs=denied; fi
	if [ "$fs" = ok ] && [ "$native" = denied ]; then
		echo "# mode $mode zero: ipcfs allows what the kernel refuses"
		DIFFS=$((DIFFS + 1))
	fi
	return 0
}
# A writer without read access (0602) may V but not wait for zero.
access_more_sem() {
	local id
	id=$(mk_sem "$1" 602) || return 1
	assert_eq ok "$($NOBODY "$TOOL" write "$DIR/$id/0" +1)" "V with write only" || return 1
	assert_eq "Permission denied" "$($NOBODY "$TOOL" write "$DIR/$id/0" zero nonblock)" "zero with write only"
}
own_use_sem() {
	$NOBODY sh -c "echo 4 > '$DIR/$1/0'" || return 1
	assert_eq 4 "$($NOBODY cat "$DIR/$1/0")" "nobody reads its own"
}
ro_setup_sem() { "$TOOL" setval "$1" 0 3; }
ro_reads_sem() { assert_eq 3 "$(cat "$DIR/$1/0")" "reads work"; }
ro_refused_sem() {
	assert_fails "Read-only file system" bash -c "echo +1 > '$DIR/$1/0'" || return 1
	assert_fails "Read-only file system" bash -c "echo '1 1' > '$DIR/$1/values'"
}
ro_unchanged_sem() { assert_eq "3 0" "$("$TOOL" getall "$1")" "unchanged"; }
limit_sem() {
	local label
	case $1 in
	semmni) label="max number of arrays" ;;
	semmsl) label="max semaphores per array" ;;
	semmns) label="max semaphores system wide" ;;
	semopm) label="max ops per semop call" ;;
	semvmx) label="semaphore max value" ;;
	esac
	ipcs -l -s | sed -n "s/^$label = //p"
}
usage_sem() { ipcs -u -s | sed -n 's/^used arrays = //p; s/^allocated semaphores = //p' | xargs; }
metric_sem() { echo "ipcfs_sem_nsems $MADE"; }

# -- mq: tests/helpers/mqtool --
kind_mq() {
	TOOL=$BUILD/mqtool
	LIVE=queue
	FIELDS="uid gid cuid cgid cbytes qbytes qnum lspid lrpid mode"
	TIMES="stime:send_time rtime:rcv_time ctime:change_time"
	DIR_TIMES="rtime;stime"
	MADE="" DEFAULT="" INFO=""
	NEW_ARG="" NEW_VAL="" PRIV_ARG="" PRIV_VAL=""
	NEW_ERRORS="Invalid argument"
	# "KEY [MODE]": no size
	BAD_NEW=("$(key 10) 600 extra" "garbage")
	LIMITS="msgmni msgmax msgmnb"
	SUMMARY="msg_queues msg_messages msg_bytes"
}
mk_mq() { $NATIVE "$TOOL" create "$(key "$1")" "${2:-600}"; }
mk_private_mq() {
	local id
	id=$($NATIVE "$TOOL" create private) || return 1
	track_mq "$id"
	echo "$id"
}
field_mq() { $NATIVE ipcs -q -i "$1" | tr '\t' '\n' | sed -n "s/^$2=//p" | sed 's/ *$//'; }
# Messages sent natively and through the mount, one received (rtime, lrpid).
info_setup_mq() {
	"$TOOL" send "$1" 1 "native" || return 1
	printf 'through ipcfs' >"$DIR/$1/queue" || return 1
	"$TOOL" send "$1" 4 "four" || return 1
	"$TOOL" recv "$1" 1 nowait >/dev/null
}
info_more_mq() {
	local d=$DIR/$1
	# Listed as links to names no listing shows (doc/design.md, "Tools that
	# read every file"), which show the queue's bits.
	assert_eq "-rw-r----- -rw-r----- -rw-r-----" "$(stat -L -c %A "$d/queue" "$d/lines" "$d/type/4" | xargs)" \
		"live files show the queue's bits" || return 1
	assert_eq "-rw-r----- -rw-r----- -rw-r-----" "$(stat -c %A "$d/.queue" "$d/.lines" "$d/type/.4" | xargs)" \
		"the links' targets" || return 1
	assert_eq "lrwxrwxrwx .queue lrwxrwxrwx .lines lrwxrwxrwx .4" \
		"$(for f in queue lines type/4; do stat -c %A "$d/$f"; readlink "$d/$f"; done | xargs)" "the links"
}
through_key_mq() {
	printf 'by-key' >"$DIR/$2/queue" || return 1
	assert_eq "by-key" "$("$TOOL" recv "$1" 1 nowait)" "send through the key name"
}
# msgsnd needs w; msgrcv and MSG_COPY (messages/, the type/ listing) need r.
access_mq() {
	local id=$1 mode=$2 d=$DIR/$1 native f i
	for i in 1 2 3 4; do "$TOOL" send "$id" 1 "m$i" || return 1; done
	native=$(verdict $NOBODY "$TOOL" send "$id" 1 n)
	for f in queue lines type/1; do
		same "$mode" "send via $f" "$native" sh -c "printf 'n\n' > '$d/$f'"
		if [ "$FS" = denied ]; then
			assert_fails "Permission denied" $NOBODY sh -c "printf n > '$d/$f'" || return 1
		fi
	done
	native=$(verdict $NOBODY "$TOOL" recv "$id" 0 nowait)
	for f in queue lines type/1; do
		# 3 bytes: "mN\n" through lines, one message whatever the file
		same "$mode" "receive via $f" "$native" dd if="$d/$f" bs=3 count=1 iflag=nonblock status=none
	done
	# Copies without taking (the receives above may have emptied it).
	"$TOOL" send "$id" 1 m5 || return 1
	native=$(verdict $NOBODY "$TOOL" copy "$id" 0)
	same "$mode" messages/ "$native" cat "$d/messages/0.type1"
	same "$mode" "ls messages/" "$native" ls "$d/messages"
	same "$mode" "ls type/" "$native" ls "$d/type"
	# IPC_SET of qbytes: never for nobody on root's queue.
	assert_fails "Operation not permitted" $NOBODY bash -c "echo 100 > '$d/qbytes'"
}
own_use_mq() {
	$NOBODY sh -c "printf mine > '$DIR/$1/queue'" || return 1
	assert_eq mine "$("$TOOL" recv "$1" 1 nowait)" "root receives what nobody sent"
}
before_set_mq() { echo 2000 >"$DIR/$1/qbytes"; }
after_set_mq() { assert_eq 2000 "$(field_mq "$1" qbytes)" "qbytes kept"; }
ro_setup_mq() { "$TOOL" send "$1" 2 kept; }
ro_reads_mq() {
	assert_eq kept "$(cat "$DIR/$1/messages/0.type2")" "messages/ still readable" || return 1
	assert_eq 2 "$(ls "$DIR/$1/type")" "type/ listable"
}
ro_refused_mq() {
	local d=$DIR/$1
	assert_fails "Read-only file system" dd if="$d/queue" bs=64K count=1 iflag=nonblock status=none || return 1
	assert_fails "Read-only file system" dd if="$d/lines" bs=64K count=1 iflag=nonblock status=none || return 1
	assert_fails "Read-only file system" sh -c "printf x > '$d/queue'" || return 1
	assert_fails "Read-only file system" sh -c "printf x > '$d/type/2'" || return 1
	assert_fails "Read-only file system" bash -c "echo 100 > '$d/qbytes'"
}
ro_unchanged_mq() {
	assert_eq "1 16384" "$("$TOOL" count "$1") $(field_mq "$1" qbytes)" "unchanged"
}
limit_mq() { cat "/proc/sys/kernel/$1"; }
usage_mq() {
	ipcs -q -u | awk -F' = ' '/allocated queues/ {q=$2} /used headers/ {h=$2}
		/used space/ {sub(/ bytes/, "", $2); b=$2} END {print q, h, b}'
}
metric_mq() {
	"$TOOL" send "$1" 1 12345 >/dev/null || return 1
	echo "ipcfs_mq_qnum 1"
}

# ---- the POSIX kinds ----
#
# Objects named $PFX<N>, each recorded before it is made.  No keys, no
# private objects, no never-set times; the native view of an object is
# its file (nstat: stat(1) of it) and the kind's program.

PSHM=$BUILD/pshmtool
PSEM=$BUILD/psemtool
PMQ=$BUILD/pmqtool

family_posix() {
	HAS_NEW=no
	RM_DENIED="Operation not permitted"	# /dev/shm is sticky
	LIMITS="" SUMMARY=""
	DEFAULT="" INFO=""
}
name_posix() { echo "$PFX$1"; }
id_of_posix() { hook exists "$PFX$1" && echo "$PFX$1"; return 0; }
# mk N [MODE [PARAM]]: mk_named with our Nth name; the name.
mk_posix() { hook mk_named "$PFX$1" "${2:-600}" "${3:-$MADE}" && echo "$PFX$1"; }
field_posix() {
	case $2 in
	mode) printf '%04o\n' "0$(hook nstat "$1" %a)" ;;
	uid) hook nstat "$1" %u ;;
	gid) hook nstat "$1" %g ;;
	size) hook nstat "$1" %s ;;
	atime) ctime_of "$(hook nstat "$1" %X)" ;;
	mtime) ctime_of "$(hook nstat "$1" %Y)" ;;
	ctime) ctime_of "$(hook nstat "$1" %Z)" ;;
	*) echo "# no field $2 for $K"; return 1 ;;
	esac
}
dir_times_posix() { hook nstat "$1" '%X %Y %Z'; }
metric_labels_posix() { echo "kind=\"$DIRNAME\",name=\"$1\",owner=\"root\""; }
# printed_ok CMD...: CMD printed "ok" (the POSIX helpers print ok or the
# error, and exit 0 either way).
printed_ok() { [ "$("$@" 2>/dev/null)" = ok ]; }
# errno_name TEXT: an errno's name for psemtool's strerror text.
errno_name() {
	case $1 in
	ok) echo ok ;;
	"Permission denied") echo EACCES ;;
	"Operation not permitted") echo EPERM ;;
	"No such file or directory") echo ENOENT ;;
	"Invalid argument") echo EINVAL ;;
	*) echo "$1" ;;
	esac
}
ro_refused_posix() { assert_fails "Read-only file system" bash -c "echo x > '$DIR/$1/$LIVE'"; }

# -- posix/shm: /dev/shm/NAME, tests/helpers/pshmtool --
kind_pshm() {
	LIVE=data
	FIELDS="size uid gid mode"
	TIMES="atime mtime ctime"
	MADE=4096 DEFAULT=$PAGE INFO=12345
	MARK=mark
	NAME_MAX_K=255
	# Names glibc keeps for its semaphores, and names too long.
	BAD_NAMES=("sem.${PFX}bad" "$PFX$(printf 'x%.0s' $(seq $((256 - ${#PFX}))))")
	MATRIX_OPS="read write rdwr ftrunc trunc chmod chown unlink"
}
# (umask 0: the mode given, as mkdir -m gives it.)
mk_named_pshm() { track_pshm "$1"; (umask 0 && "$PSHM" create "$1" "${3:-64}" "${2:-600}"); }
nstat_pshm() { stat -c "$2" -- "/dev/shm/$1"; }
exists_pshm() { [ -e "/dev/shm/$1" ]; }
rm_pshm() { "$PSHM" unlink "$1"; }
info_setup_pshm() { "$PSHM" write "$1" 0 x; }
info_more_pshm() {
	assert_eq "$INFO" "$(stat -c %s "$DIR/$1/data")" "data st_size" || return 1
	assert_eq x "$(head -c 1 "$DIR/$1/data")" "data"
}
# read, and write: open(2) of the object's file, as shm_open does
access_pshm() {
	local id=$1 mode=$2 f=$DIR/$1/data native
	native=$(verdict printed_ok $NOBODY "$PSHM" ops <<<"read /dev/shm/$id")
	same "$mode" read "$native" head -c 1 "$f"
	native=$(verdict printed_ok $NOBODY "$PSHM" ops <<<"write /dev/shm/$id")
	same "$mode" write "$native" sh -c "printf n | dd of='$f' conv=notrunc status=none"
	if [ "$FS" = denied ]; then
		assert_fails "Permission denied" $NOBODY bash -c "printf n | dd of='$f' conv=notrunc status=none" || return 1
	fi
}
own_use_pshm() {
	$NOBODY sh -c "printf mine | dd of='$DIR/$1/data' conv=notrunc status=none" || return 1
	assert_eq mine "$("$PSHM" read "$1" 0 4)" "root reads natively what nobody wrote"
}
ro_setup_pshm() { "$PSHM" write "$1" 0 ro-data; }
ro_reads_pshm() { assert_eq ro-data "$(head -c 7 "$DIR/$1/data")" "reads work"; }
ro_unchanged_pshm() { assert_eq ro-data "$("$PSHM" read "$1" 0 7)" "unchanged"; }
metric_pshm() { echo "ipcfs_posix_shm_size $MADE"; }
put_native_pshm() { "$PSHM" write "$1" 0 "$MARK"; }
get_mount_pshm() { head -c ${#MARK} "$DIR/$1/data"; }
put_mount_pshm() { printf '%s' "$MARK" | dd of="$DIR/$1/data" conv=notrunc status=none; }
# glibc's shm_open takes names of up to 253 bytes: a longer one is read
# from its file.
get_native_pshm() {
	if [ ${#1} -le 253 ]; then "$PSHM" read "$1" 0 ${#MARK}; else head -c ${#MARK} "/dev/shm/$1"; fi
}
too_long_native_pshm() { assert_fails "File name too long" touch "/dev/shm/$1"; }
# Made natively by root, then given owner and mode.
matrix_mk_pshm() {
	rm -f -- "/dev/shm/$1"
	mk_named_pshm "$1" 600 4096 && chown "$2" "/dev/shm/$1" && chmod "$3" "/dev/shm/$1"
}
# The operations, each in one pshmtool run as the caller: on the file
# natively, on data or the directory through the mount.
matrix_ops_pshm() {
	local cmd=$1 nat=$2 fs=$3 mode=$4 u=$5 g=$6 n=/dev/shm/$2 d=$DIR/$3
	$cmd "$PSHM" ops >"$WORK/nat.out" 2>&1 <<-EOF
		read $n
		write $n
		rdwr $n
		ftrunc $n 4096
		trunc $n 4096
		chmod $n $mode
		chown $n $u $g
		unlink $n
	EOF
	$cmd "$PSHM" ops >"$WORK/fs.out" 2>&1 <<-EOF
		read $d/data
		write $d/data
		rdwr $d/data
		ftrunc $d/data 4096
		trunc $d/data 4096
		chmod $d $mode
		chown $d $u $g
		rmdir $d
	EOF
	paste -d' ' "$WORK/nat.out" "$WORK/fs.out"
}
# Creation: the caller makes one natively and one through the mount,
# with the same mode: the same answer, owner, group and mode.
matrix_create_pshm() {
	local cmd=$1 nat=$2 fs=$3 mode=$4 a b
	track_pshm "$nat"
	track_pshm "$fs"
	a=$(echo "create /dev/shm/$nat $mode" | $cmd "$PSHM" ops)
	b=$(echo "mkdir $DIR/$fs $mode" | $cmd "$PSHM" ops)
	a="$a $(stat -c '%u %g %a' "/dev/shm/$nat" 2>/dev/null)"
	b="$b $(stat -c '%u %g %a' "/dev/shm/$fs" 2>/dev/null)"
	rm -f -- "/dev/shm/$nat" "/dev/shm/$fs"
	echo "${a// /,} ${b// /,}"
}

# -- posix/sem: /dev/shm/sem.NAME, tests/helpers/psemtool --
kind_psem() {
	LIVE=value
	FIELDS="uid gid mode"
	TIMES=""
	MADE=0 INFO=5
	MARK=3
	NAME_MAX_K=251
	BAD_NAMES=("$PFX$(printf 'x%.0s' $(seq $((252 - ${#PFX}))))")
	MATRIX_OPS="read write chmod chown unlink"
}
mk_named_psem() {
	track_psem "$1"
	[ "$(umask 0 && "$PSEM" create "$1" "${3:-0}" "${2:-600}")" = ok ] || { echo "# cannot create [$1]"; return 1; }
}
nstat_psem() { stat -c "$2" -- "/dev/shm/sem.$1"; }
exists_psem() { [ -e "/dev/shm/sem.$1" ]; }
rm_psem() { "$PSEM" unlink "$1"; }
# A waiter, to show in waiters; value and waiters are the semaphore's
# (sem_getvalue, glibc's count).
info_setup_psem() {
	"$PSEM" post "$1" 2 || return 1
	bg "$WORK/psem-waiter.out" "$PSEM" write "$DIR/$1/value" -8
	echo "$BG" >"$WORK/psem-waiter.pid"
	until_true psem_waiters_are "$1" 1
}
psem_waiters_are() { [ "$("$PSEM" waiters "$1")" = "$2" ]; }
info_more_psem() {
	local w
	assert_eq 0 "$("$PSEM" value "$1")" "sem_getvalue (7 taken by the waiter)" || return 1
	assert_eq "0 1" "$(cat "$DIR/$1/value") $(cat "$DIR/$1/waiters")" "value and waiters" || return 1
	"$PSEM" post "$1" 1 || return 1
	w=$(cat "$WORK/psem-waiter.pid")
	until_ended "$w" || return 1
	wait "$w"
}
# read: open(O_RDONLY) of the file; write: sem_open (O_RDWR)
access_psem() {
	local id=$1 mode=$2 f=$DIR/$1/value native
	native=$(verdict printed_ok $NOBODY "$PSEM" access "/dev/shm/sem.$id" r)
	same "$mode" read "$native" cat "$f"
	same "$mode" waiters "$native" cat "$DIR/$id/waiters"
	native=$(verdict printed_ok $NOBODY "$PSEM" open "$id")
	same "$mode" write "$native" sh -c "echo +1 > '$f'"
	if [ "$FS" = denied ]; then
		assert_fails "Permission denied" $NOBODY bash -c "echo +1 > '$f'" || return 1
	fi
}
own_use_psem() {
	$NOBODY sh -c "echo +4 > '$DIR/$1/value'" || return 1
	assert_eq 4 "$("$PSEM" value "$1")" "sem_getvalue of what nobody posted"
}
ro_setup_psem() { "$PSEM" post "$1" 3; }
ro_reads_psem() { assert_eq 3 "$(cat "$DIR/$1/value")" "reads work"; }
ro_unchanged_psem() { assert_eq 3 "$("$PSEM" value "$1")" "unchanged"; }
metric_psem() { echo "ipcfs_posix_sem_value $MADE"; }
put_native_psem() { "$PSEM" post "$1" "$MARK"; }
get_mount_psem() { cat "$DIR/$1/value"; }
put_mount_psem() { echo "+$MARK" >"$DIR/$1/value"; }
get_native_psem() { "$PSEM" value "$1"; }
too_long_native_psem() { assert_fails "File name too long" "$PSEM" create "$1" 0 600; }
matrix_mk_psem() {
	rm -f -- "/dev/shm/sem.$1"
	mk_named_psem "$1" 600 1 && chown "$2" "/dev/shm/sem.$1" && chmod "$3" "/dev/shm/sem.$1"
}
# read: open(O_RDONLY) of the file against value's; write: sem_open
# (O_RDWR) against opening value for writing; then chmod, chown and
# unlink of the file against the directory's.
matrix_ops_psem() {
	local cmd=$1 nat=$2 fs=$3 mode=$4 u=$5 g=$6 n=/dev/shm/sem.$2 d=$DIR/$3
	{
		$cmd "$PSHM" ops <<<"read $n"
		errno_name "$($cmd "$PSEM" open "$nat" 2>&1)"
		$cmd "$PSHM" ops <<-EOF
			chmod $n $mode
			chown $n $u $g
			unlink $n
		EOF
	} >"$WORK/nat.out" 2>&1
	$cmd "$PSHM" ops >"$WORK/fs.out" 2>&1 <<-EOF
		read $d/value
		write $d/value
		chmod $d $mode
		chown $d $u $g
		rmdir $d
	EOF
	paste -d' ' "$WORK/nat.out" "$WORK/fs.out"
}

# -- posix/mq: the queue's file in an mqueue mount of a mount namespace
# of its own (in_mqueue), tests/helpers/pmqtool --
kind_pmq() {
	LIVE=queue
	FIELDS="maxmsg msgsize curmsgs uid gid mode"
	TIMES=""
	# Small queues: RLIMIT_MSGQUEUE (800 KiB) holds ten of the default size.
	MADE="" INFO=""
	HAS_NEW=yes
	MARK=mark
	NAME_MAX_K=255
	BAD_NAMES=("$PFX$(printf 'x%.0s' $(seq $((256 - ${#PFX}))))")
	LIMITS="mqueue_queues_max mqueue_msg_max mqueue_msgsize_max mqueue_msg_default mqueue_msgsize_default"
	SUMMARY="mqueue_queues"
	MATRIX_OPS="read write chmod chown unlink"
	# mq_unlink says EACCES where unlink(2) says EPERM (glibc's mapping)
	RM_DENIED="Permission denied"
}
mk_named_pmq() { track_pmq "$1"; (umask 0 && "$PMQ" create "$1" "${2:-600}" 5 128); }
nstat_pmq() { in_mqueue stat -c "$2" -- "$WORK/mq/$1"; }
exists_pmq() { [ "$("$PMQ" can "$1" r)" = ok ]; }	# root opens any
rm_pmq() { "$PMQ" unlink "$1"; }
field_pmq() {
	local a
	case $2 in
	maxmsg | msgsize | curmsgs)
		a=($("$PMQ" attr "$1")) || return 1
		case $2 in maxmsg) echo "${a[0]}" ;; msgsize) echo "${a[1]}" ;; curmsgs) echo "${a[2]}" ;; esac
		;;
	*) field_posix "$@" ;;
	esac
}
info_setup_pmq() { "$PMQ" send "$1" 3 abc; }
# The kernel's status line: 3 bytes queued, no notification.
info_more_pmq() {
	local d=$DIR/$1
	assert_eq "3 0 0 0" "$(cat "$d/qsize" "$d/notify" "$d/signo" "$d/notify_pid" | xargs)" "status files"
}
# read and write: mq_open O_RDONLY, O_WRONLY against opening queue so
access_pmq() {
	local id=$1 mode=$2 f=$DIR/$1/queue native
	native=$(verdict printed_ok $NOBODY "$PMQ" can "$id" r)
	same "$mode" read "$native" sh -c 'exec 3<"$1"' sh "$f"
	native=$(verdict printed_ok $NOBODY "$PMQ" can "$id" w)
	same "$mode" write "$native" sh -c 'exec 3>>"$1"' sh "$f"
	if [ "$FS" = denied ]; then
		assert_fails "Permission denied" $NOBODY sh -c "echo x > '$f'" || return 1
		assert_fails "Permission denied" $NOBODY sh -c "echo x > '$DIR/$id/prio/1'" || return 1
	fi
}
own_use_pmq() {
	$NOBODY sh -c "printf mine > '$DIR/$1/queue'" || return 1
	assert_eq mine "$("$PMQ" recv "$1" nowait)" "root receives what nobody sent"
}
ro_setup_pmq() { "$PMQ" send "$1" 2 kept; }
ro_reads_pmq() { assert_eq 1 "$(cat "$DIR/$1/curmsgs")" "reads work"; }
ro_refused_pmq() {
	local d=$DIR/$1
	assert_fails "Read-only file system" dd if="$d/queue" bs=8192 count=1 iflag=nonblock status=none || return 1
	assert_fails "Read-only file system" sh -c "printf x > '$d/queue'" || return 1
	assert_fails "Read-only file system" sh -c "printf x > '$d/prio/2'"
}
ro_unchanged_pmq() { assert_eq "2 kept" "$("$PMQ" recvp "$1" nowait)" "unchanged"; }
limit_pmq() { cat "/proc/sys/fs/mqueue/${1#mqueue_}"; }
usage_pmq() { in_mqueue sh -c 'ls -A "$0" | wc -l' "$WORK/mq"; }
metric_pmq() { echo "ipcfs_posix_mq_maxmsg 5"; }
put_native_pmq() { "$PMQ" send "$1" 1 "$MARK"; }
get_mount_pmq() { dd if="$DIR/$1/queue" bs=8192 count=1 status=none; }
put_mount_pmq() { printf '%s' "$MARK" >"$DIR/$1/queue"; }
get_native_pmq() { "$PMQ" recv "$1" nowait; }
too_long_native_pmq() { assert_fails "File name too long" "$PMQ" create "$1"; }
matrix_mk_pmq() {
	"$PMQ" unlink "$1" 2>/dev/null
	mk_named_pmq "$1" 600 && in_mqueue sh -c 'chown "$1" "$0/$3" && chmod "$2" "$0/$3"' "$WORK/mq" "$2" "$3" "$1"
}
# read and write: mq_open against opening queue; chmod and chown of the
# queue's file (as the caller, in an mqueue mount made before it became
# the caller) and mq_unlink against the directory's.
matrix_ops_pmq() {
	local cmd=$1 nat=$2 fs=$3 mode=$4 u=$5 g=$6 d=$DIR/$3 out
	{
		$cmd "$PMQ" can "$nat" r
		$cmd "$PMQ" can "$nat" w
		printf '%s\n' "chmod $WORK/mq/$nat $mode" "chown $WORK/mq/$nat $u $g" | in_mqueue $cmd "$PSHM" ops
		if out=$($cmd "$PMQ" unlink "$nat" 2>&1); then echo ok; else errno_name "${out##*: }"; fi
	} >"$WORK/nat.out" 2>&1
	$cmd "$PSHM" ops >"$WORK/fs.out" 2>&1 <<-EOF
		read $d/queue
		write $d/queue
		chmod $d $mode
		chown $d $u $g
		rmdir $d
	EOF
	paste -d' ' "$WORK/nat.out" "$WORK/fs.out"
}

# ---- the tests: each a function over the kinds ----

# dir_times_agree ID: stat's atime mtime ctime of ID's directory (got_t)
# are those the kernel tells (want_t, hook dir_times).
dir_times_agree() {
	want_t=$(hook dir_times "$1")
	got_t=$(stat -c '%X %Y %Z' "$DIR/$1")
	[ "$want_t" = "$got_t" ]
}

# Against ipcs; for a POSIX kind, against its file and its program.
test_info_stat_ls_agree_with_ipcs() { each_kind info_stat_ls; }
info_stat_ls() {
	local id d info v f n want
	id=$(hook mk 5 640 "$INFO") || return 1
	d=$DIR/$id
	hook info_setup "$id" || return 1
	info=$(cat "$d/info")
	for v in $FIELDS; do
		f=${v%%:*} n=${v#*:}
		want=$(hook field "$id" "$n")
		assert_eq "$want" "$(printf '%s\n' "$info" | sed -n "s/^$f: //p")" "info $f" || return 1
		assert_eq "$want" "$(cat "$d/$f")" "file $f" || return 1
	done
	for v in $TIMES; do
		f=${v%%:*} n=${v#*:}
		assert_eq "$(hook field "$id" "$n")" "$(ctime_of "$(cat "$d/$f")")" "$f" || return 1
	done
	if [ "$KEYS" = yes ]; then
		assert_eq "$(key 5)" "$(cat "$d/key")" "key" || return 1
		assert_eq "$id" "$(cat "$d/id")" "id" || return 1
	fi
	# Every field ipcs shows is in info.
	for v in $([ "$KEYS" = yes ] && echo id key) $FIELDS $TIMES; do
		printf '%s\n' "$info" | grep -q "^${v%%:*}: " || { echo "# info lacks ${v%%:*}"; return 1; }
	done
	# The directory is the object: mode, owner, times.
	assert_eq "drw-r----- root root" "$(stat -c '%A %U %G' "$d")" "directory mode/owner" || return 1
	# The kernel may answer stat from attributes cached up to timeout=1 s
	# before (from the mkdir), and the setup's operations may have crossed
	# a second since: within the cache time the two must agree.
	local want_t got_t
	until_true dir_times_agree "$id"
	assert_eq "$want_t" "$got_t" "directory atime mtime ctime (hook dir_times)" || return 1
	# ls -l shows it with the same mode and owner, by id only.
	assert_match "^drw-r----- +2 root +root .* $id\$" "$(ls -l "$DIR" | grep " $id\$")" "ls -l line" || return 1
	if [ "$KEYS" = yes ] && ls "$DIR" | grep -q '^0x'; then echo "# listing shows key names"; return 1; fi
	hook info_more "$id"
}

# "Never-set times show ctime" (doc/interface.md, "What stat shows").
test_never_set_times_show_ctime_on_the_directory() { each_kind never_set_times; }
never_set_times() {
	[ "$FAMILY" = sysv ] || skip "a POSIX object's file has its times from the start"
	local id d v
	id=$(hook mk 15) || return 1
	d=$DIR/$id
	for v in $TIMES; do
		[ "${v%%:*}" = ctime ] && continue
		assert_eq 0 "$(cat "$d/${v%%:*}")" "${v%%:*}" || return 1
		assert_eq "Not set" "$(hook field "$id" "${v#*:}")" "ipcs ${v#*:}" || return 1
	done
	assert_eq "$(cat "$d/ctime") $(cat "$d/ctime")" "$(stat -c '%X %Y' "$d")" "atime and mtime fall back to ctime"
}

test_key_names_and_by_key_links() { each_kind key_names; }
key_names() {
	needs_keys
	local id k z p
	id=$(hook mk 6) || return 1
	k=$(key 6)
	assert_eq "../$id" "$(readlink "$DIR/by-key/$k")" "by-key link" || return 1
	assert_eq "$id" "$(cat "$DIR/by-key/$k/id")" "through the link" || return 1
	assert_eq "$id" "$(cat "$DIR/$k/id")" "0xKEY name" || return 1
	# Any number of leading zeros, either case.
	for z in 0 000 0000; do
		assert_eq "$id" "$(cat "$DIR/0x$z${k#0x}/id")" "leading zeros ($z)" || return 1
	done
	assert_eq "$id" "$(cat "$DIR/$(echo "$k" | tr a-f A-F | sed 's/^0X/0x/')/id")" "upper case" || return 1
	ls "$DIR/by-key" | grep -qx "$k" || { echo "# by-key listing lacks $k"; return 1; }
	hook through_key "$id" "$k" || return 1
	# Private objects are listed by id, and have no link.
	p=$(hook mk_private) || return 1
	if ls -l "$DIR/by-key" | grep -q -- "-> ../$p\$"; then echo "# private object has a link"; return 1; fi
	ls "$DIR" | grep -qx "$p" || { echo "# private object not listed"; return 1; }
	if ls "$DIR" | grep -q '^0x'; then echo "# listing shows key names"; return 1; fi
	assert_fails "No such file" ls "$DIR/by-key/0x00000000"
}

test_key_names_follow_a_remade_key_at_once() { each_kind remade_key; }
remade_key() {
	needs_keys
	local id new k=$(key 53) remade
	id=$(hook mk 53) || return 1
	assert_eq "$id" "$(cat "$DIR/$k/id")" "0xKEY name" || return 1
	assert_eq "$id" "$(cat "$DIR/by-key/$k/id")" "by-key name" || return 1
	# Removed and made again by a program: the names are the new
	# object's at once, not after the cache time (timeout=, 1 s).
	hook rm "$id" || return 1
	assert_fails "No such file" cat "$DIR/$k/id" || return 1
	[ -n "$MADE" ] && remade=$((MADE * 2))
	new=$(hook mk 53 600 "${remade:-}") || return 1
	assert_eq "$new" "$(cat "$DIR/$k/id")" "0xKEY name after" || return 1
	if [ "$PARAM" != - ]; then
		assert_eq "$remade" "$(cat "$DIR/$k/$PARAM")" "its $PARAM" || return 1
	fi
	assert_eq "$new" "$(cat "$DIR/by-key/$k/id")" "by-key name after" || return 1
	hook rm "$new" || return 1
	new=$(hook mk 53) || return 1
	assert_eq "$new" "$(cat "$DIR/$k/id")" "0xKEY name, no failed lookup between"
}

test_mkdir_creates_with_mode_and_default_param() { each_kind mkdir_creates; }
mkdir_creates() {
	local k id bad
	k=$(hook name 7)
	mkdir -m 640 "$DIR/$k" || return 1
	id=$(hook id_of 7)
	[ -n "$id" ] || { echo "# the kernel has no object $k"; return 1; }
	if [ "$FAMILY" = sysv ]; then
		assert_match '^[0-9]+$' "$id" "ipcs lists the key" || return 1
		assert_eq 640 "$(ipcs -"$F" | awk -v k="$k" '$1 == k {print $4}')" "ipcs perms" || return 1
	fi
	assert_eq 0640 "$(field_of "$id" mode)" "mode" || return 1
	assert_eq "0 0" "$(field_of "$id" uid) $(field_of "$id" gid)" "owner" || return 1
	if [ "$PARAM" != - ]; then
		assert_eq "$DEFAULT" "$(field_of "$id" "$PARAM")" "default $PARAM" || return 1
	fi
	assert_fails "File exists" mkdir "$DIR/$k" || return 1
	if [ "$KEYS" = yes ]; then
		assert_eq "../$id" "$(readlink "$DIR/by-key/$k")" "by-key link" || return 1
		assert_eq "$id" "$(cat "$DIR/$k/id")" "0xKEY name" || return 1
	fi
	for bad in "${BAD_NAMES[@]}"; do
		[ "$FAMILY" = posix ] && [ ${#bad} -lt "$NAME_MAX_K" ] && hook track "$bad"
		assert_fails "Invalid argument\|Operation not permitted\|File name too long" mkdir "$DIR/$bad" || return 1
		if [ "$FAMILY" = posix ] && hook exists "$bad"; then echo "# [$bad] made"; return 1; fi
	done
	assert_fails "Operation not permitted" mkdir "$DIR/$id/sub" || return 1
	assert_fails "Operation not permitted" mkdir "$MNT/newdir" || return 1
	rmdir "$DIR/$k" || return 1
	if hook exists "$id"; then echo "# not removed"; return 1; fi
}

test_new_creates_and_reads_back_id() { each_kind new_creates; }
# (posix/mq's `new`, a name and sizes: posix_mq.sh.)
new_creates() {
	needs_keys
	local k id
	k=$(key 9)
	exec 3<>"$DIR/new"
	new_line "$k" "$NEW_ARG" 600 >&3 || return 1
	read -r id <&3
	exec 3>&-
	assert_match '^[0-9]+$' "$id" "read-back id" || return 1
	if [ "$PARAM" != - ]; then
		assert_eq "$NEW_VAL" "$(field_of "$id" "$PARAM")" "$PARAM" || return 1
	fi
	assert_eq 0600 "$(field_of "$id" mode)" "mode" || return 1
	assert_eq "$k" "$(key_of "$id")" "key" || return 1
	# private, the default mode 0644
	exec 3<>"$DIR/new"
	new_line private "$PRIV_ARG" >&3 || return 1
	read -r id <&3
	exec 3>&-
	hook track "$id"
	if [ "$PARAM" != - ]; then
		assert_eq "$PRIV_VAL" "$(field_of "$id" "$PARAM")" "private $PARAM" || return 1
	fi
	assert_eq 0644 "$(field_of "$id" mode)" "default mode" || return 1
	assert_eq 0x00000000 "$(key_of "$id")" "private key"
}

# In an IPC namespace of its own, where no other program makes objects
# meanwhile: bad lines must make none, not even a private one.
test_new_rejects_bad_lines_and_changes_nothing() { each_kind new_rejects; }
new_rejects() {
	needs_keys
	local before l count
	ipc_ns_new || return 1
	ipcfs_mount -o "ns=/proc/$NSPID/ns/ipc" || return 1
	DIR=$MNT/$DIRNAME
	NATIVE="nsenter -t $NSPID --ipc"
	count() { $NATIVE ipcs -"$F" | grep -c '^0x'; }
	hook mk 12 >/dev/null || return 1	# a key taken
	before=$(count)
	for l in "${BAD_NEW[@]}"; do
		# One write(2) each, without a newline and with one (as echo
		# writes it): dd collects the whole text first.
		assert_fails "$NEW_ERRORS" bash -c "printf '%s' '$l' | dd of='$DIR/new' bs=4k iflag=fullblock status=none" || return 1
		assert_fails "$NEW_ERRORS" bash -c "printf '%s\\n' '$l' | dd of='$DIR/new' bs=4k iflag=fullblock status=none" || return 1
	done
	assert_fails "File exists" bash -c "echo '$(new_line "$(key 12)" "$DEFAULT")' > '$DIR/new'" || return 1
	assert_eq "$before" "$(count)" "objects after the bad lines" || return 1
	assert_eq "" "$(key_of_any 10)" "an object with the bad lines' key" || return 1
	assert_alive
}
key_of_any() { $NATIVE ipcs -"$F" | awk -v k="$(key "$1")" 'tolower($1) == k'; }

test_rmdir_by_id_and_by_key() { each_kind rmdir_removes; }
rmdir_removes() {
	local a b p
	a=$(hook mk 13) || return 1
	b=$(hook mk 14) || return 1
	rmdir "$DIR/$a" || return 1
	if hook exists "$a"; then echo "# $a still exists"; return 1; fi
	if ls "$DIR" | grep -qx "$a"; then echo "# $a still listed"; return 1; fi
	rmdir "$DIR/$(hook name 14)" || return 1
	if hook exists "$b"; then echo "# $b still exists"; return 1; fi
	p=$a
	if [ "$KEYS" = yes ]; then
		p=$(hook mk_private) || return 1
		rmdir "$DIR/$p" || return 1
		if hook exists "$p"; then echo "# $p still exists"; return 1; fi
	fi
	assert_fails "No such file" rmdir "$DIR/$p" || return 1
	assert_fails "No such file" cat "$DIR/$p/$LIVE"
}

test_chmod_chown_do_ipc_set() { each_kind chmod_chown; }
chmod_chown() {
	local id d
	id=$(hook mk 16 600) || return 1
	d=$DIR/$id
	hook before_set "$id" || return 1
	chmod 604 "$d" || return 1
	assert_eq 0604 "$(field_of "$id" mode)" "chmod" || return 1
	chown nobody:nogroup "$d" || return 1
	if [ "$FAMILY" = sysv ]; then
		assert_eq nobody "$(ipcs -"$F" | awk -v i="$id" '$2 == i {print $3}')" "chown user" || return 1
	fi
	assert_eq "65534 65534" "$(field_of "$id" uid) $(field_of "$id" gid)" "chown" || return 1
	if has_field cuid; then
		assert_eq 0 "$(field_of "$id" cuid)" "creator unchanged" || return 1
	fi
	assert_eq "drw----r-- nobody nogroup" "$(stat -c '%A %U %G' "$d")" "stat after" || return 1
	# IPC_SET keeps the 9 permission bits, as the kernel masks them (and
	# so does a POSIX kind: its object's rights are those 9 bits).
	chmod 4640 "$d" || return 1
	assert_eq 0640 "$(field_of "$id" mode)" "chmod 4640" || return 1
	hook after_set "$id" || return 1
	assert_fails "Operation not permitted" chmod 600 "$d/$LIVE" || return 1
	assert_fails "Operation not permitted" chown nobody "$d/info"
}

# The permission matrix as nobody: ipcfs must allow exactly what the
# kernel allows nobody on the same object (the kind's native program run
# as nobody); removal and IPC_SET, never on root's object.
test_permissions_as_nobody_match_the_kernel() { each_kind permissions_as_nobody; }
permissions_as_nobody() {
	local mode id d n=20
	for mode in $PERM_MODES; do
		id=$(hook mk $n "$mode") || return 1
		n=$((n + 1))
		d=$DIR/$id
		hook access "$id" "$mode" || return 1
		assert_fails "$RM_DENIED" $NOBODY rmdir "$d" || return 1
		assert_fails "Operation not permitted" $NOBODY chmod 666 "$d" || return 1
		assert_fails "Operation not permitted" $NOBODY chown nobody "$d" || return 1
		hook exists "$id" || { echo "# mode $mode: $id removed"; return 1; }
		assert_eq "0$mode" "$(field_of "$id" mode)" "mode $mode unchanged" || return 1
	done
	hook access_more $n || return 1
	assert_eq 0 "$DIFFS" "differences from the kernel"
}

test_nobody_creates_owns_and_removes_own() { each_kind nobody_owns; }
nobody_owns() {
	local k id
	k=$(hook name 40)
	[ "$FAMILY" = posix ] && hook track "$k"
	$NOBODY mkdir -m 600 "$DIR/$k" || return 1
	id=$(hook id_of 40)
	[ -n "$id" ] || { echo "# the kernel has no object $k"; return 1; }
	if has_field cuid; then
		assert_eq "65534 65534" "$(field_of "$id" cuid) $(field_of "$id" cgid)" "creator is nobody" || return 1
	fi
	assert_eq "65534 65534" "$(field_of "$id" uid) $(field_of "$id" gid)" "owner is nobody" || return 1
	assert_eq 0600 "$(field_of "$id" mode)" "mode" || return 1
	if [ "$FAMILY" = sysv ]; then
		assert_eq nobody "$(ipcs -"$F" -c | awk -v i="$id" '$1 == i {print $3}')" "ipcs -$F -c creator" || return 1
	fi
	# Its own object: nobody may use, chmod and remove it.
	hook own_use "$id" || return 1
	$NOBODY chmod 640 "$DIR/$id" || return 1
	assert_eq 0640 "$(field_of "$id" mode)" "nobody chmod" || return 1
	$NOBODY rmdir "$DIR/$id" || return 1
	if hook exists "$id"; then echo "# not removed"; return 1; fi
	[ "$KEYS" = yes ] || return 0
	# new as nobody, too: the id read back, the kernel's creator fields.
	id=$($NOBODY sh -c "exec 3<>'$DIR/new'; echo '$(new_line "$(key 41)" "$DEFAULT" 600)' >&3; read -r id <&3; echo \$id") || return 1
	assert_match '^[0-9]+$' "$id" "id read back by nobody" || return 1
	assert_eq "65534 65534" "$(field_of "$id" cuid) $(field_of "$id" cgid)" "new as nobody: creator"
}

test_tree_changes_are_refused() { each_kind tree_changes; }
tree_changes() {
	local id d ro=uid
	has_field cuid && ro=cuid
	id=$(hook mk 42) || return 1
	d=$DIR/$id
	assert_fails "Operation not permitted" mv "$d" "$DIR/999999" || return 1
	if ! hook exists "$id" || [ -e "$DIR/999999" ]; then echo "# renamed"; return 1; fi
	assert_fails "Operation not permitted" mv "$d/info" "$d/info2" || return 1
	assert_fails "Operation not permitted" ln "$d/info" "$d/x" || return 1
	assert_fails "Operation not permitted" ln -s x "$d/y" || return 1
	assert_fails "Operation not permitted" rm -f "$d/$LIVE" || return 1
	assert_fails "Operation not permitted" rm -f "$d/info" || return 1
	if [ "$KEYS" = yes ]; then
		assert_fails "Operation not permitted" rm -f "$DIR/by-key/$(key 42)" || return 1
		assert_fails "Operation not permitted" rmdir "$DIR/by-key" || return 1
	fi
	assert_fails "Operation not permitted" touch "$d/newfile" || return 1
	assert_fails "Operation not permitted" touch "$DIR/plainfile" || return 1
	assert_fails "Operation not permitted\|Permission denied" mkfifo "$DIR/fifo" || return 1
	assert_fails "Operation not permitted" mkfifo "$d/fifo" || return 1
	assert_fails "Permission denied" bash -c "echo 5 > '$d/$ro'" || return 1
	assert_fails "Permission denied" bash -c "echo 5 > '$MNT/limits'" || return 1
	if [ "$PARAM" != - ]; then
		assert_fails "Permission denied" bash -c "echo 5 > '$d/$PARAM'" || return 1
		assert_eq "$MADE" "$(cat "$d/$PARAM")" "$PARAM unchanged" || return 1
	fi
	assert_eq 0 "$(cat "$d/$ro")" "$ro unchanged" || return 1
	assert_alive
}

# xattr_errnos FILE: the errno of getxattr of an ACL, a label, a user
# attribute, and of setxattr.
xattr_errnos() {
	python3 - "$1" <<-'PY'
		import os, sys
		out = []
		for call in (lambda p: os.getxattr(p, "system.posix_acl_access"),
		             lambda p: os.getxattr(p, "security.selinux", follow_symlinks=False),
		             lambda p: os.getxattr(p, "user.note"),
		             lambda p: os.setxattr(p, "user.note", b"x")):
		    try:
		        call(sys.argv[1]); out.append("ok")
		    except OSError as e:
		        out.append(str(e.errno))
		print(" ".join(out))
	PY
}

test_xattrs_are_not_supported() { each_kind xattrs; }
xattrs() {
	local id f files
	id=$(hook mk 54) || return 1
	files="$DIR $DIR/$id $DIR/$id/$LIVE $DIR/$id/info"
	[ "$PARAM" != - ] && files="$files $DIR/$id/$PARAM"
	# "Not supported" (not "no such attribute"), for every name, so that
	# ls -l stops asking about ACLs and labels after the first entry.
	for f in $files; do
		assert_eq "95 95 95 95" "$(xattr_errnos "$f")" "xattr calls on ${f#"$MNT"/}" || return 1
	done
	# And ls -l still lists and stats everything.
	ls -l "$DIR/$id" | grep -Eq " $LIVE( -> \.$LIVE)?\$" || { echo "# ls -l lacks $LIVE"; return 1; }
}

test_unknown_and_vanished_names() { each_kind unknown_names; }
unknown_names() {
	local id
	assert_fails "No such file" ls "$DIR/zzz" || return 1
	assert_fails "No such file" ls "$DIR/0x" || return 1
	assert_fails "No such file" ls "$DIR/007" || return 1
	assert_fails "No such file" cat "$DIR/2147483647/info" || return 1
	assert_fails "No such file" cat "$MNT/nothing" || return 1
	id=$(hook mk 43) || return 1
	ls "$DIR/$id" >/dev/null || return 1
	# Removed natively: its names are gone, from the listing too.
	hook rm "$id" || return 1
	assert_fails "No such file" cat "$DIR/$id/info" || return 1
	if ls "$DIR" | grep -qxF -- "$id"; then echo "# $id still listed"; return 1; fi
	assert_fails "No such file" cat "$DIR/$id/$LIVE" || return 1
	if [ "$KEYS" = yes ]; then
		assert_fails "No such file" cat "$DIR/$(key 43)/info" || return 1
	fi
	assert_alive
}

test_read_only_mount() { each_kind read_only; }
read_only() {
	local id k
	id=$(hook mk 44 644) || return 1
	hook ro_setup "$id" || return 1
	ipcfs_mount -o ro || return 1
	DIR=$MNT/$DIRNAME
	hook ro_reads "$id" || return 1
	k=$(hook name 45)
	assert_fails "Read-only file system" mkdir "$DIR/$k" || return 1
	if [ "$HAS_NEW" = yes ]; then
		assert_fails "Read-only file system" bash -c "echo '$(new_line "$k" "$MADE")' > '$DIR/new'" || return 1
	fi
	assert_fails "Read-only file system" rmdir "$DIR/$id" || return 1
	assert_fails "Read-only file system" chmod 666 "$DIR/$id" || return 1
	assert_fails "Read-only file system" chown nobody "$DIR/$id" || return 1
	hook ro_refused "$id" || return 1
	hook ro_unchanged "$id" || return 1
	if [ -n "$(hook id_of 45)" ]; then echo "# created in ro"; return 1; fi
}

test_limits_and_summary_match_the_kernel() { each_kind limits_summary; }
limits_summary() {
	local id n want got gauge labels
	for n in $LIMITS; do
		assert_eq "$(hook limit "$n")" "$(sed -n "s/^$n: //p" "$MNT/limits")" "$n" || return 1
	done
	id=$(hook mk 17) || return 1
	gauge=$(hook metric "$id") || return 1
	# Other programs may make objects meanwhile: compare a few times.
	if [ -n "$SUMMARY" ]; then
		for _ in 1 2 3 4 5; do
			want=$(hook usage)
			got=$(for n in $SUMMARY; do sed -n "s/^$n: //p" "$MNT/summary"; done | xargs)
			[ "$want" = "$got" ] && break
		done
		assert_match '^[0-9]+( [0-9]+)*$' "$got" "summary figures ($SUMMARY)" || return 1
		assert_eq "$want" "$got" "summary against the kernel's figures ($SUMMARY)" || return 1
	fi
	# One gauge of the object (one line picked out first: the whole
	# text can be large).
	labels=$(hook metric_labels "$id" 17)
	assert_eq "${gauge% *}{$labels} ${gauge##* }" "$(grep -F "${gauge% *}{$labels}" "$MNT/metrics")" "metrics"
}

# label_value TEXT: TEXT as a label value of metrics (\, " and newline
# escaped).
label_value() {
	local v=${1//\\/\\\\}
	v=${v//\"/\\\"}
	printf '%s' "${v//$'\n'/\\n}"
}

# Names with blanks, a newline, quotes, UTF-8, a backslash, a dash, and
# the longest the kind takes: made natively and used through the mount,
# made through the mount and used natively; one byte more is too long
# both ways.
test_odd_names_round_trip() { each_kind odd_names; }
odd_names() {
	[ "$FAMILY" = posix ] || skip "$K objects are named by their id and key"
	local name names long e found
	long=$PFX$(printf 'x%.0s' $(seq $((NAME_MAX_K - ${#PFX}))))
	names=("${PFX}with space" "${PFX}new
line" "${PFX}quote\"'s" "${PFX}ütf-8 ✓ 日本" "${PFX}back\\slash" "${PFX}-dash")
	for name in "${names[@]}"; do
		hook mk_named "$name" || return 1
		hook put_native "$name" || return 1
		assert_eq "$MARK" "$(hook get_mount "$name")" "native -> mount for [$name]" || return 1
		found=0
		for e in "$DIR"/*; do [ "$e" = "$DIR/$name" ] && found=1; done
		[ $found = 1 ] || { echo "# [$name] not listed"; return 1; }
		grep -qF "name=\"$(label_value "$name")\"" "$MNT/metrics" || { echo "# [$name] not in metrics"; return 1; }
		rmdir "$DIR/$name" || return 1
		if hook exists "$name"; then echo "# [$name] not removed"; return 1; fi
		hook track "$name"
		mkdir "$DIR/$name" || { echo "# mkdir [$name]"; return 1; }
		hook put_mount "$name" || return 1
		assert_eq "$MARK" "$(hook get_native "$name")" "mount -> native for [$name]" || return 1
		rmdir "$DIR/$name" || return 1
	done
	hook track "$long"
	assert_ok mkdir "$DIR/$long" || return 1
	hook put_mount "$long" || return 1
	assert_eq "$MARK" "$(hook get_native "$long")" "mount -> native for the ${#long}-byte name" || return 1
	rmdir "$DIR/$long" || return 1
	assert_fails "File name too long" mkdir "$DIR/${long}y" || return 1
	assert_fails "File name too long" stat "$DIR/${long}y" || return 1
	if [ "$HAS_NEW" = yes ]; then
		assert_fails "File name too long" bash -c "echo '${long}y' > '$DIR/new'" || return 1
	fi
	hook too_long_native "${long}y"
}

# The permission matrix by caller, for a POSIX kind: each caller below,
# against an object of each owner and mode, does each of the kind's
# operations (MATRIX_OPS) natively and through the mount, and gets the
# same answer: "ok" or the same errno.  (System V: perms.sh, with
# permtool.)  Together the callers are each role the kernel tells apart:
# root, the owner, a member of the group (by the primary group or a
# supplementary one), anyone else, and root of a user namespace (made by
# nobody, or by root).
MATRIX_CALLERS=(
	"root:"
	"nobody:setpriv --reuid=65534 --regid=65534 --clear-groups"
	"nobody+group4242:setpriv --reuid=65534 --regid=65534 --groups=4242"
	"nobody/gid4242:setpriv --reuid=65534 --regid=4242 --clear-groups"
	"nobody-in-own-userns:setpriv --reuid=65534 --regid=65534 --clear-groups unshare -Ur"
	"root-of-child-userns:unshare -Ur"
)
MATRIX_OWNERS="0:0 65534:0 0:4242"
MATRIX_MODES="000 400 200 600 040 020 060 004 002 006 066 666 644 640 604 606 660 602 622 620 466 246"

# known_stricter CALLER KERNEL IPCFS: is this difference the one known
# way fs/ is stricter than the VFS (counted in $WORK/stricter)?  Never
# one where ipcfs allows what the kernel refused.  Root of a child user
# namespace made by root: the VFS honours its capabilities on files whose
# owner and group map there; fs/cred.c counts capabilities only in the
# user namespace that owns the IPC namespace (a daemon thread cannot hold
# them for some files only).
known_stricter() {
	[ "$3" != ok ] && [ "$1" = root-of-child-userns ] && [ "$3" = EACCES ] && [ "$2" = ok ] || return 1
	echo x >>"$WORK/stricter"
}

test_permission_matrix_by_caller_matches_the_kernel() { each_kind permission_matrix; }
permission_matrix() {
	[ "$FAMILY" = posix ] || skip "System V: perms.sh's matrix"
	local owner mode c who cmd u g nn=${PFX}matN fn=${PFX}matF cases=0 nops line nat fs i ops
	read -ra ops <<<"$MATRIX_OPS"
	nops=${#ops[@]}
	: >"$WORK/diffs"
	: >"$WORK/stricter"
	for owner in $MATRIX_OWNERS; do
		u=${owner%:*} g=${owner#*:}
		for mode in $MATRIX_MODES; do
			for c in "${!MATRIX_CALLERS[@]}"; do
				who=${MATRIX_CALLERS[$c]%%:*} cmd=${MATRIX_CALLERS[$c]#*:}
				hook matrix_mk "$nn" "$owner" "$mode" || return 1
				hook matrix_mk "$fn" "$owner" "$mode" || return 1
				hook matrix_ops "$cmd" "$nn" "$fn" "$mode" "$u" "$g" >"$WORK/answers" || return 1
				i=0
				while read -r nat fs; do
					cases=$((cases + 1))
					[ "$nat" = "$fs" ] || known_stricter "$who" "$nat" "$fs" ||
						echo "${ops[$i]} owner=$owner mode=$mode caller=$who: kernel $nat, ipcfs $fs" >>"$WORK/diffs"
					i=$((i + 1))
				done <"$WORK/answers"
				[ "$i" = "$nops" ] || { echo "# $i answers for $nops"; cat "$WORK/answers"; return 1; }
			done
		done
	done
	hook rm "$nn" 2>/dev/null
	hook rm "$fn" 2>/dev/null
	# Creation, where the kind has its rule: each caller makes one
	# natively and one through the mount.
	if declare -F "matrix_create_$K" >/dev/null; then
		for c in "${!MATRIX_CALLERS[@]}"; do
			who=${MATRIX_CALLERS[$c]%%:*} cmd=${MATRIX_CALLERS[$c]#*:}
			for mode in 600 640 666; do
				read -r nat fs <<<"$(hook matrix_create "$cmd" "${nn}c$c$mode" "${fn}c$c$mode" "$mode")"
				cases=$((cases + 1))
				[ "$nat" = "$fs" ] || echo "create mode=$mode caller=$who: kernel $nat, ipcfs $fs" >>"$WORK/diffs"
			done
		done
		ops+=(and creation)
	fi
	figure "$DIRNAME: $cases cases compared (${#MATRIX_CALLERS[@]} callers, $(wc -w <<<"$MATRIX_OWNERS") owners," \
		"$(wc -w <<<"$MATRIX_MODES") modes, operations ${ops[*]}), $(wc -l <"$WORK/diffs") differences"
	figure "$DIRNAME: unlike the kernel by the known rule of fs/, never allowing more (see known_stricter): $(wc -l <"$WORK/stricter") cases"
	if [ -s "$WORK/diffs" ]; then
		sed "s/ owner=[^ ]* mode=[^ ]*//" "$WORK/diffs" | sort | uniq -c | sed "s/^/# /"
		head -5 "$WORK/diffs" | sed "s/^/# e.g. /"
		return 1
	fi
}

run_tests
