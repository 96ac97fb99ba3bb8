// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_numbers.c - the number parsers behind `qbytes` (parse_u64), the
 * size options and `new` sizes (parse_u64 with K/M/G), modes (parse_mode)
 * signed values (parse_s64) and the seconds of timeout= and shm_linger=
 * (parse_seconds).
 *
 * Each result is checked against the rule written out independently: a
 * trimmed run of digits (after an optional sign or before an optional
 * suffix) is accepted exactly when its value fits, and anything else is
 * refused.  Which of EINVAL or ERANGE garbage gets may vary (a long digit
 * prefix overflows before the bad character is seen); that it fails may not.
 */
#include "fuzz.h"
#include "util.h"

#include <errno.h>
#include <stdlib.h>

static void check_u64(const char *s)
{
	const char *b, *e;
	unsigned shift = 0;
	uint64_t v = 0, want;
	int r, ovf;

	/* Without a suffix. */
	r = parse_u64(s, false, &v);
	fuzz_trim(s, &b, &e);
	if (!fuzz_all_digits(b, e)) {
		FUZZ_ASSERT(r == -EINVAL || r == -ERANGE);
	} else {
		ovf = fuzz_dec(b, e, &want);
		FUZZ_ASSERT(ovf ? r == -ERANGE : (r == 0 && v == want));
	}

	/* With one: K, M or G multiplies by 1024^n. */
	r = parse_u64(s, true, &v);
	if (e > b) {
		switch (e[-1]) {
		case 'k': case 'K': shift = 10; break;
		case 'm': case 'M': shift = 20; break;
		case 'g': case 'G': shift = 30; break;
		}
	}
	if (shift)
		e--;
	if (!fuzz_all_digits(b, e)) {
		FUZZ_ASSERT(r == -EINVAL || r == -ERANGE);
	} else if (fuzz_dec(b, e, &want) || want > (UINT64_MAX >> shift)) {
		FUZZ_ASSERT(r == -ERANGE);
	} else {
		FUZZ_ASSERT(r == 0 && v == want << shift);
	}
}

static void check_mode(const char *s)
{
	const char *b, *e;
	mode_t m = 01000;
	int r = parse_mode(s, &m), octal = 1;
	unsigned __int128 acc = 0;

	fuzz_trim(s, &b, &e);
	if (b == e)
		octal = 0;
	for (const char *p = b; p < e && octal; p++) {
		if (*p < '0' || *p > '7')
			octal = 0;
		else if (acc <= 0777)
			acc = acc * 8 + (unsigned)(*p - '0');
	}
	if (octal && acc <= 0777)
		FUZZ_ASSERT(r == 0 && m == (mode_t)acc);
	else
		FUZZ_ASSERT(r == -EINVAL);
}

static void check_s64(const char *s, int64_t min, int64_t max)
{
	const char *b, *e;
	char sign = 'x', want_sign = 0;
	int64_t v = 0;
	uint64_t mag;
	int r = parse_s64(s, min, max, &v, &sign);

	fuzz_trim(s, &b, &e);
	if (b < e && (*b == '+' || *b == '-'))
		want_sign = *b++;
	if (!fuzz_all_digits(b, e)) {
		FUZZ_ASSERT(r == -EINVAL || r == -ERANGE);
		return;
	}
	FUZZ_ASSERT(sign == want_sign);
	if (fuzz_dec(b, e, &mag)) {
		FUZZ_ASSERT(r == -ERANGE);
		return;
	}
	/* In 128 bits, where -mag always fits. */
	__int128 want = want_sign == '-' ? -(__int128)mag : (__int128)mag;

	if (want < min || want > max)
		FUZZ_ASSERT(r == -ERANGE);
	else
		FUZZ_ASSERT(r == 0 && v == (int64_t)want);
}

/* Seconds: accepted exactly when strtod (C locale, as the harness runs)
 * reads the whole string as a number in [0, 86400]; refused, the output
 * is left alone. */
static void check_seconds(const char *s)
{
	double t = -7, want;
	char *end;
	int r = parse_seconds(s, &t);

	want = strtod(s, &end);
	if (end != s && !*end && want >= 0 && want <= 86400)
		FUZZ_ASSERT(r == 0 && t == want);
	else
		FUZZ_ASSERT(r == -EINVAL && t == -7);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	if (size < 1)
		return 0;
	s = fuzz_cstr(data + 1, size - 1);
	check_u64(s);
	check_mode(s);
	check_seconds(s);
	/* The ranges the daemon uses: semaphore values, and the extremes. */
	check_s64(s, -32767, 32767);
	check_s64(s, INT64_MIN, INT64_MAX);
	check_s64(s, -(int64_t)data[0], data[0]);
	free(s);
	return 0;
}
