#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# runner.sh - the test runner itself (tests/run.sh) must not report green
# for a script that never ran its tests.  Referee: the runner's exit status
# and its last line, for made-up scripts in a directory of their own
# (INTEGRATION_DIR), each sourcing tests/lib.sh as the real ones do.
. "$(dirname "$0")/../lib.sh"
require_fuse_root
keyrange 0x1fc5e6

# fake NAME BODY: a script in $WORK/scripts that sources the real lib.sh.
fake() {
	mkdir -p "$WORK/scripts"
	{
		echo '#!/bin/bash'
		echo ". $TESTS_DIR/lib.sh"
		printf '%s\n' "$2"
	} >"$WORK/scripts/$1.sh"
}

# runner: tests/run.sh over $WORK/scripts; prints its output, then its status.
runner() {
	local out rc
	out=$(cd "$ROOT" && env -u TALLY INTEGRATION_DIR="$WORK/scripts" FUZZ_SECONDS=0 RESULTS= \
		tests/run.sh fake 2>&1)
	rc=$?
	printf '%s\nstatus %s\n' "$out" "$rc"
}

test_a_passing_script_passes() {
	rm -rf "$WORK/scripts"
	fake fake_ok 'test_one() { true; }
run_tests'
	out=$(runner)
	assert_match '^1 passed, 0 failed$' "$out" "last line" &&
		assert_match '^status 0$' "$out" "runner status"
}

test_a_failing_test_fails_the_run() {
	rm -rf "$WORK/scripts"
	fake fake_bad 'test_one() { false; }
run_tests'
	out=$(runner)
	assert_match '^0 passed, 1 failed$' "$out" "last line" &&
		assert_match '^status 1$' "$out" "runner status"
}

# The hole: the teardown writes its RESULT line (0 passed, 0 failed) even
# when the script stops before its tests, as when the mount fails.
test_a_script_whose_mount_fails_fails_the_run() {
	rm -rf "$WORK/scripts"
	fake fake_nomount 'ipcfs_mount -o no_such_option=1 || exit 1
test_never_runs() { true; }
run_tests'
	out=$(runner)
	assert_match 'not ok - fake_nomount: the script exited with status 1' "$out" "report" &&
		assert_match '^0 passed, 1 failed$' "$out" "last line" &&
		assert_match '^status 1$' "$out" "runner status"
}

test_a_script_that_dies_after_passing_tests_fails_the_run() {
	rm -rf "$WORK/scripts"
	fake fake_dies 'test_one() { true; }
run_tests
rm -rf "$WORK"
kill -9 $$'
	out=$(runner)
	assert_match '^0 passed, 1 failed$' "$out" "last line" &&
		assert_match '^status 1$' "$out" "runner status"
}

test_a_script_skipped_for_the_machine_is_counted_as_skipped() {
	rm -rf "$WORK/scripts"
	fake fake_skip 'skip_script "no /dev/fuse on this machine"
test_never_runs() { true; }
run_tests'
	out=$(runner)
	assert_match '^ok - fake_skip # SKIP no /dev/fuse on this machine$' "$out" "report" &&
		assert_match '^0 passed, 0 failed, 1 skipped$' "$out" "last line" &&
		assert_match '^status 0$' "$out" "runner status"
}

# A test that goes on after a failed assertion, and returns 0.
test_an_assertion_whose_status_is_dropped_still_fails_the_test() {
	rm -rf "$WORK/scripts"
	fake fake_dropped 'test_one() { assert_eq 1 2 "a mid-test check"; true; }
test_two() { assert_eq 1 1 "a good check"; true; }
run_tests'
	out=$(runner)
	assert_match 'not ok 1 - fake_dropped: one' "$out" "report" &&
		assert_match '^1 passed, 1 failed$' "$out" "last line" &&
		assert_match '^status 1$' "$out" "runner status"
}

# `exit 0` before run_tests: nothing was tested, which is no pass.
test_a_script_that_exits_0_before_its_tests_fails_the_run() {
	rm -rf "$WORK/scripts"
	fake fake_early 'exit 0
test_never_runs() { true; }
run_tests'
	out=$(runner)
	assert_match 'not ok - fake_early: ' "$out" "report" &&
		assert_match '^0 passed, 1 failed$' "$out" "last line" &&
		assert_match '^status 1$' "$out" "runner status"
}

