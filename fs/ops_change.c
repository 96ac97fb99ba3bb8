// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ops_change.c - the handlers that change the tree or an object's
 * attributes: chmod/chown/truncate (setattr), mkdir, rmdir, readlink, and
 * the refusals of everything else (rename, link, unlink ...).
 */
#include "ns.h"
#include "ops.h"
#include "tree.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* chmod/chown of an object directory, by whom the kind's rule lets. */
static int set_owner_mode(struct ipcfs_cred *c, const struct node *n, const struct stat *attr,
			  int to_set)
{
	const struct ipcfs_backend *be = ipcfs_backend_of(n->kind);
	struct ipcfs_obj o;
	unsigned what;
	uid_t uid;
	gid_t gid;
	int r;

	if (ipcfs_opts.ro)
		return -EROFS;
	r = be->stat(be, c, n->id, &o);
	if (r)
		return r;
	r = be->owner(be, c, &o);
	if (r)
		return r;
	uid = (to_set & FUSE_SET_ATTR_UID) ? attr->st_uid : (uid_t)o.uid;
	gid = (to_set & FUSE_SET_ATTR_GID) ? attr->st_gid : (gid_t)o.gid;
	/* The 9 permission bits are kept and the rest dropped (setuid,
	 * setgid, sticky mean nothing for IPC), as IPC_SET does for chmod 4755. */
	what = ((to_set & FUSE_SET_ATTR_UID) ? IPCFS_SET_UID : 0) |
	       ((to_set & FUSE_SET_ATTR_GID) ? IPCFS_SET_GID : 0) |
	       ((to_set & FUSE_SET_ATTR_MODE) ? IPCFS_SET_MODE : 0);
	return be->set(be, c, n->id, what, uid, gid,
		       (to_set & FUSE_SET_ATTR_MODE) ? (attr->st_mode & 0777) : (mode_t)o.mode);
}

void op_setattr(fuse_req_t req, struct ipcfs_cred *c, fuse_ino_t ino, struct stat *attr,
		int to_set, struct fuse_file_info *fi)
{
	const int owner_bits = FUSE_SET_ATTR_MODE | FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID;
	struct node n;
	struct stat st;
	int r = 0;

	node_decode(ino, &n);
	r = tree_getattr(&n, c, &st, NULL);
	if (r)
		goto out;
	if (n.kind != NODE_ROOT && n.slot == NODE_SLOT_OBJECT) {
		if (to_set & FUSE_SET_ATTR_SIZE)
			r = -EISDIR;
		else if (to_set & owner_bits)
			r = set_owner_mode(c, &n, attr, to_set);
	} else if (to_set & owner_bits) {
		r = -EPERM;
	} else if (to_set & FUSE_SET_ATTR_SIZE) {
		if (n.kind == NODE_ROOT || n.slot >= NODE_SLOT_LINK)
			r = n.slot == NODE_SLOT_NEW ? 0 : -EPERM;
		else
			r = truncate_node(c, &n, attr->st_size,
					  fi ? (struct ipcfs_fh *)(uintptr_t)fi->fh : NULL);
	}
	/* Times are the object's own: a touch changes nothing, and succeeds
	 * as it does on procfs. */
	if (!r)
		r = tree_getattr(&n, c, &st, NULL);
out:
	log_dbg("setattr %#lx %#x -> %d", (unsigned long)ino, to_set, r);
	if (r)
		reply_err(req, r);
	else
		fuse_reply_attr(req, &st, ipcfs_opts.timeout);
}

void op_readlink(fuse_req_t req, struct ipcfs_cred *c, fuse_ino_t ino)
{
	char target[IPCFS_NAME_MAX + 3];
	struct node n;
	int r;

	node_decode(ino, &n);
	if (tree_is_top_slot(&n, ROOT_SLOT_NSSELF)) {
		snprintf(target, sizeof(target), "%" G_GUINT64_FORMAT, ns_self_ino());
		fuse_reply_readlink(req, target);
		return;
	}
	r = n.kind == NODE_ROOT ? -EINVAL : tree_link_target(&n, c, target, sizeof(target));
	if (r) {
		reply_err(req, r);
		return;
	}
	fuse_reply_readlink(req, target);
}

void op_mkdir(fuse_req_t req, struct ipcfs_cred *c, fuse_ino_t parent, const char *name,
	      mode_t mode)
{
	const struct ipcfs_backend *be;
	struct ipcfs_create_args args;
	struct node dir, child;
	struct stat st;
	ipcfs_id id;
	int r;

	node_decode(parent, &dir);
	be = ipcfs_backend_of(dir.kind);
	if (!be || dir.slot != NODE_SLOT_KINDDIR || !be->parse_mkdir || !be->create) {
		r = -EPERM;
		goto out;
	}
	if (ipcfs_opts.ro) {
		r = -EROFS;
		goto out;
	}
	r = be->parse_mkdir(be, name, mode, &args);
	if (!r)
		r = create_as(c, be, &args, &id);
	/* The entry is the name made: the object's own, or its second. */
	if (!r)
		r = tree_lookup(&dir, name, c, &child, &st);
out:
	log_dbg("mkdir %s -> %d", name, r);
	if (r)
		reply_err(req, r);
	else
		reply_entry(req, node_encode(&child), &st);
}

void op_rmdir(fuse_req_t req, struct ipcfs_cred *c, fuse_ino_t parent, const char *name)
{
	const struct ipcfs_backend *be;
	struct ipcfs_obj o;
	struct node dir;
	ipcfs_id id;
	bool alias;
	int r;

	node_decode(parent, &dir);
	be = ipcfs_backend_of(dir.kind);
	if (!be || dir.slot != NODE_SLOT_KINDDIR || !be->remove) {
		r = -EPERM;
		goto out;
	}
	if (be->alias_dir && !strcmp(name, be->alias_dir)) {
		r = -EPERM;
		goto out;
	}
	r = be->resolve(be, c, name, &id, &alias);
	if (r)
		goto out;
	if (ipcfs_opts.ro) {
		r = -EROFS;
		goto out;
	}
	r = be->stat(be, c, id, &o);
	if (!r)
		r = be->owner(be, c, &o);
	if (!r)
		r = be->remove(be, c, id);
out:
	log_dbg("rmdir %s -> %d", name, r);
	reply_err(req, r);
}

/* Everything else that would change the tree is refused. */
void op_refuse(fuse_req_t req)
{
	reply_err(req, ipcfs_opts.ro ? -EROFS : -EPERM);
}

void op_create(fuse_req_t req, struct ipcfs_cred *c, fuse_ino_t parent, const char *name)
{
	struct node dir;
	struct stat st;

	/* `echo x > file` creates when the name is not there: in a directory
	 * whose object vanished, or where the name is one no entry can have
	 * (type/0, prio/99999), say so rather than "not permitted". */
	node_decode(parent, &dir);
	if (tree_getattr(&dir, c, &st, NULL) == -ENOENT || tree_name_by_rule(&dir, name)) {
		reply_err(req, -ENOENT);
		return;
	}
	op_refuse(req);
}
