// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * posix.c - what the POSIX kinds share (see posix.h): the table of names,
 * listing and stat of the files, and every permission decision left to
 * the kernel, made as the caller.
 */
#include "posix.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>

/* More names than this in a table: forget those whose file is gone. */
#define POSIX_NAMES_TRIM 4096

static void names_init(struct posix_names *t)
{
	/* Tables are static and zeroed: made at first use, under the lock
	 * (a zeroed GMutex is a valid unlocked one). */
	if (!t->ids) {
		t->ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
		t->names = g_ptr_array_new();
	}
}

int posix_name_id(struct posix_names *t, const char *name)
{
	gpointer v;
	int id;

	g_mutex_lock(&t->lock);
	names_init(t);
	if (g_hash_table_lookup_extended(t->ids, name, NULL, &v)) {
		id = GPOINTER_TO_INT(v);
	} else if (t->names->len >= G_MAXINT) {
		id = -ENOSPC;
	} else {
		char *copy = g_strdup(name);

		id = (int)t->names->len;
		g_ptr_array_add(t->names, copy);
		g_hash_table_insert(t->ids, copy, GINT_TO_POINTER(id));
	}
	g_mutex_unlock(&t->lock);
	return id;
}

int posix_name_new_id(struct posix_names *t, const char *name, ipcfs_id *id)
{
	int r = posix_name_id(t, name);

	if (r < 0)
		return r;
	*id = (ipcfs_id)r;
	return 0;
}

int posix_id_name(struct posix_names *t, ipcfs_id id, char *buf, size_t size)
{
	int r = -ENOENT;

	g_mutex_lock(&t->lock);
	names_init(t);
	if (id < t->names->len && t->names->pdata[id]) {
		g_strlcpy(buf, t->names->pdata[id], size);
		r = 0;
	}
	g_mutex_unlock(&t->lock);
	return r;
}

/* Forget the names for which keep() says no (their object is gone): their
 * ids are never handed out again.  keep() runs under the table's lock, so
 * it must not block: a hash lookup (was_seen). */
static void names_sweep(struct posix_names *t, bool (*keep)(const char *name, void *ctx),
			void *ctx)
{
	g_mutex_lock(&t->lock);
	names_init(t);
	for (guint id = 0; id < t->names->len; id++) {
		char *name = t->names->pdata[id];

		if (name && !keep(name, ctx)) {
			g_hash_table_remove(t->ids, name);	/* frees name */
			t->names->pdata[id] = NULL;
		}
	}
	g_mutex_unlock(&t->lock);
}

/* The same for a keep() that asks the filesystem (an fstatat per name,
 * thousands of them): the names are copied under the lock and asked about
 * without it; a name is then forgotten only if its id still has it.  (A
 * name made again meanwhile and looked up under the old id is forgotten
 * all the same, as by a sweep after a listing that did not see it.) */
static void names_sweep_slow(struct posix_names *t, bool (*keep)(const char *name, void *ctx),
			     void *ctx)
{
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GArray) gone = g_array_new(FALSE, FALSE, sizeof(guint));

	g_mutex_lock(&t->lock);
	names_init(t);
	g_ptr_array_set_size(names, (gint)t->names->len);
	for (guint id = 0; id < t->names->len; id++)
		names->pdata[id] = g_strdup(t->names->pdata[id]);
	g_mutex_unlock(&t->lock);
	for (guint id = 0; id < names->len; id++)
		if (names->pdata[id] && !keep(names->pdata[id], ctx))
			g_array_append_val(gone, id);
	g_mutex_lock(&t->lock);
	for (guint i = 0; i < gone->len; i++) {
		guint id = g_array_index(gone, guint, i);
		char *name = t->names->pdata[id];

		if (name && !strcmp(name, names->pdata[id])) {
			g_hash_table_remove(t->ids, name);	/* frees name */
			t->names->pdata[id] = NULL;
		}
	}
	g_mutex_unlock(&t->lock);
}

