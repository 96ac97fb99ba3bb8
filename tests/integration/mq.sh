#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# mq.sh - message queues through a real mount, against tests/helpers/mqtool
# (plain msgget/msgsnd/msgrcv) on the other side and util-linux's ipcs as
# the referee.  Reads that would block run under `timeout` or with O_NONBLOCK
# (dd iflag=nonblock), so a wrong answer fails the test instead of hanging.
# What every kind does alike (names, mkdir, new, rmdir, chmod, chown,
# permissions, info, the read-only mount, limits ...) is tested once for
# all of them in tree.sh.
. "$(dirname "$0")/../lib.sh"
keyrange 0x1fc5b0

ipcfs_mount || exit 1

# ipcs_field ID NAME: one name=value from `ipcs -q -i ID`.
ipcs_field() { ipcs -q -i "$1" | tr '\t' '\n' | sed -n "s/^$2=//p" | sed 's/ *$//'; }

# read1 FILE [dd options]: exactly one read() of up to 64 KiB.
read1() { local f=$1; shift; dd if="$f" bs=64K count=1 status=none "$@"; }
# write1 FILE TEXT [dd options]: TEXT in exactly one write().
write1() { local f=$1 t=$2; shift 2; printf '%s' "$t" | dd of="$f" bs=1M count=1 status=none "$@"; }

# bg's output, when the test does not read it.
OUT=$WORK/bg.out

# printed_and_waits PID FILE N: the reader PID has printed N lines (in FILE)
# and now waits in a receive on the empty queue.  (How the tests let a
# reader that never ends by itself, cat, finish its work, whatever the
# machine's speed: then it is stopped.)
printed_and_waits() { [ "$(wc -l <"$2")" -ge "$3" ] && blocked "$1" "$W_MSGRCV"; }
# stop PID: end PID with SIGTERM, and wait until it has.
stop() { kill -TERM "$1" 2>/dev/null; until_ended "$1"; }

test_shell_write_program_receives_type1_exact_bytes() {
	local id q
	id=$(mq_mk 1) || return 1
	q=$MNT/mq/$id/queue
	printf 'hello world' >"$q" || return 1
	assert_eq 1 "$(qnum "$id")" "one write, one message" || return 1
	# Type 1, the bytes exactly: no newline added.
	assert_eq "hello world" "$("$MQTOOL" recv "$id" 1 nowait)" "program receives" || return 1
	# echo's newline is part of the message.
	echo hi >"$q" || return 1
	assert_eq "$(printf 'hi\n' | od -An -c)" "$("$MQTOOL" recv "$id" 1 nowait | od -An -c)" "echo hi" || return 1
	# Binary bytes, NUL included.
	printf 'a\0b\377' >"$q" || return 1
	assert_eq "$(printf 'a\0b\377' | od -An -tx1)" "$("$MQTOOL" recv "$id" 1 nowait | od -An -tx1)" "binary" || return 1
	# And the other way: a program's message is one read().
	"$MQTOOL" send "$id" 1 "from C" || return 1
	assert_eq "from C" "$(read1 "$q")" "shell receives" || return 1
	assert_eq 0 "$(qnum "$id")" "nothing left"
}

test_head_and_read_take_one_message() {
	local id q line
	id=$(mq_mk 24) || return 1
	q=$MNT/mq/$id/queue
	"$MQTOOL" send "$id" 1 $'first\nrest of it' || return 1
	"$MQTOOL" send "$id" 1 $'second\n' || return 1
	"$MQTOOL" send "$id" 1 $'third\n' || return 1
	# head -n 1 and the shell's read seek back over what they read past
	# the line; a queue lets them (a no-op): one message each, exit 0.
	line=$(timeout $HANG head -n 1 "$q") || { echo "# head -n 1 failed"; return 1; }
	assert_eq "first" "$line" "head -n 1" || return 1
	assert_eq 2 "$(qnum "$id")" "head took one message" || return 1
	timeout $HANG bash -c 'read -r line <"$1" && printf "%s" "$line"' _ "$q" >"$WORK/line" || return 1
	assert_eq "second" "$(cat "$WORK/line")" "read" || return 1
	assert_eq 1 "$(qnum "$id")" "read took one message" || return 1
	line=$(timeout $HANG head -n 1 "$q") || { echo "# head -n 1 failed"; return 1; }
	assert_eq "third" "$line" "head again" || return 1
	# A seek is accepted and changes nothing.
	"$MQTOOL" send "$id" 1 "kept" || return 1
	assert_eq "kept" "$(timeout $HANG dd if="$q" bs=64K count=1 skip=3 status=none)" "dd skip= reads the next message" || return 1
	assert_eq 0 "$(qnum "$id")" "nothing left"
}

test_seq_100000_into_lines_program_receives_in_order() {
	local id rp
	id=$(mq_mk 2) || return 1
	# 100,000 messages do not fit in a 16 KiB queue: the program takes
	# them while seq writes (and seq's writes wait while the queue is full).
	bg "$OUT" sh -c "exec timeout $((10 * HANG)) '$MQTOOL' recv-n $id 100000 >'$WORK/got2'"
	rp=$BG
	seq 100000 >"$MNT/mq/$id/lines" || return 1
	wait "$rp" || { echo "# receiver failed"; return 1; }
	assert_eq "$(seq 100000 | md5sum)" "$(md5sum <"$WORK/got2")" "100,000 messages 1..100000 in order" || return 1
	assert_eq 0 "$(qnum "$id")" "nothing left"
}

