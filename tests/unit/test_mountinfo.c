// SPDX-License-Identifier: GPL-2.0-or-later
/* test_mountinfo.c - backends/posix.c's reading of /proc/PID/mountinfo
 * lines, which decides whether a container's /dev/shm is a whole tmpfs. */
#include "../../backends/posix.h"

#include <errno.h>
#include <glib.h>

void mountinfo_tests(void);

static void parses_a_whole_tmpfs(void)
{
	char line[] = "1205 1190 0:112 / /dev/shm rw,nosuid,nodev,relatime shared:600 - tmpfs shm "
		      "rw,size=65536k,uid=100000\n";
	struct posix_mountinfo m;

	g_assert_cmpint(posix_mountinfo_parse(line, &m), ==, 0);
	g_assert_cmpuint(m.id, ==, 1205);
	g_assert_cmpuint(m.major, ==, 0);
	g_assert_cmpuint(m.minor, ==, 112);
	g_assert_cmpstr(m.root, ==, "/");
	g_assert_cmpstr(m.point, ==, "/dev/shm");
	g_assert_cmpstr(m.fstype, ==, "tmpfs");
}

/* A bind mount of a subdirectory, whose names hold escaped blanks; and
 * no optional fields at all. */
static void parses_a_bound_subdirectory_with_escapes(void)
{
	char line[] = "77 60 0:25 /secret\\040dir /dev/shm rw - tmpfs tmpfs rw";
	struct posix_mountinfo m;

	g_assert_cmpint(posix_mountinfo_parse(line, &m), ==, 0);
	g_assert_cmpstr(m.root, ==, "/secret dir");
	g_assert_cmpstr(m.point, ==, "/dev/shm");
	g_assert_cmpstr(m.fstype, ==, "tmpfs");
}

static void rejects_what_is_not_a_line(void)
{
	char none[] = "", short_line[] = "77 60 0:25 / /dev/shm rw", no_dash[] = "1 2 0:3 / /x rw a b",
	     bad_dev[] = "1 2 zero / /x rw - tmpfs t rw";
	struct posix_mountinfo m;

	g_assert_cmpint(posix_mountinfo_parse(none, &m), ==, -EINVAL);
	g_assert_cmpint(posix_mountinfo_parse(short_line, &m), ==, -EINVAL);
	g_assert_cmpint(posix_mountinfo_parse(no_dash, &m), ==, -EINVAL);
	g_assert_cmpint(posix_mountinfo_parse(bad_dev, &m), ==, -EINVAL);
}

void mountinfo_tests(void)
{
	g_test_add_func("/posix/mountinfo/whole-tmpfs", parses_a_whole_tmpfs);
	g_test_add_func("/posix/mountinfo/bound-subdirectory-escaped",
			parses_a_bound_subdirectory_with_escapes);
	g_test_add_func("/posix/mountinfo/rejects-non-lines", rejects_what_is_not_a_line);
}
