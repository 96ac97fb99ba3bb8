// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * msgq_lines.c - the pure half of the engine's `lines` (msgq.h): how text
 * written to it is cut into messages, for any kind of queue.  No kernel
 * calls; tests/unit/test_mq.c and tests/fuzz/fuzz_mq_lines.c drive it.
 */
#include "msgq.h"

#include <string.h>

bool msgq_next_line(const char *buf, size_t size, size_t *pos, size_t *off, size_t *len)
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

size_t msgq_lines_longest(size_t pending, const char *buf, size_t size)
{
	size_t pos = 0, off, len, longest = 0, carry = pending;

	while (msgq_next_line(buf, size, &pos, &off, &len)) {
		longest = MAX(longest, carry + len);
		carry = 0;
	}
	return MAX(longest, carry + (size - pos));
}

bool msgq_lines_fit(size_t pending, bool discarding, const char *buf, size_t size, size_t max,
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
	return msgq_lines_longest(pending, buf + *skip, size - *skip) <= max;
}

bool msgq_lines_cut(const char *buf, size_t size)
{
	return !size || buf[size - 1] != '\n';
}
