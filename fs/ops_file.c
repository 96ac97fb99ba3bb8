// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ops_file.c - open files: generated text (one snapshot per read from
 * offset 0), the `new` protocol, live files handed to the backend's row,
 * rechecked at every read and write, and truncation, which goes through an
 * open file too.
 */
#include "ns.h"
#include "ops.h"
#include "tree.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <string.h>

#define NEW_LINE_MAX 512	/* a name of NAME_MAX bytes and its numbers */
#define FIELD_WRITE_MAX 4096

static struct open_file *of_get(struct fuse_file_info *fi)
{
	return open_file_of((struct ipcfs_fh *)(uintptr_t)fi->fh);
}

static void of_free(struct open_file *of)
{
	bool big = of->text && of->text->allocated_len > (1 << 20);

	if (of->text)
		g_string_free(of->text, TRUE);
	if (big)
		malloc_trim(0);	/* a metrics snapshot can be tens of MiB */
	passthrough_release(&of->fh, &of->backing);
	g_mutex_clear(&of->lock);
	ns_put(of->ns);
	g_free(of);
}

/* The backend's release of the open (its open succeeded). */
static void of_release(struct open_file *of)
{
	if (of->fh.file && of->fh.file->release)
		of->fh.file->release(&of->fh);
}

/* Is `o` the object `fh` was opened on (not a new one with its id)? */
static bool is_opened_object(const struct ipcfs_fh *fh, const struct ipcfs_obj *o)
{
	return fh->be->same(fh->be, &fh->opened, o);
}

/* Build generated text for an object's file (info, fields, text rows; the
 * root's files: root_build), under the open file's lock. */
static int build_text(const struct node *n, struct open_file *of)
{
	struct ipcfs_fh *fh = &of->fh;
	const struct row *row;
	struct ipcfs_obj o;
	struct stat st;
	GString *out;
	int r;

	row = tree_row(n->kind, n->slot);
	r = tree_getattr(n, &fh->cred, &st, &o);
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
		if (fh->be->info)
			fh->be->info(fh->be, &o, out);
	} else if (row->field) {
		format_value(out, row->field->fmt, field_get(row->field, &o));
		g_string_append_c(out, '\n');
	} else {
		r = row->f.text(&o, fh->sub, &fh->cred, out);
	}
	if (r) {
		g_string_free(out, TRUE);
		return r;
	}
	if (of->text)
		g_string_free(of->text, TRUE);
	of->text = out;
	return 0;
}

/*
 * A file of the root (summary, metrics, ns/metrics, ns/INODE/processes ...),
 * at offset 0 or with no text yet: built without the open file's lock, which
 * only guards the swap, since ns/metrics enters every namespace in turn and
 * reads /proc for each.  The credentials are loaded under the lock (the only
 * write to them) and the build reads a copy.
 */
static int root_build(const struct node *n, struct open_file *of, off_t off)
{
	struct ipcfs_cred c;
	GString *out;
	bool fresh;
	int r;

	g_mutex_lock(&of->lock);
	fresh = off == 0 || !of->text;
	if (fresh) {
		cred_load(&of->fh.cred);
		c = of->fh.cred;
	}
	g_mutex_unlock(&of->lock);
	if (!fresh)
		return 0;
	out = g_string_sized_new(256);
	if (n->slot == ROOT_SLOT_PROCESSES)
		r = ns_processes_text(n->ns, &c, out);
	else if (n->slot == ROOT_SLOT_NSINFO)
		r = ns_info_text(n->ns, out);
	else if (n->slot == ROOT_SLOT_NSMETRICS)
		r = ns_metrics_text(&c, out);
	else
		r = views_text(n->slot, out, &c);
	if (r) {
		g_string_free(out, TRUE);
		return r;
	}
	g_mutex_lock(&of->lock);
	if (of->text)
		g_string_free(of->text, TRUE);
	of->text = out;
	g_mutex_unlock(&of->lock);
	return 0;
}

static bool row_is_text(const struct row *row)
{
	return row->info || row->field || row->f.text;
}

