// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * shmview.c - warm mappings of segments, shared by the opens of `data`
 * (see shmview.h for why).
 *
 * A table id -> view under one lock.  A view with users is never unmapped
 * (its users hold no attachment: the view is what keeps their memory
 * mapped, even once the segment is removed); an unused one is unmapped by
 * the sweeper thread once it has lingered long enough or its segment is
 * gone (checked every second with IPC_STAT), by shmview_forget() when
 * ipcfs removes the segment, or when a later open finds a different
 * segment under the same id.
 */
#include "shmview.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <unistd.h>

#define SWEEP_USEC G_USEC_PER_SEC
/* Unused views kept at most; past that a last close unmaps at once.  Each
 * costs a mapping (vm.max_map_count is 65,530 by default, and every open
 * adds an attachment) and the page tables of what it has touched. */
#define IDLE_MAX 1024

double shmview_linger = 60;

static GMutex lock;	/* a leaf (order: fs/ipcfs.h) */
static GCond wake;
static GHashTable *views;	/* int id -> struct shm_view * */
static unsigned idle_views;	/* views with no users: the sweeper's work */
static GThread *sweeper;
static bool stopping;

static void view_unmap(gpointer p)
{
	struct shm_view *v = p;

	if (v) {
		if (v->addr)
			munmap(v->addr, v->size);
		g_free(v);
	}
}

/*
 * Is v (still) a view of this segment?  An id names one segment until it
 * is removed and its slot has been reused some 65,000 times (or at once,
 * through kernel.shm_next_id).  An open compares the birth time of the
 * segment's memory file, to the nanosecond (its ctime will not do: writes
 * through a mapping change it).  Where the kernel gives no birth time, and
 * in the sweeper, which has no attachment to look through, key, creator,
 * size and change time are compared (a chmod changes that too, and the
 * idle view is then dropped, which costs only its warmth).
 */
static bool view_is(const struct shm_view *v, int64_t key, int64_t cpid, uint64_t size,
		    int64_t ctime)
{
	return v->key == key && v->cpid == cpid && v->size == size && v->ctime == ctime;
}

static bool view_is_ds(const struct shm_view *v, const struct shmid_ds *ds)
{
	return view_is(v, (int64_t)(uint32_t)ds->shm_perm.__key, ds->shm_cpid, ds->shm_segsz,
		       ds->shm_ctime);
}

static bool view_is_file(const struct shm_view *v, const struct ipcfs_obj *o,
			 const struct statx *x)
{
	if (!v->has_born || !(x->stx_mask & STATX_BTIME))
		return view_is(v, o->key, SHM(o)->cpid, (uint64_t)SHM(o)->size, SHM(o)->ctime);
	return v->born.tv_sec == x->stx_btime.tv_sec && v->born.tv_nsec == x->stx_btime.tv_nsec;
}

/* The memory file behind this process's attachment at `attach`, opened
 * afresh through /proc/self/map_files (which needs CAP_SYS_ADMIN or
 * CAP_CHECKPOINT_RESTORE), and its statx.  The fd, or -1. */
static int view_file(int id, size_t size, const void *attach, struct statx *x)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	uintptr_t start = (uintptr_t)attach, end = start + ((size + page - 1) & ~(page - 1));
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/self/map_files/%" PRIxPTR "-%" PRIxPTR, start, end);
	fd = file_open(path, ipcfs_opts.ro ? O_RDONLY : O_RDWR);
	if (fd < 0)
		return -1;
	/* The kernel numbers a segment's file with its id. */
	if (statx(fd, "", AT_EMPTY_PATH, STATX_INO | STATX_SIZE | STATX_BTIME, x) ||
	    x->stx_ino != (uint64_t)id || x->stx_size < (uint64_t)size) {
		close(fd);
		return -1;
	}
	return fd;
}

int shmview_file(int id, size_t size, const void *attach)
{
	struct statx x;

	return view_file(id, size, attach, &x);
}

/* A shared mapping of that file: not a System V attachment.  Read-only on
 * a read-only mount. */
static char *view_map(int fd, size_t size)
{
	void *addr = mmap(NULL, size, ipcfs_opts.ro ? PROT_READ : PROT_READ | PROT_WRITE,
			  MAP_SHARED, fd, 0);

	return addr == MAP_FAILED ? NULL : addr;
}

static gpointer sweeper_main(gpointer unused)
{
	(void)unused;
	g_mutex_lock(&lock);
	while (!stopping) {
		GSList *done = NULL;
		GHashTableIter it;
		gpointer value;
		gint64 now;

		if (!idle_views) {
			g_cond_wait(&wake, &lock);
			continue;
		}
		g_cond_wait_until(&wake, &lock, g_get_monotonic_time() + SWEEP_USEC);
		now = g_get_monotonic_time();
		g_hash_table_iter_init(&it, views);
		while (g_hash_table_iter_next(&it, NULL, &value)) {
			struct shm_view *v = value;
			struct shmid_ds ds;

			if (v->users)
				continue;
			if (!stopping && (double)(now - v->idle_since) < shmview_linger * G_USEC_PER_SEC &&
			    shmctl(v->id, IPC_STAT, &ds) == 0 && view_is_ds(v, &ds))
				continue;
			g_hash_table_iter_steal(&it);
			idle_views--;
			done = g_slist_prepend(done, v);
		}
		/* Unmapping a large view takes milliseconds: not under the lock. */
		g_mutex_unlock(&lock);
		g_slist_free_full(done, view_unmap);
		g_mutex_lock(&lock);
	}
	g_mutex_unlock(&lock);
	return NULL;
}

