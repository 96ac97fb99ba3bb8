// SPDX-License-Identifier: GPL-2.0-or-later
/* test_format.c - how values print in one-value files, info and metrics. */
#include "util.h"

void format_tests(void);

static void values(void)
{
	g_autoptr(GString) s = g_string_new(NULL);

	format_value(s, IPCFS_FMT_KEY, 0x162e);
	g_assert_cmpstr(s->str, ==, "0x0000162e");
	g_string_truncate(s, 0);
	format_value(s, IPCFS_FMT_KEY, (int64_t)(uint32_t)-1);
	g_assert_cmpstr(s->str, ==, "0xffffffff");
	g_string_truncate(s, 0);
	format_value(s, IPCFS_FMT_MODE, 0600);
	g_assert_cmpstr(s->str, ==, "0600");
	g_string_truncate(s, 0);
	format_value(s, IPCFS_FMT_MODE, 04);
	g_assert_cmpstr(s->str, ==, "0004");
	g_string_truncate(s, 0);
	format_value(s, IPCFS_FMT_DEC, -5);
	g_assert_cmpstr(s->str, ==, "-5");
	g_string_truncate(s, 0);
	format_value(s, IPCFS_FMT_BOOL, 7);
	g_assert_cmpstr(s->str, ==, "1");
}

static void info_lines(void)
{
	static const struct ipcfs_field fields[] = {
		IPCFS_FIELD("key", key, IPCFS_FMT_KEY, NULL),
		IPCFS_FIELD("mode", mode, IPCFS_FMT_MODE, NULL),
		IPCFS_FIELD("uid", uid, IPCFS_FMT_DEC, NULL),
		{ 0 }
	};
	struct ipcfs_obj o = { .key = 0x10, .mode = 0640, .uid = 1000 };
	g_autoptr(GString) s = g_string_new(NULL);

	format_info(s, fields, &o);
	g_assert_cmpstr(s->str, ==, "key: 0x00000010\nmode: 0640\nuid: 1000\n");
}

void format_tests(void)
{
	g_test_add_func("/format/values", values);
	g_test_add_func("/format/info-lines-from-fields", info_lines);
}
