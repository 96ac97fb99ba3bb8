// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * wait.c - blocking IPC calls that the caller can interrupt.
 *
 * A worker blocked in a system call (a P, a receive) on behalf of a client
 * must give up when the client is interrupted (Ctrl-C) and when the daemon
 * stops.
 * FUSE tells us about the interrupt through the callback registered with
 * fuse_req_interrupt_func(); the callback marks the wait and sends SIGUSR1
 * to the worker thread, whose no-op handler is installed without
 * SA_RESTART, so the system call returns EINTR having done nothing.
 *
 * The signal can arrive in the instant between the worker's last check and
 * its entering the system call, and then it is lost.  A watchdog thread
 * therefore re-sends it every few milliseconds to every wait that is
 * marked but not finished, and wakes every wait when the session ends.
 *
 * Each wait holds a worker thread, and workers are shared by every user of
 * the mount.  So waits are bounded: at most `wait_max_per_user` at once for
 * one person (-o max_waits=N; fs/ipcfs.h "shares": the uid behind a user namespace,
 * however many uids it maps), and never so many in all that fewer than
 * WAIT_RESERVE workers are left for requests that do not wait (listings,
 * one-value files, non-blocking sends).  A wait over either bound is
 * refused at once with EAGAIN, as the kernel refuses a user past a
 * resource limit (fork, RLIMIT_SIGPENDING).
 *
 * `lock` guards the list, the counters and every flag below; a wait's own
 * `interrupted`/`done` fields are written under it and read under it too,
 * except for the unlocked glance of wait_cancelled() (an atomic load: a
 * stale answer only costs one more retry, the watchdog signals again).
 */
#include "util.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WAIT_SIGNAL SIGUSR1
#define WAIT_REKICK_US (5 * 1000)
#define WAIT_POLL_US (100 * 1000)
/* After a wave of at least this many waits, the memory its worker threads
 * freed is handed back to the system (malloc_trim) this long after it. */
#define WAIT_WAVE_TRIM 64
#define WAIT_TRIM_DELAY_US (2 * G_USEC_PER_SEC)

static GMutex lock;	/* after libfuse's request lock (fs/ipcfs.h) */
static GCond cond;
static GList *waits;		/* struct ipcfs_wait*, all live waits */
static unsigned marked;		/* how many are interrupted and not done */
static unsigned nwaits;		/* g_list_length(waits) */
/* Live waits of each person: max_waits each, root too. */
static struct quota per_person;
static unsigned wave_peak;	/* most waits at once since the last trim */
static gint64 trim_due;		/* when a big wave ended: trim after a while */
unsigned wait_max_per_user = 256;
unsigned wait_max_total = 4096 - 256;
static bool stopping, started;
static gint stopping_flag;	/* = stopping, for wait_cancelled() without the lock */
static bool watchdog_idle;	/* waiting with no timeout: needs a signal */
static GThread *watchdog;
static struct fuse_session *session;

static void on_signal(int sig)
{
	(void)sig;
}

static void on_interrupt(fuse_req_t req, void *data)
{
	struct ipcfs_wait *w = data;

	(void)req;
	g_mutex_lock(&lock);
	if (!g_atomic_int_get(&w->interrupted) && !w->done) {
		g_atomic_int_set(&w->interrupted, 1);
		marked++;
		pthread_kill(w->thread, WAIT_SIGNAL);
		g_cond_signal(&cond);
	}
	g_mutex_unlock(&lock);
}

static gpointer watchdog_main(gpointer unused)
{
	(void)unused;
	g_mutex_lock(&lock);
	for (;;) {
		if (!stopping && waits && session && fuse_session_exited(session)) {
			stopping = true;
			g_atomic_int_set(&stopping_flag, 1);
		}
		if (stopping) {
			for (GList *l = waits; l; l = l->next) {
				struct ipcfs_wait *w = l->data;

				if (!w->done)
					pthread_kill(w->thread, WAIT_SIGNAL);
			}
			if (!waits)
				break;
		} else if (marked) {
			for (GList *l = waits; l; l = l->next) {
				struct ipcfs_wait *w = l->data;

				if (w->interrupted && !w->done)
					pthread_kill(w->thread, WAIT_SIGNAL);
			}
		}
		if (stopping || marked)
			g_cond_wait_until(&cond, &lock,
					  g_get_monotonic_time() + WAIT_REKICK_US);
		else if (waits)	/* notice the session ending */
			g_cond_wait_until(&cond, &lock,
					  g_get_monotonic_time() + WAIT_POLL_US);
		else {
			watchdog_idle = true;
			g_cond_wait(&cond, &lock);
			watchdog_idle = false;
		}
	}
	g_mutex_unlock(&lock);
	return NULL;
}

