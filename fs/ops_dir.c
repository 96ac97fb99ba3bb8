// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ops_dir.c - directory listings: a snapshot per opendir, served by offset.
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

void op_opendir(fuse_req_t req, struct ipcfs_cred *c, fuse_ino_t ino, struct fuse_file_info *fi)
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
	r = access_list(c, &n);
	if (!r)
		r = tree_list(&n, c, snap_fill, ds);
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
		if (plus && i >= 2 && d->nodeid)
			ns_kernel_ref(d->nodeid, 1);	/* the kernel takes one */
	}
	fuse_reply_buf(req, buf, used);
}

void op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		struct fuse_file_info *fi)
{
	(void)ino;
	do_readdir(req, size, off, fi, false);
}

void op_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	(void)ino;
	do_readdir(req, size, off, fi, true);
}

void op_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
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
