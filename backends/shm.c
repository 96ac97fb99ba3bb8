// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * shm.c - System V shared memory segments.
 *
 *   shm/<shmid>/data       the segment's bytes, read and written through one
 *                          shared view (shmview.h); an open file holds no
 *                          attachment, except where no view can be made
 *   shm/<shmid>/attached   PID COMMAND of every process that has it attached,
 *                          as far as the reader may see (then "hidden N")
 *   shm/<shmid>/info, key, size, nattch, ...   the attribute rows below
 *
 *   $ echo hello | dd of=shm/32769/data conv=notrunc
 *   $ head -c 5 shm/32769/data
 *   hello
 */
#include "sysv.h"
#include "shmview.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/shm.h>
#include <unistd.h>

static struct {
	char *size;	/* shm_size= */
	char *linger;	/* shm_linger= */
} shm_optv;
/* mkdir's size, for segments and for POSIX shared memory objects (shmview.h). */
uint64_t shm_size;

static int shm_stat_any(int idx, struct ipcfs_obj *o)
{
	struct shmid_ds ds;
	int id = shmctl(idx, SHM_STAT_ANY, &ds);

	if (id < 0)
		return -errno;
	ipc_fill_perm(o, id, &ds.shm_perm);
	SHM(o)->size = (int64_t)ds.shm_segsz;
	SHM(o)->nattch = (int64_t)ds.shm_nattch;
	SHM(o)->cpid = ds.shm_cpid;
	SHM(o)->lpid = ds.shm_lpid;
	SHM(o)->atime = ds.shm_atime;
	SHM(o)->dtime = ds.shm_dtime;
	SHM(o)->ctime = ds.shm_ctime;
	SHM(o)->dest = !!(ds.shm_perm.mode & SHM_DEST);
	SHM(o)->locked = !!(ds.shm_perm.mode & SHM_LOCKED);
	SHM(o)->passthrough = ipcfs_passthrough_on();
	ipc_dir_times(o, ds.shm_atime, MAX(ds.shm_atime, ds.shm_dtime), ds.shm_ctime);
	return id;
}

static int shm_max_index(void)
{
	struct shm_info info;
	int max = shmctl(0, SHM_INFO, (struct shmid_ds *)(void *)&info);

	return max < 0 ? -errno : max;
}

static int shm_find_key(key_t key)
{
	/* With size 0 and no flags the kernel checks nothing but the key. */
	int id = shmget(key, 0, 0);

	return id < 0 ? -errno : id;
}

static int shm_create(const struct ipcfs_backend *be, const struct ipcfs_create_args *args,
		      ipcfs_id *id)
{
	int r;

	(void)be;
	if (args->param > SIZE_MAX)
		return -EINVAL;
	r = shmget(args->key, (size_t)args->param, IPC_CREAT | IPC_EXCL | (int)args->mode);
	if (r < 0)
		return -errno;
	*id = (ipcfs_id)r;
	return 0;
}

static int shm_remove(const struct ipcfs_backend *be, struct ipcfs_cred *c, ipcfs_id id)
{
	(void)be, (void)c;	/* checked by fs/ with sysv_owner */
	if (shmctl(id, IPC_RMID, NULL))
		return sysv_errno(errno, SYSV_BY_PATH);
	shmview_forget(id);	/* keep no memory of it alive */
	return 0;
}

/* `what` does not matter: IPC_SET sets all three, owner checked by fs/. */
static int shm_set(const struct ipcfs_backend *be, struct ipcfs_cred *c, ipcfs_id id, unsigned what,
	   uid_t uid, gid_t gid, mode_t mode)
{
	struct shmid_ds ds;
	int r;

	(void)be, (void)what;
	r = sysv_ids_settable(c, uid, gid);
	if (r)
		return r;
	if (shmctl(id, IPC_STAT, &ds))
		return sysv_errno(errno, SYSV_BY_PATH);
	ds.shm_perm.uid = uid;
	ds.shm_perm.gid = gid;
	ds.shm_perm.mode = (unsigned short)mode;
	return shmctl(id, IPC_SET, &ds) ? sysv_errno(errno, SYSV_BY_PATH) : 0;
}

/* ---- data: the segment itself ---- */

/* One open `data`: the shared view it reads and writes through, or, where
 * there is none, an attachment of its own.  With a view, the segment's
 * memory file goes to fs/ as the open's backing file (FUSE passthrough:
 * the kernel maps it, and reads it for read-only opens). */
