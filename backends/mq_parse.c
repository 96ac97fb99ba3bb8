// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mq_parse.c - the pure half of the System V queue kind (mq.h): how text
 * written to `lines` is cut into messages, and the names under type/ and
 * messages/.  No kernel calls; tests/unit/test_mq.c drives it.
 */
#include "mq_int.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/msg.h>

bool mq_next_line(const char *buf, size_t size, size_t *pos, size_t *off, size_t *len)
{
	const char *nl;

	if (*pos >= size)
		return false;
	nl = memchr(buf + *pos, '\n', size - *pos);
	if (!nl)
		return false;
	*off = *pos;
	*len = (size_t)(nl - buf) - *pos;
	*pos = (size_t)(nl - buf) + 1;
	return true;
}

size_t mq_lines_longest(size_t pending, const char *buf, size_t size)
{
	size_t pos = 0, off, len, longest = 0, carry = pending;

	while (mq_next_line(buf, size, &pos, &off, &len)) {
		longest = MAX(longest, carry + len);
		carry = 0;
	}
	return MAX(longest, carry + (size - pos));
}

bool mq_lines_fit(size_t pending, bool discarding, const char *buf, size_t size, size_t max,
		  size_t *skip)
{
	const char *nl;

	*skip = 0;
	if (discarding) {
		nl = memchr(buf, '\n', size);
		*skip = nl ? (size_t)(nl - buf) + 1 : size;
		if (!nl)
			return false;	/* all of it is the dropped line's */
		pending = 0;
	}
	return mq_lines_longest(pending, buf + *skip, size - *skip) <= max;
}

bool mq_lines_cut(const char *buf, size_t size)
{
	return !size || buf[size - 1] != '\n';
}

/* A canonical decimal in [b, e) ("0", "17"; no sign, no leading zero)
 * of at most max.  0 or -ENOENT. */
static int canonical_dec(const char *b, const char *e, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (b == e || (*b == '0' && e - b > 1))
		return -ENOENT;
	for (; b < e; b++) {
		unsigned d = (unsigned)(*b - '0');

		if (*b < '0' || *b > '9' || v > (max - d) / 10)
			return -ENOENT;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int mq_parse_type(const char *name, long *type)
{
	uint64_t v;

	if (!name || canonical_dec(name, name + strlen(name), LONG_MAX, &v) || !v)
		return -ENOENT;
	*type = (long)v;
	return 0;
}

int mq_parse_msgname(const char *name, uint64_t *pos, long *type)
{
	const char *dot = name ? strstr(name, ".type") : NULL;
	uint64_t t;

	/* A position is a msgrcv msgtyp (a long) under MSG_COPY. */
	if (!dot || canonical_dec(name, dot, LONG_MAX, pos) ||
	    canonical_dec(dot + 5, dot + strlen(dot), LONG_MAX, &t) || !t)
		return -ENOENT;
	*type = (long)t;
	return 0;
}

void mq_format_msgname(char *buf, size_t size, uint64_t pos, long type)
{
	snprintf(buf, size, "%" PRIu64 ".type%ld", pos, type);
}