int posix_name_check(const char *prefix, const char *name)
{
	size_t len = strlen(name);

	if (!len || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
		return -EINVAL;
	return len + strlen(prefix) < IPCFS_NAME_MAX ? 0 : -ENAMETOOLONG;
}

static const struct posix_kind *kind_of(const struct ipcfs_backend *be)
{
	return be->data;
}

static void *names_make(void *arg)
{
	(void)arg;
	return g_new0(struct posix_names, 1);
}

static void names_free(void *p)
{
	struct posix_names *t = p;

	if (t->ids)
		g_hash_table_destroy(t->ids);	/* owns the names */
	if (t->names)
		g_ptr_array_free(t->names, TRUE);
	g_free(t);
}

struct posix_names *posix_names_of(const struct ipcfs_backend *be)
{
	struct ipcfs_ns *ns = ipcfs_ns_current();

	if (!ns)
		return kind_of(be)->names;
	/* A table per namespace, keyed by the kind's own (never NULL:
	 * making one cannot fail). */
	return ipcfs_ns_data(ns, kind_of(be)->names, names_make, NULL, names_free);
}

void posix_fd_free(void *p)
{
	int *fd = p;

	close(*fd);
	g_free(fd);
}

int posix_ns_dirfd(const void *key, void *(*make)(void *arg))
{
	struct ipcfs_ns *ns = ipcfs_ns_current();
	int *fd;

	if (!ns)
		return -ENOENT;
	fd = ipcfs_ns_data(ns, key, make, ns, posix_fd_free);
	return fd ? *fd : -ENOENT;
}

int posix_file_of(const struct ipcfs_backend *be, ipcfs_id id, char *buf, size_t size)
{
	const struct posix_kind *k = kind_of(be);
	char name[IPCFS_NAME_MAX];

	if (posix_id_name(posix_names_of(be), id, name, sizeof(name)))
		return -ENOENT;
	if ((size_t)snprintf(buf, size, "%s%s", k->prefix, name) >= size)
		return -ENOENT;
	return 0;
}

/* Is st a file of the directory's own filesystem (not something mounted
 * over a name in it: a bind mount of another file)? */
static bool on_dir_fs(int dirfd, const struct stat *st)
{
	struct stat d;

	return S_ISREG(st->st_mode) && !fstat(dirfd, &d) && d.st_dev == st->st_dev;
}

/* openat2 beneath dirfd, crossing no mount point and following no
 * symlink (file_openat); what is not a plain name of the directory's own
 * filesystem (a symlink, something mounted over it) is no object. */
static int open_name(int dirfd, const char *file, int flags)
{
	int fd = file_openat(dirfd, file, flags, 0, true);

	return fd == -ELOOP || fd == -EXDEV ? -ENOENT : fd;
}

int posix_open_file(int dirfd, const char *file, int flags)
{
	struct stat st;
	int fd = open_name(dirfd, file, flags | O_NONBLOCK);

	if (fd < 0)
		return fd;
	if (fstat(fd, &st) || !on_dir_fs(dirfd, &st)) {
		close(fd);
		return -ENOENT;
	}
	if (!(flags & O_NONBLOCK) && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)) {
		close(fd);
		return -EIO;
	}
	return fd;
}

/* Stat `file` into o's common part and st, as object `id`: 0, or -ENOENT
 * when it is not one of the kind's (gone, not a regular file of the
 * directory's filesystem, skipped). */
static int stat_head(const struct ipcfs_backend *be, int dirfd, const char *file, ipcfs_id id,
		     struct ipcfs_obj *o, struct stat *st)
{
	const struct posix_kind *k = kind_of(be);

	if (k->skip && k->skip(file))
		return -ENOENT;
	/* Never followed, never opened: a stat tells nothing the directory's
	 * search permission would not (doc/security.md). */
	if (fstatat(dirfd, file, st, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT) || !on_dir_fs(dirfd, st))
		return -ENOENT;
	memset(o, 0, sizeof(*o));
	o->id = id;
	o->uid = o->cuid = st->st_uid;
	o->gid = o->cgid = st->st_gid;
	o->mode = st->st_mode & 0777;
	o->dir_atime = st->st_atime;
	o->dir_mtime = st->st_mtime;
	o->dir_ctime = st->st_ctime;
	IPCFS_NUMS(struct posix_head, o)->ino = (int64_t)st->st_ino;
	return 0;
}

/* The same, and the kind's own numbers. */
static int stat_file(const struct ipcfs_backend *be, int dirfd, const char *file, ipcfs_id id,
		     struct ipcfs_obj *o)
{
	const struct posix_kind *k = kind_of(be);
	struct stat st;
	int r = stat_head(be, dirfd, file, id, o, &st);

	if (r)
		return r;
	return k->fill ? k->fill(o, dirfd, file, &st) : 0;
}

struct seen {
	GHashTable *names;
};

