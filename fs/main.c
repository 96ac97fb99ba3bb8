// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * main.c - options, namespace, mount and the session loop.
 *
 *   ipcfs [-f] [-d] [-o opt[,opt...]] MOUNTPOINT
 *   mount -t fuse.ipcfs ipcfs MOUNTPOINT -o ...      (mount.fuse3 adds the source)
 *
 * Setup unwinds through labels in reverse order.  Start-up errors exit with
 * a message; nothing a client does later can make the daemon exit.
 */
#include "ns.h"
#include "ops.h"
#include "tree.h"
#include "userns.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The one source is the file VERSION; the Makefile passes it in. */
#ifndef IPCFS_VERSION
#error "IPCFS_VERSION is not set: build with make (it reads the file VERSION)"
#endif

/* Worker threads: every blocked operation holds one, so allow many, and
 * keep WORKERS_RESERVE of them for requests that never wait (wait.c). */
#define WORKERS_MAX 4096
#define WORKERS_RESERVE 256
/* Idle workers kept: the rest exit, so a wave of blocked operations that
 * ended leaves at most this many behind.  libfuse ends a worker as soon
 * as it finds more idle ones than this, and creates one whenever none is
 * idle: with 4 or 16, a single client's small operations paid for thread
 * churn (12-15% slower, measured); with 64 they do not. */
#define WORKERS_IDLE 64


enum { KEY_HELP, KEY_VERSION, KEY_RO, KEY_ALLOW_OTHER, KEY_MAX_THREADS };

#define MAIN_OPT(t, p) { t, offsetof(struct ipcfs_opts, p), 1 }

static const struct fuse_opt main_opts[] = {
	MAIN_OPT("ns=%s", ns),
	MAIN_OPT("timeout=%s", timeout_str),
	MAIN_OPT("max_waits=%s", max_waits_str),
	MAIN_OPT("no_passthrough", no_passthrough),
	FUSE_OPT_KEY("ro", KEY_RO),
	FUSE_OPT_KEY("allow_other", KEY_ALLOW_OTHER),
	FUSE_OPT_KEY("-h", KEY_HELP),
	FUSE_OPT_KEY("--help", KEY_HELP),
	FUSE_OPT_KEY("-V", KEY_VERSION),
	FUSE_OPT_KEY("--version", KEY_VERSION),
	/* Words that only mean something to mount(8) and fstab. */
	FUSE_OPT_KEY("auto", FUSE_OPT_KEY_DISCARD),
	FUSE_OPT_KEY("noauto", FUSE_OPT_KEY_DISCARD),
	FUSE_OPT_KEY("user", FUSE_OPT_KEY_DISCARD),
	FUSE_OPT_KEY("nouser", FUSE_OPT_KEY_DISCARD),
	FUSE_OPT_KEY("users", FUSE_OPT_KEY_DISCARD),
	FUSE_OPT_KEY("_netdev", FUSE_OPT_KEY_DISCARD),
	FUSE_OPT_KEY("nofail", FUSE_OPT_KEY_DISCARD),
	FUSE_OPT_KEY("defaults", FUSE_OPT_KEY_DISCARD),
	/* mount.fuse3 adds "dev,suid" unless told otherwise (so mount(8)
	 * and fstab lines would allow device files and setuid programs):
	 * an IPC view has neither, mounted by any route.  libfuse mounts
	 * nosuid,nodev when nothing says the contrary. */
	FUSE_OPT_KEY("suid", FUSE_OPT_KEY_DISCARD),
	FUSE_OPT_KEY("dev", FUSE_OPT_KEY_DISCARD),
	/* Workers: see WORKERS_MAX; libfuse's default (10) would let ten
	 * blocked operations stop the mount. */
	FUSE_OPT_KEY("max_threads=", KEY_MAX_THREADS),
	FUSE_OPT_END
};

struct cmdline {
	GPtrArray *nonopts;	/* [source] mountpoint */
	bool help, version;
	bool allow_other;	/* given: not added again */
};

static struct cmdline cl;

static int main_opt_proc(void *data, const char *arg, int key, struct fuse_args *outargs)
{
	(void)data, (void)outargs;
	switch (key) {
	case FUSE_OPT_KEY_NONOPT:
		g_ptr_array_add(cl.nonopts, g_strdup(arg));
		return 0;
	case KEY_RO:
		ipcfs_opts.ro = 1;
		return 1;	/* libfuse mounts read-only too */
	case KEY_ALLOW_OTHER:
		cl.allow_other = true;
		return 1;	/* libfuse's own option */
	case KEY_HELP:
		cl.help = true;
		return 0;
	case KEY_VERSION:
		cl.version = true;
		return 0;
	case KEY_MAX_THREADS:
		fprintf(stderr, "ipcfs: %s: ignored: every blocked operation holds a worker, so "
			"ipcfs allows up to %d (max_waits= bounds the blocked ones)\n", arg,
			WORKERS_MAX);
		return 0;
	}
	return 1;
}

