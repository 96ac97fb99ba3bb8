// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pipes.c - pipes and FIFOs: every pipe some process holds, with its ends.
 *
 *   pipes/<ino>/                 an anonymous pipe, by its inode number
 *   pipes/<ino>@<maj>:<min>/     a FIFO, by its inode number and device
 *   pipes/by-path/<path>         -> ../<ino>@<maj>:<min>  (a FIFO by its path,
 *                                '/' written %2F: tmp%2Fjobs.fifo)
 *   pipes/<name>/info            ino, fifo, capacity, queued, readers, writers,
 *                                blocked_readers, blocked_writers, uid, gid,
 *                                mode (and path: for a FIFO); each a file too
 *   pipes/<name>/ends            PID COMMAND FD r|w|rw WAIT, one line per end
 *   pipes/<name>/peek            the bytes queued now, left in the pipe
 *   pipes/<name>/capacity        writable: F_SETPIPE_SZ, as the caller
 *
 *   $ yes | sleep 1000 &
 *   $ cat pipes/$(stat -Lc %i /proc/$!/fd/0)/ends
 *   4242 yes 1 w write           # the writer waits in write(2): the pipe is full
 *   4243 sleep 0 r -             # the reader does not read
 *
 * Pipes live in no IPC namespace and have no table: they are found by a
 * scan of /proc/PID/fd of every process (readlink: `pipe:[N]`, or a path
 * whose target is a FIFO), kept as one snapshot for a short while (SNAP_*)
 * and shared by every request.  A caller sees a pipe when the kernel would
 * let them read /proc/PID/fd of one process holding an end (ptrace-read:
 * asked of the kernel as the caller, faccessat of /proc/PID/fdinfo),
 * and a holder is in the IPC namespace acted in: the one the mount serves
 * at the top level, or ns/<inode>'s (so ns/metrics counts each
 * namespace's own; a pipe shared across namespaces shows in each).
 *
 * Looking must change nothing.  Opening a FIFO or /proc/PID/fd/N would
 * make the daemon a new reader or writer (a blocked open would complete, a
 * writer would not get EPIPE).  So the daemon never opens one: it takes a
 * duplicate of the holder's own open file (pidfd_getfd), which counts as
 * nothing new, asks its question (FIONREAD, F_GETPIPE_SZ, tee(2) for peek,
 * F_SETPIPE_SZ) without blocking, and closes it at once: while held, the
 * duplicate keeps that end open, so it is never held across anything that
 * can sleep.  Stat of a FIFO's path link never reaches its file system
 * (AT_STATX_DONT_SYNC): a hung NFS or this very mount would hang the scan.
 */
#include "pipes_parse.h"
#include "procfd.h"
#include "snapshot.h"
#include "stuck.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

/* FIFOs get ids from the top of the id space down (a pipe's id is its
 * inode number, which the kernel hands out from 1 up, 32 bits). */
#define FIFO_ID_MIN 0xf0000000u

struct pend {
	uint32_t pipe;		/* index in snap->pipes */
	uint32_t proc;		/* index in snap->procs */
	int32_t fd;
	uint8_t mode;		/* PIPES_END_R|W */
};

struct ppipe {
	ipcfs_id id;
	bool fifo;
	uint64_t ino;
	dev_t dev;
	uint32_t first, n;	/* its ends: snap->ends[first .. first + n) */
	uint32_t readers, writers;
	uint32_t path;		/* a FIFO's path: offset in snap->paths */
	int64_t uid, gid, mode, atime, mtime, ctime;
};

/* One scan of /proc: read-only once made, shared by reference
 * (snapshot.h). */
struct snap {
	struct snapshot base;
	GArray *pipes;		/* struct ppipe, sorted by id */
	GArray *ends;		/* struct pend, grouped by pipe */
	GArray *procs;		/* struct procfd_proc, the holders */
	GString *paths;
};

/* The kind's numbers. */
struct pipe_nums {
	int64_t ino;
	int64_t fifo;
	int64_t major, minor;
	int64_t capacity;
	int64_t queued;
	int64_t readers, writers;
	int64_t blocked_readers, blocked_writers;
};
IPCFS_NUMS_FIT(struct pipe_nums);
#define NUMS(o) IPCFS_NUMS(struct pipe_nums, o)

static struct {
	char *stuck;
} pipes_optv;
/* Since when each stuck pipe has been stuck (stuck.h). */
static struct stuck stuck = STUCK_INIT("ipcfs_pipes_stuck_seconds");

/* ---- the snapshot ---- */

/* The current snapshot; its lock also guards the FIFO ids (scan). */
static struct snapshot_cache cache;
static GHashTable *fifo_ids;	/* "ino@maj:min" -> id */
static uint32_t fifo_next = UINT32_MAX;

static void snap_free(struct snapshot *base)
{
	struct snap *s = (struct snap *)base;

	g_array_unref(s->pipes);
	g_array_unref(s->ends);
	g_array_unref(s->procs);
	g_string_free(s->paths, TRUE);
	g_free(s);
}

static void snap_unref(struct snap *s)
{
	snapshot_unref(s ? &s->base : NULL);
}
typedef struct snap snap;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(snap, snap_unref)

/* One end as the scan finds it, before the pipes are grouped. */
struct raw {
	uint64_t ino;
	dev_t dev;
	bool fifo;
	uint8_t mode;
	int32_t fd;
	uint32_t proc;
	uint32_t path;
	struct statx stx;	/* of the pipe, for the first end of each */
	bool has_stx;
};