static int open_row(const struct node *n, struct open_file *of, bool rd, bool wr)
{
	const struct row *row = tree_row(n->kind, n->slot);
	struct ipcfs_fh *fh = &of->fh;
	struct ipcfs_obj o;
	struct stat st;
	int want = 0, r;

	if (!row)
		return -ENOENT;
	if (row->f.flags & IPCFS_FILE_DIR)
		return -EISDIR;
	if (row->target || S_ISLNK(row->f.mode))
		return -ELOOP;	/* a symlink (the kernel follows it first) */
	r = tree_getattr(n, &fh->cred, &st, &o);
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
	fh->id = n->id;
	fh->opened = o;
	/* Live files are checked again at every operation, with these
	 * credentials: load them now, once, so that later checks only read. */
	if ((row->f.read || row->f.write) && !(row->f.flags & IPCFS_FILE_MAPPED))
		cred_load(&fh->cred);
	of->live_read = !row_is_text(row) && row->f.read;
	of->live_write = row->f.write && !(row->field && row->field->write);	/* as op_write */
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
			of_release(of);
			return r;
		}
	}
	return 0;
}

/* An open file of caller c, with open(2) flags `flags`, acting in the
 * namespace c acts in. */
static struct open_file *of_new(struct ipcfs_cred *c, int flags)
{
	struct open_file *of = g_new0(struct open_file, 1);

	g_mutex_init(&of->lock);
	of->fh.flags = flags;
	of->fh.backing_fd = -1;
	of->fh.cred = *c;
	of->result = -1;
	of->ns = c->ns;
	ns_hold(of->ns);
	return of;
}

/*
 * truncate(2), ftruncate(2): through the open file `fh`, opened for
 * writing, or, by path (fh NULL), what it is natively: an open for
 * writing by the caller, with the checks and the descriptor that open
 * gives (a POSIX object's file opened as the caller), the truncation
 * through that open file, and its release.  Nothing is checked as the
 * caller and then done as root.
 */
int truncate_node(struct ipcfs_cred *c, const struct node *n, off_t size, struct ipcfs_fh *fh)
{
	const struct row *row = tree_row(n->kind, n->slot);
	struct open_file *of;
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
	if (fh) {
		if ((fh->flags & O_ACCMODE) == O_RDONLY)
			return -EBADF;
		return row->f.truncate(n->id, fh, size);
	}
	of = of_new(c, O_WRONLY);
	r = open_row(n, of, false, true);
	if (!r) {
		r = of->fh.file->truncate(of->fh.id, &of->fh, size);
		of_release(of);
	}
	of_free(of);
	return r;
}

void op_open(fuse_req_t req, struct ipcfs_cred *c, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct open_file *of = of_new(c, fi->flags);
	int acc = fi->flags & O_ACCMODE;
	bool rd = acc != O_WRONLY, wr = acc != O_RDONLY;
	struct node n;
	int r = 0;

	node_decode(ino, &n);
	if (n.kind == NODE_ROOT) {
		if (tree_is_top_slot(&n, ROOT_SLOT_NSSELF))
			r = -ELOOP;
		else if (!tree_is_root_file(&n))
			r = -EISDIR;
		else if (wr)
			r = -EACCES;
	} else if (n.slot == NODE_SLOT_NEW) {
		if (wr && ipcfs_opts.ro)
			r = -EROFS;
		of->fh.be = ipcfs_backend_of(n.kind);
	} else if (n.slot == NODE_SLOT_OBJECT || n.slot == NODE_SLOT_KINDDIR ||
		   n.slot == NODE_SLOT_ALIASDIR) {
		r = -EISDIR;
	} else if (n.slot == NODE_SLOT_LINK) {
		r = -ELOOP;
	} else {
		r = open_row(&n, of, rd, wr);
		/* A writer must not share an inode with another open file of a
		 * file that may block (see IPCFS_FILE_OWN_INODE): two lookups
		 * that came before either open got the same node.  ESTALE
		 * makes the kernel walk the path again (LOOKUP_REVAL), and
		 * that lookup gets a node of its own. */
		if (!r && node_sub_open(&n) > 0 && wr) {
			node_sub_close(&n);
			of_release(of);
			r = -ESTALE;
		} else if (!r) {
			r = passthrough_open(ino, &of->fh, fi, &of->backing);
			if (r) {
				node_sub_close(&n);
				of_release(of);
			}
		}
	}
	log_dbg("open %#lx flags %#x -> %d", (unsigned long)ino, fi->flags, r);
	if (r) {
		of_free(of);
		reply_err(req, r);
		return;
	}
	/* Contents are live: never the page cache.  Queue and semaphore files
	 * ignore offsets but still let lseek succeed (as a no-op), because
	 * `head -n 1` and the shell's `read` seek back over what they read
	 * past the first line and fail or read byte by byte on a regular file
	 * that cannot seek.  (A passthrough open has no page cache of its
	 * own either: passthrough_open chose.) */
	if (!of->backing)
		fi->direct_io = 1;
	/* Nothing to do at close but for files that say so (`lines`): the
	 * kernel then sends no FLUSH, one round trip less per `cat`. */
	if (!of->backing)
		fi->noflush = !(of->fh.file && of->fh.file->flush);
	fi->fh = (uintptr_t)&of->fh;
	if (fuse_reply_open(req, fi)) {
		node_sub_close(&n);
		of_release(of);
		of_free(of);
	}
}

