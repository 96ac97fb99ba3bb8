// SPDX-License-Identifier: GPL-2.0-or-later
/* test_mq.c - how text written to mq `lines` becomes messages, and the
 * names under mq/<id>/type/ and mq/<id>/messages/. */
#include "../../backends/mq_parse.h"
#include "../../backends/msgq.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

void mq_tests(void);

/* The lines of buf as "[line]" words, and what is left unfinished. */
static char *split(const char *buf, size_t size, char **tail)
{
	GString *s = g_string_new(NULL);
	size_t pos = 0, off, len;

	while (msgq_next_line(buf, size, &pos, &off, &len))
		g_string_append_printf(s, "[%.*s]", (int)len, buf + off);
	*tail = g_strndup(buf + pos, size - pos);
	return g_string_free(s, FALSE);
}

static void check_split(const char *buf, const char *want, const char *want_tail)
{
	char *tail = NULL, *got = split(buf, strlen(buf), &tail);

	g_assert_cmpstr(got, ==, want);
	g_assert_cmpstr(tail, ==, want_tail);
	g_free(got);
	g_free(tail);
}

static void lines_split(void)
{
	check_split("", "", "");
	check_split("a\n", "[a]", "");
	check_split("a\nbc\n", "[a][bc]", "");
	check_split("one\ntwo", "[one]", "two");
	check_split("no newline", "", "no newline");
}

static void lines_empty_and_crlf(void)
{
	/* An empty line is an empty message; a CR stays, so CRLF text
	 * comes back byte for byte (reads add only the LF). */
	check_split("\n", "[]", "");
	check_split("\n\nx\n", "[][][x]", "");
	check_split("dos\r\nline\r\n", "[dos\r][line\r]", "");
	check_split("a\r", "", "a\r");
}

static void lines_binary(void)
{
	static const char buf[] = { 'a', '\0', 'b', '\n', '\0', '\n' };
	size_t pos = 0, off, len;

	/* Bytes, not strings: a NUL is part of the line. */
	g_assert_true(msgq_next_line(buf, sizeof(buf), &pos, &off, &len));
	g_assert_cmpuint(off, ==, 0);
	g_assert_cmpuint(len, ==, 3);
	g_assert_true(msgq_next_line(buf, sizeof(buf), &pos, &off, &len));
	g_assert_cmpuint(off, ==, 4);
	g_assert_cmpuint(len, ==, 1);
	g_assert_false(msgq_next_line(buf, sizeof(buf), &pos, &off, &len));
	g_assert_cmpuint(pos, ==, sizeof(buf));
}

static void lines_longest(void)
{
	g_assert_cmpuint(msgq_lines_longest(0, "", 0), ==, 0);
	g_assert_cmpuint(msgq_lines_longest(0, "ab\ncdef\ng\n", 10), ==, 4);
	/* Pending bytes join the first line only. */
	g_assert_cmpuint(msgq_lines_longest(5, "ab\ncdef\n", 8), ==, 7);
	g_assert_cmpuint(msgq_lines_longest(1, "ab\ncdef\n", 8), ==, 4);
	/* The unfinished tail counts, with the pending bytes when it is
	 * all there is. */
	g_assert_cmpuint(msgq_lines_longest(0, "a\nlong tail", 11), ==, 9);
	g_assert_cmpuint(msgq_lines_longest(3, "tail", 4), ==, 7);
	g_assert_cmpuint(msgq_lines_longest(3, "", 0), ==, 3);
}

/* A write may send its lines when each fits; a refused one leaves the open
 * file dropping the rest of its line if it ended inside one. */
static void lines_fit_and_drop(void)
{
	size_t skip;

	g_assert_true(msgq_lines_fit(0, false, "ok\n", 3, 4, &skip));
	g_assert_cmpuint(skip, ==, 0);
	/* The pending bytes join the first line, or the tail. */
	g_assert_false(msgq_lines_fit(3, false, "ab\nc\n", 5, 4, &skip));
	g_assert_true(msgq_lines_fit(2, false, "ab\nc\n", 5, 4, &skip));
	g_assert_false(msgq_lines_fit(3, false, "ab", 2, 4, &skip));
	/* Any line of the write, the tail too. */
	g_assert_false(msgq_lines_fit(0, false, "a\nlong line\nb\n", 14, 4, &skip));
	g_assert_false(msgq_lines_fit(0, false, "a\nlongtail", 10, 4, &skip));
	/* Dropping a line's rest: through its newline, whatever its length;
	 * the pending bytes (none may be left) do not count. */
	g_assert_true(msgq_lines_fit(9, true, "xxxxxxxx\nok\n", 12, 4, &skip));
	g_assert_cmpuint(skip, ==, 9);
	g_assert_false(msgq_lines_fit(0, true, "xxxxxxxx", 8, 4, &skip));
	g_assert_cmpuint(skip, ==, 8);
	g_assert_false(msgq_lines_fit(0, true, "x\ntoo long\n", 12, 4, &skip));
	g_assert_true(msgq_lines_fit(0, true, "\n", 1, 4, &skip));
	g_assert_cmpuint(skip, ==, 1);
	/* After a refused write: did it end inside a line? */
	g_assert_false(msgq_lines_cut("a\nb\n", 4));
	g_assert_true(msgq_lines_cut("a\nb", 3));
	g_assert_true(msgq_lines_cut("", 0));
}

