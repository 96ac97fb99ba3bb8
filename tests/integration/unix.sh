#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# unix.sh - Unix domain sockets (unix/) through a real mount, against real
# Python programs holding them in two processes: a socketpair, a listener
# whose backlog is full of clients never accepted, a receiver that does not
# read, an abstract name, a path name, datagrams, another network
# namespace.  The referees are the kernel (fstat of the holder's socket,
# what the programs saw: EAGAIN on connect) and ss(8) over every Unix
# socket of the machine.
#
# Looking must change nothing: after every file was read the clients are
# still not accepted and the bytes still queued.
#
# It makes no IPC object with a key; every process it starts is tracked
# and killed at exit, its path sockets live in $WORK, removed at exit.
. "$(dirname "$0")/../lib.sh"

ipcfs_mount -o unix_stuck=0 || exit 1
D=$MNT/unix
# The interpreter itself, not a wrapper (the holder is the pid we know).
PY=$(command -v /usr/bin/python3 || command -v python3)

# The programs: `scen.py WHAT ARG` sets up one situation, each socket in
# the process named, prints `NAME PID FD INO` per socket and then `ready`,
# and waits: SIGUSR1 sends more where it says so, SIGTERM ends it and its
# child.
cat >"$WORK/scen.py" <<'PYEOF'
import ctypes, os, signal, socket, sys
signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGTERM, signal.SIGUSR1])
what, arg = sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else ""
lines = []
def show(name, pid, s):
    lines.append(f"{name} {pid} {s.fileno()} {os.fstat(s.fileno()).st_ino}")
def child(keep, uid=None):
    """A child holding `keep` (the parent closes its copies)."""
    pid = os.fork()
    if pid == 0:
        mine = {s.fileno() for s in keep} | {0, 1, 2}
        for fd in [int(f) for f in os.listdir("/proc/self/fd")]:
            if fd not in mine:
                try:
                    os.close(fd)
                except OSError:
                    pass
        if uid is not None:
            os.setgroups([]); os.setresgid(uid, uid, uid); os.setresuid(uid, uid, uid)
            # (A change of uid makes a process undumpable: its own user
            # could not read its /proc/PID/fd.)
            ctypes.CDLL(None).prctl(4, 1, 0, 0, 0)	# PR_SET_DUMPABLE
        signal.sigwait([signal.SIGTERM])
        os._exit(0)
    return pid
me, more = os.getpid(), None
if what in ("pair", "nobody-pair"):
    a, b = socket.socketpair()
    kid = child([b], uid=65534 if what == "nobody-pair" else None)
    show("a", me, a); show("b", kid, b)
    if what == "pair":
        b.close()
    else:	# b is held by root (here) and nobody (the child)
        show("b-root", me, b)
elif what == "listener":
    l = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); l.bind(arg); l.listen(2)
    cs, refused = [], 0
    for i in range(5):
        c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); c.setblocking(False)
        try:
            c.connect(arg); cs.append(c)
        except BlockingIOError:
            refused += 1; c.close()
    kid = child(cs)
    show("listener", me, l)
    for c in cs:
        show("client", kid, c); c.close()
    lines.append(f"refused {refused}")
    def more():
        c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); c.setblocking(False)
        try:
            c.connect(arg); print("connected", flush=True)
        except BlockingIOError:
            print("refused", flush=True)
elif what == "abstract":
    l = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); l.bind("\0" + arg); l.listen(5)
    show("listener", me, l)
elif what in ("stream", "dgram", "seqpacket"):
    t = {"stream": socket.SOCK_STREAM, "dgram": socket.SOCK_DGRAM, "seqpacket": socket.SOCK_SEQPACKET}[what]
    a, b = socket.socketpair(socket.AF_UNIX, t)
    kid = child([b])
    show("sender", me, a); show("receiver", kid, b); b.close()
    size = int(arg)
    def more():
        a.send(b"x" * size); print("sent", flush=True)
    more()
elif what == "selfpath":
    # nobody's socket whose name runs through this very mount (arg):
    # MNT/unix/INO/../../../nb/self.sock is WORK/nb/self.sock.  Bound while
    # nobody may see it through its holder (dumpable), then undumpable, so
    # that only the name could show it to nobody.
    libc = ctypes.CDLL(None)
    os.setgroups([]); os.setresgid(65534, 65534, 65534); os.setresuid(65534, 65534, 65534)
    libc.prctl(4, 1, 0, 0, 0)	# PR_SET_DUMPABLE
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    ino = os.fstat(s.fileno()).st_ino
    for i in range(500):	# until the mount has seen the new socket
        try:
            s.bind(f"{arg}/unix/{ino}/../../../nb/self.sock"); break
        except FileNotFoundError:
            signal.sigtimedwait([], 0.02)
    libc.prctl(4, 0, 0, 0, 0)
    show("self", me, s)
