#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# package.sh - ipcfs as an administrator installs it: `make deb` (lintian
# clean), `dpkg -i` on this machine, mounts through the installed binary
# with mount -t fuse.ipcfs and an fstab line, the systemd unit checked by
# systemd-analyze verify and its own command lines run as systemd would run
# them (systemd is not PID 1 here, so nothing is started through it), and
# at the end `dpkg --purge`, after which nothing of the package is left.
#
# The package is built once (make deb rebuilds only what changed) and
# installed once for all the tests of the first phase; the second phase
# runs after the purge.  It runs in the pass with BUILD=build only: the
# package is built from the sources, without sanitizers, whatever BUILD is.
#
# All of it runs in a throwaway root (tests/throwaway-root.sh: an overlay
# of this machine's root, gone at the end), so that installing, the fstab
# line and purging leave this machine as it was, even when the script is
# killed half-way.
if [ -z "${IPCFS_THROWAWAY_ROOT:-}" ] && [ "$(id -u)" -eq 0 ]; then
	exec "$(dirname "$0")/../throwaway-root.sh" bash "$0" "$@"
fi
. "$(dirname "$0")/../lib.sh"
keyrange 0x1fc5e1
SHMTOOL=$BUILD/shmtool
UNIT=/lib/systemd/system/ipcfs@.service
VERSION=$(cat "$ROOT/VERSION")
DEB=""		# the .deb, once built
INSTALLED=0	# 1 once this script installed it: then it purges it

# ---- the package, installed for phase 1 and purged at exit ----

pkg_purge() {
	[ $INSTALLED = 1 ] || return 0
	ipcfs_umount_all
	dpkg --purge ipcfs >"$WORK/purge.log" 2>&1 || sed 's/^/# purge: /' "$WORK/purge.log"
	INSTALLED=0
}
trap 'pkg_purge; teardown' EXIT

# pkg_paths FILE: every path the .deb holds, one per line, without "./".
pkg_paths() { dpkg-deb -c "$DEB" | awk '{print $NF}' | sed 's|^\./|/|; s|/$||' | grep -v '^$' >"$1"; }

prepare() {
	if [ "$BUILD" != "$ROOT/build" ]; then
		SKIP_ALL="the package is built from the sources without sanitizers; the pass with BUILD=build tests it"
		return
	fi
	if dpkg-query -W -f '${Status}' ipcfs 2>/dev/null | grep -q 'installed\|config-files'; then
		SKIP_ALL="an ipcfs package is already installed on this machine: not replacing or purging it"
		return
	fi
	echo "# make deb"
	if ! make -C "$ROOT" --no-print-directory deb >"$WORK/deb.log" 2>&1; then
		sed 's/^/#   /' "$WORK/deb.log" | tail -30
		return
	fi
	DEB=$(ls "$ROOT"/build/deb/ipcfs_"$VERSION"_*.deb 2>/dev/null | head -1)
	[ -n "$DEB" ] || return
	# What exists already before the installation must exist after the purge, and nothing else.
	pkg_paths "$WORK/paths"
	while read -r p; do [ -e "$p" ] || [ -L "$p" ] || echo "$p"; done <"$WORK/paths" >"$WORK/new-paths"
	if dpkg -i "$DEB" >"$WORK/install.log" 2>&1; then
		INSTALLED=1
	else
		sed 's/^/#   dpkg -i: /' "$WORK/install.log"
		dpkg --purge ipcfs >/dev/null 2>&1
	fi
}
SKIP_ALL=""
prepare

need_installed() {
	[ -z "$SKIP_ALL" ] || skip "$SKIP_ALL"
	[ $INSTALLED = 1 ] || { echo "# the package did not build or install (see above)"; return 1; }
}

# ---- the unit's own command lines ----

# unit_key KEY: the value(s) of KEY= in the installed ipcfs@.service.
unit_key() { sed -n "s/^$1=//p" "$UNIT"; }

# unit_cmd KEY DIR: that command line as systemd runs it for the instance
# that names DIR: %f is DIR, $IPCFS_OPTIONS the (empty) default, $$ a $,
# and a leading "-" (failure ignored) dropped.  For eval.
unit_cmd() {
	unit_key "$1" | sed "s|%f|$2|g; s|\\\$IPCFS_OPTIONS||g; s|\\\$\\\$|\$|g; s|^-||"
}

