#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tree.sh - what the tree does alike for every kind of object, each test
# run once per kind: names (ids, 0xKEY, by-key/, unknown and vanished
# ones), mkdir, new, rmdir, chmod and chown as the kernel's create,
# IPC_RMID and IPC_SET, permissions as nobody against what the kernel
# allows nobody natively, info, stat and ls against ipcs, the changes the
# tree refuses, xattrs, a read-only mount, limits and summary.  The
# referees are ipcs and each kind's native program (tests/helpers/shmtool,
# semtool, mqtool).  What only one kind does is in shm.sh, sem.sh, mq.sh.
#
# A test_* here is one function run by each_kind for every kind of the
# table below, each in a subshell with the kind's row and data set; every
# line it prints is prefixed with the kind ("[sem] # mode 602 read:
# kernel ok, ipcfs denied"), every kind runs even after one failed, and
# the test fails naming the kinds that did.  TREE_KINDS="sem mq" runs
# only those kinds.
. "$(dirname "$0")/../lib.sh"
keyrange 0x1fc5e8
PAGE=$(getconf PAGESIZE)

ipcfs_mount || exit 1

# The kinds, one a line.  A new kind is a line here, a kind_NAME function
# setting its data and the hooks it needs (see "The kinds' hooks").
#   kind   the suffix of its functions (kind_shm, mk_shm ...)
#   dir    its directory in the mount
#   ipcs   the letter ipcs and ipcrm take for it (-m, -s, -q)
#   keys   yes: objects have keys, so 0xKEY names and by-key/; no (the
#          POSIX kinds' named objects): tests of keys skip the kind
#   param  the one-value file of what `new` and mkdir size an object by
#          (shm_size, sem_nsems), - for none
KIND_TABLE='
shm  shm  m  yes  size
sem  sem  s  yes  nsems
mq   mq   q  yes  -
'
KINDS=${TREE_KINDS:-$(awk 'NF {print $1}' <<<"$KIND_TABLE")}

# The modes of the permission matrix, for every kind.
PERM_MODES="600 640 604 606 644 660 666 400 200 602 622"

# ---- running a test for every kind ----

# use_kind KIND: its row of the table (K, DIRNAME, DIR, F, KEYS, PARAM),
# then its data (kind_KIND).  NATIVE prefixes the native programs and
# ipcs (a test in an IPC namespace of its own sets it).
use_kind() {
	local row
	row=$(awk -v k="$1" '$1 == k' <<<"$KIND_TABLE")
	[ -n "$row" ] || { echo "# no kind $1 in the table"; return 1; }
	read -r K DIRNAME F KEYS PARAM <<<"$row"
	DIR=$MNT/$DIRNAME
	NATIVE=""
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

# hook NAME ARGS...: the kind's NAME_KIND, or NAME_any where it has none.
hook() {
	local f=$1_$K
	declare -F "$f" >/dev/null || f=$1_any
	declare -F "$f" >/dev/null || { echo "# kind $K has no hook $1"; return 1; }
	shift
	"$f" "$@"
}

# needs_keys: the rest of this test is about keys; a kind without skips it.
needs_keys() { [ "$KEYS" = yes ] || skip "$K objects have no keys"; }

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
#   NEW_ARG, NEW_VAL    a param for `new` and the value it shows;
#   PRIV_ARG, PRIV_VAL  the same for a private object
#   BAD_NEW   lines `new` refuses, with one of the errors in NEW_ERRORS
#   LIMITS    its names in `limits`; SUMMARY in `summary`
# and hooks (NAME_K; NAME_any is the default where there is one):
#   mk N [MODE [PARAM]]  make an object natively with our Nth key; its id
#   mk_private           a private one, tracked; its id
#   field ID NAME        what `ipcs -F -i ID` says of NAME
#   exists ID, rm ID, track ID
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

exists_any() { $NATIVE ipcs -"$F" | awk -v i="$1" '$2 == i {f = 1} END {exit !f}'; }
rm_any() { $NATIVE ipcrm -"$F" "$1"; }
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

# ---- the tests: each a function over the kinds ----

# dir_times_agree DIR: stat's atime mtime ctime of DIR (got_t) are those
# its files say (want_t: the newest of DIR_TIMES' files, then ctime).
dir_times_agree() {
	# shellcheck disable=SC2086
	want_t="$(newest "$1" ${DIR_TIMES%;*}) $(newest "$1" ${DIR_TIMES#*;}) $(cat "$1/ctime")"
	got_t=$(stat -c '%X %Y %Z' "$1")
	[ "$want_t" = "$got_t" ]
}

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
	assert_eq "$(key 5)" "$(cat "$d/key")" "key" || return 1
	assert_eq "$id" "$(cat "$d/id")" "id" || return 1
	# Every field ipcs shows is in info.
	for v in id key $FIELDS $TIMES; do
		printf '%s\n' "$info" | grep -q "^${v%%:*}: " || { echo "# info lacks ${v%%:*}"; return 1; }
	done
	# The directory is the object: mode, owner, times.
	assert_eq "drw-r----- root root" "$(stat -c '%A %U %G' "$d")" "directory mode/owner" || return 1
	# The kernel may answer stat from attributes cached up to timeout=1 s
	# before (from the mkdir), and the setup's operations may have crossed
	# a second since: within the cache time the two must agree.
	local want_t got_t
	until_true dir_times_agree "$d"
	assert_eq "$want_t" "$got_t" "directory atime mtime ctime (from ${DIR_TIMES%;*}; ${DIR_TIMES#*;}; ctime)" || return 1
	# ls -l shows it with the same mode and owner, by id only.
	assert_match "^drw-r----- +2 root +root .* $id\$" "$(ls -l "$DIR" | grep " $id\$")" "ls -l line" || return 1
	if ls "$DIR" | grep -q '^0x'; then echo "# listing shows key names"; return 1; fi
	hook info_more "$id"
}

