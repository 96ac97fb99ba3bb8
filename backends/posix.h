/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * posix.h - what the POSIX kinds (posix/shm, posix/mq, posix/sem) share.
 *
 * A POSIX object is a file: /dev/shm/NAME (shm_open), /dev/shm/sem.NAME
 * (sem_open) or NAME in the IPC namespace's mqueue filesystem (mq_open).
 * So its permission rule is the VFS's, and the daemon never writes it out:
 * every check and every change is made by the kernel on the file, with the
 * thread running as the caller (cred_enter_fs).  Rights are checked when an
 * object is opened, as shm_open, sem_open and mq_open check them; an open
 * descriptor keeps working after a chmod, natively too.
 *
 * Names are whatever the kernel allows in a directory entry (no '/', not
 * "." or ".."); odd bytes round-trip.  The inode numbers of ipcfs carry an
 * id per object: each kind keeps a table name -> id, ids handed out in
 * order and never reused while the daemon runs, so that a name removed and
 * made again is a new object to the kernel's caches.
 */
#pragma once
#include "../fs/ipcfs.h"

#include <sys/stat.h>

/* A kind's table of names and ids. */
struct posix_names {
	GMutex lock;		/* a leaf (order: fs/ipcfs.h) */
	GHashTable *ids;	/* name -> id (GINT) */
	GPtrArray *names;	/* id -> name (NULL: forgotten) */
};

/* What a POSIX kind adds to the shared methods (ipcfs_backend.data). */
struct posix_kind {
	struct posix_names *names;
	/* The directory the objects are files in (opened once and kept), or
	 * -errno. */
	int (*dirfd)(void);
	/* The prefix of the kind's files there ("sem." for semaphores in
	 * /dev/shm; "" when every file is one of ours), and a test for files
	 * that are not the kind's (shm: the "sem." files), or NULL. */
	const char *prefix;
	bool (*skip)(const char *file);
	/* Fill the kind's own numbers (o->v past struct posix_head) for the
	 * file `file` in `dirfd`, which stat gave `st`, as the daemon (also
	 * in a listing, after the caller's part).  Only a kind whose
	 * directory no user can put anything but its objects in may open the
	 * file here (posix/mq: the daemon's private mqueue mount); contents
	 * are read as their reader (posix_read_as).  0, or -errno when the
	 * object cannot be read (it is then left out of listings). */
	int (*fill)(struct ipcfs_obj *o, int dirfd, const char *file, const struct stat *st);
	/* mkdir's default parameter (a size ...), from the mount options;
	 * NULL: 0. */
	const uint64_t *default_param;
};

/* The numbers every POSIX kind's struct starts with: the file's inode
 * number, which tells an object from a new one with the same name. */
struct posix_head {
	int64_t ino;
};

/* ---- names ---- */
/* The kind's table in the namespace the thread acts in: `names` at the
 * top level, one of its own in each ns/<inode>/ (ids are per namespace,
 * as the inode numbers that carry them are). */
struct posix_names *posix_names_of(const struct ipcfs_backend *be);
/* A kind's directory in the namespace the thread acts in, other than the
 * top level's: made by make(ns) (a g_new'd int fd, or NULL) at the first
 * use, kept under `key` until the daemon lets the namespace go.  The fd,
 * or -ENOENT. */
int posix_ns_dirfd(const void *key, void *(*make)(void *arg));
void posix_fd_free(void *p);
/* The id of `name`, handed out now if it has none.  -ENOSPC when ids ran
 * out. */
int posix_name_id(struct posix_names *t, const char *name);
/* The same, as a create returns it: 0 with *id, or -ENOSPC. */
int posix_name_new_id(struct posix_names *t, const char *name, ipcfs_id *id);
/* The name of `id` into buf: 0, or -ENOENT. */
int posix_id_name(struct posix_names *t, ipcfs_id id, char *buf, size_t size);
/* Is `name` one the kernel allows for an object whose file is
 * prefix + name?  0, -ENAMETOOLONG (the file's name would pass NAME_MAX,
 * as shm_open, sem_open and mq_open say) or -EINVAL (empty, ".", "..",
 * a slash). */
int posix_name_check(const char *prefix, const char *name);
static inline bool posix_name_ok(const char *prefix, const char *name)
{
	return !posix_name_check(prefix, name);
}
/* The file of object `id` (prefix + name) into buf: 0, or -ENOENT. */
int posix_file_of(const struct ipcfs_backend *be, ipcfs_id id, char *buf, size_t size);

