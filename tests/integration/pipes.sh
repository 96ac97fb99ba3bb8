#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pipes.sh - pipes and FIFOs (pipes/) through a real mount, against real
# programs holding them: a shell pipeline (`yes | sleep`), cat and a shell
# on a mkfifo FIFO, Python's os.pipe() between two processes.  The
# referee is the kernel: the pipe's inode (stat -L /proc/PID/fd/N), the
# holders' wchan, what the reader reads afterwards.
#
# Looking must change nothing: a writer gets EPIPE when its last reader
# ends, a reader EOF when its last writer ends, a FIFO opener stays
# blocked, while a loop reads every file of the pipe all along.
#
# It makes no IPC object with a key; every process it starts is tracked
# and killed at exit, and its FIFOs live in $WORK, removed at exit.
. "$(dirname "$0")/../lib.sh"

ipcfs_mount -o pipes_stuck=0 || exit 1
D=$MNT/pipes
# The interpreter itself, not a wrapper (a pyenv shim is a shell script
# whose child is the python: the holder would not be the pid we know).
PY=$(command -v /usr/bin/python3 || command -v python3)

# ino_of PID FD: the inode number of PID's descriptor FD (the referee).
ino_of() { stat -L -c %i "/proc/$1/fd/$2"; }
# pipe_of PID: the inode of the pipe on PID's stdin or stdout.
pipe_of() {
	local fd l
	for fd in 0 1; do
		l=$(readlink "/proc/$1/fd/$fd") || continue
		[[ $l =~ ^pipe:\[([0-9]+)\]$ ]] && { echo "${BASH_REMATCH[1]}"; return 0; }
	done
	return 1
}
# fd_of PID PATH: which descriptor of PID has PATH open.
fd_of() {
	local l
	for l in /proc/"$1"/fd/*; do
		[ "$(readlink "$l")" = "$2" ] && { echo "${l##*/}"; return 0; }
	done
	return 1
}
# wchan_is PID REGEX: PID sleeps in a kernel function matching REGEX.
wchan_is() { sleeps_in "$1" "$2"; }
W_PIPE_WRITE='^(anon_pipe_write|pipe_write)$'
W_PIPE_READ='^(anon_pipe_read|pipe_read)$'
# has_line FILE LINE: FILE (read now) has the line LINE.
has_line() { grep -qxF -- "$2" "$1" 2>/dev/null; }
val() { cat "$D/$1/$2" 2>/dev/null; }
val_is() { [ "$(val "$1" "$2")" = "$3" ]; }
listed() { ls "$D" 2>/dev/null | grep -qx -- "$1"; }
# looker DIR: a loop reading every file of DIR (and listing pipes/) until
# killed, each round counted in $WORK/rounds.  Its pid in $BG.
looker() {
	: >"$WORK/rounds"
	bg "$WORK/looker.out" bash -c 'while :; do
		ls -l "$2" >/dev/null 2>&1
		cat "$1"/info "$1"/ends "$1"/peek "$1"/queued "$1"/capacity >/dev/null 2>&1
		echo >>"$3"
	done' looker "$1" "$D" "$WORK/rounds"
}
# two_sleeps: `sleep 1000 | sleep 1000` in the background, both tracked,
# once pipes/ lists their pipe: the reader's pid in $S, the pipe's inode
# in $PINO.  (No background process may keep the test's output open:
# run_tests reads it to its end.)
two_sleeps() {
	local me=$BASHPID p
	sleep 1000 </dev/null 2>/dev/null | sleep 1000 >/dev/null 2>&1 &
	S=$!
	track_pid "$S"
	until_true eval '[ "$(pgrep -P '"$me"' -x sleep | wc -l)" -ge 2 ]' || return 1
	for p in $(pgrep -P "$me" -x sleep); do track_pid "$p"; done
	PINO=$(ino_of "$S" 0)
	until_true listed "$PINO"
}
# stuck_yes: `yes | sleep 1000` in the background, both tracked, once yes
# is blocked writing (the kernel says so: the pipe is full): sleep's pid
# in $S, yes's in $Y, the pipe's inode in $PINO.
stuck_yes() {
	local me=$BASHPID
	yes 2>/dev/null | sleep 1000 >/dev/null 2>&1 &
	S=$!
	track_pid "$S"
	until_true pgrep -P "$me" -x yes >/dev/null || return 1
	Y=$(pgrep -P "$me" -x yes)
	track_pid "$Y"
	PINO=$(ino_of "$S" 0)
	until_true wchan_is "$Y" "$W_PIPE_WRITE"
}
rounds_past() { [ "$(wc -l <"$WORK/rounds")" -ge "$1" ]; }

