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
 * wait), and only then block, within an interruptible wait (fs/wait.c):
 * the engine of backends/msgq.c, which System V's queues use too, and
 * which serves `lines`.
 * A message taken for a reader who cannot have it (interrupted, killed,
 * its reply failed) is sent back with its priority: POSIX cannot put one
 * in front, so it goes behind the others of that priority.
 */
#include "msgq.h"
#include "nowait.h"
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
#include <signal.h>
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
	fd = posix_open_file(dirfd, file, flags);
	if (fd < 0)
		return fd;
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

	text = file_read(path, FILE_PROC_MAX, NULL);
	if (!text)
		return -ESRCH;
	p = strstr(text, "Max msgqueue size");
	if (!p || sscanf(p + strlen("Max msgqueue size"), "%31s %31s", cur, max) != 2)
		return -EINVAL;
	lim->rlim_cur = strcmp(cur, "unlimited") ? strtoull(cur, NULL, 10) : RLIM_INFINITY;
	lim->rlim_max = strcmp(max, "unlimited") ? strtoull(max, NULL, 10) : RLIM_INFINITY;
	return 0;
}

#define CREATE_WAIT_MS 5000

/* Wait for child `pid` to end, CREATE_WAIT_MS at most: 0 when it has
 * (still to be reaped), -EINTR past the deadline, -errno when it cannot
 * be watched. */
static int wait_child(pid_t pid)
{
	gint64 deadline = g_get_monotonic_time() + CREATE_WAIT_MS * G_TIME_SPAN_MILLISECOND;
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int r;

	if (fd < 0)
		return -errno;
	for (;;) {
		gint64 left = deadline - g_get_monotonic_time();

		r = poll(&p, 1, (int)MAX(left / G_TIME_SPAN_MILLISECOND, 0));
		/* (EINTR: the worker's interrupt signal, meant for a wait
		 * that is not this one; wait on to the same deadline.) */
		if (r >= 0 || errno != EINTR)
			break;
	}
	r = r > 0 ? 0 : r == 0 ? -EINTR : -errno;
	close(fd);
	return r;
}

static int create_in_child(const struct ipcfs_create_args *args, const struct mq_attr *attr)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct caps[_LINUX_CAPABILITY_U32S_3], mine[_LINUX_CAPABILITY_U32S_3];
	struct ipcfs_cred *c = args->cred;
	struct rlimit lim;
	uint64_t fs_caps;
	bool have_lim;
	int status, r;
	pid_t pid;

	r = cred_load(c);
	if (r)
		return r;
	if (syscall(SYS_capget, &hdr, mine))
		return -errno;
	/* The caller's capabilities where the child stands (cred_fs_caps),
	 * never more than the daemon's. */
	fs_caps = cred_fs_caps(c);
	memset(caps, 0, sizeof(caps));
	caps[0].permitted = caps[0].effective = mine[0].permitted & (uint32_t)fs_caps;
	caps[1].permitted = caps[1].effective = mine[1].permitted & (uint32_t)(fs_caps >> 32);
	have_lim = !caller_msgqueue_limit(c->pid, &lim);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		int fd, e = 0;

		/* Nothing of the daemon's (/dev/fuse ...) in a process the
		 * caller will own. */
		syscall(SYS_close_range, 3, ~0U, 0);

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
	/*
	 * One wait on a pidfd, readable when the child has ended.  The child
	 * is the caller's, who may stop it (SIGSTOP), which no pidfd reports:
	 * so the wait has a deadline, past which a stopped or stuck child is
	 * killed and the caller told EINTR.  A stopped child thus holds a
	 * worker for the deadline, no longer, like any wait the caller may
	 * start (a blocked receive holds one until interrupted).
	 */
	r = wait_child(pid);
	if (r < 0) {
		kill(pid, SIGKILL);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		return r;
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return !WIFEXITED(status) ? -EIO : -WEXITSTATUS(status);
}

