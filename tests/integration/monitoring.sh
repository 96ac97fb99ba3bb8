#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# monitoring.sh - what an operator installs next to Prometheus (monitoring/):
# the alert rules pass promtool and their unit tests (monitoring/tests.yml),
# and those tests catch rules broken on purpose; the Grafana dashboard
# parses, its queries are PromQL and name only metrics, limit names and
# labels that a live mount exports; and a real Prometheus, scraping a live
# mount through node_exporter's textfile collector, answers every dashboard
# query and fires each alert on the objects made to trip it, and only there.
# Every kind is covered: System V and POSIX (posix/shm, posix/mq, posix/sem), pipes and unix.
#
# The live mount shows a private IPC namespace (lowered shmmni and
# fs.mqueue.queues_max) with a /dev/shm of its own (a mount namespace with
# a tmpfs there), so the objects in it are the only ones, POSIX ones too,
# and the limits can be reached.
. "$(dirname "$0")/../lib.sh"
keyrange 0x1fc5e0
MON=$ROOT/monitoring
SHMTOOL=$BUILD/shmtool
SEMTOOL=$BUILD/semtool
MQTOOL=$BUILD/mqtool
PSHM=$BUILD/pshmtool
PMQ=$BUILD/pmqtool
PSEM=$BUILD/psemtool

have_promtool() {
	command -v promtool >/dev/null || "$ROOT/tools/deps.sh" prometheus >/dev/null 2>&1
	command -v promtool >/dev/null || skip "promtool (Debian package prometheus) cannot be installed"
}

# dashboard_exprs [DASHBOARD]: every query of the dashboard, one per line
# (newlines inside a query become spaces), the template variables ($instance,
# $container) read as ".*".  Panel targets' `expr` and the variables' queries.
dashboard_exprs() {
	python3 - "${1:-$MON/dashboard.json}" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
names = [v["name"] for v in d.get("templating", {}).get("list", [])]
def plain(e):
    for n in names:
        e = e.replace("${%s}" % n, ".*").replace("$" + n, ".*")
    return " ".join(e.split())
for p in d["panels"]:
    for t in p.get("targets", []):
        print(plain(t["expr"]))
for v in d.get("templating", {}).get("list", []):
    if v.get("type") == "query":
        q = v["query"]["query"] if isinstance(v["query"], dict) else v["query"]
        print(plain(q))
PY
}

test_rules_pass_promtool_check() {
	local out
	have_promtool
	out=$(promtool check rules "$MON/ipcfs.rules.yml" 2>&1) || { echo "# $out"; return 1; }
	assert_match "SUCCESS: 12 rules found" "$out" "promtool check rules"
}

test_rules_unit_tests_pass() {
	local out
	have_promtool
	out=$(cd "$MON" && promtool test rules tests.yml 2>&1) || { printf '# %s\n' "$out" | head -40; return 1; }
	assert_match "SUCCESS" "$out" "promtool test rules"
}

# For every alert: a test where it fires and one where it does not.
test_every_alert_is_tested_firing_and_not_firing() {
	local a bad=0
	for a in $(sed -n 's/^ *- alert: *//p' "$MON/ipcfs.rules.yml"); do
		# Per alertname test: does its exp_alerts list hold alerts, or none?
		awk -v a="$a" '
			/alertname:/ { cur = ($2 == a) }
			cur && /exp_alerts: *\[\]/ { quiet = 1 }
			cur && /exp_labels:/ { fired = 1 }
			END { exit !(quiet && fired) }' "$MON/tests.yml" ||
			{ echo "# $a: no test where it fires and one where it does not"; bad=1; }
	done
	[ -n "$a" ] || { echo "# no alert found in the rules"; return 1; }
	return $bad
}