# unit_setpriv: setpriv's arguments for what the unit's process gets:
# CapabilityBoundingSet= (less what this machine's bounding set lacks
# already: setpriv can only drop), no inheritable, NoNewPrivileges=.
unit_setpriv() {
	local have want c list=""
	have=$(setpriv -d | sed -n 's/^Capability bounding set: //p' | tr , '\n')
	want=$(unit_key CapabilityBoundingSet | tr ' ' '\n' | sed 's/^CAP_//' | tr 'A-Z' 'a-z')
	for c in $want; do grep -qx "$c" <<<"$have" && list="$list,+$c"; done
	printf '%s\n' --inh-caps=-all "--bounding-set=-all$list"
	[ "$(unit_key NoNewPrivileges)" = yes ] && echo --no-new-privs
}

# unit_start DIR [WRAP...]: ExecStartPre, ExecStart in the background (as
# the unit's process: setpriv), ExecStartPost; sets UPID, the daemon's pid
# (WRAP, e.g. strace, runs in front of setpriv: then UPID is the wrapper's).
unit_start() {
	local dir=$1 cmd
	shift
	(umask "$(unit_key UMask | grep . || echo 0022)"; eval "$(unit_cmd ExecStartPre "$dir")") ||
		{ echo "# ExecStartPre failed"; return 1; }
	# Plain words (no quotes in it), and no eval: $! must be the daemon.
	read -ra cmd <<<"$(unit_cmd ExecStart "$dir")"
	# shellcheck disable=SC2046
	"$@" setpriv $(unit_setpriv) "${cmd[@]}" </dev/null >>"$WORK/daemon-unit.log" 2>&1 &
	UPID=$!
	echo "$UPID" >>"$WORK/track.daemon"
	track_mount "$dir"
	timeout 10 bash -c "$(unit_cmd ExecStartPost "$dir")" || { echo "# ExecStartPost: not mounted in 10 s"; cat "$WORK/daemon-unit.log"; return 1; }
}

# The pid of the ipcfs process serving DIR.
daemon_of() {
	local p
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/exe" 2>/dev/null)" = /usr/bin/ipcfs ] || continue
		tr '\0' ' ' <"$p/cmdline" | grep -q " $1\( \|\$\)" && { basename "$p"; return 0; }
	done
	return 1
}

# ---- phase 1: built, installed ----

# What this script installs must never reach the machine it runs on.
test_it_installs_in_a_throwaway_root() {
	assert_eq 1 "${IPCFS_THROWAWAY_ROOT:-}" "run through tests/throwaway-root.sh" &&
		assert_eq overlay "$(findmnt -n -o FSTYPE /)" "the root it installs into"
}

