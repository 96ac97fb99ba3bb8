// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ops.c - the FUSE low-level handlers.
 *
 * Each handler decodes the inode (node.h), asks tree.c what the node is,
 * checks the caller against the object (cred.c), and either does the work
 * generically (directories, info and one-value files, mkdir, rmdir, chmod,
 * chown, `new`) or hands it to the backend's row.  Every handler sends
 * exactly one reply; backend read/write methods send their own.
 */
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

#define NEW_LINE_MAX 256
#define FIELD_WRITE_MAX 4096

static void entry_param(struct fuse_entry_param *e, uint64_t nodeid, const struct stat *st)
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
}

/*
 * Interned nodes (an inode per lookup of a file that may block, message
 * types past the direct range) live until the kernel forgets them, and it
 * forgets only under memory pressure.  Past EVICT_KEEP live ones, a
 * thread of its own asks the kernel to drop the oldest names
 * (notify_inval_entry cannot be sent from a request's own thread: the
 * kernel may hold the directory's lock for that request); their forget
 * then frees them.  Names still open stay until closed.
 */
#define EVICT_KEEP 1024
#define EVICT_PERIOD_US (50 * 1000)
#define EVICT_QUIET_PERIODS 20	/* 1 s without new names */
#define EVICT_IDLE_KEEP 64
#define EVICT_BATCH 1024

static struct fuse_session *evict_se;
static GThread *evictor;
static GMutex evict_lock;
static GCond evict_cond;
static bool evict_stop;

static gpointer evict_main(gpointer unused)
{
	g_autoptr(GArray) batch = g_array_new(FALSE, FALSE, sizeof(struct node_evict));
	unsigned n, last = 0, idle = 0;	/* idle: periods with no new names */
	bool trim = false, swept = false;
	size_t keep;

	(void)unused;
	g_mutex_lock(&evict_lock);
	while (!evict_stop) {
		g_cond_wait_until(&evict_cond, &evict_lock, g_get_monotonic_time() + EVICT_PERIOD_US);
		if (evict_stop)
			break;
		n = node_interned_count();
		if (n > last) {
			idle = 0;
			swept = false;
		} else if (idle < UINT_MAX) {
			idle++;
		}
		last = n;
		/* A wave of blocked workers, or of dropped names, freed many
		 * small blocks: once it is over, give the pages back. */
		if (wait_trim_due() || (trim && idle > EVICT_QUIET_PERIODS)) {
			g_mutex_unlock(&evict_lock);
			malloc_trim(0);
			g_mutex_lock(&evict_lock);
			trim = false;
		}
		/* Many: down to half.  More than a few, and no new ones for a
		 * while: all, once (the kernel keeps those still in use). */
		if (n > EVICT_KEEP)
			keep = EVICT_KEEP / 2;
		else if (n > EVICT_IDLE_KEEP && idle > EVICT_QUIET_PERIODS && !swept)
			keep = 0, swept = true;
		else
			continue;
		g_mutex_unlock(&evict_lock);
		/* In rounds of EVICT_BATCH: the batch array keeps its size. */
		while (node_evict_take(keep, EVICT_BATCH, batch)) {
			for (guint i = 0; i < batch->len; i++) {
				struct node_evict *ev = &g_array_index(batch, struct node_evict, i);

				fuse_lowlevel_notify_inval_entry(evict_se, ev->parent, ev->name,
								 strlen(ev->name));
				g_free(ev->name);
			}
			log_dbg("asked the kernel to drop %u names", batch->len);
			g_array_set_size(batch, 0);
		}
		g_mutex_lock(&evict_lock);
		trim = true;
	}
	g_mutex_unlock(&evict_lock);
	return NULL;
}

void ops_start(struct fuse_session *se)
{
	evict_se = se;
	evict_stop = false;
	evictor = g_thread_new("ipcfs-evict", evict_main, NULL);
}