test_program_messages_come_out_of_cat_lines() {
	local id
	id=$(mq_mk 3) || return 1
	"$MQTOOL" send-seq "$id" 1000 || return 1
	# cat prints them one per line, then blocks on the empty queue.
	bg "$WORK/cat3" cat "$MNT/mq/$id/lines"
	until_true printed_and_waits "$BG" "$WORK/cat3" 1000 || return 1
	stop "$BG" || return 1
	assert_eq "$(seq 1000 | md5sum)" "$(md5sum <"$WORK/cat3")" "cat lines output" || return 1
	assert_eq 0 "$(qnum "$id")" "all taken" || return 1
	# Non-blocking: everything there, then EAGAIN.
	"$MQTOOL" send-seq "$id" 1000 || return 1
	assert_fails "Resource temporarily unavailable" sh -c \
		"dd if='$MNT/mq/$id/lines' iflag=nonblock bs=1M status=none >'$WORK/dd3'" || return 1
	assert_eq "$(seq 1000 | md5sum)" "$(md5sum <"$WORK/dd3")" "dd iflag=nonblock output"
}

test_lines_read_returns_whole_messages_that_fit() {
	local id l
	id=$(mq_mk 4) || return 1
	l=$MNT/mq/$id/lines
	for m in aaaa bbbb cc; do "$MQTOOL" send "$id" 1 "$m" || return 1; done
	# A small read (a line tool's buffer) takes one message, even where
	# 10 bytes would hold two.
	assert_eq "$(printf 'aaaa\n' | od -An -c)" "$(dd if="$l" bs=10 count=1 status=none | od -An -c)" "one message per small read" || return 1
	assert_eq 2 "$(qnum "$id")" "two still queued" || return 1
	assert_eq "bbbb" "$(dd if="$l" bs=5 count=1 status=none)" "exactly fits" || return 1
	# A big read (128 KiB: cat's) takes every whole message that fits.
	"$MQTOOL" send "$id" 1 "dd" || return 1
	assert_eq "$(printf 'cc\ndd\n' | od -An -c)" "$(dd if="$l" bs=128K count=1 status=none | od -An -c)" "a 128 KiB read takes all" || return 1
	# A message longer than the read: the next reads of the same open
	# file get the rest of it, and nothing more.
	"$MQTOOL" send "$id" 1 "toolong" || return 1
	"$MQTOOL" send "$id" 1 "next" || return 1
	assert_eq "$(printf 'toolong\n' | od -An -c)" "$(dd if="$l" bs=3 count=3 status=none | od -An -c)" "one message over three reads" || return 1
	assert_eq "next" "$("$MQTOOL" recv "$id" 0 nowait)" "the next one left queued" || return 1
	# Down to reads of 1 byte (the room a receive grows from is never 0).
	"$MQTOOL" send "$id" 1 "abc" || return 1
	assert_eq "$(printf 'abc\n' | od -An -c)" "$(timeout $HANG dd if="$l" bs=1 count=4 status=none | od -An -c)" "four reads of 1 byte" || return 1
	# Messages of every type come out of lines, oldest first.
	"$MQTOOL" send "$id" 5 five || return 1
	"$MQTOOL" send "$id" 2 two || return 1
	assert_eq "$(printf 'five\ntwo')" "$(dd if="$l" bs=128K count=1 status=none)" "any type"
}

# The shell's everyday ways of reading lines take exactly the messages they
# print and leave the rest queued, in order.  (They read a 4-8 KiB buffer
# and seek back over what they did not use, which a queue cannot take
# back: before, `while read` printed 1 and lost 2..10.)  Referee: what is
# printed, and what a native reader finds left.
test_line_idioms_take_exactly_what_they_print() {
	local id l out
	id=$(mq_mk 30) || return 1
	l=$MNT/mq/$id/lines
	seq 10 >"$l" || return 1
	read -r out <"$l" || return 1
	assert_eq 1 "$out" "read" || return 1
	assert_eq 9 "$(qnum "$id")" "read took one" || return 1
	assert_eq "$(printf '2\n3')" "$(head -n 2 "$l")" "head -n 2" || return 1
	assert_eq 7 "$(qnum "$id")" "head took two" || return 1
	assert_eq 4 "$(sed -n '1{p;q}' "$l")" "sed -n '1{p;q}'" || return 1
	assert_eq 5 "$(sed 1q "$l")" "sed 1q" || return 1
	assert_eq 6 "$(python3 -c 'import sys; print(open(sys.argv[1]).readline(), end="")' "$l")" \
		"python readline" || return 1
	assert_eq 4 "$(qnum "$id")" "each took one" || return 1
	# head leaves the rest to the next reader of the same open file (cat,
	# stopped once it printed them and waits for more).
	bg "$WORK/hc" bash -c 'exec <"$1"; head -n 2; exec cat' _ "$l"
	until_true printed_and_waits "$BG" "$WORK/hc" 4 || return 1
	stop "$BG" || return 1
	assert_eq "$(seq 7 10)" "$(cat "$WORK/hc")" "(head -n 2; cat)" || return 1
	assert_eq 0 "$(qnum "$id")" "all printed, all taken" || return 1
	# while read: every line, in order, none lost (the loop then waits on
	# the empty queue, and is stopped).
	seq 10 >"$l" || return 1
	bg "$WORK/wr" bash -c 'while read -r x; do echo "$x"; done <"$1"' _ "$l"
	until_true printed_and_waits "$BG" "$WORK/wr" 10 || return 1
	stop "$BG" || return 1
	assert_eq "$(seq 10)" "$(cat "$WORK/wr")" "while read" || return 1
	assert_eq 0 "$(qnum "$id")" "while read took all it printed" || return 1
	# A loop that stops early leaves the rest queued, in order.
	seq 10 >"$l" || return 1
	out=$(bash -c 'while read -r x; do echo "$x"; [ "$x" = 3 ] && break; done <"$1"' _ "$l")
	assert_eq "$(seq 3)" "$out" "while read ... break" || return 1
	assert_eq "$(seq 4 10)" "$("$MQTOOL" recv-n "$id" 7)" "the rest, in order"
}

