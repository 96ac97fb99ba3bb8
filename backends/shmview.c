// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * shmview.c - warm mappings of segments, shared by the opens of `data`
 * (see shmview.h for why).
 *
 * A table id -> view under one lock.  A view with users is never unmapped;
 * an unused one is unmapped by the sweeper thread once it has lingered
 * long enough or its segment is gone (checked every second with
 * IPC_STAT), by shmview_forget() when ipcfs removes the segment, or when
 * a later open finds a different segment under the same id.
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

double shmview_linger = 60;

static GMutex lock;
static GCond wake;
static GHashTable *views;	/* int id -> struct shm_view * */
static unsigned idle_views;	/* views with no users: the sweeper's work */
static GThread *sweeper;
static bool stopping;

static void view_unmap(gpointer p)
{
	struct shm_view *v = p;

	if (v->addr)
		munmap(v->addr, v->size);
	g_free(v);
}

/* Map the memory behind this process's attachment at `attach`: the
 * segment's file, reached through /proc/self/map_files (which needs
 * CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE; without it there is no view).
 * The file is opened afresh, so the view is a plain shared mapping of it,
 * not a System V attachment. */
static char *view_map(const struct ipcfs_obj *o, const void *attach)
{
	size_t size = (size_t)o->u.shm.size;
	uintptr_t start = (uintptr_t)attach;
	uintptr_t end = start + ((size + (size_t)sysconf(_SC_PAGESIZE) - 1) &
				 ~((size_t)sysconf(_SC_PAGESIZE) - 1));
	char path[64];
	struct stat st;
	void *addr;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/map_files/%" PRIxPTR "-%" PRIxPTR, start, end);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	/* The kernel numbers a segment's file with its id. */
	if (fstat(fd, &st) || st.st_ino != (ino_t)o->id || (uint64_t)st.st_size < size) {
		close(fd);
		return NULL;
	}
	addr = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
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
			    shmctl(v->id, IPC_STAT, &ds) == 0)
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

/* Take v out of the table (lock held); unmapped now if unused. */
static void view_detach(struct shm_view *v)
{
	g_hash_table_remove(views, GINT_TO_POINTER(v->id));
	if (v->users) {
		v->stale = true;
	} else {
		idle_views--;
		view_unmap(v);
	}
}

struct shm_view *shmview_get(const struct ipcfs_obj *o, const void *attach)
{
	struct shm_view *v;

	g_mutex_lock(&lock);
	if (!views)
		views = g_hash_table_new(g_direct_hash, g_direct_equal);
	v = g_hash_table_lookup(views, GINT_TO_POINTER((int)o->id));
	/* An id names one segment until it is removed and its slot has been
	 * reused some 65,000 times; key, creator and size guard the rest. */
	if (v && (v->size != (size_t)o->u.shm.size || v->key != o->key || v->cpid != o->u.shm.cpid)) {
		view_detach(v);
		v = NULL;
	}
	if (!v) {
		v = g_new0(struct shm_view, 1);
		v->id = (int)o->id;
		v->size = (size_t)o->u.shm.size;
		v->key = o->key;
		v->cpid = o->u.shm.cpid;
		v->addr = view_map(o, attach);
		g_hash_table_insert(views, GINT_TO_POINTER(v->id), v);
		idle_views++;	/* counted as idle until its first user, below */
	}
	if (!v->users++)
		idle_views--;
	g_mutex_unlock(&lock);
	return v;
}

void shmview_put(struct shm_view *v)
{
	g_mutex_lock(&lock);
	if (--v->users) {
		g_mutex_unlock(&lock);
		return;
	}
	if (v->stale || !v->addr || shmview_linger <= 0 || stopping) {
		if (!v->stale)
			g_hash_table_remove(views, GINT_TO_POINTER(v->id));
		view_unmap(v);
	} else {
		v->idle_since = g_get_monotonic_time();
		if (!idle_views++) {
			if (!sweeper)
				sweeper = g_thread_new("ipcfs-shmview", sweeper_main, NULL);
			g_cond_signal(&wake);
		}
	}
	g_mutex_unlock(&lock);
}

void shmview_forget(int id)
{
	struct shm_view *v;

	g_mutex_lock(&lock);
	v = views ? g_hash_table_lookup(views, GINT_TO_POINTER(id)) : NULL;
	if (v)
		view_detach(v);
	g_mutex_unlock(&lock);
}

bool shmview_in_use(int id)
{
	struct shm_view *v;
	bool used;

	g_mutex_lock(&lock);
	v = views ? g_hash_table_lookup(views, GINT_TO_POINTER(id)) : NULL;
	used = v && v->users;
	g_mutex_unlock(&lock);
	return used;
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
