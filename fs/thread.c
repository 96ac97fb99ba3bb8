// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * thread.c - the daemon's own helper threads (the waiter's watchdog, the
 * evictor, the poller, the shared views' sweeper) never take the signals
 * that stop it.
 *
 * A SIGTERM sent to the daemon goes to any one of its threads that does
 * not block it.  libfuse's handler only marks the session as ended; the
 * threads that act on that are the main one (in sem_wait) and the workers
 * (in read() of /dev/fuse), whose calls the signal interrupts.  Taken by a
 * helper, the signal woke none of them and the daemon never stopped.  The
 * kernel gives a process's signal to another thread when the main one is
 * stopped, as under strace -f at each system call: package.sh's trace of
 * the unit hung 1 run in 4 that way.
 */
#include "util.h"

#include <signal.h>

GThread *helper_thread_new(const char *name, GThreadFunc fn, gpointer data, bool required)
{
	g_autoptr(GError) err = NULL;
	sigset_t stop, old;
	GThread *t;

	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGHUP);
	sigaddset(&stop, SIGPIPE);
	/* The new thread starts with the mask of the one creating it. */
	pthread_sigmask(SIG_BLOCK, &stop, &old);
	t = g_thread_try_new(name, fn, data, &err);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!t && required)
		g_error("cannot start thread %s: %s", name, err->message);	/* as g_thread_new */
	return t;
}