static bool was_seen(const char *name, void *ctx)
{
	return g_hash_table_contains(((struct seen *)ctx)->names, name);
}

/* What a listing found, for the kind's fill afterwards. */
struct found {
	char *file;
	struct stat st;
};

static void found_clear(gpointer p)
{
	g_free(((struct found *)p)->file);
}

/* Read the directory and stat what is in it (with the thread's
 * credentials: the caller's), appending to out and found. */
static int read_dir(const struct ipcfs_backend *be, int dirfd, GArray *out, GArray *found,
		    GHashTable *names)
{
	const struct posix_kind *k = kind_of(be);
	struct posix_names *names_t = posix_names_of(be);
	size_t plen = strlen(k->prefix);
	struct dirent *de;
	DIR *dir;
	/* The caller's own open of the directory: they list what they may. */
	int fd = file_openat(dirfd, ".", O_RDONLY | O_DIRECTORY, 0, true);

	if (fd < 0)
		return fd;
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return -ENOMEM;
	}
	while ((de = readdir(dir))) {
		const char *name = de->d_name + plen;
		struct found f = { 0 };
		struct ipcfs_obj o;
		int id;

		if (strncmp(de->d_name, k->prefix, plen) || !posix_name_ok(k->prefix, name))
			continue;
		id = posix_name_id(names_t, name);
		if (id < 0 || stat_head(be, dirfd, de->d_name, id, &o, &f.st))
			continue;
		f.file = g_strdup(de->d_name);
		g_array_append_val(out, o);
		g_array_append_val(found, f);
		g_hash_table_add(names, g_strdup(name));
	}
	closedir(dir);
	return 0;
}

/*
 * The directory is read as the caller (their own open of it, and their
 * stats: a directory they may not read or search lists nothing, as
 * natively), then the kind's numbers are filled as the daemon, which may
 * open files the caller may not (posix/mq's mq_getattr, in the daemon's
 * private mount, where a user can put nothing but queues).
 */
int posix_list(const struct ipcfs_backend *be, struct ipcfs_cred *c, GArray *out)
{
	const struct posix_kind *k = kind_of(be);
	g_autoptr(GHashTable) names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	g_autoptr(GArray) found = g_array_new(FALSE, FALSE, sizeof(struct found));
	struct seen seen = { names };
	guint base = out->len;
	int dirfd = k->dirfd(), r;

	if (dirfd < 0)
		return dirfd == -ENOENT ? 0 : dirfd;	/* no directory: no objects */
	g_array_set_clear_func(found, found_clear);
	r = c ? cred_enter_fs(c) : 0;
	if (!r)
		r = read_dir(be, dirfd, out, found, names);
	if (c)
		cred_leave_fs();
	if (r) {
		g_array_set_size(out, base);
		return r;
	}
	for (guint i = found->len; k->fill && i-- > 0;) {
		const struct found *f = &g_array_index(found, struct found, i);

		if (k->fill(&g_array_index(out, struct ipcfs_obj, base + i), dirfd, f->file, &f->st))
			g_array_remove_index(out, base + i);	/* gone meanwhile */
	}
	/* Names of objects gone since are forgotten: a table never holds
	 * more than the objects of the last listing and those looked up
	 * since. */
	names_sweep(posix_names_of(be), was_seen, &seen);
	return 0;
}

int posix_stat(const struct ipcfs_backend *be, struct ipcfs_cred *c, ipcfs_id id,
	       struct ipcfs_obj *out)
{
	const struct posix_kind *k = kind_of(be);
	char file[IPCFS_NAME_MAX];
	int dirfd = k->dirfd();

	(void)c;	/* a stat tells what search permission does (stat_head) */
	if (dirfd < 0)
		return dirfd;
	if (posix_file_of(be, id, file, sizeof(file)))
		return -ENOENT;
	return stat_file(be, dirfd, file, id, out);
}

struct exists {
	int dirfd;
	const char *prefix;
};

static bool file_exists(const char *name, void *ctx)
{
	const struct exists *e = ctx;
	g_autofree char *file = g_strconcat(e->prefix, name, NULL);
	struct stat st;

	return !fstatat(e->dirfd, file, &st, AT_SYMLINK_NOFOLLOW);
}

