// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * format.c - how attribute values are printed, for one-value files, `info`
 * and metrics alike, so the three can never disagree.
 */
#include "util.h"

#include <inttypes.h>
#include <string.h>

void format_value(GString *out, enum ipcfs_fmt fmt, int64_t v)
{
	switch (fmt) {
	case IPCFS_FMT_KEY:
		g_string_append_printf(out, "0x%08" PRIx32, (uint32_t)v);
		break;
	case IPCFS_FMT_MODE:
		g_string_append_printf(out, "0%03" PRIo64, (uint64_t)v & 0777);
		break;
	case IPCFS_FMT_BOOL:
		g_string_append(out, v ? "1" : "0");
		break;
	case IPCFS_FMT_DEC:
	case IPCFS_FMT_TIME:
	default:
		g_string_append_printf(out, "%" PRId64, v);
		break;
	}
}

int64_t field_get(const struct ipcfs_field *f, const struct ipcfs_obj *o)
{
	int64_t v;

	memcpy(&v, (const char *)o + f->offset, sizeof(v));
	return v;
}

void format_info(GString *out, const struct ipcfs_field *fields, const struct ipcfs_obj *o)
{
	for (const struct ipcfs_field *f = fields; f->name; f++) {
		g_string_append_printf(out, "%s: ", f->name);
		format_value(out, f->fmt, field_get(f, o));
		g_string_append_c(out, '\n');
	}
}

void format_label_value(GString *out, const char *v)
{
	for (const char *p = v; *p; p++) {
		if (*p == '\\' || *p == '"')
			g_string_append_c(out, '\\');
		if (*p == '\n')
			g_string_append(out, "\\n");
		else
			g_string_append_c(out, *p);
	}
}