# "Never-set times show ctime" (doc/interface.md, "What stat shows").
test_never_set_times_show_ctime_on_the_directory() { each_kind never_set_times; }
never_set_times() {
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
	k=$(key 7)
	mkdir -m 640 "$DIR/$k" || return 1
	id=$(id_of_key 7)
	assert_match '^[0-9]+$' "$id" "ipcs lists the key" || return 1
	assert_eq 640 "$(ipcs -"$F" | awk -v k="$k" '$1 == k {print $4}')" "ipcs perms" || return 1
	assert_eq 0640 "$(field_of "$id" mode)" "mode" || return 1
	if [ "$PARAM" != - ]; then
		assert_eq "$DEFAULT" "$(field_of "$id" "$PARAM")" "default $PARAM" || return 1
	fi
	assert_fails "File exists" mkdir "$DIR/$k" || return 1
	assert_eq "../$id" "$(readlink "$DIR/by-key/$k")" "by-key link" || return 1
	assert_eq "$id" "$(cat "$DIR/$k/id")" "0xKEY name" || return 1
	for bad in 0x 0x0 zz 12 "0x${KEYPFX}0g" 0x100000000 "with space"; do
		assert_fails "Invalid argument\|Operation not permitted" mkdir "$DIR/$bad" || return 1
	done
	assert_fails "Operation not permitted" mkdir "$DIR/$id/sub" || return 1
	assert_fails "Operation not permitted" mkdir "$MNT/newdir" || return 1
	rmdir "$DIR/$k" || return 1
	if hook exists "$id"; then echo "# not removed"; return 1; fi
}

