// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * posix_mq.c - POSIX message queues (mq_open), the files of the IPC
 * namespace's mqueue filesystem.
 *
 *   posix/mq/<name>/queue       one message per write() (priority 0), one per
 *                               read() (highest priority first, as mq_receive)
 *   posix/mq/<name>/lines       text: one message per line (as System V's)
 *   posix/mq/<name>/prio/<N>    write-only: send with priority N
 *   posix/mq/<name>/info, maxmsg, msgsize, curmsgs, uid, gid, mode
 *   posix/mq/<name>/qsize, notify, signo, notify_pid   the kernel's status line
 *   posix/mq/new                "NAME [MAXMSG MSGSIZE] [MODE]"
 *
 *   $ mkdir posix/mq/jobs                  mq_open("/jobs", O_CREAT|O_EXCL)
 *   $ echo low > posix/mq/jobs/queue; echo urgent > posix/mq/jobs/prio/9
 *   $ cat posix/mq/jobs/curmsgs
 *   2
 *   $ head -c 8192 posix/mq/jobs/queue     (a read takes one message)
 *   urgent
 *
 * Nothing here needs /dev/mqueue to be mounted.  mq_open and mq_unlink
 * reach the served namespace's queues through the kernel's internal mount
 * of it; for listing and stat the daemon mounts a private instance of the
 * namespace's mqueue filesystem with the new mount API (fsopen, fsmount),
 * never attached to any directory: the same superblock, so the same files.
 *
 * Rights are the opener's, checked by the kernel when a live file is
 * opened: the queue's file is opened as the caller (posix_open_as), with
 * the access mode they asked for, and every send and receive goes through
 * that descriptor, as it would through an mqd_t (a chmod does not revoke
 * it, natively either).  A queue removed while open keeps working for
 * those who have it open, as after mq_unlink.
 *
 * Sends and receives first try without waiting (mq_timedsend and
 * mq_timedreceive with a deadline long past: ETIMEDOUT instead of a
 * wait), and only then block, within an interruptible wait (fs/wait.c).
 * A message taken for a reader who cannot have it (interrupted, killed,
 * its reply failed) is sent back with its priority: POSIX cannot put one
 * in front, so it goes behind the others of that priority.
 */
#include "mq.h"
#include "posix.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <mqueue.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* A queue's own numbers in struct ipcfs_obj (from mq_getattr). */
struct pmq_nums {
	struct posix_head head;
	int64_t maxmsg, msgsize, curmsgs;
};
IPCFS_NUMS_FIT(struct pmq_nums);
#define PMQ(o) IPCFS_NUMS(struct pmq_nums, o)

extern const struct ipcfs_backend posix_mq_backend;
static struct posix_names pmq_names;

/* How often a send with no request to wait on (a message put back, the
 * last line at close) retries while the queue is full, and how often a
 * close waits for room. */
#define PMQ_RETRY_US (5 * 1000)

/* A deadline long past: mq_timed* try once and return ETIMEDOUT rather
 * than wait (the kernel does not even arm a timer for 0). */
static const struct timespec pmq_past = { 0, 0 };

/* ---- the private mount of the namespace's mqueue filesystem ---- */

static int mount_mqueue(void)
{
	int fs, mnt, e;

	/* The instance of the thread's IPC namespace: the served one, which
	 * main.c joined before any request. */
	fs = fsopen("mqueue", FSOPEN_CLOEXEC);
	if (fs < 0)
		return -errno;
	if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0)) {
		e = errno;
		close(fs);
		return -e;
	}
	mnt = fsmount(fs, FSMOUNT_CLOEXEC, 0);
	e = errno;
	close(fs);
	return mnt < 0 ? -e : mnt;
}

/* In ns/<inode>/: a mount of that namespace's instance, made by the
 * thread acting there (fsopen takes the caller's IPC namespace). */
static void *ns_mount_make(void *arg)
{
	int fd = mount_mqueue(), *p;

	(void)arg;
	if (fd < 0)
		return NULL;
	p = g_new(int, 1);
	*p = fd;
	return p;
}

/* The mount's root, made at the first use and kept, or -errno for good. */
static int pmq_dirfd(void)
{
	static gsize once;
	static int fd;

	if (ipcfs_ns_current())
		return posix_ns_dirfd(&once, ns_mount_make);

	if (g_once_init_enter(&once)) {
		int r = mount_mqueue();

		if (r < 0)
			log_err("posix/mq: cannot mount the mqueue filesystem (fsopen): %s",
				g_strerror(-r));
		fd = r;
		g_once_init_leave(&once, 1);
	}
	return fd;
}

/* `file` in the mount, opened as the daemon: the fd, or -errno; -ENOENT
 * when it is no longer the queue whose inode is `ino`. */
static int open_daemon(const char *file, int flags, int64_t ino)
{
	int dirfd = pmq_dirfd(), fd;
	struct stat st;

	if (dirfd < 0)
		return dirfd;
	fd = openat(dirfd, file, flags | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || (int64_t)st.st_ino != ino) {
		close(fd);
		return -ENOENT;
	}
	return fd;
}

/* The numbers of a queue, from mq_getattr on a descriptor the daemon
 * opens for the purpose (not by reading the file, which would set its
 * atime and ctime). */
