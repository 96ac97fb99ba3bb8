// SPDX-License-Identifier: GPL-2.0-or-later
/* test_parse.c - what users write: keys, ids, sizes, modes, `new` lines. */
#include "util.h"
#include "../../backends/sysv.h"

#include <errno.h>
#include <string.h>

void parse_tests(void);

static void keys(void)
{
	key_t k;

	g_assert_cmpint(parse_key("0x162e", &k), ==, 0);
	g_assert_cmpint(k, ==, 0x162e);
	g_assert_cmpint(parse_key("0x0000000000162E", &k), ==, 0);
	g_assert_cmpint(k, ==, 0x162e);
	g_assert_cmpint(parse_key("0xffffffff", &k), ==, 0);
	g_assert_cmpint((uint32_t)k, ==, 0xffffffffu);
	g_assert_cmpint(parse_key("0x0", &k), ==, 0);
	g_assert_cmpint(k, ==, IPC_PRIVATE);
}

static void keys_malformed(void)
{
	const char *bad[] = { "", "0x", "x12", "0x1g", "0x100000000", "1234", "0x-1",
			      "0x 12", " 0x12", "0x12 ", "0xx12", "abc" };
	key_t k;

	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
		g_assert_cmpint(parse_key(bad[i], &k), ==, -EINVAL);
}

static void ids(void)
{
	const char *bad[] = { "", "-1", "01", "2147483648", "1a", " 1", "+1", "0x1" };
	int id;

	g_assert_cmpint(parse_id("0", &id), ==, 0);
	g_assert_cmpint(id, ==, 0);
	g_assert_cmpint(parse_id("2147483647", &id), ==, 0);
	g_assert_cmpint(id, ==, 2147483647);
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
		g_assert_cmpint(parse_id(bad[i], &id), ==, -EINVAL);
}

/* The same rule for any range: ns/<inode> takes all of 64 bits, a queue's
 * type a long. */
static void canonical_ranges(void)
{
	const char *bad[] = { "", "00", "01", "+1", "-1", " 1", "1 ", "1a", "0x1",
			      "18446744073709551616", "99999999999999999999999" };
	const char *max = "18446744073709551615";
	uint64_t v;

	g_assert_cmpint(parse_canonical(max, max + strlen(max), UINT64_MAX, &v), ==, 0);
	g_assert_cmpuint(v, ==, UINT64_MAX);
	g_assert_cmpint(parse_canonical("0", "0" + 1, UINT64_MAX, &v), ==, 0);
	g_assert_cmpuint(v, ==, 0);
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
		g_assert_cmpint(parse_canonical(bad[i], bad[i] + strlen(bad[i]), UINT64_MAX, &v),
				==, -EINVAL);
	/* Only [b, e) counts, and max is inclusive at any size. */
	g_assert_cmpint(parse_canonical("12.type3", "12.type3" + 2, 12, &v), ==, 0);
	g_assert_cmpuint(v, ==, 12);
	g_assert_cmpint(parse_canonical("13", "13" + 2, 12, &v), ==, -EINVAL);
	g_assert_cmpint(parse_canonical("9", "9" + 1, 5, &v), ==, -EINVAL);
	g_assert_cmpint(parse_canonical("5", "5" + 1, 5, &v), ==, 0);
}

/* Leading zeros are fine where a number is a value, not a name. */
static void digits(void)
{
	const char *b, *e;
	uint64_t v;

	g_assert_cmpint(parse_digits("007", "007" + 3, 10, &v), ==, 0);
	g_assert_cmpuint(v, ==, 7);
	g_assert_cmpint(parse_digits("777", "777" + 3, 8, &v), ==, 0);
	g_assert_cmpuint(v, ==, 0777);
	g_assert_cmpint(parse_digits("8", "8" + 1, 8, &v), ==, -EINVAL);
	g_assert_cmpint(parse_digits("", "", 10, &v), ==, -EINVAL);
	g_assert_cmpint(parse_digits("+1", "+1" + 2, 10, &v), ==, -EINVAL);
	g_assert_cmpint(parse_digits("18446744073709551616", "18446744073709551616" + 20, 10, &v),
			==, -ERANGE);
	parse_trim(" \t42 \t\n", &b, &e);
	g_assert_cmpint((int)(e - b), ==, 2);
	g_assert_cmpint(memcmp(b, "42", 2), ==, 0);
	parse_trim("42\n\n", &b, &e);
	g_assert_cmpint((int)(e - b), ==, 3);	/* one newline only */
}