test_make_deb_gives_a_lintian_clean_package() {
	need_installed || return 1
	local l=$ROOT/build/deb/lintian.txt
	[ -e "$l" ] || { echo "# no lintian report"; return 1; }
	echo "# $(basename "$DEB"), lintian: $(wc -l <"$l") lines"
	sed 's/^/#   /' "$l"
	if grep -q '^[EW]:' "$l"; then return 1; fi
	ls "$ROOT"/build/deb/ipcfs_"$VERSION"_*.changes >/dev/null || return 1
	# Everything the issue lists is in it.
	pkg_paths "$WORK/have"
	for p in /usr/bin/ipcfs /usr/share/man/man1/ipcfs.1.gz /lib/systemd/system/ipcfs@.service \
		/lib/systemd/system/ipcfs-metrics.service /lib/systemd/system/ipcfs-metrics.timer \
		/usr/share/doc/ipcfs/copyright /usr/share/doc/ipcfs/changelog.gz \
		$(ls "$ROOT"/monitoring/*.yml "$ROOT"/monitoring/*.json 2>/dev/null | sed 's|.*/|/usr/share/ipcfs/|'); do
		grep -qx "$p" "$WORK/have" || { echo "# not in the package: $p"; return 1; }
	done
	grep -q '^Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/' \
		/usr/share/doc/ipcfs/copyright || { echo "# copyright is not DEP-5"; return 1; }
}

# make install with a monitoring/ directory of rules and dashboards: the
# *.yml and *.json land in share/ipcfs, nothing else does; without one,
# there is no share/ipcfs.
test_install_takes_monitoring_files_when_there_are_some() {
	[ -z "$SKIP_ALL" ] || skip "$SKIP_ALL"
	local mon=$WORK/mon dest=$WORK/dest
	mkdir -p "$mon"
	echo 'groups: []' >"$mon/ipcfs.rules.yml"
	echo '{}' >"$mon/ipcfs-dashboard.json"
	echo 'notes' >"$mon/README"
	make -s -C "$ROOT" --no-print-directory install-data DESTDIR="$dest" PREFIX=/usr MONITORING="$mon" >/dev/null || return 1
	assert_eq "ipcfs-dashboard.json ipcfs.rules.yml" "$(ls "$dest/usr/share/ipcfs" | tr '\n' ' ' | sed 's/ $//')" "share/ipcfs" || return 1
	rm -rf "$dest"
	make -s -C "$ROOT" --no-print-directory install-data DESTDIR="$dest" PREFIX=/usr MONITORING="$WORK/none" >/dev/null || return 1
	[ ! -e "$dest/usr/share/ipcfs" ] || { echo "# share/ipcfs without monitoring files"; return 1; }
}

# VERSION is the one source: --version (installed and built), the
# package's version, debian/changelog and the man page's .TH line.
test_version_has_one_source() {
	need_installed || return 1
	local out built run
	out=$(/usr/bin/ipcfs --version 2>&1) || return 1
	printf '%s\n' "$out" | sed 's/^/#   /'
	assert_eq "ipcfs version $VERSION" "$(head -1 <<<"$out")" "--version, installed" || return 1
	assert_eq "ipcfs version $VERSION" "$("$IPCFS" -V 2>&1 | head -1)" "-V, built" || return 1
	assert_eq "$VERSION" "$(dpkg-query -W -f '${Version}' ipcfs)" "package version" || return 1
	assert_eq "$VERSION" "$(dpkg-parsechangelog -l "$ROOT/debian/changelog" -S Version)" "debian/changelog" || return 1
	assert_match "^\\.TH IPCFS 1 [^ ]+ \"ipcfs $VERSION\"" "$(zcat /usr/share/man/man1/ipcfs.1.gz | grep '^\.TH')" "man page" || return 1
	# libfuse: the one the package build linked.  Where the system's is
	# older than 3.16 it built its own from Debian 13's source, statically
	# (its version is in the package's build tree); else the headers'
	# major.minor, and the library dpkg says is installed.
	if [ -s "$ROOT/build/deb/ipcfs-$VERSION/build/libfuse/version" ]; then
		run=$(cat "$ROOT/build/deb/ipcfs-$VERSION/build/libfuse/version")
		built=$(cut -d. -f1,2 <<<"$run")
	else
		built=$(pkg-config --modversion fuse3 | cut -d. -f1,2)
		run=$(dpkg-query -W -f '${Version}' 'libfuse3-3' | sed 's/-[^-]*$//')
	fi
	assert_match "^libfuse $built at build time \\(FUSE_USE_VERSION [0-9]+\\), $run at run time\$" \
		"$(sed -n 2p <<<"$out")" "libfuse line"
}

test_installed_binary_mounts_with_mount_t_fuse_ipcfs() {
	need_installed || return 1
	local d=$WORK/mount-t pid id i
	mkdir -p "$d"
	track_mount "$d"
	mount -t fuse.ipcfs ipcfs "$d" -o shm_size=64K || return 1
	assert_match "^ipcfs $d fuse.ipcfs " "$(grep " $d " /proc/mounts)" "/proc/mounts" || return 1
	pid=$(daemon_of "$d") || { echo "# no /usr/bin/ipcfs serves $d"; return 1; }
	# The option reached the daemon: mkdir makes a 64 KiB segment.
	mkdir "$d/shm/$(key 1)" || return 1
	id=$(readlink "$d/shm/by-key/$(key 1)" | sed 's|.*/||')
	assert_eq 65536 "$(cat "$d/shm/$id/size")" "size from -o shm_size=64K" || return 1
	rmdir "$d/shm/$id" || return 1
	umount "$d" || return 1
	! is_mounted "$d" || { echo "# still mounted"; return 1; }
	until_ended "$pid" || { echo "# the daemon outlived umount"; return 1; }
}

# The fstab line of doc/install.md, at a test directory, through mount -a -T.
test_readme_fstab_line_mounts_with_mount_a() {
	need_installed || return 1
	local d=$WORK/fstab-mnt line
	line=$(grep -m1 -E '^    ipcfs +/ipc +fuse\.ipcfs ' "$ROOT/doc/install.md" | sed 's/^ *//')
	[ -n "$line" ] || { echo "# no fstab line in doc/install.md"; return 1; }
	echo "# $line"
	mkdir -p "$d"
	track_mount "$d"
	sed "s| /ipc | $d |" <<<"$line" >"$WORK/fstab"
	mount -a -T "$WORK/fstab" || return 1
	assert_match "^ipcfs $d fuse.ipcfs " "$(grep " $d " /proc/mounts)" "/proc/mounts" || return 1
	daemon_of "$d" >/dev/null || { echo "# no /usr/bin/ipcfs serves $d"; return 1; }
	assert_ok ls "$d/shm" || return 1
	assert_ok cat "$d/limits" || return 1
	umount "$d" || return 1
	! is_mounted "$d"
}

test_units_pass_systemd_analyze_verify() {
	need_installed || return 1
	local u out bad=0
	command -v systemd-analyze >/dev/null || skip "no systemd-analyze (Debian package systemd; tools/deps.sh deb)"
	# Every unit the package installed, the template also as an instance.
	for u in $(dpkg -L ipcfs | grep '^/lib/systemd/system/.') /lib/systemd/system/ipcfs@ipc.service; do
		out=$(systemd-analyze verify "$u" 2>&1) || bad=1
		[ -z "$out" ] || bad=1
		echo "# verify $u: ${out:-ok}"
	done
	[ $bad = 0 ] || return 1
	# The check can fail: a misspelt key is reported.
	sed 's/^Restart=/Restrat=/' "$UNIT" >"$WORK/ipcfs@.service"
	out=$(systemd-analyze verify "$WORK/ipcfs@.service" 2>&1)
	assert_match "Unknown key 'Restrat'" "$out" "verify of a broken unit"
}

# ExecStartPre/ExecStart/ExecStartPost mount at the instance's path, with
# the unit's capabilities only; a stop (SIGTERM, as systemd sends) unmounts
# and exits 0, so Restart=on-failure does not restart; ExecStopPost then
# has nothing to do.
test_unit_mounts_at_its_instance_path_and_unmounts_on_stop() {
	need_installed || return 1
	local d=$WORK/unit/mnt inst f rc
	inst=$(systemd-escape --path "$d")
	f=$(systemd-escape --unescape --path "$inst")
	echo "# instance ipcfs@$inst.service mounts at $f"
	assert_eq "$d" "$f" "instance path" || return 1
	unit_start "$f" || return 1
	# Made by ExecStartPre, its parent too, which everyone may search.
	assert_eq 755 "$(stat -c %a "$WORK/unit")" "mode of the new parent directory" || return 1
	assert_match "^ipcfs $d fuse.ipcfs " "$(grep " $d " /proc/mounts)" "/proc/mounts" || return 1
	assert_ok ls "$d/shm" || return 1
	kill -TERM "$UPID"
	wait "$UPID"
	rc=$?
	assert_eq 0 "$rc" "exit status after SIGTERM" || return 1
	! is_mounted "$d" || { echo "# still mounted after stop"; return 1; }
	eval "$(unit_cmd ExecStopPost "$d")" 2>/dev/null
	assert_eq on-failure "$(unit_key Restart)" "Restart=" || return 1
	! is_mounted "$d"
}

# The daemon killed: the mount is dead; ExecStopPost removes it, and the
# restart (the start commands again) serves the same objects.
test_unit_recovers_after_the_daemon_is_killed() {
	need_installed || return 1
	local d=$WORK/unit-kill id
	unit_start "$d" || return 1
	id=$("$SHMTOOL" create "$(key 2)" 4096) || return 1
	kill -KILL "$UPID"
	wait "$UPID" 2>/dev/null
	is_mounted "$d" || { echo "# no dead mount left"; return 1; }
	assert_fails "not connected" ls "$d/shm" || return 1
	eval "$(unit_cmd ExecStopPost "$d")" || { echo "# ExecStopPost failed"; return 1; }
	! is_mounted "$d" || { echo "# dead mount still there"; return 1; }
	unit_start "$d" || return 1
	assert_eq "$(key 2)" "$(cat "$d/shm/$id/key")" "the segment through the new mount" || return 1
	kill -TERM "$UPID"
	wait "$UPID"
}

# What each capability the unit keeps is for, done through a mount made
# with only those (see the unit's comment and doc/install.md, "Hardening").
test_unit_capabilities_suffice() {
	need_installed || return 1
	local d=$WORK/unit-caps id nid want got holder
	unit_start "$d" || return 1
	# The daemon's bounding set is the unit's (as far as this machine has them).
	want=$(unit_setpriv | sed -n 's/^--bounding-set=-all,//p' | tr , '\n' | sed 's/^+//' | sort | tr '\n' ' ')
	got=$(setpriv -d --pid "$UPID" 2>/dev/null | sed -n 's/^Capability bounding set: //p')
	[ -n "$got" ] || got=$(capsh --decode="$(awk '/^CapBnd/ {print $2}' "/proc/$UPID/status")" | sed 's/.*=//')
	got=$(tr , '\n' <<<"$got" | sed 's/^cap_//' | sort | tr '\n' ' ')
	assert_eq "$want" "$got" "the daemon's bounding set" || return 1
	# CAP_SETUID/CAP_SETGID: created as the caller.
	$NOBODY mkdir "$d/shm/$(key 3)" || return 1
	nid=$(readlink "$d/shm/by-key/$(key 3)" | sed 's|.*/||')
	assert_eq 65534 "$(cat "$d/shm/$nid/cuid")" "creator of nobody's mkdir" || return 1
	# CAP_IPC_OWNER: root writes nobody's 0600 segment through the daemon.
	id=$($NOBODY "$SHMTOOL" create "$(key 4)" 4096 600) || return 1
	printf 'r' | dd of="$d/shm/$id/data" conv=notrunc status=none || return 1
	assert_eq r "$("$SHMTOOL" read "$id" 0 1)" "root's write into nobody's 0600 segment" || return 1
	# CAP_SYS_ADMIN: the shared view (/proc/self/map_files) stays after the
	# close, without an attachment; IPC_SET of nobody's segment.
	eventually_eq 0 "nattch after close" cat "$d/shm/$id/nattch" || return 1
	assert_eq 1 "$(grep -c " /SYSV${KEYPFX}04" "/proc/$UPID/maps")" "the daemon's view of the segment" || return 1
	chmod 640 "$d/shm/$id" || return 1
	assert_eq 640 "$(stat -c %a "$d/shm/$id")" "chmod of nobody's segment" || return 1
	# CAP_SYS_PTRACE: another user's process in `attached`.
	coproc HOLD { exec $NOBODY "$SHMTOOL" hold "$id"; }
	holder=$HOLD_PID
	track_pid "$holder"
	read -r _ <&"${HOLD[0]}"
	assert_eq "$holder shmtool" "$(cat "$d/shm/$id/attached")" "nobody's process in attached" || return 1
	kill "$holder"
	# CAP_SYS_RESOURCE: qbytes past msgmnb, where this machine allows it at all.
	if grep -q '+sys_resource' <<<"$(unit_setpriv)"; then
		mkdir "$d/mq/$(key 5)" || return 1
		nid=$(readlink "$d/mq/by-key/$(key 5)" | sed 's|.*/||')
		want=$(($(cat /proc/sys/kernel/msgmnb) + 1))
		echo "$want" >"$d/mq/$nid/qbytes" || return 1
		assert_eq "$want" "$(cat "$d/mq/$nid/qbytes")" "qbytes past msgmnb" || return 1
	else
		echo "# CAP_SYS_RESOURCE: not checked, this machine's bounding set lacks it"
	fi
	kill -TERM "$UPID"
	wait "$UPID"
}

# expand_filter GROUP|NAME...: the system calls systemd-analyze lists.
expand_filter() {
	local a n
	for a in "$@"; do
		case $a in
		@*) systemd-analyze syscall-filter "$a" | tail -n +2 | sed 's/^ *//' | grep -v '^#' |
			while read -r n; do [ -n "$n" ] && expand_filter "$n"; done ;;
		*) echo "$a" ;;
		esac
	done
}