static int pmq_fill(struct ipcfs_obj *o, int dirfd, const char *file, const struct stat *st)
{
	struct mq_attr a;
	int fd, r = 0;

	(void)dirfd;
	fd = open_daemon(file, O_RDONLY | O_NONBLOCK, (int64_t)st->st_ino);
	if (fd < 0)
		return fd;
	if (mq_getattr(fd, &a))
		r = -errno;
	close(fd);
	if (r)
		return r;
	PMQ(o)->maxmsg = a.mq_maxmsg;
	PMQ(o)->msgsize = a.mq_msgsize;
	PMQ(o)->curmsgs = a.mq_curmsgs;
	return 0;
}

/* ---- creating and removing: mq_open and mq_unlink as the caller ---- */

/* mkdir's and `new`'s parameter: maxmsg in the high half, msgsize in the
 * low; 0: the namespace's defaults. */
#define PMQ_PARAM(maxmsg, msgsize) (((uint64_t)(maxmsg) << 32) | (uint64_t)(msgsize))

/*
 * Creation runs in a child process made for it, which takes on the
 * caller's ids (the real ones too), groups, capabilities and
 * RLIMIT_MSGQUEUE.  The kernel charges a new queue's memory to its
 * creator's real uid, against that limit (ipc/mqueue.c:mqueue_get_inode):
 * made in a daemon thread it would be charged to root, and any user could
 * use up root's allowance for everyone (EMFILE).  Nor can a daemon thread
 * take the caller's real uid for the call: the caller could then signal
 * it (tgkill), and kill the daemon with it.
 *
 * The child runs only system calls (the daemon has threads) and reports
 * 0 or an errno as its exit status.  The name is mq_open's without the
 * '/' (the system call's form).
 */
/* The caller's RLIMIT_MSGQUEUE, from /proc/PID/limits (which anyone may
 * read; prlimit(2) on another process needs CAP_SYS_RESOURCE).  0 or
 * -errno. */
static int caller_msgqueue_limit(pid_t pid, struct rlimit *lim)
{
	g_autofree char *path = g_strdup_printf("/proc/%d/limits", (int)pid);
	g_autofree char *text = NULL;
	char cur[32], max[32];
	const char *p;

	if (!g_file_get_contents(path, &text, NULL, NULL))
		return -ESRCH;
	p = strstr(text, "Max msgqueue size");
	if (!p || sscanf(p + strlen("Max msgqueue size"), "%31s %31s", cur, max) != 2)
		return -EINVAL;
	lim->rlim_cur = strcmp(cur, "unlimited") ? strtoull(cur, NULL, 10) : RLIM_INFINITY;
	lim->rlim_max = strcmp(max, "unlimited") ? strtoull(max, NULL, 10) : RLIM_INFINITY;
	return 0;
}

static int create_in_child(const struct ipcfs_create *args, const struct mq_attr *attr)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct caps[_LINUX_CAPABILITY_U32S_3], mine[_LINUX_CAPABILITY_U32S_3];
	struct ipcfs_cred *c = args->cred;
	struct rlimit lim;
	bool have_lim;
	int status, r;
	pid_t pid;

	r = cred_load(c);
	if (r)
		return r;
	if (syscall(SYS_capget, &hdr, mine))
		return -errno;
	/* The caller's capabilities as they count for the served namespace,
	 * never more than the daemon's. */
	memset(caps, 0, sizeof(caps));
	caps[0].permitted = caps[0].effective = mine[0].permitted & (uint32_t)c->caps;
	caps[1].permitted = caps[1].effective = mine[1].permitted & (uint32_t)(c->caps >> 32);
	have_lim = !caller_msgqueue_limit(c->pid, &lim);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		int fd, e = 0;

		/* (Past our hard limit only with CAP_SYS_RESOURCE: else the
		 * caller's soft limit up to ours.) */
		if (have_lim && syscall(SYS_prlimit64, 0, RLIMIT_MSGQUEUE, &lim, NULL)) {
			struct rlimit own;

			if (syscall(SYS_prlimit64, 0, RLIMIT_MSGQUEUE, NULL, &own))
				_exit(errno);
			own.rlim_cur = MIN(lim.rlim_cur, own.rlim_max);
			if (syscall(SYS_prlimit64, 0, RLIMIT_MSGQUEUE, &own, NULL))
				_exit(errno);
		}
		if (syscall(SYS_prctl, PR_SET_KEEPCAPS, 1, 0, 0, 0) ||
		    syscall(SYS_setgroups, (size_t)c->ngroups, c->groups) ||
		    syscall(SYS_setresgid, c->gid, c->gid, c->gid) ||
		    syscall(SYS_setresuid, c->uid, c->uid, c->uid) ||
		    syscall(SYS_capset, &hdr, caps))
			_exit(errno);
		fd = (int)syscall(SYS_mq_open, args->name, O_RDONLY | O_CREAT | O_EXCL, args->mode,
				  attr);
		if (fd < 0)
			_exit(errno);
		/* mq_open took the daemon's umask away from a mode in which
		 * the caller's was already applied. */
		if (syscall(SYS_fchmod, fd, args->mode)) {
			e = errno;
			syscall(SYS_mq_unlink, args->name);
		}
		_exit(e);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return !WIFEXITED(status) ? -EIO : -WEXITSTATUS(status);
}

