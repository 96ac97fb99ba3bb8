#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# mmap.sh - `data` mapped with mmap(2): the object's own memory through
# FUSE passthrough (fs/passthrough.c), for System V segments and POSIX
# objects alike.  The referees: programs that use the objects natively
# (tests/helpers/shmtool: shmat; pshmtool: shm_open and mmap), Python's
# mmap, the object's own file mapped the same way (tests/helpers/maptool
# on /dev/shm/NAME), and the kernel's memory cgroups for who pays for the
# pages.  Where the kernel offers no passthrough the mapping tests skip,
# and the fallback test still runs.
#
# Segments use this script's keys; POSIX objects are named
# ipcfs-test-mmap-..., recorded before they are made and removed at exit
# (with the memory cgroups the script made).
. "$(dirname "$0")/../lib.sh"
keyrange 0x1fc5a9
SHMTOOL=$BUILD/shmtool
PT=$BUILD/pshmtool
MT=$BUILD/maptool
P=ipcfs-test-mmap-
SHM=/dev/shm
CG_PREFIX=ipcfs-test-mmap.

pshm_prefix "$P"

# track_cg DIR: rmdir the memory cgroup DIR at exit, after the processes
# and objects are gone.
track_cg() { echo "$1" >>"$WORK/track.cg"; }
eval "$(declare -f cleanup_objects | sed '1s/cleanup_objects/lib_cleanup_objects/')"
cleanup_objects() {
	local d
	lib_cleanup_objects
	tracked cg | while read -r d; do rmdir "$d" 2>/dev/null; done
	return 0
}

ipcfs_mount || exit 1
D=$MNT/posix/shm

# shm_mk N SIZE [MODE]: a segment with our Nth key, made natively; its id.
shm_mk() { "$SHMTOOL" create "$(key "$1")" "$2" "${3:-600}"; }
# mk NAME [SIZE [MODE]]: a POSIX object made natively.
mk() { track_pshm "$1"; "$PT" create "$1" "${2:-4096}" "${3:-600}"; }

# Only a machine without passthrough (the kernel's or the build's
# libfuse: the daemon says so at start) skips the mapping tests.
ls "$MNT" >/dev/null || exit 1
NO_PASSTHROUGH=$(grep -m1 'passthrough off' "$LOG")
need_passthrough() {
	[ -z "$NO_PASSTHROUGH" ] || skip "${NO_PASSTHROUGH#ipcfs: }"
}

# ---- both ways, with native programs and Python ----

test_sysv_data_mapped_is_the_segment_both_ways() {
	need_passthrough
	local id
	id=$(shm_mk 1 65536) || return 1
	"$SHMTOOL" write "$id" 100 "from shmat" || return 1
	assert_eq "from shmat" "$("$MT" read "$MNT/shm/$id/data" 100 10)" "mmap of data reads shmat's write" || return 1
	"$MT" write "$MNT/shm/$id/data" 200 "from mmap" || return 1
	assert_eq "from mmap" "$("$SHMTOOL" read "$id" 200 9)" "shmat reads the mapping's write" || return 1
	python_both_ways "$MNT/shm/$id/data" "$SHMTOOL" "$id"
}

# python_both_ways DATA TOOL OBJECT: Python's mmap of DATA (64 KiB, shared)
# against TOOL (shmtool or pshmtool) on OBJECT, while it stays mapped: it
# reads what TOOL wrote at 100, TOOL reads what it writes at 300, and it
# sees at once what TOOL writes at 400.
python_both_ways() {
	local out want
	want=$("$2" read "$3" 100 13 | tr -d '\0')
	out=$(python3 - "$@" <<'EOF'
import mmap, subprocess, sys
data, tool, obj = sys.argv[1:]
with open(data, "r+b") as f:
    m = mmap.mmap(f.fileno(), 65536, mmap.MAP_SHARED)
print(m[100:113].rstrip(b"\0").decode())
m[300:311] = b"from python"
print(subprocess.run([tool, "read", obj, "300", "11"], capture_output=True).stdout.decode())
subprocess.run([tool, "write", obj, "400", "live"], check=True)
print(m[400:404].decode())
m.close()
EOF
	)
	assert_eq "$want
from python
live" "$out" "Python's mmap of $1 against $2"
}