struct shm_map {
	char *attach;		/* NULL unless there is no view */
	char *addr;
	size_t size;
	struct shm_view *view;
};

/*
 * The attachments the daemon holds (id -> how many): only opens without a
 * view hold one, and `attached` lists the daemon exactly while it does,
 * as nattch counts it.  Under its own lock, taken with no other.
 */
static GMutex held_lock;	/* a leaf (order: fs/ipcfs.h) */
static GHashTable *held;

static void *held_make(void *arg)
{
	(void)arg;
	return g_hash_table_new(g_direct_hash, g_direct_equal);
}

/* The table of the namespace the thread acts in (ids are per namespace):
 * ns/<inode>/ has one of its own.  held_lock held. */
static GHashTable *held_table(bool make)
{
	struct ipcfs_ns *ns = ipcfs_ns_current();

	if (ns)
		return ipcfs_ns_data(ns, &held, make ? held_make : NULL, NULL,
				     (GDestroyNotify)g_hash_table_destroy);
	if (!held && make)
		held = held_make(NULL);
	return held;
}

static void held_add(int id, int delta)
{
	gpointer key = GINT_TO_POINTER(id);
	GHashTable *t;
	int n;

	g_mutex_lock(&held_lock);
	t = held_table(true);
	n = GPOINTER_TO_INT(g_hash_table_lookup(t, key)) + delta;
	if (n > 0)
		g_hash_table_insert(t, key, GINT_TO_POINTER(n));
	else
		g_hash_table_remove(t, key);
	g_mutex_unlock(&held_lock);
}

static bool held_any(int id)
{
	GHashTable *t;
	bool any;

	g_mutex_lock(&held_lock);
	t = held_table(false);
	any = t && g_hash_table_lookup(t, GINT_TO_POINTER(id));
	g_mutex_unlock(&held_lock);
	return any;
}

static int data_getattr(const struct ipcfs_obj *o, uint64_t sub, struct stat *st)
{
	(void)sub;
	st->st_mode = S_IFREG | (o->mode & 0666);
	st->st_size = SHM(o)->size;
	st->st_blocks = (SHM(o)->size + 511) / 512;
	return 0;
}

static int data_open(struct ipcfs_fh *fh, const struct ipcfs_obj *o)
{
	struct shm_map *m;
	bool rdonly = (fh->flags & O_ACCMODE) == O_RDONLY;
	/* Attached only while the view is found (or checked): an open file
	 * must not count in nattch, or a program that asks the kernel whether
	 * anyone still uses its segment (PostgreSQL after a crash) hears yes
	 * for as long as someone has `data` open. */
	void *addr = shmat(fh->id, NULL, rdonly ? SHM_RDONLY : 0);

	if (addr == (void *)-1)
		return sysv_errno(errno, SYSV_BY_PATH);
	m = g_new0(struct shm_map, 1);
	m->size = (size_t)SHM(o)->size;
	m->view = shmview_get(o, addr, &fh->backing_fd);
	if (m->view->addr) {
		shmdt(addr);
		m->addr = m->view->addr;
	} else {
		/* No view: the attachment is the only way to the memory. */
		m->attach = m->addr = addr;
		held_add(fh->id, 1);
	}
	fh->priv = m;
	return 0;
}

static int data_read(struct ipcfs_call *call, struct ipcfs_fh *fh, size_t size, off_t off,
		     struct ipcfs_result *res)
{
	struct shm_map *m = fh->priv;

	(void)call;
	if (off < 0 || (uint64_t)off >= m->size)
		return 0;
	/* Straight from the segment: one copy, done by the kernel. */
	res->data = m->addr + off;
	res->size = MIN(size, m->size - (size_t)off);
	return 0;
}

/* Reading a byte every 64 KiB first makes a fresh view writable in a
 * sixteenth of the faults: a read fault maps the pages around it that are
 * in memory (fault-around, 64 KiB), writable since shared memory needs no
 * dirty tracking, where a write fault maps only its own page.  Measured:
 * 1 GiB into a fresh view, 0.19 s instead of 0.5; on mapped pages it costs
 * nothing. */
static void prefault(const char *p, size_t size)
{
	for (size_t i = 0; i < size; i += 64 << 10)
		(void)*(const volatile char *)(p + i);
}

