// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_names.c - the names a client can look up or mkdir: 0xKEY
 * (parse_key), object ids (parse_id), mq's type/<N> (mq_parse_type) and
 * messages/<POS.typeT> (mq_parse_msgname).
 *
 * The rules, restated: a key is "0x" and 1+ hex digits worth at most
 * 0xffffffff; ids, types and positions are canonical decimals (no sign,
 * no leading zero), so a name that parses must print back to itself, and
 * one that would print back to itself must parse.
 */
#include "fuzz.h"
#include "util.h"
#include "../../backends/sysv.h"
#include "../../backends/mq_parse.h"

#include <errno.h>
#include <limits.h>

static int canonical(const char *b, const char *e)
{
	return fuzz_all_digits(b, e) && !(*b == '0' && e - b > 1);
}

static void check_key(const char *s)
{
	key_t k = 12345;
	int r = parse_key(s, &k), hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && s[2];
	unsigned __int128 acc = 0;

	for (const char *p = s + 2; hex && *p; p++) {
		int d = (*p >= '0' && *p <= '9') ? *p - '0' :
			(*p >= 'a' && *p <= 'f') ? *p - 'a' + 10 :
			(*p >= 'A' && *p <= 'F') ? *p - 'A' + 10 : -1;

		if (d < 0)
			hex = 0;
		else if (acc <= UINT32_MAX)
			acc = acc * 16 + (unsigned)d;
	}
	if (hex && acc <= UINT32_MAX)
		FUZZ_ASSERT(r == 0 && (uint32_t)k == (uint32_t)acc);
	else
		FUZZ_ASSERT(r == -EINVAL);
}

static void check_id(const char *s)
{
	const char *e = s + strlen(s);
	int id = -1, r = parse_id(s, &id);
	uint64_t v;

	if (canonical(s, e) && !fuzz_dec(s, e, &v) && v <= INT_MAX)
		FUZZ_ASSERT(r == 0 && (uint64_t)id == v);
	else
		FUZZ_ASSERT(r == -EINVAL);
}

static void check_type(const char *s)
{
	const char *e = s + strlen(s);
	long t = 0;
	int r = mq_parse_type(s, &t);
	uint64_t v;

	if (canonical(s, e) && !fuzz_dec(s, e, &v) && v >= 1 && v <= LONG_MAX)
		FUZZ_ASSERT(r == 0 && (uint64_t)t == v);
	else
		FUZZ_ASSERT(r == -ENOENT);
}

static void check_msgname(const char *s)
{
	uint64_t pos = 0;
	long type = 0;
	int r = mq_parse_msgname(s, &pos, &type);
	char back[64];

	if (r == 0) {
		/* What parses prints back to itself. */
		FUZZ_ASSERT(pos <= LONG_MAX && type >= 1);
		mq_format_msgname(back, sizeof(back), pos, type);
		FUZZ_ASSERT(!strcmp(back, s));
	} else {
		const char *dot = strstr(s, ".type");
		uint64_t p, t;

		FUZZ_ASSERT(r == -ENOENT);
		/* ... and what is a canonical POS.typeTYPE parses. */
		if (dot && canonical(s, dot) && canonical(dot + 5, s + strlen(s)) &&
		    !fuzz_dec(s, dot, &p) && !fuzz_dec(dot + 5, s + strlen(s), &t))
			FUZZ_ASSERT(p > LONG_MAX || t < 1 || t > LONG_MAX);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);

	check_key(s);
	check_id(s);
	check_type(s);
	check_msgname(s);
	free(s);
	return 0;
}