static int pmq_create(const struct ipcfs_backend *be, const struct ipcfs_create *args)
{
	struct mq_attr attr = { 0 };
	int r;

	if (args->param) {
		attr.mq_maxmsg = (long)(args->param >> 32);
		attr.mq_msgsize = (long)(args->param & 0xffffffffu);
	}
	/* fs/ runs create with the caller's euid, which dropped the daemon's
	 * capabilities; the child needs them to become the caller.  fs/'s
	 * cred_leave afterwards finds the daemon's identity and keeps it. */
	cred_leave();
	r = create_in_child(args, args->param ? &attr : NULL);
	log_dbg("posix/mq create %s mode %#o param %#llx -> %d", args->name, args->mode,
		(unsigned long long)args->param, r);
	return r ? r : posix_name_id(posix_names_of(be), args->name);
}

/* rmdir: mq_unlink as the caller (the kernel's rule for unlinking in the
 * namespace's sticky, world-writable root).  The queue lives on while it
 * is open. */
static int pmq_remove(const struct ipcfs_backend *be, struct ipcfs_cred *c, int id)
{
	char path[IPCFS_NAME_MAX + 1];
	int r;

	path[0] = '/';
	if (posix_id_name(posix_names_of(be), id, path + 1, sizeof(path) - 1))
		return -ENOENT;
	r = cred_enter_fs(c);
	if (!r && mq_unlink(path))
		r = -errno;
	cred_leave_fs();
	return r;
}

/* A positive decimal up to INT_MAX, for maxmsg and msgsize. */
static int parse_count(const char *s, uint64_t *v)
{
	int r = parse_u64(s, false, v);

	if (r)
		return r;
	return !*v ? -EINVAL : *v > INT_MAX ? -ERANGE : 0;
}

/* `new`: "NAME [MAXMSG MSGSIZE] [MODE]", NAME with or without the leading
 * '/' mq_open wants. */
static int pmq_parse_new(const struct ipcfs_backend *be, const char *line,
			 struct ipcfs_create *args)
{
	g_auto(GStrv) words = g_strsplit_set(line, " \t\n", -1);
	const char *w[5];
	uint64_t maxmsg, msgsize;
	guint n = 0;
	int r;

	(void)be;
	for (guint i = 0; words[i]; i++) {
		if (!*words[i])
			continue;
		if (n == G_N_ELEMENTS(w) - 1)
			return -EINVAL;
		w[n++] = words[i];
	}
	/* One newline, at the end only: a name cannot hold one here. */
	if (!n || (strchr(line, '\n') && strchr(line, '\n')[1]))
		return -EINVAL;
	if (w[0][0] == '/')
		w[0]++;
	if (!posix_name_ok("", w[0]))
		return -EINVAL;
	memset(args, 0, sizeof(*args));
	g_strlcpy(args->name, w[0], sizeof(args->name));
	args->mode = 0644;
	if (n >= 3) {
		r = parse_count(w[1], &maxmsg);
		if (!r)
			r = parse_count(w[2], &msgsize);
		if (r)
			return r;
		args->param = PMQ_PARAM(maxmsg, msgsize);
	}
	if ((n == 2 || n == 4) && parse_mode(w[n - 1], &args->mode))
		return -EINVAL;
	return 0;
}

/* ---- an open queue ---- */

/*
 * What an open live file holds, shared by counting with the results of
 * its reads: a message taken for a reader is put back by the result's
 * undo, which may run after the file was released.
 */
struct pmq_open {
	gatomicrefcount ref;
	int fd;			/* the queue, opened as the caller; blocking */
	int back;		/* the daemon's O_WRONLY descriptor, for putting
				 * messages back (readers only; else -1) */
	size_t msgsize;		/* fixed for the queue's life */
	GMutex lock;		/* guards rest */
	GString *rest;		/* lines: what a read could not take of a message */
	/* lines, writing, under fh->lock (see lines_enter) */
	GString *pending;	/* the unfinished last line written so far */
	pid_t writer;		/* the thread that wrote its last part */
	GCond idle;		/* `busy` went false */
	bool busy;		/* a write is using `pending` */
};

static struct pmq_open *pmq_ref(struct pmq_open *q)
{
	g_atomic_ref_count_inc(&q->ref);
	return q;
}

static void pmq_unref(struct pmq_open *q)
{
	if (!q || !g_atomic_ref_count_dec(&q->ref))
		return;
	close(q->fd);
	if (q->back >= 0)
		close(q->back);
	g_mutex_clear(&q->lock);
	g_string_free(q->rest, TRUE);
	g_string_free(q->pending, TRUE);
	g_cond_clear(&q->idle);
	g_free(q);
}

static int pmq_open(struct ipcfs_fh *fh, const struct ipcfs_obj *o)
{
	int acc = fh->flags & O_ACCMODE;
	struct pmq_open *q;
	char file[IPCFS_NAME_MAX];
	struct mq_attr a;
	struct stat st;
	int fd, back = -1;

	/* The kernel decides, for the caller, with the access they asked
	 * for, as mq_open would. */
	fd = posix_open_as(&posix_mq_backend, &fh->cred, fh->id, acc);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) || (int64_t)st.st_ino != PMQ(o)->head.ino || mq_getattr(fd, &a)) {
		close(fd);
		return -ENOENT;	/* not the queue looked up any more */
	}
	if (acc != O_WRONLY) {
		if (posix_file_of(&posix_mq_backend, fh->id, file, sizeof(file)) ||
		    (back = open_daemon(file, O_WRONLY | O_NONBLOCK, PMQ(o)->head.ino)) < 0) {
			close(fd);
			return back < 0 ? back : -ENOENT;
		}
	}
	q = g_new0(struct pmq_open, 1);
	g_atomic_ref_count_init(&q->ref);
	q->fd = fd;
	q->back = back;
	q->msgsize = (size_t)a.mq_msgsize;
	g_mutex_init(&q->lock);
	q->rest = g_string_new(NULL);
	q->pending = g_string_new(NULL);
	g_cond_init(&q->idle);
	fh->priv = q;
	return 0;
}