void ops_stop(void)
{
	if (!evictor)
		return;
	g_mutex_lock(&evict_lock);
	evict_stop = true;
	g_cond_signal(&evict_cond);
	g_mutex_unlock(&evict_lock);
	g_thread_join(evictor);
	evictor = NULL;
}

static void ipcfs_init(void *userdata, struct fuse_conn_info *conn)
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
}

static int check_list_access(fuse_req_t req, const struct node *n);

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

static void ipcfs_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fuse_entry_param e;
	struct node dir, child;
	struct stat st;
	int r;

	node_decode(parent, &dir);
	r = check_lookup_access(req, &dir);
	if (!r)
		r = tree_lookup(&dir, name, fuse_req_ctx(req)->pid, &child, &st);
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
	if (fuse_reply_entry(req, &e))
		node_forget(e.ino, 1);
}

static void ipcfs_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
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
static void ipcfs_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets)
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

static void ipcfs_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
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
	if (!cred_ids_mappable(&cred, uid, gid))
		return -EINVAL;
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
	const struct ipcfs_backend *be;
	struct ipcfs_cred cred;
	struct ipcfs_obj o;
	struct stat st;
	int r;

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
	if (!fh) {
		r = tree_getattr(n, &st, &o);
		if (r)
			return r;
		cred_from_req(req, &cred);
		be = ipcfs_backend_of(n->kind);
		r = be->access(be, &cred, &o,
						       row->f.need_write | row->f.need_read);
		if (r)
			return r;
	} else if ((fh->flags & O_ACCMODE) == O_RDONLY) {
		return -EBADF;
	}
	return row->f.truncate((int)n->id, fh, size);
}

static void ipcfs_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
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

static void ipcfs_readlink(fuse_req_t req, fuse_ino_t ino)
{
	char target[IPCFS_NAME_MAX + 3];
	struct node n;
	int r;

	node_decode(ino, &n);
	if (n.kind == NODE_ROOT || n.slot != NODE_SLOT_LINK) {
		reply_err(req, -EINVAL);
		return;
	}
	r = tree_link_target(&n, target, sizeof(target));
	if (r) {
		reply_err(req, r);
		return;
	}
	fuse_reply_readlink(req, target);
}

/* Create as the caller, so the kernel records them as owner and creator. */
static int create_as(struct ipcfs_cred *cred, const struct ipcfs_backend *be,
		     struct ipcfs_create *args)
{
	int r = cred_enter(cred);

	if (r)
		return r;
	args->cred = cred;
	r = be->create(be, args);
	cred_leave();
	return r;
}

static void ipcfs_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
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
	r = tree_lookup(&dir, name, (int32_t)fuse_req_ctx(req)->pid, &child, &st);
out:
	log_dbg("mkdir %s -> %d", name, r);
	if (r) {
		reply_err(req, r);
		return;
	}
	entry_param(&e, st.st_ino, &st);
	fuse_reply_entry(req, &e);
}

static void ipcfs_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
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
static void ipcfs_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	(void)parent;
	(void)name;
	reply_err(req, ipcfs_opts.ro ? -EROFS : -EPERM);
}

static void ipcfs_rename(fuse_req_t req, fuse_ino_t parent, const char *name,
			 fuse_ino_t newparent, const char *newname, unsigned int flags)
{
	(void)parent, (void)name, (void)newparent, (void)newname, (void)flags;
	reply_err(req, ipcfs_opts.ro ? -EROFS : -EPERM);
}

static void ipcfs_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char *newname)
{
	(void)ino, (void)newparent, (void)newname;
	reply_err(req, ipcfs_opts.ro ? -EROFS : -EPERM);
}

static void ipcfs_symlink(fuse_req_t req, const char *link, fuse_ino_t parent, const char *name)
{
	(void)link, (void)parent, (void)name;
	reply_err(req, ipcfs_opts.ro ? -EROFS : -EPERM);
}

static void ipcfs_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
			dev_t rdev)
{
	(void)parent, (void)name, (void)mode, (void)rdev;
	reply_err(req, ipcfs_opts.ro ? -EROFS : -EPERM);
}