int posix_resolve(const struct ipcfs_backend *be, struct ipcfs_cred *c, const char *name,
		  ipcfs_id *id, bool *alias)
{
	const struct posix_kind *k = kind_of(be);
	struct posix_names *t = posix_names_of(be);
	char file[IPCFS_NAME_MAX];
	struct ipcfs_obj o;
	int dirfd = k->dirfd(), r;

	if (dirfd < 0)
		return dirfd;
	r = posix_name_check(k->prefix, name);
	if (r)
		return r == -ENAMETOOLONG ? r : -ENOENT;	/* as a lookup in /dev/shm */
	snprintf(file, sizeof(file), "%s%s", k->prefix, name);
	/* Only names of objects that exist enter the table. */
	if (stat_file(be, dirfd, file, 0, &o))
		return -ENOENT;
	g_mutex_lock(&t->lock);
	names_init(t);
	if (g_hash_table_size(t->ids) >= POSIX_NAMES_TRIM) {
		struct exists e = { dirfd, k->prefix };

		g_mutex_unlock(&t->lock);
		names_sweep_slow(t, file_exists, &e);
	} else {
		g_mutex_unlock(&t->lock);
	}
	(void)c;	/* as stat */
	*alias = false;
	return posix_name_new_id(t, name, id);
}

void posix_objname(const struct ipcfs_backend *be, const struct ipcfs_obj *o, char *buf,
		   size_t size)
{
	if (posix_id_name(posix_names_of(be), (ipcfs_id)o->id, buf, size))
		g_strlcpy(buf, "", size);
}

/* A label value, escaped as the exposition format wants: \\, \" and \n. */
void posix_labels(const struct ipcfs_backend *be, const struct ipcfs_obj *o, GString *out)
{
	char name[IPCFS_NAME_MAX];

	posix_objname(be, o, name, sizeof(name));
	g_string_append(out, "name=\"");
	format_label_value(out, name);
	g_string_append_c(out, '"');
}

bool posix_same(const struct ipcfs_backend *be, const struct ipcfs_obj *was,
		const struct ipcfs_obj *now)
{
	(void)be;
	return IPCFS_NUMS(struct posix_head, was)->ino == IPCFS_NUMS(struct posix_head, now)->ino;
}

int posix_parse_mkdir(const struct ipcfs_backend *be, const char *name, mode_t mode,
		      struct ipcfs_create_args *args)
{
	const struct posix_kind *k = kind_of(be);
	int r = posix_name_check(k->prefix, name);

	if (r)
		return r;
	memset(args, 0, sizeof(*args));
	g_strlcpy(args->name, name, sizeof(args->name));
	/* Execute bits mean nothing here either: mkdir's 0755 makes 0644. */
	args->mode = mode & 0666;
	args->param = k->default_param ? *k->default_param : 0;
	return 0;
}

/* What to do to an object's file, as the caller. */
struct file_op {
	enum { OP_ACCESS, OP_SET, OP_REMOVE, OP_OPEN } op;
	int flags;		/* OP_ACCESS: R_OK|W_OK; OP_OPEN: openat flags */
	unsigned what;		/* OP_SET: IPCFS_SET_* */
	uid_t uid;
	gid_t gid;
	mode_t mode;
};

/* An O_PATH descriptor of the name (file_openat: nothing followed,
 * nothing mounted over it), only if it is a regular file of the
 * directory's filesystem: the fd, or -errno. */
static int path_of(int dirfd, const char *file)
{
	struct stat st;
	int fd = open_name(dirfd, file, O_PATH);

	if (fd >= 0 && (fstat(fd, &st) || !on_dir_fs(dirfd, &st))) {
		close(fd);
		fd = -ENOENT;
	}
	return fd;
}

/*
 * chmod and chown of the file itself, through its O_PATH descriptor, as
 * the caller: fchownat(AT_EMPTY_PATH), and chmod of /proc/self/fd/N (the
 * daemon's own descriptor's magic link; chmod has no AT_EMPTY_PATH in this
 * glibc).  An access(2) question is answered on the same descriptor.
 */
static int set_file(int dirfd, const char *file, const struct file_op *f)
{
	char path[64];
	int fd = path_of(dirfd, file), r = 0;

	if (fd < 0)
		return fd;
	if ((f->what & (IPCFS_SET_UID | IPCFS_SET_GID)) &&
	    fchownat(fd, "", (f->what & IPCFS_SET_UID) ? f->uid : (uid_t)-1,
		     (f->what & IPCFS_SET_GID) ? f->gid : (gid_t)-1, AT_EMPTY_PATH))
		r = -errno;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (!r && (f->what & IPCFS_SET_MODE) && chmod(path, f->mode))
		r = -errno;
	close(fd);
	return r;
}

