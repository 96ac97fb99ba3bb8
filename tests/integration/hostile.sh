#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# hostile.sh - a container's owner against the root daemon (doc/security.md).
#
# Every attacker here is an unprivileged user (nobody, or uids with no
# passwd entry) in a user, IPC and mount namespace of their own (unshare
# -Urim), which anyone may make; the daemon is started as systemd starts
# it: the leader of a session of its own, with no controlling terminal.
# What each test tries worked before the fixes of issue 21:
#
#   - a pty slave bound over one's own /dev/shm/NAME, opened by the daemon,
#     became its controlling terminal, and the master's close stopped it;
#   - root's files bound over one's own object were truncated for them;
#   - a /dev/shm bound to root's directory (or a symlink to it, or the
#     whole of a tmpfs of the host's) was listed, and root acted on it;
#   - a container's kernel.msgmax of 128 MiB made each MSG_COPY cost that;
#   - 130 uids of one user (subordinate ids) took every non-root slot of
#     the namespace table;
#   - a SIGHUP'd daemon exited with status 0 (no restart).
#
# Referees: the daemon's /proc/PID/stat, root's files' checksums, the
# kernel's own listing, the daemon's CPU time and RSS.
. "$(dirname "$0")/../lib.sh"
keyrange 0x1fc5a7

IPCFS_LEADER=1 ipcfs_mount || exit 1
DPID=$(mount_pid)

# A directory every test user may leave files in (signals between the
# attacker, the test and the users it runs).
PUB=$WORK/pub
pub() { rm -rf "$PUB"; mkdir -p "$PUB"; chmod 1777 "$PUB"; }
# wait_file NAME: until $PUB/NAME exists (10 s at most).
wait_file() { until_true test -e "$PUB/$1"; }

ns_of() { stat -L -c %i "/proc/$1/ns/ipc"; }
# Has process PID run sleep or python3 in an IPC namespace of its own?
settled() {
	local c
	c=$(cat "/proc/$1/comm" 2>/dev/null)
	[ "$c" = sleep ] || [ "$c" = python3 ] || return 1
	[ "$(ns_of "$1" 2>/dev/null)" != "$(ns_of $$)" ]
}
# container SCRIPT: nobody's `unshare -Urim sh -c SCRIPT` (which ends in
# exec sleep or python3), in the background; sets CPID and CNS (its IPC
# namespace's inode), and C_OUT (its output).
container() {
	C_OUT=$WORK/container.$RANDOM
	$NOBODY unshare -Urim sh -c "$1" </dev/null >"$C_OUT" 2>&1 &
	CPID=$!
	track_pid "$CPID"
	until_true settled "$CPID" || { cat "$C_OUT"; return 1; }
	CNS=$(ns_of "$CPID")
}
# The daemon is alive, still without a terminal, and serving.
# no_signal_pending PID: no signal waits to be delivered to PID (true
# too when it is gone: serving says that).
no_signal_pending() { ! grep -Eq '^(SigPnd|ShdPnd):[[:space:]]*0*[1-9a-f]' "/proc/$1/status" 2>/dev/null; }
serving() {
	kill -0 "$DPID" 2>/dev/null || { echo "# the daemon is gone"; return 1; }
	is_lone_leader "$DPID" ||
		{ echo "# the daemon's session $(stat_field "$DPID" 6), terminal $(stat_field "$DPID" 7)"; return 1; }
	ls "$MNT/shm" >/dev/null && cat "$MNT/limits" >/dev/null
}

test_the_daemon_leads_its_session_without_a_terminal() {
	is_lone_leader "$DPID" || {
		echo "# pid $DPID: session $(stat_field "$DPID" 6), tty_nr $(stat_field "$DPID" 7)"
		return 1
	}
}