# ---- a stuck pipeline ----

test_stuck_pipeline_shows_full_pipe_and_blocked_writer() {
	local s y ino
	stuck_yes || return 1
	s=$S y=$Y ino=$PINO
	until_true listed "$ino" || return 1
	assert_eq "$(ino_of "$y" 1)" "$ino" "yes's stdout is sleep's stdin" || return 1
	assert_eq 65536 "$(val "$ino" capacity)" "capacity (the default 16 pages)" || return 1
	assert_eq 65536 "$(val "$ino" queued)" "queued = capacity" || return 1
	assert_match "^ino: $ino
fifo: 0
capacity: 65536
queued: 65536
readers: 1
writers: 1
blocked_readers: 0
blocked_writers: 1
uid: 0
gid: 0
mode: 0600$" "$(cat "$D/$ino/info")" "info" || return 1
	assert_eq "$y yes 1 w write
$s sleep 0 r -" "$(sort -n "$D/$ino/ends")" "ends: both named, the writer waits in write" || return 1
	# The stuck-pipe series (this mount: stuck after 0 s).
	until_true grep -q "^ipcfs_pipes_stuck_seconds{kind=\"pipes\",pipe=\"$ino\",type=\"pipe\",.*reason=\"full\"} " \
		"$MNT/metrics" || return 1
	grep -q '^ipcfs_pipes_blocked_ends{op="write"} [1-9]' "$MNT/metrics" || { echo "# no blocked writer counted"; return 1; }
	# Still blocked: looking released nothing.
	wchan_is "$y" "$W_PIPE_WRITE" || { echo "# yes no longer blocked"; return 1; }
	kill "$y" "$s"
	until_ended "$y" "$s" || return 1
	# Gone from the listing once its holders are.
	until_true eval "! listed $ino"
}

# One person with more stuck pipes than the table holds (1,000) must not
# push everyone else's out of the metrics: each person's stuck pipes take
# at most a tenth of it, and the rest are counted as dropped.
test_one_persons_stuck_pipes_leave_room_for_others() {
	# (Not n: until_true's own counter would hide it in the eval.)
	local py=$WORK/stuck_many.py ready=$WORK/nb/stuck_many.ready many=1050 many_pid m s y ino
	cat >"$py" <<'EOF'
import fcntl, os, resource, sys, threading
n = int(sys.argv[1])
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
threading.stack_size(65536)
def block(w):
    os.write(w, b"y")          # the pipe is full: this waits
for i in range(n):
    r, w = os.pipe()
    fcntl.fcntl(w, 1031, 4096)  # F_SETPIPE_SZ: one page
    os.write(w, b"x" * 4096)
    threading.Thread(target=block, args=(w,), daemon=True).start()
open(sys.argv[2], "w").close()
threading.Event().wait()
EOF
	mkdir -p -m 777 "$WORK/nb"
	bg "$WORK/stuck_many.out" $NOBODY "$PY" "$py" "$many" "$ready"
	many_pid=$BG
	until_true eval 'test -e "$ready" || ! kill -0 $BG 2>/dev/null' && test -e "$ready" ||
		{ cat "$WORK/stuck_many.out"; return 1; }
	# nobody looks first: their pipes take what they may of the table.
	m=$WORK/stuck_many.metrics
	until_true eval '$NOBODY cat "$MNT/metrics" >"$m" && grep -q "^ipcfs_pipes_blocked_ends{op=\"write\"} $many$" "$m"' ||
		{ grep "^ipcfs_pipes_blocked\|^ipcfs_pipes_hidden\|^ipcfs_pipes_stuck_d\|^ipcfs_pipes{" "$m"; return 1; }
	$NOBODY cat "$MNT/metrics" >"$m"
	# (Pipes found empty with a reader waiting, nobody's too, have theirs.)
	assert_eq 100 "$(grep -c '^ipcfs_pipes_stuck_seconds{.*reason="full"}' "$m")" \
		"nobody's full pipes with a series: a tenth of the table" || { grep '^ipcfs_pipes_stuck_seconds{.*empty' "$m"; return 1; }
	assert_eq "ipcfs_pipes_stuck_dropped $((many - 100))" "$(grep '^ipcfs_pipes_stuck_dropped ' "$m")" \
		"nobody's dropped" || return 1
	# Root's own stuck pipeline still gets its series.
	stuck_yes || return 1
	s=$S y=$Y ino=$PINO
	until_true grep -q "^ipcfs_pipes_stuck_seconds{kind=\"pipes\",pipe=\"$ino\",.*reason=\"full\"} " \
		"$MNT/metrics" || { grep '^ipcfs_pipes_stuck_dropped' "$MNT/metrics"; return 1; }
	# nobody's 1,050 pipes go now, not at the end of the script.
	kill "$y" "$s" "$many_pid"
	until_ended "$y" "$s" "$many_pid"
}

