#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# postgres.sh - PostgreSQL, the best-known user of System V shared memory,
# restarting after a crash while someone reads its segment through ipcfs;
# and its dynamic shared memory (POSIX, shm_open) seen under posix/shm.
#
# After a crash PostgreSQL finds its old segment (postmaster.pid names
# it) and refuses to start while the kernel says anything is attached to
# it ("pre-existing shared memory block ... is still in use").  An open
# `data` must not count: `hexdump` or a monitoring reader holding it would
# otherwise keep the database down.  PostgreSQL (Debian's package, a
# private cluster on a Unix socket in $WORK) is the referee.
. "$(dirname "$0")/../lib.sh"
keyrange 0x1fc592	# nothing of ours is keyed: postgres keys by its data directory
PORT=54329

ipcfs_mount || exit 1

# pg_bin: the newest installed server's bin directory, or nothing.
pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }

# as_pg CMD...: run as the postgres user (pg_ctl and initdb refuse root).
as_pg() { setpriv --reuid=postgres --regid=postgres --init-groups "$@"; }

# gone PID: no such process, or only a zombie (which holds no attachment).
gone() { [ ! -e "/proc/$1" ] || [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = Z ]; }

# pm_line N: line N of the data directory's postmaster.pid (1: the
# postmaster's pid; 7: "shmem-key shmid").
pm_line() { sed -n "$1{s/ *\$//;p}" "$PGDATA/postmaster.pid" 2>/dev/null; }
# pm_up PID: the postmaster PID says it is ready, or it has ended.
pm_up() { [ "$(pm_line 8)" = ready ] || gone "$1"; }

