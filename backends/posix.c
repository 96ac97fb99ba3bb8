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
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/magic.h>
#include <sys/statfs.h>

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

int posix_id_name(struct posix_names *t, int id, char *buf, size_t size)
{
	int r = -ENOENT;

	g_mutex_lock(&t->lock);
	names_init(t);
	if (id >= 0 && (guint)id < t->names->len && t->names->pdata[id]) {
		g_strlcpy(buf, t->names->pdata[id], size);
		r = 0;
	}
	g_mutex_unlock(&t->lock);
	return r;
}

/* Forget the names for which keep() says no (their object is gone): their
 * ids are never handed out again. */
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

int posix_file_of(const struct ipcfs_backend *be, int id, char *buf, size_t size)
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

int posix_open_file(int dirfd, const char *file, int flags)
{
	struct stat st;
	int fd = openat(dirfd, file, flags | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return -errno;
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

/* Stat `file` into o, as object `id`: 0, or -ENOENT when it is not one of
 * the kind's (gone, not a regular file of the directory's filesystem,
 * skipped). */
static int stat_file(const struct ipcfs_backend *be, int dirfd, const char *file, int id,
		     struct ipcfs_obj *o)
{
	const struct posix_kind *k = kind_of(be);
	struct stat st;

	if (k->skip && k->skip(file))
		return -ENOENT;
	if (fstatat(dirfd, file, &st, AT_SYMLINK_NOFOLLOW) || !on_dir_fs(dirfd, &st))
		return -ENOENT;
	memset(o, 0, sizeof(*o));
	o->id = id;
	o->uid = o->cuid = st.st_uid;
	o->gid = o->cgid = st.st_gid;
	o->mode = st.st_mode & 0777;
	o->dir_atime = st.st_atime;
	o->dir_mtime = st.st_mtime;
	o->dir_ctime = st.st_ctime;
	IPCFS_NUMS(struct posix_head, o)->ino = (int64_t)st.st_ino;
	return k->fill ? k->fill(o, dirfd, file, &st) : 0;
}

struct seen {
	GHashTable *names;
};

static bool was_seen(const char *name, void *ctx)
{
	return g_hash_table_contains(((struct seen *)ctx)->names, name);
}

int posix_list(const struct ipcfs_backend *be, GArray *out)
{
	const struct posix_kind *k = kind_of(be);
	g_autoptr(GHashTable) names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	struct seen seen = { names };
	struct posix_names *names_t = posix_names_of(be);
	size_t plen = strlen(k->prefix);
	int dirfd = k->dirfd(), fd;
	struct dirent *de;
	DIR *dir;

	if (dirfd < 0)
		return dirfd;
	fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return -ENOMEM;
	}
	while ((de = readdir(dir))) {
		const char *name = de->d_name + plen;
		struct ipcfs_obj o;
		int id;

		if (strncmp(de->d_name, k->prefix, plen) || !posix_name_ok(k->prefix, name))
			continue;
		id = posix_name_id(names_t, name);
		if (id < 0 || stat_file(be, dirfd, de->d_name, id, &o))
			continue;
		g_array_append_val(out, o);
		g_hash_table_add(names, g_strdup(name));
	}
	closedir(dir);
	/* Names of objects gone since are forgotten: a table never holds
	 * more than the objects of the last listing and those looked up
	 * since. */
	names_sweep(names_t, was_seen, &seen);
	return 0;
}

int posix_stat(const struct ipcfs_backend *be, int id, struct ipcfs_obj *out)
{
	const struct posix_kind *k = kind_of(be);
	char file[IPCFS_NAME_MAX];
	int dirfd = k->dirfd();

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

int posix_resolve(const struct ipcfs_backend *be, const char *name, int *id, bool *alias)
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
		names_sweep(t, file_exists, &e);
	} else {
		g_mutex_unlock(&t->lock);
	}
	*id = posix_name_id(t, name);
	*alias = false;
	return *id < 0 ? *id : 0;
}

void posix_objname(const struct ipcfs_backend *be, const struct ipcfs_obj *o, char *buf,
		   size_t size)
{
	if (posix_id_name(posix_names_of(be), (int)o->id, buf, size))
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
		      struct ipcfs_create *args)
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

/*
 * chmod and chown of the file itself: through an O_PATH descriptor of
 * the name (never following a symlink put there meanwhile), checked to be
 * a regular file of the directory's filesystem, and changed through
 * /proc/self/fd (chmod has no AT_EMPTY_PATH) as the caller.
 */
static int set_file(int dirfd, const char *file, const struct file_op *f)
{
	char path[64];
	struct stat st;
	int fd = openat(dirfd, file, O_PATH | O_NOFOLLOW | O_CLOEXEC), r = 0;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !on_dir_fs(dirfd, &st))
		r = -ENOENT;
	if (!r && (f->what & (IPCFS_SET_UID | IPCFS_SET_GID)) &&
	    fchownat(fd, "", (f->what & IPCFS_SET_UID) ? f->uid : (uid_t)-1,
		     (f->what & IPCFS_SET_GID) ? f->gid : (gid_t)-1, AT_EMPTY_PATH))
		r = -errno;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (!r && (f->what & IPCFS_SET_MODE) && chmod(path, f->mode))
		r = -errno;
	close(fd);
	return r;
}