static void ipcfs_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
			 struct fuse_file_info *fi)
{
	struct node dir;
	struct stat st;

	(void)name, (void)mode, (void)fi;
	/* `echo x > file` creates when the name is not there: in a directory
	 * whose object vanished, say so rather than "not permitted". */
	node_decode(parent, &dir);
	if (tree_getattr(&dir, &st, NULL) == -ENOENT) {
		reply_err(req, -ENOENT);
		return;
	}
	reply_err(req, ipcfs_opts.ro ? -EROFS : -EPERM);
}

/* ---- directories: a snapshot per opendir, served by offset ---- */

struct dent {
	char *name;
	uint64_t nodeid;	/* 0: listed without a node (looked up when used) */
	struct stat st;
};

struct dirsnap {
	GArray *ents;		/* struct dent, "." and ".." first */
};

static void dent_clear(gpointer p)
{
	g_free(((struct dent *)p)->name);
}

static void snap_fill(void *ctx, const char *name, const struct node *n, const struct stat *st)
{
	struct dirsnap *ds = ctx;
	struct dent d = { .name = g_strdup(name), .nodeid = n ? node_encode(n) : 0, .st = *st };

	g_array_append_val(ds->ents, d);
}

/* A subdirectory row whose listing reads the object (a backend's view of
 * queued messages, say) needs the row's read access, as the kernel would
 * want for reading them. */
static int check_list_access(fuse_req_t req, const struct node *n)
{
	const struct ipcfs_backend *be;
	const struct row *row;
	struct ipcfs_cred cred;
	struct ipcfs_obj o;
	struct stat st;
	int r;

	if (n->kind == NODE_ROOT || n->slot == NODE_SLOT_OBJECT || n->slot >= NODE_SLOT_LINK)
		return 0;
	row = tree_row(n->kind, n->slot);
	if (!row || !(row->f.flags & IPCFS_FILE_DIR) || !row->f.need_read)
		return 0;
	r = tree_getattr(n, &st, &o);
	if (r)
		return r;
	cred_from_req(req, &cred);
	be = ipcfs_backend_of(n->kind);
	return be->access(be, &cred, &o, row->f.need_read);
}

static void ipcfs_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct dirsnap *ds = g_new0(struct dirsnap, 1);
	struct dent d = { 0 };
	struct node n;
	int r;

	node_decode(ino, &n);
	ds->ents = g_array_new(FALSE, FALSE, sizeof(struct dent));
	g_array_set_clear_func(ds->ents, dent_clear);
	d.name = g_strdup(".");
	d.st.st_ino = ino;
	d.st.st_mode = S_IFDIR;
	g_array_append_val(ds->ents, d);
	d.name = g_strdup("..");
	d.st.st_ino = FUSE_ROOT_ID;	/* the kernel fixes up ".." itself */
	g_array_append_val(ds->ents, d);
	r = check_list_access(req, &n);
	if (!r)
		r = tree_list(&n, snap_fill, ds);
	if (r) {
		g_array_unref(ds->ents);
		g_free(ds);
		reply_err(req, r);
		return;
	}
	fi->fh = (uintptr_t)ds;
	fi->cache_readdir = 0;
	if (fuse_reply_open(req, fi)) {
		g_array_unref(ds->ents);
		g_free(ds);
	}
}