/* ---- sending and receiving ---- */

/* mq_send within a wait (w), or trying once when w is NULL (-EAGAIN when
 * full).  The worker's signal ends a blocked mq_send with EINTR having
 * sent nothing; we retry unless the writer gave up.  0 or -errno. */
static int snd_in(struct ipcfs_wait *w, int fd, const char *buf, size_t len, unsigned prio)
{
	for (;;) {
		if (!(w ? mq_send(fd, buf, len, prio) : mq_timedsend(fd, buf, len, prio, &pmq_past)))
			return 0;
		if (errno == ETIMEDOUT)
			return -EAGAIN;
		if (errno != EINTR)
			return -errno;
		if (w && wait_cancelled(w))
			return -EINTR;
	}
}

/* mq_receive likewise: the message's size (its priority in *prio), or
 * -errno.  `size` must be at least msgsize (else EMSGSIZE, as mq_receive). */
static ssize_t rcv_in(struct ipcfs_wait *w, int fd, char *buf, size_t size, unsigned *prio)
{
	for (;;) {
		ssize_t n = w ? mq_receive(fd, buf, size, prio)
			      : mq_timedreceive(fd, buf, size, prio, &pmq_past);

		if (n >= 0)
			return n;
		if (errno == ETIMEDOUT)
			return -EAGAIN;
		if (errno != EINTR)
			return -errno;
		if (w && wait_cancelled(w))
			return -EINTR;
	}
}

/* For a request: without waiting first, which is all most calls need, and
 * only if that would block (and the file is not O_NONBLOCK) again within
 * an interruptible wait. */
static int snd_req(struct ipcfs_call *call, const struct ipcfs_fh *fh, const char *buf,
		   size_t len, unsigned prio)
{
	struct pmq_open *q = fh->priv;
	struct ipcfs_wait w;
	int r = snd_in(NULL, q->fd, buf, len, prio);

	if (r != -EAGAIN || (fh->flags & O_NONBLOCK))
		return r;
	r = wait_begin(&w, call);
	if (!r)
		r = snd_in(&w, q->fd, buf, len, prio);
	wait_end(&w);	/* also after a failed wait_begin: it registered */
	return r;
}

/* `waited` is set when the receive had to wait (see struct ipcfs_result). */
static ssize_t rcv_req(struct ipcfs_call *call, const struct ipcfs_fh *fh, char *buf,
		       size_t size, unsigned *prio, bool *waited)
{
	struct pmq_open *q = fh->priv;
	struct ipcfs_wait w;
	ssize_t n;

	/* Interrupted before it began: take nothing (a message taken now
	 * could only go back behind its peers). */
	if (!(fh->flags & O_NONBLOCK) && call_interrupted(call))
		return -EINTR;
	n = rcv_in(NULL, q->fd, buf, size, prio);
	if (n != -EAGAIN || (fh->flags & O_NONBLOCK))
		return n;
	n = wait_begin(&w, call);
	if (!n)
		n = rcv_in(&w, q->fd, buf, size, prio);
	wait_end(&w);
	*waited = true;
	return n;
}

/*
 * Send a message for nobody who could still be told of failure (one put
 * back, the last line at close): a full queue is retried every few
 * milliseconds until there is room or the daemon stops.  0 or -errno.
 */
static int pmq_put(int fd, const char *buf, size_t len, unsigned prio)
{
	while (mq_send(fd, buf, len, prio)) {
		if (errno != EAGAIN && errno != EINTR)
			return -errno;
		if (wait_stopping())
			return -ESHUTDOWN;
		g_usleep(PMQ_RETRY_US);
	}
	return 0;
}

/* One message taken for a reader: where its bytes are, its priority. */
struct pmq_taken {
	unsigned prio;
	size_t off, len;
};

static void put_back(struct pmq_open *q, const char *buf, const struct pmq_taken *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int r = pmq_put(q->back, buf + t[i].off, t[i].len, t[i].prio);

		if (r)
			log_err("posix/mq: lost a message of priority %u (%zu bytes) that could "
				"not be put back: %s", t[i].prio, t[i].len, g_strerror(-r));
		else
			log_dbg("posix/mq: put back a message of priority %u (%zu bytes)",
				t[i].prio, t[i].len);
	}
}

/* What a read took: the reply's bytes, the messages in it, and the open
 * queue to give them back to. */
struct pmq_handout {
	struct pmq_open *q;
	char *out;
	GArray *taken;		/* struct pmq_taken */
	bool from_rest;		/* bytes of q->rest, not messages */
	bool partial;		/* the one message did not fit: rest holds its end */
};

