/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ops.h - the FUSE low-level handlers, spread over ops.c (names),
 * ops_change.c (tree changes), ops_dir.c (listings) and ops_file.c (open
 * files); the table is in ops.c.
 */
#pragma once
#include "node.h"
#include "util.h"

extern const struct fuse_lowlevel_ops ipcfs_ops;

/*
 * An open file as fs/ holds it: what its backend sees (struct ipcfs_fh,
 * first: fi->fh points at both) and what only fs/ touches.
 */
struct open_file {
	struct ipcfs_fh fh;
	GString *text;		/* generated text, built at open */
	GMutex lock;		/* guards text and result; serialises writes
				 * of one-value files and `new` */
	int64_t result;		/* `new`: the id created, -1 before */
	struct ipcfs_ns *ns;	/* the namespace it acts in (held), NULL: top */
	bool live_read, live_write;	/* file->read, ->write serve read(2), write(2) */
	void *backing;		/* passthrough.c's hold on the registered backing */
};
static inline struct open_file *open_file_of(struct ipcfs_fh *fh)
{
	return (struct open_file *)(void *)fh;
}
/* The thread that asks the kernel to drop old interned names (evict.c). */
void evict_start(struct fuse_session *se);
void evict_stop(void);

/* An entry reply for a node (ops.c): its cache times follow what it is. */
void entry_param(struct fuse_entry_param *e, uint64_t nodeid, const struct stat *st);
/* Create as the caller, so the kernel records them as owner and creator
 * (ops_change.c).  The new id, or -errno. */
int create_as(struct ipcfs_cred *cred, const struct ipcfs_backend *be, struct ipcfs_create *args);
/* truncate(2) of row node `n` by path, for req's caller (ops_file.c): an
 * open for writing, its truncate, its release.  0 or -errno. */
int truncate_path(fuse_req_t req, const struct node *n, off_t size);
/* May the caller list directory node `n` (ops_dir.c)?  0 or -errno. */
int check_list_access(fuse_req_t req, const struct node *n);

/* passthrough.c: backing files for opens (fh->backing_fd). */
/* Once mounted: the session whose device backings are registered with. */
void passthrough_session(struct fuse_session *se);
/* At init: ask for passthrough where the kernel offers it. */
void passthrough_init(struct fuse_conn_info *conn);
/* After the backend's open succeeded: register (or share) node ino's
 * backing and set fi's backing_id and direct_io; closes fh->backing_fd.
 * 0, or -EBUSY when the node has another backing the kernel would insist
 * on and this file's could not be registered. */
int passthrough_open(fuse_ino_t ino, struct ipcfs_fh *fh, struct fuse_file_info *fi);
/* The open is released (or its reply failed): drop its backing, close
 * a backing_fd not taken.  Never blocks. */
void passthrough_release(struct ipcfs_fh *fh);


/* ops.c */
void ipcfs_init(void *userdata, struct fuse_conn_info *conn);
void ipcfs_lookup(fuse_req_t req, fuse_ino_t parent, const char *name);
void ipcfs_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup);
void ipcfs_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets);
void ipcfs_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void ipcfs_access(fuse_req_t req, fuse_ino_t ino, int mask);
void ipcfs_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size);
void ipcfs_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name, const char *value,
			   size_t size, int flags);

/* ops_change.c */
void ipcfs_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
			  struct fuse_file_info *fi);
void ipcfs_readlink(fuse_req_t req, fuse_ino_t ino);
void ipcfs_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
			dev_t rdev);
void ipcfs_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode);
void ipcfs_unlink(fuse_req_t req, fuse_ino_t parent, const char *name);
void ipcfs_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name);
void ipcfs_symlink(fuse_req_t req, const char *link, fuse_ino_t parent, const char *name);
void ipcfs_rename(fuse_req_t req, fuse_ino_t parent, const char *name,
			 fuse_ino_t newparent, const char *newname, unsigned int flags);
void ipcfs_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char *newname);
void ipcfs_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
			 struct fuse_file_info *fi);

/* ops_dir.c */
void ipcfs_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void ipcfs_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
			  struct fuse_file_info *fi);
void ipcfs_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
			      struct fuse_file_info *fi);
void ipcfs_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);

/* ops_file.c */
void ipcfs_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void ipcfs_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi);
void ipcfs_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
			struct fuse_file_info *fi);
void ipcfs_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void ipcfs_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