test_posix_data_mapped_is_the_object_both_ways() {
	need_passthrough
	local n=${P}both
	mk "$n" 65536 || return 1
	"$PT" write "$n" 100 "from shm_open" || return 1
	assert_eq "from shm_open" "$("$MT" read "$D/$n/data" 100 13)" "mmap of data reads the program's write" || return 1
	"$MT" write "$D/$n/data" 200 "from mmap" || return 1
	assert_eq "from mmap" "$("$PT" read "$n" 200 9)" "the program reads the mapping's write" || return 1
	python_both_ways "$D/$n/data" "$PT" "$n"
}

# ---- what a mapping gives, against the object's own file ----

test_map_private_is_copy_on_write() {
	need_passthrough
	local id n=${P}private
	id=$(shm_mk 2 8192) || return 1
	"$SHMTOOL" write "$id" 10 "shared!" || return 1
	assert_eq "shared!
PRIVATE" "$("$MT" private "$MNT/shm/$id/data" 10 PRIVATE)" "segment: a private mapping" || return 1
	assert_eq "shared!" "$("$SHMTOOL" read "$id" 10 7)" "segment: unchanged by it" || return 1
	mk "$n" 8192 || return 1
	"$PT" write "$n" 10 "shared!" || return 1
	assert_eq "$("$MT" private "$SHM/$n" 10 PRIVATE)" "$("$MT" private "$D/$n/data" 10 PRIVATE)" \
		"POSIX: as a private mapping of /dev/shm/NAME" || return 1
	assert_eq "shared!" "$("$PT" read "$n" 10 7)" "POSIX: unchanged by it" || return 1
}

test_access_past_the_end_faults_as_natively() {
	need_passthrough
	local id n=${P}end m off
	mk "$n" 4096 || return 1
	# Mapping more than the file: the page past its end is SIGBUS.
	for m in "4096 100" "8192 4095" "8192 4096" "8192 8191"; do
		assert_eq "$("$MT" touch "$SHM/$n" $m)" "$("$MT" touch "$D/$n/data" $m)" \
			"POSIX: map, touch $m (native: $("$MT" touch "$SHM/$n" $m))" || return 1
	done
	assert_eq SIGBUS "$("$MT" touch "$D/$n/data" 8192 4096)" "POSIX: past the end" || return 1
	# A segment of 5000 bytes: its memory file ends there, in its second
	# page, which is whole (as an attachment maps it); the third faults.
	id=$(shm_mk 3 5000) || return 1
	for off in 4999 5000 8191; do
		assert_eq ok "$("$MT" touch "$MNT/shm/$id/data" 12288 $off)" "segment: byte $off" || return 1
	done
	assert_eq SIGBUS "$("$MT" touch "$MNT/shm/$id/data" 12288 8192)" "segment: past its last page" || return 1
}

# ---- the rules of data hold for mappings ----

