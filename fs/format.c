// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * format.c - how attribute values are printed, for one-value files, `info`
 * and metrics alike, so the three can never disagree.
 */
#include "util.h"

#include <inttypes.h>
#include <string.h>

/* A decimal, written by hand: printf costs ~2,000 instructions a
 * number, and `info`, one-value files, metrics and listings print little
 * else. */
size_t format_dec(char *buf, size_t size, int64_t v)
{
	char tmp[24], *p = tmp + sizeof(tmp);
	uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;
	size_t n;

	do
		*--p = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		*--p = '-';
	n = (size_t)(tmp + sizeof(tmp) - p);
	if (!size)
		return n;
	if (n >= size)
		n = size - 1;	/* cut, as snprintf would */
	memcpy(buf, p, n);
	buf[n] = '\0';
	return n;
}

static void append_dec(GString *out, int64_t v)
{
	char buf[24];
	size_t n = format_dec(buf, sizeof(buf), v);

	g_string_append_len(out, buf, (gssize)n);
}

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
		append_dec(out, v);
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
		g_string_append(out, f->name);
		g_string_append_len(out, ": ", 2);
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
