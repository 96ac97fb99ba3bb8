// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mq_parse.c - the pure half of the System V queue kind (mq_parse.h): the names
 * under type/ and messages/.  No kernel calls; tests/unit/test_mq.c
 * drives it.
 */
#include "mq_parse.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

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