# Every system call the daemon and the unit's other commands make, in a
# run that does one of each kind of operation, is allowed by the unit's
# SystemCallFilter= (with SystemCallErrorNumber=EPERM a refused one would
# fail; strace is the referee for what is called).
test_unit_system_call_filter_allows_what_the_daemon_calls() {
	need_installed || return 1
	command -v strace >/dev/null || skip "no strace (tools/deps.sh deb)"
	local d=$WORK/unit-sc st=$WORK/strace id sid qid bad
	mkdir -p "$st"
	# The start commands traced as well: they run under the same filter.
	eval "strace -f -qq -o $st/pre $(unit_cmd ExecStartPre "$d")" || return 1
	unit_start "$d" strace -f -qq -o "$st/daemon" || return 1
	strace -f -qq -o "$st/post" timeout 10 bash -c "$(unit_cmd ExecStartPost "$d")" || return 1
	ls -l "$d" "$d/shm" "$d/sem" "$d/mq" >/dev/null || return 1
	cat "$d/limits" "$d/summary" "$d/metrics" >/dev/null || return 1
	$NOBODY mkdir "$d/shm/$(key 6)" || return 1
	id=$(readlink "$d/shm/by-key/$(key 6)" | sed 's|.*/||')
	printf 'x' | dd of="$d/shm/$id/data" conv=notrunc status=none || return 1
	cat "$d/shm/$id/info" "$d/shm/$id/data" "$d/shm/$id/attached" >/dev/null || return 1
	chmod 600 "$d/shm/$id" && chown 0 "$d/shm/$id" || return 1
	mkdir "$d/sem/$(key 7)" || return 1
	sid=$(readlink "$d/sem/by-key/$(key 7)" | sed 's|.*/||')
	echo +1 >"$d/sem/$sid/0" && echo -1 >"$d/sem/$sid/0" || return 1
	mkdir "$d/mq/$(key 8)" || return 1
	qid=$(readlink "$d/mq/by-key/$(key 8)" | sed 's|.*/||')
	echo hello >"$d/mq/$qid/queue" || return 1
	assert_eq hello "$(head -n 1 "$d/mq/$qid/queue")" "message" || return 1
	rmdir "$d/shm/$id" "$d/sem/$sid" "$d/mq/$qid" || return 1
	# The daemon under strace is strace's child.
	kill -TERM "$(daemon_of "$d")"
	wait "$UPID"
	eval "strace -f -qq -o $st/stoppost $(unit_cmd ExecStopPost "$d")" 2>/dev/null
	expand_filter $(unit_key SystemCallFilter) | sort -u >"$WORK/allowed"
	[ "$(wc -l <"$WORK/allowed")" -gt 100 ] || { echo "# the filter expanded to too little"; return 1; }
	cat "$st"/* | sed -n 's/^[0-9]\+ \+\([a-z0-9_]\+\)(.*/\1/p' | sort -u >"$WORK/called"
	echo "# $(wc -l <"$WORK/called") distinct system calls, $(wc -l <"$WORK/allowed") allowed"
	grep -q '^setresuid$' "$WORK/called" && grep -q '^mount$' "$WORK/called" && grep -q '^msgrcv$' "$WORK/called" ||
		{ echo "# the trace lacks calls it must have"; return 1; }
	bad=$(comm -23 "$WORK/called" "$WORK/allowed")
	[ -z "$bad" ] || { echo "# called but not allowed: $(tr '\n' ' ' <<<"$bad")"; return 1; }
}

