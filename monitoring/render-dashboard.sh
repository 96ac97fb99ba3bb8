#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# render-dashboard.sh - draw doc/dashboard.png, the picture of
# monitoring/dashboard.json in monitoring/README.md, from a real Prometheus that
# scraped a real ipcfs.  Not part of `make check`: it takes a few minutes
# and needs Chromium.
#
#   monitoring/render-dashboard.sh [OUT.png]     (default doc/dashboard.png)
#   RENDER_SECONDS=150                           how long Prometheus scrapes
#
# Grafana is not in Debian's archive, so monitoring/render-page.html, which
# Prometheus serves as a console template, draws the panels itself from
# Prometheus's answers to their queries (the dashboard's $instance and
# $container read as "all"), the way Grafana shows them: at their grid
# positions, series named by legendFormat, values in the panels' units,
# tables merged and renamed; headless Chromium takes the picture.
# What runs, all on 127.0.0.1, and is stopped at the end:
#
#   a private IPC namespace with lowered limits (shmmni 10, msgmni 8,
#   semmni 8, fs.mqueue.queues_max 6) and a mount namespace with a tmpfs
#   of its own on /dev/shm, so that only this script's objects show, POSIX
#   ones too, and the limits panel has something to say; ipcfs mounted on
#   it (-o ns=), while the objects change: System V segments attached,
#   detached and added up to the limit, a queue filling up, a drained one,
#   semaphore waiters; a POSIX queue filling up, a busy one and one nobody
#   reads, a stuck POSIX semaphore and a busy one, POSIX shared memory
#   objects made (some for a while only, as a parallel query's) and written;
#   the command of tools/ipcfs-metrics.service every 2 s, into a textfile
#   directory; prometheus-node-exporter serving that directory alone;
#   prometheus scraping it every 2 s, with monitoring/ipcfs.rules.yml.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
OUT=${1:-doc/dashboard.png}
case $OUT in /*) ;; *) OUT=$ROOT/$OUT ;; esac
RUN=${RENDER_SECONDS:-150}
BUILD=${BUILD:-build}

tools/deps.sh prometheus prometheus-node-exporter chromium fonts-dejavu-core python3-minimal
make --no-print-directory
make --no-print-directory "$BUILD/shmtool" "$BUILD/semtool" "$BUILD/mqtool" \
	"$BUILD/pshmtool" "$BUILD/pmqtool" "$BUILD/psemtool" >/dev/null
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac	# nsenter --mount starts in /
SHMTOOL=$BUILD/shmtool SEMTOOL=$BUILD/semtool MQTOOL=$BUILD/mqtool
PSHM=$BUILD/pshmtool PMQ=$BUILD/pmqtool PSEM=$BUILD/psemtool
NE=$(command -v prometheus-node-exporter || command -v node_exporter)

WORK=$(mktemp -d /tmp/ipcfs-render.XXXXXX)
MNT=$WORK/mnt
PIDS=""
started() { PIDS="$1 $PIDS"; }	# stopped at exit, last started first
cleanup() {
	local p
	mountpoint -q "$MNT" 2>/dev/null && fusermount3 -u "$MNT"
	for p in $PIDS; do kill "$p" 2>/dev/null || true; done
	for p in $PIDS; do wait "$p" 2>/dev/null || true; done
	# The namespace, and every object in it, went with its last process.
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
key() { printf '0x1fc5e1%02x' "$1"; }
# in_ns CMD...: CMD in the namespaces (IPC, and mount for /dev/shm).
# nsenter execs CMD, so `nsenter ... &` gives CMD's own pid, to stop it at
# the end (a function would not).
in_ns() { nsenter -t "$NSPID" --ipc --mount "$@"; }
# A free port on 127.0.0.1 (nobody answers there).
port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 20000))
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
	done
}
# wait_http PORT PATH: until it answers.
wait_http() {
	local i
	for i in $(seq 100); do
		python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' \
			"http://127.0.0.1:$1$2" 2>/dev/null && return 0
		sleep 0.2
	done
	echo "render-dashboard: nothing answers on 127.0.0.1:$1$2" >&2
	return 1
}

# ---- the namespace, ipcfs on it, the objects ----
unshare --ipc --mount --propagation private sh -c \
	'mount -t tmpfs -o size=64m ipcfs-render /dev/shm && exec sleep infinity' </dev/null >/dev/null 2>&1 &
NSPID=$!
started $NSPID
for i in $(seq 100); do
	[ "$(cat /proc/$NSPID/comm 2>/dev/null)" = sleep ] && break
	sleep 0.05
done
[ "$(cat /proc/$NSPID/comm 2>/dev/null)" = sleep ] || { echo "render-dashboard: no namespace" >&2; exit 1; }
in_ns sysctl -q -w kernel.shmmni=10 kernel.msgmni=8 kernel.sem="250 32000 32 8" fs.mqueue.queues_max=6
mkdir -p "$MNT" "$WORK/textfile" "$WORK/tsdb" "$WORK/consoles"
"$BUILD/ipcfs" -f -o ns=/proc/$NSPID/ns/ipc "$MNT" </dev/null >"$WORK/ipcfs.log" 2>&1 &
started $!
for i in $(seq 100); do mountpoint -q "$MNT" && break; sleep 0.05; done
mountpoint -q "$MNT" || { cat "$WORK/ipcfs.log"; exit 1; }

hold() { nsenter -t "$NSPID" --ipc --mount "$SHMTOOL" hold "$1" >/dev/null 2>>"$WORK/tools.log" & started $!; }
shm_busy=$(in_ns "$SHMTOOL" create "$(key 1)" $((1 << 20)))	# attached all along
hold "$shm_busy"
in_ns "$SHMTOOL" create "$(key 2)" $((4 << 20)) >/dev/null	# never attached: a leak
shm_late=$(in_ns "$SHMTOOL" create "$(key 3)" $((256 << 10)))	# detached a third of the way
hold "$shm_late"
late_pid=$!
q_fill=$(in_ns "$MQTOOL" create "$(key 10)")	# fills up to 92 % of its 16 KiB
q_steady=$(in_ns "$MQTOOL" create "$(key 11)")	# 6000 bytes, 4000 taken at two thirds
q_small=$(in_ns "$MQTOOL" create "$(key 12)")
for i in 1 2 3 4 5 6; do in_ns "$MQTOOL" send "$q_steady" 1 "$(head -c 1000 /dev/zero | tr '\0' s)"; done
in_ns "$MQTOOL" send "$q_small" 1 "$(head -c 2000 /dev/zero | tr '\0' m)"
sem_stuck=$(in_ns "$SEMTOOL" create "$(key 20)" 2)	# a P that waits; later a wait for zero
nsenter -t "$NSPID" --ipc --mount "$SEMTOOL" op "$sem_stuck" 0 -1 >/dev/null 2>>"$WORK/tools.log" &
started $!
sem_busy=$(in_ns "$SEMTOOL" create private 1)	# operated now and then, nobody waits
# POSIX: what PostgreSQL's dynamic shared memory and a job queue look like.
in_ns "$PMQ" create jobs 600 10 128	# fills up to its maxmsg (10) at step 27
in_ns "$PMQ" create events 600 10 128	# sent to and received from all along
in_ns "$PMQ" create orphan 600 10 128	# 3 messages nobody receives
in_ns "$PMQ" send-seq orphan 3
in_ns "$PMQ" send-seq jobs 1
in_ns "$PMQ" send-seq events 4
in_ns "$PSEM" create lock 1 600 >/dev/null	# taken, then a waiter that stays stuck
in_ns "$PSEM" create pool 4 600 >/dev/null	# taken and given back
in_ns "$PSHM" create PostgreSQL.1804289383 $((1 << 20))	# the control segment
in_ns "$PSHM" create PostgreSQL.846930886 $((4 << 20))	# written as it goes
nsenter -t "$NSPID" --ipc --mount "$PSHM" hold PostgreSQL.1804289383 >/dev/null 2>>"$WORK/tools.log" &
started $!

# ---- the metrics pipeline: the unit's command, node_exporter, Prometheus ----
cmd=$(sed -n "s/^ExecStart=\/bin\/sh -c '\(.*\)'\$/\1/p" tools/ipcfs-metrics.service)
export IPCFS_MOUNT=$MNT TEXTFILE_DIR=$WORK/textfile
while :; do sh -c "$cmd"; sleep 2; done >>"$WORK/textfile.log" 2>&1 &
started $!
ne_port=$(port)
"$NE" --web.listen-address="127.0.0.1:$ne_port" --collector.disable-defaults \
	--collector.textfile --collector.textfile.directory="$WORK/textfile" >"$WORK/ne.log" 2>&1 &
started $!
wait_http "$ne_port" /metrics
cat >"$WORK/prometheus.yml" <<EOF
global: {scrape_interval: 2s, evaluation_interval: 2s}
rule_files: ['$ROOT/monitoring/ipcfs.rules.yml']
scrape_configs:
  - job_name: node
    static_configs:
      - targets: ['127.0.0.1:$ne_port']
        labels: {instance: '$(hostname -s)'}
EOF
prom_port=$(port)
# Console templates are read at each request: the page is written later.
prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/tsdb" \
	--web.console.templates="$WORK/consoles" --web.console.libraries="$WORK/consoles" \
	--web.listen-address="127.0.0.1:$prom_port" >"$WORK/prometheus.log" 2>&1 &
started $!
wait_http "$prom_port" /-/ready

# ---- let it run, the objects changing, 30 steps ----
step=$((RUN * 1000 / 30))
echo "render-dashboard: scraping for $RUN s" >&2
for i in $(seq 30); do
	in_ns "$MQTOOL" send "$q_fill" 1 "$(head -c 500 /dev/zero | tr '\0' f)"
	in_ns "$SEMTOOL" op "$sem_busy" 0 +1 >/dev/null
	case $i in
	# More segments nobody attaches, up to shmmni (10).
	4 | 8 | 12 | 16 | 20 | 24 | 27) in_ns "$SHMTOOL" create "$(key $((30 + i)))" $((512 << 10)) >/dev/null ;;
	10) kill "$late_pid" ;;
	15)	# semaphore 1 set to 1, and a process waits for it to be zero
		in_ns "$SEMTOOL" setval "$sem_stuck" 1 1
		nsenter -t "$NSPID" --ipc --mount "$SEMTOOL" op "$sem_stuck" 1 0 >/dev/null 2>>"$WORK/tools.log" &
		started $! ;;
	20) in_ns "$MQTOOL" recv-n "$q_steady" 4 >/dev/null ;;
	esac
	# POSIX: jobs gets a message every 3 steps; events goes up and down.
	[ $((i % 3)) -eq 0 ] && [ $i -le 27 ] && in_ns "$PMQ" send jobs 0 "job $i"
	if [ $((i % 4)) -lt 2 ]; then in_ns "$PMQ" send-seq events 2; else in_ns "$PMQ" recv events >/dev/null; in_ns "$PMQ" recv events >/dev/null; fi
	in_ns "$PSHM" write PostgreSQL.846930886 $((i << 12)) "row $i"
	case $i in
	5)	# the lock is taken, and from now on a second taker waits
		in_ns "$PSEM" wait lock >/dev/null
		nsenter -t "$NSPID" --ipc --mount "$PSEM" wait lock >/dev/null 2>>"$WORK/tools.log" &
		started $! ;;
	# A parallel query's segment, for a while; objects left behind, growing.
	8) in_ns "$PSHM" create PostgreSQL.1681692777 $((24 << 20)) ;;
	18) in_ns "$PSHM" unlink PostgreSQL.1681692777 ;;
	3 | 11 | 19 | 26) in_ns "$PSHM" create "leak.$i" $((2 << 20)) ;;
	esac
	case $((i % 6)) in
	0 | 1) in_ns "$PSEM" wait pool nonblock >/dev/null || true ;;
	3 | 4) in_ns "$PSEM" post pool ;;
	esac
	sleep "$(printf '%d.%03d' $((step / 1000)) $((step % 1000)))"
done
# One evaluation of each panel now, not a stale one.
sleep 4

# ---- the panels ----
# A console template (served by Prometheus, so from its own origin) holds one
# frame of the graph page per query; monitoring/render-page.html's script,
# allowed into same-origin frames, keeps of each page the graph and its
# legend (or the console table, for the dashboard's table panel).
# ns/metrics holds every IPC namespace of the machine: the page shows this
# one's, as a person who picked its container would see it.
python3 - "$ROOT/monitoring/dashboard.json" "$RUN" "$(stat -L -c %i /proc/$NSPID/ns/ipc)" >"$WORK/tiles.json" <<'PY'
import base64, json, sys, textwrap, time
dash = json.load(open(sys.argv[1]))
end = int(time.time())
page = {"title": dash["title"], "start": end - int(sys.argv[2]) - 20, "end": end, "step": 2,
        "ns": sys.argv[3], "panels": dash["panels"]}
# base64: legendFormat's double braces would be the template engine's.
print("\n".join(textwrap.wrap(base64.b64encode(json.dumps(page).encode()).decode(), 100)))
PY
sed -e "/@TILES@/{r $WORK/tiles.json" -e 'd}' monitoring/render-page.html >"$WORK/consoles/ipcfs.html"
page=http://127.0.0.1:$prom_port/consoles/ipcfs.html
shoot() { # chromium ARGS...: headless, a profile of its own, the page and its frames only
	chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$WORK/chromium" --hide-scrollbars --virtual-time-budget=40000 \
		--window-size=1500,"${height:-1200}" "$@" "$page" 2>>"$WORK/chromium.log"
}
# Once to learn the page's height (its title says it when all is drawn),
# then the picture, which is the window: as high as the page.
height=$(shoot --dump-dom | sed -n 's/.*<title>ready \([0-9]*\)<\/title>.*/\1/p')
[ -n "$height" ] || { echo "render-dashboard: the page never got ready" >&2; tail "$WORK/chromium.log" >&2; exit 1; }
shoot --screenshot="$WORK/shot.png" >/dev/null
cp "$WORK/shot.png" "$OUT"
echo "render-dashboard: wrote $OUT ($(wc -c <"$OUT") bytes, 1500x$height)" >&2
