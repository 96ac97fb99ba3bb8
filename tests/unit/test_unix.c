// SPDX-License-Identifier: GPL-2.0-or-later
/* test_unix.c - unix_diag answers as the kernel sends them (built here
 * byte by byte), and the names unix/ shows for names, types and states. */
#include "../../backends/unix_parse.h"

#include <errno.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/sysmacros.h>

void unix_tests(void);

/* An answer under construction: the message, then attributes. */
struct msg {
	char buf[1024];
	size_t len;
};

static void msg_start(struct msg *m, uint8_t type, uint8_t state, uint32_t ino)
{
	struct unix_diag_msg d = { .udiag_family = AF_UNIX, .udiag_type = type,
				   .udiag_state = state, .udiag_ino = ino };

	memset(m, 0, sizeof(*m));
	memcpy(m->buf, &d, sizeof(d));
	m->len = NLMSG_ALIGN(sizeof(d));
}

static void msg_attr(struct msg *m, unsigned short type, const void *data, size_t len)
{
	struct rtattr a = { .rta_len = (unsigned short)RTA_LENGTH(len), .rta_type = type };

	memcpy(m->buf + m->len, &a, sizeof(a));
	memcpy(m->buf + m->len + RTA_LENGTH(0), data, len);
	m->len += RTA_ALIGN(a.rta_len);
}

static void parse_listener(void)
{
	g_autoptr(GString) names = g_string_new_len("", 1);
	g_autoptr(GArray) icons = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	struct unix_diag_vfs vfs = { .udiag_vfs_ino = 10953125, .udiag_vfs_dev = (254u << 20) | 3 };
	struct unix_diag_rqlen q = { .udiag_rqueue = 3, .udiag_wqueue = 2 };
	uint32_t clients[3] = { 501, 502, 503 }, uid = 1000;
	uint8_t shut = 0;
	struct unix_sock u;
	struct msg m;

	msg_start(&m, SOCK_STREAM, 10, 4242);
	msg_attr(&m, UNIX_DIAG_NAME, "/tmp/app.sock", 13);
	msg_attr(&m, UNIX_DIAG_VFS, &vfs, sizeof(vfs));
	msg_attr(&m, UNIX_DIAG_ICONS, clients, sizeof(clients));
	msg_attr(&m, UNIX_DIAG_RQLEN, &q, sizeof(q));
	msg_attr(&m, UNIX_DIAG_SHUTDOWN, &shut, 1);
	msg_attr(&m, UNIX_DIAG_UID, &uid, sizeof(uid));
	g_assert_cmpint(unix_diag_parse(m.buf, m.len, &u, names, icons), ==, 0);
	g_assert_cmpuint(u.ino, ==, 4242);
	g_assert_cmpuint(u.type, ==, SOCK_STREAM);
	g_assert_cmpstr(unix_type_name(u.type), ==, "stream");
	g_assert_cmpstr(unix_state_name(u.state), ==, "listening");
	g_assert_cmpuint(u.peer, ==, 0);
	g_assert_cmpstr(names->str + u.name, ==, "/tmp/app.sock");
	g_assert_cmpuint(u.vfs_ino, ==, 10953125);
	g_assert_cmpuint(major(unix_vfs_dev(u.vfs_dev)), ==, 254);
	g_assert_cmpuint(minor(unix_vfs_dev(u.vfs_dev)), ==, 3);
	g_assert_cmpuint(u.nicons, ==, 3);
	g_assert_cmpuint(g_array_index(icons, uint32_t, u.icons + 2), ==, 503);
	g_assert_cmpuint(u.rq, ==, 3);
	g_assert_cmpuint(u.wq, ==, 2);
	g_assert_true(unix_backlog_full(&u));
	g_assert_cmpuint(u.uid, ==, 1000);
	g_assert_true(u.flags & UNIX_SOCK_HAS_UID);
	/* 2 queued of a backlog of 2: one more still gets in. */
	u.rq = 2;
	g_assert_false(unix_backlog_full(&u));
}

static void parse_pair_and_errors(void)
{
	g_autoptr(GString) names = g_string_new_len("", 1);
	g_autoptr(GArray) icons = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	uint32_t peer = 77;
	struct unix_sock u;
	struct msg m;

	/* An unnamed socketpair end: no name, a peer, no uid sent. */
	msg_start(&m, SOCK_SEQPACKET, 1, 76);
	msg_attr(&m, UNIX_DIAG_PEER, &peer, sizeof(peer));
	g_assert_cmpint(unix_diag_parse(m.buf, m.len, &u, names, icons), ==, 0);
	g_assert_cmpuint(u.peer, ==, 77);
	g_assert_cmpuint(u.name, ==, 0);
	g_assert_cmpuint(u.nicons, ==, 0);
	g_assert_false(u.flags & UNIX_SOCK_HAS_UID);
	g_assert_cmpstr(unix_type_name(u.type), ==, "seqpacket");
	g_assert_cmpstr(unix_state_name(u.state), ==, "connected");
	g_assert_cmpuint(icons->len, ==, 0);
	/* Too short, or another family. */
	g_assert_cmpint(unix_diag_parse(m.buf, 4, &u, names, icons), ==, -EINVAL);
	m.buf[0] = AF_INET;
	g_assert_cmpint(unix_diag_parse(m.buf, m.len, &u, names, icons), ==, -EINVAL);
	/* An attribute cut short is left alone, not read past the end. */
	msg_start(&m, SOCK_DGRAM, 7, 78);
	msg_attr(&m, UNIX_DIAG_PEER, &peer, sizeof(peer));
	g_assert_cmpint(unix_diag_parse(m.buf, m.len - 2, &u, names, icons), ==, 0);
	g_assert_cmpuint(u.peer, ==, 0);
	g_assert_cmpstr(unix_state_name(u.state), ==, "unconnected");
	g_assert_cmpstr(unix_type_name(u.type), ==, "dgram");
	g_assert_cmpstr(unix_type_name(99), ==, "?");
	g_assert_cmpstr(unix_state_name(99), ==, "?");
}