elif what == "path-dgram":
    r = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); r.bind(arg)
    show("receiver", me, r)
print("\n".join(lines), flush=True)
print("ready", flush=True)
while True:
    sig = signal.sigwait([signal.SIGTERM, signal.SIGUSR1])
    if sig == signal.SIGTERM:
        break
    if more:
        more()
PYEOF

# scen OUT WHAT [ARG]: start scen.py, wait for it; its lines in OUT.
# Sets $SP (the parent's pid); every pid it names is tracked.
scen() {
	local out=$1 p
	shift
	bg "$out" $PY "$WORK/scen.py" "$@"
	SP=$BG
	until_true grep -qx ready "$out" || { cat "$out"; return 1; }
	for p in $(awk 'NF == 4 {print $2}' "$out" | sort -u); do track_pid "$p"; done
}
# ino_of OUT NAME [N]: the inode of the N-th (1) socket called NAME in OUT.
ino_of() { awk -v n="$2" '$1 == n {print $4}' "$1" | sed -n "${3:-1}p"; }
pid_of() { awk -v n="$2" '$1 == n {print $2}' "$1" | sed -n "${3:-1}p"; }
fd_of() { awk -v n="$2" '$1 == n {print $3}' "$1" | sed -n "${3:-1}p"; }
val() { cat "$D/$1/$2" 2>/dev/null; }
listed() { ls "$D" 2>/dev/null | grep -qx -- "$1"; }

# ---- who talks to whom ----

test_socketpair_between_two_processes_each_peer_points_at_the_other() {
	local o=$WORK/pair.out a b
	scen "$o" pair || return 1
	a=$(ino_of "$o" a)
	b=$(ino_of "$o" b)
	until_true listed "$a" || return 1
	assert_eq "../$b" "$(readlink "$D/$a/peer")" "a's peer"
	assert_eq "../$a" "$(readlink "$D/$b/peer")" "b's peer"
	# The link leads there: ls -l unix/*/peer draws the graph.
	assert_eq "$b" "$(cat "$D/$a/peer/ino")" "a's peer's ino, through the link"
	assert_eq "$(pid_of "$o" a) python3 $(fd_of "$o" a)" "$(val "$a" ends)" "a's ends"
	assert_eq "$(pid_of "$o" b) python3 $(fd_of "$o" b)" "$(val "$b" ends)" "b's ends"
	assert_eq stream "$(val "$a" type)" "type"
	assert_eq connected "$(val "$a" state)" "state"
	assert_eq "" "$(val "$a" name)" "an unnamed socket's name"
	assert_match "^type: stream$" "$(val "$a" info)" "info"
	assert_match "^peer: $b$" "$(val "$a" info)" "info"
	assert_eq 1 "$(val "$a" holders)" "holders"
	assert_eq 0 "$(val "$a" uid)" "the uid the kernel recorded"
}