test_a_pipe_not_stuck_has_no_series() {
	local ino
	two_sleeps || return 1
	ino=$PINO
	assert_eq 0 "$(val "$ino" queued)" "queued" || return 1
	assert_eq "0 0" "$(val "$ino" blocked_readers) $(val "$ino" blocked_writers)" "nobody waits" || return 1
	grep "ipcfs_pipes_stuck_seconds{.*pipe=\"$ino\"" "$MNT/metrics" && { echo "# a series for an idle pipe"; return 1; }
	return 0
}

# ---- FIFOs ----

test_fifo_with_reader_and_writer() {
	local f=$WORK/jobs.fifo c w ino name dev
	mkfifo "$f" || return 1
	# Two shells: one reads, one writes (and then holds the FIFO open).
	bash -c 'exec cat "$1"' reader "$f" </dev/null >/dev/null 2>&1 &
	c=$!
	track_pid "$c"
	bash -c 'exec sleep 1000' >"$f" 2>/dev/null </dev/null &
	w=$!
	track_pid "$w"
	until_true wchan_is "$c" "$W_PIPE_READ" || return 1
	ino=$(stat -c %i "$f")
	dev=$(stat -c '%Hd:%Ld' "$f")
	name="$ino@$dev"
	until_true listed "$name" || return 1
	# by-path/: the path without its first /, each / written %2F.
	local bp="$D/by-path/$(echo "${f#/}" | sed 's|%|%25|g; s|/|%2F|g')"
	assert_eq "../$name" "$(readlink "$bp")" "by-path link" || return 1
	assert_match "^ino: $ino
fifo: 1
capacity: 65536
queued: 0
readers: 1
writers: 1
blocked_readers: 1
blocked_writers: 0
uid: 0
gid: 0
mode: 0$(stat -c %a "$f")
path: $f$" "$(cat "$bp/info")" "info through by-path" || return 1
	assert_eq "$c cat $(fd_of "$c" "$f") r read
$w sleep 1 w -" "$(sort -n "$D/$name/ends")" "ends" || return 1
	# A pipe's name does not reach a FIFO, nor a FIFO's a pipe.
	assert_fails "No such file" ls "$D/$ino" || return 1
	kill "$w"
	until_ended "$w" "$c"	# cat saw EOF and ended
}

# ---- Python's os.pipe() between two processes ----

# py_pair OUT: a Python parent that made a pipe, wrote 2560 bytes (every
# byte value) into it and holds its write end; its child holds the read
# end and reads all that is there on SIGUSR1, into OUT, then ends.
# Prints "PARENT CHILD INO".
py_pair() {
	bg "$WORK/py.out" $PY -c '
import os, signal, sys
data = bytes(range(256)) * 10
signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGUSR1])
r, w = os.pipe()
os.write(w, data)
pid = os.fork()
if pid == 0:
    os.close(w)
    signal.sigwait([signal.SIGUSR1])
    got = os.read(r, 1 << 20)
    open(sys.argv[1], "wb").write(got)
    os._exit(0)