static int access_file(int dirfd, const char *file, int mode)
{
	int fd = path_of(dirfd, file), r;

	if (fd < 0)
		return fd;
	r = faccessat(fd, "", mode, AT_EACCESS | AT_EMPTY_PATH) ? -errno : 0;
	close(fd);
	return r;
}

static int do_op(int dirfd, const char *file, const struct file_op *f)
{
	switch (f->op) {
	case OP_ACCESS:
		return access_file(dirfd, file, f->flags);
	case OP_SET:
		return set_file(dirfd, file, f);
	case OP_REMOVE:
		/* One name, not followed; a mount point is EBUSY. */
		return unlinkat(dirfd, file, 0) ? -errno : 0;
	case OP_OPEN:
		return posix_open_file(dirfd, file, f->flags);
	}
	return -EINVAL;
}

/* Do `f` to object id's file with the thread running as the caller, so
 * that the kernel decides.  0 (an fd for OP_OPEN), or -errno. */
static int as_caller(const struct ipcfs_backend *be, struct ipcfs_cred *c, ipcfs_id id,
		     const struct file_op *f)
{
	char file[IPCFS_NAME_MAX];
	int dirfd = kind_of(be)->dirfd(), r;

	if (dirfd < 0)
		return dirfd;
	if (posix_file_of(be, id, file, sizeof(file)))
		return -ENOENT;
	r = cred_enter_fs(c);
	if (!r)
		r = do_op(dirfd, file, f);
	cred_leave_fs();
	return r;
}

int posix_access(const struct ipcfs_backend *be, struct ipcfs_cred *c, const struct ipcfs_obj *o,
		 int want)
{
	struct file_op f = { .op = OP_ACCESS, .flags = ((want & IPCFS_R) ? R_OK : 0) |
						       ((want & IPCFS_W) ? W_OK : 0) };
	int r;

	if (!want)
		return 0;
	r = as_caller(be, c, (ipcfs_id)o->id, &f);
	return r == -EPERM ? -EACCES : r;
}

int posix_owner(const struct ipcfs_backend *be, struct ipcfs_cred *c, const struct ipcfs_obj *o)
{
	(void)be, (void)c, (void)o;
	return 0;
}

int posix_set(const struct ipcfs_backend *be, struct ipcfs_cred *c, ipcfs_id id, unsigned what,
	      uid_t uid, gid_t gid, mode_t mode)
{
	struct file_op f = { .op = OP_SET, .what = what, .uid = uid, .gid = gid, .mode = mode };

	return as_caller(be, c, id, &f);
}

int posix_remove(const struct ipcfs_backend *be, struct ipcfs_cred *c, ipcfs_id id)
{
	struct file_op f = { .op = OP_REMOVE };

	return as_caller(be, c, id, &f);
}

int posix_open_as(const struct ipcfs_backend *be, struct ipcfs_cred *c, ipcfs_id id, int flags)
{
	struct file_op f = { .op = OP_OPEN, .flags = flags };

	return as_caller(be, c, id, &f);
}

/* Read the first `len` bytes of the object's file, opened as the caller
 * (the open is the check) and checked to be the object `o` described. */
int posix_read_as(const struct ipcfs_backend *be, struct ipcfs_cred *c, const struct ipcfs_obj *o,
		  void *buf, size_t len)
{
	struct stat st;
	ssize_t n;
	int fd = posix_open_as(be, c, (ipcfs_id)o->id, O_RDONLY | O_NONBLOCK);

	if (fd < 0)
		return fd;
	if (fstat(fd, &st) || (int64_t)st.st_ino != IPCFS_NUMS(struct posix_head, o)->ino) {
		close(fd);
		return -ENOENT;
	}
	n = pread(fd, buf, len, 0);
	close(fd);
	return n == (ssize_t)len ? 0 : n < 0 ? -errno : -EINVAL;
}