/* Take v out of the table (lock held).  Returns v when it has no users,
 * for the caller to unmap once the lock is dropped; NULL otherwise (its
 * last put will). */
static struct shm_view *view_detach(struct shm_view *v)
{
	g_hash_table_remove(views, GINT_TO_POINTER(v->id));
	if (v->users) {
		v->stale = true;
		return NULL;
	}
	idle_views--;
	return v;
}

struct shm_view *shmview_get(const struct ipcfs_obj *o, const void *attach, int *file)
{
	struct shm_view *v, *old = NULL;
	int id = (int)o->id;
	struct statx x;
	int fd = view_file(id, (size_t)SHM(o)->size, attach, &x);

	if (ipcfs_ns_current()) {
		/* The table is by id, and ids are per namespace: a segment of
		 * ns/<inode>/ gets a view of its own, unmapped at its last put
		 * (no warmth kept; the sweeper could not check it either). */
		v = g_new0(struct shm_view, 1);
		v->id = id;
		v->size = (size_t)SHM(o)->size;
		v->stale = true;
		v->users = 1;
		if (fd >= 0)
			v->addr = view_map(fd, v->size);
		goto out;
	}
	g_mutex_lock(&lock);
	if (!views)
		views = g_hash_table_new(g_direct_hash, g_direct_equal);
	v = g_hash_table_lookup(views, GINT_TO_POINTER(id));
	if (v && (fd < 0 || !view_is_file(v, o, &x))) {
		old = view_detach(v);	/* another segment now, or no way to tell */
		v = NULL;
	}
	if (!v) {
		v = g_new0(struct shm_view, 1);
		v->id = id;
		v->size = (size_t)SHM(o)->size;
		v->key = o->key;
		v->cpid = SHM(o)->cpid;
		v->ctime = SHM(o)->ctime;
		if (fd >= 0) {
			v->has_born = x.stx_mask & STATX_BTIME;
			v->born = x.stx_btime;
			v->addr = view_map(fd, v->size);
		}
		g_hash_table_insert(views, GINT_TO_POINTER(id), v);
		idle_views++;	/* counted as idle until its first user, below */
	}
	if (!v->users++)
		idle_views--;
	g_mutex_unlock(&lock);
	view_unmap(old);
out:
	if (file)
		*file = v->addr ? fd : -1;
	if (fd >= 0 && (!file || !v->addr))
		close(fd);
	return v;
}

void shmview_put(struct shm_view *v)
{
	struct shm_view *old = NULL;

	g_mutex_lock(&lock);
	if (--v->users) {
		g_mutex_unlock(&lock);
		return;
	}
	if (!v->stale && v->addr && shmview_linger > 0 && !stopping && !sweeper)
		sweeper = helper_thread_new("ipcfs-shmview", sweeper_main, NULL, false);
	if (v->stale || !v->addr || shmview_linger <= 0 || stopping || !sweeper ||
	    idle_views >= IDLE_MAX) {
		if (!v->stale)
			g_hash_table_remove(views, GINT_TO_POINTER(v->id));
		old = v;
	} else {
		v->idle_since = g_get_monotonic_time();
		if (!idle_views++)
			g_cond_signal(&wake);
	}
	g_mutex_unlock(&lock);
	view_unmap(old);
}

void shmview_forget(int id)
{
	struct shm_view *v, *old = NULL;

	if (ipcfs_ns_current())
		return;	/* its views are its opens' own */
	g_mutex_lock(&lock);
	v = views ? g_hash_table_lookup(views, GINT_TO_POINTER(id)) : NULL;
	if (v)
		old = view_detach(v);
	g_mutex_unlock(&lock);
	view_unmap(old);
}

void shmview_shutdown(void)
{
	GThread *t;

	g_mutex_lock(&lock);
	stopping = true;
	g_cond_signal(&wake);
	t = sweeper;
	sweeper = NULL;
	g_mutex_unlock(&lock);
	if (t)
		g_thread_join(t);
	g_mutex_lock(&lock);
	if (views) {
		GHashTableIter it;
		gpointer value;

		g_hash_table_iter_init(&it, views);
		while (g_hash_table_iter_next(&it, NULL, &value)) {
			struct shm_view *v = value;

			g_hash_table_iter_steal(&it);
			if (v->users)
				v->stale = true;	/* an open file still uses it */
			else
				view_unmap(v);
		}
		g_hash_table_unref(views);
		views = NULL;
	}
	idle_views = 0;
	g_mutex_unlock(&lock);
}