static int pmq_create(const struct ipcfs_backend *be, const struct ipcfs_create_args *args,
		      ipcfs_id *id)
{
	struct mq_attr attr = { 0 };
	int r;

	if (args->param) {
		attr.mq_maxmsg = (long)(args->param >> 32);
		attr.mq_msgsize = (long)(args->param & 0xffffffffu);
	}
	/* As the daemon (IPCFS_CREATE_AS_DAEMON): the child needs its
	 * capabilities to become the caller. */
	r = create_in_child(args, args->param ? &attr : NULL);
	log_dbg("posix/mq create %s mode %#o param %#llx -> %d", args->name, args->mode,
		(unsigned long long)args->param, r);
	return r ? r : posix_name_new_id(posix_names_of(be), args->name, id);
}

/* rmdir: mq_unlink as the caller (the kernel's rule for unlinking in the
 * namespace's sticky, world-writable root).  The queue lives on while it
 * is open. */
static int pmq_remove(const struct ipcfs_backend *be, struct ipcfs_cred *c, ipcfs_id id)
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
			 struct ipcfs_create_args *args)
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
	r = posix_name_check("", w[0]);
	if (r)
		return r;
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

/* ---- sending and receiving: the engine's methods (msgq.h) ---- */

/* mq_send, or mq_timedsend trying once (-EAGAIN when full). */
static int pmq_send(const struct msgq *q, bool wait, const char *text, size_t len, long prio)
{
	if (!(wait ? mq_send(q->fd, text, len, (unsigned)prio)
		   : nowait_mq_send(q->fd, text, len, (unsigned)prio, &pmq_past)))
		return 0;
	return errno == ETIMEDOUT ? -EAGAIN : -errno;
}

/* mq_receive likewise.  `size` must be at least msgsize (else EMSGSIZE,
 * as mq_receive). */
static ssize_t pmq_receive(const struct msgq *q, bool wait, char *text, size_t size, long *prio)
{
	unsigned p;
	ssize_t n = wait ? mq_receive(q->fd, text, size, &p)
			 : nowait_mq_receive(q->fd, text, size, &p, &pmq_past);

	if (n < 0)
		return errno == ETIMEDOUT ? -EAGAIN : -errno;
	*prio = p;
	return n;
}

/* Putting back goes through the daemon's own O_NONBLOCK descriptor: the
 * reader may have opened the queue read-only.  POSIX cannot put one in
 * front, so it goes behind the others of its priority. */
static int pmq_put(const struct msgq *q, const char *text, size_t len, long prio)
{
	return mq_send(q->back, text, len, (unsigned)prio) ? -errno : 0;
}

/* Is there room for one more message (of any size up to msgsize)?  0,
 * -EAGAIN, or -errno. */
static int pmq_room(const struct msgq *q, size_t len)
{
	struct mq_attr a;

	(void)len;
	if (mq_getattr(q->fd, &a))
		return -errno;
	return a.mq_curmsgs < a.mq_maxmsg ? 0 : -EAGAIN;
}

static size_t pmq_msgsize(const struct msgq *q)
{
	return q->msgsize;
}

static const struct msgq_ops pmq_ops = {
	.kind = "posix/mq",
	.tag_name = "priority",
	.bounded = false,
	.too_long = -EMSGSIZE,
	.line_tag = 0,
	.send = pmq_send,
	.receive = pmq_receive,
	.put = pmq_put,
	.room = pmq_room,
	.msgmax = pmq_msgsize,
};

/* ---- an open queue ---- */

/*
 * What an open live file holds (struct msgq_open: the engine's, counted by
 * the results of its reads, whose undo may put a message back after the
 * file was released): the queue opened as the caller, and for readers the
 * daemon's O_WRONLY descriptor, to put messages back through.
 */
static int pmq_open(struct ipcfs_fh *fh, const struct ipcfs_obj *o)
{
	int acc = fh->flags & O_ACCMODE;
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
	fh->priv = msgq_open_new(&(struct msgq){
		.ops = &pmq_ops,
		.id = fh->id,
		.fd = fd,
		.back = back,
		.msgsize = (size_t)a.mq_msgsize,
	});
	return 0;
}