/* ---- /dev/shm: posix/shm's and posix/sem's directory ----
 *
 * shm_open() and glibc's sem_open() have no namespace of their own: they
 * open files in /dev/shm, so a container's objects are those of the tmpfs
 * on its /dev/shm, which the host reaches through /proc/PID/root, PID
 * taken from ns=/proc/PID/ns/ipc (in ns/<inode>/: a process of that
 * namespace).  Any other ns= path names no process, hence no /dev/shm.
 *
 * A user owns the mount namespaces they make (`unshare -Urm`), and what
 * is at their /dev/shm is theirs to choose: a symlink to any path, a bind
 * mount of a directory they may not read, the whole of a tmpfs of the
 * host's (/run, /run/user/UID).  Yet root acting under ns/<inode>/posix/
 * (rmdir, chmod) acts there.  So the directory is used only if:
 *
 *   - it is found from the process's root without following anything
 *     (openat2 RESOLVE_BENEATH|NO_SYMLINKS|NO_MAGICLINKS; mount points are
 *     crossed, since /dev and /dev/shm are mounts);
 *   - it is a tmpfs mounted whole there: the root of a mount (statx
 *     STATX_ATTR_MOUNT_ROOT) whose root in its superblock is "/" (the
 *     process's mountinfo), not a bind mount of a subdirectory;
 *   - and, in a mount namespace a user made (owned by a user namespace
 *     other than the daemon's), it is either the tmpfs the daemon's own
 *     /dev/shm is, or a tmpfs mounted nowhere in the daemon's mount
 *     namespace: one the container made, not a host filesystem it bound.
 *
 * Otherwise the namespace's posix/shm and posix/sem are empty, and
 * ns/<inode>/info says why.  A directory found good is kept (a container
 * cannot change what an open descriptor is); one found bad is looked at
 * again at the next use.
 */
static GMutex devshm_lock;	/* a leaf (order: fs/ipcfs.h) */
static int devshm_fd = -1;

/* Undo mountinfo's octal escapes (\040 for a space ...) in place. */
static void mountinfo_unescape(char *s)
{
	char *w = s;

	for (char *r = s; *r; r++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
		    r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)((r[1] - '0') << 6 | (r[2] - '0') << 3 | (r[3] - '0'));
			r += 3;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
}

int posix_mountinfo_parse(char *line, struct posix_mountinfo *out)
{
	char *f[6], *save = NULL, *w;
	int n = 0;

	memset(out, 0, sizeof(*out));
	/* id parent major:minor root point options [optional...] - fstype ... */
	for (w = strtok_r(line, " \n", &save); w && n < 6; w = strtok_r(NULL, " \n", &save))
		f[n++] = w;
	if (n < 6)
		return -EINVAL;
	while (w && strcmp(w, "-"))
		w = strtok_r(NULL, " \n", &save);
	if (!w || !(w = strtok_r(NULL, " \n", &save)))
		return -EINVAL;
	if (sscanf(f[0], "%" SCNu64, &out->id) != 1 ||
	    sscanf(f[2], "%u:%u", &out->major, &out->minor) != 2)
		return -EINVAL;
	mountinfo_unescape(f[3]);
	mountinfo_unescape(f[4]);
	out->root = f[3];
	out->point = f[4];
	out->fstype = w;
	return 0;
}

/* Every line of a mountinfo text for which fn(line, ctx) is asked, until
 * it says true: that line, or false. */
static bool mountinfo_any(const char *text, bool (*fn)(const struct posix_mountinfo *m, void *ctx),
			  void *ctx, struct posix_mountinfo *out, GString *scratch)
{
	for (const char *line = text; line && *line;) {
		const char *nl = strchr(line, '\n');

		g_string_assign(scratch, "");
		g_string_append_len(scratch, line, nl ? nl - line : (gssize)strlen(line));
		if (!posix_mountinfo_parse(scratch->str, out) && fn(out, ctx))
			return true;
		line = nl ? nl + 1 : NULL;
	}
	return false;
}

static bool mount_is(const struct posix_mountinfo *m, void *ctx)
{
	return m->id == *(const uint64_t *)ctx;
}

/* A mount of superblock `dev` elsewhere than a whole tmpfs at /dev/shm. */
static bool mount_elsewhere(const struct posix_mountinfo *m, void *ctx)
{
	dev_t dev = *(const dev_t *)ctx;

	return makedev(m->major, m->minor) == dev &&
	       (strcmp(m->point, "/dev/shm") || strcmp(m->root, "/"));
}

/* Is the mount namespace of the process at procfd owned by a user
 * namespace other than the daemon's (made by a user, not by root)?
 * True when it cannot be told. */