static void names(void)
{
	g_autoptr(GString) out = g_string_new(NULL);

	/* Abstract: every NUL is '@', as ss shows it. */
	unix_name_format("\0journal\0x", 10, out);
	g_assert_cmpstr(out->str, ==, "@journal@x");
	g_assert_cmpuint(out->len, ==, 11);
	/* A path's own trailing NUL is no part of it. */
	g_string_truncate(out, 0);
	unix_name_format("/run/a.sock\0", 12, out);
	g_assert_cmpstr(out->str, ==, "/run/a.sock");
	/* A line stays one line. */
	g_string_truncate(out, 0);
	unix_name_format("\0a\nb\\c", 6, out);
	g_assert_cmpstr(out->str, ==, "@a\\012b\\134c");
}

/* Bounds whatever a dump says: a name longer than sun_path is no name. */
static void parse_bounds(void)
{
	g_autoptr(GString) names = g_string_new_len("", 1);
	g_autoptr(GArray) icons = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	char name[UNIX_NAME_MAX + 1];
	struct unix_sock u;
	struct msg m;

	memset(name, 'x', sizeof(name));
	name[0] = '/';
	msg_start(&m, SOCK_STREAM, 10, 80);
	msg_attr(&m, UNIX_DIAG_NAME, name, sizeof(name));
	g_assert_cmpint(unix_diag_parse(m.buf, m.len, &u, names, icons), ==, 0);
	g_assert_cmpuint(u.name, ==, 0);
	g_assert_cmpuint(names->len, ==, 1);
	msg_start(&m, SOCK_STREAM, 10, 81);
	msg_attr(&m, UNIX_DIAG_NAME, name, UNIX_NAME_MAX);
	g_assert_cmpint(unix_diag_parse(m.buf, m.len, &u, names, icons), ==, 0);
	g_assert_cmpuint(u.name, ==, 1);
}

/* Which path names path_visible may walk. */
static void plain_paths(void)
{
	g_assert_true(unix_path_plain("/run/dbus/system_bus_socket"));
	g_assert_true(unix_path_plain("/tmp/a.b/..x/.s"));
	g_assert_false(unix_path_plain("relative/sock"));
	g_assert_false(unix_path_plain("/"));
	g_assert_false(unix_path_plain("/ipc/unix/12/../../../tmp/s"));
	g_assert_false(unix_path_plain("/tmp/./s"));
	g_assert_false(unix_path_plain("/tmp//s"));
	g_assert_false(unix_path_plain("/tmp/s/"));
	g_assert_false(unix_path_plain("/tmp/.."));
	g_assert_false(unix_path_plain("/tmp/\\012s"));
}

static void link_ino(void)
{
	uint32_t ino = 0;

	g_assert_cmpint(unix_link_ino("socket:[2976736]", &ino), ==, 0);
	g_assert_cmpuint(ino, ==, 2976736);
	g_assert_cmpint(unix_link_ino("socket:[4294967295]", &ino), ==, 0);
	g_assert_cmpuint(ino, ==, 4294967295u);
	g_assert_cmpint(unix_link_ino("socket:[4294967296]", &ino), ==, -EINVAL);
	g_assert_cmpint(unix_link_ino("pipe:[12]", &ino), ==, -EINVAL);
	g_assert_cmpint(unix_link_ino("socket:[]", &ino), ==, -EINVAL);
	g_assert_cmpint(unix_link_ino("socket:[012]", &ino), ==, -EINVAL);
	g_assert_cmpint(unix_link_ino("socket:[12", &ino), ==, -EINVAL);
	g_assert_cmpint(unix_link_ino("/tmp/socket:[1]", &ino), ==, -EINVAL);
}

void unix_tests(void)
{
	g_test_add_func("/unix/parse/listener-with-name-queue-and-uid", parse_listener);
	g_test_add_func("/unix/parse/pair-and-malformed-answers", parse_pair_and_errors);
	g_test_add_func("/unix/names/abstract-path-and-escapes", names);
	g_test_add_func("/unix/parse/fd-link-inode", link_ino);
	g_test_add_func("/unix/parse/bounds", parse_bounds);
	g_test_add_func("/unix/names/plain-paths", plain_paths);
}