# A script that does not source lib.sh and exits 0 at once, with no
# RESULT line at all.
test_a_script_that_runs_no_test_fails_the_run() {
	rm -rf "$WORK/scripts"
	mkdir -p "$WORK/scripts"
	printf '#!/bin/bash\nexit 0\n' >"$WORK/scripts/fake_empty.sh"
	out=$(runner)
	assert_match 'not ok - fake_empty: the script ran no test' "$out" "report" &&
		assert_match '^0 passed, 1 failed$' "$out" "last line" &&
		assert_match '^status 1$' "$out" "runner status"
}

# The unit binary's status counts, not only its TAP lines: LeakSanitizer
# reports at exit, after every "ok".
test_a_unit_binary_that_exits_non_zero_fails_the_run() {
	mkdir -p "$WORK/fakebuild" "$WORK/noscripts"
	printf '#!/bin/sh\necho 1..1\necho "ok 1 /x"\necho "==1==ERROR: LeakSanitizer: detected memory leaks" >&2\nexit 23\n' \
		>"$WORK/fakebuild/test-unit"
	chmod +x "$WORK/fakebuild/test-unit"
	out=$(cd "$ROOT" && env -u TALLY BUILD="$WORK/fakebuild" INTEGRATION_DIR="$WORK/noscripts" \
		FUZZ_SECONDS=0 RESULTS= tests/run.sh 2>&1)
	rc=$?
	assert_match 'test-unit exited with status 23' "$out" "report" &&
		assert_match '^1 passed, 1 failed$' "$out" "last line" &&
		assert_eq 1 "$rc" "runner status"
}

# A fuzz harness that did not compile, where clang is: a failure, not a
# skip.  Without clang, a skip that says so.
test_a_fuzz_harness_that_did_not_build_fails_unless_clang_is_missing() {
	local n
	mkdir -p "$WORK/nofuzz"
	n=$(ls "$ROOT"/tests/fuzz/fuzz_*.c | wc -l)
	out=$(cd "$ROOT" && FUZZ_DIR="$WORK/nofuzz" FUZZ_CC=/usr/bin/cc RESULTS= tests/fuzz/run.sh 2>&1)
	rc=$?
	assert_match "not ok 1 - fuzz: .*not built" "$out" "report" &&
		assert_match "; 0 passed, $n failed, 0 skipped" "$out" "summary" &&
		assert_eq 1 "$rc" "status" || return 1
	out=$(cd "$ROOT" && FUZZ_DIR="$WORK/nofuzz" FUZZ_CC= RESULTS= tests/fuzz/run.sh 2>&1)
	rc=$?
	assert_match "ok 1 - fuzz: .* # SKIP not built: no clang" "$out" "report" &&
		assert_match "; 0 passed, 0 failed, $n skipped" "$out" "summary" &&
		assert_eq 0 "$rc" "status"
}

# A run killed before its teardown (a stopped session, a timeout) leaves
# its keyed objects; the next run of that script must not fail on them.
test_a_killed_runs_objects_are_removed_at_the_next_start() {
	local id
	rm -rf "$WORK/scripts"
	id=$("$BUILD/mqtool" create 0x1fc5e701 600) || return 1
	track_mq "$id"
	fake fake_keys 'keyrange 0x1fc5e7
test_makes_its_first_key() { "$BUILD/mqtool" create "$(key 1)" 600 >/dev/null; }
run_tests'
	out=$(runner)
	assert_match 'removing 1 objects an earlier, killed run left in keys 0x1fc5e7xx' "$out" "said" &&
		assert_match '^1 passed, 0 failed$' "$out" "last line" &&
		assert_eq "" "$(ipcs -q | awk 'tolower($1) == "0x1fc5e701"')" "the queue the fake made, removed at its exit"
}

# Scripts run one after another, but a key range shared by two would make
# one remove the other's leftovers as its own.
test_every_script_has_a_key_range_of_its_own() {
	local f ranges dup
	ranges=$(for f in "$TESTS_DIR"/integration/*.sh; do
		grep -m1 -o '^keyrange 0x[0-9a-f]*' "$f" | sed "s|^keyrange |$(basename "$f") |"
	done)
	dup=$(printf '%s\n' "$ranges" | awk '{ n[$2]++; s[$2] = s[$2] " " $1 } END { for (r in n) if (n[r] > 1) print r ":" s[r] }')
	figure "runner: $(printf '%s\n' "$ranges" | wc -l) scripts with a key range"
	assert_eq "" "$dup" "ranges used by more than one script"
}

run_tests
