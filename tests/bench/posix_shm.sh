#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# posix_shm.sh - posix/shm/ against tmpfs itself (/dev/shm, the floor), in
# one run, interleaved (the order flips every run) so that a noisy shared
# machine moves both sides alike.  Prints one line per figure:
#
#   NAME: ipcfs MEDIAN, native MEDIAN, ratio MEDIAN-OF-PER-RUN-RATIOS
#
#   ls -l 4000     ls -l posix/shm       vs  ls -l /dev/shm, 4,000 objects,
#                  with the default mount (names and attributes cached for
#                  timeout=1 s, as users get it) and with timeout=0 (every
#                  name looked up and stat'ed anew: the daemon's own cost)
#
# (data's figures, `cat` of 64 MiB among them, are rows of bench.sh's table.)
#
# BENCH_RUNS (7), BENCH_PSHM_N (4000).  It mounts its own
# ipcfs, makes objects named ipcfs-bench-pshm-*, and on exit (normal, INT,
# TERM) unmounts, ends its daemon (by pid) and removes exactly those.
set -u
NAME=pshm
BENCH_RUNS=${BENCH_RUNS:-7}
N=${BENCH_PSHM_N:-4000}
P=ipcfs-bench-pshm-
bench_cleanup() { local i; for ((i = 0; i < N; i++)); do rm -f "/dev/shm/$P$i"; done; }
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
MNT0=$WORK/mnt0

bench_mount "$MNT"
bench_mount "$MNT0" -o timeout=0

# row NAME UNIT DIVISOR IPCFS_CMD -- NATIVE_CMD
row() {
	local name=$1 unit=$2 div=$3 i a b fs=() nat=()
	shift 3
	local -a cf=() cn=()
	while [ "$1" != -- ]; do cf+=("$1"); shift; done
	shift
	cn=("$@")
	"${cf[@]}" >/dev/null; "${cn[@]}" >/dev/null	# warm both
	: >"$WORK/ratios"
	for ((i = 0; i < RUNS; i++)); do
		if ((i % 2)); then
			a=$(ns "${cf[@]}"); b=$(ns "${cn[@]}")
		else
			b=$(ns "${cn[@]}"); a=$(ns "${cf[@]}")
		fi
		fs+=("$a") nat+=("$b")
		awk -v a="$a" -v b="$b" 'BEGIN {printf "%.3f\n", a / b}' >>"$WORK/ratios"
	done
	printf '%s: ipcfs %s, native %s, ratio %s\n' "$name" \
		"$(printf '%s\n' "${fs[@]}" | median | awk -v d="$div" -v u="$unit" '{printf "%.1f %s", $1 / d, u}')" \
		"$(printf '%s\n' "${nat[@]}" | median | awk -v d="$div" -v u="$unit" '{printf "%.1f %s", $1 / d, u}')" \
		"$(median <"$WORK/ratios")"
}

for ((i = 0; i < N; i++)); do : >"/dev/shm/$P$i"; done
row "posix/shm: ls -l of $N objects" ms 1000000 \
	ls -l "$MNT/posix/shm" -- ls -l /dev/shm
row "posix/shm: ls -l of $N objects, timeout=0" ms 1000000 \
	ls -l "$MNT0/posix/shm" -- ls -l /dev/shm
