/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * quota.h - the one rule for what each person may hold of a table shared
 * by every user of the mount (fs/quota.c): the namespace table (ns.c),
 * the interned names (node.c) and the blocked operations (wait.c).
 *
 * A share counts the person, not the uid.  Anyone with a range of
 * subordinate uids (/etc/subuid, newuidmap) runs processes as many uids,
 * each of which would get a share of its own.  The person behind a
 * process is the uid that made the outermost user namespace it stands in
 * below the daemon's own (NS_GET_PARENT and NS_GET_OWNER_UID, walked from
 * /proc/PID/ns/user); a process in the daemon's own user namespace is its
 * uid.  A container made by root (its outermost user namespace's owner is
 * uid 0) is a person of its own, not root: its root is nobody's root
 * outside it.
 */
#pragma once
#include "util.h"

/* A person: a uid (below 2^32), or QUOTA_USERNS_BIT | the inode number of
 * a root-made container's outermost user namespace. */
typedef uint64_t quota_person;
#define QUOTA_ROOT ((quota_person)0)
#define QUOTA_NONE UINT64_MAX	/* counted for nobody (listings) */
#define QUOTA_USERNS_BIT (UINT64_C(1) << 63)

/*
 * The person behind a process of uid `uid` (as the daemon's user namespace
 * names it) standing in user namespace chain[0], chain[i + 1] being
 * chain[i]'s parent and owners[i] the uid that made chain[i] (len
 * entries, as far as the walk went); `self` is the daemon's own user
 * namespace.  Pure.
 */
quota_person quota_person_of_chain(uid_t uid, const uint64_t *chain, const uid_t *owners, int len,
				   uint64_t self);
/* The person behind thread `pid` of uid `uid` (/proc/PID/ns/user; when it
 * cannot be read, the uid).  A stat when the thread stands in the daemon's
 * own user namespace, a walk of a few ioctls otherwise. */
quota_person quota_person_of(pid_t pid, uid_t uid);

/*
 * How much each person holds of one table, and the bounds: at most
 * `per_person` each, and all persons but root together at most
 * `all_others` (0: no such bound); root has no bound when `root_free`.
 * Not locked: its user holds its own lock around every call.
 */
struct quota {
	GHashTable *held;	/* person -> count (made at first use) */
	unsigned others;	/* held by all but root */
	unsigned per_person, all_others;
	bool root_free;
};
/* Take one for p if the bounds allow: true (taken), or false.  QUOTA_NONE
 * is always allowed and never counted. */
bool quota_take(struct quota *q, quota_person p);
/* Give back one that p took. */
void quota_give(struct quota *q, quota_person p);
/* How many p holds. */
unsigned quota_held(const struct quota *q, quota_person p);
/* Forget every count (for tests and shutdown). */
void quota_clear(struct quota *q);