static void do_readdir(fuse_req_t req, size_t size, off_t off, struct fuse_file_info *fi,
		       bool plus)
{
	struct dirsnap *ds = (struct dirsnap *)(uintptr_t)fi->fh;
	g_autofree char *buf = g_try_malloc(size);
	size_t used = 0;

	if (!buf) {
		reply_err(req, -ENOMEM);
		return;
	}
	for (guint i = (guint)off; off >= 0 && i < ds->ents->len; i++) {
		const struct dent *d = &g_array_index(ds->ents, struct dent, i);
		size_t n;

		if (plus) {
			struct fuse_entry_param e;

			entry_param(&e, d->nodeid, &d->st);
			if (i < 2 || !d->nodeid) {
				/* . and .. carry no lookup reference, nor do names
				 * the kernel must look up when used */
				memset(&e, 0, sizeof(e));
				e.attr.st_ino = d->st.st_ino;
				e.attr.st_mode = d->st.st_mode;
			}
			n = fuse_add_direntry_plus(req, buf + used, size - used, d->name, &e,
						   (off_t)i + 1);
		} else {
			n = fuse_add_direntry(req, buf + used, size - used, d->name, &d->st,
					      (off_t)i + 1);
		}
		if (n > size - used)
			break;
		used += n;
	}
	fuse_reply_buf(req, buf, used);
}

static void ipcfs_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
			  struct fuse_file_info *fi)
{
	(void)ino;
	do_readdir(req, size, off, fi, false);
}

static void ipcfs_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
			      struct fuse_file_info *fi)
{
	(void)ino;
	do_readdir(req, size, off, fi, true);
}

static void ipcfs_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct dirsnap *ds = (struct dirsnap *)(uintptr_t)fi->fh;
	bool big = ds->ents->len > 4096;

	(void)ino;
	g_array_unref(ds->ents);
	g_free(ds);
	reply_err(req, 0);
	if (big)
		malloc_trim(0);	/* hand a large listing's memory back */
}

/* ---- files ---- */

static const struct row *fh_row(const struct ipcfs_fh *fh, struct node *n)
{
	return n->kind == NODE_ROOT ? NULL : tree_row(n->kind, n->slot);
	(void)fh;
}

static void fh_free(struct ipcfs_fh *fh)
{
	bool big = fh->text && fh->text->allocated_len > (1 << 20);

	if (fh->text)
		g_string_free(fh->text, TRUE);
	if (big)
		malloc_trim(0);	/* a metrics snapshot can be tens of MiB */
	g_mutex_clear(&fh->lock);
	g_free(fh);
}

/* Is `o` the object `fh` was opened on (not a new one with its id)? */
static bool is_opened_object(const struct ipcfs_fh *fh, const struct ipcfs_obj *o)
{
	return fh->be->same(fh->be, &fh->opened, o);
}

/* Build generated text for a node (root files, info, fields, text rows). */
static int build_text(const struct node *n, struct ipcfs_fh *fh)
{
	const struct row *row;
	struct ipcfs_obj o;
	struct stat st;
	GString *out;
	int r;

	if (n->kind == NODE_ROOT) {
		out = g_string_sized_new(256);
		r = views_text(n->slot, out, &fh->cred);
		goto done;
	}
	row = tree_row(n->kind, n->slot);
	r = tree_getattr(n, &st, &o);
	if (r)
		return r;
	/* Contents (a semaphore's value, a queued message) are read at every
	 * offset 0 with the rights the opener has now, of the object opened. */
	if (row->f.need_read && fh->file) {
		if (!is_opened_object(fh, &o))
			return -EIDRM;
		r = fh->be->access(fh->be, &fh->cred, &o, row->f.need_read);
		if (r)
			return r;
	}
	out = g_string_sized_new(256);
	if (row->info) {
		format_info(out, fh->be->fields, &o);
	} else if (row->field) {
		format_value(out, row->field->fmt, field_get(row->field, &o));
		g_string_append_c(out, '\n');
	} else {
		r = row->f.text(&o, fh->sub, &fh->cred, out);
	}
done:
	if (r) {
		g_string_free(out, TRUE);
		return r;
	}
	if (fh->text)
		g_string_free(fh->text, TRUE);
	fh->text = out;
	return 0;
}

static bool row_is_text(const struct row *row)
{
	return row->info || row->field || row->f.text;
}

