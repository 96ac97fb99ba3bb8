/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * snapshot.h - what pipes/ and unix/ both keep of their scans of /proc
 * (and the unix_diag dump): a snapshot, read-only once made and shared by
 * reference, and the one kept current, scanned again when it is older
 * than a request allows.  A kind's own snapshot struct begins with a
 * struct snapshot.
 *
 *   struct snap { struct snapshot base; ... };
 *   snapshot_init(&s->base, snap_free);              in the kind's scan
 *   s = (struct snap *)snapshot_since(&cache, since, scan, arg);
 *   snapshot_unref(&s->base);
 */
#pragma once
#include "../fs/ipcfs.h"

/* A snapshot younger than this answers lookups and stats; a name not
 * found takes a new one once it is older than SNAP_LIST_US (a bound on
 * the scans a loop of lookups can cause); a listing always a new one. */
#define SNAP_MAX_US G_USEC_PER_SEC
#define SNAP_LIST_US (G_USEC_PER_SEC / 10)

struct snapshot {
	gint refs;
	gint64 taken;		/* g_get_monotonic_time() */
	void (*free)(struct snapshot *s);	/* the kind's, at the last unref */
};

/* The one kept current.  The lock is held for a whole scan, so that one
 * thread scans while the others wait for its result (a leaf, unless the
 * kind's scan takes its own leaves). */
struct snapshot_cache {
	GMutex lock;
	struct snapshot *current;
};

/* A new snapshot: one reference, taken now. */
void snapshot_init(struct snapshot *s, void (*free)(struct snapshot *s));
struct snapshot *snapshot_ref(struct snapshot *s);
void snapshot_unref(struct snapshot *s);
/* The kept snapshot if it began at `since` or later, else a new one from
 * scan(arg), made with the lock held, and kept: the caller's reference.
 * Callers that wait here while another scans share its result when it
 * began late enough for them. */
struct snapshot *snapshot_since(struct snapshot_cache *c, gint64 since,
				struct snapshot *(*scan)(void *arg), void *arg);
/* Drop the kept snapshot (lock held by the caller, or none can race). */
void snapshot_forget(struct snapshot_cache *c);