# The server, whatever became of it: stopped, its processes gone, its
# segments (tracked) removed by the teardown.
pg_cleanup() {
	local pm p
	[ -e "$PGDATA/postmaster.pid" ] || return 0
	pm=$(pm_line 1)
	as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w -t 10 stop >/dev/null 2>&1 && return 0
	# Only what this postmaster started, by pid.
	for p in $pm $(ps -o pid= --ppid "$pm" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
	return 0
}

# reader_open PID: PID has its fd 3 open (or has ended: then it never will).
reader_open() { [ -h "/proc/$1/fd/3" ] || gone "$1"; }
# listed_as_in_dev_shm NAME: posix/shm lists NAME (got) exactly when
# /dev/shm has it (want).
listed_as_in_dev_shm() {
	[ -e "/dev/shm/$1" ] && want=yes || want=no
	ls "$MNT/posix/shm" | grep -qxF "$1" && got=yes || got=no
	[ "$want" = "$got" ]
}

test_restart_after_a_crash_while_data_is_open() {
	PGBIN=$(pg_bin)
	[ -n "$PGBIN" ] || "$ROOT/tools/deps.sh" postgres >/dev/null 2>&1
	PGBIN=$(pg_bin)
	[ -n "$PGBIN" ] || skip "PostgreSQL's server (Debian package postgresql) cannot be installed"
	id -u postgres >/dev/null 2>&1 || skip "no postgres user (the package makes one)"
	PGDATA=$WORK/pg/data
	pg_case
	local rc=$?
	[ $rc -ne 0 ] && [ -e "$WORK/pg/log" ] && tail -5 "$WORK/pg/log" | sed 's/^/# postgres: /'
	pg_cleanup
	return $rc
}

pg_case() {
	local dir=$WORK/pg pm shmid kids reader p out nattch fs_nattch attached
	mkdir -p "$dir" && chown postgres: "$dir" || return 1
	as_pg touch "$dir/log" || return 1	# pg_ctl start appends to it as postgres
	as_pg "$PGBIN/initdb" -D "$PGDATA" -A trust -U postgres --no-sync >"$dir/initdb.log" 2>&1 ||
		{ tail -5 "$dir/initdb.log"; return 1; }
	# Only a Unix socket in our directory; dynamic shared memory as files
	# in the data directory, so nothing of it outlives $WORK.
	cat >>"$PGDATA/postgresql.conf" <<-EOF
		listen_addresses = ''
		unix_socket_directories = '$dir'
		port = $PORT
		dynamic_shared_memory_type = mmap
		shared_buffers = 16MB
		max_connections = 10
		fsync = off
	EOF
	# Started directly (setpriv execs it; not through a function, which
	# would run in a subshell), so this shell is its parent
	# and reaps it when killed: a zombie postmaster would still count
	# as running for the next start's lock-file check.
	setpriv --reuid=postgres --regid=postgres --init-groups \
		"$PGBIN/postgres" -D "$PGDATA" </dev/null >>"$dir/log" 2>&1 &
	pm=$!
	track_pid "$pm"
	until_true pm_up "$pm"
	[ "$(pm_line 8)" = ready ] || { echo "# postgres did not start"; return 1; }
	assert_eq "$pm" "$(pm_line 1)" "postmaster pid" || return 1
	shmid=$(pm_line 7 | awk '{print $2}')
	assert_match '^[0-9]+$' "$shmid" "its segment, from postmaster.pid" || return 1
	track_shm "$shmid"
	ipc_exists m "$shmid" || { echo "# no segment $shmid"; return 1; }

	# A reader holds `data` open, as `less` or a monitoring agent would.
	sleep 600 3<"$MNT/shm/$shmid/data" </dev/null >/dev/null 2>&1 &
	reader=$!
	track_pid "$reader"
	until_true reader_open "$reader"
	[ -h "/proc/$reader/fd/3" ] || { echo "# the reader did not open data"; return 1; }
	# Reading does not attach either.
	head -c 16 "$MNT/shm/$shmid/data" >/dev/null || return 1

	# The crash: the postmaster and what it started, by pid.
	kids=$(ps -o pid= --ppid "$pm")
	kill -9 "$pm" $kids
	wait "$pm" 2>/dev/null
	for p in $pm $kids; do
		until_true gone "$p" || { echo "# postgres process $p survived SIGKILL"; return 1; }
	done
	# What PostgreSQL will ask the kernel (nattch), and the mount's view.
	nattch=$(ipcs -m -i "$shmid" | sed -n 's/.*nattch=\([0-9]*\).*/\1/p')
	fs_nattch=$(cat "$MNT/shm/$shmid/nattch")
	attached=$(cat "$MNT/shm/$shmid/attached")

	# PostgreSQL starts again while the reader still has data open.
	out=$(as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -l "$dir/log" -w -t $HANG start 2>&1) ||
		{ echo "# pg_ctl start failed: $out"; grep FATAL "$dir/log" | tail -2; return 1; }
	assert_eq 0 "$nattch" "nattch (ipcs) with data open and postgres dead" || return 1
	assert_eq 0 "$fs_nattch" "nattch through the mount" || return 1
	assert_eq "" "$attached" "attached" || return 1
	[ -h "/proc/$reader/fd/3" ] || { echo "# the reader let go of data"; return 1; }
	track_pid "$(pm_line 1)"
	track_shm "$(pm_line 7 | awk '{print $2}')"
	assert_eq 1 "$(as_pg "$PGBIN/psql" -h "$dir" -p $PORT -U postgres -At -c 'select 1' postgres 2>&1)" \
		"psql select 1" || return 1
	# The old segment was postgres's to remove, and it did.
	ipc_exists m "$shmid" && { echo "# postgres left its old segment $shmid"; return 1; }
	return 0
}

# PostgreSQL's default dynamic shared memory is POSIX: a control segment
# /dev/shm/PostgreSQL.N made at startup and mapped by the postmaster and
# every backend, and more segments made by parallel queries.  Through the
# mount: the same names as /dev/shm, the same size, and `attached` naming
# exactly the processes whose maps show the file (the kernel's answer).
test_dynamic_shared_memory_is_listed_with_its_users() {
	PGBIN=$(pg_bin)
	[ -n "$PGBIN" ] || "$ROOT/tools/deps.sh" postgres >/dev/null 2>&1
	PGBIN=$(pg_bin)
	[ -n "$PGBIN" ] || skip "PostgreSQL's server (Debian package postgresql) cannot be installed"
	id -u postgres >/dev/null 2>&1 || skip "no postgres user (the package makes one)"
	PGDATA=$WORK/pgdsm/data
	dsm_case
	local rc=$?
	pg_cleanup
	# What this server made and left (a failed run): the names that were
	# not there before it started.
	comm -13 "$WORK/dsm.before" <(ls /dev/shm | grep '^PostgreSQL\.' | sort) 2>/dev/null |
		while read -r f; do rm -f "/dev/shm/$f"; done
	return $rc
}

dsm_case() {
	local dir=$WORK/pgdsm pm names name want got
	mkdir -p "$dir" && chown postgres: "$dir" || return 1
	as_pg "$PGBIN/initdb" -D "$PGDATA" -A trust -U postgres --no-sync >"$dir/initdb.log" 2>&1 ||
		{ tail -5 "$dir/initdb.log"; return 1; }
	cat >>"$PGDATA/postgresql.conf" <<-EOF
		listen_addresses = ''
		unix_socket_directories = '$dir'
		port = $PORT
		dynamic_shared_memory_type = posix
		shared_buffers = 16MB
		max_connections = 10
		fsync = off
	EOF
	ls /dev/shm | grep '^PostgreSQL\.' | sort >"$WORK/dsm.before"
	setpriv --reuid=postgres --regid=postgres --init-groups \
		"$PGBIN/postgres" -D "$PGDATA" </dev/null >>"$dir/log" 2>&1 &
	pm=$!
	track_pid "$pm"
	until_true pm_up "$pm"
	[ "$(pm_line 8)" = ready ] || { echo "# postgres did not start"; return 1; }
	track_shm "$(pm_line 7 | awk '{print $2}')"
	names=$(comm -13 "$WORK/dsm.before" <(ls /dev/shm | grep '^PostgreSQL\.' | sort))
	[ -n "$names" ] || { echo "# postgres made no POSIX segment"; return 1; }
	for name in $names; do
		[ -d "$MNT/posix/shm/$name" ] || { echo "# $name is not in posix/shm"; ls "$MNT/posix/shm"; return 1; }
		assert_eq "$(stat -c %s "/dev/shm/$name")" "$(cat "$MNT/posix/shm/$name/size")" "size of $name" || return 1
		assert_eq "$(stat -c '%U %a' "/dev/shm/$name")" "$(stat -c '%U %a' "$MNT/posix/shm/$name")" \
			"owner and mode of $name" || return 1
		# The kernel's answer: processes whose maps show the file (again
		# if a backend came or went between the two looks).
		for _ in 1 2 3; do
			want=$(for p in /proc/[0-9]*; do
				grep -qs " /dev/shm/$name\$" "$p/maps" && echo "${p#/proc/}"
			done | sort -n | tr '\n' ' ')
			got=$(awk '{print $1}' "$MNT/posix/shm/$name/attached" | sort -n | tr '\n' ' ')
			[ "$want" = "$got" ] && break
		done
		assert_eq "$want" "$got" "processes mapping $name" || return 1
		[ -n "$got" ] || { echo "# nobody maps $name"; return 1; }
		assert_eq "" "$(awk '$2 != "postgres"' "$MNT/posix/shm/$name/attached")" \
			"commands other than postgres" || return 1
		figure "postgres: $name, $(cat "$MNT/posix/shm/$name/size") bytes, mapped by $(echo $got | wc -w) processes"
	done
	as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w -t $HANG stop >/dev/null 2>&1 || { echo "# pg_ctl stop failed"; return 1; }
	# Listed exactly while the file is there (a name the kernel looked up
	# is cached for timeout=1 s; ls reads the directory anew).
	for name in $names; do
		until_true listed_as_in_dev_shm "$name"
		assert_eq "$want" "$got" "$name listed after the stop, as in /dev/shm" || return 1
	done
	return 0
}

run_tests