# A pty slave bound over one's own /dev/shm/obj, and taken off again, over
# and over, while `data` of that object is opened through ns/: no open may
# make it the daemon's controlling terminal (O_NOCTTY, and nothing mounted
# over a name is opened at all), and closing the master stops nothing.
test_a_pty_bound_over_an_object_never_becomes_the_daemons_terminal() {
	local opens=3000 tty i
	pub
	container "mount -t tmpfs shm /dev/shm && printf data >/dev/shm/obj && chmod 666 /dev/shm/obj &&
		exec /usr/bin/python3 -c '
import ctypes, os, pty, sys, time
libc = ctypes.CDLL(None, use_errno=True)
pub = sys.argv[1]
m, s = pty.openpty()
slave = os.ttyname(s).encode()
os.close(s)
open(pub + \"/ready\", \"w\").close()
n = 0
while not os.path.exists(pub + \"/done\") and n < 2000000:
    if libc.mount(slave, b\"/dev/shm/obj\", None, 4096, None):
        sys.exit(\"bind mount: errno %d\" % ctypes.get_errno())
    libc.umount2(b\"/dev/shm/obj\", 0)
    n += 1
print(n, flush=True)
open(pub + \"/cycled\", \"w\").close()
while not os.path.exists(pub + \"/close\"):
    time.sleep(0.01)
os.close(m)  # the slave hangs up: SIGHUP to the session it leads, if any
' $PUB" || return 1
	wait_file ready || { cat "$C_OUT"; return 1; }
	$NOBODY /usr/bin/python3 - "$MNT/ns/$CNS/posix/shm/obj/data" $opens >"$WORK/opens" 2>&1 <<'PY'
import collections, errno, os, sys
path, n = sys.argv[1], int(sys.argv[2])
seen = collections.Counter()
for _ in range(n):
    try:
        os.close(os.open(path, os.O_RDONLY | os.O_NONBLOCK))
        seen["ok"] += 1
    except OSError as e:
        seen[errno.errorcode.get(e.errno, str(e.errno))] += 1
print(" ".join("%s %d" % kv for kv in sorted(seen.items())))
PY
	touch "$PUB/done"
	wait_file cycled || { cat "$C_OUT"; return 1; }
	tty=$(stat_field "$DPID" 7)
	figure "pty race: $(cat "$C_OUT") bind cycles, $opens opens of data ($(cat "$WORK/opens")); the daemon's tty_nr then: $tty"
	[ "$tty" = 0 ] || { echo "# the pty became the daemon's controlling terminal ($tty)"; return 1; }
	touch "$PUB/close"
	until_ended "$CPID" || return 1
	# The master is closed: a daemon that had the slave as its terminal
	# got SIGHUP at that instant.  It must go on answering.  (tty_nr 0
	# above proved it had none; here, once no signal waits for it, any
	# signal has met it, and it answers.)
	until_true no_signal_pending "$DPID" || return 1
	serving
}

# Root's files in /dev/shm, 0600 and 0644, bound in turn over one's own
# object, while truncate(2) of its `data` runs through ns/: the
# truncation is the caller's own open of its own file, which a bind mount
# swapped in cannot redirect.  Root's files stay whole.
test_root_files_bound_over_an_object_are_never_truncated() {
	local secret=/dev/shm/ipcfs-hostile-$$-600 public=/dev/shm/ipcfs-hostile-$$-644
	local mine=ipcfs-hostile-$$-mine sums after
	trap "rm -f '$secret' '$public' '/dev/shm/$mine'" EXIT
	head -c 65536 /dev/urandom >"$secret" && chmod 600 "$secret" || return 1
	head -c 65536 /dev/urandom >"$public" && chmod 644 "$public" || return 1
	sums=$(sha256sum "$secret" "$public")
	pub
	# The container keeps the host's /dev/shm (a whole tmpfs): its own
	# object there is a file of nobody's.
	container "printf data >/dev/shm/$mine && chmod 644 /dev/shm/$mine && exec /usr/bin/python3 -c '
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
pub, mine, files = sys.argv[1], sys.argv[2].encode(), [f.encode() for f in sys.argv[3:]]
open(pub + \"/ready\", \"w\").close()
n = 0
while not os.path.exists(pub + \"/done\") and n < 2000000:
    if libc.mount(files[n % 2], mine, None, 4096, None):
        sys.exit(\"bind mount: errno %d\" % ctypes.get_errno())
    libc.umount2(mine, 2)  # MNT_DETACH: at once, both states as short
    n += 1
print(n, flush=True)
' $PUB /dev/shm/$mine $secret $public" || return 1
	wait_file ready || { cat "$C_OUT"; return 1; }
	$NOBODY /usr/bin/python3 - "$MNT/ns/$CNS/posix/shm/$mine/data" 3000 >"$WORK/truncs" 2>&1 <<'PY'
import collections, errno, os, sys
path, n = sys.argv[1], int(sys.argv[2])
seen = collections.Counter()
for _ in range(n):
    try:
        os.truncate(path, 0)
        seen["ok"] += 1
    except OSError as e:
        seen[errno.errorcode.get(e.errno, str(e.errno))] += 1
print(" ".join("%s %d" % kv for kv in sorted(seen.items())))
PY
	touch "$PUB/done"
	until_ended "$CPID" || return 1
	after=$(sha256sum "$secret" "$public")
	figure "truncate race: $(cat "$C_OUT") bind cycles, 3000 truncates of data ($(cat "$WORK/truncs")); root's files: $(stat -c %s "$secret" "$public" | xargs) bytes"
	assert_eq "$sums" "$after" "root's 0600 and 0644 files" || return 1
	# Not refused wholesale: nobody's truncate of their own object works.
	container "exec sleep 600" || return 1
	$NOBODY truncate -s 3 "$MNT/ns/$CNS/posix/shm/$mine/data" || return 1
	assert_eq 3 "$(stat -c %s "/dev/shm/$mine")" "nobody's own object, truncated" || return 1
	serving
}

# A /dev/shm that is not a tmpfs the container made and mounted whole: a
# bind mount of root's 0700 directory, a symlink to it (which the daemon
# used to follow from the host's root), the whole of a tmpfs of the
# host's.  Nothing is listed, nothing of it is reached by root's hands
# either, and ns/INODE/info says why.
test_a_shm_that_is_not_a_whole_tmpfs_of_the_container_shows_nothing() {
	local dir=/dev/shm/ipcfs-hostile-$$-dir t=$WORK/hosttmpfs how script out
	trap "rm -rf '$dir'; umount -l '$t' 2>/dev/null" EXIT
	mkdir -m 700 "$dir" && printf secret >"$dir/secret" && printf x >"$dir/sem.secret" || return 1
	mkdir -p "$t" && mount -t tmpfs -o mode=0700 hostile "$t" || return 1
	printf secret >"$t/secret" && printf x >"$t/sem.secret" || return 1
	for how in bind symlink host-tmpfs; do
		case $how in
		bind) script="mount --bind $dir /dev/shm" ;;
		symlink) script="mount -t tmpfs dev /dev && ln -s $dir /dev/shm" ;;
		host-tmpfs) script="mount --bind $t /dev/shm" ;;
		esac
		container "$script && exec sleep 600" || return 1
		out=$($NOBODY ls -A "$MNT/ns/$CNS/posix/shm" 2>&1 && $NOBODY ls -A "$MNT/ns/$CNS/posix/sem" 2>&1) ||
			{ echo "# $how: $out"; return 1; }
		assert_eq "" "$out" "$how: what nobody lists" || return 1
		assert_eq "" "$(ls -A "$MNT/ns/$CNS/posix/shm" "$MNT/ns/$CNS/posix/sem" | grep secret)" \
			"$how: what root lists" || return 1
		rmdir "$MNT/ns/$CNS/posix/shm/secret" 2>/dev/null && { echo "# $how: root's rmdir went"; return 1; }
		chmod 666 "$MNT/ns/$CNS/posix/sem/secret" 2>/dev/null && { echo "# $how: root's chmod went"; return 1; }
		assert_match "^posix/shm: none: " "$(grep '^posix/shm:' "$MNT/ns/$CNS/info")" "$how: info" || return 1
		figure "$how: $(grep '^posix/shm:' "$MNT/ns/$CNS/info")"
		kill -9 "$CPID"
		until_ended "$CPID" || return 1
	done
	assert_eq "secret secret 700 700" "$(cat "$dir/secret") $(cat "$t/secret") $(stat -c %a "$dir" "$t" | xargs)" \
		"root's files" || return 1
	[ -e "$dir/sem.secret" ] && [ -e "$t/sem.secret" ] || { echo "# root's files went"; return 1; }
	serving
}

# CPU time (user + system, clock ticks), minor page faults and RSS (KiB)
# of the daemon.
cpu_of() { echo $(($(stat_field "$DPID" 14) + $(stat_field "$DPID" 15))); }
faults_of() { stat_field "$DPID" 10; }
rss_of() { awk '/^VmRSS/ {print $2}' "/proc/$DPID/status"; }
sanitized() { [[ $BUILD == *asan* ]] || [ -n "${IPCFS_VALGRIND:-}" ]; }

# The daemon dumps a container's Unix sockets through a NETLINK_SOCK_DIAG
# socket it makes in the container's network namespace, whose owner may
# send netlink messages there.  Answers forged by them (a socket that is
# not there, sent to the daemon's port ahead of its next dump with every
# sequence number it could use) must never reach unix/: the daemon's
# socket takes messages from the kernel only.
test_a_containers_owner_cannot_forge_unix_diag_answers() {
	local f=$WORK/forge.py
	cat >"$f" <<'PY'
import os, signal, socket, struct, sys
go = sys.argv[1]
signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGTERM])
print("ready", flush=True)
while not os.path.exists(go):
    signal.sigtimedwait([signal.SIGTERM], 0.02)
# The daemon's diag socket: the NETLINK_SOCK_DIAG (4) one of this
# namespace that is not the kernel's (port 0).
ports = [int(l.split()[2]) for l in open("/proc/net/netlink").read().splitlines()[1:]
         if l.split()[1] == "4" and l.split()[2] != "0"]
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 4)
name = b"\0forged"
attr = struct.pack("=HH", 4 + len(name), 0) + name + b"\0" * (-len(name) % 4)
body = struct.pack("=BBBBIII", 1, 1, 1, 0, 4242424242, 0, 0) + attr
sent = refused = full = 0
for port in ports:
    for seq in range(1, 60):
        msg = struct.pack("=IHHII", 16 + len(body), 20, 2, seq, 0) + body
        try:
            s.sendto(msg, socket.MSG_DONTWAIT, (port, 0)); sent += 1
        except ConnectionRefusedError:
            refused += 1
        except BlockingIOError:
            full += 1
print(f"ports {len(ports)} sent {sent} refused {refused} (queue full {full})", flush=True)
signal.sigwait([signal.SIGTERM])
PY
	$NOBODY unshare -Urin /usr/bin/python3 "$f" "$WORK/go" </dev/null >"$WORK/forge.out" 2>&1 &
	CPID=$!
	track_pid "$CPID"
	until_true grep -qx ready "$WORK/forge.out" || { cat "$WORK/forge.out"; return 1; }
	CNS=$(ns_of "$CPID")
	# The first listing makes the daemon's socket there.
	ls "$MNT/ns/$CNS/unix" >/dev/null || return 1
	touch "$WORK/go"
	until_true grep -q '^ports' "$WORK/forge.out" || { cat "$WORK/forge.out"; return 1; }
	figure "forged unix_diag answers: $(cat "$WORK/forge.out" | tail -1)"
	grep -q '^ports [1-9]' "$WORK/forge.out" || { echo "# the daemon's socket was not found"; return 1; }
	# Listings now dump again, with the sequence numbers forged ahead.
	for i in 1 2 3; do
		if ls "$MNT/ns/$CNS/unix" | grep -qx 4242424242; then
			echo "# a forged socket is listed"
			return 1
		fi
	done
	kill "$CPID"
	serving
}

# A container's root may set kernel.msgmax up to 2 GiB; what messages/
# costs the daemon must follow the messages there are, not that.  The
# referee is the daemon's page faults, which do not depend on the machine's
# speed: a copy buffer sized by msgmax is 32,768 pages the kernel reads
# through (MSG_COPY copies the whole buffer in), for every message.
test_a_containers_msgmax_does_not_set_what_listings_cost() {
	local q id i c0 c1 f0 f1 r0 r1 n ms hz
	container "echo 134217728 >/proc/sys/kernel/msgmax && exec sleep 600" || return 1
	q=$MNT/ns/$CNS/mq
	$NOBODY mkdir -m 600 "$q/$(key 1)" || return 1
	id=$(cat "$q/$(key 1)/id") || return 1
	for i in $(seq 20); do printf 'message %d' "$i" | $NOBODY dd of="$q/$id/queue" status=none || return 1; done
	assert_eq 20 "$(cat "$q/$id/qnum")" "queued" || return 1
	$NOBODY ls "$q/$id" >/dev/null || return 1	# the code paths warm
	c0=$(cpu_of) f0=$(faults_of) r0=$(rss_of)
	n=$($NOBODY ls "$q/$id/messages" | wc -l)
	c1=$(cpu_of) f1=$(faults_of) r1=$(rss_of)
	hz=$(getconf CLK_TCK)
	ms=$(((c1 - c0) * 1000 / hz))
	figure "msgmax 128 MiB in a container: ls messages/ of $n messages cost the daemon $((f1 - f0)) page faults, $ms ms of CPU, RSS $r0 -> $r1 KiB"
	assert_eq 20 "$n" "messages listed" || return 1
	# 256 pages (1 MiB) for 20 copies of a few bytes: the listing's own
	# buffers and the threads it woke, never a 128 MiB buffer's 32,768.
	[ $((f1 - f0)) -lt 256 ] || { echo "# $((f1 - f0)) page faults"; return 1; }
	sanitized || [ $((r1 - r0)) -lt 1024 ] || { echo "# RSS grew by $((r1 - r0)) KiB"; return 1; }
	kill -9 "$CPID"
}

# One user with 130 uids (a range mapped into a user namespace of theirs,
# as newuidmap would from /etc/subuid; here root writes the map, as it may
# for a child of its user namespace), each uid making an IPC namespace:
# they are one person, with one share of the namespace table, and another
# user's namespace made after them is listed in ns/ and ns/metrics.
test_130_uids_of_one_person_hide_nobody_elses_namespace() {
	local apid bpid bns n=130 p listed=0 pids
	pub
	$NOBODY /usr/bin/python3 - "$PUB" $n </dev/null >"$WORK/a.out" 2>&1 <<'PY' &
import ctypes, os, sys, time
libc = ctypes.CDLL(None, use_errno=True)
CLONE_NEWUSER, CLONE_NEWIPC = 0x10000000, 0x08000000
pub, n = sys.argv[1], int(sys.argv[2])
if libc.unshare(CLONE_NEWUSER):
    sys.exit("unshare: errno %d" % ctypes.get_errno())
open(pub + "/a-ready", "w").close()
while not os.path.exists(pub + "/a-mapped"):
    time.sleep(0.01)
pids = []
for k in range(n):
    pid = os.fork()
    if pid == 0:
        try:
            os.setresgid(k, k, k)
            os.setresuid(k, k, k)
            if libc.unshare(CLONE_NEWUSER | CLONE_NEWIPC) == 0:
                os.execvp("sleep", ["sleep", "600"])
            print("uid %d: unshare: errno %d" % (k, ctypes.get_errno()), flush=True)
        finally:
            os._exit(1)
    pids.append(pid)
with open(pub + "/a-pids.tmp", "w") as f:
    f.write("".join("%d\n" % p for p in pids))
os.rename(pub + "/a-pids.tmp", pub + "/a-pids")
time.sleep(600)
PY
	apid=$!
	track_pid "$apid"
	wait_file a-ready || { cat "$WORK/a.out"; return 1; }
	echo "0 200000 $n" >"/proc/$apid/uid_map" && echo "0 200000 $n" >"/proc/$apid/gid_map" || return 1
	touch "$PUB/a-mapped"
	wait_file a-pids || { cat "$WORK/a.out"; return 1; }
	pids=$(cat "$PUB/a-pids")
	for p in $pids; do track_pid "$p"; done
	for p in $pids; do until_true settled "$p" || { cat "$WORK/a.out"; return 1; }; done
	assert_eq "$n" "$(for p in $pids; do stat -c %u "/proc/$p"; done | sort -u | wc -l)" "distinct uids" || return 1
	ls "$MNT/ns" >/dev/null	# the table takes them in
	# Another user's, made after them.
	setpriv --reuid=65533 --regid=65533 --clear-groups unshare -Ur --ipc sleep 600 </dev/null >/dev/null 2>&1 &
	bpid=$!
	track_pid "$bpid"
	until_true settled "$bpid" || return 1
	bns=$(ns_of "$bpid")
	ls "$MNT/ns" >"$WORK/ns.list" || return 1
	for p in $pids; do grep -qx "$(ns_of "$p")" "$WORK/ns.list" && listed=$((listed + 1)); done
	figure "130 uids of one person made $n IPC namespaces: $listed listed; another user's made after: $(grep -cx "$bns" "$WORK/ns.list")"
	grep -qx "$bns" "$WORK/ns.list" || { echo "# uid 65533's namespace is not listed"; return 1; }
	grep -q "ns=\"$bns\"" "$MNT/ns/metrics" || { echo "# uid 65533's namespace is not in ns/metrics"; return 1; }
	[ "$listed" -le 16 ] || { echo "# one person holds $listed entries"; return 1; }
	kill -9 $pids "$apid" "$bpid"
}

# A stop nobody asked for exits non-zero (systemd's Restart=on-failure
# then starts the daemon again); SIGTERM, `systemctl stop`, exits 0.
test_a_hangup_exits_non_zero_and_a_terminate_zero() {
	local pid rc sig want
	for sig in HUP TERM; do
		IPCFS_LEADER=1 ipcfs_mount || return 1
		pid=$(mount_pid)
		is_lone_leader "$pid" || { echo "# not a lone session leader"; return 1; }
		kill -"$sig" "$pid"
		wait "$pid"
		rc=$?
		want=1
		[ $sig = TERM ] && want=0
		figure "SIG$sig: exit status $rc"
		assert_eq "$want" "$rc" "exit status after SIG$sig" || return 1
		is_mounted "$MNT" && { echo "# still mounted after SIG$sig"; return 1; }
	done
	return 0
}

run_tests
