// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * snapshot.c - the shared, reference-counted snapshots of pipes/ and
 * unix/, and the one each keeps current (snapshot.h).
 */
#include "snapshot.h"

void snapshot_init(struct snapshot *s, void (*free)(struct snapshot *s))
{
	s->refs = 1;
	s->taken = g_get_monotonic_time();
	s->free = free;
}

struct snapshot *snapshot_ref(struct snapshot *s)
{
	g_atomic_int_inc(&s->refs);
	return s;
}

void snapshot_unref(struct snapshot *s)
{
	if (s && g_atomic_int_dec_and_test(&s->refs))
		s->free(s);
}

struct snapshot *snapshot_since(struct snapshot_cache *c, gint64 since,
				struct snapshot *(*scan)(void *arg), void *arg)
{
	struct snapshot *s;

	g_mutex_lock(&c->lock);
	if (!c->current || c->current->taken < since) {
		snapshot_unref(c->current);
		c->current = scan(arg);
	}
	s = snapshot_ref(c->current);
	g_mutex_unlock(&c->lock);
	return s;
}

void snapshot_forget(struct snapshot_cache *c)
{
	snapshot_unref(c->current);
	c->current = NULL;
}
