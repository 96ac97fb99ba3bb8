// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pipes_parse.c - what pipes.c reads of /proc, parsed, and the names of
 * pipes and FIFOs (pipes_parse.h).  Pure: no I/O.
 */
#include "pipes_parse.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>

/* A canonical decimal [b, e) up to max: 0 or -EINVAL. */
static int canon_u64(const char *b, const char *e, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (b == e || (*b == '0' && e - b > 1))
		return -EINVAL;
	for (; b < e; b++) {
		if (!g_ascii_isdigit(*b) || v > (max - (uint64_t)(*b - '0')) / 10)
			return -EINVAL;
		v = v * 10 + (uint64_t)(*b - '0');
	}
	*out = v;
	return 0;
}

int pipes_link_ino(const char *link, uint64_t *ino)
{
	size_t n = strlen(link);

	if (n < 8 || strncmp(link, "pipe:[", 6) || link[n - 1] != ']')
		return -EINVAL;
	return canon_u64(link + 6, link + n - 1, UINT64_MAX, ino);
}

unsigned pipes_link_mode(mode_t link_mode)
{
	return ((link_mode & S_IRUSR) ? PIPES_END_R : 0) | ((link_mode & S_IWUSR) ? PIPES_END_W : 0);
}

enum pipes_wait pipes_wchan_wait(const char *wchan)
{
	static const struct {
		const char *name;
		enum pipes_wait w;
	} names[] = {
		{ "anon_pipe_read", PIPES_WAIT_READ },
		{ "pipe_read", PIPES_WAIT_READ },
		{ "fifo_pipe_read", PIPES_WAIT_READ },
		{ "pipe_wait_readable", PIPES_WAIT_READ },
		{ "anon_pipe_write", PIPES_WAIT_WRITE },
		{ "pipe_write", PIPES_WAIT_WRITE },
		{ "fifo_pipe_write", PIPES_WAIT_WRITE },
		{ "pipe_wait_writable", PIPES_WAIT_WRITE },
		{ "wait_for_partner", PIPES_WAIT_OPEN },
	};
	size_t n = strcspn(wchan, "\n");

	for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
		if (strlen(names[i].name) == n && !strncmp(wchan, names[i].name, n))
			return names[i].w;
	return PIPES_WAIT_NONE;
}

const char *pipes_wait_name(enum pipes_wait w)
{
	static const char *const names[PIPES_WAIT_COUNT] = {
		[PIPES_WAIT_NONE] = "-",
		[PIPES_WAIT_READ] = "read",
		[PIPES_WAIT_WRITE] = "write",
		[PIPES_WAIT_OPEN] = "open",
	};

	return (unsigned)w < PIPES_WAIT_COUNT ? names[w] : "-";
}

const char *pipes_mode_name(unsigned mode)
{
	switch (mode & (PIPES_END_R | PIPES_END_W)) {
	case PIPES_END_R:
		return "r";
	case PIPES_END_W:
		return "w";
	case PIPES_END_R | PIPES_END_W:
		return "rw";
	}
	return "-";
}

int pipes_syscall_parse(const char *line, long *nr, uint64_t *arg0)
{
	char *end;
	long n;

	/* "NR 0xARG0 0xARG1 ... SP PC", "-1 SP PC" outside a call, or
	 * "running". */
	if (!g_ascii_isdigit(*line))
		return -EINVAL;
	n = strtol(line, &end, 10);
	if (*end != ' ' || strncmp(end + 1, "0x", 2))
		return -EINVAL;
	*arg0 = g_ascii_strtoull(end + 3, &end, 16);
	if (*end != ' ' && *end != '\n' && *end)
		return -EINVAL;
	*nr = n;
	return 0;
}

int pipes_syscall_fd(long nr, uint64_t arg0)
{
	switch (nr) {
	case SYS_read:
	case SYS_write:
	case SYS_readv:
	case SYS_writev:
	case SYS_pread64:
	case SYS_pwrite64:
	case SYS_preadv:
	case SYS_pwritev:
	case SYS_preadv2:
	case SYS_pwritev2:
	case SYS_splice:
	case SYS_tee:
		return arg0 <= INT32_MAX ? (int)arg0 : -1;
	}
	return -1;
}

bool pipes_path_name(const char *path, char *buf, size_t size)
{
	size_t o = 0;

	if (*path == '/')
		path++;
	for (; *path; path++) {
		const char *put = *path == '/' ? "%2F" : *path == '%' ? "%25" : NULL;
		size_t n = put ? 3 : 1;

		if (o + n >= size)
			return false;
		if (put)
			memcpy(buf + o, put, 3);
		else
			buf[o] = *path;
		o += n;
	}
	if (!o || o >= size)
		return false;
	buf[o] = '\0';
	return true;
}

void pipes_fifo_name(uint64_t ino, unsigned major, unsigned minor, char *buf, size_t size)
{
	snprintf(buf, size, "%" PRIu64 "@%u:%u", ino, major, minor);
}

int pipes_parse_fifo_name(const char *name, uint64_t *ino, unsigned *major, unsigned *minor)
{
	const char *at = strchr(name, '@'), *colon = at ? strchr(at, ':') : NULL;
	uint64_t maj, min;

	if (!colon || canon_u64(name, at, UINT64_MAX, ino) ||
	    canon_u64(at + 1, colon, UINT32_MAX, &maj) ||
	    canon_u64(colon + 1, colon + strlen(colon), UINT32_MAX, &min))
		return -ENOENT;
	*major = (unsigned)maj;
	*minor = (unsigned)min;
	return 0;
}
