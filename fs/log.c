// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * log.c - the daemon's log (log_err, log_dbg in ipcfs.h): stderr while the
 * daemon has one (-f, -d, and before it daemonizes), syslog's daemon
 * facility once it runs in the background, where fuse_daemonize() has
 * pointed stderr at /dev/null.  libfuse's own messages (fuse_log) follow
 * the same way.
 */
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>
#include <fuse_log.h>

/* Set once in main() before any thread but the main one exists; only read
 * after. */
static bool to_syslog;

void log_write(int priority, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (to_syslog) {
		vsyslog(priority, fmt, ap);
	} else {
		g_autofree char *line = g_strdup_vprintf(fmt, ap);

		/* One write per line: lines of threads do not mix. */
		fprintf(stderr, "ipcfs: %s\n", line);
	}
	va_end(ap);
}

/* (libfuse's levels are syslog's priorities.) */
static void fuse_to_syslog(enum fuse_log_level level, const char *fmt, va_list ap)
{
	vsyslog((int)level, fmt, ap);
}

void log_to_syslog(void)
{
	/* LOG_NDELAY: connect now, as root in the daemon's own namespaces,
	 * not later in a thread acting with a caller's credentials. */
	openlog("ipcfs", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	fuse_set_log_func(fuse_to_syslog);
	to_syslog = true;
}