# Tools that stop at a match take what they read up to it, which is what
# they printed or looked at: GNU grep reads 96 KiB at a time, below the
# 128 KiB from which a read takes every message there (cat's reads), so
# each of its reads takes one.  Before, `grep -m1 .` took all 100 and
# `grep -q '^3$'` too.  Referee: what a native reader finds left.
test_grep_takes_up_to_its_match() {
	local id l
	id=$(mq_mk 40) || return 1
	l=$MNT/mq/$id/lines
	seq 100 >"$l" || return 1
	assert_eq 1 "$(timeout $HANG grep -m1 . "$l")" "grep -m1 ." || return 1
	assert_eq 99 "$(qnum "$id")" "grep -m1 took one" || return 1
	"$MQTOOL" recv-all "$id" >/dev/null
	seq 100 >"$l" || return 1
	timeout $HANG grep -q '^3$' "$l" || { echo "# grep -q '^3\$' did not match"; return 1; }
	assert_eq 97 "$(qnum "$id")" "grep -q took three" || return 1
	assert_eq "$(seq 4 100)" "$("$MQTOOL" recv-n "$id" 97)" "the rest, in order"
}

# The other everyday readers of lines, each by its own buffer (Perl and
# Python 8 KiB, Python's binary readline st_blksize: 4 KiB), take what
# they print; `cat` (128 KiB reads) takes everything at once.
test_perl_python_and_cat_take_what_they_print() {
	local id l
	id=$(mq_mk 41) || return 1
	l=$MNT/mq/$id/lines
	seq 20 >"$l" || return 1
	assert_eq "$(seq 2)" "$(timeout $HANG perl -ne 'print; exit if $. == 2' "$l")" "perl -ne" || return 1
	assert_eq 3 "$(timeout $HANG perl -e '$x = <STDIN>; print $x' <"$l")" "perl <STDIN>" || return 1
	assert_eq 4 "$(timeout $HANG python3 -c 'import sys; print(sys.stdin.readline(), end="")' <"$l")" \
		"python sys.stdin.readline" || return 1
	assert_eq 5 "$(timeout $HANG python3 -c 'import sys; print(open(sys.argv[1], "rb").readline().decode(), end="")' "$l")" \
		"python binary readline" || return 1
	assert_eq "$(seq 6 8)" "$(timeout $HANG python3 -c '
import sys
for x in sys.stdin:
    print(x, end="")
    if x == "8\n":
        break' <"$l")" "python for line in sys.stdin ... break" || return 1
	assert_eq 12 "$(qnum "$id")" "each took what it printed" || return 1
	assert_eq "$(seq 9 20)" "$(dd if="$l" bs=128K count=1 status=none)" "one 128 KiB read takes all" || return 1
	assert_eq 0 "$(qnum "$id")" "none left"
}

# A message longer than a line tool's buffer (bash's read and sed read 4
# KiB, head 8 KiB) comes whole, over several reads, and only it is taken.
test_long_messages_come_whole_to_line_tools() {
	local id l long out
	id=$(mq_mk 42) || return 1
	l=$MNT/mq/$id/lines
	long=$(head -c 8000 /dev/zero | tr '\0' L)
	# (Two such messages fill the queue's 16 KiB: one at a time.)
	"$MQTOOL" send "$id" 1 "${long}1" && "$MQTOOL" send "$id" 1 after1 || return 1
	read -r out <"$l" || return 1
	assert_eq "${long}1" "$out" "read: the whole line" || return 1
	"$MQTOOL" send "$id" 1 "${long}2" || return 1
	assert_eq "$(printf 'after1\n%s' "${long}2")" "$(timeout $HANG sed 2q "$l")" "sed 2q: whole lines" || return 1
	"$MQTOOL" send "$id" 1 "${long}3" && "$MQTOOL" send "$id" 1 after3 || return 1
	assert_eq "${long}3" "$(timeout $HANG head -n 1 "$l")" "head -n 1: the whole line" || return 1
	assert_eq after3 "$("$MQTOOL" recv-all "$id")" "the rest" || return 1
	# poll: the end of a message a read began is there to read, though
	# the queue is empty.
	"$MQTOOL" send "$id" 1 "$(printf '%0300d' 7)" || return 1
	assert_eq "100 1 201" "$(timeout $HANG python3 -c '
import os, select, sys
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_NONBLOCK)
a = os.read(fd, 100)
p = select.poll()
p.register(fd, select.POLLIN)
ready = p.poll(2000)
print(len(a), len(ready), len(os.read(fd, 4096)))' "$l")" "poll after part of a message"
}

