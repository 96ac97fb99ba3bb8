// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ops_ns.c - the operation table, each handler run in the IPC namespace of
 * its node (fs/ns.c): a node under ns/<inode>/ carries the namespace's
 * index in its number, and the worker thread joins that namespace for the
 * whole handler, blocking included, then returns to the daemon's own.
 * The caller's credentials are captured here, once per request, with the
 * namespace acted in (whose owner their capabilities count in), and
 * handed to the op_* functions that do the work (ops.h).
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
	struct ipcfs_cred cred;	/* the caller, captured once for the handler */
};

/* Join the namespace of node `ino` for caller req.  0 or -errno. */
static int scope_node(fuse_req_t req, fuse_ino_t ino, struct scope *sc)
{
	struct node n;
	int r;

	node_decode(ino, &n);
	cred_from_req(req, &sc->cred);
	r = ns_get(n.ns, &sc->cred, &sc->ns);
	if (!r) {
		r = ns_enter(sc->ns);
		if (r) {
			ns_put(sc->ns);
			sc->ns = NULL;
		}
	}
	/* Its capabilities count in the owner of the namespace acted in. */
	if (!r)
		ns_cred_in(sc->ns, &sc->cred);
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
}

/* Run `call` within a scope that `open` (using sc_) made, or reply its
 * error.  `call` may use sc_.cred, the caller of a node's scope. */
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

static void ipcfs_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	IN_NODE(req, parent, op_lookup(req, &sc_.cred, parent, name));
}

static void ipcfs_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	ns_kernel_unref(ino, nlookup);
	op_forget(req, ino, nlookup);
}

static void ipcfs_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets)
{
	for (size_t i = 0; i < count; i++)
		ns_kernel_unref(forgets[i].ino, forgets[i].nlookup);
	op_forget_multi(req, count, forgets);
}

static void ipcfs_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	(void)fi;
	IN_NODE(req, ino, op_getattr(req, &sc_.cred, ino));
}

static void ipcfs_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
			  struct fuse_file_info *fi)
{
	IN_NODE(req, ino, op_setattr(req, &sc_.cred, ino, attr, to_set, fi));
}

static void ipcfs_access(fuse_req_t req, fuse_ino_t ino, int mask)
{
	IN_NODE(req, ino, op_access(req, &sc_.cred, ino, mask));
}

static void ipcfs_readlink(fuse_req_t req, fuse_ino_t ino)
{
	IN_NODE(req, ino, op_readlink(req, &sc_.cred, ino));
}

static void ipcfs_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
	IN_NODE(req, parent, op_mkdir(req, &sc_.cred, parent, name, mode));
}

static void ipcfs_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	IN_NODE(req, parent, op_rmdir(req, &sc_.cred, parent, name));
}

/* What would change the tree otherwise is refused, to those who may see
 * the directory (the scope says ENOENT to the others). */
static void ipcfs_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
			dev_t rdev)
{
	(void)name, (void)mode, (void)rdev;
	IN_NODE(req, parent, op_refuse(req));
}

static void ipcfs_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	(void)name;
	IN_NODE(req, parent, op_refuse(req));
}

static void ipcfs_symlink(fuse_req_t req, const char *link, fuse_ino_t parent, const char *name)
{
	(void)link, (void)name;
	IN_NODE(req, parent, op_refuse(req));
}

static void ipcfs_rename(fuse_req_t req, fuse_ino_t parent, const char *name,
			 fuse_ino_t newparent, const char *newname, unsigned int flags)
{
	(void)name, (void)newparent, (void)newname, (void)flags;
	IN_NODE(req, parent, op_refuse(req));
}

static void ipcfs_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char *newname)
{
	(void)ino, (void)newname;
	IN_NODE(req, newparent, op_refuse(req));
}

static void ipcfs_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
			 struct fuse_file_info *fi)
{
	(void)mode, (void)fi;
	IN_NODE(req, parent, op_create(req, &sc_.cred, parent, name));
}

static void ipcfs_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	IN_NODE(req, ino, op_open(req, &sc_.cred, ino, fi));
}

static void ipcfs_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi)
{
	IN_FILE(req, fi, true, op_read(req, ino, size, off, fi));
}

static void ipcfs_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
			struct fuse_file_info *fi)
{
	IN_FILE(req, fi, true, op_write(req, ino, buf, size, off, fi));
}

static void ipcfs_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	IN_FILE(req, fi, false, op_flush(req, ino, fi));
}

static void ipcfs_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	IN_FILE(req, fi, false, op_release(req, ino, fi));
}

static void ipcfs_poll(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi,
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
	op_poll(req, ino, fi, ph);
	scope_end(&sc);
}

static void ipcfs_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	IN_NODE(req, ino, op_opendir(req, &sc_.cred, ino, fi));
}

const struct fuse_lowlevel_ops ipcfs_ops = {
	.init = op_init,
	.lookup = ipcfs_lookup,
	.forget = ipcfs_forget,
	.forget_multi = ipcfs_forget_multi,
	.getattr = ipcfs_getattr,
	.setattr = ipcfs_setattr,
	.readlink = ipcfs_readlink,
	.mknod = ipcfs_mknod,
	.mkdir = ipcfs_mkdir,
	.unlink = ipcfs_unlink,
	.rmdir = ipcfs_rmdir,
	.symlink = ipcfs_symlink,
	.rename = ipcfs_rename,
	.link = ipcfs_link,
	.open = ipcfs_open,
	.read = ipcfs_read,
	.write = ipcfs_write,
	.flush = ipcfs_flush,
	.release = ipcfs_release,
	.poll = ipcfs_poll,
	.opendir = ipcfs_opendir,
	.readdir = op_readdir,
	.readdirplus = op_readdirplus,
	.releasedir = op_releasedir,
	.access = ipcfs_access,
	.create = ipcfs_create,
	.getxattr = op_getxattr,
	.setxattr = op_setxattr,
};
