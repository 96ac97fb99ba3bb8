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
#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* chmod/chown of an object directory, by whom the kind's rule lets. */
static int set_owner_mode(fuse_req_t req, const struct node *n, const struct stat *attr,
			  int to_set)
{
	const struct ipcfs_backend *be = ipcfs_backend_of(n->kind);
	struct ipcfs_cred cred;
	struct ipcfs_obj o;
	unsigned what;
	uid_t uid;
	gid_t gid;
	int r;

	if (ipcfs_opts.ro)
		return -EROFS;
	r = be->stat(be, (int)n->id, &o);
	if (r)
		return r;
	cred_from_req(req, &cred);
	r = be->owner(be, &cred, &o);
	if (r)
		return r;
	uid = (to_set & FUSE_SET_ATTR_UID) ? attr->st_uid : (uid_t)o.uid;
	gid = (to_set & FUSE_SET_ATTR_GID) ? attr->st_gid : (gid_t)o.gid;
	/* The 9 permission bits are kept and the rest dropped (setuid,
	 * setgid, sticky mean nothing for IPC), as IPC_SET does for chmod 4755. */
	what = ((to_set & FUSE_SET_ATTR_UID) ? IPCFS_SET_UID : 0) |
	       ((to_set & FUSE_SET_ATTR_GID) ? IPCFS_SET_GID : 0) |
	       ((to_set & FUSE_SET_ATTR_MODE) ? IPCFS_SET_MODE : 0);
	return be->set(be, &cred, (int)n->id, what, uid, gid,
		       (to_set & FUSE_SET_ATTR_MODE) ? (attr->st_mode & 0777) : (mode_t)o.mode);
}

static int truncate_row(fuse_req_t req, const struct node *n, off_t size,
			struct fuse_file_info *fi)
{
	const struct row *row = tree_row(n->kind, n->slot);
	struct ipcfs_fh *fh = fi ? (struct ipcfs_fh *)(uintptr_t)fi->fh : NULL;

	if (!row)
		return -EPERM;
	if (ipcfs_opts.ro)
		return -EROFS;
	if (!row->f.truncate) {
		/* `echo 5 > file` truncates first: harmless on writable files. */
		if (row->f.write || (row->field && row->field->write))
			return 0;
		return -EACCES;
	}
	/* By path: as an open for writing would (System V's data: r and w,
	 * as shmat; a POSIX file: the caller's own open of it). */
	if (!fh)
		return truncate_path(req, n, size);
	if ((fh->flags & O_ACCMODE) == O_RDONLY)
		return -EBADF;
	return row->f.truncate((int)n->id, fh, size);
}

void ipcfs_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
			  struct fuse_file_info *fi)
{
	const int owner_bits = FUSE_SET_ATTR_MODE | FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID;
	struct node n;
	struct stat st;
	int r = 0;

	node_decode(ino, &n);
	r = tree_getattr(&n, &st, NULL);
	if (r)
		goto out;
	if (n.kind != NODE_ROOT && n.slot == NODE_SLOT_OBJECT) {
		if (to_set & FUSE_SET_ATTR_SIZE)
			r = -EISDIR;
		else if (to_set & owner_bits)
			r = set_owner_mode(req, &n, attr, to_set);
	} else if (to_set & owner_bits) {
		r = -EPERM;
	} else if (to_set & FUSE_SET_ATTR_SIZE) {
		if (n.kind == NODE_ROOT || n.slot >= NODE_SLOT_LINK)
			r = n.slot == NODE_SLOT_NEW ? 0 : -EPERM;
		else
			r = truncate_row(req, &n, attr->st_size, fi);
	}
	/* Times are the object's own: a touch changes nothing, and succeeds
	 * as it does on procfs. */
	if (!r)
		r = tree_getattr(&n, &st, NULL);
out:
	log_dbg("setattr %#lx %#x -> %d", (unsigned long)ino, to_set, r);
	if (r)
		reply_err(req, r);
	else
		fuse_reply_attr(req, &st, ipcfs_opts.timeout);
}

void ipcfs_readlink(fuse_req_t req, fuse_ino_t ino)
{
	char target[IPCFS_NAME_MAX + 3];
	struct node n;
	int r;

	node_decode(ino, &n);
	if (n.kind == NODE_ROOT && !n.ns && n.id == 0 && n.slot == ROOT_SLOT_NSSELF) {
		snprintf(target, sizeof(target), "%" G_GUINT64_FORMAT, ns_self_ino());
		fuse_reply_readlink(req, target);
		return;
	}
	r = n.kind == NODE_ROOT ? -EINVAL : tree_link_target(&n, target, sizeof(target));
	if (r) {
		reply_err(req, r);
		return;
	}
	fuse_reply_readlink(req, target);
}

/* Create as the kind wants (ipcfs_backend.create_as): the thread is set
 * up here, once, and back to the daemon's identity after. */