static int raw_cmp(gconstpointer a, gconstpointer b)
{
	const struct raw *x = a, *y = b;

	if (x->fifo != y->fifo)
		return x->fifo ? 1 : -1;
	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	if (x->has_stx != y->has_stx)
		return x->has_stx ? -1 : 1;	/* the end with the attributes first */
	if (x->proc != y->proc)
		return x->proc < y->proc ? -1 : 1;
	return x->fd - y->fd;
}

static int pipe_cmp(gconstpointer a, gconstpointer b)
{
	const struct ppipe *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* The device of pipefs, where every anonymous pipe is (one pipe of our
 * own, once). */
static dev_t pipefs_dev(void)
{
	static gsize once;
	static dev_t dev;

	if (g_once_init_enter(&once)) {
		int p[2];
		struct stat st;

		if (!pipe2(p, O_CLOEXEC)) {
			if (!fstat(p[0], &st))
				dev = st.st_dev;
			close(p[0]);
			close(p[1]);
		}
		g_once_init_leave(&once, 1);
	}
	return dev;
}

/* What the scan of /proc gathers: the ends, and which pipes have their
 * attributes already. */
struct scan_ctx {
	struct snap *s;
	GArray *raws;
	GHashTable *seen;
};

/* One descriptor of the /proc scan (procfd_fn): an end of a pipe or a
 * FIFO is kept in ctx->raws. */
static bool scan_fd(void *ctx, int fdfd, const char *name, int fd, const char *link, size_t len,
		    uint32_t proc)
{
	struct scan_ctx *sc = ctx;
	struct raw r = { .proc = proc, .fd = fd };
	struct stat lst;

	if (!pipes_link_ino(link, &r.ino)) {
		/* The pipe's attributes once per pipe (pipefs: no file
		 * system to reach). */
		r.dev = pipefs_dev();
		if (!g_hash_table_contains(sc->seen, GSIZE_TO_POINTER(r.ino)) &&
		    !statx(fdfd, name, AT_STATX_DONT_SYNC, STATX_BASIC_STATS, &r.stx)) {
			r.has_stx = true;
			g_hash_table_add(sc->seen, GSIZE_TO_POINTER(r.ino));
		}
	} else if (link[0] == '/') {
		/* Follows the link, but from the cache only: a hung NFS
		 * server or this mount is never asked. */
		if (statx(fdfd, name, AT_STATX_DONT_SYNC, STATX_BASIC_STATS, &r.stx) ||
		    !S_ISFIFO(r.stx.stx_mode))
			return false;
		r.fifo = r.has_stx = true;
		r.ino = r.stx.stx_ino;
		r.dev = makedev(r.stx.stx_dev_major, r.stx.stx_dev_minor);
		r.path = (uint32_t)sc->s->paths->len;
		g_string_append_len(sc->s->paths, link, (gssize)len + 1);
	} else {
		return false;
	}
	/* The link's own mode is the open mode; an O_PATH descriptor (---)
	 * is no end. */
	if (fstatat(fdfd, name, &lst, AT_SYMLINK_NOFOLLOW))
		return false;
	r.mode = (uint8_t)pipes_link_mode(lst.st_mode);
	if (!r.mode)
		return false;
	g_array_append_val(sc->raws, r);
	return true;
}

/* The id of a FIFO, kept while it is seen (cache.lock held); `ids` is the
 * table being made for this scan. */
static ipcfs_id fifo_id(GHashTable *ids, uint64_t ino, dev_t dev)
{
	char name[64];
	gpointer v;

	pipes_fifo_name(ino, major(dev), minor(dev), name, sizeof(name));
	if (g_hash_table_lookup_extended(ids, name, NULL, &v))
		return GPOINTER_TO_UINT(v);
	if (!fifo_ids || !g_hash_table_lookup_extended(fifo_ids, name, NULL, &v)) {
		v = GUINT_TO_POINTER(fifo_next);
		fifo_next = fifo_next == FIFO_ID_MIN ? UINT32_MAX : fifo_next - 1;
	}
	g_hash_table_insert(ids, g_strdup(name), v);
	return GPOINTER_TO_UINT(v);
}

/* Scan /proc (cache.lock held). */
static struct snapshot *scan(void *arg)
{
	g_autoptr(GArray) raws = g_array_new(FALSE, FALSE, sizeof(struct raw));
	g_autoptr(GHashTable) seen = g_hash_table_new(g_direct_hash, g_direct_equal);
	GHashTable *ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	struct snap *s = g_new0(struct snap, 1);

	(void)arg;
	snapshot_init(&s->base, snap_free);
	s->pipes = g_array_new(FALSE, FALSE, sizeof(struct ppipe));
	s->ends = g_array_new(FALSE, FALSE, sizeof(struct pend));
	s->procs = g_array_new(FALSE, FALSE, sizeof(struct procfd_proc));
	s->paths = g_string_new("");
	g_string_append_c(s->paths, '\0');	/* offset 0: no path */
	{
		struct scan_ctx sc = { .s = s, .raws = raws, .seen = seen };

		procfd_scan(s->procs, scan_fd, &sc);
	}
	g_array_sort(raws, raw_cmp);
	for (guint i = 0; i < raws->len;) {
		const struct raw *r = &g_array_index(raws, struct raw, i);
		struct ppipe p = { .fifo = r->fifo, .ino = r->ino, .dev = r->dev,
				   .first = s->ends->len, .path = r->path };
		guint j;

		if (r->has_stx) {
			p.uid = r->stx.stx_uid;
			p.gid = r->stx.stx_gid;
			p.mode = r->stx.stx_mode & 07777;
			p.atime = r->stx.stx_atime.tv_sec;
			p.mtime = r->stx.stx_mtime.tv_sec;
			p.ctime = r->stx.stx_ctime.tv_sec;
		}
		for (j = i; j < raws->len; j++) {
			const struct raw *e = &g_array_index(raws, struct raw, j);
			struct pend end = { .pipe = s->pipes->len, .proc = e->proc, .fd = e->fd,
					    .mode = e->mode };

			if (e->fifo != r->fifo || e->ino != r->ino || e->dev != r->dev)
				break;
			/* A pipe's ends seen before its attributes: the dev
			 * comes from the end that has them (sorted first). */
			if (!r->fifo && !r->has_stx)
				break;
			p.readers += !!(e->mode & PIPES_END_R);
			p.writers += !!(e->mode & PIPES_END_W);
			g_array_append_val(s->ends, end);
		}
		if (j == i) {	/* (a pipe whose statx failed: gone) */
			i++;
			continue;
		}
		p.n = s->ends->len - p.first;
		if (p.fifo)
			p.id = fifo_id(ids, p.ino, p.dev);
		else if (p.ino < FIFO_ID_MIN)
			p.id = (ipcfs_id)p.ino;
		else	/* never seen: the kernel counts pipe inodes from 1 */
			p.n = 0;
		if (p.n)
			g_array_append_val(s->pipes, p);
		i = j;
	}
	/* Sorted by id, the ends keep pointing at their pipe. */
	g_array_sort(s->pipes, pipe_cmp);
	for (guint i = 0; i < s->pipes->len; i++) {
		const struct ppipe *p = &g_array_index(s->pipes, struct ppipe, i);

		for (uint32_t k = p->first; k < p->first + p->n; k++)
			g_array_index(s->ends, struct pend, k).pipe = i;
	}
	if (fifo_ids)
		g_hash_table_unref(fifo_ids);
	fifo_ids = ids;
	return &s->base;
}

/* A snapshot begun at `since` or later (g_get_monotonic_time()): the
 * caller's reference. */
static struct snap *snap_since(gint64 since)
{
	return (struct snap *)snapshot_since(&cache, since, scan, NULL);
}

/* A snapshot no older than max_us. */
static struct snap *snap_get(gint64 max_us)
{
	return snap_since(g_get_monotonic_time() - max_us);
}

static const struct ppipe *snap_pipe(const struct snap *s, ipcfs_id id)
{
	guint lo = 0, hi = s->pipes->len;

	while (lo < hi) {
		guint mid = lo + (hi - lo) / 2;
		const struct ppipe *p = &g_array_index(s->pipes, struct ppipe, mid);

		if (p->id == id)
			return p;
		if (p->id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static const struct pend *end_at(const struct snap *s, uint32_t k)
{
	return &g_array_index(s->ends, struct pend, k);
}

static const struct procfd_proc *proc_at(const struct snap *s, uint32_t k)
{
	return procfd_at(s->procs, k);
}

/* ---- who may see what: the kernel, asked as the caller ---- */

/* Which holders may c see (procfd_visible)?  Caller frees. */
static int8_t *visible_procs(const struct snap *s, struct ipcfs_cred *c, const bool *only)
{
	return procfd_visible(s->procs, c, only);
}

/* Does the namespace acted in (ns/<inode>/) hold an end of p? */
static bool in_ns(const struct snap *s, const struct ppipe *p, uint64_t ns)
{
	if (!ns)
		return true;
	for (uint32_t k = p->first; k < p->first + p->n; k++)
		if (proc_at(s, end_at(s, k)->proc)->ipcns == ns)
			return true;
	return false;
}

static uint64_t ns_acted_in(void)
{
	return ipcfs_ns_acted_in();
}

/* May c see p (one of its holders)? */
static bool may_see(const struct snap *s, const struct ppipe *p, struct ipcfs_cred *c)
{
	g_autofree bool *only = g_new0(bool, MAX(s->procs->len, 1));
	g_autofree int8_t *vis = NULL;

	if (!in_ns(s, p, ns_acted_in()))
		return false;
	if (!c)
		return true;
	for (uint32_t k = p->first; k < p->first + p->n; k++)
		only[end_at(s, k)->proc] = true;
	vis = visible_procs(s, c, only);
	for (uint32_t k = p->first; k < p->first + p->n; k++)
		if (vis[end_at(s, k)->proc] > 0)
			return true;
	return false;
}

/* ---- asking the pipe: a duplicate held for microseconds ---- */

/*
 * The holder's own open file of end k, duplicated (pidfd_getfd: no new
 * reader or writer), checked to be that pipe still (the pid or the fd
 * may have been reused since the scan).  The fd, or -errno.  The caller
 * closes it at once: while it is open, that end stays open.
 */
static int dup_end(const struct snap *s, const struct ppipe *p, uint32_t k)
{
	const struct pend *e = end_at(s, k);
	struct stat st;
	int pidfd, fd;

	pidfd = (int)syscall(SYS_pidfd_open, proc_at(s, e->proc)->pid, 0);
	if (pidfd < 0)
		return -errno;
	fd = (int)syscall(SYS_pidfd_getfd, pidfd, e->fd, 0);
	if (fd < 0)
		fd = -errno;
	close(pidfd);
	if (fd >= 0 && (fstat(fd, &st) || !S_ISFIFO(st.st_mode) || st.st_ino != p->ino ||
			st.st_dev != p->dev)) {
		close(fd);
		fd = -ENOENT;
	}
	return fd;
}

/* Capacity and queued bytes of p: 0, or -ENOENT (every holder gone). */
static int pipe_sizes(const struct snap *s, const struct ppipe *p, int64_t *capacity,
		      int64_t *queued)
{
	for (uint32_t k = p->first; k < p->first + p->n; k++) {
		int fd = dup_end(s, p, k), n = 0, cap;

		if (fd < 0)
			continue;
		cap = fcntl(fd, F_GETPIPE_SZ);
		if (ioctl(fd, FIONREAD, &n))
			n = -1;
		close(fd);
		*capacity = cap;
		*queued = n;
		return 0;
	}
	return -ENOENT;
}

/* /proc/PID/task/TID/NAME (wchan, syscall: one short line) into buf,
 * NUL-terminated: 0, or -1 when it cannot be read. */
static int task_file(pid_t pid, const char *tid, const char *name, char *buf, size_t size)
{
	char path[320];
	ssize_t n;
	int f;

	snprintf(path, sizeof(path), "/proc/%d/task/%s/%s", pid, tid, name);
	f = open(path, O_RDONLY | O_CLOEXEC);
	if (f < 0)
		return -1;
	n = read(f, buf, size - 1);
	close(f);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

/*
 * What each end of the snapshot's processes waits for: their threads'
 * wchan, and for a pipe wait the descriptor the system call is on
 * (/proc/PID/task/TID/syscall).  `waits` has one entry per end of s;
 * `only` (when not NULL) marks the processes to look at.
 */
static void end_waits(const struct snap *s, const bool *only, uint8_t *waits)
{
	g_autofree uint32_t *first = g_new0(uint32_t, s->procs->len + 1);
	g_autofree uint32_t *byproc = g_new(uint32_t, MAX(s->ends->len, 1));
	g_autofree uint32_t *fill = NULL;

	/* The ends of each process, found by (process, fd). */
	for (guint k = 0; k < s->ends->len; k++)
		first[end_at(s, k)->proc + 1]++;
	for (guint i = 0; i < s->procs->len; i++)
		first[i + 1] += first[i];
	fill = g_memdup2(first, sizeof(uint32_t) * (s->procs->len + 1));
	for (guint k = 0; k < s->ends->len; k++)
		byproc[fill[end_at(s, k)->proc]++] = k;
	for (guint i = 0; i < s->procs->len; i++) {
		char path[320], buf[256];
		struct dirent *de;
		DIR *d;

		if (only && !only[i])
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task", proc_at(s, i)->pid);
		d = opendir(path);
		while (d && (de = readdir(d))) {
			enum pipes_wait w;
			uint64_t arg0;
			long nr;
			int fd;

			if (!g_ascii_isdigit(de->d_name[0]))
				continue;
			if (task_file(proc_at(s, i)->pid, de->d_name, "wchan", buf, sizeof(buf)))
				continue;
			w = pipes_wchan_wait(buf);
			if (w != PIPES_WAIT_READ && w != PIPES_WAIT_WRITE)
				continue;
			if (task_file(proc_at(s, i)->pid, de->d_name, "syscall", buf, sizeof(buf)) ||
			    pipes_syscall_parse(buf, &nr, &arg0) || (fd = pipes_syscall_fd(nr, arg0)) < 0)
				continue;
			for (uint32_t j = first[i]; j < first[i + 1]; j++)
				if (end_at(s, byproc[j])->fd == fd)
					waits[byproc[j]] = (uint8_t)w;
		}
		if (d)
			closedir(d);
	}
}

/* The waits of p's ends (one entry per end of s) and the counts. */
static void pipe_waits(const struct snap *s, const struct ppipe *p, uint8_t *waits,
		       int64_t *blocked_readers, int64_t *blocked_writers)
{
	g_autofree bool *only = g_new0(bool, MAX(s->procs->len, 1));

	for (uint32_t k = p->first; k < p->first + p->n; k++)
		only[end_at(s, k)->proc] = true;
	end_waits(s, only, waits);
	*blocked_readers = *blocked_writers = 0;
	for (uint32_t k = p->first; k < p->first + p->n; k++) {
		*blocked_readers += waits[k] == PIPES_WAIT_READ;
		*blocked_writers += waits[k] == PIPES_WAIT_WRITE;
	}
}

/* ---- objects ---- */

static void fill_obj(const struct ppipe *p, struct ipcfs_obj *o)
{
	memset(o, 0, sizeof(*o));
	o->id = p->id;
	o->uid = o->cuid = p->uid;
	o->gid = o->cgid = p->gid;
	o->mode = p->mode & 0777;
	o->dir_atime = p->atime;
	o->dir_mtime = p->mtime;
	o->dir_ctime = p->ctime;
	NUMS(o)->ino = (int64_t)p->ino;
	NUMS(o)->fifo = p->fifo;
	NUMS(o)->major = major(p->dev);
	NUMS(o)->minor = minor(p->dev);
	NUMS(o)->readers = p->readers;
	NUMS(o)->writers = p->writers;
	/* Asked of the pipe only for one object (stat), never for a
	 * listing: -1 until then. */
	NUMS(o)->capacity = NUMS(o)->queued = -1;
	NUMS(o)->blocked_readers = NUMS(o)->blocked_writers = -1;
}

static int pipes_list(const struct ipcfs_backend *be, struct ipcfs_cred *c, GArray *out)
{
	/* A listing (once per opendir) shows every pipe made before it. */
	g_autoptr(snap) s = snap_since(g_get_monotonic_time());
	g_autofree int8_t *vis = visible_procs(s, c, NULL);
	uint64_t ns = ns_acted_in();

	(void)be;
	for (guint i = 0; i < s->pipes->len; i++) {
		const struct ppipe *p = &g_array_index(s->pipes, struct ppipe, i);
		struct ipcfs_obj o;
		bool any = false;

		if (!in_ns(s, p, ns))
			continue;
		for (uint32_t k = p->first; k < p->first + p->n && !any; k++)
			any = vis[end_at(s, k)->proc] > 0;
		if (!any)
			continue;
		fill_obj(p, &o);
		g_array_append_val(out, o);
	}
	return 0;
}

/* The snapshot that has `id`: the current one, or (when it has not) a new
 * one if that is older than a listing allows.  Sets *p (NULL: none). */
static struct snap *snap_with(ipcfs_id id, const struct ppipe **p)
{
	struct snap *s = snap_get(SNAP_MAX_US);

	*p = snap_pipe(s, id);
	if (!*p && g_get_monotonic_time() - s->base.taken > SNAP_LIST_US) {
		snap_unref(s);
		s = snap_get(SNAP_LIST_US);
		*p = snap_pipe(s, id);
	}
	return s;
}

static int pipes_stat(const struct ipcfs_backend *be, struct ipcfs_cred *c, ipcfs_id id,
		      struct ipcfs_obj *out)
{
	const struct ppipe *p;
	g_autoptr(snap) s = snap_with(id, &p);
	g_autofree uint8_t *waits = NULL;

	(void)be;
	if (!p || !may_see(s, p, c))
		return -ENOENT;
	fill_obj(p, out);
	if (pipe_sizes(s, p, &NUMS(out)->capacity, &NUMS(out)->queued))
		return -ENOENT;	/* every holder closed it since the scan */
	waits = g_new0(uint8_t, s->ends->len);
	pipe_waits(s, p, waits, &NUMS(out)->blocked_readers, &NUMS(out)->blocked_writers);
	return 0;
}

static void pipes_objname(const struct ipcfs_backend *be, const struct ipcfs_obj *o, char *buf,
			  size_t size)
{
	(void)be;
	if (NUMS(o)->fifo)
		pipes_fifo_name((uint64_t)NUMS(o)->ino, (unsigned)NUMS(o)->major,
				(unsigned)NUMS(o)->minor, buf, size);
	else
		snprintf(buf, size, "%" PRId64, o->id);
}

static bool pipes_alias(const struct ipcfs_backend *be, const struct ipcfs_obj *o, char *buf,
			size_t size)
{
	g_autoptr(snap) s = NULL;
	const struct ppipe *p;

	(void)be;
	if (!NUMS(o)->fifo)
		return false;
	s = snap_get(SNAP_MAX_US);
	p = snap_pipe(s, (ipcfs_id)o->id);
	return p && p->fifo && pipes_path_name(s->paths->str + p->path, buf, size);
}

static int pipes_resolve(const struct ipcfs_backend *be, struct ipcfs_cred *c, const char *name,
			 ipcfs_id *id, bool *alias)
{
	uint64_t ino;
	unsigned maj, min;
	char buf[IPCFS_NAME_MAX];

	(void)be;
	*alias = false;
	if (strspn(name, "0123456789") == strlen(name)) {
		/* Canonical decimals only: "007" is not pipe 7. */
		if (parse_u64(name, false, &ino) || (name[0] == '0' && name[1]) ||
		    ino >= FIFO_ID_MIN)
			return -ENOENT;
		*id = (ipcfs_id)ino;
	} else {
		g_autoptr(snap) s = snap_get(SNAP_LIST_US);
		bool path = pipes_parse_fifo_name(name, &ino, &maj, &min) != 0;
		bool found = false;

		for (guint i = s->pipes->len; i-- > 0 && !found;) {
			const struct ppipe *p = &g_array_index(s->pipes, struct ppipe, i);

			if (!p->fifo)
				break;	/* (FIFOs sort last: the top of the ids) */
			if (path)
				found = pipes_path_name(s->paths->str + p->path, buf, sizeof(buf)) &&
					!strcmp(buf, name);
			else
				found = p->ino == ino && p->dev == makedev(maj, min);
			if (found)
				*id = p->id;
		}
		if (!found)
			return -ENOENT;
		*alias = path;
	}
	{
		struct ipcfs_obj o;

		/* Only what c may see resolves (and a FIFO id is no pipe's name). */
		if (pipes_stat(be, c, *id, &o) || (!*alias && !NUMS(&o)->fifo != !strchr(name, '@')))
			return -ENOENT;
	}
	return 0;
}

static void pipes_labels(const struct ipcfs_backend *be, const struct ipcfs_obj *o, GString *out)
{
	char name[IPCFS_NAME_MAX];

	pipes_objname(be, o, name, sizeof(name));
	g_string_append_printf(out, "pipe=\"%s\",type=\"%s\"", name,
			       NUMS(o)->fifo ? "fifo" : "pipe");
}

static bool pipes_same(const struct ipcfs_backend *be, const struct ipcfs_obj *was,
		       const struct ipcfs_obj *now)
{
	(void)be;
	return NUMS(was)->ino == NUMS(now)->ino && NUMS(was)->fifo == NUMS(now)->fifo &&
	       NUMS(was)->major == NUMS(now)->major && NUMS(was)->minor == NUMS(now)->minor;
}

/* Seeing a pipe is the right to its attributes (procfd_access); its
 * bytes (peek) and its size (capacity) are checked by the kernel as they
 * are used; a pipe's mode and owner are the kernel's (pipefs), not to be
 * set (procfd_set). */

static void pipes_info(const struct ipcfs_backend *be, const struct ipcfs_obj *o, GString *out)
{
	g_autoptr(snap) s = NULL;
	const struct ppipe *p;

	(void)be;
	if (!NUMS(o)->fifo)
		return;
	s = snap_get(SNAP_MAX_US);
	p = snap_pipe(s, (ipcfs_id)o->id);
	if (p && p->fifo)
		g_string_append_printf(out, "path: %s\n", s->paths->str + p->path);
}

/* ---- the files ---- */

/* Is end k one whose /proc/PID/fd/N the reader could open with `mask`
 * (R_OK, W_OK)?  The kernel decides, as the reader: following the link
 * needs ptrace-read of the holder, then the pipe inode's own mode.  The
 * thread is the reader's (cred_enter_fs) already. */
static bool end_openable(const struct snap *s, uint32_t k, int mask)
{
	char path[64];
	const struct pend *e = end_at(s, k);

	snprintf(path, sizeof(path), "/proc/%d/fd/%d", proc_at(s, e->proc)->pid, e->fd);
	return !faccessat(AT_FDCWD, path, mask, AT_EACCESS);
}

/* The first end of p held with `held` (PIPES_END_*, 0: any) that the
 * reader could open with one of `masks`, or -1. */
static int64_t openable_end(const struct snap *s, const struct ppipe *p, struct ipcfs_cred *c,
			    unsigned held, const int *masks, size_t nmasks)
{
	int64_t found = -1;

	if (cred_enter_fs(c))
		return -1;
	for (uint32_t k = p->first; k < p->first + p->n && found < 0; k++)
		for (size_t m = 0; m < nmasks && found < 0; m++)
			if ((end_at(s, k)->mode & held) == held && end_openable(s, k, masks[m]))
				found = k;
	cred_leave_fs();
	return found;
}

/*
 * End k duplicated for the caller c, who could open its /proc/PID/fd/N
 * with one of `masks` before: asked again once the duplicate is held, so that a
 * holder that changed hands in between (an exec of a setuid program makes
 * it unreadable to ptrace) gives nothing.  The caller could open that end
 * while the daemon held its duplicate.  The fd, or -errno.
 */
static int dup_end_for(const struct snap *s, const struct ppipe *p, uint32_t k,
		       struct ipcfs_cred *c, const int *masks, size_t nmasks)
{
	int fd = dup_end(s, p, k);
	bool still = false;

	if (fd < 0)
		return fd == -ENOENT ? -EIDRM : fd;
	if (cred_enter_fs(c)) {
		close(fd);
		return -EACCES;
	}
	for (size_t m = 0; m < nmasks && !still; m++)
		still = end_openable(s, k, masks[m]);
	cred_leave_fs();
	if (!still) {
		close(fd);
		return -EACCES;
	}
	return fd;
}

/* ends: `PID COMMAND FD r|w|rw WAIT` per end of a holder the reader may
 * see; the others' processes counted on a last line `hidden N`. */
struct ends_ctx {
	const struct snap *s;
	const struct ppipe *p;
	const uint8_t *waits;
};

static uint32_t end_proc(void *ctx, uint32_t k)
{
	const struct ends_ctx *e = ctx;

	return end_at(e->s, e->p->first + k)->proc;
}

static void end_line(void *ctx, uint32_t k, const struct procfd_proc *pr, GString *out)
{
	const struct ends_ctx *e = ctx;
	const struct pend *end = end_at(e->s, e->p->first + k);

	g_string_append_printf(out, "%d %s %d %s %s\n", pr->pid, pr->comm, end->fd,
			       pipes_mode_name(end->mode), pipes_wait_name(e->waits[e->p->first + k]));
}

static int ends_text(const struct ipcfs_obj *o, uint64_t sub, struct ipcfs_cred *reader,
		     GString *out)
{
	struct ends_ctx e;
	g_autoptr(snap) s = snap_with((ipcfs_id)o->id, &e.p);
	g_autofree uint8_t *waits = NULL;
	int64_t br, bw;

	(void)sub;
	if (!e.p)
		return -EIDRM;
	waits = g_new0(uint8_t, s->ends->len);
	pipe_waits(s, e.p, waits, &br, &bw);
	e.s = s;
	e.waits = waits;
	procfd_ends_text(s->procs, reader, e.p->n, end_proc, end_line, &e, out);
	return 0;
}

/*
 * peek: the bytes queued, left where they are.  tee(2) duplicates a
 * pipe's buffers into another pipe without consuming them; it copies
 * whole buffers (slots), so the private pipe gets the source's capacity.
 * Non-blocking both ways: an empty pipe is an empty file.  The reader
 * needs what reading /proc/PID/fd/N would need (ptrace-read of a holder
 * and read permission on the pipe), asked of the kernel as them; a pipe
 * whose read ends are all closed is ENODATA (nobody can read it).  A pipe
 * larger than the daemon may make its own (pipe-max-size, without
 * CAP_SYS_RESOURCE) shows the first capacity's worth only.
 */
static int peek_text(const struct ipcfs_obj *o, uint64_t sub, struct ipcfs_cred *reader,
		     GString *out)
{
	static const int masks[] = { R_OK };
	const struct ppipe *p;
	g_autoptr(snap) s = snap_with((ipcfs_id)o->id, &p);
	int priv[2], src, cap, r = 0;
	int64_t k;
	ssize_t n;
	char buf[16384];

	(void)sub;
	if (!p)
		return -EIDRM;
	/* tee reads: only a read end will do.  Without one the bytes can
	 * never be read, and looking cannot either without opening. */
	for (k = p->first; k < p->first + p->n && !(end_at(s, (uint32_t)k)->mode & PIPES_END_R); k++)
		;
	if (k == p->first + p->n)
		return -ENODATA;
	k = openable_end(s, p, reader, PIPES_END_R, masks, 1);
	if (k < 0)
		return -EACCES;
	if (pipe2(priv, O_CLOEXEC | O_NONBLOCK))
		return -errno;
	src = dup_end_for(s, p, (uint32_t)k, reader, masks, 1);
	if (src < 0) {
		r = src;
		goto out;
	}
	cap = fcntl(src, F_GETPIPE_SZ);
	if (cap > 0 && fcntl(priv[1], F_GETPIPE_SZ) < cap && fcntl(priv[1], F_SETPIPE_SZ, cap) < 0) {
		/* Not that large: as much as the daemon may have. */
		int max = 0;
		g_autofree char *t = file_read("/proc/sys/fs/pipe-max-size", 64, NULL);

		if (t)
			max = atoi(t);
		if (max > 0)
			fcntl(priv[1], F_SETPIPE_SZ, max);
	}
	n = tee(src, priv[1], INT_MAX, SPLICE_F_NONBLOCK);
	close(src);	/* at once: the duplicate holds the end open */
	if (n < 0 && errno != EAGAIN) {
		r = -errno;
		goto out;
	}
	while ((n = read(priv[0], buf, sizeof(buf))) > 0)
		g_string_append_len(out, buf, n);
out:
	close(priv[0]);
	close(priv[1]);
	return r;
}

/* capacity: F_SETPIPE_SZ on a duplicate, by a thread that holds the
 * caller's credentials, so that the kernel applies its rules for them
 * (pipe-max-size, pipe-user-pages-*, CAP_SYS_RESOURCE).  The caller must
 * be able to open a holder's /proc/PID/fd/N, for reading or writing. */
static int capacity_write(ipcfs_id id, const char *text, struct ipcfs_cred *cred)
{
	static const int masks[] = { W_OK, R_OK };
	const struct ppipe *p;
	g_autoptr(snap) s = snap_with(id, &p);
	uint64_t size;
	int64_t k;
	int fd, r;

	if (parse_u64(text, true, &size))
		return -EINVAL;
	if (size > INT_MAX)
		return -EINVAL;
	if (!p || !may_see(s, p, cred))
		return -ENOENT;
	k = openable_end(s, p, cred, 0, masks, G_N_ELEMENTS(masks));
	if (k < 0)
		return -EACCES;
	fd = dup_end_for(s, p, (uint32_t)k, cred, masks, G_N_ELEMENTS(masks));
	if (fd < 0)
		return fd;
	r = cred_enter_fs(cred);
	if (!r) {
		if (fcntl(fd, F_SETPIPE_SZ, (int)size) < 0)
			r = -errno;
		cred_leave_fs();
	}
	close(fd);
	log_dbg("pipes %u capacity %" PRIu64 " -> %d", id, size, r);
	return r;
}

static const struct ipcfs_file pipes_files[] = {
	{
		.name = "ends",
		.mode = S_IFREG | 0444,
		.text = ends_text,
	},
	{
		.name = "peek",
		.mode = S_IFREG | 0444,
		.text = peek_text,
	},
};

#define F(n, m, f) IPCFS_FIELD(n, m, f, NULL)
#define N(n, m, f) IPCFS_FIELD_NUM(n, struct pipe_nums, m, f, NULL)
static const struct ipcfs_field pipes_fields[] = {
	N("ino", ino, IPCFS_FMT_DEC),
	N("fifo", fifo, IPCFS_FMT_BOOL),
	{ .name = "capacity", .offset = IPCFS_NUM_OFFSET(struct pipe_nums, capacity),
	  .fmt = IPCFS_FMT_DEC, .write = capacity_write },
	N("queued", queued, IPCFS_FMT_DEC),
	N("readers", readers, IPCFS_FMT_DEC),
	N("writers", writers, IPCFS_FMT_DEC),
	N("blocked_readers", blocked_readers, IPCFS_FMT_DEC),
	N("blocked_writers", blocked_writers, IPCFS_FMT_DEC),
	F("uid", uid, IPCFS_FMT_DEC),
	F("gid", gid, IPCFS_FMT_DEC),
	F("mode", mode, IPCFS_FMT_MODE),
	{ 0 }
};

/* ---- metrics: totals, and one series per stuck pipe ---- */

/* stuck_end's keep: a pipe still stuck, or not listed for this reader (a
 * reader who sees less forgets less of others, never more). */
struct keep_ctx {
	const struct snap *s;
	GHashTable *listed;
};

static bool keep_pipe(void *ctx, ipcfs_id id, const void *tag, bool now)
{
	const struct keep_ctx *k = ctx;

	(void)tag;
	return snap_pipe(k->s, id) && (now || !g_hash_table_contains(k->listed, GUINT_TO_POINTER(id)));
}

static void pipes_metrics(GArray *objs, char **labels, struct ipcfs_cred *reader, GString *out)
{
	g_autoptr(snap) s = snap_get(SNAP_MAX_US);
	g_autofree uint8_t *waits = g_new0(uint8_t, MAX(s->ends->len, 1));
	g_autofree bool *only = g_new0(bool, MAX(s->procs->len, 1));
	g_autoptr(GString) series = g_string_new(NULL);
	g_autoptr(GHashTable) listed = g_hash_table_new(g_direct_hash, g_direct_equal);
	struct keep_ctx keep = { .s = s, .listed = listed };
	int64_t queued = 0, blocked[2] = { 0, 0 }, hidden = 0;
	g_autofree int8_t *vis = NULL;
	unsigned dropped;
	uint64_t ns = ns_acted_in();

	/* Hidden: pipes of the namespace with a holder the reader may not
	 * see and none they may (a holder gone since the scan counts for
	 * neither). */
	vis = visible_procs(s, reader, NULL);
	for (guint i = 0; i < s->pipes->len; i++) {
		const struct ppipe *p = &g_array_index(s->pipes, struct ppipe, i);
		bool seen = false, unseen = false;

		if (!in_ns(s, p, ns))
			continue;
		for (uint32_t k = p->first; k < p->first + p->n; k++) {
			seen |= vis[end_at(s, k)->proc] > 0;
			unseen |= vis[end_at(s, k)->proc] == 0;
		}
		hidden += !seen && unseen;
	}
	for (guint i = 0; i < objs->len; i++) {
		const struct ppipe *p = snap_pipe(s, (ipcfs_id)g_array_index(objs, struct ipcfs_obj, i).id);

		for (uint32_t k = p ? p->first : 0; p && k < p->first + p->n; k++)
			only[end_at(s, k)->proc] = true;
	}
	end_waits(s, only, waits);
	stuck_begin(&stuck);
	for (guint i = 0; i < objs->len; i++) {
		const struct ipcfs_obj *o = &g_array_index(objs, struct ipcfs_obj, i);
		const struct ppipe *p = snap_pipe(s, (ipcfs_id)o->id);
		int64_t cap = 0, q = 0, br = 0, bw = 0;
		const char *why = NULL;
		pid_t waiter[2] = { 0, 0 };	/* a reader, a writer that waits */

		if (p)
			g_hash_table_add(listed, GUINT_TO_POINTER(p->id));
		if (!p || pipe_sizes(s, p, &cap, &q))
			continue;
		for (uint32_t k = p->first; k < p->first + p->n; k++) {
			int w = waits[k] == PIPES_WAIT_WRITE;

			if (waits[k] != PIPES_WAIT_READ && !w)
				continue;
			br += !w;
			bw += w;
			if (!waiter[w])
				waiter[w] = proc_at(s, end_at(s, k)->proc)->pid;
		}
		queued += MAX(q, 0);
		blocked[0] += br;
		blocked[1] += bw;
		/* Stuck: a writer waits (the pipe is full), or a reader waits
		 * on an empty pipe, at this look and since an earlier one. */
		if (bw)
			why = "full";
		else if (br && !q)
			why = "empty";
		/* It takes a share of whoever waits on it: the table keeps
		 * each person to a tenth. */
		if (why)
			stuck_mark(&stuck, p->id, NULL, waiter[bw ? 1 : 0], -1, labels[i], why,
				   series);
	}
	dropped = stuck.dropped;
	stuck_end(&stuck, keep_pipe, &keep);
	g_string_append_printf(out,
		"# HELP ipcfs_pipes_queued_bytes Bytes queued in the pipes the reader may see.\n"
		"# TYPE ipcfs_pipes_queued_bytes gauge\nipcfs_pipes_queued_bytes %" PRId64 "\n"
		"# HELP ipcfs_pipes_blocked_ends Ends whose holder waits in a read of an empty pipe or a write to a full one.\n"
		"# TYPE ipcfs_pipes_blocked_ends gauge\n"
		"ipcfs_pipes_blocked_ends{op=\"read\"} %" PRId64 "\n"
		"ipcfs_pipes_blocked_ends{op=\"write\"} %" PRId64 "\n",
		queued, blocked[0], blocked[1]);
	stuck_write(out, "pipes", "Pipes", "How long a pipe has been stuck: full with a writer "
		    "waiting, or empty with a reader waiting", hidden, dropped, series);
}

/* ---- options and lifetime ---- */

static const struct fuse_opt pipes_opts[] = {
	{ "pipes_stuck=%s", offsetof(typeof(pipes_optv), stuck), 1 },
	FUSE_OPT_END
};

static int pipes_opts_check(void)
{
	return stuck_option(&stuck, "pipes_stuck", pipes_optv.stuck);
}

static void pipes_shutdown(const struct ipcfs_backend *be)
{
	(void)be;
	g_mutex_lock(&cache.lock);
	snapshot_forget(&cache);
	if (fifo_ids)
		g_hash_table_unref(fifo_ids);
	fifo_ids = NULL;
	g_mutex_unlock(&cache.lock);
	stuck_clear(&stuck);
}

static void pipes_ns_info(const struct ipcfs_backend *be, GString *out)
{
	(void)be;
	g_string_append(out, "pipes: those with an end held by a process of this IPC namespace\n");
}

const struct ipcfs_backend pipes_backend = {
	.name = "pipes",
	.list = pipes_list,
	.stat = pipes_stat,
	.set = procfd_set,
	.resolve = pipes_resolve,
	.objname = pipes_objname,
	.alias_dir = "by-path",
	.alias = pipes_alias,
	.labels = pipes_labels,
	.same = pipes_same,
	.access = procfd_access,
	.owner = procfd_owner,
	.info = pipes_info,
	.fields = pipes_fields,
	.files = pipes_files,
	.nfiles = G_N_ELEMENTS(pipes_files),
	.metrics = pipes_metrics,
	.opts = pipes_opts,
	.opts_data = &pipes_optv,
	.opts_check = pipes_opts_check,
	.opts_help = "    -o pipes_stuck=SECS    a pipe full with a writer waiting, or empty with\n"
		     "                           a reader waiting, this long gets a metrics series (60)\n",
	.shutdown = pipes_shutdown,
	.ns_info = pipes_ns_info,
};
