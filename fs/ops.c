// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ops.c - the FUSE low-level operation table, and the handlers for names:
 * lookup, forget, getattr, access, extended attributes.
 *
 * Each handler decodes the inode (node.h), asks tree.c what the node is,
 * checks the caller against the object with the kind's own rule, and does
 * the work or hands it to the backend.  Every handler sends exactly one
 * reply; backends never reply (fs/call.c answers what they return).  The
 * other handlers: ops_change.c (what changes the tree), ops_dir.c
 * (directory listings), ops_file.c (open files); evict.c lets old names go.
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

void entry_param(struct fuse_entry_param *e, uint64_t nodeid, const struct stat *st)
{
	struct node n;

	memset(e, 0, sizeof(*e));
	e->ino = nodeid;
	e->attr = *st;
	e->attr_timeout = ipcfs_opts.timeout;
	e->entry_timeout = ipcfs_opts.timeout;
	/* A second name (System V's 0xKEY) is looked up again at every use:
	 * when the key is removed and made again, the name is the new
	 * object's at once (ids do not come back soon, so own names can be
	 * cached).  So is a name whose
	 * node is interned: one with an inode per lookup must get a new one
	 * at the next use, and the kernel keeps none for long. */
	node_decode(nodeid, &n);
	if (node_is_alias_name(nodeid) || (n.kind != NODE_ROOT && (n.sub & NODE_SUB_INTERNED)))
		e->entry_timeout = 0;
	/* So is ns/INODE: a namespace's inode number is the next one's once
	 * it is gone (nsfs reuses them at once). */
	if (n.kind == NODE_ROOT && n.ns && n.slot == 0 && n.id == 1)
		e->entry_timeout = 0;
}

void ipcfs_init(void *userdata, struct fuse_conn_info *conn)
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

/*
 * May the caller look names up in `dir`?  A subdirectory whose entries can
 * only be read (one file per queued message, say, with the message's type
 * in its name and its size in st_size) tells by lookup and stat what its
 * listing tells, so it needs the read access that listing needs.  One
 * whose entries may be written (a sender needs no read access) does not.
 */
static int check_lookup_access(fuse_req_t req, const struct node *dir)
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
	return check_list_access(req, dir);
}

/* The same for a node found earlier (stat of a cached name): its parent. */
static int check_parent_access(fuse_req_t req, const struct node *n)
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
	return check_lookup_access(req, &dir);
}

void ipcfs_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fuse_entry_param e;
	struct node dir, child;
	struct stat st;
	int r;

	node_decode(parent, &dir);
	r = check_lookup_access(req, &dir);
	if (!r)
		r = tree_lookup(&dir, name, fuse_req_ctx(req)->pid, fuse_req_ctx(req)->uid, &child, &st);
	log_dbg("lookup %#lx %s -> %d", (unsigned long)parent, name, r);
	if (r == -ENOENT) {
		/* A negative entry with no timeout: objects appear any time. */
		memset(&e, 0, sizeof(e));
		fuse_reply_entry(req, &e);
		return;
	}
	if (r) {
		reply_err(req, r);
		return;
	}
	entry_param(&e, node_encode(&child), &st);
	ns_kernel_ref(e.ino, 1);
	if (fuse_reply_entry(req, &e)) {
		ns_kernel_unref(e.ino, 1);	/* first: it decodes the node */
		node_forget(e.ino, 1);
	}
}

void ipcfs_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
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
void ipcfs_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets)
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

void ipcfs_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct node n;
	struct stat st;
	int r;

	(void)fi;
	node_decode(ino, &n);
	r = check_parent_access(req, &n);
	if (!r)
		r = tree_getattr(&n, &st, NULL);
	if (r)
		reply_err(req, r);
	else
		fuse_reply_attr(req, &st, ipcfs_opts.timeout);
}

void ipcfs_access(fuse_req_t req, fuse_ino_t ino, int mask)
{
	const struct ipcfs_backend *be;
	const struct row *row;
	struct ipcfs_cred cred;
	struct ipcfs_obj o;
	struct node n;
	struct stat st;
	int r, want = 0;

	node_decode(ino, &n);
	r = tree_getattr(&n, &st, &o);
	if (r || mask == F_OK)
		goto out;
	if ((mask & W_OK) && ipcfs_opts.ro && !S_ISDIR(st.st_mode)) {
		r = -EROFS;
		goto out;
	}
	if (n.kind == NODE_ROOT || n.slot >= NODE_SLOT_LINK ||
	    n.slot == NODE_SLOT_OBJECT || S_ISLNK(st.st_mode)) {
		/* Directories are searchable by all; files by their mode. */
		if (!S_ISDIR(st.st_mode) && (mask & (W_OK | X_OK)) &&
		    !(st.st_mode & ((mask & W_OK) ? 0222 : 0111)))
			r = -EACCES;
		goto out;
	}
	row = tree_row(n.kind, n.slot);
	if (mask & X_OK && !(row->f.flags & IPCFS_FILE_DIR)) {
		r = -EACCES;
		goto out;
	}
	if ((mask & W_OK) && !row->f.write && !(row->field && row->field->write)) {
		r = -EACCES;
		goto out;
	}
	if (mask & R_OK)
		want |= row->f.need_read;
	if (mask & W_OK)
		want |= row->f.need_write;
	cred_from_req(req, &cred);
	be = ipcfs_backend_of(n.kind);
	r = be->access(be, &cred, &o, want);
out:
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
void ipcfs_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size)
{
	(void)ino;
	(void)name;
	(void)size;
	reply_err(req, -EOPNOTSUPP);
}

void ipcfs_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name, const char *value,
			   size_t size, int flags)
{
	(void)ino;
	(void)name;
	(void)value;
	(void)size;
	(void)flags;
	reply_err(req, -EOPNOTSUPP);
}