static bool made_by_a_user(int procfd)
{
	struct stat st;
	int ns = openat(procfd, "ns/mnt", O_RDONLY | O_NOCTTY | O_CLOEXEC), u;
	bool user = true;

	if (ns < 0)
		return true;
	u = ioctl(ns, NS_GET_USERNS);
	close(ns);
	if (u >= 0) {
		user = fstat(u, &st) || (uint64_t)st.st_ino != userns_daemon();
		close(u);
	}
	return user;
}

/* May the directory fd, the /dev/shm of the process at procfd, be used?
 * 0, or -ENOENT with why. */
static int devshm_judge(int procfd, int fd, char *why, size_t size)
{
	g_autofree char *mine = NULL, *host = NULL;
	g_autoptr(GString) scratch = g_string_new(NULL);
	struct posix_mountinfo m;
	struct statfs fs;
	struct statx x;
	uint64_t id;
	dev_t dev;

	if (fstatfs(fd, &fs) || fs.f_type != TMPFS_MAGIC) {
		snprintf(why, size, "/dev/shm is not a tmpfs");
		return -ENOENT;
	}
	if (statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &x) || !(x.stx_mask & STATX_MNT_ID) ||
	    !(x.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT)) {
		snprintf(why, size, "cannot tell what is mounted at /dev/shm (statx)");
		return -ENOENT;
	}
	if (!(x.stx_attributes & STATX_ATTR_MOUNT_ROOT)) {
		snprintf(why, size, "/dev/shm is a directory, not a tmpfs mounted there");
		return -ENOENT;
	}
	id = x.stx_mnt_id;
	mine = file_read_at(procfd, "mountinfo", FILE_MOUNTINFO_MAX, NULL);
	if (!mine || !mountinfo_any(mine, mount_is, &id, &m, scratch)) {
		snprintf(why, size, "/dev/shm is not in its mountinfo");
		return -ENOENT;
	}
	if (strcmp(m.root, "/") || strcmp(m.fstype, "tmpfs")) {
		snprintf(why, size, "/dev/shm is a bind mount of %.80s of a %.20s, not a whole tmpfs",
			 m.root, m.fstype);
		return -ENOENT;
	}
	if (!made_by_a_user(procfd))
		return 0;
	dev = makedev(x.stx_dev_major, x.stx_dev_minor);
	host = file_read("/proc/self/mountinfo", FILE_MOUNTINFO_MAX, NULL);
	if (!host) {
		snprintf(why, size, "cannot read the daemon's own mountinfo");
		return -ENOENT;
	}
	if (mountinfo_any(host, mount_elsewhere, &dev, &m, scratch)) {
		snprintf(why, size, "/dev/shm is the host's tmpfs at %.100s, bound by a user", m.point);
		return -ENOENT;
	}
	return 0;
}

/* The /dev/shm of process pid (in IPC namespace ipc_ino, unless 0), by the
 * rules above: the directory fd, or -errno with why. */
static int devshm_of(pid_t pid, uint64_t ipc_ino, char *why, size_t size)
{
	char path[64];
	struct stat st;
	int procfd, rootfd, fd = -ENOENT, r;

	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	procfd = file_open(path, O_PATH | O_DIRECTORY);
	if (procfd < 0) {
		snprintf(why, size, "its process %d is gone", (int)pid);
		return -ENOENT;
	}
	if (ipc_ino && (fstatat(procfd, "ns/ipc", &st, 0) || (uint64_t)st.st_ino != ipc_ino)) {
		snprintf(why, size, "its process %d is gone", (int)pid);
		goto out;
	}
	/* The process's root: a magic link, followed on purpose, once. */
	rootfd = openat(procfd, "root", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0) {
		snprintf(why, size, "cannot open the root of process %d: %s", (int)pid,
			 g_strerror(errno));
		goto out;
	}
	fd = file_openat(rootfd, "dev/shm", O_RDONLY | O_DIRECTORY, 0, false);
	close(rootfd);
	if (fd < 0) {
		/* (O_DIRECTORY and O_NOFOLLOW make a symlink ENOTDIR or ELOOP.) */
		snprintf(why, size, "%s", fd == -ELOOP || fd == -ENOTDIR ?
			 "/dev or /dev/shm is a symlink, or not a directory" :
			 fd == -ENOENT ? "it has no /dev/shm" : g_strerror(-fd));
		fd = -ENOENT;
		goto out;
	}
	r = devshm_judge(procfd, fd, why, size);
	if (r) {
		close(fd);
		fd = r;
	}
out:
	close(procfd);
	return fd;
}

