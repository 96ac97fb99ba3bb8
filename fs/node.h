/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * node.h - inode numbers computed from what a node is.
 *
 * 64 bits: kind (4) | alias (1) | slot (6) | ns (8) | sub (13) | id (32).
 *   kind   the backend's number in the registry (ipcfs_kind_of): 1 ..
 *          IPCFS_KINDS_MAX (15); 0 (NODE_ROOT) for the root and its files
 *   alias  the node was reached through the object's second name (System
 *          V's 0xKEY: a distinct inode, so the kernel never sees one
 *          directory under two names)
 *   slot   0 the object directory; 1 .. NODE_SLOT_LINK - 1 a row of the
 *          object directory (a kind has at most 59 rows: its files, `info`,
 *          its fields and the links of its consuming rows); NODE_SLOT_* for
 *          the kind-level nodes; the root's own slots are tree.h's
 *   ns     the IPC namespace the node acts in: 0 the top level, else the
 *          index of one of ns/<inode> (fs/ns.c), held while the kernel
 *          knows a node of it, so never another namespace's under an old
 *          number
 *   sub    the row's index (a semaphore number, a message position) up to
 *          4095; values that do not fit go through a small intern table
 *          (bit 12 set).  An interned node's number holds a 20-bit handle
 *          in ns and the low 12 bits of sub, and its entry holds the
 *          namespace: so the table has 2^20 handles.
 *   id     the object's id, 0 .. 2^32 - 1 (System V ids are at most
 *          INT_MAX; a pipe's or a socket's inode number takes all 32 bits)
 * No table is needed to look a node up, and numbers survive a restart.
 *
 * The trade made for a 32-bit id and 16 kinds: slot went from 8 bits to 6
 * (the widest kind, mq, has 25 rows), and the intern handle (sub's low
 * bits and ns) keeps its 2^20.
 */
#pragma once
#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#define NODE_ID_BITS 32
#define NODE_SUB_BITS 13
#define NODE_NS_BITS 8
#define NODE_SLOT_BITS 6
#define NODE_ALIAS_BITS 1
#define NODE_KIND_BITS 4

_Static_assert(NODE_ID_BITS + NODE_SUB_BITS + NODE_NS_BITS + NODE_SLOT_BITS +
		       NODE_ALIAS_BITS + NODE_KIND_BITS == 64,
	       "inode layout must fill 64 bits");

#define NODE_ROOT 0

enum {
	NODE_SLOT_OBJECT = 0,
	NODE_SLOT_LINK = 60,	/* a symlink in the alias directory to object `id` */
	NODE_SLOT_NEW = 61,	/* the `new` control file */
	NODE_SLOT_ALIASDIR = 62,	/* the directory of second names (by-key) */
	NODE_SLOT_KINDDIR = 63,	/* a kind's directory */
	NODE_SLOT_MAX = 63,
};

#define NODE_SUB_DIRECT_MAX ((UINT64_C(1) << (NODE_SUB_BITS - 1)) - 1)
/* In struct node: an interned sub is this flag and the handle (the wire
 * form is node.c's). */
#define NODE_SUB_INTERNED (UINT64_C(1) << 31)
#define NODE_HANDLE_MAX ((UINT64_C(1) << (NODE_SUB_BITS - 1 + NODE_NS_BITS)) - 1)
/* Namespace indexes: 1 .. NODE_NS_MAX (0 is the top level). */
#define NODE_NS_MAX ((1u << NODE_NS_BITS) - 1)

_Static_assert(NODE_SLOT_MAX == (1u << NODE_SLOT_BITS) - 1, "the kind-level slots end the slot field");
_Static_assert(NODE_HANDLE_MAX >= (UINT64_C(1) << 20) - 1, "the intern table keeps 2^20 handles");

struct node {
	unsigned kind;
	bool alias;
	unsigned slot;
	uint32_t sub;		/* the encoded sub (maybe an intern handle) */
	uint32_t id;
	unsigned ns;		/* 0: the top level; else a namespace's index (last, so
				 * that positional initialisers of the rest still work) */
};

uint64_t node_encode(const struct node *n);
/* (An interned node's namespace comes from its intern entry: 0 once that
 * is gone, when nothing of it resolves any more.) */
void node_decode(uint64_t ino, struct node *n);

/*
 * The encoded sub for a row value: the value itself when small, else an
 * interned handle (one reference taken; node_forget drops it).  Returns
 * UINT32_MAX when the intern table is full, or when person `person` (see
 * ipcfs.h's shares: a uid, or the person behind a user namespace), whose lookup
 * would make the entry, holds its share of it.
 *
 * Entries live until the kernel forgets them, which evict.c asks for,
 * one name at a time; lookups from many processes at once can outrun
 * that.  So each person but root may hold NODE_INTERN_PER_USER entries,
 * and all of them together half the table: past that, that person's
 * lookups of such names fail (ENOSPC) until theirs are forgotten, and
 * root's and (below the half) other persons' do not.  NODE_UID_NONE: not
 * counted (listings, bounded by what they list).
 */
#define NODE_INTERN_PER_USER 65536
#define NODE_UID_NONE UINT64_MAX	/* ipcfs.h's QUOTA_NONE */
uint32_t node_sub_get(const struct node *parent_like, uint64_t value, uint64_t person);
/* An interned handle (one reference) even when the value is small, for a
 * name whose open files must not share an inode: the node thread `who`
 * got last for it while no file is open on it, else a new one, so that
 * the kernel's per-inode lock is not shared by unrelated blocked writers.
 * UINT32_MAX when the table is full, or `person` holds its share. */
uint32_t node_sub_fresh(const struct node *n, uint64_t value, int32_t who, uint64_t person);
/* A file was opened on / closed from such a node; open returns how many
 * were open on it before (0 for other nodes). */
unsigned node_sub_open(const struct node *n);
void node_sub_close(const struct node *n);
/* Record where the kernel holds an interned node (its parent directory's
 * number and its name), so that it can be asked to let it go. */
void node_sub_name(const struct node *n, uint64_t parent, const char *name);
struct node_evict {
	uint64_t parent;
	char *name;		/* the caller frees */
};
/* While more than `keep` entries are live, the oldest named ones not asked
 * yet (at most `most`), appended to `out` (GArray of struct node_evict):
 * the caller asks the kernel to drop those names
 * (fuse_lowlevel_notify_inval_entry), and their forget frees them.
 * Returns how many. */
size_t node_evict_take(size_t keep, size_t most, GArray *out);
/* The number stat shows for a row entry: the same for every lookup. */
uint64_t node_display_ino(const struct node *n, uint64_t value);
/* The value behind an encoded sub; false when a handle is unknown. */
bool node_sub_value(const struct node *n, uint64_t *value);
/* Is this an object's second name (System V's 0xKEY directory or by-key
 * link)?  What it names changes when the key is removed and made again. */
bool node_is_alias_name(uint64_t ino);
/* The kernel forgot `nlookup` references to this inode. */
void node_forget(uint64_t ino, uint64_t nlookup);
/* Count of live intern entries (for tests and the RSS bench). */
unsigned node_interned_count(void);