static int data_write(struct ipcfs_call *call, struct ipcfs_fh *fh, const struct ipcfs_obj *o,
		      const char *buf, size_t size, off_t off, struct ipcfs_result *res)
{
	struct shm_map *m = fh->priv;

	(void)call, (void)o, (void)res;	/* a MAPPED row: checked at open, as shmat is */
	/* All or nothing: a write that does not fit changes no byte. */
	if (off < 0 || (uint64_t)off > m->size || size > m->size - (size_t)off)
		return -EFBIG;
	if (m->view->addr)
		prefault(m->addr + off, size);
	memcpy(m->addr + off, buf, size);
	return 0;
}

static void data_release(struct ipcfs_fh *fh)
{
	struct shm_map *m = fh->priv;

	if (m) {
		if (m->attach) {
			shmdt(m->attach);
			held_add(fh->id, -1);
		}
		shmview_put(m->view);
		g_free(m);
		fh->priv = NULL;
	}
}

/*
 * Zeros from `from` to the end of a segment of `size` bytes: holes punched
 * in its memory file `fd` where there is one, so that the pages go back
 * to the system and nobody (the daemon least) is charged for zeros: every
 * mapping of the segment sees zero pages, and a reader of a hole gets
 * zeros without a page being made.  A locked segment (SHM_LOCK) keeps its
 * pages, and where the file cannot punch (or there is no file) the zeros
 * are written through `addr`.
 */
static void zero_from(int fd, bool locked, char *addr, size_t size, size_t from)
{
	if (from >= size)
		return;
	if (fd >= 0 && !locked &&
	    !fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)from,
		       (off_t)(size - from)))
		return;
	memset(addr + from, 0, size - from);
}

/* Truncation zero-fills from `size` to the end of the memory the open
 * file has (by path too: fs/ opens one); the size never changes. */
static int data_truncate(ipcfs_id id, struct ipcfs_fh *fh, off_t size)
{
	struct shm_map *m = fh->priv;

	(void)id;
	if (size < 0 || (uint64_t)size > m->size)
		return -EFBIG;
	zero_from(fh->backing_fd, SHM(&fh->opened)->locked, m->addr, m->size, (size_t)size);
	return 0;
}

/* ---- attached: who has it mapped ---- */

/* Is process `pid` in the IPC namespace we serve?  Ids repeat across
 * namespaces, so a mapping of "our" shmid elsewhere is another segment. */
static bool same_ipc_ns(const char *pid, const struct stat *ours)
{
	char path[300];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%s/ns/ipc", pid);
	return !stat(path, &st) && st.st_ino == ours->st_ino && st.st_dev == ours->st_dev;
}

struct shm_users {
	int id;
	struct stat ours;	/* our IPC namespace */
	char self[24];
};

/* Does process `pid` have the segment attached?  The daemon only while it
 * holds an attachment (an open `data` with no view); its views are not. */
static bool shm_uses(const char *pid, void *ctx)
{
	const struct shm_users *u = ctx;

	if (!strcmp(pid, u->self))
		return held_any(u->id);
	return procs_maps(pid, 0, (uint64_t)u->id, " /SYSV") && same_ipc_ns(pid, &u->ours);
}

/* PID COMMAND of every process in our IPC namespace that has the segment
 * attached, under the `attached` rule (fs/procs.c). */
static int attached_text(const struct ipcfs_obj *o, uint64_t sub, struct ipcfs_cred *reader,
			 GString *out)
{
	struct shm_users u = { .id = (int)o->id };

	(void)sub;
	/* The thread's namespace: ns/<inode>/ acts in its own. */
	if (!SHM(o)->nattch || stat("/proc/thread-self/ns/ipc", &u.ours))
		return 0;	/* nobody: skip the scan */
	snprintf(u.self, sizeof(u.self), "%d", (int)getpid());
	return procs_text(reader, shm_uses, &u, out);
}

static const struct ipcfs_file shm_files[] = {
	{
		.name = "data",
		.mode = S_IFREG | 0666,
		.flags = IPCFS_FILE_MAPPED,
		.need_read = IPCFS_R,
		/* shmat() has no write-only mode: writing needs r and w. */
		.need_write = IPCFS_R | IPCFS_W,
		.getattr = data_getattr,
		.open = data_open,
		.read = data_read,
		.write = data_write,
		.release = data_release,
		.truncate = data_truncate,
	},
	{
		.name = "attached",
		.mode = S_IFREG | 0444,
		.text = attached_text,
	},
};