test_new_creates_and_reads_back_id() { each_kind new_creates; }
new_creates() {
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
	rmdir "$DIR/$(key 14)" || return 1
	if hook exists "$b"; then echo "# $b still exists"; return 1; fi
	p=$(hook mk_private) || return 1
	rmdir "$DIR/$p" || return 1
	if hook exists "$p"; then echo "# $p still exists"; return 1; fi
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
	assert_eq nobody "$(ipcs -"$F" | awk -v i="$id" '$2 == i {print $3}')" "chown user" || return 1
	assert_eq "65534 65534" "$(field_of "$id" uid) $(field_of "$id" gid)" "chown" || return 1
	assert_eq 0 "$(field_of "$id" cuid)" "creator unchanged" || return 1
	assert_eq "drw----r-- nobody nogroup" "$(stat -c '%A %U %G' "$d")" "stat after" || return 1
	# IPC_SET keeps the 9 permission bits, as the kernel masks them.
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
		assert_fails "Operation not permitted" $NOBODY rmdir "$d" || return 1
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
	k=$(key 40)
	$NOBODY mkdir -m 600 "$DIR/$k" || return 1
	id=$(id_of_key 40)
	assert_eq "65534 65534" "$(field_of "$id" cuid) $(field_of "$id" cgid)" "creator is nobody" || return 1
	assert_eq "65534 65534" "$(field_of "$id" uid) $(field_of "$id" gid)" "owner is nobody" || return 1
	assert_eq nobody "$(ipcs -"$F" -c | awk -v i="$id" '$1 == i {print $3}')" "ipcs -$F -c creator" || return 1
	# Its own object: nobody may use, chmod and remove it.
	hook own_use "$id" || return 1
	$NOBODY chmod 640 "$DIR/$id" || return 1
	assert_eq 0640 "$(field_of "$id" mode)" "nobody chmod" || return 1
	$NOBODY rmdir "$DIR/$id" || return 1
	if hook exists "$id"; then echo "# not removed"; return 1; fi
	# new as nobody, too: the id read back, the kernel's creator fields.
	id=$($NOBODY sh -c "exec 3<>'$DIR/new'; echo '$(new_line "$(key 41)" "$DEFAULT" 600)' >&3; read -r id <&3; echo \$id") || return 1
	assert_match '^[0-9]+$' "$id" "id read back by nobody" || return 1
	assert_eq "65534 65534" "$(field_of "$id" cuid) $(field_of "$id" cgid)" "new as nobody: creator"
}

test_tree_changes_are_refused() { each_kind tree_changes; }
tree_changes() {
	local id d
	id=$(hook mk 42) || return 1
	d=$DIR/$id
	assert_fails "Operation not permitted" mv "$d" "$DIR/999999" || return 1
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
	assert_fails "Permission denied" bash -c "echo 5 > '$d/cuid'" || return 1
	assert_fails "Permission denied" bash -c "echo 5 > '$MNT/limits'" || return 1
	if [ "$PARAM" != - ]; then
		assert_fails "Permission denied" bash -c "echo 5 > '$d/$PARAM'" || return 1
		assert_eq "$MADE" "$(cat "$d/$PARAM")" "$PARAM unchanged" || return 1
	fi
	assert_eq 0 "$(cat "$d/cuid")" "cuid unchanged" || return 1
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
	# Removed natively: its names are gone.
	hook rm "$id" || return 1
	assert_fails "No such file" cat "$DIR/$id/info" || return 1
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
	k=$(key 45)
	assert_fails "Read-only file system" mkdir "$DIR/$k" || return 1
	assert_fails "Read-only file system" bash -c "echo '$(new_line "$k" "$MADE")' > '$DIR/new'" || return 1
	assert_fails "Read-only file system" rmdir "$DIR/$id" || return 1
	assert_fails "Read-only file system" chmod 666 "$DIR/$id" || return 1
	assert_fails "Read-only file system" chown nobody "$DIR/$id" || return 1
	hook ro_refused "$id" || return 1
	hook ro_unchanged "$id" || return 1
	if ipcs -"$F" | grep -q "$k"; then echo "# created in ro"; return 1; fi
}

test_limits_and_summary_match_the_kernel() { each_kind limits_summary; }
limits_summary() {
	local id n want got gauge
	for n in $LIMITS; do
		assert_eq "$(hook limit "$n")" "$(sed -n "s/^$n: //p" "$MNT/limits")" "$n" || return 1
	done
	id=$(hook mk 17) || return 1
	gauge=$(hook metric "$id") || return 1
	# Other programs may make objects meanwhile: compare a few times.
	for _ in 1 2 3 4 5; do
		want=$(hook usage)
		got=$(for n in $SUMMARY; do sed -n "s/^$n: //p" "$MNT/summary"; done | xargs)
		[ "$want" = "$got" ] && break
	done
	assert_match '^[0-9]+( [0-9]+)*$' "$got" "summary figures ($SUMMARY)" || return 1
	assert_eq "$want" "$got" "summary against ipcs -u ($SUMMARY)" || return 1
	# One gauge of the object (one line picked out first: the whole
	# text can be large).
	assert_eq "${gauge% *}{kind=\"$K\",id=\"$id\",key=\"$(key 17)\",owner=\"root\"} ${gauge##* }" \
		"$(grep -F "${gauge% *}{kind=\"$K\",id=\"$id\"," "$MNT/metrics")" "metrics"
}

run_tests