static void handout_undo(struct ipcfs_result *res)
{
	struct pmq_handout *h = res->priv;

	if (h->from_rest) {
		/* Back in front of what is left of the message. */
		g_mutex_lock(&h->q->lock);
		g_string_prepend_len(h->q->rest, h->out, (gssize)res->size);
		g_mutex_unlock(&h->q->lock);
		return;
	}
	if (h->partial) {
		/* The whole message goes back, so its end is not served. */
		g_mutex_lock(&h->q->lock);
		g_string_truncate(h->q->rest, 0);
		g_mutex_unlock(&h->q->lock);
	}
	put_back(h->q, h->out, &g_array_index(h->taken, struct pmq_taken, 0), h->taken->len);
}

static void handout_done(struct ipcfs_result *res)
{
	struct pmq_handout *h = res->priv;

	pmq_unref(h->q);
	g_free(h->out);
	if (h->taken)
		g_array_unref(h->taken);
	g_free(h);
}

static struct pmq_handout *handout_new(struct pmq_open *q, char *out)
{
	struct pmq_handout *h = g_new0(struct pmq_handout, 1);

	h->q = pmq_ref(q);
	h->out = out;
	h->taken = g_array_new(FALSE, FALSE, sizeof(struct pmq_taken));
	return h;
}

static void handout_give(struct ipcfs_result *res, struct pmq_handout *h, size_t size)
{
	res->data = h->out;
	res->size = size;
	res->priv = h;
	res->undo = handout_undo;
	res->done = handout_done;
}

/* queue: one message, the highest priority first.  The reader's buffer
 * must hold msgsize bytes (EMSGSIZE, as for mq_receive). */
static int queue_read(struct ipcfs_call *call, struct ipcfs_fh *fh, size_t size, off_t off,
		      struct ipcfs_result *res)
{
	struct pmq_open *q = fh->priv;
	struct pmq_taken t = { 0 };
	struct pmq_handout *h;
	char *out;
	ssize_t n;

	(void)off;	/* a queue has no offsets */
	if (size < q->msgsize)
		return -EMSGSIZE;
	out = g_try_malloc(MAX(q->msgsize, 1));
	if (!out)
		return -ENOMEM;
	n = rcv_req(call, fh, out, q->msgsize, &t.prio, &res->waited);
	log_dbg("posix/mq %d read (%zu) -> %zd prio %u", fh->id, size, n, t.prio);
	if (n < 0) {
		g_free(out);
		return (int)n;
	}
	t.len = (size_t)n;
	h = handout_new(q, out);
	g_array_append_val(h->taken, t);
	handout_give(res, h, (size_t)n);
	return 0;
}

static int queue_write(struct ipcfs_call *call, struct ipcfs_fh *fh, const struct ipcfs_obj *o,
		       const char *buf, size_t size, off_t off, struct ipcfs_result *res)
{
	struct pmq_open *q = fh->priv;
	/* prio/<N> (the row that cannot be read) sends with priority N. */
	unsigned prio = fh->file->read ? 0 : (unsigned)fh->sub;
	int r;

	(void)o, (void)off, (void)res;
	r = size > q->msgsize ? -EMSGSIZE : snd_req(call, fh, buf, size, prio);
	log_dbg("posix/mq %d write prio %u (%zu) -> %d", fh->id, prio, size, r);
	return r;
}

static int live_getattr(const struct ipcfs_obj *o, uint64_t sub, struct stat *st)
{
	(void)sub;
	/* Like a FIFO: no size, the queue's own permission bits. */
	st->st_mode = S_IFREG | (o->mode & 0666);
	return 0;
}

static int prio_getattr(const struct ipcfs_obj *o, uint64_t sub, struct stat *st)
{
	(void)sub;
	st->st_mode = S_IFREG | (o->mode & 0222);
	return 0;
}

/* The system's MQ_PRIO_MAX: priorities are 0 .. this - 1. */
static long prio_max(void)
{
	long m = sysconf(_SC_MQ_PRIO_MAX);

	return m > 0 ? m : 32768;
}

/* prio/<N>: a canonical decimal below MQ_PRIO_MAX.  Any priority resolves
 * (the directory lists none: a queue cannot tell which it holds). */
static int prio_lookup(const struct ipcfs_obj *o, const char *name, uint64_t *sub)
{
	int n;

	(void)o;
	if (parse_id(name, &n) || n >= prio_max())
		return -ENOENT;
	*sub = (uint64_t)n;
	return 0;
}

/* ---- lines ---- */

/*
 * Writes on one open file take turns, since each may continue the line
 * the previous one left unfinished.  A write can block for long (a full
 * queue), so the next one waits in a way its caller can interrupt.
 */
static int lines_enter(struct ipcfs_call *call, struct ipcfs_fh *fh, struct pmq_open *q)
{
	int r = 0;

	g_mutex_lock(&fh->lock);
	while (q->busy && !r) {
		if (call_interrupted(call))
			r = -EINTR;
		else
			g_cond_wait_until(&q->idle, &fh->lock,
					  g_get_monotonic_time() + 20 * G_TIME_SPAN_MILLISECOND);
	}
	if (!r)
		q->busy = true;
	g_mutex_unlock(&fh->lock);
	return r;
}

static void lines_leave(struct ipcfs_fh *fh, struct pmq_open *q)
{
	g_mutex_lock(&fh->lock);
	q->busy = false;
	g_cond_signal(&q->idle);
	g_mutex_unlock(&fh->lock);
}