#define F(n, m, f, h) IPCFS_FIELD(n, m, f, h)
#define FN(n, m, f, h) IPCFS_FIELD_NUM(n, struct shm_nums, m, f, h)
static const struct ipcfs_field shm_fields[] = {
	F("id", id, IPCFS_FMT_DEC, NULL),
	F("key", key, IPCFS_FMT_KEY, NULL),
	FN("size", size, IPCFS_FMT_DEC, "Segment size in bytes."),
	FN("nattch", nattch, IPCFS_FMT_DEC, "Number of current attaches."),
	FN("cpid", cpid, IPCFS_FMT_DEC, NULL),
	FN("lpid", lpid, IPCFS_FMT_DEC, NULL),
	F("uid", uid, IPCFS_FMT_DEC, NULL),
	F("gid", gid, IPCFS_FMT_DEC, NULL),
	F("cuid", cuid, IPCFS_FMT_DEC, NULL),
	F("cgid", cgid, IPCFS_FMT_DEC, NULL),
	F("mode", mode, IPCFS_FMT_MODE, NULL),
	FN("atime", atime, IPCFS_FMT_TIME, "Last attach time, seconds since the epoch (0: never)."),
	FN("dtime", dtime, IPCFS_FMT_TIME, "Last detach time, seconds since the epoch (0: never)."),
	FN("ctime", ctime, IPCFS_FMT_TIME, "Last change time, seconds since the epoch."),
	FN("dest", dest, IPCFS_FMT_BOOL, "1 when removed and waiting for the last detach."),
	FN("locked", locked, IPCFS_FMT_BOOL, NULL),
	FN("passthrough", passthrough, IPCFS_FMT_BOOL, NULL),
	{ 0 }
};

static void shm_limits(GString *out)
{
	struct shminfo si;

	if (shmctl(0, IPC_INFO, (struct shmid_ds *)(void *)&si) < 0)
		return;
	g_string_append_printf(out, "shmmni: %lu\nshmmax: %lu\nshmall: %lu\nshmmin: %lu\n",
			       si.shmmni, si.shmmax, si.shmall, si.shmmin);
}

static void shm_summary(GString *out)
{
	struct shm_info info;

	if (shmctl(0, SHM_INFO, (struct shmid_ds *)(void *)&info) < 0)
		return;
	g_string_append_printf(out,
			       "shm_segments: %d\nshm_pages: %lu\nshm_pages_resident: %lu\n"
			       "shm_pages_swapped: %lu\n",
			       info.used_ids, info.shm_tot, info.shm_rss, info.shm_swp);
}

static const struct fuse_opt shm_opts[] = {
	{ "shm_size=%s", offsetof(typeof(shm_optv), size), 1 },
	{ "shm_linger=%s", offsetof(typeof(shm_optv), linger), 1 },
	FUSE_OPT_END
};

static int shm_opts_check(void)
{
	shm_size = (uint64_t)sysconf(_SC_PAGESIZE);
	if (shm_optv.size && (parse_u64(shm_optv.size, true, &shm_size) || !shm_size)) {
		fprintf(stderr, "ipcfs: shm_size=%s: want a size in bytes (K, M, G allowed)\n",
			shm_optv.size);
		return -EINVAL;
	}
	if (shm_optv.linger && parse_seconds(shm_optv.linger, &shmview_linger)) {
		fprintf(stderr, "ipcfs: shm_linger=%s: want seconds between 0 and 86400\n",
			shm_optv.linger);
		return -EINVAL;
	}
	return 0;
}

static void shm_shutdown(const struct ipcfs_backend *be)
{
	(void)be;
	shmview_shutdown();
}

static const struct sysv_kind shm_kind = {
	.find_key = shm_find_key,
	.new_has_param = true,
	.param_has_suffix = true,
	.default_param = &shm_size,
	.stat_any = shm_stat_any,
	.max_index = shm_max_index,
};

const struct ipcfs_backend shm_backend = {
	.name = "shm",
	.data = &shm_kind,
	SYSV_METHODS,
	.create = shm_create,
	.remove = shm_remove,
	.set = shm_set,
	.fields = shm_fields,
	.files = shm_files,
	.nfiles = G_N_ELEMENTS(shm_files),
	.opts = shm_opts,
	.opts_data = &shm_optv,
	.opts_check = shm_opts_check,
	.opts_help = "    -o shm_size=SIZE       size of a segment made by mkdir (K, M, G; one page)\n"
		     "    -o shm_linger=SECS     keep a segment mapped this long after its last\n"
		     "                           `data` closes (60; 0: unmap at once)\n",
	.shutdown = shm_shutdown,
	.limits = shm_limits,
	.summary = shm_summary,
};
