/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz.h - what the libFuzzer harnesses in tests/fuzz share.
 *
 * Each harness feeds one family of parsers the bytes a client could send
 * (a name given to lookup or mkdir, a write to `new`, a semaphore file,
 * `values`, `qbytes`, `lines`) and checks more than "did not crash": every
 * result is compared with a small independent statement of what the
 * parser must accept, so a wrong answer aborts like a crash does.
 *
 *   make fuzz                       every harness, FUZZ_SECONDS each
 *   build/fuzz/fuzz_numbers -max_total_time=10 tests/fuzz/seeds/numbers
 */
#pragma once
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A failed property: say which and where, then abort so libFuzzer saves
 * the input as a crash. */
#define FUZZ_ASSERT(cond)                                                             \
	do {                                                                          \
		if (!(cond)) {                                                        \
			fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, \
				#cond);                                               \
			abort();                                                      \
		}                                                                     \
	} while (0)

/* The input as a C string, cut at the first NUL: what a path component or
 * text_dup()'d write can hold.  Caller frees. */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* The parsers' shared trimming, restated: blanks (space, tab) at both
 * ends and one newline at the very end.  Returns [*b, *e) within s. */
static inline void fuzz_trim(const char *s, const char **b, const char **e)
{
	const char *end = s + strlen(s);

	while (*s == ' ' || *s == '\t')
		s++;
	if (end > s && end[-1] == '\n')
		end--;
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	*b = s;
	*e = end;
}

/* Is [b, e) a non-empty run of decimal digits? */
static inline int fuzz_all_digits(const char *b, const char *e)
{
	if (b == e)
		return 0;
	for (; b < e; b++)
		if (*b < '0' || *b > '9')
			return 0;
	return 1;
}

/* The decimal digits [b, e) as a number: 0 and *v, or -1 when it exceeds
 * UINT64_MAX.  Computed in 128 bits, independently of parse.c. */
static inline int fuzz_dec(const char *b, const char *e, uint64_t *v)
{
	unsigned __int128 acc = 0;

	for (; b < e; b++) {
		acc = acc * 10 + (unsigned)(*b - '0');
		if (acc > UINT64_MAX)
			return -1;
	}
	*v = (uint64_t)acc;
	return 0;
}