/*
 * Every complete line is one message of priority 0, all sent in this
 * request; the unfinished tail waits in `pending`.  Nothing is sent unless
 * every message fits msgsize (EMSGSIZE).  Interrupted (or EAGAIN) after
 * some lines, the write reports the bytes of the lines sent.
 */
static int lines_write(struct ipcfs_call *call, struct ipcfs_fh *fh, const struct ipcfs_obj *o,
		       const char *buf, size_t size, off_t off, struct ipcfs_result *res)
{
	struct pmq_open *q = fh->priv;
	g_autofree char *m = NULL;
	bool nowait = fh->flags & O_NONBLOCK;
	size_t pos = 0, done = 0, loff, llen, count = 0;
	struct ipcfs_wait w;
	int r;

	(void)o, (void)off;
	r = lines_enter(call, fh, q);
	if (r)
		return r;
	if (mq_lines_longest(q->pending->len, buf, size) > q->msgsize) {
		r = -EMSGSIZE;
		goto out;
	}
	m = g_try_malloc(MAX(q->msgsize, 1));
	if (!m) {
		r = -ENOMEM;
		goto out;
	}
	if (!nowait) {
		r = wait_begin(&w, call);
		if (r)
			goto out_wait;
	}
	while (mq_next_line(buf, size, &pos, &loff, &llen)) {
		size_t plen = q->pending->len;

		memcpy(m, q->pending->str, plen);
		memcpy(m + plen, buf + loff, llen);
		r = snd_in(nowait ? NULL : &w, q->fd, m, plen + llen, 0);
		if (r)
			break;
		g_string_truncate(q->pending, 0);
		done = pos;
		count++;
	}
	if (!r) {
		g_string_append_len(q->pending, buf + pos, (gssize)(size - pos));
		q->writer = call_pid(call);
		done = size;
	}
out_wait:
	if (!nowait)
		wait_end(&w);
out:
	lines_leave(fh, q);
	log_dbg("posix/mq %d lines write (%zu) -> %d, %zu lines, %zu bytes taken", fh->id, size,
		r, count, done);
	if (r && !done)
		return r;
	res->size = done;
	return 0;
}

/*
 * Messages, each followed by a newline, the highest priority first.
 *
 * As for System V (see backends/mq.c): a read smaller than MQ_LINES_BULK
 * takes exactly one message, so that line tools, which read a buffer and
 * seek back over what they did not use, take exactly what they print.  A
 * big read takes more, but only while a message of msgsize bytes would
 * still fit: POSIX tells a message's length only once it is taken.  For
 * the same reason a message longer than a small read is handed out over
 * several reads of the same open file (`rest`).
 */
#define MQ_LINES_BULK (64 << 10)

static int rest_read(struct pmq_open *q, size_t size, struct ipcfs_result *res)
{
	struct pmq_handout *h;
	size_t n;

	g_mutex_lock(&q->lock);
	n = MIN(size, q->rest->len);
	h = handout_new(q, g_memdup2(q->rest->str, MAX(n, 1)));
	g_string_erase(q->rest, 0, (gssize)n);
	g_mutex_unlock(&q->lock);
	h->from_rest = true;
	handout_give(res, h, n);
	return 0;
}

static int lines_read(struct ipcfs_call *call, struct ipcfs_fh *fh, size_t size, off_t off,
		      struct ipcfs_result *res)
{
	struct pmq_open *q = fh->priv;
	struct pmq_handout *h;
	struct pmq_taken t = { 0 };
	size_t used;
	char *out;
	ssize_t n;

	(void)off;
	if (!size)
		return 0;
	g_mutex_lock(&q->lock);
	n = (ssize_t)q->rest->len;
	g_mutex_unlock(&q->lock);
	if (n)
		return rest_read(q, size, res);
	out = g_try_malloc(MAX(size, q->msgsize + 1));
	if (!out)
		return -ENOMEM;
	n = rcv_req(call, fh, out, q->msgsize, &t.prio, &res->waited);
	if (n < 0) {
		g_free(out);
		return (int)n;
	}
	h = handout_new(q, out);
	t.len = (size_t)n;
	g_array_append_val(h->taken, t);
	out[n] = '\n';
	used = (size_t)n + 1;
	if (used > size) {
		g_mutex_lock(&q->lock);
		g_string_append_len(q->rest, out + size, (gssize)(used - size));
		g_mutex_unlock(&q->lock);
		h->partial = true;
		used = size;
	}
	while (size >= MQ_LINES_BULK && size - used >= q->msgsize + 1) {
		n = rcv_in(NULL, q->fd, out + used, q->msgsize, &t.prio);
		if (n < 0)
			break;	/* EAGAIN: empty now */
		t.off = used;
		t.len = (size_t)n;
		g_array_append_val(h->taken, t);
		out[used + (size_t)n] = '\n';
		used += (size_t)n + 1;
	}
	log_dbg("posix/mq %d lines read (%zu) -> %u messages, %zu bytes", fh->id, size,
		h->taken->len, used);
	handout_give(res, h, used);
	return 0;
}

/* Is there room for one more message?  0, -EAGAIN, or -errno. */
static int pmq_room(struct pmq_open *q)
{
	struct mq_attr a;

	if (mq_getattr(q->fd, &a))
		return -errno;
	return a.mq_curmsgs < a.mq_maxmsg ? 0 : -EAGAIN;
}

