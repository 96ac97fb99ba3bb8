#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# views.sh - what monitoring tools and container operators read: limits,
# summary, metrics (checked by promtool and scraped through node_exporter's
# textfile collector) and another IPC namespace with -o ns=.
. "$(dirname "$0")/../lib.sh"
keyrange 0x1fc591
SHMTOOL=$BUILD/shmtool
SEMTOOL=$BUILD/semtool
MQTOOL=$BUILD/mqtool

ipcfs_mount || exit 1

# lim NAME: a value from MNT/limits.
lim() { sed -n "s/^$1: //p" "$MNT/limits"; }

test_limits_agree_with_ipcs_l() {
	local l page
	l=$(ipcs -l)
	page=$(getconf PAGESIZE)
	# ipcs prints kbytes computed in unsigned 64-bit arithmetic; so do we.
	python3 - "$page" "$(lim shmmni)" "$(lim shmmax)" "$(lim shmall)" "$(lim shmmin)" <<'PY' >"$WORK/expect" || return 1
import sys
page, mni, mx, al, mn = (int(x) for x in sys.argv[1:])
m = 2**64
print("max number of segments = %d" % mni)
print("max seg size (kbytes) = %d" % (mx // 1024))
# On overflow util-linux prints a saturated value of its own making; then
# the raw value is checked against the sysctl ipcs reads instead (below).
if al * page < m:
    print("max total shared memory (kbytes) = %d" % (al * page // 1024))
print("min seg size (bytes) = %d" % mn)
PY
	if [ -n "$(lim semmni)" ]; then
		cat >>"$WORK/expect" <<-EOF
		max number of arrays = $(lim semmni)
		max semaphores per array = $(lim semmsl)
		max semaphores system wide = $(lim semmns)
		max ops per semop call = $(lim semopm)
		semaphore max value = $(lim semvmx)
		EOF
	fi
	if [ -n "$(lim msgmni)" ]; then
		cat >>"$WORK/expect" <<-EOF
		max queues system wide = $(lim msgmni)
		max size of message (bytes) = $(lim msgmax)
		default max size of queue (bytes) = $(lim msgmnb)
		EOF
	fi
	assert_eq "$(cat /proc/sys/kernel/shmall)" "$(lim shmall)" "shmall, pages" || return 1
	[ "$(wc -l <"$WORK/expect")" -ge 11 ] || { echo "# limits lacks a kind:"; cat "$MNT/limits"; return 1; }
	while read -r line; do
		printf '%s\n' "$l" | grep -qxF "$line" || { echo "# ipcs -l has no line: $line"; printf '%s\n' "$l" | sed 's/^/#   /'; return 1; }
	done <"$WORK/expect"
}

# Compare MNT/summary with ipcs -u; other programs may change the numbers
# between the two reads, so try a few times.
test_summary_agrees_with_ipcs_u() {
	local try ok u s id
	id=$("$SHMTOOL" create "$(key 1)" 40000) || return 1
	for try in 1 2 3 4 5; do
		u=$(ipcs -u)
		s=$(cat "$MNT/summary")
		ok=1
		v() { printf '%s\n' "$s" | sed -n "s/^$1: //p"; }
		check() { printf '%s\n' "$u" | grep -qxE "$1" || { ok=0; echo "# ipcs -u lacks /$1/"; }; }
		check "segments allocated $(v shm_segments)"
		check "pages allocated $(v shm_pages)"
		check "pages resident +$(v shm_pages_resident)"
		check "pages swapped +$(v shm_pages_swapped)"
		if [ -n "$(v sem_sets)" ]; then
			check "used arrays = $(v sem_sets)"
			check "allocated semaphores = $(v sem_semaphores)"
		fi
		if [ -n "$(v msg_queues)" ]; then
			check "allocated queues = $(v msg_queues)"
			check "used headers = $(v msg_messages)"
			check "used space = $(v msg_bytes) bytes"
		fi
		[ $ok = 1 ] && return 0
		sleep 0.2
	done
	printf '%s\n' "$u" "--" "$s" | sed 's/^/#   /'
	return 1
}

test_metrics_pass_promtool_and_carry_each_object() {
	local shm sem="" mq="" out
	command -v promtool >/dev/null || "$ROOT/tools/deps.sh" prometheus
	command -v promtool >/dev/null || skip "promtool (Debian package prometheus) cannot be installed"
	shm=$("$SHMTOOL" create "$(key 2)" 4096) || return 1
	[ -x "$SEMTOOL" ] && { sem=$("$SEMTOOL" create "$(key 3)" 2) || return 1; }
	[ -x "$MQTOOL" ] && { mq=$("$MQTOOL" create "$(key 4)") || return 1; }
	cat "$MNT/metrics" >"$WORK/metrics" || return 1
	out=$(promtool check metrics <"$WORK/metrics" 2>&1) || { echo "# promtool: $out"; return 1; }
	grep -q "^ipcfs_shm_size{kind=\"shm\",id=\"$shm\",key=\"$(key 2)\",owner=\"root\"} 4096\$" "$WORK/metrics" ||
		{ echo "# no size series for shm $shm"; return 1; }
	grep -q "^ipcfs_shm_objects [1-9]" "$WORK/metrics" || { echo "# no shm total"; return 1; }
	grep -q '^ipcfs_limit{name="shmmni"} [0-9]' "$WORK/metrics" || { echo "# no limits"; return 1; }
	grep -q '^ipcfs_usage{name="shm_segments"} [0-9]' "$WORK/metrics" || { echo "# no usage"; return 1; }
	if [ -n "$sem" ]; then
		grep -q "^ipcfs_sem_[a-z]*{kind=\"sem\",id=\"$sem\"" "$WORK/metrics" || { echo "# no series for sem $sem"; return 1; }
	fi
	if [ -n "$mq" ]; then
		grep -q "^ipcfs_mq_[a-z]*{kind=\"mq\",id=\"$mq\"" "$WORK/metrics" || { echo "# no series for mq $mq"; return 1; }
	fi
	# Every sample line belongs to a family announced by HELP and TYPE.
	awk '/^# TYPE/ {t[$3] = 1; next} /^#/ {next} {n = $1; sub(/\{.*/, "", n); if (!(n in t)) {print "# undeclared " n; bad = 1}} END {exit bad}' "$WORK/metrics"
}

# http_get PORT PATH: a plain HTTP/1.0 GET on 127.0.0.1 (no curl needed).
http_get() {
	exec 5<>"/dev/tcp/127.0.0.1/$1" || return 1
	printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$2" >&5
	cat <&5
	exec 5<&-
}

# served PORT: node_exporter answers /metrics on PORT (the page in PAGE).
served() { PAGE=$(http_get "$1" /metrics 2>/dev/null) && [ -n "$PAGE" ]; }

test_node_exporter_textfile_collector_serves_ipcfs_series() {
	local ne dir port pid shm cmd page
	ne=$(command -v prometheus-node-exporter || command -v node_exporter || true)
	[ -n "$ne" ] || { "$ROOT/tools/deps.sh" prometheus-node-exporter; ne=$(command -v prometheus-node-exporter || true); }
	[ -n "$ne" ] || skip "prometheus-node-exporter cannot be installed"
	shm=$("$SHMTOOL" create "$(key 5)" 8192) || return 1
	dir=$WORK/textfile
	mkdir -p "$dir"
	# Run the exact command of the systemd unit we ship.
	cmd=$(sed -n "s/^ExecStart=\/bin\/sh -c '\(.*\)'\$/\1/p" "$ROOT/tools/ipcfs-metrics.service")
	[ -n "$cmd" ] || { echo "# no ExecStart in the unit"; return 1; }
	IPCFS_MOUNT=$MNT TEXTFILE_DIR=$dir sh -c "$cmd" || return 1
	[ -s "$dir/ipcfs.prom" ] || { echo "# unit command wrote nothing"; return 1; }
	ls "$dir" | grep -v '^ipcfs.prom$' && { echo "# temporary file left"; return 1; }
	port=$((20000 + RANDOM % 20000))
	"$ne" --web.listen-address="127.0.0.1:$port" --collector.disable-defaults \
		--collector.textfile --collector.textfile.directory="$dir" >"$WORK/ne.log" 2>&1 &
	pid=$!
	track_pid "$pid"
	until_true served "$port" || return 1
	page=$PAGE
	kill "$pid"; wait "$pid" 2>/dev/null
	# The unit copies ns/metrics: every namespace, labelled ns= (this one's
	# inode) and container= (node_exporter sorts the labels).
	printf '%s\n' "$page" | grep -q "^ipcfs_shm_size{container=\"[^\"]*\",id=\"$shm\",key=\"$(key 5)\",kind=\"shm\",ns=\"$(stat -L -c %i /proc/self/ns/ipc)\",owner=\"root\"} 8192\$" || {
		echo "# node_exporter page lacks the series; its ipcfs lines:"
		printf '%s\n' "$page" | grep ipcfs | head -5 | sed 's/^/#   /'
		printf '%s\n' "$page" | grep -i textfile | head -5 | sed 's/^/#   /'
		return 1
	}
	# ... and says the file was read without error.
	printf '%s\n' "$page" | grep -q '^node_textfile_scrape_error 0' || { echo "# textfile scrape error"; return 1; }
}

# A private IPC namespace (unshare --ipc) with its own objects; a mount
# with -o ns= shows exactly those, and creates there.
test_ns_option_presents_another_namespace() {
	local pid inner host m k list
	host=$("$SHMTOOL" create "$(key 6)" 4096) || return 1
	unshare --ipc bash -c "'$SHMTOOL' create $(key 7) 12288 > '$WORK/inner'; exec sleep 300" &
	pid=$!
	track_pid "$pid"
	until_true test -s "$WORK/inner" || return 1
	inner=$(cat "$WORK/inner")
	ipcfs_mount -o ns=/proc/$pid/ns/ipc || return 1
	m=$MNT
	list=$(ls "$m/shm" | grep -E '^[0-9]+$')
	assert_eq "$inner" "$list" "only the namespace's segment" || return 1
	assert_eq 12288 "$(cat "$m/shm/$inner/size")" "its size" || return 1
	assert_eq "$(key 7)" "$(cat "$m/shm/$inner/key")" "its key" || return 1
	[ -e "$m/shm/$(key 6)" ] && { echo "# host key visible in the namespace"; return 1; }
	# Creation lands in the namespace, not on the host.
	k=$(key 8)
	mkdir "$m/shm/$k" || return 1
	nsenter -t "$pid" --ipc ipcs -m | grep -q "^$k " || { echo "# not created in the namespace"; return 1; }
	ipcs -m | grep -q "^$k " && { echo "# created on the host"; return 1; }
	assert_eq "1" "$(sed -n 's/^shm_segments: //p' "$m/summary" | awk '{print ($1 == 2)}')" "namespace summary counts 2" || return 1
	fusermount3 -u "$m"
	kill "$pid"; wait "$pid" 2>/dev/null
	# The namespace died with its last user: nothing of it remains here.
	ipcs -m | grep -q "^$k " && return 1
	return 0
}

# own_ipc PID: PID is in an IPC namespace other than ours.
own_ipc() { [ "$(ns_of "$1" 2>/dev/null)" != "$(ns_of self)" ]; }

test_ns_option_refused_for_nobody_before_mounting() {
	local pid d=$WORK/nsbad out rc
	unshare --ipc sleep 300 &
	pid=$!
	track_pid "$pid"
	until_true own_ipc "$pid" || return 1
	mkdir -p "$d"
	chmod 777 "$d"
	out=$($NOBODY "$IPCFS" -f -o ns=/proc/$pid/ns/ipc "$d" 2>&1)
	rc=$?
	[ $rc -ne 0 ] || { echo "# exit status 0"; return 1; }
	assert_match "ns=/proc/$pid/ns/ipc: (Permission denied|not allowed)" "$out" "message" || return 1
	mountpoint -q "$d" && { echo "# mounted anyway"; fusermount3 -u "$d"; return 1; }
	kill "$pid"
	return 0
}

run_tests
