// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ops_file.c - open files: generated text (one snapshot per read from
 * offset 0), the `new` protocol, and live files handed to the backend's
 * row, rechecked at every read and write.
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

#define NEW_LINE_MAX 512	/* a name of NAME_MAX bytes and its numbers */
#define FIELD_WRITE_MAX 4096

static void fh_free(struct ipcfs_fh *fh)
{
	bool big = open_file_of(fh)->text && open_file_of(fh)->text->allocated_len > (1 << 20);

	if (open_file_of(fh)->text)
		g_string_free(open_file_of(fh)->text, TRUE);
	if (big)
		malloc_trim(0);	/* a metrics snapshot can be tens of MiB */
	passthrough_release(fh);
	g_mutex_clear(&open_file_of(fh)->lock);
	ns_put(open_file_of(fh)->ns);
	g_free(open_file_of(fh));
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
		if (n->slot == ROOT_SLOT_PROCESSES)
			r = ns_processes_text(n->ns, &fh->cred, out);
		else if (n->slot == ROOT_SLOT_NSINFO)
			r = ns_info_text(n->ns, out);
		else if (n->slot == ROOT_SLOT_NSMETRICS)
			r = ns_metrics_text(&fh->cred, out);
		else
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
	if (open_file_of(fh)->text)
		g_string_free(open_file_of(fh)->text, TRUE);
	open_file_of(fh)->text = out;
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
	if (row->target)
		return -ELOOP;	/* a symlink (the kernel follows it first) */
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
	open_file_of(fh)->live_read = !row_is_text(row) && row->f.read;
	open_file_of(fh)->live_write = row->f.write && !(row->field && row->field->write);	/* as ipcfs_write */
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

/* An open file of req's caller, with open(2) flags `flags`, acting in the
 * namespace the thread acts in. */
static struct ipcfs_fh *fh_new(fuse_req_t req, int flags)
{
	struct open_file *of = g_new0(struct open_file, 1);
	struct ipcfs_fh *fh = &of->fh;

	g_mutex_init(&open_file_of(fh)->lock);
	fh->flags = flags;
	open_file_of(fh)->result = -1;
	fh->backing_fd = -1;
	cred_from_req(req, &fh->cred);
	open_file_of(fh)->ns = ns_current_hold();
	return fh;
}

/*
 * truncate(2) by path is what it is natively: an open for writing, by the
 * caller, with the checks and the descriptor that open gives (a POSIX
 * object's file opened as the caller), the truncation through that open
 * file, and its release.  Nothing is checked as the caller and then done
 * as root.
 */
int truncate_path(fuse_req_t req, const struct node *n, off_t size)
{
	struct ipcfs_fh *fh = fh_new(req, O_WRONLY);
	int r = open_row(n, fh, false, true);

	if (!r) {
		r = fh->file->truncate(fh->id, fh, size);
		if (fh->file->release)
			fh->file->release(fh);
	}
	fh_free(fh);
	return r;
}

void ipcfs_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct ipcfs_fh *fh = fh_new(req, fi->flags);
	int acc = fi->flags & O_ACCMODE;
	bool rd = acc != O_WRONLY, wr = acc != O_RDONLY;
	struct node n;
	int r = 0;

	node_decode(ino, &n);
	if (n.kind == NODE_ROOT) {
		if (n.slot == ROOT_SLOT_NSSELF && !n.ns)
			r = -ELOOP;
		else if (!tree_is_root_file(&n))
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
		if (!r && node_sub_open(&n) > 0 && wr) {
			node_sub_close(&n);
			if (fh->file && fh->file->release)
				fh->file->release(fh);
			r = -ESTALE;
		} else if (!r) {
			r = passthrough_open(ino, fh, fi);
			if (r) {
				node_sub_close(&n);
				if (fh->file && fh->file->release)
					fh->file->release(fh);
			}
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
	 * that cannot seek.  (A passthrough open has no page cache of its
	 * own either: passthrough_open chose.) */
	if (!open_file_of(fh)->backing)
		fi->direct_io = 1;
	fi->fh = (uintptr_t)fh;
	if (fuse_reply_open(req, fi)) {
		node_sub_close(&n);
		if (fh->file && fh->file->release)
			fh->file->release(fh);
		fh_free(fh);
	}
}

/* Reply a slice of the open file's text and drop its lock, in that order of work: the
 * slice is copied first, because once the reply is out the client may
 * close, and its release (on another thread) frees fh, lock and all. */
static void reply_text_unlock(fuse_req_t req, struct ipcfs_fh *fh, size_t size, off_t off)
{
	g_autofree char *copy = NULL;
	size_t n = 0;

	if (open_file_of(fh)->text && off >= 0 && (size_t)off < open_file_of(fh)->text->len) {
		n = MIN(size, open_file_of(fh)->text->len - (size_t)off);
		copy = g_memdup2(open_file_of(fh)->text->str + off, n);
	}
	g_mutex_unlock(&open_file_of(fh)->lock);
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
	int r = fh->be->stat(fh->be, fh->id, o);

	if (r)
		return r == -ENOENT ? -EIDRM : r;
	if (!is_opened_object(fh, o))
		return -EIDRM;
	return fh->be->access(fh->be, &fh->cred, o, want);
}

/* What a read or write is on: the open file (with its flags now:
 * fcntl(F_SETFL, O_NONBLOCK) after open counts), the node, and the row
 * (NULL for the root's files and `new`). */
struct io {
	struct ipcfs_fh *fh;
	struct node n;
	const struct row *row;
	bool is_new;		/* a kind's `new` file */
};

static void io_of(fuse_ino_t ino, struct fuse_file_info *fi, struct io *io)
{
	io->fh = (struct ipcfs_fh *)(uintptr_t)fi->fh;
	io->fh->flags = fi->flags;
	node_decode(ino, &io->n);
	io->is_new = io->n.kind != NODE_ROOT && io->n.slot == NODE_SLOT_NEW;
	io->row = io->n.kind == NODE_ROOT || io->is_new ? NULL : tree_row(io->n.kind, io->n.slot);
}

/*
 * Reads and writes of live files (live_read, live_write: the
 * backend's file->read and ->write act on the object) go straight to it,
 * checked again first, without decoding the node: these are the small
 * operations a program repeats, and the open file already says all.
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

void ipcfs_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi)
{
	struct io io;
	struct ipcfs_fh *fh = (struct ipcfs_fh *)(uintptr_t)fi->fh;
	const struct row *row;
	int r;

	if (open_file_of(fh)->live_read) {
		fh->flags = fi->flags;	/* O_NONBLOCK set after open counts */
		live_read(req, fh, size, off);
		return;
	}
	io_of(ino, fi, &io);
	fh = io.fh;
	row = io.row;
	if (io.is_new) {
		/* The id made through this open file, after what was written. */
		g_mutex_lock(&open_file_of(fh)->lock);
		reply_text_unlock(req, fh, size, off >= (off_t)fh->sub ? off - (off_t)fh->sub : off);
		return;
	}
	if (!row || row_is_text(row)) {
		/* Offset 0 takes a fresh snapshot; later offsets read from it,
		 * so one `cat` sees one consistent file. */
		g_mutex_lock(&open_file_of(fh)->lock);
		r = 0;
		if (off == 0 || !open_file_of(fh)->text)
			r = build_text(&io.n, fh);
		if (r) {
			g_mutex_unlock(&open_file_of(fh)->lock);
			reply_err(req, r);
		} else {
			reply_text_unlock(req, fh, size, off);
		}
		return;
	}
	reply_err(req, -EBADF);
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
	g_mutex_lock(&open_file_of(fh)->lock);
	open_file_of(fh)->result = r;
	if (!open_file_of(fh)->text)
		open_file_of(fh)->text = g_string_new(NULL);
	g_string_printf(open_file_of(fh)->text, "%s\n", name);
	fh->sub = (uint64_t)off + size;	/* reads after this write start here */
	g_mutex_unlock(&open_file_of(fh)->lock);
	return 0;
}

