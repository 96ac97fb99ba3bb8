/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stuck.h - since when each object of a kind has been stuck, for the one
 * metrics series a stuck object gets (pipes/ and unix/: a pipe full with
 * a writer waiting, a listener whose backlog is full ...).  The kind says
 * at each reading of metrics which of the objects it lists are stuck; the
 * table remembers since when, writes a series once an object has been
 * stuck for the kind's -o KIND_stuck= seconds, and bounds how many it
 * tracks (STUCK_MAX: one series each, so the series stay few), and how
 * many of them one person's objects may take (STUCK_PER_PERSON): anyone
 * can make a thousand stuck pipes, and those must not push everyone
 * else's out of the table.  An object is the person's of the process that
 * is stuck on it, or for a socket no process holds, of the uid the kernel
 * recorded for it.
 *
 *   stuck_begin(&t);                      (takes the table's lock: a leaf)
 *   stuck_mark(&t, id, tag, pid, uid, labels, "full", series);  each one
 *   stuck_end(&t, keep, ctx);             forgets what keep() says is over
 */
#pragma once
#include "../fs/ipcfs.h"

#define STUCK_MAX 1000
#define STUCK_PER_PERSON (STUCK_MAX / 10)
/* The person of an object whose holder cannot be read, and of none. */
#define STUCK_NO_HOLDER (QUOTA_USERNS_BIT | 1)
/* An entry with a tag that no reading has marked for this long is
 * forgotten (an object of a namespace nobody reads any more). */
#define STUCK_FORGET_US (600 * G_USEC_PER_SEC)

struct stuck {
	const char *family;	/* ipcfs_pipes_stuck_seconds */
	double after;		/* seconds before a series (the option) */
	GMutex lock;		/* a leaf (order: fs/ipcfs.h) */
	GHashTable *since;	/* id -> its entry (stuck.c) */
	GHashTable *now;	/* during a reading: the ids marked */
	struct quota share;	/* entries per person */
	gint64 at;		/* the reading's time */
	unsigned dropped;	/* stuck but beyond STUCK_MAX, at this reading */
};
#define STUCK_INIT(fam) \
	{ .family = (fam), .after = 60, .share = { .per_person = STUCK_PER_PERSON } }

/* A reading begins (the lock taken). */
void stuck_begin(struct stuck *t);
/* Object id (of `tag`: the kind's namespace handle, or NULL) is stuck,
 * for reason `why`: its series, `FAMILY{labels,reason="why"} SECONDS`, is
 * appended to `series` once it has been stuck for `after` seconds.  A new
 * entry is the person's behind process `pid` (its real uid, or the owner
 * of the user namespace it stands in), or with pid 0 of `uid` (-1: none).
 * False when it is not tracked (STUCK_MAX reached, or the person's
 * share: counted in t->dropped). */
bool stuck_mark(struct stuck *t, ipcfs_id id, const void *tag, pid_t pid, int64_t uid,
		const char *labels, const char *why, GString *series);
/* The reading ends (the lock dropped): every entry for which keep(ctx, id,
 * tag, marked now) is false is forgotten, as is one with a tag unmarked
 * for STUCK_FORGET_US. */
void stuck_end(struct stuck *t, bool (*keep)(void *ctx, ipcfs_id id, const void *tag, bool now),
	       void *ctx);
/* Forget everything (the kind's shutdown). */
void stuck_clear(struct stuck *t);
/* -o NAME=SECONDS into t->after: 0, or -EINVAL having said why. */
int stuck_option(struct stuck *t, const char *name, const char *value);
/* The families a kind with such a table writes after its own:
 * ipcfs_KIND_hidden (`objects` whose holders the reader may not see),
 * ipcfs_KIND_stuck_dropped, ipcfs_KIND_stuck_seconds (`help` says what
 * stuck means) and its series. */
void stuck_write(GString *out, const char *kind, const char *objects, const char *help,
		 int64_t hidden, unsigned dropped, const GString *series);
