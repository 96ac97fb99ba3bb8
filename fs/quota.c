// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * quota.c - who is the person behind a caller, and how much of a shared
 * table each person holds (see the shares in ipcfs.h).  The counting and the person of
 * a user namespace chain are pure, and unit-tested (tests/unit/test_quota.c);
 * quota_person_of() reads the chain from /proc.
 */
#include "util.h"
#include "userns.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

/* Persons are keys as they are, plus one (a key of 0 would be NULL). */
_Static_assert(sizeof(gpointer) >= sizeof(quota_person), "a person fits a pointer");
#define KEY(p) GSIZE_TO_POINTER((gsize)(p) + 1)

quota_person quota_person_of_chain(uid_t uid, const uint64_t *chain, const uid_t *owners, int len,
				   uint64_t self)
{
	int outer;

	if (len <= 0 || chain[0] == self)
		return uid;
	/* The outermost one below the daemon's own, or the last the walk
	 * reached (it stops at a namespace it may not see above). */
	for (outer = 0; outer + 1 < len && chain[outer + 1] != self; outer++)
		;
	if (owners[outer] == 0 || owners[outer] == (uid_t)-1)
		return QUOTA_USERNS_BIT | chain[outer];
	return owners[outer];
}

quota_person quota_person_of(pid_t pid, uid_t uid)
{
	struct userns_chain ch;
	uint64_t u = pid > 0 ? userns_of(pid) : 0;

	if (!u || u == userns_daemon() || userns_chain_of_pid(pid, &ch))
		return uid;
	return quota_person_of_chain(uid, ch.ns, ch.owner, ch.len, userns_daemon());
}

unsigned quota_held(const struct quota *q, quota_person p)
{
	return q->held ? GPOINTER_TO_UINT(g_hash_table_lookup(q->held, KEY(p))) : 0;
}

bool quota_take(struct quota *q, quota_person p)
{
	unsigned mine;

	if (p == QUOTA_NONE)
		return true;
	mine = quota_held(q, p);
	if (p != QUOTA_ROOT || !q->root_free) {
		if (mine >= q->per_person)
			return false;
		if (p != QUOTA_ROOT && q->all_others && q->others >= q->all_others)
			return false;
	}
	if (!q->held)
		q->held = g_hash_table_new(g_direct_hash, g_direct_equal);
	g_hash_table_insert(q->held, KEY(p), GUINT_TO_POINTER(mine + 1));
	if (p != QUOTA_ROOT)
		q->others++;
	return true;
}

void quota_give(struct quota *q, quota_person p)
{
	unsigned mine;

	if (p == QUOTA_NONE)
		return;
	mine = quota_held(q, p);
	if (!mine)
		return;	/* (never taken: nothing to give) */
	if (mine == 1)
		g_hash_table_remove(q->held, KEY(p));
	else
		g_hash_table_insert(q->held, KEY(p), GUINT_TO_POINTER(mine - 1));
	if (p != QUOTA_ROOT)
		q->others--;
}

void quota_clear(struct quota *q)
{
	if (q->held)
		g_hash_table_destroy(q->held);
	q->held = NULL;
	q->others = 0;
}