/*
 * queue: one message, the highest priority first.  The reader's buffer
 * must hold msgsize bytes (EMSGSIZE, as for mq_receive).  The message is
 * received into the worker's scratch (msgq.h) when msgsize fits it (the
 * default, 8 KiB, does), else into the heap.  (An allocation of 8 KiB per
 * read made glibc consolidate its free lists at every call: 5% of a
 * read's round trip, measured.)
 */

static void pmq_read_undo(struct ipcfs_result *res)
{
	struct msgq_open *q = res->priv;
	struct msgq_taken t = { .tag = res->arg[0], .len = res->size };

	msgq_put_back(&q->q, res->data, &t, 1);
}

static void pmq_read_done(struct ipcfs_result *res)
{
	if (res->data != msgq_scratch_text())
		g_free((void *)res->data);
	msgq_open_unref(res->priv);
}

static int queue_read(struct ipcfs_call *call, struct ipcfs_fh *fh, size_t size, off_t off,
		      struct ipcfs_result *res)
{
	struct msgq_open *q = fh->priv;
	long prio = 0;
	char *out;
	ssize_t n;

	(void)off;	/* a queue has no offsets */
	if (size < q->q.msgsize)
		return -EMSGSIZE;
	out = q->q.msgsize <= MSGQ_SCRATCH ? msgq_scratch_text() : g_try_malloc(q->q.msgsize);
	if (!out)
		return -ENOMEM;
	n = msgq_receive(call, fh, &q->q, out, q->q.msgsize, &prio, &res->waited);
	log_dbg("posix/mq %d read (%zu) -> %zd prio %ld", fh->id, size, n, prio);
	if (n < 0) {
		if (out != msgq_scratch_text())
			g_free(out);
		return (int)n;
	}
	res->data = out;
	res->size = (size_t)n;
	res->priv = msgq_open_ref(q);
	res->arg[0] = prio;
	res->undo = pmq_read_undo;
	res->done = pmq_read_done;
	return 0;
}

static int queue_write(struct ipcfs_call *call, struct ipcfs_fh *fh, const struct ipcfs_obj *o,
		       const char *buf, size_t size, off_t off, struct ipcfs_result *res)
{
	struct msgq_open *q = fh->priv;
	/* prio/<N> (the row that cannot be read) sends with priority N. */
	long prio = fh->file->read ? 0 : (long)fh->sub;
	int r;

	(void)o, (void)off, (void)res;
	r = size > q->q.msgsize ? -EMSGSIZE : msgq_send(call, fh, &q->q, buf, size, prio);
	log_dbg("posix/mq %d write prio %ld (%zu) -> %d", fh->id, prio, size, r);
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

/*
 * poll(2): POLLIN when a message is queued (or, for lines, the end of one
 * is waiting to be read), POLLOUT when one more would fit.  A queue
 * removed while open still works, as natively: never POLLERR.
 */
static unsigned queue_ready(struct ipcfs_fh *fh, unsigned events)
{
	struct msgq_open *q = fh->priv;
	struct mq_attr a;
	unsigned mask = 0;

	(void)events;
	if (mq_getattr(q->q.fd, &a))
		return POLLERR;
	if (a.mq_curmsgs > 0 || msgq_rest_waiting(q))
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
		.release = msgq_release,
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
		.read = msgq_lines_read,
		.write = msgq_lines_write,
		.flush = msgq_lines_flush,
		.release = msgq_release,
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
		.release = msgq_release,
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

	text = file_read(path, FILE_PROC_MAX, NULL);
	if (!text)
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

	if (!posix_list(&posix_mq_backend, NULL, objs))	/* a count of the daemon's mount */
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
	.create_as = IPCFS_CREATE_AS_DAEMON,
	.remove = pmq_remove,
	.parse_new = pmq_parse_new,
	.fields = pmq_fields,
	.files = pmq_files,
	.nfiles = G_N_ELEMENTS(pmq_files),
	.limits = pmq_limits,
	.summary = pmq_summary,
};