test_rights_counts_and_opens_hold_while_mapped() {
	need_passthrough
	local id k=$(key 4) pid out
	id=$(shm_mk 4 65536 644) || return 1
	# Rights are the open's, as shmat checks them: nobody may map it for
	# reading only; a read-only open never maps it writable (EACCES, as
	# for any file).
	assert_eq ok "$($NOBODY "$MT" try "$MNT/shm/$id/data" rdonly shared read)" "nobody, r" || return 1
	assert_fails "Permission denied" $NOBODY "$MT" try "$MNT/shm/$id/data" rdwr shared write || return 1
	assert_eq EACCES "$("$MT" try "$MNT/shm/$id/data" rdonly shared write)" "PROT_WRITE on O_RDONLY" || return 1
	# A mapping is no attachment: nattch and attached do not count it.
	mkfifo "$WORK/hold.out"
	"$MT" hold "$MNT/shm/$id/data" >"$WORK/hold.out" &
	pid=$!
	track_pid $pid
	read -r out <"$WORK/hold.out"
	assert_eq mapped "$out" || return 1
	assert_eq 0 "$(cat "$MNT/shm/$id/nattch")" "nattch while mapped" || return 1
	assert_eq "" "$(cat "$MNT/shm/$id/attached")" "attached while mapped" || return 1
	# Several opens of one file at once, by every name it has, reading
	# and writing: they share one backing file (the kernel refuses a
	# second one for the same inode with EIO).
	exec 3<"$MNT/shm/$id/data" 4<>"$MNT/shm/$id/data" 5<"$MNT/shm/$k/data" 6<"$MNT/ns/self/shm/$id/data"
	printf both >&4
	assert_eq both "$(head -c 4 "$MNT/shm/$id/data")" "a third open, by id" || { exec 3<&- 4<&- 5<&- 6<&-; return 1; }
	assert_eq both "$("$MT" read "$MNT/shm/$k/data" 0 4)" "a mapping by key" || { exec 3<&- 4<&- 5<&- 6<&-; return 1; }
	assert_eq both "$(head -c 4 <&6)" "by ns/self" || { exec 3<&- 4<&- 5<&- 6<&-; return 1; }
	exec 3<&- 4<&- 5<&- 6<&-
	kill $pid
	# A read-only mount refuses a writable open, hence a writable mapping.
	ipcfs_mount -o ro || return 1
	assert_fails "Read-only file system" "$MT" write "$MNT/shm/$id/data" 0 x || return 1
	assert_eq both "$("$MT" read "$MNT/shm/$id/data" 0 4)" "ro: a read-only mapping" || return 1
}

# ---- who pays for the pages ----

# memcg_new NAME: a memory cgroup NAME next to the one this shell is in
# (cgroup v1 here; cgroup2 when it has the memory controller), tracked;
# prints its directory, or fails when none can be made.
memcg_new() {
	local base dir
	base=/sys/fs/cgroup/memory$(awk -F: '$2 == "memory" {print $3}' /proc/self/cgroup)
	if [ -w "$base" ] && mkdir "$base/$CG_PREFIX$1.$$" 2>/dev/null; then
		dir=$base/$CG_PREFIX$1.$$
	else
		base=$(awk '$3 == "cgroup2" {print $2; exit}' /proc/mounts)$(awk -F: '$1 == 0 {print $3}' /proc/self/cgroup)
		grep -qw memory "$base/cgroup.subtree_control" 2>/dev/null || return 1
		mkdir "$base/$CG_PREFIX$1.$$" 2>/dev/null || return 1
		dir=$base/$CG_PREFIX$1.$$
	fi
	track_cg "$dir"
	echo "$dir"
}
# usage_mib DIR: the memory charged to cgroup DIR.
usage_mib() {
	local f=$1/memory.usage_in_bytes
	[ -e "$f" ] || f=$1/memory.current
	echo $(($(cat "$f") >> 20))
}
shmem_mib() { awk '/^RssShmem:/ {print int($2 / 1024)}' "/proc/$(mount_pid)/status"; }