static void sizes(void)
{
	uint64_t v;

	g_assert_cmpint(parse_u64("4096\n", true, &v), ==, 0);
	g_assert_cmpuint(v, ==, 4096);
	g_assert_cmpint(parse_u64(" 4K ", true, &v), ==, 0);
	g_assert_cmpuint(v, ==, 4096);
	g_assert_cmpint(parse_u64("2M", true, &v), ==, 0);
	g_assert_cmpuint(v, ==, 2u << 20);
	g_assert_cmpint(parse_u64("1g", true, &v), ==, 0);
	g_assert_cmpuint(v, ==, 1u << 30);
	g_assert_cmpint(parse_u64("4K", false, &v), ==, -EINVAL);
	g_assert_cmpint(parse_u64("K", true, &v), ==, -EINVAL);
	g_assert_cmpint(parse_u64("-1", true, &v), ==, -EINVAL);
	g_assert_cmpint(parse_u64("1.5M", true, &v), ==, -EINVAL);
	g_assert_cmpint(parse_u64("18446744073709551615", false, &v), ==, 0);
	g_assert_cmpint(parse_u64("18446744073709551616", false, &v), ==, -ERANGE);
	g_assert_cmpint(parse_u64("17179869184G", true, &v), ==, -ERANGE);
	g_assert_cmpint(parse_u64("", true, &v), ==, -EINVAL);
	g_assert_cmpint(parse_u64("\n", true, &v), ==, -EINVAL);
}

static void modes(void)
{
	mode_t m;

	g_assert_cmpint(parse_mode("600", &m), ==, 0);
	g_assert_cmpint(m, ==, 0600);
	g_assert_cmpint(parse_mode("0644", &m), ==, 0);
	g_assert_cmpint(m, ==, 0644);
	g_assert_cmpint(parse_mode("1777", &m), ==, -EINVAL);
	g_assert_cmpint(parse_mode("8", &m), ==, -EINVAL);
	g_assert_cmpint(parse_mode("rw", &m), ==, -EINVAL);
}

static void signed_values(void)
{
	int64_t v;
	char sign;

	g_assert_cmpint(parse_s64("-1\n", -32767, 32767, &v, &sign), ==, 0);
	g_assert_cmpint(v, ==, -1);
	g_assert_cmpint(sign, ==, '-');
	g_assert_cmpint(parse_s64(" +5 ", -32767, 32767, &v, &sign), ==, 0);
	g_assert_cmpint(v, ==, 5);
	g_assert_cmpint(sign, ==, '+');
	g_assert_cmpint(parse_s64("7", 0, 32767, &v, &sign), ==, 0);
	g_assert_cmpint(sign, ==, 0);
	g_assert_cmpint(parse_s64("-", -10, 10, &v, &sign), ==, -EINVAL);
	g_assert_cmpint(parse_s64("+", -10, 10, &v, &sign), ==, -EINVAL);
	g_assert_cmpint(parse_s64("--1", -10, 10, &v, &sign), ==, -EINVAL);
	g_assert_cmpint(parse_s64("32768", 0, 32767, &v, &sign), ==, -ERANGE);
	g_assert_cmpint(parse_s64("99999999999999999999", 0, 32767, &v, &sign), ==, -ERANGE);
	g_assert_cmpint(parse_s64("1 2", 0, 32767, &v, &sign), ==, -EINVAL);
}

static void new_lines(void)
{
	struct ipcfs_create_args c;

	g_assert_cmpint(parse_new_line("0x1234 4096\n", true, true, &c), ==, 0);
	g_assert_cmpint(c.key, ==, 0x1234);
	g_assert_cmpuint(c.param, ==, 4096);
	g_assert_cmpint(c.mode, ==, 0644);
	g_assert_cmpint(parse_new_line("private  1M   600", true, true, &c), ==, 0);
	g_assert_cmpint(c.key, ==, IPC_PRIVATE);
	g_assert_cmpuint(c.param, ==, 1u << 20);
	g_assert_cmpint(c.mode, ==, 0600);
	g_assert_cmpint(parse_new_line("4660 3", true, false, &c), ==, 0);
	g_assert_cmpint(c.key, ==, 4660);
	g_assert_cmpint(parse_new_line("0x1 640", false, false, &c), ==, 0);
	g_assert_cmpint(c.mode, ==, 0640);
}