void ipcfs_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
			struct fuse_file_info *fi)
{
	struct io io;
	int r;

	io.fh = (struct ipcfs_fh *)(uintptr_t)fi->fh;
	if (open_file_of(io.fh)->live_write) {
		io.fh->flags = fi->flags;	/* O_NONBLOCK set after open counts */
		live_write(req, io.fh, buf, size, off);
		return;
	}
	io_of(ino, fi, &io);
	if (io.is_new) {
		r = write_new(io.fh, buf, size, off);
		goto out;
	}
	struct ipcfs_fh *fh = io.fh;
	const struct row *row = io.row;

	if (row && row->field && row->field->write) {
		g_autofree char *text = NULL;

		r = text_dup(buf, size, FIELD_WRITE_MAX, &text);
		if (!r) {
			g_mutex_lock(&open_file_of(fh)->lock);
			r = row->field->write(fh->id, text, &fh->cred);
			g_mutex_unlock(&open_file_of(fh)->lock);
		}
		goto out;
	}
	r = -EBADF;
out:
	if (r)
		reply_err(req, r);
	else
		fuse_reply_write(req, size);
}

void ipcfs_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct ipcfs_fh *fh = (struct ipcfs_fh *)(uintptr_t)fi->fh;
	struct ipcfs_call call = IPCFS_CALL(req);
	int r = 0;

	(void)ino;
	if (fh->file && fh->file->flush)
		r = fh->file->flush(&call, fh);
	reply_err(req, r);
}

void ipcfs_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct ipcfs_fh *fh = (struct ipcfs_fh *)(uintptr_t)fi->fh;
	struct node n;

	node_decode(ino, &n);
	if (n.kind != NODE_ROOT)
		node_sub_close(&n);
	poll_forget(fh);
	if (fh->file && fh->file->release)
		fh->file->release(fh);
	fh_free(fh);
	reply_err(req, 0);
}