/*
 * The unfinished last line is sent at the last close, by the release,
 * which must never block.  So the waiting happens here, at close(2) of
 * the writer, as in backends/mq.c: while the queue is full the close
 * waits (interruptibly; EAGAIN at once when O_NONBLOCK).  Interrupted or
 * refused, close(2) says why and the line is dropped.  Only a flush by the
 * thread that wrote the line waits; a dup's or a child's returns at once.
 */
static int lines_flush(struct ipcfs_call *call, struct ipcfs_fh *fh)
{
	struct pmq_open *q = fh->priv;
	struct ipcfs_wait w;
	int r;

	g_mutex_lock(&fh->lock);
	r = !q->pending->len || q->writer != call_pid(call);
	g_mutex_unlock(&fh->lock);
	if (r)
		return 0;
	r = pmq_room(q);
	if (r == -EAGAIN && !(fh->flags & O_NONBLOCK)) {
		r = wait_begin(&w, call);
		while (!r && (r = pmq_room(q)) == -EAGAIN) {
			if (wait_cancelled(&w)) {
				r = -EINTR;
			} else {
				g_usleep(PMQ_RETRY_US);
				r = 0;
			}
		}
		wait_end(&w);
	}
	if (r) {
		g_mutex_lock(&fh->lock);
		log_err("posix/mq %d: the last line written (%zu bytes) was dropped at close: %s",
			fh->id, q->pending->len, g_strerror(-r));
		g_string_truncate(q->pending, 0);
		g_mutex_unlock(&fh->lock);
	}
	return r;
}

static void pmq_release(struct ipcfs_fh *fh)
{
	struct pmq_open *q = fh->priv;

	if (!q)
		return;
	/* The unfinished line, without waiting (the writer's close waited
	 * for room; a line that still does not fit is dropped). */
	if (q->pending->len && snd_in(NULL, q->fd, q->pending->str, q->pending->len, 0))
		log_err("posix/mq %d: the last line written (%zu bytes) was dropped at release",
			fh->id, q->pending->len);
	g_string_truncate(q->pending, 0);
	if (q->rest->len)
		log_dbg("posix/mq %d: %zu bytes of a line were not read before close", fh->id,
			q->rest->len);
	fh->priv = NULL;
	pmq_unref(q);
}

/*
 * poll(2): POLLIN when a message is queued (or, for lines, the end of one
 * is waiting to be read), POLLOUT when one more would fit.  A queue
 * removed while open still works, as natively: never POLLERR.
 */
static unsigned queue_ready(struct ipcfs_fh *fh, unsigned events)
{
	struct pmq_open *q = fh->priv;
	struct mq_attr a;
	unsigned mask = 0;
	bool rest;

	(void)events;
	if (mq_getattr(q->fd, &a))
		return POLLERR;
	g_mutex_lock(&q->lock);
	rest = q->rest->len > 0;
	g_mutex_unlock(&q->lock);
	if (a.mq_curmsgs > 0 || rest)
		mask |= POLLIN | POLLRDNORM;
	if (a.mq_curmsgs < a.mq_maxmsg)
		mask |= POLLOUT | POLLWRNORM;
	return mask;
}

/* ---- the kernel's status line: qsize, notify, signo, notify_pid ---- */

/*
 * "QSIZE:5 NOTIFY:0 SIGNO:0 NOTIFY_PID:0" is what reading the queue's
 * file gives, and it needs read access, as natively.  Reading it sets the
 * queue's atime and ctime (natively too), which is why these values are
 * files of their own, read only when asked for, and not in `info`.
 */
enum { PMQ_QSIZE, PMQ_NOTIFY, PMQ_SIGNO, PMQ_NOTIFY_PID, PMQ_STATUS_COUNT };
static const char *const status_keys[PMQ_STATUS_COUNT] = {
	"QSIZE:", "NOTIFY:", "SIGNO:", "NOTIFY_PID:",
};

static int status_text(const struct ipcfs_obj *o, struct ipcfs_cred *reader, int which,
		       GString *out)
{
	char buf[128];
	const char *p;
	struct stat st;
	ssize_t n;
	int fd;

	fd = posix_open_as(&posix_mq_backend, reader, (int)o->id, O_RDONLY | O_NONBLOCK);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) || (int64_t)st.st_ino != PMQ(o)->head.ino) {
		close(fd);
		return -ENOENT;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	p = strstr(buf, status_keys[which]);
	if (!p)
		return -EIO;
	g_string_append_printf(out, "%lld\n", strtoll(p + strlen(status_keys[which]), NULL, 10));
	return 0;
}

#define STATUS_TEXT(fn, which) \
	static int fn(const struct ipcfs_obj *o, uint64_t sub, struct ipcfs_cred *reader, \
		      GString *out) \
	{ \
		(void)sub; \
		return status_text(o, reader, which, out); \
	}
STATUS_TEXT(qsize_text, PMQ_QSIZE)
STATUS_TEXT(notify_text, PMQ_NOTIFY)
STATUS_TEXT(signo_text, PMQ_SIGNO)
STATUS_TEXT(notify_pid_text, PMQ_NOTIFY_PID)