static void new_lines_malformed(void)
{
	const char *bad[] = { "", "\n", "0x1234", "0x1234 4096 600 7", "0x1234 abc",
			      "0xzz 4096", "private -1", "0x1234 4096 999", "0x1234 4096\n0x1 1",
			      "private 4096 rw", "99999999999 1" };
	struct ipcfs_create_args c;

	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
		g_assert_cmpint(parse_new_line(bad[i], true, true, &c), <, 0);
	g_assert_cmpint(parse_new_line("0x1 2 3", false, false, &c), <, 0);
}

static void text_copies(void)
{
	char *s = NULL;

	g_assert_cmpint(text_dup("ab\n", 3, 10, &s), ==, 0);
	g_assert_cmpstr(s, ==, "ab\n");
	g_free(s);
	g_assert_cmpint(text_dup("a\0b", 3, 10, &s), ==, -EINVAL);
	g_assert_cmpint(text_dup("abcdef", 6, 5, &s), ==, -EINVAL);

	char b[4] = "zzz";

	g_assert_cmpint(text_copy("ab\n", 3, b, sizeof(b)), ==, 0);
	g_assert_cmpstr(b, ==, "ab\n");
	/* No room for the NUL, a NUL inside: refused, out untouched. */
	memcpy(b, "zzz", 4);
	g_assert_cmpint(text_copy("abcd", 4, b, sizeof(b)), ==, -EINVAL);
	g_assert_cmpint(text_copy("a\0b", 3, b, sizeof(b)), ==, -EINVAL);
	g_assert_cmpstr(b, ==, "zzz");
	g_assert_cmpint(text_copy("", 0, b, sizeof(b)), ==, 0);
	g_assert_cmpstr(b, ==, "");
}

static void seconds(void)
{
	double t = -1;

	g_assert_cmpint(parse_seconds("60", &t), ==, 0);
	g_assert_cmpfloat(t, ==, 60);
	g_assert_cmpint(parse_seconds("0.5", &t), ==, 0);
	g_assert_cmpfloat(t, ==, 0.5);
	g_assert_cmpint(parse_seconds("0", &t), ==, 0);
	g_assert_cmpfloat(t, ==, 0);
	g_assert_cmpint(parse_seconds("86400", &t), ==, 0);
	/* Refused, and t left as it was. */
	g_assert_cmpint(parse_seconds("86401", &t), ==, -EINVAL);
	g_assert_cmpint(parse_seconds("-1", &t), ==, -EINVAL);
	g_assert_cmpint(parse_seconds("", &t), ==, -EINVAL);
	g_assert_cmpint(parse_seconds("5s", &t), ==, -EINVAL);
	g_assert_cmpint(parse_seconds("nan", &t), ==, -EINVAL);
	g_assert_cmpint(parse_seconds("inf", &t), ==, -EINVAL);
	g_assert_cmpfloat(t, ==, 86400);
}

void parse_tests(void)
{
	g_test_add_func("/parse/key/accepts-hex-with-leading-zeros", keys);
	g_test_add_func("/parse/key/rejects-malformed", keys_malformed);
	g_test_add_func("/parse/id/canonical-decimal-only", ids);
	g_test_add_func("/parse/canonical/any-range", canonical_ranges);
	g_test_add_func("/parse/digits/leading-zeros-and-overflow", digits);
	g_test_add_func("/parse/size/suffixes-and-overflow", sizes);
	g_test_add_func("/parse/mode/octal-up-to-0777", modes);
	g_test_add_func("/parse/s64/sign-range-and-blanks", signed_values);
	g_test_add_func("/parse/new/accepts-key-param-mode", new_lines);
	g_test_add_func("/parse/new/rejects-malformed", new_lines_malformed);
	g_test_add_func("/parse/text/rejects-nul-and-overlong", text_copies);
	g_test_add_func("/parse/seconds/range-and-fractions", seconds);
}
