// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * wait.c - blocking IPC calls that the caller can interrupt.
 *
 * A worker blocked in semop() or msgrcv() on behalf of a client must give
 * up when the client is interrupted (Ctrl-C) and when the daemon stops.
 * FUSE tells us about the interrupt through the callback registered with
 * fuse_req_interrupt_func(); the callback marks the wait and sends SIGUSR1
 * to the worker thread, whose no-op handler is installed without
 * SA_RESTART, so the system call returns EINTR having done nothing.
 *
 * The signal can arrive in the instant between the worker's last check and
 * its entering the system call, and then it is lost.  A watchdog thread
 * therefore re-sends it every few milliseconds to every wait that is
 * marked but not finished, and wakes every wait when the session ends.
 */
#include "util.h"

#include <errno.h>
#include <signal.h>
#include <string.h>

#define WAIT_SIGNAL SIGUSR1
#define WAIT_REKICK_US (5 * 1000)
#define WAIT_POLL_US (100 * 1000)

static GMutex lock;
static GCond cond;
static GList *waits;		/* struct ipcfs_wait*, all live waits */
static unsigned marked;		/* how many are interrupted and not done */
static bool stopping, started;
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
	if (!w->interrupted && !w->done) {
		w->interrupted = 1;
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
		if (!stopping && waits && session && fuse_session_exited(session))
			stopping = true;
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
		watchdog = g_thread_new("ipcfs-wait", watchdog_main, NULL);
	}
	g_mutex_unlock(&lock);
}

void wait_shutdown(void)
{
	g_mutex_lock(&lock);
	stopping = true;
	g_cond_signal(&cond);
	g_mutex_unlock(&lock);
	if (watchdog)
		g_thread_join(watchdog);
	watchdog = NULL;
}

int wait_begin(struct ipcfs_wait *w, fuse_req_t req)
{
	memset(w, 0, sizeof(*w));
	w->thread = pthread_self();
	w->req = req;
	g_mutex_lock(&lock);
	waits = g_list_prepend(waits, w);
	/* Wake the watchdog only when it sleeps with no timeout: a signal per
	 * operation costs a context switch each (measured: 2-3 per queue op). */
	if (watchdog_idle)
		g_cond_signal(&cond);
	g_mutex_unlock(&lock);
	/* Calls the callback at once if the interrupt came already. */
	fuse_req_interrupt_func(req, on_interrupt, w);
	return wait_cancelled(w) ? -EINTR : 0;
}

bool wait_cancelled(struct ipcfs_wait *w)
{
	return w->interrupted || stopping || fuse_req_interrupted(w->req);
}

bool wait_stopping(void)
{
	bool s;

	g_mutex_lock(&lock);
	s = stopping || (session && fuse_session_exited(session));
	g_mutex_unlock(&lock);
	return s;
}

void wait_end(struct ipcfs_wait *w)
{
	/* Unregister first: libfuse calls the callback under the request's
	 * lock, which this takes, so no callback runs after it returns. */
	fuse_req_interrupt_func(w->req, NULL, NULL);
	g_mutex_lock(&lock);
	if (w->interrupted && !w->done)
		marked--;
	w->done = 1;
	waits = g_list_remove(waits, w);
	if (stopping && !waits)
		g_cond_signal(&cond);
	g_mutex_unlock(&lock);
}