# The issue this answers: a user's `: > data` of their own 64 MiB segment
# was charged to the daemon (its view wrote the zeros), and so was every
# page read through data.  Now the pages are the caller's: as nobody, in
# a memory cgroup of its own, `: > data` and `cat data` of a fresh 64 MiB
# segment and POSIX object charge nobody, and 64 MiB written into each
# through a mapping of data are charged to nobody's cgroup; the daemon
# (in a cgroup of its own) pays for none of it.
test_pages_are_charged_to_the_caller() {
	need_passthrough
	local cgd="" cgu="" id n=${P}charge d d0 u0 s0 d1 u1 s1 run=()
	id=$(shm_mk 5 $((64 << 20)) 666) || return 1
	mk "$n" $((64 << 20)) 600 && chown 65534:65534 "$SHM/$n" || return 1
	if cgd=$(memcg_new daemon) && cgu=$(memcg_new user); then
		IPCFS_WRAP="in_cg_exec $cgd" ipcfs_mount || return 1
		run=(in_cg_exec "$cgu")
	else
		figure "no memory cgroup could be made here: the daemon's RssShmem is the referee"
		cgd="" cgu=""
		ipcfs_mount || return 1
	fi
	s0=$(shmem_mib)
	[ -n "$cgd" ] && d0=$(usage_mib "$cgd") u0=$(usage_mib "$cgu")
	for d in "$MNT/shm/$id/data" "$MNT/posix/shm/$n/data"; do
		"${run[@]}" $NOBODY sh -c ': >"$0" && cat "$0" >/dev/null' "$d" || return 1
	done
	s1=$(shmem_mib)
	[ -n "$cgd" ] && d1=$(usage_mib "$cgd")
	figure "mmap: : > data and cat data of 2 x 64 MiB: daemon RssShmem $s0 -> $s1 MiB${cgd:+, its cgroup $d0 -> $d1 MiB}"
	[ $((s1 - s0)) -lt 8 ] || { echo "# the daemon maps $((s1 - s0)) MiB of them"; return 1; }
	[ -z "$cgd" ] || [ $((d1 - d0)) -lt 8 ] || { echo "# the daemon's cgroup was charged $((d1 - d0)) MiB"; return 1; }
	for d in "$MNT/shm/$id/data" "$MNT/posix/shm/$n/data"; do
		assert_eq filled "$("${run[@]}" $NOBODY "$MT" fill "$d" 64)" "fill $d" || return 1
	done
	s1=$(shmem_mib)
	[ $((s1 - s0)) -lt 8 ] || { echo "# the daemon maps $((s1 - s0)) MiB of them"; return 1; }
	[ -n "$cgd" ] || return 0
	d1=$(usage_mib "$cgd") u1=$(usage_mib "$cgu")
	figure "mmap: 2 x 64 MiB written through mappings of data: the writer's cgroup $u0 -> $u1 MiB, the daemon's $d0 -> $d1 MiB"
	[ $((u1 - u0)) -ge 120 ] || { echo "# the writer's cgroup was charged $((u1 - u0)) MiB"; return 1; }
	[ $((d1 - d0)) -lt 8 ] || { echo "# the daemon's cgroup was charged $((d1 - d0)) MiB"; return 1; }
}
# in_cg_exec DIR CMD...: run CMD in cgroup DIR (a command: lib.sh runs
# the daemon as "$IPCFS_WRAP $IPCFS ...").
cat >"$WORK/in_cg_exec" <<'EOF'
#!/bin/sh
echo $$ >"$1/cgroup.procs" || exit 1
shift
exec "$@"
EOF
chmod +x "$WORK/in_cg_exec"
PATH=$WORK:$PATH

# ---- without passthrough ----

test_without_passthrough_data_works_as_before() {
	local id n=${P}fallback
	ipcfs_mount -o no_passthrough || return 1
	id=$(shm_mk 6 8192) || return 1
	mk "$n" 8192 || return 1
	for d in "$MNT/shm/$id" "$MNT/posix/shm/$n"; do
		assert_eq 0 "$(cat "$d/passthrough")" "passthrough in $d" || return 1
		grep -qx 'passthrough: 0' "$d/info" || { echo "# info of $d lacks passthrough: 0"; return 1; }
		assert_eq ENODEV "$("$MT" try "$d/data" rdwr shared write)" "shared mapping of $d/data" || return 1
		printf fallback | dd of="$d/data" conv=notrunc status=none || return 1
		assert_eq fallback "$(head -c 8 "$d/data")" "read and write of $d/data" || return 1
	done
	assert_eq fallback "$("$SHMTOOL" read "$id" 0 8)" "the segment" || return 1
	assert_eq fallback "$("$PT" read "$n" 0 8)" "the POSIX object" || return 1
}

run_tests