static void type_names(void)
{
	const char *bad[] = { "0", "-3", "abc", "01", "+1", " 1", "1 ", "1x", "",
			      "9223372036854775808", "99999999999999999999", "0x10" };
	long t;

	g_assert_cmpint(mq_parse_type("1", &t), ==, 0);
	g_assert_cmpint(t, ==, 1);
	g_assert_cmpint(mq_parse_type("42", &t), ==, 0);
	g_assert_cmpint(t, ==, 42);
	g_assert_cmpint(mq_parse_type("9223372036854775807", &t), ==, 0);
	g_assert_cmpint(t, ==, LONG_MAX);
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
		g_assert_cmpint(mq_parse_type(bad[i], &t), ==, -ENOENT);
}

static void message_names(void)
{
	const char *bad[] = { "", "0", "0.type", "0.type0", ".type1", "00.type1", "0.type01",
			      "0.TYPE1", "0.type-1", "-1.type1", "0.type1x", "0.type1.type1",
			      "9223372036854775808.type1", "0.type9223372036854775808" };
	char name[48];
	uint64_t pos;
	long t;

	mq_format_msgname(name, sizeof(name), 0, 1);
	g_assert_cmpstr(name, ==, "0.type1");
	mq_format_msgname(name, sizeof(name), 12, LONG_MAX);
	g_assert_cmpstr(name, ==, "12.type9223372036854775807");
	g_assert_cmpint(mq_parse_msgname(name, &pos, &t), ==, 0);
	g_assert_cmpuint(pos, ==, 12);
	g_assert_cmpint(t, ==, LONG_MAX);
	g_assert_cmpint(mq_parse_msgname("0.type7", &pos, &t), ==, 0);
	g_assert_cmpuint(pos, ==, 0);
	g_assert_cmpint(t, ==, 7);
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
		g_assert_cmpint(mq_parse_msgname(bad[i], &pos, &t), ==, -ENOENT);
}

/* ---- putting back, over a fake queue ---- */

/* The fake queue's put: full (-EAGAIN) for the first `full` calls, then
 * `then`; what it took, as "tag:text" words. */
static struct {
	int full;
	int then;
	GString *got;
} fake;

static int fake_put(const struct msgq *q, const char *text, size_t len, long tag)
{
	(void)q;
	if (fake.full) {
		if (fake.full > 0)
			fake.full--;
		return -EAGAIN;
	}
	if (!fake.then)
		g_string_append_printf(fake.got, "%ld:%.*s ", tag, (int)len, text);
	return fake.then;
}

static const struct msgq_ops fake_ops = { .kind = "fake", .tag_name = "tag", .put = fake_put };

static size_t fake_put_back(int full, int then)
{
	const struct msgq q = { .ops = &fake_ops, .id = 7, .fd = -1, .back = -1 };
	const struct msgq_taken t[] = { { .tag = 1, .off = 0, .len = 3 },
					{ .tag = 2, .off = 3, .len = 2 } };

	fake.full = full;
	fake.then = then;
	g_string_truncate(fake.got, 0);
	return msgq_put_back(&q, "onetwo", t, G_N_ELEMENTS(t));
}

static void put_back_bounded(void)
{
	gint64 saved = msgq_put_back_us, began;
	unsigned lost = msgq_put_back_lost();

	fake.got = g_string_new(NULL);
	msgq_put_back_us = 200 * G_TIME_SPAN_MILLISECOND;
	/* Full for a while: kept, in order, nothing counted. */
	g_assert_cmpuint(fake_put_back(3, 0), ==, 0);
	g_assert_cmpstr(fake.got->str, ==, "1:one 2:tw ");
	g_assert_cmpuint(msgq_put_back_lost(), ==, lost);
	/* Full for ever: both given up once the bound has passed (one bound
	 * for the whole put-back), each counted. */
	began = g_get_monotonic_time();
	g_assert_cmpuint(fake_put_back(-1, 0), ==, 2);
	g_assert_cmpint(g_get_monotonic_time() - began, >=, msgq_put_back_us);
	g_assert_cmpuint(msgq_put_back_lost(), ==, lost + 2);
	/* Gone: lost at once. */
	g_assert_cmpuint(fake_put_back(0, -EIDRM), ==, 2);
	g_assert_cmpuint(msgq_put_back_lost(), ==, lost + 4);
	msgq_put_back_us = saved;
	g_string_free(fake.got, TRUE);
}

void mq_tests(void)
{
	g_test_add_func("/mq/lines/split", lines_split);
	g_test_add_func("/mq/lines/empty-lines-and-crlf", lines_empty_and_crlf);
	g_test_add_func("/mq/lines/binary-bytes", lines_binary);
	g_test_add_func("/mq/lines/longest-message-counts-pending-and-tail", lines_longest);
	g_test_add_func("/mq/lines/over-long-line-refused-and-dropped", lines_fit_and_drop);
	g_test_add_func("/mq/names/type-accepts-canonical-positive-long", type_names);
	g_test_add_func("/mq/names/message-roundtrip-and-rejects", message_names);
	g_test_add_func("/mq/put-back/bounded-kept-in-order-losses-counted", put_back_bounded);
}
