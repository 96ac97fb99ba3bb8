/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tree.h - the shape of the mount: which names exist under which node and
 * what their attributes are.  lookup, getattr, readdir and open all walk
 * the same tables, so they can never disagree about a file.
 */
#pragma once
#include "ipcfs.h"
#include "node.h"

/*
 * A row of an object directory: a backend's own file, `info`, a field, or
 * the links to a consuming row.
 *
 * A row whose reading takes something (IPCFS_FILE_CONSUMES: a queue's
 * messages) is not listed: tools that walk a tree and read every file
 * (grep -r, cp -r, tar, rsync -a, find -type f -exec cat, backups) would
 * empty the queues and then wait on them.  What is listed instead, under
 * the same names, is a row of symlinks NAME -> .NAME, and the row's own
 * entries answer to .NAME, which lookup finds and no listing shows.
 * Walkers do not follow symlinks; cat, the shell's < and >, and open(2)
 * do.  (README, "Tools that read every file".)
 */
struct row {
	struct ipcfs_file f;
	const struct ipcfs_field *field;	/* a one-value file */
	bool info;
	unsigned links;		/* a consuming row: the slot of its links' row */
	unsigned target;	/* a row of links: the slot of the row they name */
};
/* What a link's target adds in front of the name it is listed under. */
#define TREE_HIDDEN_PREFIX '.'

enum {
	ROOT_FILE_LIMITS = 1,
	ROOT_FILE_SUMMARY,
	ROOT_FILE_METRICS,
	ROOT_FILE_COUNT
};
/* Slots of the root's kind (NODE_ROOT) from here on are group directories
 * (posix/): slot ROOT_SLOT_GROUP + g is group g (ipcfs_group_name). */
#define ROOT_SLOT_GROUP 16
/* ns/ and what is in it: the directory, self and metrics at the top level
 * (ns 0); `processes` and `info` in each ns/<inode>/ (whose own node is
 * the root's, with the namespace's index). */
#define ROOT_SLOT_NSINFO 11
#define ROOT_SLOT_PROCESSES 12
#define ROOT_SLOT_NSSELF 13
#define ROOT_SLOT_NSMETRICS 14
#define ROOT_SLOT_NSDIR 15
/* Is n the root of the tree, or of ns/<inode>/ (n->ns)? */
static inline bool tree_is_root(const struct node *n)
{
	return n->kind == NODE_ROOT && n->slot == 0 && n->id == 1;
}
/* Is n the top level's node of the root's kind at `slot` (ns/, ns/self)? */
static inline bool tree_is_top_slot(const struct node *n, unsigned slot)
{
	return n->kind == NODE_ROOT && !n->ns && n->id == 0 && n->slot == slot;
}
/* Is n a generated file of the root's kind (limits ... processes)? */
static inline bool tree_is_root_file(const struct node *n)
{
	return n->kind == NODE_ROOT && n->id == 0 &&
	       ((n->slot >= ROOT_FILE_LIMITS && n->slot < ROOT_FILE_COUNT) ||
		((n->slot == ROOT_SLOT_PROCESSES || n->slot == ROOT_SLOT_NSINFO) && n->ns) ||
		(n->slot == ROOT_SLOT_NSMETRICS && !n->ns));
}

void tree_init(void);
/* The row behind a node's slot (1-based), or NULL. */
const struct row *tree_row(unsigned kind, unsigned slot);

/*
 * Every function here answers for caller c (NULL: the daemon, who sees
 * everything): what a kind shows depends on who asks (ipcfs_backend.list).
 */

/* Attributes of a node; `obj` receives the object when the node is in one
 * (may be NULL).  0 or -ENOENT. */
int tree_getattr(const struct node *n, struct ipcfs_cred *c, struct stat *st,
		 struct ipcfs_obj *obj);
/* Resolve `name` in directory `dir` (a new node is the share of the
 * intern table of c's person: node.h, ipcfs.h's shares; c is not NULL).  0,
 * -ENOENT, -ENOTDIR or -ENOSPC. */
int tree_lookup(const struct node *dir, const char *name, struct ipcfs_cred *c,
		struct node *child, struct stat *st);

/* Is `name` in directory `dir` named by a rule of its rows (any name in a
 * subdirectory such as type/ or prio/, a number beside numbered entries),
 * so that, if lookup found nothing, no entry can have it? */
bool tree_name_by_rule(const struct node *dir, const char *name);

/* `n` is the entry's node, whose number the kernel may keep (a lookup
 * reference); NULL for names the kernel must look up itself. */
typedef void (*tree_fill_fn)(void *ctx, const char *name, const struct node *n,
			     const struct stat *st);
/* Every entry of `dir` (without . and ..) that caller c may list (NULL:
 * the daemon).  0, -ENOENT, -ENOTDIR or the kind's -errno (-EACCES). */
int tree_list(const struct node *dir, struct ipcfs_cred *c, tree_fill_fn fill, void *ctx);

/* Where a symlink points: a link in the alias directory to "../<name>",
 * a link of a consuming row to ".<name>", a symlink row to what its
 * backend says.  0 or -errno (-EINVAL: not a symlink). */
int tree_link_target(const struct node *n, struct ipcfs_cred *c, char *buf, size_t size);

/* fs/views.c: the top-level generated files. */
/* `reader`: who reads; metrics show contents only where they may read. */
int views_text(unsigned slot, GString *out, struct ipcfs_cred *reader);