static int keep_opt_proc(void *data, const char *arg, int key, struct fuse_args *outargs)
{
	(void)data, (void)arg, (void)key, (void)outargs;
	return 1;
}

static void usage(const char *prog)
{
	printf("usage: %s [options] MOUNTPOINT\n\n"
	       "Shows the IPC objects of an IPC namespace as files.\n\n"
	       "ipcfs options:\n"
	       "    -o ns=PATH             serve the IPC namespace at PATH (/proc/PID/ns/ipc)\n"
	       "    -o timeout=SECONDS     kernel cache time for names and attributes (1)\n"
	       "    -o ro                  read-only: nothing created, changed, sent or received\n"
	       "    -o max_waits=N         blocked operations one user may have at once (256)\n"
	       "    -o no_passthrough      serve data through the daemon, never FUSE passthrough\n"
	       "                           (then no mmap of data)\n",
	       prog);
	for (const struct ipcfs_backend *const *b = ipcfs_backends; *b; b++)
		if ((*b)->opts_help)
			fputs((*b)->opts_help, stdout);
	/* libfuse's fuse_cmdline_help() would list max_threads, which ipcfs
	 * ignores, and defaults that are not ipcfs's: its options, as ipcfs
	 * takes them. */
	printf("\n"
	       "    -h   --help            print help\n"
	       "    -V   --version         print version\n"
	       "    -d   -o debug          enable debug output (implies -f)\n"
	       "    -f                     foreground operation\n"
	       "    -s                     single-threaded (one blocked operation stops the mount)\n"
	       "    -o clone_fd            use separate fuse device fd for each thread\n"
	       "    -o max_idle_threads=N  idle worker threads kept (%d)\n"
	       "\n", WORKERS_IDLE);
	fuse_lowlevel_help();
}

/* ipcfs's own options, as soon as they are parsed. */
static int check_opts(void)
{
	uint64_t n;

	if (ipcfs_opts.timeout_str && parse_seconds(ipcfs_opts.timeout_str, &ipcfs_opts.timeout)) {
		fprintf(stderr, "ipcfs: timeout=%s: want seconds between 0 and 86400\n",
			ipcfs_opts.timeout_str);
		return -EINVAL;
	}
	if (ipcfs_opts.max_waits_str) {
		if (parse_u64(ipcfs_opts.max_waits_str, false, &n) || n < 1 ||
		    n > WORKERS_MAX - WORKERS_RESERVE) {
			fprintf(stderr, "ipcfs: max_waits=%s: want 1 to %u\n",
				ipcfs_opts.max_waits_str, WORKERS_MAX - WORKERS_RESERVE);
			return -EINVAL;
		}
		wait_max_per_user = (unsigned)n;
	}
	return 0;
}

/* The kinds' options, then their start-up work, once the served
 * namespace is joined (what a kind opens at start may be the namespace's:
 * posix/'s /dev/shm). */
static int start_kinds(void)
{
	const struct ipcfs_backend *const *b;

	for (b = ipcfs_backends; *b; b++)
		if ((*b)->opts_check && (*b)->opts_check())
			return -EINVAL;
	for (b = ipcfs_backends; *b; b++)
		if ((*b)->init && (*b)->init(*b))
			return -EINVAL;
	return 0;
}

