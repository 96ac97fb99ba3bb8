/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ops.h - the FUSE low-level handlers.  The table is ops_ns.c's: each of
 * its handlers runs in the IPC namespace of its node with the caller's
 * credentials captured once (struct ipcfs_cred), and hands them to an
 * op_* function that does the work and sends the one reply: ops.c
 * (names), ops_change.c (tree changes), ops_dir.c (listings), ops_file.c
 * (open files), poll.c.  Around them: access.c (what a caller may look
 * into), create.c (making objects), passthrough.c, evict.c.
 */
#pragma once
#include "node.h"
#include "util.h"

extern const struct fuse_lowlevel_ops ipcfs_ops;

/*
 * An open file as fs/ holds it: what its backend sees (struct ipcfs_fh,
 * first: fi->fh points at both) and what only fs/ touches.
 */
struct backing;
struct open_file {
	struct ipcfs_fh fh;
	GString *text;		/* generated text, built at offset 0 */
	GMutex lock;		/* guards text and result; serialises writes
				 * of one-value files (order: fs/ipcfs.h) */
	int64_t result;		/* `new`: the id created, -1 before */
	struct ipcfs_ns *ns;	/* the namespace it acts in (held), NULL: top */
	bool live_read, live_write;	/* file->read, ->write serve read(2), write(2) */
	struct backing *backing;	/* passthrough.c's hold on the registered backing */
};
static inline struct open_file *open_file_of(struct ipcfs_fh *fh)
{
	return (struct open_file *)(void *)fh;
}

/* ops.c */
void op_init(void *userdata, struct fuse_conn_info *conn);
void op_lookup(fuse_req_t req, struct ipcfs_cred *c, fuse_ino_t parent, const char *name);
void op_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup);
void op_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets);
void op_getattr(fuse_req_t req, struct ipcfs_cred *c, fuse_ino_t ino);
void op_access(fuse_req_t req, struct ipcfs_cred *c, fuse_ino_t ino, int mask);
void op_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size);
void op_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name, const char *value,
		 size_t size, int flags);

/* ops_change.c */
void op_setattr(fuse_req_t req, struct ipcfs_cred *c, fuse_ino_t ino, struct stat *attr,
		int to_set, struct fuse_file_info *fi);
void op_readlink(fuse_req_t req, struct ipcfs_cred *c, fuse_ino_t ino);
void op_mkdir(fuse_req_t req, struct ipcfs_cred *c, fuse_ino_t parent, const char *name,
	      mode_t mode);
void op_rmdir(fuse_req_t req, struct ipcfs_cred *c, fuse_ino_t parent, const char *name);
/* mknod, unlink, symlink, rename, link: EPERM (EROFS when ro). */
void op_refuse(fuse_req_t req);
void op_create(fuse_req_t req, struct ipcfs_cred *c, fuse_ino_t parent, const char *name);

/* ops_dir.c */
void op_opendir(fuse_req_t req, struct ipcfs_cred *c, fuse_ino_t ino, struct fuse_file_info *fi);
void op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		struct fuse_file_info *fi);
void op_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		    struct fuse_file_info *fi);
void op_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);

/* ops_file.c: an open file acts as its opener (fh->cred), in the
 * namespace it was opened in. */
void op_open(fuse_req_t req, struct ipcfs_cred *c, fuse_ino_t ino, struct fuse_file_info *fi);
void op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi);
void op_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
	      struct fuse_file_info *fi);
void op_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void op_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
/* truncate(2) and ftruncate(2) of row node `n` for caller c: through the
 * open file fh (ftruncate), or by path (fh NULL): an open for writing,
 * its truncate, its release.  0 or -errno. */
int truncate_node(struct ipcfs_cred *c, const struct node *n, off_t size, struct ipcfs_fh *fh);

/* poll.c: poll/select/epoll on live files (in the file's namespace). */
void op_poll(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi,
	     struct fuse_pollhandle *ph);
/* An open file is being released: drop its pending poll handle, waiting
 * if the poller is checking it right now.  Call before fh is freed. */
void poll_forget(struct ipcfs_fh *fh);
/* The session ended: stop the poller and free every pending handle. */
void poll_shutdown(void);

/* access.c: beyond the kind's own rule.  0 or -errno. */
/* May c list directory node n (a subdirectory whose entries tell what the
 * object holds needs the row's read access)? */
int access_list(struct ipcfs_cred *c, const struct node *n);
/* May c look names up in `dir`, or stat node n found in it earlier? */
int access_lookup(struct ipcfs_cred *c, const struct node *dir);
int access_parent(struct ipcfs_cred *c, const struct node *n);
/* access(2) of node n with attributes st (of object o, when in one). */
int access_mask(struct ipcfs_cred *c, const struct node *n, const struct stat *st,
		const struct ipcfs_obj *o, int mask);

/* create.c: create as the kind says (ipcfs_backend.create_as), for
 * caller `cred`: 0 with the new object's id in *id, or -errno. */
int create_as(struct ipcfs_cred *cred, const struct ipcfs_backend *be,
	      struct ipcfs_create_args *args, ipcfs_id *id);

/* evict.c: the thread that asks the kernel to drop old interned names. */
void evict_start(struct fuse_session *se);
void evict_stop(void);

/* passthrough.c: backing files for opens (fh->backing_fd). */
/* Once mounted: the session whose device backings are registered with. */
void passthrough_session(struct fuse_session *se);
/* At init: ask for passthrough where the kernel offers it. */
void passthrough_init(struct fuse_conn_info *conn);
/* After the backend's open succeeded: register (or share) node ino's
 * backing, held in *held, and set fi's backing_id and direct_io; closes
 * fh->backing_fd.  0, or -EBUSY when the node has another backing the
 * kernel would insist on and this file's could not be registered. */
struct backing;
int passthrough_open(fuse_ino_t ino, struct ipcfs_fh *fh, struct fuse_file_info *fi,
		     struct backing **held);
/* The open is released (or its reply failed): drop its backing (*held),
 * close a backing_fd not taken.  Never blocks. */
void passthrough_release(struct ipcfs_fh *fh, struct backing **held);