/* Reply a slice of of->text and drop of->lock, in that order of work: the
 * slice is copied first, because once the reply is out the client may
 * close, and its release (on another thread) frees of, lock and all. */
static void reply_text_unlock(fuse_req_t req, struct open_file *of, size_t size, off_t off)
{
	g_autofree char *copy = NULL;
	size_t n = 0;

	if (of->text && off >= 0 && (size_t)off < of->text->len) {
		n = MIN(size, of->text->len - (size_t)off);
		copy = g_memdup2(of->text->str + off, n);
	}
	g_mutex_unlock(&of->lock);
	fuse_reply_buf(req, copy, n);
}

/*
 * Before each read or write of a live file: is the object still the one
 * this file was opened on (is_opened_object), and may the opener still do
 * this?  A vanished or different object is EIDRM ("Identifier removed"),
 * as the kernel says to an operation on a removed object.
 */
static int recheck(struct ipcfs_fh *fh, int want, struct ipcfs_obj *o)
{
	int r = fh->be->stat(fh->be, &fh->cred, fh->id, o);

	if (r)
		return r == -ENOENT ? -EIDRM : r;
	if (!is_opened_object(fh, o))
		return -EIDRM;
	return fh->be->access(fh->be, &fh->cred, o, want);
}

/*
 * Reads and writes of live files (live_read, live_write: the backend's
 * file->read and ->write act on the object) go straight to it, checked
 * again first, without decoding the node: these are the small operations
 * a program repeats, and the open file already says all.
 */
static void live_read(fuse_req_t req, struct ipcfs_fh *fh, size_t size, off_t off)
{
	struct ipcfs_call call = IPCFS_CALL(req);
	struct ipcfs_result res = { 0 };
	int r = 0;

	if (!(fh->file->flags & IPCFS_FILE_MAPPED)) {
		struct ipcfs_obj o;

		r = recheck(fh, fh->file->need_read, &o);
	}
	if (!r)
		r = fh->file->read(&call, fh, size, off, &res);
	reply_result(&call, r, &res, true);
}

static void live_write(fuse_req_t req, struct ipcfs_fh *fh, const char *buf, size_t size,
		       off_t off)
{
	struct ipcfs_call call = IPCFS_CALL(req);
	struct ipcfs_result res = { .size = size };
	struct ipcfs_obj o;
	bool mapped = fh->file->flags & IPCFS_FILE_MAPPED;
	int r = mapped ? 0 : recheck(fh, fh->file->need_write, &o);

	if (!r)
		r = fh->file->write(&call, fh, mapped ? NULL : &o, buf, size, off, &res);
	reply_result(&call, r, &res, false);
}