static int open_row(const struct node *n, struct ipcfs_fh *fh, bool rd, bool wr)
{
	const struct row *row = tree_row(n->kind, n->slot);
	struct ipcfs_obj o;
	struct stat st;
	int want = 0, r;

	if (!row)
		return -ENOENT;
	if (row->f.flags & IPCFS_FILE_DIR)
		return -EISDIR;
	r = tree_getattr(n, &st, &o);
	if (r)
		return r;
	if (wr && !row->f.write && !(row->field && row->field->write))
		return -EACCES;
	if (rd && !row_is_text(row) && !row->f.read)
		return -EACCES;
	if (ipcfs_opts.ro && (wr || (rd && (row->f.flags & IPCFS_FILE_CONSUMES))))
		return -EROFS;
	if (rd)
		want |= row->f.need_read;
	if (wr)
		want |= row->f.need_write;
	fh->be = ipcfs_backend_of(n->kind);
	r = fh->be->access(fh->be, &fh->cred, &o, want);
	if (r)
		return r;
	/* A writable one-value file changes the object: opening it for
	 * writing is for those who may, as for a sysfs attribute. */
	if (wr && row->field && row->field->write) {
		r = fh->be->owner(fh->be, &fh->cred, &o);
		if (r)
			return r;
	}
	fh->file = &row->f;
	fh->id = (int)n->id;
	fh->opened = o;
	/* Live files are checked again at every operation, with these
	 * credentials: load them now, once, so that later checks only read. */
	if ((row->f.read || row->f.write) && !(row->f.flags & IPCFS_FILE_MAPPED))
		cred_load(&fh->cred);
	if (!node_sub_value(n, &fh->sub))
		return -ENOENT;
	if (row->f.open) {
		r = row->f.open(fh, &o);
		if (r)
			return r;
	}
	if ((fh->flags & O_TRUNC) && wr && row->f.truncate) {
		r = row->f.truncate(fh->id, fh, 0);
		if (r) {
			if (row->f.release)
				row->f.release(fh);
			return r;
		}
	}
	return 0;
}

static void ipcfs_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct ipcfs_fh *fh = g_new0(struct ipcfs_fh, 1);
	int acc = fi->flags & O_ACCMODE;
	bool rd = acc != O_WRONLY, wr = acc != O_RDONLY;
	struct node n;
	int r = 0;

	g_mutex_init(&fh->lock);
	fh->flags = fi->flags;
	fh->result = -1;
	cred_from_req(req, &fh->cred);
	node_decode(ino, &n);
	if (n.kind == NODE_ROOT) {
		if (n.slot < ROOT_FILE_LIMITS || n.slot >= ROOT_FILE_COUNT)
			r = -EISDIR;
		else if (wr)
			r = -EACCES;
	} else if (n.slot == NODE_SLOT_NEW) {
		if (wr && ipcfs_opts.ro)
			r = -EROFS;
		fh->be = ipcfs_backend_of(n.kind);
	} else if (n.slot == NODE_SLOT_OBJECT || n.slot == NODE_SLOT_KINDDIR ||
		   n.slot == NODE_SLOT_ALIASDIR) {
		r = -EISDIR;
	} else if (n.slot == NODE_SLOT_LINK) {
		r = -ELOOP;
	} else {
		r = open_row(&n, fh, rd, wr);
		/* A writer must not share an inode with another open file of a
		 * file that may block (see IPCFS_FILE_OWN_INODE): two lookups
		 * that came before either open got the same node.  ESTALE
		 * makes the kernel walk the path again (LOOKUP_REVAL), and
		 * that lookup gets a node of its own. */
		if (!r && node_sub_open(n.sub) > 0 && wr) {
			node_sub_close(n.sub);
			if (fh->file && fh->file->release)
				fh->file->release(fh);
			r = -ESTALE;
		}
	}
	log_dbg("open %#lx flags %#x -> %d", (unsigned long)ino, fi->flags, r);
	if (r) {
		fh_free(fh);
		reply_err(req, r);
		return;
	}
	/* Contents are live: never the page cache.  Queue and semaphore files
	 * ignore offsets but still let lseek succeed (as a no-op), because
	 * `head -n 1` and the shell's `read` seek back over what they read
	 * past the first line and fail or read byte by byte on a regular file
	 * that cannot seek. */
	fi->direct_io = 1;
	fi->fh = (uintptr_t)fh;
	if (fuse_reply_open(req, fi)) {
		node_sub_close(n.sub);
		if (fh->file && fh->file->release)
			fh->file->release(fh);
		fh_free(fh);
	}
}