os.close(r)
print(os.getpid(), pid, os.fstat(w).st_ino, r, w, flush=True)
signal.sigwait([signal.SIGUSR1])
' "$1"
	until_true test -s "$WORK/py.out" || return 1
	read -r PYP PYC PYINO PYR PYW <"$WORK/py.out"
	track_pid "$PYC"
}

test_python_pipe_peek_takes_nothing() {
	local out=$WORK/child.got
	$PY -c 'import sys; sys.stdout.buffer.write(bytes(range(256)) * 10)' >"$WORK/data"
	py_pair "$out" || return 1
	until_true listed "$PYINO" || return 1
	assert_eq "$PYP python3 $PYW w -
$PYC python3 $PYR r -" "$(sort -n "$D/$PYINO/ends")" "ends: parent writes, child reads" || return 1
	assert_eq 2560 "$(val "$PYINO" queued)" "queued" || return 1
	cmp "$WORK/data" "$D/$PYINO/peek" || { echo "# peek is not the queued bytes"; return 1; }
	cmp "$WORK/data" "$D/$PYINO/peek" || { echo "# a second peek differs"; return 1; }
	assert_eq 2560 "$(val "$PYINO" queued)" "queued after two peeks" || return 1
	# The reader then reads exactly those bytes: nothing was taken.
	kill -USR1 "$PYC"
	until_ended "$PYC" || return 1
	cmp "$WORK/data" "$out" || { echo "# the reader did not read what peek showed"; return 1; }
	kill -USR1 "$PYP"
	until_ended "$PYP"
}

# ---- who sees what ----

test_nobody_sees_roots_pipes_only_as_a_count() {
	local ino mine hidden n p
	two_sleeps || return 1
	ino=$PINO
	$NOBODY bash -c 'sleep 1000 | sleep 1000' </dev/null >/dev/null 2>&1 &
	n=$!
	track_pid $n
	until_true eval '[ "$(pgrep -u 65534 -P '"$n"' -x sleep | wc -l)" = 2 ]' || return 1
	for p in $(pgrep -u 65534 -P $n -x sleep); do track_pid "$p"; done
	mine=$(pipe_of "$(pgrep -u 65534 -P $n -x sleep | head -1)")
	until_true listed "$ino" || return 1
	until_true listed "$mine" || return 1
	$NOBODY ls "$D" | grep -qx "$ino" && { echo "# nobody lists root's pipe"; return 1; }
	$NOBODY ls "$D" | grep -qx "$mine" || { echo "# nobody does not list its own pipe"; return 1; }
	assert_fails "No such file" $NOBODY cat "$D/$ino/info" || return 1
	assert_fails "No such file" $NOBODY cat "$D/$ino/peek" || return 1
	hidden=$($NOBODY grep '^ipcfs_pipes_hidden ' "$MNT/metrics" | awk '{print $2}')
	[ "${hidden:-0}" -ge 1 ] || { echo "# hidden count for nobody: [$hidden]"; return 1; }
	assert_eq "ipcfs_pipes_hidden 0" "$(grep '^ipcfs_pipes_hidden ' "$MNT/metrics")" "root sees all" || return 1
}

test_others_ends_are_counted_not_named() {
	local r ino p me=$BASHPID
	# root's sleep writes, nobody's sleep reads.
	sleep 1000 </dev/null 2>/dev/null | $NOBODY sleep 1000 >/dev/null 2>&1 &
	r=$!
	track_pid "$r"
	for p in $(pgrep -P "$me" -x sleep); do track_pid "$p"; done
	until_true eval '[ "$(stat -c %u /proc/'"$r"')" = 65534 ]' || return 1
	ino=$(ino_of "$r" 0)
	until_true listed "$ino" || return 1
	assert_eq "$r sleep 0 r -
hidden 1" "$($NOBODY cat "$D/$ino/ends")" "nobody's view of ends" || return 1
	assert_eq 2 "$(wc -l <"$D/$ino/ends")" "root's view names both" || return 1
}