/* The daemon's own /dev/shm, or that of the process ns= names. */
static int devshm_open(char *why, size_t size)
{
	const char *ns = ipcfs_opts.ns;
	struct statfs fs;
	int pid, end = 0, fd;

	if (ns && strcmp(ns, "/proc/self/ns/ipc") && strcmp(ns, "/proc/thread-self/ns/ipc")) {
		if (sscanf(ns, "/proc/%d/ns/ipc%n", &pid, &end) == 1 && !ns[end] && pid > 0)
			return devshm_of(pid, 0, why, size);
		snprintf(why, size, "ns= names no process");
		return -ENOENT;
	}
	/* The administrator's own mount namespace. */
	fd = file_open("/dev/shm", O_RDONLY | O_DIRECTORY);
	if (fd < 0) {
		snprintf(why, size, "/dev/shm: %s", g_strerror(-fd));
		return fd;
	}
	if (fstatfs(fd, &fs) || fs.f_type != TMPFS_MAGIC) {
		close(fd);
		snprintf(why, size, "/dev/shm is not a tmpfs");
		return -ENOENT;
	}
	return fd;
}

/* In ns/<inode>/: made when first used (without the namespace table's
 * lock), kept while the namespace is; NULL (nothing kept) when refused. */
static void *devshm_ns_make(void *arg)
{
	char why[160];
	int fd, *p;

	fd = devshm_of(ipcfs_ns_pid(arg), ipcfs_ns_inode(arg), why, sizeof(why));
	if (fd < 0) {
		log_dbg("ns %" G_GUINT64_FORMAT ": no posix/shm, posix/sem: %s",
			ipcfs_ns_inode(arg), why);
		return NULL;
	}
	p = g_new(int, 1);
	*p = fd;
	return p;
}

int posix_devshm_dirfd(void)
{
	char why[160];
	int r;

	if (ipcfs_ns_current())
		return posix_ns_dirfd(&devshm_fd, devshm_ns_make);
	g_mutex_lock(&devshm_lock);
	if (devshm_fd < 0) {
		r = devshm_open(why, sizeof(why));
		if (r >= 0)
			devshm_fd = r;
	} else {
		r = devshm_fd;
	}
	g_mutex_unlock(&devshm_lock);
	return r;
}

void posix_devshm_info(const struct ipcfs_backend *be, GString *out)
{
	struct ipcfs_ns *ns = ipcfs_ns_current();
	char why[160] = "";
	int fd;

	if (!ns) {
		g_mutex_lock(&devshm_lock);
		fd = devshm_fd >= 0 ? devshm_fd : devshm_open(why, sizeof(why));
		if (fd >= 0 && devshm_fd < 0)
			devshm_fd = fd;
		g_mutex_unlock(&devshm_lock);
	} else if (ipcfs_ns_data(ns, &devshm_fd, NULL, NULL, NULL)) {
		fd = 0;	/* in use */
	} else {
		fd = devshm_of(ipcfs_ns_pid(ns), ipcfs_ns_inode(ns), why, sizeof(why));
		if (fd >= 0)
			close(fd);
	}
	if (fd >= 0)
		g_string_append_printf(out, "%s: /dev/shm (a tmpfs mounted whole there)\n",
				       ipcfs_kind_path(be));
	else
		g_string_append_printf(out, "%s: none: %s\n", ipcfs_kind_path(be), why);
}

/* At start: the one moment the directory is sure to be there, since
 * whatever process ns= names may die. */
int posix_devshm_init(const struct ipcfs_backend *be)
{
	static gsize said;
	char why[160] = "";
	int r;

	(void)be;
	g_mutex_lock(&devshm_lock);
	r = devshm_fd >= 0 ? devshm_fd : devshm_open(why, sizeof(why));
	if (r >= 0)
		devshm_fd = r;
	g_mutex_unlock(&devshm_lock);
	if (r < 0 && ipcfs_opts.ns && g_once_init_enter(&said)) {
		log_err("ns=%s: no usable /dev/shm of that namespace's processes (%s); posix/shm "
			"and posix/sem are empty", ipcfs_opts.ns, why);
		g_once_init_leave(&said, 1);
	}
	return 0;
}

void posix_devshm_close(const struct ipcfs_backend *be)
{
	(void)be;
	g_mutex_lock(&devshm_lock);
	if (devshm_fd >= 0)
		close(devshm_fd);
	devshm_fd = -1;
	g_mutex_unlock(&devshm_lock);
}