/* The rows, in directory order; prio/ names its entries' parent by slot. */
enum {
	PMQ_FILE_QUEUE,
	PMQ_FILE_LINES,
	PMQ_FILE_PRIODIR,
	PMQ_FILE_PRIO,
	PMQ_FILE_QSIZE,
	PMQ_FILE_NOTIFY,
	PMQ_FILE_SIGNO,
	PMQ_FILE_NOTIFY_PID,
	PMQ_FILE_COUNT
};

#define STATUS_ROW(n, fn) \
	{ .name = (n), .mode = S_IFREG | 0444, .need_read = IPCFS_R, .text = (fn) }
static const struct ipcfs_file pmq_files[] = {
	[PMQ_FILE_QUEUE] = {
		.name = "queue",
		.mode = S_IFREG | 0666,
		.flags = IPCFS_FILE_CONSUMES | IPCFS_FILE_OWN_INODE | IPCFS_FILE_MAPPED,
		.need_read = IPCFS_R,
		.need_write = IPCFS_W,
		.getattr = live_getattr,
		.open = pmq_open,
		.read = queue_read,
		.write = queue_write,
		.release = pmq_release,
		.ready = queue_ready,
	},
	[PMQ_FILE_LINES] = {
		.name = "lines",
		.mode = S_IFREG | 0666,
		.flags = IPCFS_FILE_CONSUMES | IPCFS_FILE_OWN_INODE | IPCFS_FILE_MAPPED,
		.need_read = IPCFS_R,
		.need_write = IPCFS_W,
		.getattr = live_getattr,
		.open = pmq_open,
		.read = lines_read,
		.write = lines_write,
		.flush = lines_flush,
		.release = pmq_release,
		.ready = queue_ready,
	},
	[PMQ_FILE_PRIODIR] = {
		.name = "prio",
		.mode = S_IFDIR | 0555,
		.flags = IPCFS_FILE_DIR,
	},
	[PMQ_FILE_PRIO] = {
		.parent = 1 + PMQ_FILE_PRIODIR,
		.mode = S_IFREG | 0222,
		.flags = IPCFS_FILE_OWN_INODE | IPCFS_FILE_MAPPED,
		.need_write = IPCFS_W,
		.lookup = prio_lookup,
		.getattr = prio_getattr,
		.open = pmq_open,
		.write = queue_write,
		.release = pmq_release,
		.ready = queue_ready,
	},
	[PMQ_FILE_QSIZE] = STATUS_ROW("qsize", qsize_text),
	[PMQ_FILE_NOTIFY] = STATUS_ROW("notify", notify_text),
	[PMQ_FILE_SIGNO] = STATUS_ROW("signo", signo_text),
	[PMQ_FILE_NOTIFY_PID] = STATUS_ROW("notify_pid", notify_pid_text),
};
_Static_assert(G_N_ELEMENTS(pmq_files) == PMQ_FILE_COUNT, "one row per PMQ_FILE_*");

#define F(n, m, f, h) IPCFS_FIELD(n, m, f, h)
#define FN(n, m, f, h) IPCFS_FIELD_NUM(n, struct pmq_nums, m, f, h)
static const struct ipcfs_field pmq_fields[] = {
	FN("maxmsg", maxmsg, IPCFS_FMT_DEC, "Maximum number of messages in the queue."),
	FN("msgsize", msgsize, IPCFS_FMT_DEC, "Maximum size of a message, in bytes."),
	FN("curmsgs", curmsgs, IPCFS_FMT_DEC, "Number of messages in the queue."),
	F("uid", uid, IPCFS_FMT_DEC, NULL),
	F("gid", gid, IPCFS_FMT_DEC, NULL),
	F("mode", mode, IPCFS_FMT_MODE, "Permission bits."),
	{ 0 }
};

/* /proc/sys/fs/mqueue/NAME (the reading thread's IPC namespace: the
 * served one), or -1. */
static long mqueue_sysctl(const char *name)
{
	g_autofree char *path = g_strconcat("/proc/sys/fs/mqueue/", name, NULL);
	g_autofree char *text = NULL;

	if (!g_file_get_contents(path, &text, NULL, NULL))
		return -1;
	return strtol(text, NULL, 10);
}

static void pmq_limits(GString *out)
{
	static const char *const names[] = {
		"queues_max", "msg_max", "msgsize_max", "msg_default", "msgsize_default",
	};

	for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
		long v = mqueue_sysctl(names[i]);

		if (v >= 0)
			g_string_append_printf(out, "mqueue_%s: %ld\n", names[i], v);
	}
}

static void pmq_summary(GString *out)
{
	g_autoptr(GArray) objs = g_array_new(FALSE, FALSE, sizeof(struct ipcfs_obj));

	if (!posix_list(&posix_mq_backend, objs))
		g_string_append_printf(out, "mqueue_queues: %u\n", objs->len);
}

static const struct posix_kind pmq_kind = {
	.names = &pmq_names,
	.dirfd = pmq_dirfd,
	.prefix = "",
	.fill = pmq_fill,
};

const struct ipcfs_backend posix_mq_backend = {
	.name = "mq",
	.data = &pmq_kind,
	POSIX_METHODS,
	.create = pmq_create,
	.remove = pmq_remove,
	.parse_new = pmq_parse_new,
	.fields = pmq_fields,
	.files = pmq_files,
	.nfiles = G_N_ELEMENTS(pmq_files),
	.limits = pmq_limits,
	.summary = pmq_summary,
};