test_capacity_is_set_with_the_callers_rights() {
	local ino
	two_sleeps || return 1
	ino=$PINO
	echo 1M >"$D/$ino/capacity" || return 1
	assert_eq 1048576 "$(val "$ino" capacity)" "capacity after 1M" || return 1
	echo 4096 >"$D/$ino/capacity" || return 1
	assert_eq 4096 "$(val "$ino" capacity)" "capacity after 4096" || return 1
	# Above pipe-max-size: only with CAP_SYS_RESOURCE, as fcntl says.
	if ! (( 0x$(awk '/^CapEff/ {print $2}' /proc/self/status) >> 24 & 1 )); then
		assert_fails "Operation not permitted" bash -c "echo 64M >'$D/$ino/capacity'" || return 1
	fi
	assert_fails "Invalid argument" bash -c "echo lots >'$D/$ino/capacity'" || return 1
	# nobody may not see it, so may not change it.
	assert_fails "No such file" $NOBODY bash -c "echo 8192 >'$D/$ino/capacity'" || return 1
	assert_eq 4096 "$(val "$ino" capacity)" "unchanged by the refusals" || return 1
}

# ---- looking changes nothing (each while a loop reads the pipe's files) ----

# The writer blocks in write to a full pipe; its only reader is killed;
# the write must fail with EPIPE (Python's BrokenPipeError) and the writer
# end.  A daemon that held the read end (a duplicate, an open of
# /proc/PID/fd/N) would keep it blocked: the bound (HANG) catches that.
test_writer_gets_epipe_while_watched() {
	local w r ino
	bg "$WORK/writer.out" $PY -c '
import os, sys, time
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    os.close(w)
    os.set_inheritable(r, True)    # (os.pipe() is close-on-exec)
    os.execlp("sleep", "sleep", "1000")
os.close(r)
print(pid, os.fstat(w).st_ino, flush=True)
try:
    while True:
        os.write(w, b"x" * 4096)
except BrokenPipeError:
    print("EPIPE", flush=True)
'
	w=$BG
	until_true test -s "$WORK/writer.out" || return 1
	read -r r ino <"$WORK/writer.out"
	track_pid "$r"
	until_true wchan_is "$w" "$W_PIPE_WRITE" || return 1
	until_true listed "$ino" || return 1
	looker "$D/$ino"
	until_true rounds_past 20 || return 1
	kill -9 "$r"
	until_ended "$w" || return 1
	assert_eq EPIPE "$(tail -1 "$WORK/writer.out")" "the writer's write failed with EPIPE" || return 1
	kill "$BG"
}

# A reader blocks on an empty pipe; its only writer is killed; the reader
# must see end of file and end.
test_reader_gets_eof_while_watched() {
	local c w ino me=$BASHPID
	sleep 1000 </dev/null 2>/dev/null | cat >/dev/null 2>&1 &
	c=$!
	track_pid "$c"
	until_true pgrep -P "$me" -x sleep >/dev/null || return 1
	w=$(pgrep -P "$me" -x sleep)
	track_pid "$w"
	until_true wchan_is "$c" "$W_PIPE_READ" || return 1
	ino=$(ino_of "$c" 0)
	until_true listed "$ino" || return 1
	looker "$D/$ino"
	until_true rounds_past 20 || return 1
	assert_eq 1 "$(val "$ino" blocked_readers)" "the reader waits" || return 1
	kill -9 "$w"
	until_ended "$c"	# cat saw EOF
	kill "$BG"
}

