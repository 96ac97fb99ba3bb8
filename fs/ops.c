// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ops.c - the handlers for names: lookup, forget, getattr, access,
 * extended attributes; and the session's init.
 *
 * Each handler decodes the inode (node.h), asks tree.c what the node is,
 * checks the caller against the object (access.c, and the kind's own
 * rule), and does the work or hands it to the backend.  Every handler
 * sends exactly one reply; backends never reply (fs/call.c answers what
 * they return).  The table and the scope each handler runs in (the node's
 * namespace, the caller captured) are ops_ns.c's; the other handlers:
 * ops_change.c (what changes the tree), ops_dir.c (directory listings),
 * ops_file.c (open files); evict.c lets old names go.
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

void op_init(void *userdata, struct fuse_conn_info *conn)
{
	(void)userdata;
	if (conn->capable & FUSE_CAP_READDIRPLUS)
		conn->want |= FUSE_CAP_READDIRPLUS;
	if (conn->capable & FUSE_CAP_READDIRPLUS_AUTO)
		conn->want &= ~FUSE_CAP_READDIRPLUS_AUTO;	/* always plus */
	if (conn->capable & FUSE_CAP_ATOMIC_O_TRUNC)
		conn->want |= FUSE_CAP_ATOMIC_O_TRUNC;
	/* Large requests: libfuse derives max_pages from max_write. */
	conn->max_write = 1 << 20;
	conn->max_read = 0;
	conn->max_readahead = 1 << 20;
	passthrough_init(conn);
}

void op_lookup(fuse_req_t req, struct ipcfs_cred *c, fuse_ino_t parent, const char *name)
{
	struct fuse_entry_param e;
	struct node dir, child;
	struct stat st;
	int r;

	node_decode(parent, &dir);
	r = access_lookup(c, &dir);
	if (!r)
		r = tree_lookup(&dir, name, c, &child, &st);
	log_dbg("lookup %#lx %s -> %d", (unsigned long)parent, name, r);
	if (r == -ENOENT) {
		/* A negative entry with no timeout: objects appear any time. */
		memset(&e, 0, sizeof(e));
		fuse_reply_entry(req, &e);
		return;
	}
	if (r)
		reply_err(req, r);
	else
		reply_entry(req, node_encode(&child), &st);
}

void op_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	node_forget(ino, nlookup);
	fuse_reply_none(req);
}

/*
 * After a storm of lookups the kernel sends its forgets in batches as big as
 * a worker's request buffer (libfuse's, 1 MiB), and the pages of every
 * buffer a batch filled would stay in the daemon's RSS.  The batch is read
 * once and nobody reads it after this handler, so its whole pages are
 * handed back (MADV_DONTNEED: the memory stays, zero-filled on next use).
 */
#define FORGET_GIVE_BACK_MIN (64 << 10)
void op_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE), a, b;

	for (size_t i = 0; i < count; i++)
		node_forget(forgets[i].ino, forgets[i].nlookup);
	a = ((uintptr_t)forgets + page - 1) & ~(page - 1);
	b = (uintptr_t)(forgets + count) & ~(page - 1);
	if (b > a && b - a >= FORGET_GIVE_BACK_MIN)
		madvise((void *)a, b - a, MADV_DONTNEED);
	fuse_reply_none(req);
}

void op_getattr(fuse_req_t req, struct ipcfs_cred *c, fuse_ino_t ino)
{
	struct node n;
	struct stat st;
	int r;

	node_decode(ino, &n);
	r = access_parent(c, &n);
	if (!r)
		r = tree_getattr(&n, c, &st, NULL);
	if (r)
		reply_err(req, r);
	else
		fuse_reply_attr(req, &st, ipcfs_opts.timeout);
}

void op_access(fuse_req_t req, struct ipcfs_cred *c, fuse_ino_t ino, int mask)
{
	struct ipcfs_obj o;
	struct node n;
	struct stat st;
	int r;

	node_decode(ino, &n);
	r = tree_getattr(&n, c, &st, &o);
	if (!r)
		r = access_mask(c, &n, &st, &o, mask);
	reply_err(req, r);
}

/*
 * ipcfs has no extended attributes, and says so: "not supported", not "no
 * such attribute".  Left unimplemented (ENOSYS), the kernel would answer
 * every later POSIX ACL query with ENODATA, and `ls -l`, which stops
 * asking a filesystem about ACLs and SELinux labels only once it says
 * EOPNOTSUPP, would make two more system calls per entry: two thirds of
 * its calls (measured on 10,000 queues).  Setting any is refused alike.
 */
void op_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size)
{
	(void)ino;
	(void)name;
	(void)size;
	reply_err(req, -EOPNOTSUPP);
}

void op_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name, const char *value,
		 size_t size, int flags)
{
	(void)ino;
	(void)name;
	(void)value;
	(void)size;
	(void)flags;
	reply_err(req, -EOPNOTSUPP);
}