/* Reply a slice of fh->text and drop fh->lock, in that order of work: the
 * slice is copied first, because once the reply is out the client may
 * close, and its release (on another thread) frees fh, lock and all. */
static void reply_text_unlock(fuse_req_t req, struct ipcfs_fh *fh, size_t size, off_t off)
{
	g_autofree char *copy = NULL;
	size_t n = 0;

	if (fh->text && off >= 0 && (size_t)off < fh->text->len) {
		n = MIN(size, fh->text->len - (size_t)off);
		copy = g_memdup2(fh->text->str + off, n);
	}
	g_mutex_unlock(&fh->lock);
	fuse_reply_buf(req, copy, n);
}

/*
 * Before each read or write of a live file: is the object still the one
 * this file was opened on (is_opened_object), and may the opener still do
 * this?  A vanished or different object is EIDRM, as msgsnd/semop say for
 * a removed id.
 */
static int recheck(struct ipcfs_fh *fh, int want, struct ipcfs_obj *o)
{
	int r = fh->be->stat(fh->be, fh->id, o);

	if (r)
		return r == -ENOENT ? -EIDRM : r;
	if (!is_opened_object(fh, o))
		return -EIDRM;
	return fh->be->access(fh->be, &fh->cred, o, want);
}

static void ipcfs_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi)
{
	struct ipcfs_fh *fh = (struct ipcfs_fh *)(uintptr_t)fi->fh;
	const struct row *row;
	struct node n;
	int r;

	/* The file's flags now: fcntl(F_SETFL, O_NONBLOCK) after open counts. */
	fh->flags = fi->flags;
	node_decode(ino, &n);
	if (n.kind != NODE_ROOT && n.slot == NODE_SLOT_NEW) {
		/* The id made through this open file, after what was written. */
		g_mutex_lock(&fh->lock);
		reply_text_unlock(req, fh, size, off >= (off_t)fh->sub ? off - (off_t)fh->sub : off);
		return;
	}
	row = fh_row(fh, &n);
	if (n.kind == NODE_ROOT || row_is_text(row)) {
		/* Offset 0 takes a fresh snapshot; later offsets read from it,
		 * so one `cat` sees one consistent file. */
		g_mutex_lock(&fh->lock);
		r = 0;
		if (off == 0 || !fh->text)
			r = build_text(&n, fh);
		if (r) {
			g_mutex_unlock(&fh->lock);
			reply_err(req, r);
		} else {
			reply_text_unlock(req, fh, size, off);
		}
		return;
	}
	if (!row->f.read) {
		reply_err(req, -EBADF);
		return;
	}
	struct ipcfs_call call = { .req = req };
	struct ipcfs_result res = { 0 };

	if (!(row->f.flags & IPCFS_FILE_MAPPED)) {
		struct ipcfs_obj o;

		r = recheck(fh, row->f.need_read, &o);
		if (r) {
			reply_err(req, r);
			return;
		}
	}
	r = row->f.read(&call, fh, size, off, &res);
	reply_result(&call, r, &res, true);
}

