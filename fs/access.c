// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * access.c - what fs/ checks of a caller beyond the kind's own rule: who
 * may look names up in or list a subdirectory whose entries tell what is
 * in an object, and access(2).  The kind's rule itself (its ->access and
 * ->owner) is the backend's; this only says when and with which bits it
 * is asked.
 */
#include "ops.h"
#include "tree.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

/* A subdirectory row whose listing reads the object (a backend's view of
 * queued messages, say) needs the row's read access, as the kernel would
 * want for reading them. */
int access_list(struct ipcfs_cred *c, const struct node *n)
{
	const struct ipcfs_backend *be;
	const struct row *row;
	struct ipcfs_obj o;
	struct stat st;
	int r;

	if (n->kind == NODE_ROOT || n->slot == NODE_SLOT_OBJECT || n->slot >= NODE_SLOT_LINK)
		return 0;
	row = tree_row(n->kind, n->slot);
	if (!row || !(row->f.flags & IPCFS_FILE_DIR) || !row->f.need_read)
		return 0;
	r = tree_getattr(n, c, &st, &o);
	if (r)
		return r;
	be = ipcfs_backend_of(n->kind);
	return be->access(be, c, &o, row->f.need_read);
}

/*
 * May the caller look names up in `dir`?  A subdirectory whose entries can
 * only be read (one file per queued message, say, with the message's type
 * in its name and its size in st_size) tells by lookup and stat what its
 * listing tells, so it needs the read access that listing needs.  One
 * whose entries may be written (a sender needs no read access) does not.
 */
int access_lookup(struct ipcfs_cred *c, const struct node *dir)
{
	const struct row *dr, *r;

	if (dir->kind == NODE_ROOT || dir->slot == NODE_SLOT_OBJECT ||
	    dir->slot >= NODE_SLOT_LINK)
		return 0;
	dr = tree_row(dir->kind, dir->slot);
	if (!dr || !(dr->f.flags & IPCFS_FILE_DIR) || !dr->f.need_read)
		return 0;
	for (unsigned s = 1; (r = tree_row(dir->kind, s)); s++)
		if (r->f.parent == dir->slot && (r->f.write || (r->field && r->field->write)))
			return 0;
	return access_list(c, dir);
}

/* The same for a node found earlier (stat of a cached name): its parent. */
int access_parent(struct ipcfs_cred *c, const struct node *n)
{
	const struct row *r;
	struct node dir;

	if (n->kind == NODE_ROOT || n->slot == NODE_SLOT_OBJECT || n->slot >= NODE_SLOT_LINK)
		return 0;
	r = tree_row(n->kind, n->slot);
	if (!r || !r->f.parent)
		return 0;
	dir = (struct node){ .kind = n->kind, .alias = n->alias, .slot = r->f.parent,
			     .id = n->id };
	return access_lookup(c, &dir);
}

/* access(2) of node n, whose attributes are st (of object o, when the
 * node is in one): 0 or -errno. */
int access_mask(struct ipcfs_cred *c, const struct node *n, const struct stat *st,
		const struct ipcfs_obj *o, int mask)
{
	const struct ipcfs_backend *be;
	const struct row *row;
	int want = 0;

	if (mask == F_OK)
		return 0;
	if ((mask & W_OK) && ipcfs_opts.ro && !S_ISDIR(st->st_mode))
		return -EROFS;
	if (n->kind == NODE_ROOT || n->slot >= NODE_SLOT_LINK ||
	    n->slot == NODE_SLOT_OBJECT || S_ISLNK(st->st_mode)) {
		/* Directories are searchable by all; files by their mode. */
		if (!S_ISDIR(st->st_mode) && (mask & (W_OK | X_OK)) &&
		    !(st->st_mode & ((mask & W_OK) ? 0222 : 0111)))
			return -EACCES;
		return 0;
	}
	row = tree_row(n->kind, n->slot);
	if (mask & X_OK && !(row->f.flags & IPCFS_FILE_DIR))
		return -EACCES;
	if ((mask & W_OK) && !row->f.write && !(row->field && row->field->write))
		return -EACCES;
	if (mask & R_OK)
		want |= row->f.need_read;
	if (mask & W_OK)
		want |= row->f.need_write;
	be = ipcfs_backend_of(n->kind);
	return be->access(be, c, o, want);
}