int create_as(struct ipcfs_cred *cred, const struct ipcfs_backend *be, struct ipcfs_create *args)
{
	int r = 0;

	switch (be->create_as) {
	case IPCFS_CREATE_AS_CALLER_IDS:
		r = cred_enter(cred);
		break;
	case IPCFS_CREATE_AS_CALLER_FS:
		r = cred_enter_fs(cred);
		if (r)
			cred_leave_fs();
		break;
	case IPCFS_CREATE_AS_DAEMON:
		break;
	}
	if (r)
		return r;
	args->cred = cred;
	r = be->create(be, args);
	switch (be->create_as) {
	case IPCFS_CREATE_AS_CALLER_IDS:
		cred_leave();
		break;
	case IPCFS_CREATE_AS_CALLER_FS:
		cred_leave_fs();
		break;
	case IPCFS_CREATE_AS_DAEMON:
		break;
	}
	return r;
}

void ipcfs_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
	const struct ipcfs_backend *be;
	struct ipcfs_create args;
	struct fuse_entry_param e;
	struct ipcfs_cred cred;
	struct node dir, child;
	struct stat st;
	int r;

	node_decode(parent, &dir);
	be = ipcfs_backend_of(dir.kind);
	if (!be || dir.slot != NODE_SLOT_KINDDIR) {
		r = -EPERM;
		goto out;
	}
	if (ipcfs_opts.ro) {
		r = -EROFS;
		goto out;
	}
	r = be->parse_mkdir(be, name, mode, &args);
	if (r)
		goto out;
	cred_from_req(req, &cred);
	r = create_as(&cred, be, &args);
	if (r < 0)
		goto out;
	/* The entry is the name made: the object's own, or its second. */
	r = tree_lookup(&dir, name, (int32_t)fuse_req_ctx(req)->pid, fuse_req_ctx(req)->uid,
			&child, &st);
out:
	log_dbg("mkdir %s -> %d", name, r);
	if (r) {
		reply_err(req, r);
		return;
	}
	entry_param(&e, st.st_ino, &st);
	ns_kernel_ref(e.ino, 1);
	if (fuse_reply_entry(req, &e)) {
		ns_kernel_unref(e.ino, 1);	/* first: it decodes the node */
		node_forget(e.ino, 1);
	}
}

void ipcfs_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	const struct ipcfs_backend *be;
	struct ipcfs_cred cred;
	struct ipcfs_obj o;
	struct node dir;
	bool alias;
	int id, r;

	node_decode(parent, &dir);
	be = ipcfs_backend_of(dir.kind);
	if (!be || dir.slot != NODE_SLOT_KINDDIR) {
		r = -EPERM;
		goto out;
	}
	if (be->alias_dir && !strcmp(name, be->alias_dir)) {
		r = -EPERM;
		goto out;
	}
	r = be->resolve(be, name, &id, &alias);
	if (r)
		goto out;
	if (ipcfs_opts.ro) {
		r = -EROFS;
		goto out;
	}
	r = be->stat(be, id, &o);
	if (r)
		goto out;
	cred_from_req(req, &cred);
	r = be->owner(be, &cred, &o);
	if (!r)
		r = be->remove(be, &cred, id);
out:
	log_dbg("rmdir %s -> %d", name, r);
	reply_err(req, r);
}

/* Everything else that would change the tree is refused. */
void ipcfs_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	(void)parent;
	(void)name;
	reply_err(req, ipcfs_opts.ro ? -EROFS : -EPERM);
}

void ipcfs_rename(fuse_req_t req, fuse_ino_t parent, const char *name,
			 fuse_ino_t newparent, const char *newname, unsigned int flags)
{
	(void)parent, (void)name, (void)newparent, (void)newname, (void)flags;
	reply_err(req, ipcfs_opts.ro ? -EROFS : -EPERM);
}

void ipcfs_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char *newname)
{
	(void)ino, (void)newparent, (void)newname;
	reply_err(req, ipcfs_opts.ro ? -EROFS : -EPERM);
}

void ipcfs_symlink(fuse_req_t req, const char *link, fuse_ino_t parent, const char *name)
{
	(void)link, (void)parent, (void)name;
	reply_err(req, ipcfs_opts.ro ? -EROFS : -EPERM);
}

void ipcfs_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
			dev_t rdev)
{
	(void)parent, (void)name, (void)mode, (void)rdev;
	reply_err(req, ipcfs_opts.ro ? -EROFS : -EPERM);
}

void ipcfs_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
			 struct fuse_file_info *fi)
{
	struct node dir;
	struct stat st;

	(void)mode, (void)fi;
	/* `echo x > file` creates when the name is not there: in a directory
	 * whose object vanished, or where the name is one no entry can have
	 * (type/0, prio/99999), say so rather than "not permitted". */
	node_decode(parent, &dir);
	if (tree_getattr(&dir, &st, NULL) == -ENOENT || tree_name_by_rule(&dir, name)) {
		reply_err(req, -ENOENT);
		return;
	}
	reply_err(req, ipcfs_opts.ro ? -EROFS : -EPERM);
}