static int write_new(struct ipcfs_fh *fh, const char *buf, size_t size, off_t off)
{
	g_autofree char *line = NULL;
	char name[IPCFS_NAME_MAX];
	struct ipcfs_create args;
	struct ipcfs_obj o;
	int r;

	r = text_dup(buf, size, NEW_LINE_MAX, &line);
	if (r)
		return r;
	r = fh->be->parse_new(fh->be, line, &args);
	if (r)
		return r == -ERANGE ? -EINVAL : r;
	r = create_as(&fh->cred, fh->be, &args);
	log_dbg("new %s -> %d", line, r);
	if (r < 0)
		return r;
	/* What reads back is the new object's name (gone already: its id). */
	if (fh->be->stat(fh->be, r, &o))
		o = (struct ipcfs_obj){ .id = r };
	fh->be->objname(fh->be, &o, name, sizeof(name));
	g_mutex_lock(&fh->lock);
	fh->result = r;
	if (!fh->text)
		fh->text = g_string_new(NULL);
	g_string_printf(fh->text, "%s\n", name);
	fh->sub = (uint64_t)off + size;	/* reads after this write start here */
	g_mutex_unlock(&fh->lock);
	return 0;
}

static void ipcfs_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
			struct fuse_file_info *fi)
{
	struct ipcfs_fh *fh = (struct ipcfs_fh *)(uintptr_t)fi->fh;
	const struct row *row;
	struct node n;
	int r;

	fh->flags = fi->flags;
	node_decode(ino, &n);
	if (n.kind != NODE_ROOT && n.slot == NODE_SLOT_NEW) {
		r = write_new(fh, buf, size, off);
		goto out;
	}
	row = fh_row(fh, &n);
	if (row && row->field && row->field->write) {
		g_autofree char *text = NULL;

		r = text_dup(buf, size, FIELD_WRITE_MAX, &text);
		if (!r) {
			g_mutex_lock(&fh->lock);
			r = row->field->write(fh->id, text, &fh->cred);
			g_mutex_unlock(&fh->lock);
		}
		goto out;
	}
	if (row && row->f.write) {
		struct ipcfs_call call = { .req = req };
		struct ipcfs_result res = { .size = size };
		struct ipcfs_obj o;
		bool mapped = row->f.flags & IPCFS_FILE_MAPPED;

		r = mapped ? 0 : recheck(fh, row->f.need_write, &o);
		if (!r)
			r = row->f.write(&call, fh, mapped ? NULL : &o, buf, size, off, &res);
		reply_result(&call, r, &res, false);
		return;
	}
	r = -EBADF;
out:
	if (r)
		reply_err(req, r);
	else
		fuse_reply_write(req, size);
}

static void ipcfs_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct ipcfs_fh *fh = (struct ipcfs_fh *)(uintptr_t)fi->fh;
	struct ipcfs_call call = { .req = req };
	int r = 0;

	(void)ino;
	if (fh->file && fh->file->flush)
		r = fh->file->flush(&call, fh);
	reply_err(req, r);
}

static void ipcfs_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct ipcfs_fh *fh = (struct ipcfs_fh *)(uintptr_t)fi->fh;
	struct node n;

	node_decode(ino, &n);
	if (n.kind != NODE_ROOT)
		node_sub_close(n.sub);
	poll_forget(fh);
	if (fh->file && fh->file->release)
		fh->file->release(fh);
	fh_free(fh);
	reply_err(req, 0);
}

static void ipcfs_access(fuse_req_t req, fuse_ino_t ino, int mask)
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
	    n.slot == NODE_SLOT_OBJECT) {
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
static void ipcfs_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size)
{
	(void)ino;
	(void)name;
	(void)size;
	reply_err(req, -EOPNOTSUPP);
}

static void ipcfs_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name, const char *value,
			   size_t size, int flags)
{
	(void)ino;
	(void)name;
	(void)value;
	(void)size;
	(void)flags;
	reply_err(req, -EOPNOTSUPP);
}

const struct fuse_lowlevel_ops ipcfs_ops = {
	.init = ipcfs_init,
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
	.readdir = ipcfs_readdir,
	.readdirplus = ipcfs_readdirplus,
	.releasedir = ipcfs_releasedir,
	.access = ipcfs_access,
	.create = ipcfs_create,
	.getxattr = ipcfs_getxattr,
	.setxattr = ipcfs_setxattr,
};
