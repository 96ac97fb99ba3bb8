// SPDX-License-Identifier: GPL-2.0-or-later
/* test_pipes.c - what pipes.c reads of /proc (fd links and their modes,
 * wchan, syscall lines) and how pipes and FIFOs are named. */
#include "../../backends/pipes_parse.h"

#include <errno.h>
#include <string.h>
#include <sys/syscall.h>

void pipes_tests(void);

static void link_ino(void)
{
	uint64_t ino = 0;

	g_assert_cmpint(pipes_link_ino("pipe:[2976736]", &ino), ==, 0);
	g_assert_cmpuint(ino, ==, 2976736);
	g_assert_cmpint(pipes_link_ino("pipe:[0]", &ino), ==, 0);
	g_assert_cmpint(pipes_link_ino("socket:[12]", &ino), ==, -EINVAL);
	g_assert_cmpint(pipes_link_ino("pipe:[]", &ino), ==, -EINVAL);
	g_assert_cmpint(pipes_link_ino("pipe:[12", &ino), ==, -EINVAL);
	g_assert_cmpint(pipes_link_ino("pipe:[012]", &ino), ==, -EINVAL);
	g_assert_cmpint(pipes_link_ino("pipe:[1x]", &ino), ==, -EINVAL);
	g_assert_cmpint(pipes_link_ino("pipe:[99999999999999999999]", &ino), ==, -EINVAL);
	g_assert_cmpint(pipes_link_ino("/tmp/pipe:[1]", &ino), ==, -EINVAL);
}

static void link_mode(void)
{
	/* The fd link's own mode: lr-x read, l-wx write, lrwx both, l--- O_PATH. */
	g_assert_cmpuint(pipes_link_mode(S_IFLNK | 0500), ==, PIPES_END_R);
	g_assert_cmpuint(pipes_link_mode(S_IFLNK | 0300), ==, PIPES_END_W);
	g_assert_cmpuint(pipes_link_mode(S_IFLNK | 0700), ==, PIPES_END_R | PIPES_END_W);
	g_assert_cmpuint(pipes_link_mode(S_IFLNK | 0000), ==, 0);
	g_assert_cmpstr(pipes_mode_name(PIPES_END_R), ==, "r");
	g_assert_cmpstr(pipes_mode_name(PIPES_END_W), ==, "w");
	g_assert_cmpstr(pipes_mode_name(PIPES_END_R | PIPES_END_W), ==, "rw");
}

static void wchan(void)
{
	g_assert_cmpint(pipes_wchan_wait("anon_pipe_write"), ==, PIPES_WAIT_WRITE);
	g_assert_cmpint(pipes_wchan_wait("pipe_write\n"), ==, PIPES_WAIT_WRITE);
	g_assert_cmpint(pipes_wchan_wait("anon_pipe_read"), ==, PIPES_WAIT_READ);
	g_assert_cmpint(pipes_wchan_wait("pipe_read"), ==, PIPES_WAIT_READ);
	g_assert_cmpint(pipes_wchan_wait("pipe_wait_readable"), ==, PIPES_WAIT_READ);
	g_assert_cmpint(pipes_wchan_wait("pipe_wait_writable"), ==, PIPES_WAIT_WRITE);
	g_assert_cmpint(pipes_wchan_wait("wait_for_partner"), ==, PIPES_WAIT_OPEN);
	g_assert_cmpint(pipes_wchan_wait("0"), ==, PIPES_WAIT_NONE);
	g_assert_cmpint(pipes_wchan_wait("do_wait"), ==, PIPES_WAIT_NONE);
	/* A prefix is no match. */
	g_assert_cmpint(pipes_wchan_wait("pipe_rea"), ==, PIPES_WAIT_NONE);
	g_assert_cmpint(pipes_wchan_wait("pipe_readx"), ==, PIPES_WAIT_NONE);
	g_assert_cmpstr(pipes_wait_name(PIPES_WAIT_WRITE), ==, "write");
	g_assert_cmpstr(pipes_wait_name(PIPES_WAIT_NONE), ==, "-");
}

