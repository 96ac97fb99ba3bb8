// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_mq_lines.c - how a write to mq/<id>/lines is cut into messages:
 * msgq_next_line() and msgq_lines_longest().
 *
 * Properties: the lines found, each with its newline put back, followed
 * by the unfinished tail, give back the input byte for byte; no line holds
 * a newline; and msgq_lines_longest() (which decides whether the write is
 * refused for msgmax) equals the longest message the write would really
 * make, counting the bytes pending from earlier writes and the tail.
 * msgq_lines_fit() (may the write's lines be sent?) agrees with a byte by
 * byte count of the same rule, for a limit and a "dropping the rest of a
 * line" state taken from those first two bytes.
 * Input: 2 bytes of pending length, then the write (any bytes, NULs too:
 * lines are binary-safe).
 */
#include "fuzz.h"
#include "../../backends/msgq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t pending, pos = 0, off, len, longest = 0, lines = 0, carry, rebuilt = 0;
	const char *buf;
	char *copy;

	if (size < 2)
		return 0;
	pending = (size_t)data[0] << 8 | data[1];
	buf = (const char *)data + 2;
	size -= 2;
	/* Off the fuzzer's own buffer, so a read past the end is caught. */
	copy = malloc(size ? size : 1);
	if (!copy)
		abort();
	carry = pending;
	while (msgq_next_line(buf, size, &pos, &off, &len)) {
		FUZZ_ASSERT(off + len < size && buf[off + len] == '\n');
		FUZZ_ASSERT(!memchr(buf + off, '\n', len));
		FUZZ_ASSERT(off == rebuilt && pos == off + len + 1);
		memcpy(copy + rebuilt, buf + off, len + 1);
		rebuilt += len + 1;
		if (carry + len > longest)
			longest = carry + len;
		carry = 0;
		FUZZ_ASSERT(++lines <= size);
	}
	/* The tail: everything after the last newline, no newline in it. */
	FUZZ_ASSERT(pos == rebuilt && pos <= size);
	FUZZ_ASSERT(!memchr(buf + pos, '\n', size - pos));
	memcpy(copy + rebuilt, buf + pos, size - pos);
	FUZZ_ASSERT(!size || !memcmp(copy, buf, size));
	if (carry + (size - pos) > longest)
		longest = carry + (size - pos);
	FUZZ_ASSERT(msgq_lines_longest(pending, buf, size) == longest);
	{
		size_t max = (size_t)data[0] * 7, skip, start = 0, cur = pending, most = 0;
		bool discarding = data[1] & 1, fit;
		const char *nl = memchr(buf, '\n', size);

		fit = msgq_lines_fit(pending, discarding, buf, size, max, &skip);
		if (discarding) {
			start = nl ? (size_t)(nl - buf) + 1 : size;
			cur = 0;
			FUZZ_ASSERT(skip == start);
		} else {
			FUZZ_ASSERT(skip == 0);
		}
		for (size_t i = start; i < size; i++) {
			if (buf[i] == '\n') {
				most = cur > most ? cur : most;
				cur = 0;
			} else {
				cur++;
			}
		}
		most = cur > most ? cur : most;
		FUZZ_ASSERT(fit == ((!discarding || nl) && most <= max));
		FUZZ_ASSERT(msgq_lines_cut(buf, size) == (!size || buf[size - 1] != '\n'));
	}
	/* A position at or past the end finds nothing. */
	pos = size;
	FUZZ_ASSERT(!msgq_next_line(buf, size, &pos, &off, &len));
	free(copy);
	return 0;
}
