// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ops_ns.c - the operation table, each handler run in the IPC namespace of
 * its node (fs/ns.c): a node under ns/<inode>/ carries the namespace's
 * index in its number, and the worker thread joins that namespace for the
 * whole handler, blocking included, then returns to the daemon's own.
 *
 * A name or node of a namespace is there only for a caller who may see
 * the namespace (the kernel's ptrace-read rule for one of its processes),
 * checked at each operation on a node, not only at lookup: the kernel
 * caches a name for everyone.  An open file keeps acting in the namespace
 * it was opened in, as an open fd does (fh->ns); once the namespace's last
 * process is gone, reads and writes of it fail with EIDRM.
 */
#include "ns.h"
#include "ops.h"
#include "util.h"

#include <errno.h>
#include <poll.h>

struct scope {
	struct ipcfs_ns *ns;
	struct ipcfs_cred cred;
};

/* Join the namespace of node `ino` for caller req.  0 or -errno. */
static int scope_node(fuse_req_t req, fuse_ino_t ino, struct scope *sc)
{
	struct node n;
	int r;

	node_decode(ino, &n);
	cred_from_req(req, &sc->cred);
	ns_set_caller(&sc->cred);
	r = ns_get(n.ns, &sc->cred, &sc->ns);
	if (!r) {
		r = ns_enter(sc->ns);
		if (r) {
			ns_put(sc->ns);
			sc->ns = NULL;
		}
	}
	if (r)
		ns_set_caller(NULL);
	return r;
}

/* Join the namespace an open file acts in; `live`: refuse (EIDRM) once
 * the namespace is gone. */
static int scope_fh(struct fuse_file_info *fi, bool live, struct scope *sc)
{
	struct ipcfs_fh *fh = (struct ipcfs_fh *)(uintptr_t)fi->fh;
	int r;

	/* (No caller's credentials: the file acts as its opener, fh->cred.) */
	sc->ns = open_file_of(fh)->ns;
	if (!sc->ns)
		return 0;
	if (live && ns_gone(sc->ns))
		return -EIDRM;
	ns_hold(sc->ns);
	r = ns_enter(sc->ns);
	if (r) {
		ns_put(sc->ns);
		sc->ns = NULL;
	}
	return r;
}

static void scope_end(struct scope *sc)
{
	ns_leave(sc->ns);
	ns_put(sc->ns);
	ns_set_caller(NULL);
}

/* Run `call` within a scope that `open` (using sc_) made, or reply its
 * error. */
#define IN_SCOPE(req, open, call) \
	do { \
		struct scope sc_; \
		int r_ = (open); \
		if (r_) { \
			reply_err((req), r_); \
			return; \
		} \
		call; \
		scope_end(&sc_); \
	} while (0)
#define IN_NODE(req, ino, call) IN_SCOPE(req, scope_node((req), (ino), &sc_), call)
#define IN_FILE(req, fi, live, call) IN_SCOPE(req, scope_fh((fi), (live), &sc_), call)

static void ns_lookup_op(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	IN_NODE(req, parent, ipcfs_lookup(req, parent, name));
}

static void ns_forget_op(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	ns_kernel_unref(ino, nlookup);
	ipcfs_forget(req, ino, nlookup);
}

static void ns_forget_multi_op(fuse_req_t req, size_t count, struct fuse_forget_data *forgets)
{
	for (size_t i = 0; i < count; i++)
		ns_kernel_unref(forgets[i].ino, forgets[i].nlookup);
	ipcfs_forget_multi(req, count, forgets);
}

static void ns_getattr_op(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	IN_NODE(req, ino, ipcfs_getattr(req, ino, fi));
}

static void ns_setattr_op(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
			  struct fuse_file_info *fi)
{
	IN_NODE(req, ino, ipcfs_setattr(req, ino, attr, to_set, fi));
}

static void ns_access_op(fuse_req_t req, fuse_ino_t ino, int mask)
{
	IN_NODE(req, ino, ipcfs_access(req, ino, mask));
}

static void ns_readlink_op(fuse_req_t req, fuse_ino_t ino)
{
	IN_NODE(req, ino, ipcfs_readlink(req, ino));
}

static void ns_mknod_op(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
			dev_t rdev)
{
	IN_NODE(req, parent, ipcfs_mknod(req, parent, name, mode, rdev));
}

static void ns_mkdir_op(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
	IN_NODE(req, parent, ipcfs_mkdir(req, parent, name, mode));
}

static void ns_unlink_op(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	IN_NODE(req, parent, ipcfs_unlink(req, parent, name));
}

static void ns_rmdir_op(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	IN_NODE(req, parent, ipcfs_rmdir(req, parent, name));
}

static void ns_symlink_op(fuse_req_t req, const char *link, fuse_ino_t parent, const char *name)
{
	IN_NODE(req, parent, ipcfs_symlink(req, link, parent, name));
}

static void ns_rename_op(fuse_req_t req, fuse_ino_t parent, const char *name,
			 fuse_ino_t newparent, const char *newname, unsigned int flags)
{
	IN_NODE(req, parent, ipcfs_rename(req, parent, name, newparent, newname, flags));
}

static void ns_link_op(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char *newname)
{
	IN_NODE(req, newparent, ipcfs_link(req, ino, newparent, newname));
}

static void ns_create_op(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
			 struct fuse_file_info *fi)
{
	IN_NODE(req, parent, ipcfs_create(req, parent, name, mode, fi));
}

static void ns_open_op(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	IN_NODE(req, ino, ipcfs_open(req, ino, fi));
}

static void ns_read_op(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi)
{
	IN_FILE(req, fi, true, ipcfs_read(req, ino, size, off, fi));
}

static void ns_write_op(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
			struct fuse_file_info *fi)
{
	IN_FILE(req, fi, true, ipcfs_write(req, ino, buf, size, off, fi));
}

static void ns_flush_op(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	IN_FILE(req, fi, false, ipcfs_flush(req, ino, fi));
}

static void ns_release_op(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	IN_FILE(req, fi, false, ipcfs_release(req, ino, fi));
}

static void ns_poll_op(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi,
		       struct fuse_pollhandle *ph)
{
	struct scope sc;
	int r = scope_fh(fi, false, &sc);

	if (r) {
		/* A file of a namespace that cannot be joined: an error to poll. */
		if (ph)
			fuse_pollhandle_destroy(ph);
		fuse_reply_poll(req, POLLERR | POLLHUP);
		return;
	}
	ipcfs_poll(req, ino, fi, ph);
	scope_end(&sc);
}

static void ns_opendir_op(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	IN_NODE(req, ino, ipcfs_opendir(req, ino, fi));
}

const struct fuse_lowlevel_ops ipcfs_ops = {
	.init = ipcfs_init,
	.lookup = ns_lookup_op,
	.forget = ns_forget_op,
	.forget_multi = ns_forget_multi_op,
	.getattr = ns_getattr_op,
	.setattr = ns_setattr_op,
	.readlink = ns_readlink_op,
	.mknod = ns_mknod_op,
	.mkdir = ns_mkdir_op,
	.unlink = ns_unlink_op,
	.rmdir = ns_rmdir_op,
	.symlink = ns_symlink_op,
	.rename = ns_rename_op,
	.link = ns_link_op,
	.open = ns_open_op,
	.read = ns_read_op,
	.write = ns_write_op,
	.flush = ns_flush_op,
	.release = ns_release_op,
	.poll = ns_poll_op,
	.opendir = ns_opendir_op,
	.readdir = ipcfs_readdir,
	.readdirplus = ipcfs_readdirplus,
	.releasedir = ipcfs_releasedir,
	.access = ns_access_op,
	.create = ns_create_op,
	.getxattr = ipcfs_getxattr,
	.setxattr = ipcfs_setxattr,
};
