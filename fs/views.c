// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * views.c - the top-level generated files: `limits` (ipcs -l), `summary`
 * (ipcs -u) and `metrics` (Prometheus text exposition format 0.0.4).
 *
 * Metrics come from the same attribute rows as the one-value files: every
 * field with a HELP text is a gauge ipcfs_<kind>_<field>, one sample per
 * object labelled with its kind, the kind's own labels (System V: id and
 * key) and its owner; then a count per kind, the
 * backend's own families, and the limits as ipcfs_limit{name=...}.
 */
#include "tree.h"
#include "util.h"

#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

static void append_limits(GString *out)
{
	for (const struct ipcfs_backend *const *b = ipcfs_backends; *b; b++)
		if ((*b)->limits)
			(*b)->limits(out);
}

static void append_summary(GString *out)
{
	for (const struct ipcfs_backend *const *b = ipcfs_backends; *b; b++)
		if ((*b)->summary)
			(*b)->summary(out);
}

/* A user name for a uid, cached for one metrics run. */
static const char *owner_name(GHashTable *cache, int64_t uid)
{
	const char *name = g_hash_table_lookup(cache, GINT_TO_POINTER((gint)uid));

	if (!name) {
		struct passwd pw, *res = NULL;
		char buf[1024];

		if (!getpwuid_r((uid_t)uid, &pw, buf, sizeof(buf), &res) && res)
			name = g_strdup(res->pw_name);
		else
			name = g_strdup_printf("%" G_GINT64_FORMAT, uid);
		g_hash_table_insert(cache, GINT_TO_POINTER((gint)uid), (gpointer)name);
	}
	return name;
}

/* "name: value" lines as the samples of one gauge family ipcfs_<family>. */
static void append_family(GString *out, const char *family, const char *help, const char *text)
{
	g_string_append_printf(out, "# HELP ipcfs_%s %s\n# TYPE ipcfs_%s gauge\n", family, help,
			       family);
	for (const char *line = text; line && *line;) {
		const char *nl = strchr(line, '\n'), *colon = strchr(line, ':');

		if (colon && (!nl || colon < nl))
			g_string_append_printf(out, "ipcfs_%s{name=\"%.*s\"}%.*s\n", family,
					       (int)(colon - line), line,
					       (int)((nl ? nl : line + strlen(line)) - colon - 1),
					       colon + 1);
		line = nl ? nl + 1 : NULL;
	}
}

static void append_metrics(GString *out, struct ipcfs_cred *reader)
{
	g_autoptr(GHashTable) owners = g_hash_table_new_full(g_direct_hash, g_direct_equal,
							     NULL, g_free);
	g_autoptr(GString) lim = g_string_new(NULL);

	for (const struct ipcfs_backend *const *b = ipcfs_backends; *b; b++) {
		const struct ipcfs_backend *be = *b;
		g_autoptr(GArray) objs = g_array_new(FALSE, FALSE, sizeof(struct ipcfs_obj));
		g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func(g_free);

		if (be->list(be, reader, objs))
			continue;
		for (guint i = 0; i < objs->len; i++) {
			const struct ipcfs_obj *o = &g_array_index(objs, struct ipcfs_obj, i);
			GString *l = g_string_new(NULL);

			g_string_append_printf(l, "kind=\"%s\",", ipcfs_kind_path(be));
			be->labels(be, o, l);
			g_string_append_printf(l, ",owner=\"%s\"", owner_name(owners, o->uid));
			g_ptr_array_add(labels, g_string_free(l, FALSE));
		}
		const char *fam = ipcfs_kind_family(be);

		g_string_append_printf(out, "# HELP ipcfs_%s_objects Number of %s objects.\n"
				       "# TYPE ipcfs_%s_objects gauge\nipcfs_%s_objects %u\n",
				       fam, ipcfs_kind_path(be), fam, fam, objs->len);
		for (const struct ipcfs_field *f = be->fields; f->name; f++) {
			if (!f->help)
				continue;
			g_string_append_printf(out, "# HELP ipcfs_%s_%s %s\n# TYPE ipcfs_%s_%s gauge\n",
					       fam, f->name, f->help, fam, f->name);
			/* One sample per object and field (270,000 at 30,000
			 * queues): appended, not printed, which took most of
			 * the time of `cat metrics`. */
			for (guint i = 0; i < objs->len; i++) {
				const struct ipcfs_obj *o = &g_array_index(objs, struct ipcfs_obj, i);

				g_string_append(out, "ipcfs_");
				g_string_append(out, fam);
				g_string_append_c(out, '_');
				g_string_append(out, f->name);
				g_string_append_c(out, '{');
				g_string_append(out, (char *)labels->pdata[i]);
				g_string_append(out, "} ");
				format_value(out, IPCFS_FMT_DEC, field_get(f, o));
				g_string_append_c(out, '\n');
			}
		}
		if (be->metrics)
			be->metrics(objs, (char **)labels->pdata, reader, out);
	}
	/* The limits and the usage summary, one family each. */
	append_limits(lim);
	append_family(out, "limit", "System-wide IPC limit, as ipcs -l shows it.", lim->str);
	g_string_truncate(lim, 0);
	append_summary(lim);
	append_family(out, "usage", "System-wide IPC usage, as ipcs -u shows it.", lim->str);
}

int views_text(unsigned slot, GString *out, struct ipcfs_cred *reader)
{
	switch (slot) {
	case ROOT_FILE_LIMITS:
		append_limits(out);
		return 0;
	case ROOT_FILE_SUMMARY:
		append_summary(out);
		return 0;
	case ROOT_FILE_METRICS:
		append_metrics(out, reader);
		return 0;
	}
	return -ENOENT;
}