test_listener_with_full_backlog_shows_pending_clients_and_looking_accepts_none() {
	local o=$WORK/lst.out sock=$WORK/app.sock l c i
	scen "$o" listener "$sock" || return 1
	l=$(ino_of "$o" listener)
	# backlog 2: the kernel queues 3, the 4th and 5th connect got EAGAIN.
	assert_eq "refused 2" "$(grep '^refused' "$o")" "what the clients saw"
	until_true listed "$l" || return 1
	assert_eq listening "$(val "$l" state)" "state"
	assert_eq 2 "$(val "$l" backlog)" "backlog"
	assert_eq 3 "$(val "$l" pending)" "pending"
	assert_eq "$sock" "$(val "$l" name)" "name"
	assert_match "^name: $sock$" "$(val "$l" info)" "info"
	assert_fails "No such file" ls "$D/$l/peer"
	for i in 1 2 3; do
		c=$(ino_of "$o" client "$i")
		assert_eq "../$l" "$(readlink "$D/$c/peer")" "client $i's peer: the listener"
		assert_eq 1 "$(val "$c" unaccepted)" "client $i waits to be accepted"
	done
	# Read everything, then the queue is as full as before.
	cat "$D"/*/* >/dev/null 2>&1
	ls -lR "$D" >/dev/null 2>&1
	kill -USR1 "$SP"
	until_true grep -qx refused "$o" || { cat "$o"; return 1; }
	assert_eq 3 "$(val "$l" pending)" "pending after every file was read"
}

test_stuck_receiver_queue_grows_and_rqueue_shows_it() {
	local o=$WORK/stuck.out r s
	scen "$o" stream 10000 || return 1
	r=$(ino_of "$o" receiver)
	s=$(ino_of "$o" sender)
	until_true listed "$r" || return 1
	eventually_eq 10000 "rqueue: the bytes queued" val "$r" rqueue
	kill -USR1 "$SP"
	eventually_eq 20000 "rqueue after 10,000 more" val "$r" rqueue
	# The sender is charged the memory of what it sent, more than the bytes.
	assert_match "^[1-9][0-9]{4,}$" "$(val "$s" wqueue)" "the sender's wqueue"
	assert_match "ipcfs_unix_stuck_seconds\{.*socket=\"$r\".*reason=\"unread\"" \
		"$(grep '^ipcfs_unix_stuck_seconds' "$MNT/metrics")" "the stuck series"
	assert_match "^ipcfs_unix_queued_bytes [1-9]" "$(cat "$MNT/metrics")" "bytes queued in total"
}

test_abstract_name_shows_with_an_at() {
	local o=$WORK/abs.out l name=ipcfs-test-$$
	scen "$o" abstract "$name" || return 1
	l=$(ino_of "$o" listener)
	until_true listed "$l" || return 1
	assert_eq "@$name" "$(val "$l" name)" "name"
	assert_eq 5 "$(val "$l" backlog)" "backlog"
	assert_eq 0 "$(val "$l" pending)" "pending"
}

test_datagram_socket_queue_in_the_kernels_terms() {
	local o=$WORK/dg.out r s
	scen "$o" dgram 100 || return 1
	kill -USR1 "$SP"
	eventually_eq 2 "datagrams sent" grep -c ^sent "$o" || return 1
	r=$(ino_of "$o" receiver)
	s=$(ino_of "$o" sender)
	until_true listed "$r" || return 1
	assert_eq dgram "$(val "$r" type)" "type"
	# A datagram receiver's rqueue is the size of the next datagram; the
	# depth shows as the sender's wqueue (memory charged for both).
	assert_eq 100 "$(val "$r" rqueue)" "the receiver's rqueue"
	assert_match "^[1-9][0-9]+$" "$(val "$s" wqueue)" "the sender's wqueue"
	assert_eq "../$s" "$(readlink "$D/$r/peer")" "peer"
}

test_path_name_is_seen_by_whoever_can_look_it_up() {
	local o=$WORK/path.out r open=$WORK/open.sock
	scen "$o" path-dgram "$open" || return 1
	r=$(ino_of "$o" receiver)
	until_true listed "$r" || return 1
	assert_eq "$open" "$(val "$r" name)" "name"
	assert_eq unconnected "$(val "$r" state)" "state"
	# nobody may not read root's /proc/PID/fd but can look the path up.
	assert_eq "$open" "$($NOBODY cat "$D/$r/name" 2>&1)" "nobody reads it through the path"
	assert_eq "hidden 1" "$($NOBODY cat "$D/$r/ends" 2>&1)" "its holder, for nobody"
	# In a directory nobody cannot search, it is not there for them.
	mkdir -m 700 "$WORK/private"
	mv "$open" "$WORK/private/"
	assert_fails "No such file" $NOBODY cat "$D/$r/name"
	$NOBODY ls "$D" | grep -qx "$r" && { echo "# listed for nobody"; return 1; }
	true
}

# A name is the binder's own text, walked as the caller for visibility:
# one through this very mount would have the daemon ask itself (its
# workers all waiting on each other: the mount hung for everyone), so
# only plain names are walked, and only through what the kernel has
# cached.  nobody's own socket, undumpable, named through the mount.
# A mount of its own with no name cache (timeout=0): each step of such a
# walk would reach the daemon, as any once the cache has expired.
test_a_name_through_the_mount_is_not_walked() {
	local o=$WORK/self.out i out rc D
	mkdir -m 777 "$WORK/nb"
	ipcfs_mount -o timeout=0 || return 1
	D=$MNT/unix
	scen "$o" selfpath "$MNT" || return 1
	i=$(ino_of "$o" self)
	[ -S "$WORK/nb/self.sock" ] || { echo "# not bound: $(cat "$o")"; return 1; }
	until_true listed "$i" || return 1
	assert_eq "$MNT/unix/$i/../../../nb/self.sock" "$(val "$i" name)" "the name as bound, for root" || return 1
	out=$(timeout -k 5 30 $NOBODY stat -c %i "$D/$i" 2>&1)
	rc=$?
	[ $rc != 124 ] && [ $rc != 137 ] || { echo "# nobody's stat of unix/$i hung"; return 1; }
	assert_eq 1 "$rc" "nobody's stat fails: $out" || return 1
	[[ $out == *"No such file"* ]] || { echo "# $out"; return 1; }
	listed "$i" || { echo "# root no longer lists it"; return 1; }
	assert_alive
}

test_nobody_sees_roots_sockets_only_as_a_count() {
	local o=$WORK/nb.out a b root=$WORK/root.out ra rb mine
	scen "$o" nobody-pair || return 1
	scen "$root" pair || return 1
	a=$(ino_of "$o" a)
	b=$(ino_of "$o" b)
	ra=$(ino_of "$root" a)
	rb=$(ino_of "$root" b)
	until_true listed "$ra" || return 1
	mine="$(pid_of "$o" b) python3 $(fd_of "$o" b)"
	# b, held by nobody and root: nobody sees its own holder, root's as a count.
	assert_eq "$mine
hidden 1" "$($NOBODY cat "$D/$b/ends")" "b's ends, for nobody"
	assert_eq "../$a" "$($NOBODY readlink "$D/$b/peer")" "b's peer, for nobody"
	# a, held by root only: not there for nobody, nor root's own pair.
	assert_fails "No such file" $NOBODY cat "$D/$a/ends"
	$NOBODY ls "$D" | grep -qxE "$a|$ra|$rb" && { echo "# root's socket listed for nobody"; return 1; }
	assert_fails "No such file" $NOBODY cat "$D/$ra/info"
	assert_fails "No such file" $NOBODY ls "$D/$rb/peer"
	assert_match "^ipcfs_unix_hidden [1-9]" "$($NOBODY cat "$MNT/metrics")" "hidden, in nobody's metrics"
	# Root sees both holders.
	assert_eq "$(pid_of "$o" b-root) python3 $(fd_of "$o" b-root)
$mine" "$(sort -n "$D/$b/ends")" "b's ends, for root"
}

# Root of a user namespace of its own (`unshare -Ur`: every capability,
# counted in that namespace only) is still nobody here: CAP_SYS_PTRACE
# over the daemon's namespace is what shows every socket.
test_root_of_own_user_namespace_sees_no_more_than_its_uid() {
	local root=$WORK/uns.out ra rb out
	scen "$root" pair || return 1
	ra=$(ino_of "$root" a)
	rb=$(ino_of "$root" b)
	until_true listed "$ra" || return 1
	out=$($NOBODY unshare -Ur sh -c 'ls "$1"; cat "$1/$2/info"' sh "$D" "$ra" 2>&1)
	[[ $out == *"No such file"* ]] || { echo "# unix/$ra/info read in nobody's user namespace"; return 1; }
	printf '%s\n' "$out" | grep -qxE "$ra|$rb" && { echo "# root's socket listed in nobody's user namespace"; return 1; }
	assert_match "^type: stream" "$(cat "$D/$ra/info")" "root reads it"
}

test_network_namespace_sockets_show_under_ns_only() {
	local o=$WORK/netns.out a ns
	bg "$o" unshare -n -i $PY "$WORK/scen.py" pair
	until_true grep -qx ready "$o" || { cat "$o"; return 1; }
	for p in $(awk 'NF == 4 {print $2}' "$o" | sort -u); do track_pid "$p"; done
	a=$(ino_of "$o" a)
	ns=$(ns_of "$(pid_of "$o" a)")
	until_true test -d "$MNT/ns/$ns/unix/$a" || return 1
	assert_eq "../$(ino_of "$o" b)" "$(readlink "$MNT/ns/$ns/unix/$a/peer")" "peer, under ns/"
	# The top level is the machine's network namespace: not there.
	listed "$a" && { echo "# another namespace's socket at the top"; return 1; }
	assert_fails "No such file" cat "$D/$a/info"
	# And the top level's sockets are not under that namespace's.
	local top
	top=$(ls "$D" | head -1)
	[ -z "$top" ] || [ ! -e "$MNT/ns/$ns/unix/$top" ] || { echo "# $top under ns/$ns"; return 1; }
	assert_match "^unix: " "$(grep '^unix' "$MNT/ns/$ns/info")" "ns info"
}

test_names_are_canonical_decimals() {
	local o=$WORK/canon.out a
	scen "$o" pair || return 1
	a=$(ino_of "$o" a)
	until_true listed "$a" || return 1
	assert_fails "No such file" stat "$D/0$a"
	assert_fails "No such file" stat "$D/+$a"
	assert_fails "No such file" stat "$D/99999999999"
	assert_fails "Read-only\|Permission denied\|Operation not permitted" sh -c "echo 1 >'$D/$a/rqueue'"
	assert_fails "Operation not permitted\|Permission denied" chmod 700 "$D/$a"
}

# ---- against ss ----

# Every Unix socket of the machine: type, state, queues, name, peer and
# holders (pid, fd) as unix/ shows them to root and as `ss -xpnaH` does.
# Processes born or ended between the looks are left out: only those with
# the same rows in ss before and after count.
test_every_socket_agrees_with_ss() {
	local out o=$WORK/cmp.out
	scen "$o" listener "$WORK/cmp.sock" || return 1
	scen "$WORK/cmp2.out" dgram 100 || return 1
	scen "$WORK/cmp3.out" abstract "ipcfs-cmp-$$" || return 1
	until_true listed "$(ino_of "$o" listener)" || return 1
	out=$($PY - "$D" "$(mount_pid)" <<'PYEOF'
import os, re, subprocess, sys
D, daemon = sys.argv[1], sys.argv[2]
me = {os.getpid(), os.getppid(), int(daemon)}
TYPES = {"u_str": "stream", "u_dgr": "dgram", "u_seq": "seqpacket"}
STATES = {"ESTAB": "connected", "LISTEN": "listening", "UNCONN": "unconnected",
          "SYN-SENT": "connecting", "CLOSE-WAIT": "closing"}
def ss():
    out = subprocess.run(["ss", "-xpnaH"], capture_output=True, text=True).stdout
    socks = {}
    for l in out.splitlines():
        m = re.match(r'(\S+)\s+(\S+)\s+(\d+)\s+(\d+)\s+(\S+)\s+(\d+)\s+(\S+)\s+(\d+)\s*(.*)$', l)
        if not m:
            continue
        t, st, rq, wq, name, ino, pname, peer, proc = m.groups()
        holders = frozenset((int(p), int(f)) for p, f in re.findall(r'pid=(\d+),fd=(\d+)', proc))
        socks[int(ino)] = [TYPES.get(t, t), STATES.get(st, st), int(rq), int(wq),
                           "" if name == "*" else name, int(peer), holders]
    return socks
def ours():
    socks = {}
    for d in os.listdir(D):
        try:
            info = dict(l.split(": ", 1) for l in open(f"{D}/{d}/info").read().splitlines())
            ends = open(f"{D}/{d}/ends").read().split("\n")
        except OSError:
            continue
        listener = info["state"] == "listening"
        rq = int(info["pending"] if listener else info["rqueue"])
        wq = int(info["backlog"] if listener else info["wqueue"])
        # ss shows a pending client's peer as 0 (the embryo's).
        peer = 0 if info["unaccepted"] == "1" else int(info["peer"])
        holders = frozenset((int(w[0]), int(w[2])) for w in (e.split() for e in ends)
                            if len(w) == 3 and w[0] != "hidden")
        socks[int(d)] = [info["type"], info["state"], rq, wq, info.get("name", ""), peer, holders]
    return socks
a = ss(); b = ours(); c = ss()
def procs(socks):
    out = {}
    for ino, s in socks.items():
        for p, f in s[6]:
            out.setdefault(p, set()).add((ino, f))
    return out
pa, pc = procs(a), procs(c)
stable = {p for p in pa if p in pc and pa[p] == pc[p] and p not in me}
gone = (set(pa) | set(pc)) - stable
common = {i for i in a if i in c and a[i][:6] == c[i][:6]}
def norm(s):
    return s[:6] + [frozenset(h for h in s[6] if h[0] in stable)]
diff = [("only in ss", i) for i in common - b.keys()]
diff += [("only in unix/", i) for i in b.keys() - a.keys() - c.keys()]
diff += [("differ", i, norm(a[i]), norm(b[i])) for i in common & b.keys() if norm(a[i]) != norm(b[i])]
held = sum(len(norm(a[i])[6]) for i in common)
print(f"{len(common)} sockets, {held} holders in {len(stable)} processes, {len(gone)} processes left out, {len(diff)} differences")
for x in diff[:20]:
    print("#", *x)
PYEOF
)
	figure "unix vs ss: $(head -1 <<<"$out")"
	assert_match " 0 differences$" "$(head -1 <<<"$out")" "differences with ss" || { printf '%s\n' "$out"; return 1; }
}

run_tests
