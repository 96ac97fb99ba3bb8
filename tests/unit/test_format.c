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

/* Decimals (written by hand, not by printf): every magnitude and both
 * ends of int64_t, as printf writes them. */
static void decimals(void)
{
	static const int64_t cases[] = { 0, 1, 9, 10, 99, 100, -1, -10, 32769, 1796961600,
					 INT64_MAX, INT64_MIN, INT64_MIN + 1, -9223372036854775 };
	g_autoptr(GString) s = g_string_new("x");

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *want = g_strdup_printf("x%" G_GINT64_FORMAT, cases[i]);

		g_string_truncate(s, 1);
		format_value(s, IPCFS_FMT_DEC, cases[i]);
		g_assert_cmpstr(s->str, ==, want);
		g_string_truncate(s, 1);
		format_value(s, IPCFS_FMT_TIME, cases[i]);
		g_assert_cmpstr(s->str, ==, want);
		/* Into a buffer, whole and cut as snprintf cuts. */
		for (size_t size = 1; size <= 22; size++) {
			char buf[22], ref[22];
			int n = snprintf(ref, size, "%" G_GINT64_FORMAT, cases[i]);

			g_assert_cmpuint(format_dec(buf, size, cases[i]), ==, MIN((size_t)n, size - 1));
			g_assert_cmpstr(buf, ==, ref);
		}
	}
	for (int64_t v = -1000; v <= 100000; v += 7) {
		g_autofree char *want = g_strdup_printf("x%" G_GINT64_FORMAT, v);

		g_string_truncate(s, 1);
		format_value(s, IPCFS_FMT_DEC, v);
		g_assert_cmpstr(s->str, ==, want);
	}
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

/* /proc paths as snprintf would make them. */
static void proc_paths(void)
{
	static const pid_t pids[] = { 1, 9, 10, 4242, 99999, 4194304, G_MAXINT32 };
	static const char *const rests[] = { "status", "ns/user", "ns/ipc", "" };
	char path[PROC_PATH_MAX];

	for (size_t i = 0; i < G_N_ELEMENTS(pids); i++) {
		for (size_t j = 0; j < G_N_ELEMENTS(rests); j++) {
			g_autofree char *want = g_strdup_printf("/proc/%d/%s", (int)pids[i], rests[j]);

			proc_path(path, pids[i], rests[j]);
			g_assert_cmpstr(path, ==, want);
		}
	}
}

void format_tests(void)
{
	g_test_add_func("/format/values", values);
	g_test_add_func("/format/decimals-as-printf", decimals);
	g_test_add_func("/format/proc-paths-as-printf", proc_paths);
	g_test_add_func("/format/info-lines-from-fields", info_lines);
}
