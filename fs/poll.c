// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * poll.c - poll(2), select(2) and epoll on live files (queues, semaphores).
 *
 * The kernel gives a process outside it nothing to sleep on for a System V
 * object: no event says that a message was sent or a semaphore changed.  So
 * readiness is looked at, not waited for:
 *
 *   1. A FUSE_POLL request is answered at once with what the row's
 *      ->ready() says now.  When the answer is "nothing" and the kernel has
 *      a waiter (it sets FUSE_POLL_SCHEDULE_NOTIFY, and libfuse hands us a
 *      poll handle), the handle is kept in `entries`, one per open file: a
 *      newer handle for the same file replaces the older, keeping the
 *      events both asked for, since one notification wakes every waiter of
 *      that file and each of them asks again.
 *   2. The poller thread looks at every kept handle every POLL_TICK_US, or
 *      less often when a pass over them takes more than 1/POLL_DUTY of
 *      that (many handles: latency grows, not cost).  When something asked
 *      for is true (or the object is gone), it notifies the kernel and
 *      drops the handle; the kernel wakes the waiters, which ask again
 *      (step 1) and get the answer.
 *   3. A handle kept POLL_LEASE_US is notified and dropped even so.  A
 *      waiter still there just asks again (one more round trip per lease);
 *      a handle nobody waits on any more (a poll(2) that timed out, an fd
 *      left in an epoll set nobody waits on) stops costing checks.
 *
 * An answer that is not "nothing" is notified at once as well, after the
 * reply, and no handle is kept.  poll(2) and level-triggered epoll do not
 * need it (they ask again anyway), but edge-triggered epoll does: it asks
 * again only when woken, so after a reader emptied the queue nothing would
 * ever ask, and no handle would be kept to tell it of the next message.
 * Woken, it asks once more after the reader has emptied the queue, and that
 * "nothing" answer keeps a handle.
 *
 * With no handle kept the poller sleeps on `wake` with no timeout: when
 * nobody polls, polling costs nothing.
 *
 * Locking: `lock` guards `entries`, every entry, `poller` and `stopping`.
 * The poller checks readiness without it (a check is system calls); an entry
 * being checked is marked `busy`, and poll_forget() waits on `idle` until it
 * is not, so that an open file is never freed under a check.  Handles are
 * notified and destroyed outside the lock, once out of `entries`.
 */
#include "ns.h"
#include "ops.h"
#include "util.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <time.h>

/* How often the poller looks at each kept handle: a wake-up comes on
 * average half of it after the event (see README, "Readiness"). */
#define POLL_TICK_US (2 * 1000)
/* At least this many times as long as a pass took (in CPU time) between
 * passes: with many files polled, latency grows instead of cost. */
#define POLL_DUTY 25
/* How long a handle is kept before it is notified anyway. */
#define POLL_LEASE_US (10 * G_USEC_PER_SEC)
/* What a file with no ->ready() answers, as the kernel does for files
 * that cannot poll: always readable and writable. */
#define POLL_ALWAYS (POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM)
/* Reported whether asked for or not, as poll(2) does. */
#define POLL_ALWAYS_ASKED (POLLERR | POLLHUP)

struct poll_entry {
	struct ipcfs_fh *fh;		/* the open file (key of `entries`) */
	struct fuse_pollhandle *ph;	/* the latest handle for it */
	unsigned events;		/* asked for since the last notification */
	gint64 since;			/* when ph came (monotonic us) */
	unsigned gen;			/* counts handles: a check of an older one is void */
	bool busy;			/* the poller is checking it, without the lock */
};

/* One entry as the poller checks it, copied under the lock. */
struct poll_check {
	struct poll_entry *e;
	unsigned events, gen, ready;
};

static GMutex lock;	/* a leaf (order: fs/ipcfs.h) */
static GCond wake;		/* the poller: a first handle came, or stop */
static GCond idle;		/* poll_forget(): a check ended */
static GHashTable *entries;	/* struct ipcfs_fh * -> struct poll_entry * */
static GThread *poller;
static bool stopping;

static void notify_destroy(struct fuse_pollhandle *ph)
{
	/* ENOENT: the file was closed meanwhile; nothing waits any more. */
	int r = fuse_lowlevel_notify_poll(ph);

	if (r && r != -ENOENT)
		log_dbg("poll: notify: %s", g_strerror(-r));
	fuse_pollhandle_destroy(ph);
}

/*
 * One pass: copy the entries to check and mark them busy, check them
 * without the lock, then take the ready and expired ones out.  Returns
 * with the lock held, as called.
 */
static void poll_pass(void)
{
	g_autoptr(GArray) batch = g_array_new(FALSE, FALSE, sizeof(struct poll_check));
	g_autoptr(GPtrArray) fire = g_ptr_array_new();
	GHashTableIter it;
	gpointer v;
	gint64 now;

	g_hash_table_iter_init(&it, entries);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		struct poll_entry *e = v;
		struct poll_check c = { .e = e, .events = e->events, .gen = e->gen };

		e->busy = true;
		g_array_append_val(batch, c);
	}
	g_mutex_unlock(&lock);
	for (guint i = 0; i < batch->len; i++) {
		struct poll_check *c = &g_array_index(batch, struct poll_check, i);
		struct ipcfs_fh *fh = c->e->fh;

		/* In the namespace the file acts in (held by it: release
		 * waits for this check). */
		if (ns_enter(open_file_of(fh)->ns)) {
			c->ready = POLLERR | POLLHUP;
			continue;
		}
		c->ready = fh->file->ready(fh, c->events) & c->events;
		ns_leave(open_file_of(fh)->ns);
	}
	now = g_get_monotonic_time();
	g_mutex_lock(&lock);
	for (guint i = 0; i < batch->len; i++) {
		struct poll_check *c = &g_array_index(batch, struct poll_check, i);
		struct poll_entry *e = c->e;

		e->busy = false;
		/* A newer handle came during the check: its events may differ,
		 * so it waits for the next pass. */
		if (e->gen != c->gen)
			continue;
		if (!c->ready && now - e->since < POLL_LEASE_US)
			continue;
		g_ptr_array_add(fire, e->ph);
		g_hash_table_remove(entries, e->fh);
		g_free(e);
	}
	g_cond_broadcast(&idle);
	if (!fire->len)
		return;
	g_mutex_unlock(&lock);
	for (guint i = 0; i < fire->len; i++)
		notify_destroy(fire->pdata[i]);
	g_mutex_lock(&lock);
}