static void syscall_line(void)
{
	long nr = 0;
	uint64_t a0 = 0;

	g_assert_cmpint(pipes_syscall_parse("1 0x1 0x55d0a321f970 0x2000 0x0 0x0 0x0 0x7ffd 0x7f00\n",
					    &nr, &a0), ==, 0);
	g_assert_cmpint(nr, ==, 1);
	g_assert_cmpuint(a0, ==, 1);
	g_assert_cmpint(pipes_syscall_fd(nr, a0), ==, 1);
	g_assert_cmpint(pipes_syscall_parse("0 0x3 0x7ffd 0x1 0x0 0x0 0x0 0x7ffd 0x7f00", &nr, &a0), ==, 0);
	g_assert_cmpint(pipes_syscall_fd(nr, a0), ==, 3);
	g_assert_cmpint(pipes_syscall_parse("running", &nr, &a0), ==, -EINVAL);
	g_assert_cmpint(pipes_syscall_parse("-1 0x7ffd 0x7f00", &nr, &a0), ==, -EINVAL);
	g_assert_cmpint(pipes_syscall_parse("", &nr, &a0), ==, -EINVAL);
	/* openat waits for a FIFO's partner: its argument 0 is no descriptor. */
	g_assert_cmpint(pipes_syscall_parse("257 0xffffff9c 0x55d0 0x241", &nr, &a0), ==, 0);
	g_assert_cmpint(pipes_syscall_fd(nr, a0), ==, -1);
	g_assert_cmpint(pipes_syscall_fd(SYS_splice, 5), ==, 5);
	g_assert_cmpint(pipes_syscall_fd(SYS_write, 0xffffffffffull), ==, -1);
}

static void names(void)
{
	char buf[64];
	uint64_t ino = 0;
	unsigned maj = 0, min = 0;

	g_assert_true(pipes_path_name("/tmp/jobs.fifo", buf, sizeof(buf)));
	g_assert_cmpstr(buf, ==, "tmp%2Fjobs.fifo");
	g_assert_true(pipes_path_name("/a%b/c", buf, sizeof(buf)));
	g_assert_cmpstr(buf, ==, "a%25b%2Fc");
	g_assert_false(pipes_path_name("/", buf, sizeof(buf)));
	g_assert_false(pipes_path_name("/0123456789", buf, 10));
	g_assert_true(pipes_path_name("/0123456789", buf, 11));
	g_assert_false(pipes_path_name("/a/b", buf, 5));
	pipes_fifo_name(10953138, 254, 0, buf, sizeof(buf));
	g_assert_cmpstr(buf, ==, "10953138@254:0");
	g_assert_cmpint(pipes_parse_fifo_name(buf, &ino, &maj, &min), ==, 0);
	g_assert_cmpuint(ino, ==, 10953138);
	g_assert_cmpuint(maj, ==, 254);
	g_assert_cmpuint(min, ==, 0);
	g_assert_cmpint(pipes_parse_fifo_name("12", &ino, &maj, &min), ==, -ENOENT);
	g_assert_cmpint(pipes_parse_fifo_name("12@254", &ino, &maj, &min), ==, -ENOENT);
	g_assert_cmpint(pipes_parse_fifo_name("012@254:0", &ino, &maj, &min), ==, -ENOENT);
	g_assert_cmpint(pipes_parse_fifo_name("12@254:", &ino, &maj, &min), ==, -ENOENT);
	g_assert_cmpint(pipes_parse_fifo_name("@254:0", &ino, &maj, &min), ==, -ENOENT);
	g_assert_cmpint(pipes_parse_fifo_name("12@4294967296:0", &ino, &maj, &min), ==, -ENOENT);
}

void pipes_tests(void)
{
	g_test_add_func("/pipes/parse/fd-link-inode", link_ino);
	g_test_add_func("/pipes/parse/fd-link-mode-is-open-mode", link_mode);
	g_test_add_func("/pipes/parse/wchan-names-of-pipe-waits", wchan);
	g_test_add_func("/pipes/parse/syscall-line-and-its-fd", syscall_line);
	g_test_add_func("/pipes/names/fifo-and-by-path", names);
}
