// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * evict.c - asking the kernel to let go of old interned names.
 */
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

/*
 * Interned nodes (an inode per lookup of a file that may block, message
 * types past the direct range) live until the kernel forgets them, and it
 * forgets only under memory pressure.  Past EVICT_KEEP live ones, a
 * thread of its own asks the kernel to drop the oldest names
 * (notify_inval_entry cannot be sent from a request's own thread: the
 * kernel may hold the directory's lock for that request); their forget
 * then frees them.  Names still open stay until closed.
 */
#define EVICT_KEEP 1024
#define EVICT_PERIOD_US (50 * 1000)
#define EVICT_QUIET_PERIODS 20	/* 1 s without new names */
#define EVICT_IDLE_KEEP 64
#define EVICT_BATCH 1024
#define EVICT_FREED_PERIODS 4	/* trim once forgets stopped for 0.2 s */

static struct fuse_session *evict_se;
static GThread *evictor;
static GMutex evict_lock;	/* a leaf (order: fs/ipcfs.h) */
static GCond evict_cond;
static bool stopping;

static gpointer evict_main(gpointer unused)
{
	g_autoptr(GArray) batch = g_array_new(FALSE, FALSE, sizeof(struct node_evict));
	unsigned n, last = 0, idle = 0;	/* idle: periods with no new names */
	int freed_ago = -1;	/* periods since names were last freed; -1: none since a trim */
	bool trim = false, swept = false;
	size_t keep;

	(void)unused;
	g_mutex_lock(&evict_lock);
	while (!stopping) {
		g_cond_wait_until(&evict_cond, &evict_lock, g_get_monotonic_time() + EVICT_PERIOD_US);
		if (stopping)
			break;
		n = node_interned_count();
		if (n > last) {
			idle = 0;
			swept = false;
		} else if (idle < UINT_MAX) {
			idle++;
		}
		/* The kernel's forgets free names whenever it sends them, after
		 * we asked: count the periods since the last ones. */
		if (n < last)
			freed_ago = 0;
		else if (freed_ago >= 0)
			freed_ago++;
		last = n;
		/* A wave of blocked workers, or of dropped names, freed many
		 * small blocks: once it is over, give the pages back. */
		if (wait_trim_due() || (trim && idle > EVICT_QUIET_PERIODS) ||
		    freed_ago == EVICT_FREED_PERIODS) {
			g_mutex_unlock(&evict_lock);
			malloc_trim(0);
			g_mutex_lock(&evict_lock);
			trim = false;
			freed_ago = -1;
		}
		/* Many: down to half.  More than a few, and no new ones for a
		 * while: all, once (the kernel keeps those still in use). */
		if (n > EVICT_KEEP)
			keep = EVICT_KEEP / 2;
		else if (n > EVICT_IDLE_KEEP && idle > EVICT_QUIET_PERIODS && !swept)
			keep = 0, swept = true;
		else
			continue;
		g_mutex_unlock(&evict_lock);
		/* In rounds of EVICT_BATCH: the batch array keeps its size. */
		while (node_evict_take(keep, EVICT_BATCH, batch)) {
			for (guint i = 0; i < batch->len; i++) {
				struct node_evict *ev = &g_array_index(batch, struct node_evict, i);

				fuse_lowlevel_notify_inval_entry(evict_se, ev->parent, ev->name,
								 strlen(ev->name));
				g_free(ev->name);
			}
			log_dbg("asked the kernel to drop %u names", batch->len);
			g_array_set_size(batch, 0);
		}
		g_mutex_lock(&evict_lock);
		trim = true;
	}
	g_mutex_unlock(&evict_lock);
	return NULL;
}

void evict_start(struct fuse_session *se)
{
	evict_se = se;
	stopping = false;
	evictor = helper_thread_new("ipcfs-evict", evict_main, NULL, true);
}

void evict_stop(void)
{
	if (!evictor)
		return;
	g_mutex_lock(&evict_lock);
	stopping = true;
	g_cond_signal(&evict_cond);
	g_mutex_unlock(&evict_lock);
	g_thread_join(evictor);
	evictor = NULL;
}