/* CPU time of the calling thread, in us (not wall time: a pass that was
 * preempted did not cost more). */
static gint64 thread_cpu_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (gint64)ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

static gpointer poller_main(gpointer unused)
{
	(void)unused;
	g_mutex_lock(&lock);
	while (!stopping) {
		gint64 start, pause;

		if (!g_hash_table_size(entries)) {
			g_cond_wait(&wake, &lock);
			continue;
		}
		start = thread_cpu_us();
		poll_pass();
		/* POLL_TICK_US, or POLL_DUTY times the CPU time the pass took
		 * if that is longer: however many files are polled, polling
		 * takes at most 1 / (1 + POLL_DUTY) of a CPU. */
		pause = MAX(POLL_TICK_US, POLL_DUTY * (thread_cpu_us() - start));
		if (!stopping && g_hash_table_size(entries))
			g_cond_wait_until(&wake, &lock, g_get_monotonic_time() + pause);
	}
	g_mutex_unlock(&lock);
	return NULL;
}

/* Keep ph for fh until something in `events` is true.  Takes ph. */
static void poll_keep(struct ipcfs_fh *fh, struct fuse_pollhandle *ph, unsigned events)
{
	struct fuse_pollhandle *old = NULL;
	struct poll_entry *e;

	g_mutex_lock(&lock);
	if (stopping) {
		g_mutex_unlock(&lock);
		fuse_pollhandle_destroy(ph);
		return;
	}
	if (!entries)
		entries = g_hash_table_new(g_direct_hash, g_direct_equal);
	e = g_hash_table_lookup(entries, fh);
	if (e) {
		old = e->ph;
		e->events |= events;
	} else {
		e = g_new0(struct poll_entry, 1);
		e->fh = fh;
		e->events = events;
		g_hash_table_insert(entries, fh, e);
		if (g_hash_table_size(entries) == 1)
			g_cond_signal(&wake);
	}
	e->ph = ph;
	e->since = g_get_monotonic_time();
	e->gen++;
	if (!poller)
		poller = helper_thread_new("ipcfs-poll", poller_main, NULL, true);
	g_mutex_unlock(&lock);
	if (old)
		fuse_pollhandle_destroy(old);
}

void op_poll(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi,
	     struct fuse_pollhandle *ph)
{
	struct ipcfs_fh *fh = (struct ipcfs_fh *)(uintptr_t)fi->fh;
	/* Kernels before FUSE 7.21 do not say what the waiter asks for. */
	unsigned events = fi->poll_events ? fi->poll_events : POLL_ALWAYS | POLLPRI;
	const char *what = ph ? "notified" : "";
	unsigned ready;

	if (!fh->file || !fh->file->ready) {
		/* Like a regular file: ready, and never a wake-up. */
		ready = POLL_ALWAYS;
		if (ph)
			fuse_pollhandle_destroy(ph);
		ph = NULL;
		what = "";
	} else {
		events |= POLL_ALWAYS_ASKED;
		ready = fh->file->ready(fh, events) & events;
		if (!ready && ph) {
			poll_keep(fh, ph, events);
			ph = NULL;
			what = "kept";
		}
	}
	log_dbg("poll %#lx events %#x -> %#x %s", (unsigned long)ino, events, ready, what);
	/* fh may be released once the reply is out: only ph from here on. */
	fuse_reply_poll(req, ready);
	if (ph)
		notify_destroy(ph);
}

void poll_forget(struct ipcfs_fh *fh)
{
	struct fuse_pollhandle *ph = NULL;
	struct poll_entry *e;

	g_mutex_lock(&lock);
	while (entries && (e = g_hash_table_lookup(entries, fh)) && e->busy)
		g_cond_wait(&idle, &lock);
	if (entries && (e = g_hash_table_lookup(entries, fh))) {
		ph = e->ph;
		g_hash_table_remove(entries, fh);
		g_free(e);
	}
	g_mutex_unlock(&lock);
	/* Released: nothing polls this file any more, so no notification. */
	if (ph)
		fuse_pollhandle_destroy(ph);
}

void poll_shutdown(void)
{
	GHashTableIter it;
	gpointer v;

	g_mutex_lock(&lock);
	stopping = true;
	g_cond_signal(&wake);
	g_mutex_unlock(&lock);
	if (poller)
		g_thread_join(poller);
	poller = NULL;
	if (!entries)
		return;
	g_hash_table_iter_init(&it, entries);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		struct poll_entry *e = v;

		fuse_pollhandle_destroy(e->ph);
		g_free(e);
	}
	g_hash_table_destroy(entries);
	entries = NULL;
}