/* Join the IPC namespace at `path` before any thread exists. */
static int join_ns(const char *path)
{
	int fd = file_open(path, O_RDONLY);

	if (fd < 0) {
		fprintf(stderr, "ipcfs: ns=%s: %s\n", path, g_strerror(-fd));
		return -1;
	}
	if (setns(fd, CLONE_NEWIPC)) {
		int e = errno;

		fprintf(stderr, "ipcfs: ns=%s: %s\n", path,
			e == EINVAL ? "not an IPC namespace" :
			e == EPERM ? "not allowed to join that IPC namespace" : g_strerror(e));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

int main(int argc, char *argv[])
{
	struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
	struct fuse_cmdline_opts cmd = { 0 };
	struct fuse_loop_config *cfg = NULL;
	struct fuse_session *se;
	int ret = 1;

	cl.nonopts = g_ptr_array_new_with_free_func(g_free);
	if (fuse_opt_parse(&args, &ipcfs_opts, main_opts, main_opt_proc))
		goto out_args;
	for (const struct ipcfs_backend *const *b = ipcfs_backends; *b; b++)
		if ((*b)->opts && fuse_opt_parse(&args, (*b)->opts_data, (*b)->opts, keep_opt_proc))
			goto out_args;
	if (cl.help) {
		usage(argv[0]);
		ret = 0;
		goto out_args;
	}
	if (cl.version) {
		/* Line by line: fusermount3 --version, run by libfuse, writes
		 * the last line itself. */
		setvbuf(stdout, NULL, _IOLBF, 0);
		/* The libfuse of the headers and the one loaded can differ. */
		printf("ipcfs version %s\n"
		       "libfuse %d.%d at build time (FUSE_USE_VERSION %d), %s at run time\n",
		       IPCFS_VERSION, FUSE_MAJOR_VERSION, FUSE_MINOR_VERSION, FUSE_USE_VERSION,
		       fuse_pkgversion());
		fuse_lowlevel_version();
		ret = 0;
		goto out_args;
	}
	if (cl.nonopts->len < 1 || cl.nonopts->len > 2) {
		fprintf(stderr, "usage: %s [options] MOUNTPOINT (see -h)\n", argv[0]);
		goto out_args;
	}
	/* mount.fuse3 passes "SOURCE MOUNTPOINT"; the source means nothing. */
	fuse_opt_add_arg(&args, cl.nonopts->pdata[cl.nonopts->len - 1]);
	if (check_opts())
		goto out_args;
	if (getuid() == 0 && !cl.allow_other)
		fuse_opt_add_arg(&args, "-oallow_other");
	fuse_opt_add_arg(&args, "-ofsname=ipcfs,subtype=ipcfs");
	if (fuse_parse_cmdline(&args, &cmd))
		goto out_args;
	ipcfs_debug = cmd.debug;
	if (ipcfs_opts.ns && join_ns(ipcfs_opts.ns))
		goto out_cmd;
	if (start_kinds())
		goto out_cmd;
	userns_init();
	if (ns_init()) {
		fprintf(stderr, "ipcfs: cannot open the daemon's own IPC namespace: %s\n",
			g_strerror(errno));
		goto out_cmd;
	}

	se = fuse_session_new(&args, &ipcfs_ops, sizeof(ipcfs_ops), NULL);
	if (!se)
		goto out_cmd;
	if (fuse_set_signal_handlers(se))
		goto out_session;
	if (fuse_session_mount(se, cmd.mountpoint))
		goto out_signals;
	passthrough_session(se);
	if (fuse_daemonize(cmd.foreground))
		goto out_unmount;
	/* In the background stderr is /dev/null now: log to syslog. */
	if (!cmd.foreground)
		log_to_syslog();

	signal(SIGPIPE, SIG_IGN);
	/* Listings of tens of thousands of objects allocate megabytes that are
	 * freed at once; with per-thread arenas glibc keeps them (measured:
	 * 14 MiB RSS after listing 32,000 queues instead of 4).  Few arenas and
	 * mmap for large blocks give the memory back. */
	mallopt(M_ARENA_MAX, 2);
	mallopt(M_MMAP_THRESHOLD, 128 << 10);
	tree_init();
	wait_init(se);	/* after daemonizing: it starts a thread */
	evict_start(se);
	if (cmd.singlethread) {
		ret = fuse_session_loop(se);
	} else {
		cfg = fuse_loop_cfg_create();
		fuse_loop_cfg_set_clone_fd(cfg, cmd.clone_fd);
		fuse_loop_cfg_set_idle_threads(cfg, cmd.max_idle_threads != UINT_MAX ?
							    cmd.max_idle_threads : WORKERS_IDLE);
		fuse_loop_cfg_set_max_threads(cfg, WORKERS_MAX);
		wait_max_total = WORKERS_MAX - WORKERS_RESERVE;
		ret = fuse_session_loop_mt(se, cfg);
		fuse_loop_cfg_destroy(cfg);
	}
	/*
	 * The exit status says whether the administrator asked for the stop,
	 * for systemd's Restart=on-failure: an unmount (the loop ends with 0),
	 * SIGTERM (`systemctl stop`) and SIGINT (Ctrl-C) are asked for, and
	 * exit 0.  Anything else is not: a negative value is an error, and a
	 * positive one any other signal libfuse caught, SIGHUP above all,
	 * which is what a hung-up controlling terminal sends (the daemon never
	 * takes one: fs/file.c).  Those exit 1, and systemd starts it again.
	 */
	if (ret == 0 || ret == SIGTERM || ret == SIGINT) {
		ret = 0;
	} else {
		if (ret > 0)
			log_err("stopped by signal %d (%s), not by the administrator: exit status 1",
				ret, strsignal(ret));
		ret = 1;
	}
	wait_shutdown();
	evict_stop();
	poll_shutdown();
	for (const struct ipcfs_backend *const *b = ipcfs_backends; *b; b++)
		if ((*b)->shutdown)
			(*b)->shutdown(*b);
out_unmount:
	fuse_session_unmount(se);
out_signals:
	fuse_remove_signal_handlers(se);
out_session:
	fuse_session_destroy(se);
out_cmd:
	ns_shutdown();
	free(cmd.mountpoint);
out_args:
	fuse_opt_free_args(&args);
	g_ptr_array_unref(cl.nonopts);
	return ret ? 1 : 0;
}
