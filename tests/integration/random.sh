#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# random.sh - a seeded random sequence of file operations, sensible and
# nonsensical, from several processes at once (three as root, one as
# nobody) against one live mount; see tests/helpers/randops.c for what
# each does and checks.  Afterwards the daemon is up, its log is clean, each
# process's model of its own objects equals what the kernel holds (bytes,
# values, messages with their types, modes, limits), the keys the kernel
# lists in our range are exactly the objects the models hold, and the
# shared semaphore and queue add up to the V/P and sends/receives that
# succeeded.
#
#   RANDOM_SEED=N   repeat a run (the seed is printed); RANDOM_OPS, RANDOM_SECONDS
. "$(dirname "$0")/../lib.sh"
keyrange 0x1fc5d4
RO=$BUILD/randops
MQTOOL=$BUILD/mqtool
SEMTOOL=$BUILD/semtool
SEED=${RANDOM_SEED:-$(date +%s)}
OPS=${RANDOM_OPS:-8000}
SECS=${RANDOM_SECONDS:-40}

# timeout=0: the processes remove and re-create objects under the same
# keys and use every name of them; with the default 1 s of caching, a name
# used before a key was reused may still lead to the removed object for
# that second (which is what `timeout` means).
ipcfs_mount -o sem_nsems=3,timeout=0 || exit 1

test_random_operations_from_four_processes() {
	local ssem smq i pids=() base out stats ops=0 wrong=0 unexp=0 checked=0 nonsense=0
	local v=0 p=0 sent=0 recv=0 rc=0
	ssem=$("$SEMTOOL" create "$(key 240)" 1 666) || return 1
	"$SEMTOOL" setval "$ssem" 0 1000 || return 1
	smq=$("$MQTOOL" create "$(key 241)" 666) || return 1
	mkdir -m 777 "$WORK/out"
	figure "random: seed $SEED (RANDOM_SEED=$SEED to repeat), up to $OPS operations per process"
	for i in 0 1 2 3; do
		base=$(key $((i * 32)))
		if [ "$i" -eq 3 ]; then
			$NOBODY env RANDOPS_SEM_NSEMS=3 "$RO" "$MNT" "$base" $((SEED + i)) "$OPS" "$SECS" \
				"$ssem" "$smq" "$WORK/out/$i" >"$WORK/out/$i.log" 2>&1 &
		else
			RANDOPS_SEM_NSEMS=3 "$RO" "$MNT" "$base" $((SEED + i)) "$OPS" "$SECS" \
				"$ssem" "$smq" "$WORK/out/$i" >"$WORK/out/$i.log" 2>&1 &
		fi
		pids+=($!)
		track_pid $!
	done
	for i in 0 1 2 3; do
		wait "${pids[$i]}" || rc=1
		# the private objects it made, for the cleanup whatever happened
		[ -e "$WORK/out/$i.private" ] && while read -r k id; do
			case $k in shm) track_shm "$id" ;; sem) track_sem "$id" ;; mq) track_mq "$id" ;; esac
		done <"$WORK/out/$i.private"
	done
	for i in 0 1 2 3; do
		stats=$(sed -n 's/^stats //p' "$WORK/out/$i")
		[ -n "$stats" ] || { echo "# process $i left no stats:"; tail -5 "$WORK/out/$i.log"; return 1; }
		read -r a b c d e <<<"$stats"
		ops=$((ops + a)) wrong=$((wrong + b)) unexp=$((unexp + c))
		checked=$((checked + d)) nonsense=$((nonsense + e))
		read -r a b c d < <(sed -n 's/^shared //p' "$WORK/out/$i")
		v=$((v + a)) p=$((p + b)) sent=$((sent + c)) recv=$((recv + d))
	done
	figure "random: $ops operations by 4 processes: $checked outcomes checked against the model," \
		"$nonsense nonsense operations; $wrong wrong, $unexp unexpected errors"
	if [ "$rc" -ne 0 ] || [ "$wrong" -ne 0 ] || [ "$unexp" -ne 0 ]; then
		grep -h -m 10 -E 'WRONG|UNEXPECTED|usage|Permission' "$WORK"/out/*.log | sed 's/^/# /'
		return 1
	fi
	# The shared objects add up.
	assert_eq $((1000 + v - p)) "$("$SEMTOOL" getval "$ssem" 0)" "shared semaphore: 1000 + $v V - $p P" ||
		return 1
	assert_eq $((sent - recv)) "$("$MQTOOL" count "$smq")" "shared queue: $sent sent - $recv received" ||
		return 1
	# What the kernel lists in our range is what the models hold.
	cat "$WORK"/out/[0-3] | awk '$1 == "live" && $2 != "private" {print $2, $3}' | sort >"$WORK/want"
	for k in m s q; do
		ipcs -"$k" | awk -v p="0x$KEYPFX" -v k="$k" 'tolower(substr($1, 1, 8)) == p {print $1, k}'
	done | sed 's/ m$/ shm/; s/ s$/ sem/; s/ q$/ mq/' |
		grep -v -e "^$(key 240) " -e "^$(key 241) " | sort >"$WORK/have"
	if ! cmp -s "$WORK/want" "$WORK/have"; then
		echo "# the kernel's objects in our range differ from the models':"
		diff "$WORK/want" "$WORK/have" | head -10 | sed 's/^/#   /'
		return 1
	fi
	figure "random: $(wc -l <"$WORK/want") keyed objects left, as the models say;" \
		"shared: $v V, $p P, $sent sent, $recv received, all accounted for"
	assert_alive
}

run_tests