void op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi)
{
	struct open_file *of = of_get(fi);
	const struct row *row = NULL;
	struct node n;
	int r;

	of->fh.flags = fi->flags;	/* O_NONBLOCK set after open counts */
	if (of->live_read) {
		live_read(req, &of->fh, size, off);
		return;
	}
	node_decode(ino, &n);
	if (n.kind != NODE_ROOT && n.slot == NODE_SLOT_NEW) {
		/* The id made through this open file, after what was written. */
		g_mutex_lock(&of->lock);
		reply_text_unlock(req, of, size,
				  off >= (off_t)of->fh.sub ? off - (off_t)of->fh.sub : off);
		return;
	}
	/* Offset 0 takes a fresh snapshot; later offsets read from it, so
	 * one `cat` sees one consistent file. */
	if (n.kind == NODE_ROOT) {
		r = root_build(&n, of, off);
		if (r) {
			reply_err(req, r);
		} else {
			g_mutex_lock(&of->lock);
			reply_text_unlock(req, of, size, off);
		}
		return;
	}
	row = tree_row(n.kind, n.slot);
	if (row && row_is_text(row)) {
		g_mutex_lock(&of->lock);
		r = 0;
		if (off == 0 || !of->text)
			r = build_text(&n, of);
		if (r) {
			g_mutex_unlock(&of->lock);
			reply_err(req, r);
		} else {
			reply_text_unlock(req, of, size, off);
		}
		return;
	}
	reply_err(req, -EBADF);
}

static int write_new(struct open_file *of, const char *buf, size_t size, off_t off)
{
	struct ipcfs_fh *fh = &of->fh;
	g_autofree char *line = NULL;
	char name[IPCFS_NAME_MAX];
	struct ipcfs_create_args args;
	struct ipcfs_obj o;
	ipcfs_id id;
	int r;

	r = text_dup(buf, size, NEW_LINE_MAX, &line);
	if (r)
		return r;
	r = fh->be->parse_new(fh->be, line, &args);
	if (r)
		return r == -ERANGE ? -EINVAL : r;
	r = create_as(&fh->cred, fh->be, &args, &id);
	log_dbg("new %s -> %d", line, r ? r : (int)id);
	if (r)
		return r;
	/* What reads back is the new object's name (gone already: its id). */
	if (fh->be->stat(fh->be, &fh->cred, id, &o))
		o = (struct ipcfs_obj){ .id = id };
	fh->be->objname(fh->be, &o, name, sizeof(name));
	g_mutex_lock(&of->lock);
	of->result = id;
	if (!of->text)
		of->text = g_string_new(NULL);
	g_string_printf(of->text, "%s\n", name);
	fh->sub = (uint64_t)off + size;	/* reads after this write start here */
	g_mutex_unlock(&of->lock);
	return 0;
}

void op_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
	      struct fuse_file_info *fi)
{
	struct open_file *of = of_get(fi);
	const struct row *row = NULL;
	struct node n;
	int r = -EBADF;

	of->fh.flags = fi->flags;	/* O_NONBLOCK set after open counts */
	if (of->live_write) {
		live_write(req, &of->fh, buf, size, off);
		return;
	}
	node_decode(ino, &n);
	if (n.kind != NODE_ROOT && n.slot == NODE_SLOT_NEW)
		r = write_new(of, buf, size, off);
	else if (n.kind != NODE_ROOT)
		row = tree_row(n.kind, n.slot);
	if (row && row->field && row->field->write) {
		g_autofree char *text = NULL;

		r = text_dup(buf, size, FIELD_WRITE_MAX, &text);
		if (!r) {
			g_mutex_lock(&of->lock);
			r = row->field->write(of->fh.id, text, &of->fh.cred);
			g_mutex_unlock(&of->lock);
		}
	}
	if (r)
		reply_err(req, r);
	else
		fuse_reply_write(req, size);
}

void op_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct ipcfs_fh *fh = &of_get(fi)->fh;
	struct ipcfs_call call = IPCFS_CALL(req);
	int r = 0;

	(void)ino;
	if (fh->file && fh->file->flush)
		r = fh->file->flush(&call, fh);
	reply_err(req, r);
}

void op_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct open_file *of = of_get(fi);
	struct node n;

	node_decode(ino, &n);
	if (n.kind != NODE_ROOT)
		node_sub_close(&n);
	poll_forget(&of->fh);
	of_release(of);
	of_free(of);
	reply_err(req, 0);
}
