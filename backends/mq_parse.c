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

int mq_parse_type(const char *name, long *type)
{
	uint64_t v;

	if (!name || parse_canonical(name, name + strlen(name), LONG_MAX, &v) || !v)
		return -ENOENT;
	*type = (long)v;
	return 0;
}

int mq_parse_msgname(const char *name, uint64_t *pos, long *type)
{
	const char *dot = name ? strstr(name, ".type") : NULL;
	uint64_t t;

	/* A position is a msgrcv msgtyp (a long) under MSG_COPY. */
	if (!dot || parse_canonical(name, dot, LONG_MAX, pos) ||
	    parse_canonical(dot + 5, dot + strlen(dot), LONG_MAX, &t) || !t)
		return -ENOENT;
	*type = (long)t;
	return 0;
}

void mq_format_msgname(char *buf, size_t size, uint64_t pos, long type)
{
	snprintf(buf, size, "%" PRIu64 ".type%ld", pos, type);
}