static int do_op(int dirfd, const char *file, const struct file_op *f)
{
	switch (f->op) {
	case OP_ACCESS:
		return faccessat(dirfd, file, f->flags, AT_EACCESS) ? -errno : 0;
	case OP_SET:
		return set_file(dirfd, file, f);
	case OP_REMOVE:
		return unlinkat(dirfd, file, 0) ? -errno : 0;
	case OP_OPEN:
		return posix_open_file(dirfd, file, f->flags);
	}
	return -EINVAL;
}

/* Do `f` to object id's file with the thread running as the caller, so
 * that the kernel decides.  0 (an fd for OP_OPEN), or -errno. */
static int as_caller(const struct ipcfs_backend *be, struct ipcfs_cred *c, int id,
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
	r = as_caller(be, c, (int)o->id, &f);
	return r == -EPERM ? -EACCES : r;
}

int posix_owner(const struct ipcfs_backend *be, struct ipcfs_cred *c, const struct ipcfs_obj *o)
{
	(void)be, (void)c, (void)o;
	return 0;
}

int posix_set(const struct ipcfs_backend *be, struct ipcfs_cred *c, int id, unsigned what,
	      uid_t uid, gid_t gid, mode_t mode)
{
	struct file_op f = { .op = OP_SET, .what = what, .uid = uid, .gid = gid, .mode = mode };

	return as_caller(be, c, id, &f);
}

int posix_remove(const struct ipcfs_backend *be, struct ipcfs_cred *c, int id)
{
	struct file_op f = { .op = OP_REMOVE };

	return as_caller(be, c, id, &f);
}

int posix_enter_create(struct ipcfs_cred *c)
{
	cred_leave();
	return cred_enter_fs(c);
}

int posix_open_as(const struct ipcfs_backend *be, struct ipcfs_cred *c, int id, int flags)
{
	struct file_op f = { .op = OP_OPEN, .flags = flags };

	return as_caller(be, c, id, &f);
}

/* ---- /dev/shm: posix/shm's and posix/sem's directory ----
 *
 * Opened once (at startup, before the daemon joins the served namespace)
 * and kept.  shm_open() and glibc's sem_open() have no namespace of their
 * own: they open files in /dev/shm, so a container's objects are those of
 * the tmpfs on its /dev/shm, which the host reaches as
 * /proc/PID/root/dev/shm, PID taken from ns=/proc/PID/ns/ipc (in
 * ns/<inode>/: a process of that namespace).  Any other ns= path names no
 * process, hence no /dev/shm: -ENOENT.
 */
static GMutex devshm_lock;
static int devshm_fd = -1;

/* The directory at path, if it is a tmpfs: a process's /dev/shm is the
 * process owner's to mount over (a user namespace's mount namespace), and
 * the daemon lists and stats there as root.  -errno, -ENOENT if not. */
static int devshm_at(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct statfs fs;

	if (fd < 0)
		return -errno;
	if (fstatfs(fd, &fs) || fs.f_type != TMPFS_MAGIC) {
		close(fd);
		log_err("%s is not a tmpfs: no POSIX objects there", path);
		return -ENOENT;
	}
	return fd;
}

static int devshm_open(void)
{
	const char *ns = ipcfs_opts.ns;
	char path[64];
	int pid, end = 0;

	if (!ns || !strcmp(ns, "/proc/self/ns/ipc") || !strcmp(ns, "/proc/thread-self/ns/ipc"))
		g_strlcpy(path, "/dev/shm", sizeof(path));
	else if (sscanf(ns, "/proc/%d/ns/ipc%n", &pid, &end) == 1 && !ns[end] && pid > 0)
		snprintf(path, sizeof(path), "/proc/%d/root/dev/shm", pid);
	else
		return -ENOENT;
	return devshm_at(path);
}

/* In ns/<inode>/: the /dev/shm of a process in that namespace (under the
 * namespace table's lock: only an open). */
static void *devshm_ns_make(void *arg)
{
	char path[64];
	int fd, *p;

	snprintf(path, sizeof(path), "/proc/%d/root/dev/shm", (int)ipcfs_ns_pid(arg));
	fd = devshm_at(path);
	if (fd < 0)
		return NULL;
	p = g_new(int, 1);
	*p = fd;
	return p;
}

int posix_devshm_dirfd(void)
{
	int r;

	if (ipcfs_ns_current())
		return posix_ns_dirfd(&devshm_fd, devshm_ns_make);
	g_mutex_lock(&devshm_lock);
	if (devshm_fd < 0) {
		r = devshm_open();
		if (r >= 0)
			devshm_fd = r;
	} else {
		r = devshm_fd;
	}
	g_mutex_unlock(&devshm_lock);
	return r;
}

/* Not an option check: the one moment the directory can be opened before
 * the daemon joins the namespace, and whatever process ns= names may die. */
int posix_devshm_check(void)
{
	static gsize said;
	int r = posix_devshm_dirfd();

	if (r < 0 && ipcfs_opts.ns && g_once_init_enter(&said)) {
		log_err("ns=%s: no /dev/shm of that namespace's processes (%s); posix/shm and "
			"posix/sem are empty (ns=/proc/PID/ns/ipc names one)", ipcfs_opts.ns,
			g_strerror(-r));
		g_once_init_leave(&said, 1);
	}
	return 0;
}

void posix_devshm_close(void)
{
	g_mutex_lock(&devshm_lock);
	if (devshm_fd >= 0)
		close(devshm_fd);
	devshm_fd = -1;
	g_mutex_unlock(&devshm_lock);
}