if [ -n "$SKIP_ALL" ]; then
	# One skip, with the reason, rather than one per test.
	unset -f $(declare -F | awk '{print $3}' | grep '^test_')
	test_package() { skip "$SKIP_ALL"; }
	run_tests
	exit 0
fi
run_tests

# ---- phase 2: purged ----

unset -f $(declare -F | awk '{print $3}' | grep '^test_')
WAS_INSTALLED=$INSTALLED
pkg_purge

test_purge_leaves_nothing_behind() {
	[ "$WAS_INSTALLED" = 1 ] || { echo "# the package was never installed"; return 1; }
	local p left=""
	if dpkg-query -W -f '${Status}' ipcfs 2>/dev/null | grep -q 'installed\|config-files'; then
		echo "# dpkg still knows ipcfs: $(dpkg-query -W -f '${Status}' ipcfs)"
		return 1
	fi
	while read -r p; do [ -e "$p" ] || [ -L "$p" ] && left="$left $p"; done <"$WORK/new-paths"
	left="$left $(ls /var/lib/dpkg/info/ipcfs.* /var/lib/dpkg/info/ipcfs-dbgsym.* \
		/var/lib/systemd/deb-systemd-helper-enabled/*ipcfs* \
		/var/lib/systemd/deb-systemd-helper-masked/*ipcfs* \
		/etc/systemd/system/*ipcfs* /etc/systemd/system/*/*ipcfs* 2>/dev/null | tr '\n' ' ')"
	left=$(echo $left)
	[ -z "$left" ] || { echo "# left behind: $left"; return 1; }
	[ ! -e /usr/bin/ipcfs ] || return 1
	grep -q "^ipcfs $WORK" /proc/mounts && { echo "# a mount of this script is left"; return 1; }
	for p in /proc/[0-9]*; do
		case $(readlink "$p/exe" 2>/dev/null) in
		"/usr/bin/ipcfs"*) echo "# an installed ipcfs still runs: ${p#/proc/}"; return 1 ;;
		esac
	done
	return 0
}
run_tests