# A line longer than msgmax is dropped whole, never sent as a fragment: the
# write that makes it too long fails (EINVAL) and sends nothing, and the
# lines after it arrive intact.  Before, its first 8 KiB went as a
# message of their own (at close, or joined to the next line).
test_an_over_long_line_is_dropped_whole() {
	local id l max
	id=$(mq_mk 43) || return 1
	l=$MNT/mq/$id/lines
	max=$(cat /proc/sys/kernel/msgmax)
	# bash's printf is line-buffered: "ok1\n", the long line in 4 KiB
	# pieces (the last ending it), then "ok2\n": the long line alone goes.
	assert_fails "Invalid argument" bash -c 'printf "ok1\n%${1}s\nok2\n" x >"$2"' _ $((max + 808)) "$l" || return 1
	echo ok3 >"$l" || return 1
	assert_eq "$(printf 'ok1\nok2\nok3')" "$(timeout $HANG "$MQTOOL" recv-all "$id")" "bash printf" || return 1
	# The same text in 4 KiB writes: the third holds the long line's end
	# and ok2, and fails whole.
	printf "ok1\n%$((max + 808))s\nok2\n" x | dd of="$l" bs=4096 iflag=fullblock status=none 2>/dev/null &&
		{ echo "# dd's writes all succeeded"; return 1; }
	echo ok3 >"$l" || return 1
	assert_eq "$(printf 'ok1\nok3')" "$(timeout $HANG "$MQTOOL" recv-all "$id")" "4 KiB writes" || return 1
	# Python, on one open file: the failed write takes nothing, the next
	# one starts a new line; a long line that goes on past the failing
	# write is dropped up to its newline (those writes fail too), also
	# when the file is closed in its middle.
	python3 - "$l" "$max" >"$WORK/py33" <<'PY' || { cat "$WORK/py33"; return 1; }
import os, sys
path, mx = sys.argv[1], int(sys.argv[2])
def w(fd, b):
    try:
        os.write(fd, b)
        print("ok")
    except OSError as e:
        print(os.strerror(e.errno))
fd = os.open(path, os.O_WRONLY)
w(fd, b"ok1\n" + b"B" * 5000)
w(fd, b"B" * (mx - 4192) + b"\nok2\n")
w(fd, b"ok3\n")
w(fd, b"C" * (mx // 2))
w(fd, b"C" * (mx // 2))
w(fd, b"C" * 10)
w(fd, b"C" * 4096)
w(fd, b"CCC\nok4\n")
w(fd, b"ok5\n" + b"D" * 100)
w(fd, b"D" * mx)
os.close(fd)
PY
	assert_eq "ok
Invalid argument
ok
ok
ok
Invalid argument
Invalid argument
ok
ok
Invalid argument" "$(cat "$WORK/py33")" "each write's result" || return 1
	assert_eq "$(printf 'ok1\nok3\nok4\nok5')" "$(timeout $HANG "$MQTOOL" recv-all "$id")" "python, one open file"
}

# `read -t` does not time out on a file (bash only applies it to terminals
# and pipes); `timeout` around a reader does, and takes nothing.
test_a_reader_with_a_time_limit() {
	local id l rc
	id=$(mq_mk 31) || return 1
	l=$MNT/mq/$id/lines
	timeout 1 head -n 1 "$l" >/dev/null
	rc=$?
	assert_eq 124 "$rc" "timeout ended the wait" || return 1
	echo later >"$l" || return 1
	assert_eq later "$(timeout 1 head -n 1 "$l")" "the next message is intact"
}

test_lines_write_splits_keeps_crlf_and_sends_tail_at_close() {
	local id l
	id=$(mq_mk 5) || return 1
	l=$MNT/mq/$id/lines
	# One write: "a", "b\r", "" now; "c" (unfinished) when closed.
	printf 'a\nb\r\n\nc' | dd of="$l" bs=1M status=none || return 1
	assert_eq a "$("$MQTOOL" recv "$id" 1 nowait)" "first line" || return 1
	assert_eq "$(printf 'b\r' | od -An -c)" "$("$MQTOOL" recv "$id" 1 nowait | od -An -c)" "CR kept" || return 1
	assert_eq "" "$("$MQTOOL" recv "$id" 1 nowait)" "empty line: empty message" || return 1
	# The last line is sent at release, which the kernel sends after
	# close() returns: wait for it.
	assert_eq c "$(timeout $HANG "$MQTOOL" recv "$id" 1)" "tail sent at close" || return 1
	# An unfinished line waits for the next write on the same open file.
	exec 3>"$l"
	printf 'par' >&3
	assert_eq 0 "$(qnum "$id")" "nothing sent yet" || return 1
	printf 'tial\nnext' >&3
	assert_eq partial "$("$MQTOOL" recv "$id" 1 nowait)" "joined across writes" || return 1
	assert_eq 0 "$(qnum "$id")" "tail waits" || return 1
	exec 3>&-
	assert_eq next "$(timeout $HANG "$MQTOOL" recv "$id" 1)" "tail at close" || return 1
	# Round trip: what goes into lines comes out of lines.
	printf 'x y\r\n\nlast\n' >"$l" || return 1
	assert_eq "$(printf 'x y\r\n\nlast\n' | od -An -c)" "$(dd if="$l" bs=128K count=1 status=none iflag=nonblock | od -An -c)" "round trip"
}

test_types_queue_and_messages_views() {
	local id d
	id=$(mq_mk 6 644) || return 1
	d=$MNT/mq/$id
	"$MQTOOL" send "$id" 1 one || return 1
	"$MQTOOL" send "$id" 3 three || return 1
	"$MQTOOL" send "$id" 2 two-a || return 1
	"$MQTOOL" send "$id" 2 two-b || return 1
	"$MQTOOL" send "$id" 5 five || return 1
	assert_eq "1 2 3 5" "$(ls "$d/type" | xargs)" "type/ lists the queued types" || return 1
	assert_eq "0.type1 1.type3 2.type2 3.type2 4.type5" "$(ls -U "$d/messages" | xargs)" "messages/ oldest first" || return 1
	assert_eq 5 "$(stat -c %s "$d/messages/2.type2")" "st_size is the message size" || return 1
	assert_eq "-r--r--r--" "$(stat -c %A "$d/messages/0.type1")" "read-only, queue's r bits" || return 1
	assert_eq "two-b" "$(cat "$d/messages/3.type2")" "message contents" || return 1
	assert_eq "$(printf 'two-b' | od -An -c)" "$(cat "$d/messages/3.type2" | od -An -c)" "exact bytes" || return 1
	assert_eq 5 "$(qnum "$id")" "reading messages/ takes nothing" || return 1
	# A name whose type is not the one at that position does not exist.
	assert_fails "No such file" cat "$d/messages/0.type9" || return 1
	assert_fails "No such file" cat "$d/messages/5.type1" || return 1
	# type/2 takes the oldest of type 2; queue the oldest of any type.
	assert_eq two-a "$(read1 "$d/type/2")" "type/2" || return 1
	assert_eq one "$(read1 "$d/queue")" "queue: oldest" || return 1
	assert_eq "0.type3 1.type2 2.type5" "$(ls -U "$d/messages" | xargs)" "positions moved" || return 1
	assert_eq 3 "$(qnum "$id")" "two taken" || return 1
	# Writing to a type not queued yet sends that type.
	printf seven >"$d/type/7" || return 1
	assert_eq seven "$("$MQTOOL" recv "$id" 7 nowait)" "type/7 write" || return 1
	printf big >"$d/type/9223372036854775807" || return 1
	assert_eq big "$("$MQTOOL" recv "$id" 9223372036854775807 nowait)" "LONG_MAX type" || return 1
	# No message of type 9: non-blocking read says so.
	assert_fails "Resource temporarily unavailable" read1 "$d/type/9" iflag=nonblock || return 1
	# Names that are no type.
	for t in 0 -3 abc 01 +1 9223372036854775808; do
		assert_fails "No such file" ls "$d/type/$t" || return 1
		# (ENOENT for the shell's >, which creates: no such type)
		assert_fails "No such file" bash -c "printf x > '$d/type/$t'" || return 1
	done
	assert_fails "Read-only\|Permission denied" sh -c "echo x > '$d/messages/0.type3'" || return 1
	assert_eq 3 "$(qnum "$id")" "bad names sent nothing" || return 1
	# type/ takes no directory; every type exists already.
	assert_fails "Operation not permitted" mkdir "$d/type/abc" || return 1
	assert_fails "File exists" mkdir "$d/type/5"
}

test_e2big_keeps_the_message() {
	local id d
	id=$(mq_mk 7) || return 1
	d=$MNT/mq/$id
	"$MQTOOL" send "$id" 1 0123456789abcdef || return 1
	assert_fails "Argument list too long" dd if="$d/queue" bs=10 count=1 status=none || return 1
	assert_fails "Argument list too long" dd if="$d/type/1" bs=15 count=1 status=none || return 1
	assert_eq 1 "$(qnum "$id")" "still queued" || return 1
	assert_eq 0123456789abcdef "$(dd if="$d/queue" bs=16 count=1 status=none)" "whole, with a buffer that fits"
}

test_blocked_cat_wakes_on_program_send() {
	local id p
	id=$(mq_mk 8) || return 1
	bg "$OUT" dd if="$MNT/mq/$id/queue" of="$WORK/woke" bs=64K count=1 status=none
	p=$BG
	# Blocked: waiting on the mount, and the daemon in msgrcv for it (a
	# read that would not block ends instead).
	until_true blocked "$p" "$W_MSGRCV" || { echo "# reader did not block"; return 1; }
	"$MQTOOL" send "$id" 1 "wake up" || return 1
	until_ended "$p" || return 1
	wait "$p" || { echo "# reader failed"; return 1; }
	assert_eq "wake up" "$(cat "$WORK/woke")" "woken reader got it" || return 1
	# `cat queue` prints messages as they come, like a FIFO.
	bg "$OUT" sh -c "exec cat '$MNT/mq/$id/queue' > '$WORK/fifo'"
	p=$BG
	"$MQTOOL" send "$id" 1 "first " || return 1
	until_true grep -q "first" "$WORK/fifo" || return 1
	"$MQTOOL" send "$id" 1 "second" || return 1
	until_true grep -q "first second" "$WORK/fifo" || return 1
	stop "$p" || return 1
	assert_eq 0 "$(qnum "$id")" "nothing left behind"
}

test_interrupted_or_nonblocking_reader_and_writer_change_nothing() {
	local id d p
	id=$(mq_mk 9) || return 1
	d=$MNT/mq/$id
	# A reader blocked on the empty queue, ended by a signal, takes nothing.
	# (SIGTERM: background jobs of a script ignore SIGINT.)
	bg "$OUT" cat "$d/queue"
	p=$BG
	until_true blocked "$p" "$W_MSGRCV" || return 1
	stop "$p" || return 1
	# Its receive in the daemon ends too: a ghost reader left waiting
	# would take the next message.
	until_true daemon_done "$W_MSGRCV" || { echo "# a ghost reader waits on"; return 1; }
	"$MQTOOL" send "$id" 1 x || return 1
	assert_eq 1 "$(qnum "$id")" "no ghost reader took it" || return 1
	# Non-blocking reads of an empty queue: EAGAIN.
	"$MQTOOL" recv "$id" >/dev/null || return 1
	assert_fails "Resource temporarily unavailable" read1 "$d/queue" iflag=nonblock || return 1
	assert_fails "Resource temporarily unavailable" read1 "$d/lines" iflag=nonblock || return 1
	# A full queue (qbytes 4) blocks a writer; a signal sends nothing.
	"$MQTOOL" qbytes "$id" 4 || return 1
	"$MQTOOL" send "$id" 1 1234 || return 1
	printf x >"$WORK/x"
	bg "$OUT" dd if="$WORK/x" of="$d/queue" status=none
	p=$BG
	until_true blocked "$p" "$W_MSGSND" || { echo "# writer did not block"; return 1; }
	stop "$p" || return 1
	until_true daemon_done "$W_MSGSND" || { echo "# a ghost writer waits on"; return 1; }
	assert_eq "1 4" "$(qnum "$id") $(ipcs_field "$id" cbytes)" "nothing sent" || return 1
	assert_fails "Resource temporarily unavailable" write1 "$d/queue" x oflag=nonblock || return 1
	assert_fails "Resource temporarily unavailable" write1 "$d/lines" $'y\n' oflag=nonblock || return 1
	assert_fails "Resource temporarily unavailable" write1 "$d/type/3" z oflag=nonblock || return 1
	assert_eq 1 "$(qnum "$id")" "non-blocking writes sent nothing" || return 1
	# lines: a write of three lines into room for two sends two and then
	# blocks; interrupted, it is a short write and the third is not sent.
	"$MQTOOL" recv "$id" >/dev/null || return 1
	"$MQTOOL" qbytes "$id" 2 || return 1
	printf 'a\nb\nc\n' >"$WORK/abc"
	bg "$OUT" dd if="$WORK/abc" of="$d/lines" bs=1M count=1 status=none
	p=$BG
	until_true qnum_is "$id" 2 || return 1
	until_true blocked "$p" "$W_MSGSND" || { echo "# lines writer did not block on the third line"; return 1; }
	stop "$p" || return 1
	until_true daemon_done "$W_MSGSND" || { echo "# a ghost writer waits on"; return 1; }
	assert_eq "a b" "$("$MQTOOL" recv-all "$id" | xargs)" "the two lines that fit, nothing more"
}

# Readers stopped at the moment a message arrives: every message is
# delivered to a reader or still queued, counted exactly.
#
# Design.  A reader killed after its read() returned but before it wrote
# the message down loses the message by itself; no filesystem can prevent
# that, so the test must not count it against ipcfs.  The readers are
# `mqtool reader`s (lib.sh, reader_start): stopped by SIGTERM, a read()
# blocked in ipcfs either ends with EINTR (ipcfs put back any message it
# had taken meanwhile) or returns a message, which is logged before the
# stop flag is looked at.  Four readers wait on one queue: two on queue,
# one on type/1, one on lines with a small buffer (one read takes several
# messages when several are there).  The test makes every stop itself, in
# rounds: all four readers provably blocked (each waiting on the mount,
# the daemon in msgrcv for four), then one message sent natively (three,
# every fifth round) and one reader stopped by SIGTERM at that moment (the
# send first in even rounds, the stop first in odd ones), and replaced.
# The reader stopped is the one that has waited longest, the one msgrcv
# serves first.  So every round races a stop with a send, however fast or
# slow the machine.  Then the readers are blocked on the empty queue
# (none can be between read() and its log), so kill -9 cannot make them
# lose anything by themselves; they are killed and K more messages sent
# natively: once the daemon's receives for them are over, all K are
# queued (no read request of a dead reader may swallow one).  Last, the
# logs plus the queue hold every message sent and the K, each exactly once.
test_killed_readers_lose_no_message() {
	local id rounds=100 k=25 slot r=0 n=0 m i sp
	local -a pids files sizes
	id=$(mq_mk 10 666) || return 1
	files=(queue queue type/1 lines)
	sizes=(65536 65536 65536 40)
	start() {
		reader_start "$WORK/reader.$1.$r.out" "$MNT/mq/$id/${files[$1]}" \
			"$WORK/reader.$1.$r.log" "${sizes[$1]}" || return 1
		pids[$1]=$READER
	}
	all_blocked() {
		local p
		for p in "${pids[@]}"; do on_mount "$p" || return 1; done
		daemon_sleeping "$W_MSGRCV" && [ "$DAEMON_SLEEPING" -ge 4 ]
	}
	send_range() { local i; for i in $(seq "$1" "$2"); do "$MQTOOL" send "$id" 1 "$i" || return 1; done; }
	for slot in 0 1 2 3; do start $slot || return 1; done
	for r in $(seq "$rounds"); do
		until_true all_blocked || return 1
		slot=$((r % 4))
		m=$((n + 1))
		n=$((n + (r % 5 ? 1 : 3)))
		if ((r % 2)); then
			kill -TERM "${pids[$slot]}"
			send_range $m $n &
		else
			send_range $m $n &
			kill -TERM "${pids[$slot]}"
		fi
		sp=$!
		until_true term_ended "${pids[$slot]}" || return 1
		wait $sp || { echo "# the send of round $r failed"; return 1; }
		start $slot || return 1
	done
	# Blocked on the empty queue, the readers are killed with -9.
	until_true all_blocked || return 1
	kill -9 "${pids[@]}"
	until_ended "${pids[@]}" || return 1
	for i in $(seq "$k"); do "$MQTOOL" send "$id" 1 "extra$i" || return 1; done
	until_true daemon_done "$W_MSGRCV" || { echo "# a dead reader's receive waits on"; return 1; }
	eventually_eq "$k" "messages sent after the kill -9 stay queued" qnum "$id" || return 1
	# No reader failed on its own.
	grep -v '^ready$' "$WORK"/reader.*.out && return 1
	# The count: logs + queue = every message sent and the K extras,
	# each exactly once.
	cat "$WORK"/reader.*.log | grep . >"$WORK/all"
	"$MQTOOL" recv-all "$id" >"$WORK/rest" || return 1
	assert_eq "$(seq "$k" | sed 's/^/extra/' | xargs)" "$(xargs <"$WORK/rest")" "queued: the extras, in order" || return 1
	assert_eq "" "$(sort "$WORK/all" | uniq -d | head -5 | xargs)" "delivered twice" || return 1
	assert_eq "$(seq "$n" | md5sum)" "$(sort -n "$WORK/all" | md5sum)" "every message delivered once" || return 1
	figure "mq: $rounds readers stopped as $n messages came, then 4 killed: each message delivered once, $k queued"
}

test_rmdir_wakes_waiters_with_eidrm() {
	local id id2 d pr pw pl pt p f
	id=$(mq_mk 11) || return 1
	id2=$(mq_mk 15) || return 1
	d=$MNT/mq/$id
	"$MQTOOL" qbytes "$id" 1 || return 1
	"$MQTOOL" send "$id" 2 x || return 1
	printf y >"$WORK/y"
	# Readers of types 1 and 3 (none queued) and a writer (queue full)
	# wait on the first queue; a lines reader on the empty second one.
	bg "$OUT" sh -c "exec dd if='$d/type/1' bs=64K count=1 status=none 2>'$WORK/r.err'"; pr=$BG
	bg "$OUT" sh -c "exec dd if='$d/type/3' bs=64K count=1 status=none 2>'$WORK/t.err'"; pt=$BG
	bg "$OUT" sh -c "exec dd if='$WORK/y' of='$d/queue' status=none 2>'$WORK/w.err'"; pw=$BG
	bg "$OUT" sh -c "exec dd if='$MNT/mq/$id2/lines' bs=64K count=1 status=none 2>'$WORK/l.err'"; pl=$BG
	for p in $pr $pt $pl; do until_true blocked "$p" "$W_MSGRCV" 3 || { echo "# reader $p did not wait"; return 1; }; done
	until_true blocked "$pw" "$W_MSGSND" || { echo "# writer $pw did not wait"; return 1; }
	rmdir "$d" || return 1
	rmdir "$MNT/mq/$(key 15)" || return 1
	until_ended $pr $pt $pw $pl || return 1
	for f in r t w l; do
		assert_match "Identifier removed" "$(cat "$WORK/$f.err")" "$f woken" || return 1
	done
	assert_alive
}

test_bad_input_is_refused_and_changes_nothing() {
	local id d max ct
	id=$(mq_mk 12) || return 1
	d=$MNT/mq/$id
	max=$(cat /proc/sys/kernel/msgmax)
	assert_eq "msgmax: $max" "$(grep '^msgmax:' "$MNT/limits")" "limits shows msgmax" || return 1
	# One write larger than msgmax: EINVAL, nothing sent.
	assert_fails "Invalid argument" dd if=/dev/zero of="$d/queue" bs=$((max + 1)) count=1 status=none || return 1
	assert_fails "Invalid argument" dd if=/dev/zero of="$d/type/4" bs=$((max + 1)) count=1 status=none || return 1
	# lines: one over-long line spoils the whole write, short lines too.
	{ printf 'short\n'; head -c $((max + 1)) /dev/zero | tr '\0' x; printf '\nafter\n'; } >"$WORK/long"
	assert_fails "Invalid argument" dd if="$WORK/long" of="$d/lines" bs=1M count=1 status=none || return 1
	head -c $((max + 1)) /dev/zero | tr '\0' x >"$WORK/tail"
	assert_fails "Invalid argument" dd if="$WORK/tail" of="$d/lines" bs=1M count=1 status=none || return 1
	assert_eq 0 "$(qnum "$id")" "nothing sent" || return 1
	# Exactly msgmax is fine.
	dd if=/dev/zero of="$d/queue" bs="$max" count=1 status=none || return 1
	{ head -c "$max" /dev/zero | tr '\0' y; echo; } >"$WORK/max"
	dd if="$WORK/max" of="$d/lines" bs=1M count=1 status=none || return 1
	assert_eq 2 "$(qnum "$id")" "msgmax-sized messages" || return 1
	"$MQTOOL" recv-all "$id" >/dev/null
	# qbytes: not a number, or out of range: nothing changes.
	ct=$(cat "$d/ctime")
	# A change from now on would show in ctime (seconds): the clock has
	# passed its second.
	until_true clock_past "$ct" || return 1
	for v in abc "" -5 1.5 "12 34" 0x10 99999999999999999999 9223372036854775808 1K; do
		assert_fails "Invalid argument\|out of range" bash -c "echo '$v' > '$d/qbytes'" || return 1
	done
	assert_eq 16384 "$(ipcs_field "$id" qbytes)" "qbytes unchanged" || return 1
	assert_eq "$ct" "$(cat "$d/ctime")" "ctime unchanged" || return 1
	# (bad lines to new, for every kind: tree.sh)
	assert_alive
}

test_qbytes_write_follows_the_kernels_rules() {
	local id d mnb native fs
	id=$(mq_mk 14 666) || return 1
	d=$MNT/mq/$id
	mnb=$(cat /proc/sys/kernel/msgmnb)
	echo 1000 >"$d/qbytes" || return 1
	assert_eq 1000 "$(ipcs_field "$id" qbytes)" "set by the owner" || return 1
	assert_eq 1000 "$(cat "$d/qbytes")" "reads back" || return 1
	# Past msgmnb needs CAP_SYS_RESOURCE, which even root may lack (in a
	# container): ipcfs must decide as the kernel does for root.
	if "$MQTOOL" qbytes "$id" $((mnb + 1)) 2>/dev/null; then native=ok; else native=denied; fi
	"$MQTOOL" qbytes "$id" 1000 || return 1
	if bash -c "echo $((mnb + 2)) > '$d/qbytes'" 2>/dev/null; then fs=ok; else fs=denied; fi
	assert_eq "$native" "$fs" "root past msgmnb: kernel $native, ipcfs $fs" || return 1
	if [ "$fs" = ok ]; then
		assert_eq $((mnb + 2)) "$(ipcs_field "$id" qbytes)" "root past msgmnb" || return 1
	else
		assert_fails "Operation not permitted" bash -c "echo $((mnb + 2)) > '$d/qbytes'" || return 1
		assert_eq 1000 "$(ipcs_field "$id" qbytes)" "refused: unchanged" || return 1
	fi
	echo 1000 >"$d/qbytes" || return 1
	# Not the owner: EPERM, as natively.
	assert_fails "Operation not permitted" $NOBODY "$MQTOOL" qbytes "$id" 500 || return 1
	assert_fails "Operation not permitted" $NOBODY bash -c "echo 500 > '$d/qbytes'" || return 1
	assert_eq 1000 "$(ipcs_field "$id" qbytes)" "unchanged" || return 1
	# The owner without CAP_SYS_RESOURCE: down is fine, past msgmnb not.
	chown nobody "$d" || return 1
	$NOBODY sh -c "echo 500 > '$d/qbytes'" || return 1
	assert_eq 500 "$(ipcs_field "$id" qbytes)" "owner lowers" || return 1
	assert_fails "Operation not permitted" $NOBODY "$MQTOOL" qbytes "$id" $((mnb + 1)) || return 1
	assert_fails "Operation not permitted" $NOBODY bash -c "echo $((mnb + 1)) > '$d/qbytes'" || return 1
	$NOBODY sh -c "echo $mnb > '$d/qbytes'" || return 1
	assert_eq "$mnb" "$(ipcs_field "$id" qbytes)" "owner up to msgmnb"
}

# A reader killed while blocked takes no message with it: one sent right
# after the kill is still queued once it is reaped, 1,000 times over.
test_a_killed_waiting_reader_takes_no_message() {
	local id out
	id=$(mq_mk 32 666) || return 1
	out=$("$BUILD/killwait" mq "$MNT/mq/$id/queue" "$id" 1000 "$(mount_pid)")
	figure "mq: killed blocked reader, then msgsnd: $out"
	assert_eq "rounds 1000 lost 0" "$out" "messages taken by dead readers"
}

# Writers blocked on a full queue and readers of the same path: 4 writers
# wait on `queue` and 4 on `lines` (each path shared), readers through the
# same paths let them through; nothing lost or duplicated.
test_writers_blocked_on_a_full_queue_share_the_path_with_readers() {
	local id q l i pids=() p got
	id=$(mq_mk 33 666) || return 1
	q=$MNT/mq/$id/queue
	l=$MNT/mq/$id/lines
	echo 16 >"$MNT/mq/$id/qbytes" || return 1
	printf 'fill-the-queue!!' >"$q" || return 1
	for i in 1 2 3 4; do
		bg "$OUT" sh -c "printf 'q$i' > '$q'"
		pids+=("$BG")
		bg "$OUT" sh -c "echo l$i > '$l'"
		pids+=("$BG")
	done
	# All eight wait, each in the daemon's msgsnd.
	for p in "${pids[@]}"; do
		until_true blocked "$p" "$W_MSGSND" 8 ||
			{ echo "# writer $p is not waiting: $(ps -o stat=,wchan:24= -p "$p")"; return 1; }
	done
	assert_fails "Resource temporarily unavailable" dd of="$q" oflag=nonblock status=none <<<"x" || return 1
	got=$(dd if="$q" bs=64 count=1 status=none)
	assert_eq fill-the-queue!! "$got" "first message" || return 1
	: >"$WORK/got"
	for i in $(seq 8); do
		timeout $HANG dd if="$q" bs=64 count=1 status=none >>"$WORK/got" || { echo "# reader $i got nothing"; return 1; }
		echo >>"$WORK/got"
	done
	until_ended "${pids[@]}" || { echo "# writers still blocked"; return 1; }
	assert_eq "l1 l2 l3 l4 q1 q2 q3 q4" "$(sort "$WORK/got" | tr '\n' ' ' | sed 's/ $//')" "every message once" || return 1
	assert_eq 0 "$(qnum "$id")" "nothing left"
}

run_tests
