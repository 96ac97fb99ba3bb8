// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * parse.c - parsers for everything a client can write or name.
 *
 * They are pure (no I/O, no globals) so the unit tests and the fuzzers can
 * drive them directly.  Each accepts the text a shell produces: surrounding
 * blanks and one trailing newline are fine, anything else is -EINVAL.
 */
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <string.h>

void parse_trim(const char *s, const char **b, const char **e)
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

int parse_canonical(const char *b, const char *e, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	/* Canonical only (GLib's and libc's parsers take "007" and "+7"
	 * too): one number has one name. */
	if (b == e || (*b == '0' && e - b > 1))
		return -EINVAL;
	for (; b < e; b++) {
		unsigned d = (unsigned)(*b - '0');

		if (*b < '0' || *b > '9' || d > max || v > (max - d) / 10)
			return -EINVAL;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int parse_id(const char *s, int *id)
{
	uint64_t v;

	if (!s || parse_canonical(s, s + strlen(s), INT_MAX, &v))
		return -EINVAL;
	*id = (int)v;
	return 0;
}

int parse_digits(const char *b, const char *e, unsigned base, uint64_t *out)
{
	uint64_t v = 0;

	if (b == e)
		return -EINVAL;
	for (; b < e; b++) {
		/* Decoded here, not by g_ascii_xdigit_value: this runs in every
		 * semaphore write, and the call into GLib costs more than the
		 * digit. */
		unsigned c = (unsigned char)*b, d;

		if (c - '0' < 10)
			d = c - '0';
		else if ((c | 0x20) - 'a' < 6)
			d = (c | 0x20) - 'a' + 10;
		else
			return -EINVAL;
		if (d >= base)
			return -EINVAL;
		if (v > (UINT64_MAX - (unsigned)d) / base)
			return -ERANGE;
		v = v * base + (unsigned)d;
	}
	*out = v;
	return 0;
}

int parse_u64(const char *s, bool suffix, uint64_t *out)
{
	const char *b, *e;
	unsigned shift = 0;
	uint64_t v;
	int r;

	parse_trim(s, &b, &e);
	if (suffix && e > b) {
		switch (e[-1]) {
		case 'k': case 'K': shift = 10; break;
		case 'm': case 'M': shift = 20; break;
		case 'g': case 'G': shift = 30; break;
		}
		if (shift)
			e--;
	}
	r = parse_digits(b, e, 10, &v);
	if (r)
		return r;
	if (shift && v > (UINT64_MAX >> shift))
		return -ERANGE;
	*out = v << shift;
	return 0;
}

int parse_mode(const char *s, mode_t *mode)
{
	const char *b, *e;
	uint64_t v;

	parse_trim(s, &b, &e);
	if (parse_digits(b, e, 8, &v) || v > 0777)
		return -EINVAL;
	*mode = (mode_t)v;
	return 0;
}

int parse_s64(const char *s, int64_t min, int64_t max, int64_t *out, char *sign)
{
	const char *b, *e;

	parse_trim(s, &b, &e);
	return parse_s64_in(b, e, min, max, out, sign);
}

int parse_s64_in(const char *b, const char *e, int64_t min, int64_t max, int64_t *out,
		 char *sign)
{
	bool neg = false;
	uint64_t v;
	int r;

	*sign = 0;
	if (b < e && (*b == '+' || *b == '-')) {
		*sign = *b;
		neg = *b == '-';
		b++;
	}
	r = parse_digits(b, e, 10, &v);
	if (r)
		return r;
	if (neg) {
		if (v > (uint64_t)INT64_MAX + 1)
			return -ERANGE;
		*out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
	} else {
		if (v > INT64_MAX)
			return -ERANGE;
		*out = (int64_t)v;
	}
	if (*out < min || *out > max)
		return -ERANGE;
	return 0;
}

int parse_seconds(const char *s, double *out)
{
	char *end;
	double t = g_ascii_strtod(s, &end);

	if (end == s || *end || !(t >= 0 && t <= 86400))
		return -EINVAL;
	*out = t;
	return 0;
}

int text_dup(const char *buf, size_t size, size_t max, char **out)
{
	if (size > max || memchr(buf, '\0', size))
		return -EINVAL;
	*out = g_strndup(buf, size);
	return 0;
}

int text_copy(const char *buf, size_t size, char *out, size_t out_size)
{
	if (size >= out_size || memchr(buf, '\0', size))
		return -EINVAL;
	memcpy(out, buf, size);
	out[size] = '\0';
	return 0;
}
