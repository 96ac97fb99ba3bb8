#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# render-dashboard.sh - draw doc/dashboard.png, the picture of
# monitoring/dashboard.json in the README, from a real Prometheus that
# scraped a real ipcfs.  Not part of `make check`: it takes a few minutes
# and needs Chromium.
#
#   monitoring/render-dashboard.sh [OUT.png]     (default doc/dashboard.png)
#   RENDER_SECONDS=150                           how long Prometheus scrapes
#
# Grafana is not in Debian's archive, so the panels are drawn by
# Prometheus's own graph page: monitoring/render-page.html opens it once
# per query of each panel (the dashboard's $instance and $container read
# as "all"), keeps its graph and legend and lays them out two panels a
# row under the panels' titles; headless Chromium takes the picture.
# What runs, all on 127.0.0.1, and is stopped at the end:
#
#   a private IPC namespace with lowered limits (shmmni 10, msgmni 8,
#   semmni 8), so that only this script's objects show and the limits
#   panel has something to say; ipcfs mounted on it (-o ns=), while the
#   objects change: segments attached, detached and added up to the
#   limit, a queue filling up, a drained one, semaphore waiters;
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
make --no-print-directory "$BUILD/shmtool" "$BUILD/semtool" "$BUILD/mqtool" >/dev/null
SHMTOOL=$BUILD/shmtool SEMTOOL=$BUILD/semtool MQTOOL=$BUILD/mqtool
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
# in_ns CMD...: CMD in the namespace.  nsenter execs CMD, so `nsenter ... &`
# gives CMD's own pid, to stop it at the end (a function would not).
in_ns() { nsenter -t "$NSPID" --ipc "$@"; }
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
unshare --ipc sleep infinity </dev/null >/dev/null 2>&1 &
NSPID=$!
started $NSPID
for i in $(seq 100); do
	[ "$(readlink /proc/$NSPID/ns/ipc)" != "$(readlink /proc/self/ns/ipc)" ] && break
	sleep 0.05
done
in_ns sysctl -q -w kernel.shmmni=10 kernel.msgmni=8 kernel.sem="250 32000 32 8"
mkdir -p "$MNT" "$WORK/textfile" "$WORK/tsdb" "$WORK/consoles"
"$BUILD/ipcfs" -f -o ns=/proc/$NSPID/ns/ipc "$MNT" </dev/null >"$WORK/ipcfs.log" 2>&1 &
started $!
for i in $(seq 100); do mountpoint -q "$MNT" && break; sleep 0.05; done
mountpoint -q "$MNT" || { cat "$WORK/ipcfs.log"; exit 1; }

hold() { nsenter -t "$NSPID" --ipc "$SHMTOOL" hold "$1" >/dev/null 2>>"$WORK/tools.log" & started $!; }
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
nsenter -t "$NSPID" --ipc "$SEMTOOL" op "$sem_stuck" 0 -1 >/dev/null 2>>"$WORK/tools.log" &
started $!
sem_busy=$(in_ns "$SEMTOOL" create private 1)	# operated now and then, nobody waits

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
		nsenter -t "$NSPID" --ipc "$SEMTOOL" op "$sem_stuck" 1 0 >/dev/null 2>>"$WORK/tools.log" &
		started $! ;;
	20) in_ns "$MQTOOL" recv-n "$q_steady" 4 >/dev/null ;;
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
python3 - "$ROOT/monitoring/dashboard.json" "$RUN" >"$WORK/tiles.json" <<'PY'
import json, sys, urllib.parse
dash = json.load(open(sys.argv[1]))
run = int(sys.argv[2])
tiles = []
for p in sorted(dash["panels"], key=lambda p: (p["gridPos"]["y"], p["gridPos"]["x"])):
    tab = "1" if p["type"] == "table" else "0"	# the table panel: the console tab
    urls = []
    for t in p["targets"]:
        expr = t["expr"].replace("$instance", ".*").replace("$container", ".*")
        urls.append("/graph?" + urllib.parse.urlencode(
            {"g0.expr": expr, "g0.tab": tab, "g0.range_input": "%ds" % (run + 20)}))
    tiles.append({"title": p["title"], "wide": p["gridPos"]["w"] > 12, "tab": tab, "urls": urls})
# No "{{" can occur in this JSON (no object starts with an object), so the
# console template engine passes it through.
print(json.dumps({"title": dash["title"], "tiles": tiles}, separators=(", ", ": ")))
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