/* ---- the shared methods (POSIX_METHODS) ---- */
/* The directory is read with c's credentials (NULL: the daemon's): c's
 * own open of it, and c's stats of its names. */
int posix_list(const struct ipcfs_backend *be, struct ipcfs_cred *c, GArray *out);
int posix_stat(const struct ipcfs_backend *be, struct ipcfs_cred *c, ipcfs_id id,
	       struct ipcfs_obj *out);
int posix_resolve(const struct ipcfs_backend *be, struct ipcfs_cred *c, const char *name,
		  ipcfs_id *id, bool *alias);
void posix_objname(const struct ipcfs_backend *be, const struct ipcfs_obj *o, char *buf,
		   size_t size);
void posix_labels(const struct ipcfs_backend *be, const struct ipcfs_obj *o, GString *out);
bool posix_same(const struct ipcfs_backend *be, const struct ipcfs_obj *was,
		const struct ipcfs_obj *now);
/* mkdir NAME: args->name, mode & 0666, the default parameter. */
int posix_parse_mkdir(const struct ipcfs_backend *be, const char *name, mode_t mode,
		      struct ipcfs_create_args *args);
/* The VFS decides: faccessat(AT_EACCESS) on the file, as the caller. */
int posix_access(const struct ipcfs_backend *be, struct ipcfs_cred *c, const struct ipcfs_obj *o,
		 int want);
/* Changing and removing are decided by the kernel as they are done, as
 * the caller (posix_set, posix_remove): nothing to check before. */
int posix_owner(const struct ipcfs_backend *be, struct ipcfs_cred *c, const struct ipcfs_obj *o);
/* chmod/chown (what was asked only) and unlink of the file, as the
 * caller.  A kind whose unlink is not the file's (mq_unlink) has its own
 * remove. */
int posix_set(const struct ipcfs_backend *be, struct ipcfs_cred *c, ipcfs_id id, unsigned what,
	      uid_t uid, gid_t gid, mode_t mode);
int posix_remove(const struct ipcfs_backend *be, struct ipcfs_cred *c, ipcfs_id id);
/* Open `file` in dirfd (as whoever the thread is), never blocking in the
 * open (a FIFO put there) nor following a symlink, and only if it is a
 * regular file of the directory's own filesystem (not a bind mount of
 * another file): the fd, with O_NONBLOCK only if asked, or -errno. */
int posix_open_file(int dirfd, const char *file, int flags);
/* Open the object's file as the caller (posix_open_file): the fd, or
 * -errno (EACCES from the kernel itself). */
int posix_open_as(const struct ipcfs_backend *be, struct ipcfs_cred *c, ipcfs_id id, int flags);
/* The first `len` bytes of object o's file, read through a descriptor
 * opened as c (the open is the check) that is still o's file: 0, -EINVAL
 * (shorter), or -errno. */
int posix_read_as(const struct ipcfs_backend *be, struct ipcfs_cred *c, const struct ipcfs_obj *o,
		  void *buf, size_t len);

#define POSIX_METHODS \
	.group = "posix", .list = posix_list, .stat = posix_stat, \
	.resolve = posix_resolve, .objname = posix_objname, .labels = posix_labels, \
	.same = posix_same, .parse_mkdir = posix_parse_mkdir, .access = posix_access, \
	.owner = posix_owner, .set = posix_set

/* /dev/shm of the namespace served (or acted in, under ns/<inode>/), for
 * posix/shm and posix/sem: the directory fd (kept; do not close), or
 * -errno.  _init opens it at start (the kinds' init), _close at shutdown;
 * each kind calls both. */
int posix_devshm_dirfd(void);
int posix_devshm_init(const struct ipcfs_backend *be);
void posix_devshm_close(const struct ipcfs_backend *be);
/* ns/<inode>/info's line for kind be: its /dev/shm, or why it has none. */
void posix_devshm_info(const struct ipcfs_backend *be, GString *out);

/* One line of /proc/PID/mountinfo, parsed in place (the strings point
 * into the line, escapes such as \040 undone): 0 or -EINVAL.  Pure. */
struct posix_mountinfo {
	uint64_t id;		/* the mount id (statx's stx_mnt_id) */
	unsigned major, minor;	/* the superblock's device */
	const char *root;	/* what of the filesystem is mounted ("/": all) */
	const char *point;	/* where */
	const char *fstype;
};
int posix_mountinfo_parse(char *line, struct posix_mountinfo *out);