# Each rule broken in one way the unit tests are there to catch (a
# threshold, a join, a `for`, a label): each must make them fail.
test_unit_tests_catch_broken_rules() {
	local d=$WORK/mutants i n bad=0
	have_promtool
	mkdir -p "$d"
	python3 - "$MON/ipcfs.rules.yml" "$d" <<'PY' || return 1
import sys
src = open(sys.argv[1]).read()
mutants = [  # (what, replacement, which occurrence)
    ("> 86400", "> 172800", 1),
    ("and ipcfs_shm_nattch == 0", "and ipcfs_shm_nattch >= 0", 1),
    ("(ipcfs_shm_dtime > 0 or ipcfs_shm_ctime)", "ipcfs_shm_dtime", 1),
    ("ipcfs_mq_cbytes / ipcfs_mq_qbytes > 0.9", "ipcfs_mq_cbytes / ipcfs_mq_qbytes > 0.99", 1),
    ("or ipcfs_mq_qnum", "unless ipcfs_mq_qnum", 1),
    ("sum without (num)", "max without (num)", 1),
    ("> 600", "> 1200", 1),
    ("(ipcfs_sem_otime > 0 or ipcfs_sem_ctime)", "ipcfs_sem_otime", 1),
    ('name="sem_sets"', 'name="sem_semaphores"', 1),
    ('"name", "msgmni"', '"name", "msgmax"', 1),
    ("for: 15m", "for: 0m", 1),
    ("for: 5m", "for: 0m", 0),	# 0: every one
    ("> 300", "> 3000", 1),
    ('"name", "mqueue_queues_max"', '"name", "mqueue_msg_max"', 1),
    ("ipcfs_posix_mq_curmsgs / ipcfs_posix_mq_maxmsg > 0.9", "ipcfs_posix_mq_curmsgs / ipcfs_posix_mq_maxmsg >= 0.9", 1),
    ("ipcfs_posix_mq_curmsgs > 0\n", "ipcfs_posix_mq_curmsgs >= 0\n", 1),
    ("changes(ipcfs_posix_mq_curmsgs[30m])", "changes(ipcfs_posix_mq_curmsgs[10m])", 1),
    ("for: 30m", "for: 10m", 1),
    ("min_over_time(ipcfs_posix_sem_waiters[10m])", "ipcfs_posix_sem_waiters", 1),
    ("max_over_time(ipcfs_posix_sem_value[10m]) == 0", "ipcfs_posix_sem_value == 0", 1),
    ("for: 10m", "for: 5m", 1),
    ("sum by (instance, ns, container) (ipcfs_posix_shm_size)\n", "max by (instance, ns, container) (ipcfs_posix_shm_size)\n", 1),
    ("[6h:5m]", "[1h:5m]", 1),
    ("> 268435456", "> 536870912", 1),
    ("for: 1h", "for: 30m", 1),
    ('ipcfs_unix_stuck_seconds{reason="backlog"} > 600', 'ipcfs_unix_stuck_seconds{reason="backlog"} > 1200', 1),
    ('ipcfs_unix_stuck_seconds{reason="unread"} > 1800', 'ipcfs_unix_stuck_seconds{reason="unread"} > 3600', 1),
    ("ipcfs_pipes_stuck_dropped > 0", "ipcfs_pipes_stuck_dropped > 1000", 1),
    ("ipcfs_unix_stuck_dropped > 0", "ipcfs_unix_stuck_dropped > 1000", 1),
    ('"objects", "Unix sockets"', '"objects", "pipes"', 1),
    ("for: 15m", "for: 10m", 2),
]
for i, (old, new, nth) in enumerate(mutants):
    at = -1
    for _ in range(max(nth, 1)):
        at = src.find(old, at + 1)
        if at < 0:
            sys.exit("rules lack %r (occurrence %d): update this test" % (old, nth))
    bad = src.replace(old, new) if nth == 0 else src[:at] + new + src[at + len(old):]
    open("%s/%d.yml" % (sys.argv[2], i), "w").write(bad)
    open("%s/%d.what" % (sys.argv[2], i), "w").write("%s -> %s (#%d)" % (old, new, nth))
PY
	n=$(ls "$d"/*.what | wc -l)
	for i in $(seq 0 $((n - 1))); do
		mkdir -p "$d/$i"
		cp "$MON/tests.yml" "$d/$i/"
		cp "$d/$i.yml" "$d/$i/ipcfs.rules.yml"
		# Two at a time: each promtool run is a second of CPU.
		(cd "$d/$i" && promtool test rules tests.yml >/dev/null 2>&1 && echo "# survives: $(cat "$d/$i.what")" >"$d/$i.alive") &
		[ $((i % 2)) -eq 1 ] && wait
	done
	wait
	cat "$d"/*.alive 2>/dev/null && bad=1
	return $bad
}

test_dashboard_parses_and_is_well_formed() {
	python3 - "$MON/dashboard.json" <<'PY'
import json, re, sys
bad = []
d = json.load(open(sys.argv[1]))
for k in ("title", "uid", "panels", "templating", "schemaVersion"):
    if k not in d:
        bad.append("no %s" % k)
vars_ = {v["name"]: v for v in d["templating"]["list"]}
if vars_.get("datasource", {}).get("type") != "datasource":
    bad.append("no datasource variable")
ids, cells = set(), set()
for p in d["panels"]:
    t = p.get("title") or "?"
    if not p.get("title"):
        bad.append("a panel without a title")
    if p.get("id") in ids:
        bad.append("%s: id %s twice" % (t, p.get("id")))
    ids.add(p.get("id"))
    if p.get("datasource", {}).get("uid") != "${datasource}":
        bad.append("%s: not on the datasource variable" % t)
    g = p.get("gridPos", {})
    if not all(isinstance(g.get(k), int) for k in "xywh") or g["x"] + g["w"] > 24:
        bad.append("%s: gridPos %s" % (t, g))
        continue
    for x in range(g["x"], g["x"] + g["w"]):
        for y in range(g["y"], g["y"] + g["h"]):
            if (x, y) in cells:
                bad.append("%s: overlaps another panel at %d,%d" % (t, x, y))
                break
            cells.add((x, y))
    refs = [q.get("refId") for q in p.get("targets", [])]
    if not refs or len(set(refs)) != len(refs) or not all(q.get("expr") for q in p["targets"]):
        bad.append("%s: targets need an expr and distinct refIds" % t)
    for q in p.get("targets", []):
        for v in re.findall(r"\$\{?(\w+)", q.get("expr", "")):
            if v not in vars_:
                bad.append("%s: $%s is no variable" % (t, v))
for b in bad:
    print("# " + b)
sys.exit(1 if bad else 0)
PY
}

# check_promql FILE: every line of FILE parses as PromQL (promtool checks
# each as a recording rule's expression; JSON strings are YAML strings).
check_promql() {
	python3 - "$1" >"$1.rules.yml" <<'PY' || return 1
import json, sys
print("groups:\n  - name: dashboard\n    rules:")
for i, e in enumerate(open(sys.argv[1]).read().splitlines()):
    if not e.startswith("label_values("):	# Grafana's own, for variables
        print("      - record: dashboard:query%d\n        expr: %s" % (i, json.dumps(e)))
PY
	promtool check rules "$1.rules.yml" >"$1.out" 2>&1 && return 0
	grep -v '^Checking' "$1.out" | sed 's/^/# /'
	return 1
}

test_dashboard_queries_parse_as_promql() {
	have_promtool
	dashboard_exprs >"$WORK/exprs" || return 1
	[ "$(wc -l <"$WORK/exprs")" -ge 10 ] || { echo "# too few queries found"; return 1; }
	check_promql "$WORK/exprs" || return 1
	# The check itself catches a broken query.
	sed '1s/$/ +/' "$WORK/exprs" >"$WORK/exprs.bad"
	if check_promql "$WORK/exprs.bad" >/dev/null; then echo "# a broken query passed"; return 1; fi
}

# ---- a live mount, and a Prometheus scraping it ----

# ns_new: a sleeping process (tracked) in an IPC namespace of its own and a
# mount namespace with a tmpfs on /dev/shm, so the POSIX shm and sem objects
# made there (nsenter --ipc --mount) are its alone; its pid on stdout.  Its
# objects go with it.
ns_new() {
	local pid
	unshare --ipc --mount --propagation private sh -c \
		'mount -t tmpfs -o size=8m ipcfs-monitoring /dev/shm && exec sleep 600' </dev/null >/dev/null 2>&1 &
	pid=$!
	track_pid $pid
	disown $pid
	# Set up once it runs sleep; ended, it failed.
	until_true holder_up "$pid" >&2 && ! ended "$pid" && { echo $pid; return 0; }
	echo "# could not make an IPC and mount namespace with a /dev/shm of its own" >&2
	return 1
}
# holder_up PID: PID runs sleep (its setup done), or it ended (failed).
holder_up() { [ "$(cat "/proc/$1/comm" 2>/dev/null)" = sleep ] || ended "$1"; }
in_nsm() { nsenter -t "$NSPID" --ipc --mount "$@"; }

# live: the private namespace (shmmni 2, queues_max 3), ipcfs on it and the
# objects, made once for the tests that need them; sets NSPID, MNT, the ids
# (shm1, ...), NS2PID (a second namespace that holds a POSIX queue and
# nothing else) and GROW (the POSIX object the Prometheus run makes grow).
#   shm1 key 1  4 KiB, never attached       shm2 key 2  4 KiB, attached (shmtool hold)
#   mq3  key 3  15000 of 16384 bytes        mq4  key 4  empty
#   sem5 key 5  2 semaphores: a P waits on #0, a wait for zero on #1 (set to 1)
#   sem6 key 6  nobody waits
#   posix/mq  $P-full 10 of 10 messages     $P-idle 1 of 10     $P-empty 0
#   posix/sem $P-stuck 0, a sem_wait waits  $P-free 1, nobody waits
#   unix      $stucksock: a listener of a process in it, backlog 1, 2 clients never accepted
#   posix/shm $P-a 64 KiB                   $GROW 64 KiB (300 MiB more, later)
P=ipcfs-mon
GROW=$P-grow
live() {
	if [ -e "$WORK/live" ]; then . "$WORK/live"; return 0; fi
	NSPID=$(ns_new) || return 1
	in_ns sh -c 'echo 2 >/proc/sys/kernel/shmmni; echo 3 >/proc/sys/fs/mqueue/queues_max' || return 1
	ipcfs_mount -o ns=/proc/$NSPID/ns/ipc,pipes_stuck=0,unix_stuck=0 || return 1
	shm1=$(in_ns "$SHMTOOL" create "$(key 1)" 4096) || return 1
	shm2=$(in_ns "$SHMTOOL" create "$(key 2)" 4096) || return 1
	nsenter -t "$NSPID" --ipc "$SHMTOOL" hold "$shm2" </dev/null >"$WORK/hold" 2>&1 &
	track_pid $!
	mq3=$(in_ns "$MQTOOL" create "$(key 3)") || return 1
	in_ns "$MQTOOL" send "$mq3" 1 "$(head -c 7500 /dev/zero | tr '\0' a)" || return 1
	in_ns "$MQTOOL" send "$mq3" 1 "$(head -c 7500 /dev/zero | tr '\0' b)" || return 1
	mq4=$(in_ns "$MQTOOL" create "$(key 4)") || return 1
	sem5=$(in_ns "$SEMTOOL" create "$(key 5)" 2) || return 1
	in_ns "$SEMTOOL" setval "$sem5" 1 1 || return 1
	nsenter -t "$NSPID" --ipc "$SEMTOOL" op "$sem5" 0 -1 </dev/null >/dev/null 2>&1 &
	track_pid $!
	nsenter -t "$NSPID" --ipc "$SEMTOOL" op "$sem5" 1 0 </dev/null >/dev/null 2>&1 &
	track_pid $!
	sem6=$(in_ns "$SEMTOOL" create "$(key 6)" 1) || return 1
	in_nsm "$PMQ" create $P-full 600 10 64 || return 1
	in_nsm "$PMQ" send-seq $P-full 10 || return 1
	in_nsm "$PMQ" create $P-idle 600 10 64 || return 1
	in_nsm "$PMQ" send $P-idle 0 waiting || return 1
	in_nsm "$PMQ" create $P-empty 600 10 64 || return 1
	in_nsm "$PSEM" create $P-stuck 0 600 >/dev/null || return 1
	nsenter -t "$NSPID" --ipc --mount "$PSEM" wait $P-stuck </dev/null >/dev/null 2>&1 &
	track_pid $!
	in_nsm "$PSEM" create $P-free 1 600 >/dev/null || return 1
	in_nsm "$PSHM" create $P-a 65536 || return 1
	in_nsm "$PSHM" create $GROW 65536 || return 1
	# A stalled pipeline in the namespace: yes writes, sleep never reads.
	local me=$BASHPID
	nsenter -t "$NSPID" --ipc yes 2>/dev/null | nsenter -t "$NSPID" --ipc sleep 1000 >/dev/null 2>&1 &
	track_pid $!
	stuckpipe=$(pipe_in $!) || return 1
	until_true pgrep -P "$me" -x yes >/dev/null || return 1
	track_pid "$(pgrep -P "$me" -x yes)"
	# A Unix listener of a process in the namespace, its backlog full:
	# backlog 1 queues two clients, connected and never accepted.
	nsenter -t "$NSPID" --ipc python3 -c '
import os, socket, time
l = socket.socket(socket.AF_UNIX); l.bind("\0ipcfs-monitoring-%d" % os.getpid()); l.listen(1)
cs = [socket.socket(socket.AF_UNIX) for i in range(2)]
for c in cs:
    c.connect(l.getsockname())
print(os.fstat(l.fileno()).st_ino, flush=True)
while True:
    time.sleep(1000)' </dev/null >"$WORK/sock" 2>&1 &
	track_pid $!
	until_true test -s "$WORK/sock" || return 1
	stucksock=$(cat "$WORK/sock")
	NS2PID=$(ns_new) || return 1
	nsenter -t "$NS2PID" --ipc "$PMQ" create $P-other 600 10 64 || return 1
	eventually_eq "attached" "shm $shm2 attached" cat "$WORK/hold" || return 1
	eventually_eq "1 1" "waiters of sem $sem5 (ncnt #0, zcnt #1)" sem5_waiters || return 1
	eventually_eq 1 "waiters of posix/sem $P-stuck" cat "$MNT/posix/sem/$P-stuck/waiters" || return 1
	eventually_eq 1 "blocked writers of pipe $stuckpipe" cat "$MNT/pipes/$stuckpipe/blocked_writers" || return 1
	eventually_eq 2 "clients waiting on unix $stucksock" cat "$MNT/unix/$stucksock/pending" || return 1
	save "$WORK/live" NSPID NS2PID MNT shm1 shm2 mq3 mq4 sem5 sem6 stuckpipe stucksock
}
# pipe_in PID: the inode of the pipe on PID's stdin, once it is there.
pipe_in() {
	local l
	until_true eval '[[ $(readlink /proc/'"$1"'/fd/0) == pipe:* ]]' || return 1
	l=$(readlink "/proc/$1/fd/0")
	l=${l#pipe:[}
	echo "${l%]}"
}
sem5_waiters() { echo "$(in_ns "$SEMTOOL" ncnt "$sem5" 0) $(in_ns "$SEMTOOL" zcnt "$sem5" 1)"; }
# save FILE VAR...: the variables as assignments, for later tests to source.
save() {
	local f=$1 v
	shift
	for v in "$@"; do printf '%s=%q\n' "$v" "${!v}"; done >"$f"
}

# check_names METRICS FILE...: every ipcfs_ metric that FILEs name is in
# METRICS (a `metrics` file), as is every usage/limit name they select and
# every label they group by or print, but those Prometheus adds (instance,
# job), those planned (ns, container) and those a rule makes itself
# (label_replace).
check_names() {
	python3 - "$@" <<'PY'
import re, sys
metrics = open(sys.argv[1]).read()
have = set(re.findall(r"^# TYPE (\S+) ", metrics, re.M))
labels = set(re.findall(r"[{,](\w+)=\"", metrics)) | {"instance", "job", "ns", "container", "__name__"}
named = {}
for m in re.finditer(r"^ipcfs_(usage|limit)\{name=\"(\w+)\"\}", metrics, re.M):
    named.setdefault(m.group(1), set()).add(m.group(2))
bad = set()
for path in sys.argv[2:]:
    text = open(path).read()
    for n in set(re.findall(r"\bipcfs_[a-z_]+\b", text)):
        if n not in have:
            bad.add("%s: metric %s is not exported" % (path, n))
    for fam, sel in re.findall(r"\bipcfs_(usage|limit)\{name=~?\\?\"([^\"\\]+)", text):
        for v in sel.split("|"):
            if v not in named.get(fam, ()):
                bad.add("%s: ipcfs_%s{name=\"%s\"} is not exported" % (path, fam, v))
    used = set()
    for lst in re.findall(r"\b(?:by|without) \(([^)]*)\)", text):
        used |= {l.strip() for l in lst.split(",") if l.strip()}
    if path.endswith(".json"):
        used |= set(re.findall(r"\{\{ *(\w+) *\}\}", text))	# Grafana legends
    used |= set(re.findall(r"\$labels\.(\w+)", text))		# alert templates
    # A label a rule makes itself: label_replace(v, "DST", "repl", "src", "re").
    made = set(re.findall(r',\s*"(\w+)",\s*"[^"]*",\s*"[^"]*",\s*"[^"]*"\)', text))
    for l in used - labels - made:
        bad.add("%s: label %s is not exported" % (path, l))
for b in sorted(bad):
    print("# " + b)
sys.exit(1 if bad else 0)
PY
}

test_dashboard_and_rules_name_only_what_a_live_mount_exports() {
	live || return 1
	cat "$MNT/metrics" >"$WORK/metrics" || return 1
	# One object of each kind is there, so each kind's families are.
	grep -q "^ipcfs_sem_ncnt{kind=\"sem\",id=\"$sem5\"" "$WORK/metrics" || { echo "# no sem series"; return 1; }
	grep -q "^ipcfs_mq_cbytes{kind=\"mq\",id=\"$mq3\",.*} 15000$" "$WORK/metrics" || { echo "# no mq series"; return 1; }
	grep -q "^ipcfs_shm_nattch{kind=\"shm\",id=\"$shm2\",.*} 1$" "$WORK/metrics" || { echo "# no shm series"; return 1; }
	grep -q "^ipcfs_posix_mq_curmsgs{kind=\"posix/mq\",name=\"$P-full\",.*} 10$" "$WORK/metrics" || { echo "# no posix/mq series"; return 1; }
	grep -q "^ipcfs_posix_sem_waiters{kind=\"posix/sem\",name=\"$P-stuck\",.*} 1$" "$WORK/metrics" || { echo "# no posix/sem series"; return 1; }
	grep -q "^ipcfs_posix_shm_size{kind=\"posix/shm\",name=\"$P-a\",.*} 65536$" "$WORK/metrics" || { echo "# no posix/shm series"; return 1; }
	check_names "$WORK/metrics" "$MON/dashboard.json" "$MON/ipcfs.rules.yml" || return 1
	# The check catches a name that is not exported, a limit and a label.
	sed 's/ipcfs_shm_nattch/ipcfs_shm_nattach/; s/name=~\\"shmmni/name=~\\"shmmnx/; s/{{key}}/{{kee}}/' \
		"$MON/dashboard.json" >"$WORK/bad.json"
	[ "$(check_names "$WORK/metrics" "$WORK/bad.json" | wc -l)" -eq 3 ] ||
		{ echo "# a dashboard with three wrong names passed:"; check_names "$WORK/metrics" "$WORK/bad.json"; return 1; }
}

# Every kind a mount exports (ipcfs_KIND_objects: System V shm, sem, mq and
# POSIX posix_shm, posix_mq, posix_sem) has an alert rule and a dashboard
# panel that read its objects' own series, not only how many there are.
test_dashboard_and_rules_cover_every_kind() {
	live || return 1
	cat "$MNT/metrics" >"$WORK/metrics" || return 1
	python3 - "$WORK/metrics" "$MON/dashboard.json" "$MON/ipcfs.rules.yml" <<'PY'
import json, re, sys
metrics = open(sys.argv[1]).read()
families = set(re.findall(r"^# TYPE (\S+) ", metrics, re.M))
kinds = re.findall(r"^# TYPE ipcfs_(\w+)_objects ", metrics, re.M)
panels = [" ".join(t["expr"] for t in p["targets"]) for p in json.load(open(sys.argv[2]))["panels"]]
rules = open(sys.argv[3]).read().split("- alert:")[1:]
bad = [] if len(kinds) == 8 else ["kinds in metrics: %s" % kinds]
for k in kinds:
    own = {f for f in families if f.startswith("ipcfs_%s_" % k)} - {"ipcfs_%s_objects" % k}
    reads = lambda text: set(re.findall(r"\bipcfs_[a-z_]+\b", text)) & own
    if not any(reads(e) for e in panels):
        bad.append("no dashboard panel reads a series of %s objects (%s)" % (k, " ".join(sorted(own))))
    if not any(reads(r) for r in rules):
        bad.append("no alert rule reads a series of %s objects" % k)
for b in bad:
    print("# " + b)
sys.exit(1 if bad else 0)
PY
}

# dashboard_var NAME: the series selector of the variable's label_values().
dashboard_var() {
	python3 - "$MON/dashboard.json" "$1" <<'PY'
import json, re, sys
for v in json.load(open(sys.argv[1]))["templating"]["list"]:
    if v["name"] == sys.argv[2]:
        q = v["query"]["query"] if isinstance(v["query"], dict) else v["query"]
        m = re.match(r"label_values\((.*), *%s\)$" % sys.argv[2], q)
        print(m.group(1) if m else "# not label_values(SERIES, %s): %s" % (sys.argv[2], q))
PY
}

# query_json PROMQL: Prometheus's answer (instant, now), as JSON.
query_json() {
	http_json "$PROM" "/api/v1/query?query=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$1")"
}

# The container and instance variables read series that every namespace
# has, whatever kinds of object it holds: one with a POSIX queue and
# nothing else is listed too, as is the namespace of every kind.
test_variables_list_namespaces_of_every_kind() {
	local v sel ns1 ns2
	live_prometheus || return 1
	ns1=$(stat -L -c %i "/proc/$NSPID/ns/ipc") ns2=$(stat -L -c %i "/proc/$NS2PID/ns/ipc")
	for v in container instance; do
		sel=$(dashboard_var $v)
		case $sel in "#"* | "") echo "${sel:-# no variable $v}"; return 1 ;; esac
		query_json "count by (ns, $v) ($sel)" >"$WORK/var.json" || return 1
		python3 - "$WORK/var.json" "$v" "$ns1" "$ns2" "$sel" <<'PY' || return 1
import json, sys
r = json.load(open(sys.argv[1]))["data"]["result"]
v, sel = sys.argv[2], sys.argv[5]
got = {s["metric"].get("ns"): s["metric"].get(v) for s in r}
for ns in sys.argv[3:5]:
    if not got.get(ns):
        print("# $%s (label_values(%s, %s)) misses IPC namespace %s" % (v, sel, v, ns))
        sys.exit(1)
PY
	done
}

# Graph and bar legends name each series by what a person knows it by:
# container, kind, and key (System V) or name (POSIX), through legendFormat
# (never the raw label set), and only with labels the series carry.  The
# queries are asked of the test's namespace only: the machine's others are
# not this test's (one whose process just ended has no container label).
test_dashboard_legends_name_container_kind_and_object() {
	live_prometheus || return 1
	python3 - "$PROM" "$MON/dashboard.json" "$(stat -L -c %i "/proc/$NSPID/ns/ipc")" <<'PY'
import json, re, sys, urllib.parse, urllib.request
port, dash, ns = sys.argv[1], json.load(open(sys.argv[2])), sys.argv[3]
KINDS = r"(^|\W)(shm|sem|mq|posix/shm|posix/mq|posix/sem|pipes|unix)(\W|$)"
bad = []
for p in dash["panels"]:
    if p["type"] == "table":
        continue
    for t in p["targets"]:
        where = "%s (%s)" % (p["title"], t["refId"])
        fmt = t.get("legendFormat", "")
        used = set(re.findall(r"\{\{ *(\w+) *\}\}", fmt))
        if not used or fmt == "__auto":
            bad.append("%s: no legendFormat" % where)
            continue
        e = t["expr"].replace("$instance", ".*").replace('container=~"$container"', 'container=~".*",ns="%s"' % ns)
        url = "http://127.0.0.1:%s/api/v1/query?%s" % (port, urllib.parse.urlencode({"query": e}))
        res = json.load(urllib.request.urlopen(url, timeout=5))["data"]["result"]
        if not res:
            bad.append("%s: no series to name" % where)
        for s in res:
            l = s["metric"]
            need = {"container", "key", "name"} & set(l)
            if "kind" in l:
                need.add("kind")
            for n in sorted(need - used):
                if n == "kind" and re.search(KINDS, fmt):
                    continue
                bad.append("%s: legend %r lacks {{%s}}" % (where, fmt, n))
            if "kind" not in need and not re.search(KINDS, fmt) and re.search(r"ipcfs_(?!usage|limit)", e):
                bad.append("%s: legend %r names no kind" % (where, fmt))
            for n in sorted(used - set(l)):
                bad.append("%s: legend %r names {{%s}}, a label its series lack" % (where, fmt, n))
for b in sorted(set(bad)):
    print("# " + b)
sys.exit(1 if bad else 0)
PY
}

# Every age (a query of `time() - ...`) is shown as a duration: a graph's
# unit or a table column's is seconds or a duration, never a plain number.
test_dashboard_shows_ages_as_durations() {
	python3 - "$MON/dashboard.json" <<'PY'
import json, sys
DUR = {"s", "dtdurations", "dthms", "dtdhms"}
bad, n = [], 0
for p in json.load(open(sys.argv[1]))["panels"]:
    fc = p.get("fieldConfig", {})
    def override(matcher, name):
        for o in fc.get("overrides", []):
            if o["matcher"] == {"id": matcher, "options": name}:
                for prop in o["properties"]:
                    if prop["id"] == "unit":
                        return prop["value"]
    for t in p["targets"]:
        if "time() -" not in t["expr"]:
            continue
        n += 1
        if p["type"] == "table":
            col = "Value #%s" % t["refId"] if len(p["targets"]) > 1 else "Value"
            for tr in p.get("transformations", []):
                col = tr.get("options", {}).get("renameByName", {}).get(col, col)
            unit = override("byName", col)
        else:
            unit = override("byFrameRefID", t["refId"]) or fc.get("defaults", {}).get("unit")
        if unit not in DUR:
            bad.append("%s (%s): an age shown in unit %s" % (p["title"], t["refId"], unit))
if n < 3:
    bad.append("only %d ages found" % n)
for b in bad:
    print("# " + b)
sys.exit(1 if bad else 0)
PY
}

# http_json PORT PATH: GET from 127.0.0.1, the body on stdout.
http_json() {
	python3 -c 'import sys, urllib.request
sys.stdout.write(urllib.request.urlopen("http://127.0.0.1:%s%s" % (sys.argv[1], sys.argv[2]), timeout=5).read().decode())' "$1" "$2"
}

# alerts_say TEXT: Prometheus's alerts (on $PROM) hold TEXT.
# (A here-string: grep -q stops early, and under pipefail the writer's
# SIGPIPE would fail a pipe.)
alerts_say() { local a; a=$(http_json "$PROM" /api/v1/alerts 2>/dev/null) && grep -qF -- "$1" <<<"$a"; }

free_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 20000))
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
	done
}

# live_prometheus: node_exporter serving the mount's metrics (written by
# the systemd unit's own command) and Prometheus scraping it every second,
# evaluating the rules with every threshold of age and every `for` made
# zero and subqueries at every second (the rest as shipped); once it has
# scraped, $GROW grows by 300 MiB and the metrics are copied out again, as
# the timer would.  Made once, sets PROM (its port), INSTANCE.
live_prometheus() {
	local ne cmd
	live || return 1
	if [ -e "$WORK/prom" ]; then . "$WORK/prom"; return 0; fi
	ne=$(command -v prometheus-node-exporter || command -v node_exporter || true)
	[ -n "$ne" ] && command -v prometheus >/dev/null ||
		"$ROOT/tools/deps.sh" prometheus prometheus-node-exporter >/dev/null 2>&1
	ne=$(command -v prometheus-node-exporter || command -v node_exporter || true)
	[ -n "$ne" ] && command -v prometheus >/dev/null || skip "prometheus and node_exporter cannot be installed"
	mkdir -p "$WORK/textfile" "$WORK/tsdb"
	cmd=$(sed -n "s/^ExecStart=\/bin\/sh -c '\(.*\)'\$/\1/p" "$ROOT/tools/ipcfs-metrics.service")
	IPCFS_MOUNT=$MNT TEXTFILE_DIR=$WORK/textfile sh -c "$cmd" || return 1
	local neport=$(free_port)
	"$ne" --web.listen-address="127.0.0.1:$neport" --collector.disable-defaults \
		--collector.textfile --collector.textfile.directory="$WORK/textfile" </dev/null >"$WORK/ne.log" 2>&1 &
	track_pid $!
	# `time() - X > N` becomes `> -1`, every `for` 0s, `[6h:5m]` `[6h:1s]`.
	sed -E 's/(time\(\) - (\([^()]*\)|[^ ]+)) > [0-9]+/\1 > -1/; s/(ipcfs_pipes_stuck_seconds\{[^}]*\}) > [0-9]+/\1 > -1/; s/(ipcfs_unix_stuck_seconds\{reason="backlog"\}) > [0-9]+/\1 > -1/; s/for: [0-9]+[smh]/for: 0s/; s/\[6h:5m\]/[6h:1s]/' \
		"$MON/ipcfs.rules.yml" >"$WORK/rules.yml"
	[ "$(grep -c '> -1' "$WORK/rules.yml")" -eq 5 ] || { echo "# the age thresholds were not found"; return 1; }
	grep -q '\[6h:1s\]' "$WORK/rules.yml" || { echo "# the subquery of IpcfsPosixShmGrowing was not found"; return 1; }
	INSTANCE=monitoring-test
	cat >"$WORK/prometheus.yml" <<-EOF
	global: {scrape_interval: 1s, evaluation_interval: 1s}
	rule_files: ['$WORK/rules.yml']
	scrape_configs:
	  - job_name: node
	    static_configs: [{targets: ['127.0.0.1:$neport'], labels: {instance: $INSTANCE}}]
	EOF
	PROM=$(free_port)
	prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/tsdb" \
		--web.listen-address="127.0.0.1:$PROM" </dev/null >"$WORK/prometheus.log" 2>&1 &
	track_pid $!
	# Ready once a rule evaluation has seen a scrape: some alert fires.
	until_true alerts_say '"state":"firing"' || return 1
	# Then the namespace's POSIX shared memory grows (sparse: no memory
	# used), the next copy says so, and once scraped IpcfsPosixShmGrowing fires.
	in_nsm truncate -s $((65536 + (300 << 20))) /dev/shm/$GROW || return 1
	IPCFS_MOUNT=$MNT TEXTFILE_DIR=$WORK/textfile sh -c "$cmd" || return 1
	until_true alerts_say '"alertname":"IpcfsPosixShmGrowing"' || return 1
	save "$WORK/prom" PROM INSTANCE
}

test_prometheus_answers_every_dashboard_query_from_a_live_mount() {
	live_prometheus || return 1
	dashboard_exprs >"$WORK/exprs" || return 1
	python3 - "$PROM" "$WORK/exprs" <<'PY'
import json, sys, urllib.parse, urllib.request
port, bad = sys.argv[1], 0
for e in open(sys.argv[2]).read().splitlines():
    if e.startswith("label_values("):	# Grafana's: the series it reads must exist
        e = "count(%s)" % e[len("label_values("):].split(",")[0]
    url = "http://127.0.0.1:%s/api/v1/query?%s" % (port, urllib.parse.urlencode({"query": e}))
    try:
        r = json.load(urllib.request.urlopen(url, timeout=5))
    except Exception as x:
        print("# %s: %s" % (e, x)); bad = 1; continue
    if r.get("status") != "success" or not r["data"]["result"]:
        print("# no answer to: %s (%s)" % (e, r.get("error", "empty"))); bad = 1
sys.exit(bad)
PY
}

test_prometheus_fires_every_ipc_alert_on_a_live_mount() {
	live_prometheus || return 1
	http_json "$PROM" /api/v1/alerts >"$WORK/alerts.json" || return 1
	http_json "$PROM" /api/v1/rules >"$WORK/rules.json" || return 1
	# The unit exports ns/metrics: every series names its namespace and
	# container (the cgroup of the namespace's first process, ours).
	python3 - "$WORK/alerts.json" "$WORK/rules.json" "$INSTANCE" \
		"$shm1" "$(key 1)" "$mq3" "$(key 3)" "$sem5" "$(key 5)" \
		"$(stat -L -c %i "/proc/$NSPID/ns/ipc")" "$(sed -n 's/^0:://p' "/proc/$NSPID/cgroup")" "$P" \
		"$stuckpipe" "$stucksock" <<'PY'
import json, sys
alerts = json.load(open(sys.argv[1]))["data"]["alerts"]
rules = json.load(open(sys.argv[2]))["data"]["groups"]
inst, shm, shmk, mq, mqk, sem, semk, ns, ct, p, pipe, sock = sys.argv[3:]
where = "%s in container %s (IPC namespace %s)" % (inst, ct, ns)
bad = []
for g in rules:
    for r in g["rules"]:
        if r.get("health") != "ok":
            bad.append("rule %s: %s %s" % (r["name"], r.get("health"), r.get("lastError")))
want = {
    ("IpcfsShmSegmentUnattached", shm):
        "Shared memory segment %s (key %s, owner root) on %s has had no process attached for " % (shm, shmk, where),
    ("IpcfsQueueNearlyFull", mq):
        "Message queue %s (key %s, owner root) on %s is 91.55%% full." % (mq, mqk, where),
    ("IpcfsSemaphoreStuck", sem):
        "Semaphore set %s (key %s, owner root) on %s has 2 waiting process(es) and no semop for over 10 minutes." % (sem, semk, where),
    ("IpcfsNamespaceNearLimit", "shmmni"):
        "IPC namespace %s on %s (container %s) uses 100%% of shmmni." % (ns, inst, ct),
    ("IpcfsNamespaceNearLimit", "mqueue_queues_max"):
        "IPC namespace %s on %s (container %s) uses 100%% of mqueue_queues_max." % (ns, inst, ct),
    ("IpcfsPosixQueueNearlyFull", p + "-full"):
        "POSIX message queue /%s-full (owner root) on %s is 100%% full." % (p, where),
    ("IpcfsPosixQueueNotDrained", p + "-full"):
        "POSIX message queue /%s-full (owner root) on %s has held 10 message(s), none received, for over 30 minutes." % (p, where),
    ("IpcfsPosixQueueNotDrained", p + "-idle"):
        "POSIX message queue /%s-idle (owner root) on %s has held 1 message(s), none received, for over 30 minutes." % (p, where),
    ("IpcfsPosixSemaphoreStuck", p + "-stuck"):
        "POSIX semaphore /%s-stuck (owner root) on %s has had 1 waiting thread(s) and value 0 for over 10 minutes." % (p, where),
    ("IpcfsPosixShmGrowing", ""):
        "POSIX shared memory in IPC namespace %s on %s (container %s) has grown by 300MiB in 6 hours." % (ns, inst, ct),
    ("IpcfsPipelineStalled", pipe):
        "Pipe %s (owner root) on %s has been full with a writer waiting for " % (pipe, where),
    ("IpcfsUnixSocketStuck", sock):
        "Unix socket %s (stream, owner root) on %s has had its backlog full for " % (sock, where),
    ("IpcfsMetricsStale", "ipcfs.prom"):
        "The ipcfs metrics file on %s is " % inst,
}
got = {}
for a in alerts:
    if a["state"] != "firing":
        continue
    l = a["labels"]
    if l.get("ns", ns) != ns:
        continue	# the machine's other namespaces: not this test's objects
    # The object (System V id, POSIX name), the limit, the file, or none.
    what = l.get("id") or l.get("name") or l.get("pipe") or l.get("socket") or l.get("file", "").rsplit("/", 1)[-1]
    got[(l["alertname"], what)] = a["annotations"].get("summary", "")
for k, s in want.items():
    if k not in got:
        bad.append("not firing: %s %s" % k)
    elif not got[k].startswith(s):
        bad.append("%s %s: summary [%s], want [%s...]" % (k + (got[k], s)))
for k in got:
    if k not in want:
        bad.append("firing, and should not: %s %s (%s)" % (k + (got[k],)))
        if k[0] == "IpcfsPipelineStalled":	# who holds it
            import glob, os
            for f in glob.glob("/proc/[0-9]*/fd/*"):
                try:
                    if os.readlink(f) == "pipe:[%s]" % k[1]:
                        pid = f.split("/")[2]
                        bad.append("  held by %s %s" % (pid, open("/proc/%s/cmdline" % pid).read().replace("\0", " ")))
                except OSError:
                    pass
for b in bad:
    print("# " + b)
sys.exit(1 if bad else 0)
PY
}

run_tests