# open(2) of a FIFO for writing blocks until a reader comes.  The daemon
# looking at the FIFO (its directory, by-path, the files of a pipe held
# by the same processes) is no reader: the opener stays blocked.  Then a
# real reader comes and it goes on.
test_blocked_fifo_open_stays_blocked_while_watched() {
	local f=$WORK/wait.fifo o c
	mkfifo "$f" || return 1
	bash -c 'exec 3>"$1"; echo opened' opener "$f" >"$WORK/opener.out" 2>&1 &
	o=$!
	track_pid "$o"
	until_true wchan_is "$o" '^wait_for_partner$' || return 1
	: >"$WORK/rounds"
	bg "$WORK/looker.out" bash -c 'while :; do
		ls -l "$1" "$1"/by-path >/dev/null 2>&1
		for d in "$1"/*/; do cat "$d"info "$d"ends "$d"peek >/dev/null 2>&1; done
		cat "$2" >/dev/null
		echo >>"$3"
	done' looker "$D" "$MNT/metrics" "$WORK/rounds"
	until_true rounds_past 5 || return 1
	wchan_is "$o" '^wait_for_partner$' || { echo "# the opener was released by looking"; return 1; }
	[ -s "$WORK/opener.out" ] && { echo "# the opener got through"; return 1; }
	kill "$BG"
	cat "$f" >/dev/null 2>&1 </dev/null &
	c=$!
	track_pid "$c"
	until_ended "$o" "$c" || return 1
	assert_eq opened "$(cat "$WORK/opener.out")" "the opener went on once a reader came"
}

# ---- compared with lsfd ----

# Every end (pid, fd, mode, inode) lsfd sees is an end of pipes/, and
# every end of pipes/ is one lsfd sees: over every pipe and FIFO of the
# machine's processes in the IPC namespace the mount serves (the host's;
# another namespace's are under ns/<inode>/pipes).  Processes that came or went, or changed their descriptors,
# between the two lsfd runs around ours are left out (they changed while
# we looked), and so are lsfd's own and the daemon (whose duplicates are
# its probes').
test_same_pipes_and_ends_as_lsfd() {
	command -v lsfd >/dev/null || skip "no lsfd (util-linux 2.38)"
	local out
	out=$($PY - "$D" "$(mount_pid)" <<'PYEOF'
import os, subprocess, sys
d, daemon = sys.argv[1], sys.argv[2]
def lsfd():
    p = subprocess.run(["lsfd", "-r", "-n", "-o", "PID,ASSOC,MODE,INODE", "-Q", 'TYPE == "FIFO"'],
                       stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True, check=True)
    rows = set()
    for l in p.stdout.splitlines():
        pid, assoc, mode, ino = l.split()
        if not assoc.isdigit() or mode == "---":
            continue
        m = ("r" if mode[0] == "r" else "") + ("w" if mode[1] == "w" else "")
        rows.add((pid, assoc, m, ino))
    return rows
def ours():
    rows = set()
    for name in os.listdir(d):
        if name == "by-path":
            continue
        ino = name.split("@")[0]
        try:
            text = open(os.path.join(d, name, "ends")).read()
        except OSError:
            continue
        for l in text.splitlines():
            w = l.split()
            if w[0] == "hidden":
                continue
            rows.add((w[0], w[-3], w[-2], ino))
    return rows
a = lsfd(); b = ours(); c = lsfd()
me = {str(os.getpid()), str(os.getppid()), daemon}
# pipes/ at the top shows the pipes of the namespace the mount serves
# (the daemon's): lsfd's rows of the processes in it.
def ipcns(pid):
    try:
        return os.readlink("/proc/%s/ns/ipc" % pid)
    except OSError:
        return None
served = ipcns(daemon)
a = {r for r in a if ipcns(r[0]) == served}
c = {r for r in c if ipcns(r[0]) == served}
def by_pid(rows):
    out = {}
    for r in rows:
        out.setdefault(r[0], set()).add(r)
    return out
pa, pc, pb = by_pid(a), by_pid(c), by_pid(b)
stable = {p for p in pa if p in pc and pa[p] == pc[p] and p not in me}
left = len((set(pa) | set(pb) | set(pc)) - stable - me)
diff = [("lsfd only",) + r for p in stable for r in pa[p] - pb.get(p, set())]
diff += [("pipes only",) + r for p in stable for r in pb.get(p, set()) - pa[p]]
ends = sum(len(pa[p]) for p in stable)
print(f"{ends} ends of {len({r[3] for p in stable for r in pa[p]})} pipes in {len(stable)} processes, {left} processes left out, {len(diff)} differences")
for x in sorted(diff)[:20]:
    print("#", *x)
PYEOF
)
	figure "pipes vs lsfd: $(head -1 <<<"$out")"
	assert_match " 0 differences$" "$(head -1 <<<"$out")" "differences with lsfd" || { printf '%s\n' "$out"; return 1; }
}

run_tests
