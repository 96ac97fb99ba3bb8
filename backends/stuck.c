// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * stuck.c - the table of stuck objects that pipes/ and unix/ share for
 * their metrics series (stuck.h).
 */
#include "stuck.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

struct entry {
	gint64 since, seen;
	const void *tag;
	quota_person person;
};

void stuck_begin(struct stuck *t)
{
	g_mutex_lock(&t->lock);
	if (!t->since)
		t->since = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
	t->now = g_hash_table_new(g_direct_hash, g_direct_equal);
	t->at = g_get_monotonic_time();
	t->dropped = 0;
}

/* The person behind process pid: its real uid (a set-user-ID program its
 * user runs stays theirs), or the owner of the user namespace it stands
 * in; STUCK_NO_HOLDER when /proc/PID/status cannot be read. */
static quota_person person_of(pid_t pid)
{
	g_autofree char *text = pid > 0 ? status_read(pid) : NULL;
	uint64_t uid;

	if (!text || status_number(text, "Uid", 10, 0, &uid) || uid > G_MAXUINT32)
		return STUCK_NO_HOLDER;
	return quota_person_of(pid, (uid_t)uid);
}

bool stuck_mark(struct stuck *t, ipcfs_id id, const void *tag, pid_t pid, int64_t uid,
		const char *labels, const char *why, GString *series)
{
	struct entry *e = g_hash_table_lookup(t->since, GUINT_TO_POINTER(id));
	double secs;

	if (!e) {
		/* The person is asked (/proc) only for an entry to be made. */
		quota_person person = pid > 0 ? person_of(pid)
				    : uid >= 0 && uid <= G_MAXUINT32 ? (quota_person)uid
				    : STUCK_NO_HOLDER;

		if (g_hash_table_size(t->since) >= STUCK_MAX || !quota_take(&t->share, person)) {
			t->dropped++;
			return false;
		}
		e = g_new(struct entry, 1);
		e->since = t->at;
		e->person = person;
		g_hash_table_insert(t->since, GUINT_TO_POINTER(id), e);
	}
	e->seen = t->at;
	e->tag = tag;
	g_hash_table_add(t->now, GUINT_TO_POINTER(id));
	secs = (double)(t->at - e->since) / G_USEC_PER_SEC;
	if (secs >= t->after)
		g_string_append_printf(series, "%s{%s,reason=\"%s\"} %.3f\n", t->family, labels, why,
				       secs);
	return true;
}

void stuck_end(struct stuck *t, bool (*keep)(void *ctx, ipcfs_id id, const void *tag, bool now),
	       void *ctx)
{
	GHashTableIter it;
	gpointer key, val;

	g_hash_table_iter_init(&it, t->since);
	while (g_hash_table_iter_next(&it, &key, &val)) {
		struct entry *e = val;
		bool now = g_hash_table_contains(t->now, key);

		if (!keep(ctx, GPOINTER_TO_UINT(key), e->tag, now) ||
		    (e->tag && t->at - e->seen > STUCK_FORGET_US)) {
			quota_give(&t->share, e->person);
			g_hash_table_iter_remove(&it);
		}
	}
	g_hash_table_unref(t->now);
	t->now = NULL;
	g_mutex_unlock(&t->lock);
}

void stuck_clear(struct stuck *t)
{
	g_mutex_lock(&t->lock);
	if (t->since)
		g_hash_table_unref(t->since);
	t->since = NULL;
	quota_clear(&t->share);
	g_mutex_unlock(&t->lock);
}

int stuck_option(struct stuck *t, const char *name, const char *value)
{
	if (value && parse_seconds(value, &t->after)) {
		fprintf(stderr, "ipcfs: %s=%s: want seconds between 0 and 86400\n", name, value);
		return -EINVAL;
	}
	return 0;
}

void stuck_write(GString *out, const char *kind, const char *objects, const char *help,
		 int64_t hidden, unsigned dropped, const GString *series)
{
	g_string_append_printf(out,
		"# HELP ipcfs_%s_hidden %s whose holders the reader may not see (counted only).\n"
		"# TYPE ipcfs_%s_hidden gauge\nipcfs_%s_hidden %" PRId64 "\n"
		"# HELP ipcfs_%s_stuck_dropped Stuck %s beyond the bound of series, not shown.\n"
		"# TYPE ipcfs_%s_stuck_dropped gauge\nipcfs_%s_stuck_dropped %u\n"
		"# HELP ipcfs_%s_stuck_seconds %s (only those stuck for %s_stuck seconds).\n"
		"# TYPE ipcfs_%s_stuck_seconds gauge\n",
		kind, objects, kind, kind, hidden, kind, objects, kind, kind, dropped, kind, help, kind,
		kind);
	g_string_append_len(out, series->str, (gssize)series->len);
}