void wait_init(struct fuse_session *se)
{
	struct sigaction sa;

	session = se;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;	/* no SA_RESTART: blocked calls return EINTR */
	sigaction(WAIT_SIGNAL, &sa, NULL);
	g_mutex_lock(&lock);
	if (!started) {
		started = true;
		watchdog = helper_thread_new("ipcfs-wait", watchdog_main, NULL, true);
	}
	g_mutex_unlock(&lock);
}

void wait_shutdown(void)
{
	g_mutex_lock(&lock);
	stopping = true;
	g_atomic_int_set(&stopping_flag, 1);
	g_cond_signal(&cond);
	g_mutex_unlock(&lock);
	if (watchdog)
		g_thread_join(watchdog);
	watchdog = NULL;
}

int wait_begin(struct ipcfs_call *call)
{
	struct ipcfs_wait *w = &call->wait;
	fuse_req_t req = call->req;

	memset(w, 0, sizeof(*w));
	w->thread = pthread_self();
	w->person = quota_person_of(fuse_req_ctx(req)->pid, fuse_req_ctx(req)->uid);
	g_mutex_lock(&lock);
	per_person.per_person = wait_max_per_user;
	if (nwaits >= wait_max_total || !quota_take(&per_person, w->person)) {
		g_mutex_unlock(&lock);
		log_dbg("wait refused for person %#" G_GINT64_MODIFIER "x: %u of theirs, %u in all",
			w->person, quota_held(&per_person, w->person), nwaits);
		w->done = 1;	/* never registered: wait_end has nothing to undo */
		return -EAGAIN;
	}
	nwaits++;
	wave_peak = MAX(wave_peak, nwaits);
	w->registered = 1;
	waits = g_list_prepend(waits, w);
	/* Wake the watchdog only when it sleeps with no timeout: a signal per
	 * operation costs a context switch each (measured: 2-3 per queue op). */
	if (watchdog_idle)
		g_cond_signal(&cond);
	g_mutex_unlock(&lock);
	/* Calls the callback at once if the interrupt came already. */
	fuse_req_interrupt_func(req, on_interrupt, w);
	return wait_cancelled(call) ? -EINTR : 0;
}

bool wait_cancelled(struct ipcfs_call *call)
{
	return g_atomic_int_get(&call->wait.interrupted) || g_atomic_int_get(&stopping_flag) ||
	       fuse_req_interrupted(call->req);
}

bool wait_trim_due(void)
{
	bool due;

	g_mutex_lock(&lock);
	due = trim_due && g_get_monotonic_time() >= trim_due;
	if (due)
		trim_due = 0;
	g_mutex_unlock(&lock);
	return due;
}

bool wait_stopping(void)
{
	bool s;

	g_mutex_lock(&lock);
	s = stopping || (session && fuse_session_exited(session));
	g_mutex_unlock(&lock);
	return s;
}

void wait_end(struct ipcfs_call *call)
{
	struct ipcfs_wait *w = &call->wait;

	if (!w->registered)
		return;	/* refused by wait_begin */
	/* Unregister first: libfuse calls the callback under the request's
	 * lock, which this takes, so no callback runs after it returns. */
	fuse_req_interrupt_func(call->req, NULL, NULL);
	g_mutex_lock(&lock);
	if (w->interrupted && !w->done)
		marked--;
	w->done = 1;
	waits = g_list_remove(waits, w);
	nwaits--;
	if (!nwaits && wave_peak >= WAIT_WAVE_TRIM) {
		/* The wave's workers exit once idle; give back what they
		 * freed a little later (wait_trim_due). */
		trim_due = g_get_monotonic_time() + WAIT_TRIM_DELAY_US;
		wave_peak = 0;
	}
	quota_give(&per_person, w->person);
	if (stopping && !waits)
		g_cond_signal(&cond);
	g_mutex_unlock(&lock);
}

/*
 * A client killed while it waits in the daemon cannot be answered any more,
 * but the kernel does not tell: the dying process waits (uninterruptibly)
 * for the reply, and the interrupt that its SIGKILL sends may arrive after
 * the operation succeeded.  What kill(2) leaves at once is a pending
 * SIGKILL on every thread of the process, before kill returns: so when an
 * operation that waited succeeds, a SIGKILL pending for the caller (or the
 * caller gone) means it will never see the result, and the result is given
 * back.  One /proc read, only after a wait.
 */
bool wait_caller_dying(struct ipcfs_call *call)
{
	fuse_req_t req = call->req;
	g_autofree char *text = status_read(fuse_req_ctx(req)->pid);
	const char *state;
	uint64_t mask;

	if (!text)
		return true;	/* gone */
	/* SigPnd: (the thread's) and ShdPnd: (the process's) */
	if ((!status_number(text, "SigPnd", 16, 0, &mask) && (mask & (1ULL << (SIGKILL - 1)))) ||
	    (!status_number(text, "ShdPnd", 16, 0, &mask) && (mask & (1ULL << (SIGKILL - 1)))))
		return true;
	state = status_line(text, "State");
	return fuse_req_interrupted(req) && state && state[strspn(state, " \t")] == 'Z';
}
