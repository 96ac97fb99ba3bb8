// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mq.c - System V message queues.
 *
 *   mq/<msqid>/queue        one message (type 1) per write(), one per read()
 *   mq/<msqid>/lines        text: one message per line, written and read in bulk
 *   mq/<msqid>/type/<N>     like queue, for messages of type N only
 *   mq/<msqid>/messages/    POS.typeT: a copy of each queued message (MSG_COPY)
 *   mq/<msqid>/info, key, qnum, cbytes, qbytes (writable: IPC_SET), ...
 *
 *   $ mkdir mq/0x1234
 *   $ echo hello > mq/0x1234/queue; printf 'a\nb\n' > mq/0x1234/type/7
 *   $ ls mq/0x1234/type mq/0x1234/messages
 *   mq/0x1234/type:  1  7
 *   mq/0x1234/messages:  0.type1  1.type7
 *   $ cat mq/0x1234/lines          (prints messages as they come, like a FIFO)
 *   hello
 *
 *   a
 *   b
 *
 * The daemon sends and receives as root, so access is decided at open by
 * the kernel's rules for the opener (msgsnd needs w; msgrcv and MSG_COPY
 * need r).  A blocked send or receive ends with EINTR when the caller is
 * interrupted (fs/wait.c) and with EIDRM when the queue is removed.
 *
 * Nothing is lost: a message taken from the kernel for a reader that can
 * no longer have it (interrupted, or its reply failed) is sent back.  It
 * goes to the end of the queue, since System V cannot put one in front.
 */
#include "mq.h"
#include "sysv.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/msg.h>

/* What msgsnd and msgrcv take: the type, then the bytes. */
struct mq_msg {
	long mtype;
	char mtext[];
};

/* The rows, in directory order; type/ and messages/ name their entries'
 * parent by slot (1 + index). */
enum {
	MQ_FILE_QUEUE,
	MQ_FILE_LINES,
	MQ_FILE_TYPEDIR,
	MQ_FILE_TYPE,
	MQ_FILE_MSGDIR,
	MQ_FILE_MSG,
	MQ_FILE_COUNT
};
#define MQ_SLOT(file) (1 + (file))

/* How often a send that has no request to wait for (putting a message
 * back, the last line at close) retries while the queue is full. */
#define MQ_PUT_RETRY_US (5 * 1000)

/* ---- the pure half (mq.h) ---- */

bool mq_next_line(const char *buf, size_t size, size_t *pos, size_t *off, size_t *len)
{
	const char *nl;

	if (*pos >= size)
		return false;
	nl = memchr(buf + *pos, '\n', size - *pos);
	if (!nl)
		return false;
	*off = *pos;
	*len = (size_t)(nl - buf) - *pos;
	*pos = (size_t)(nl - buf) + 1;
	return true;
}

size_t mq_lines_longest(size_t pending, const char *buf, size_t size)
{
	size_t pos = 0, off, len, longest = 0, carry = pending;

	while (mq_next_line(buf, size, &pos, &off, &len)) {
		longest = MAX(longest, carry + len);
		carry = 0;
	}
	return MAX(longest, carry + (size - pos));
}

/* A canonical decimal in [b, e) ("0", "17"; no sign, no leading zero)
 * of at most max.  0 or -ENOENT. */
static int canonical_dec(const char *b, const char *e, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (b == e || (*b == '0' && e - b > 1))
		return -ENOENT;
	for (; b < e; b++) {
		unsigned d = (unsigned)(*b - '0');

		if (*b < '0' || *b > '9' || v > (max - d) / 10)
			return -ENOENT;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int mq_parse_type(const char *name, long *type)
{
	uint64_t v;

	if (!name || canonical_dec(name, name + strlen(name), LONG_MAX, &v) || !v)
		return -ENOENT;
	*type = (long)v;
	return 0;
}

int mq_parse_msgname(const char *name, uint64_t *pos, long *type)
{
	const char *dot = name ? strstr(name, ".type") : NULL;
	uint64_t t;

	/* A position is a msgrcv msgtyp (a long) under MSG_COPY. */
	if (!dot || canonical_dec(name, dot, LONG_MAX, pos) ||
	    canonical_dec(dot + 5, dot + strlen(dot), LONG_MAX, &t) || !t)
		return -ENOENT;
	*type = (long)t;
	return 0;
}

void mq_format_msgname(char *buf, size_t size, uint64_t pos, long type)
{
	snprintf(buf, size, "%" PRIu64 ".type%ld", pos, type);
}

/* ---- the table of queues ---- */

static int mq_stat_any(int idx, struct ipcfs_obj *o)
{
	struct msqid_ds ds;
	int id = msgctl(idx, MSG_STAT_ANY, &ds);

	if (id < 0)
		return -errno;
	ipc_fill_perm(o, id, &ds.msg_perm);
	MQ(o)->qnum = (int64_t)ds.msg_qnum;
	MQ(o)->cbytes = (int64_t)ds.msg_cbytes;
	MQ(o)->qbytes = (int64_t)ds.msg_qbytes;
	MQ(o)->lspid = ds.msg_lspid;
	MQ(o)->lrpid = ds.msg_lrpid;
	MQ(o)->stime = ds.msg_stime;
	MQ(o)->rtime = ds.msg_rtime;
	MQ(o)->ctime = ds.msg_ctime;
	/* Reading is access, sending is modification, as for a FIFO. */
	ipc_dir_times(o, ds.msg_rtime, ds.msg_stime, ds.msg_ctime);
	return id;
}

static int mq_list(const struct ipcfs_backend *be, GArray *out)
{
	struct msginfo mi;
	/* MSG_INFO returns the highest index in use. */
	int max = msgctl(0, MSG_INFO, (struct msqid_ds *)(void *)&mi);

	(void)be;
	if (max < 0)
		return -errno;
	return ipc_enumerate(mq_stat_any, max, out);
}

static int mq_stat(const struct ipcfs_backend *be, int id, struct ipcfs_obj *out)
{
	(void)be;
	return ipc_stat_id(mq_stat_any, id, out);
}

static int mq_find_key(key_t key)
{
	/* Without IPC_CREAT and with no mode bits asked for, msgget checks
	 * nothing but the key. */
	int id = msgget(key, 0);

	return id < 0 ? -errno : id;
}

static int mq_create(const struct ipcfs_backend *be, const struct ipcfs_create *args)
{
	int id = msgget(args->key, IPC_CREAT | IPC_EXCL | (int)args->mode);

	(void)be;
	return id < 0 ? -errno : id;
}

static int mq_remove(const struct ipcfs_backend *be, struct ipcfs_cred *c, int id)
{
	(void)be, (void)c;	/* checked by fs/ with sysv_owner */
	return msgctl(id, IPC_RMID, NULL) ? sysv_errno(errno, SYSV_BY_PATH) : 0;
}

/* `what` does not matter: IPC_SET sets all three, owner checked by fs/. */
static int mq_set(const struct ipcfs_backend *be, struct ipcfs_cred *c, int id, unsigned what,
	   uid_t uid, gid_t gid, mode_t mode)
{
	struct msqid_ds ds;

	(void)be, (void)c, (void)what;
	/* IPC_SET sets msg_qbytes too: keep the current one. */
	if (msgctl(id, IPC_STAT, &ds))
		return sysv_errno(errno, SYSV_BY_PATH);
	ds.msg_perm.uid = uid;
	ds.msg_perm.gid = gid;
	ds.msg_perm.mode = (unsigned short)mode;
	return msgctl(id, IPC_SET, &ds) ? sysv_errno(errno, SYSV_BY_PATH) : 0;
}

static int mq_info(struct msginfo *mi)
{
	return msgctl(0, IPC_INFO, (struct msqid_ds *)(void *)mi) < 0 ? -errno : 0;
}

/* The largest message msgsnd accepts now (the namespace's msgmax). */
static size_t mq_msgmax(void)
{
	struct msginfo mi;

	if (mq_info(&mi) || mi.msgmax < 0)
		return 8192;	/* MSGMAX, the kernel's default */
	return (size_t)mi.msgmax;
}

/*
 * `echo N > qbytes`: IPC_SET of msg_qbytes with the kernel's rules for the
 * writer (ipc/msg.c:msgctl_down): owner, creator or CAP_SYS_ADMIN, and
 * CAP_SYS_RESOURCE to go past msgmnb.  Nothing changes on any failure.
 */
static int qbytes_write(int id, const char *text, struct ipcfs_cred *cred)
{
	struct ipcfs_obj o;
	struct msqid_ds ds;
	struct msginfo mi;
	uint64_t v;
	int r;

	r = parse_u64(text, false, &v);
	if (r)
		return r;
	if (v > INT64_MAX)
		return -ERANGE;	/* the kernel would take it; qbytes could not show it */
	r = mq_stat(NULL, id, &o);
	if (r)
		return r;
	r = sysv_owner(NULL, cred, &o);
	if (r)
		return r;
	r = mq_info(&mi);
	if (r)
		return r;
	if (msgctl(id, IPC_STAT, &ds))
		return sysv_errno(errno, SYSV_BY_PATH);
	/* In the kernel's order (ipc/msg.c:msgctl_down): the owner, the
	 * limit, then the owner's ids, which IPC_SET names too. */
	if (v > (uint64_t)mi.msgmnb && !cred_capable(cred, IPCFS_CAP_SYS_RESOURCE))
		return -EPERM;
	if (!cred_ids_mappable(cred, ds.msg_perm.uid, ds.msg_perm.gid))
		return -EINVAL;
	ds.msg_qbytes = (msglen_t)v;
	return msgctl(id, IPC_SET, &ds) ? sysv_errno(errno, SYSV_BY_PATH) : 0;
}

/* ---- sending and receiving ---- */

static struct mq_msg *msg_try_new(long type, size_t len)
{
	struct mq_msg *m = g_try_malloc(sizeof(*m) + MAX(len, 1));

	if (m)
		m->mtype = type;
	return m;
}

/*
 * A message buffer for one call: the calling thread's own for messages up
 * to MSG_SCRATCH bytes (most are small; it saves a heap round trip per
 * call), else from the heap.  Give it back with msg_done().
 */
#define MSG_SCRATCH 8192
static __thread struct {
	long mtype;
	char mtext[MSG_SCRATCH];
} msg_scratch;

static struct mq_msg *msg_get(long type, size_t len)
{
	struct mq_msg *m;

	if (len > MSG_SCRATCH)
		return msg_try_new(type, len);
	m = (struct mq_msg *)(void *)&msg_scratch;
	m->mtype = type;
	return m;
}

static void msg_done(struct mq_msg *m)
{
	if (m != (struct mq_msg *)(void *)&msg_scratch)
		g_free(m);
}

/*
 * msgsnd within a wait (w), or with IPC_NOWAIT when w is NULL.  The
 * worker's signal ends a blocked msgsnd with EINTR having sent nothing; we
 * retry unless the writer gave up.  0 or -errno.
 */
static int snd_in(struct ipcfs_wait *w, int id, const struct mq_msg *m, size_t len)
{
	for (;;) {
		if (!msgsnd(id, m, len, w ? 0 : IPC_NOWAIT))
			return 0;
		if (errno != EINTR || !w)
			return sysv_errno(errno, SYSV_OPEN_FILE);
		if (wait_cancelled(w))
			return -EINTR;
	}
}

/* msgrcv likewise: the message's size, or -errno.  msgtyp 0 is the oldest
 * message, N > 0 the oldest of type N.  Without MSG_NOERROR a message
 * longer than `size` stays queued and we get E2BIG. */
static ssize_t rcv_in(struct ipcfs_wait *w, int id, struct mq_msg *m, size_t size, long type)
{
	for (;;) {
		ssize_t n = msgrcv(id, m, size, type, w ? 0 : IPC_NOWAIT);

		if (n >= 0)
			return n;
		if (errno != EINTR || !w)
			return sysv_errno(errno, SYSV_OPEN_FILE);
		if (wait_cancelled(w))
			return -EINTR;
	}
}

/*
 * The same for a request: first without waiting, which is all most calls
 * need, and only if that would block (and the file is not O_NONBLOCK)
 * again within an interruptible wait.  Registering a wait costs a lock,
 * an allocation and libfuse's interrupt bookkeeping: measured, 10% of a
 * small write's round trip.
 */
static int snd_req(struct ipcfs_call *call, const struct ipcfs_fh *fh, const struct mq_msg *m,
		   size_t len)
{
	struct ipcfs_wait w;
	int r = snd_in(NULL, fh->id, m, len);

	/* (A send that had been interrupted before it began still goes, and
	 * the writer is told it did: nothing is lost either way.) */
	if (r != -EAGAIN || (fh->flags & O_NONBLOCK))
		return r;
	r = wait_begin(&w, call);
	if (!r)
		r = snd_in(&w, fh->id, m, len);
	wait_end(&w);	/* also after a failed wait_begin: it registered */
	return r;
}

/* `waited` is set when the receive had to wait (see struct ipcfs_result). */
static ssize_t rcv_req(struct ipcfs_call *call, const struct ipcfs_fh *fh, struct mq_msg *m,
		       size_t size, long type, bool *waited)
{
	struct ipcfs_wait w;
	ssize_t n;

	/* Interrupted before it began: take nothing (a message taken now
	 * could only go back at the end of the queue). */
	if (!(fh->flags & O_NONBLOCK) && call_interrupted(call))
		return -EINTR;
	n = rcv_in(NULL, fh->id, m, size, type);
	if (n != -EAGAIN || (fh->flags & O_NONBLOCK))
		return n;
	n = wait_begin(&w, call);
	if (!n)
		n = rcv_in(&w, fh->id, m, size, type);
	wait_end(&w);
	/* A reader killed while it waited never hears of the message: fs/
	 * has it put back (undo), and the reply says EINTR. */
	*waited = true;
	return n;
}

/*
 * Send a message on behalf of nobody who could still be told of failure:
 * one put back for a reader that could not have it, or the last line of a
 * `lines` file being closed.  There is no request to wait on, so a full
 * queue is retried every few milliseconds until there is room, the queue
 * is removed or the daemon stops.  0 or -errno.
 */
static int mq_put(int id, long type, const char *text, size_t len)
{
	g_autofree struct mq_msg *m = msg_try_new(type, len);

	if (!m)
		return -ENOMEM;
	memcpy(m->mtext, text, len);
	while (msgsnd(id, m, len, IPC_NOWAIT)) {
		if (errno != EAGAIN && errno != EINTR)
			return sysv_errno(errno, SYSV_OPEN_FILE);
		if (wait_stopping())
			return -ESHUTDOWN;
		g_usleep(MQ_PUT_RETRY_US);
	}
	return 0;
}

/* One message taken for a reader: where its bytes are in the reply. */
struct mq_taken {
	long type;
	size_t off, len;
};

static void put_back(int id, const char *buf, const struct mq_taken *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int r = mq_put(id, t[i].type, buf + t[i].off, t[i].len);

		if (r)
			log_err("mq %d: lost a message of type %ld (%zu bytes) that could not be "
				"put back: %s", id, t[i].type, t[i].len, g_strerror(-r));
		else
			log_dbg("mq %d: put back a message of type %ld (%zu bytes)", id,
				t[i].type, t[i].len);
	}
}

/* A message taken for a reader who cannot have it goes back (fs/ decides
 * when: see struct ipcfs_result).  arg[0] is the queue. */
static void queue_undo(struct ipcfs_result *res)
{
	struct mq_msg *m = res->priv;
	struct mq_taken t = { .type = m->mtype, .len = res->size };

	put_back((int)res->arg[0], m->mtext, &t, 1);
}

static void queue_done(struct ipcfs_result *res)
{
	msg_done(res->priv);
}

/* queue and type/<N>: the row value is the type (0 for queue: reads take
 * any type, writes send type 1). */
static long fh_send_type(const struct ipcfs_fh *fh)
{
	return fh->sub ? (long)fh->sub : 1;
}

static int queue_read(struct ipcfs_call *call, struct ipcfs_fh *fh, size_t size, off_t off,
		      struct ipcfs_result *res)
{
	struct mq_msg *m = msg_get(0, size);
	ssize_t n;

	(void)off;	/* a queue has no offsets */
	if (!m)
		return -ENOMEM;
	n = rcv_req(call, fh, m, size, (long)fh->sub, &res->waited);
	log_dbg("mq %d read type %ld (%zu) -> %zd", fh->id, (long)fh->sub, size, n);
	if (n < 0) {
		msg_done(m);
		return (int)n;
	}
	res->data = m->mtext;
	res->size = (size_t)n;
	res->priv = m;
	res->arg[0] = fh->id;
	res->undo = queue_undo;
	res->done = queue_done;
	return 0;
}

static int queue_write(struct ipcfs_call *call, struct ipcfs_fh *fh, const struct ipcfs_obj *o,
		       const char *buf, size_t size, off_t off, struct ipcfs_result *res)
{
	struct mq_msg *m;
	int id = fh->id, r;

	(void)o, (void)off, (void)res;	/* checked by fs/; a queue has no offsets */
	m = msg_get(fh_send_type(fh), size);
	if (!m) {
		r = -ENOMEM;
		goto out;
	}
	memcpy(m->mtext, buf, size);
	r = snd_req(call, fh, m, size);
	msg_done(m);
	/* The kernel's EINVAL is a message over msgmax or a queue gone (see
	 * sysv_errno); only a failed send pays for telling which. */
	if (r == -EIDRM && size > mq_msgmax())
		r = -EINVAL;
out:
	log_dbg("mq %d write type %ld (%zu) -> %d", id, fh_send_type(fh), size, r);
	return r;
}

static int live_getattr(const struct ipcfs_obj *o, uint64_t sub, struct stat *st)
{
	(void)sub;
	/* Like a FIFO: no size, the queue's own permission bits. */
	st->st_mode = S_IFREG | (o->mode & 0666);
	return 0;
}

/* ---- lines ---- */

struct mq_lines {
	GString *pending;	/* the unfinished last line written so far */
	pid_t writer;		/* the thread that wrote its last part */
	GCond idle;		/* with fh->lock: `busy` went false */
	bool busy;		/* a write is using `pending` */
};

static int lines_open(struct ipcfs_fh *fh, const struct ipcfs_obj *o)
{
	struct mq_lines *st = g_new0(struct mq_lines, 1);

	(void)o;
	st->pending = g_string_new(NULL);
	g_cond_init(&st->idle);
	fh->priv = st;
	return 0;
}

/*
 * Writes on one open file take turns, since each may continue the line
 * the previous one left unfinished.  A write can block for long (a full
 * queue), so the next one waits in a way its caller can interrupt.
 */
static int lines_enter(struct ipcfs_call *call, struct ipcfs_fh *fh, struct mq_lines *st)
{
	int r = 0;

	g_mutex_lock(&fh->lock);
	while (st->busy && !r) {
		if (call_interrupted(call))
			r = -EINTR;
		else
			g_cond_wait_until(&st->idle, &fh->lock,
					  g_get_monotonic_time() + 20 * G_TIME_SPAN_MILLISECOND);
	}
	if (!r)
		st->busy = true;
	g_mutex_unlock(&fh->lock);
	return r;
}

static void lines_leave(struct ipcfs_fh *fh, struct mq_lines *st)
{
	g_mutex_lock(&fh->lock);
	st->busy = false;
	g_cond_signal(&st->idle);
	g_mutex_unlock(&fh->lock);
}

/*
 * Every complete line is one message of type 1, all sent in this request;
 * the unfinished tail waits in `pending`.  Nothing is sent unless every
 * message fits msgmax.  Interrupted (or EAGAIN, EIDRM) after some lines,
 * the write reports the bytes of the lines sent, as a short write should.
 */
static int lines_write(struct ipcfs_call *call, struct ipcfs_fh *fh, const struct ipcfs_obj *o,
		       const char *buf, size_t size, off_t off, struct ipcfs_result *res)
{
	struct mq_lines *st = fh->priv;
	g_autofree struct mq_msg *m = NULL;
	bool nowait = fh->flags & O_NONBLOCK;
	size_t pos = 0, done = 0, loff, llen, longest, count = 0;
	struct ipcfs_wait w;
	int id = fh->id, r;

	(void)o, (void)off;
	r = lines_enter(call, fh, st);
	if (r)
		return r;
	longest = mq_lines_longest(st->pending->len, buf, size);
	if (longest > mq_msgmax()) {
		r = -EINVAL;
		goto out;
	}
	m = msg_try_new(1, longest);
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
		size_t plen = st->pending->len;

		memcpy(m->mtext, st->pending->str, plen);
		memcpy(m->mtext + plen, buf + loff, llen);
		r = snd_in(nowait ? NULL : &w, id, m, plen + llen);
		if (r)
			break;
		g_string_truncate(st->pending, 0);
		done = pos;
		count++;
	}
	if (!r) {
		g_string_append_len(st->pending, buf + pos, (gssize)(size - pos));
		st->writer = call_pid(call);
		done = size;
	}
out_wait:
	if (!nowait)
		wait_end(&w);
out:
	lines_leave(fh, st);
	log_dbg("mq %d lines write (%zu) -> %d, %zu lines, %zu bytes taken", id, size, r,
		count, done);
	/* A short write if some lines went before the failure. */
	if (r && !done)
		return r;
	res->size = done;
	return 0;
}

/*
 * Messages, each followed by a newline, oldest first, of any type.
 *
 * A read smaller than MQ_LINES_BULK takes exactly one message.  Line tools
 * (the shell's read, head, sed, Python's readline) read a buffer of 4 or
 * 8 KiB, use the lines they need and seek back over the rest; a queue
 * cannot take bytes back, so a read that took more messages than the tool
 * used would lose them (`while read` lost 9 of 10).  With one message per
 * read the tool has read exactly what it prints.  A big read (cat's 128
 * KiB, dd bs=1M) takes as many whole messages as fit, for speed: such
 * readers keep everything they read.
 *
 * Only the first receive may wait; the others take what is there
 * (IPC_NOWAIT) and at most what still fits, so a message that does not fit
 * stays queued for the next read.
 */
#define MQ_LINES_BULK (64 << 10)

/* What a `lines` read took: its reply, and where each message is in it. */
struct mq_handout {
	int id;
	char *out;
	GArray *taken;		/* struct mq_taken */
};

static void lines_undo(struct ipcfs_result *res)
{
	struct mq_handout *h = res->priv;

	put_back(h->id, h->out, &g_array_index(h->taken, struct mq_taken, 0), h->taken->len);
}

static void lines_done(struct ipcfs_result *res)
{
	struct mq_handout *h = res->priv;

	g_free(h->out);
	g_array_unref(h->taken);
	g_free(h);
}

static int lines_read(struct ipcfs_call *call, struct ipcfs_fh *fh, size_t size, off_t off,
		      struct ipcfs_result *res)
{
	g_autofree char *out = g_try_malloc(MAX(size, 1));
	g_autofree struct mq_msg *m = msg_try_new(0, size);
	g_autoptr(GArray) taken = g_array_new(FALSE, FALSE, sizeof(struct mq_taken));
	struct mq_handout *h;
	int id = fh->id;
	size_t used = 0;
	ssize_t n;

	(void)off;
	if (!out || !m)
		return -ENOMEM;
	if (!size)
		return 0;
	n = rcv_req(call, fh, m, size - 1, 0, &res->waited);
	while (n >= 0) {
		struct mq_taken t = { .type = m->mtype, .off = used, .len = (size_t)n };

		memcpy(out + used, m->mtext, (size_t)n);
		out[used + (size_t)n] = '\n';
		used += (size_t)n + 1;
		g_array_append_val(taken, t);
		if (used >= size || size < MQ_LINES_BULK)
			break;
		/* ENOMSG (empty now) or E2BIG (the next does not fit) ends it. */
		n = rcv_in(NULL, id, m, size - used - 1, 0);
	}
	log_dbg("mq %d lines read (%zu) -> %u messages, %zu bytes", id, size, taken->len, used);
	if (!taken->len)
		return (int)n;
	h = g_new(struct mq_handout, 1);
	h->id = id;
	h->out = g_steal_pointer(&out);
	h->taken = g_steal_pointer(&taken);
	res->data = h->out;
	res->size = used;
	res->priv = h;
	res->undo = lines_undo;
	res->done = lines_done;
	return 0;
}

/* Would a message of `len` bytes fit in the queue as `o` shows it?  The
 * kernel's own test (ipc/msg.c:msg_fits_inqueue): bytes and count, both
 * bounded by qbytes. */
static bool mq_fits(const struct ipcfs_obj *o, size_t len)
{
	return (int64_t)len + MQ(o)->cbytes <= MQ(o)->qbytes && MQ(o)->qnum + 1 <= MQ(o)->qbytes;
}

/* Would a message of `len` bytes fit now?  0, -EAGAIN, or -EIDRM when the
 * queue is gone. */
static int mq_room(int id, size_t len)
{
	struct ipcfs_obj o;

	if (mq_stat(NULL, id, &o))
		return -EIDRM;
	return mq_fits(&o, len) ? 0 : -EAGAIN;
}

/*
 * The unfinished last line is sent at the last close, by the release, which
 * must never block (the kernel runs releases in a few slots shared by every
 * user).  So the waiting happens here, at close(2) of the writer: when the
 * queue has no room for the line, the close waits until it has, as a
 * write would (interruptible; EAGAIN at once when O_NONBLOCK).  Interrupted
 * or refused, close(2) says why and the line is dropped.
 *
 * Every close of a descriptor flushes, dups too (`printf x >&3` closes the
 * dup the shell made), so a flush never sends: the line may still be
 * continued by the next write.  Only a flush by the thread that wrote it
 * waits; another's (a child's inherited copy) returns at once.
 */
#define MQ_ROOM_POLL_US (5 * 1000)
static int lines_flush(struct ipcfs_call *call, struct ipcfs_fh *fh)
{
	struct mq_lines *st = fh->priv;
	struct ipcfs_wait w;
	size_t len;
	int r;

	g_mutex_lock(&fh->lock);
	len = st->pending->len;
	r = !len || st->writer != call_pid(call);
	g_mutex_unlock(&fh->lock);
	if (r)
		return 0;
	r = mq_room(fh->id, len);
	if (r == -EAGAIN && !(fh->flags & O_NONBLOCK)) {
		r = wait_begin(&w, call);
		while (!r && (r = mq_room(fh->id, len)) == -EAGAIN) {
			if (wait_cancelled(&w)) {
				r = -EINTR;
			} else {
				g_usleep(MQ_ROOM_POLL_US);
				r = 0;
			}
		}
		wait_end(&w);
	}
	if (r) {
		g_mutex_lock(&fh->lock);
		log_err("mq %d: the last line written (%zu bytes) was dropped at close: %s",
			fh->id, st->pending->len, g_strerror(-r));
		g_string_truncate(st->pending, 0);
		g_mutex_unlock(&fh->lock);
	}
	return r;
}

/* At the last close: the unfinished line, without waiting (the writer's
 * close waited for room; a line that still does not fit is dropped). */
static void lines_release(struct ipcfs_fh *fh)
{
	struct mq_lines *st = fh->priv;

	if (!st)
		return;
	if (st->pending->len) {
		g_autofree struct mq_msg *m = msg_try_new(1, st->pending->len);

		if (m)
			memcpy(m->mtext, st->pending->str, st->pending->len);
		if (!m || snd_in(NULL, fh->id, m, st->pending->len))
			log_err("mq %d: the last line written (%zu bytes) was dropped at release",
				fh->id, st->pending->len);
	}
	g_string_free(st->pending, TRUE);
	g_cond_clear(&st->idle);
	g_free(st);
	fh->priv = NULL;
}

/* ---- type/ and messages/: what is queued, seen through MSG_COPY ---- */

/* A buffer for any queued message: msgmax bounds what msgsnd takes now,
 * cbytes what was sent before msgmax was lowered. */
static size_t copy_size(const struct ipcfs_obj *o)
{
	return MAX(mq_msgmax(), (size_t)MAX(MQ(o)->cbytes, 0));
}

/*
 * A copy of the message at position pos (0: the oldest), left in the
 * queue: msgrcv with MSG_COPY takes msgtyp as the position.  Its size, or
 * -ENOENT when there is no such position (any more).
 */
static ssize_t msg_copy(int id, uint64_t pos, struct mq_msg *m, size_t size)
{
	ssize_t n;

	if (pos > LONG_MAX)
		return -ENOENT;
	n = msgrcv(id, m, size, (long)pos, MSG_COPY | IPC_NOWAIT);
	if (n >= 0)
		return n;
	return errno == ENOMSG ? -ENOENT : sysv_errno(errno, SYSV_BY_PATH);
}

static int type_lookup(const struct ipcfs_obj *o, const char *name, uint64_t *sub)
{
	long type;

	(void)o;
	/* Any type, queued or not: a writer may start a new one. */
	if (mq_parse_type(name, &type))
		return -ENOENT;
	*sub = (uint64_t)type;
	return 0;
}

static gint cmp_long(gconstpointer a, gconstpointer b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

/* The types now queued, in increasing order. */
static int type_list(const struct ipcfs_obj *o, ipcfs_fill_fn fill, void *ctx)
{
	size_t size = copy_size(o);
	g_autofree struct mq_msg *m = msg_try_new(0, size);
	g_autoptr(GArray) types = g_array_new(FALSE, FALSE, sizeof(long));
	char name[24];

	if (!m)
		return -ENOMEM;
	for (uint64_t pos = 0; msg_copy((int)o->id, pos, m, size) >= 0; pos++)
		g_array_append_val(types, m->mtype);
	g_array_sort(types, cmp_long);
	for (guint i = 0; i < types->len; i++) {
		long t = g_array_index(types, long, i);

		if (i && t == g_array_index(types, long, i - 1))
			continue;
		snprintf(name, sizeof(name), "%ld", t);
		fill(ctx, name, (uint64_t)t);
	}
	return 0;
}

static int msg_lookup(const struct ipcfs_obj *o, const char *name, uint64_t *sub)
{
	size_t size = copy_size(o);
	g_autofree struct mq_msg *m = msg_try_new(0, size);
	uint64_t pos;
	long type;

	if (mq_parse_msgname(name, &pos, &type))
		return -ENOENT;
	if (!m)
		return -ENOMEM;
	/* Only the name the message at that position has now. */
	if (msg_copy((int)o->id, pos, m, size) < 0 || m->mtype != type)
		return -ENOENT;
	*sub = pos;
	return 0;
}

static int msg_list(const struct ipcfs_obj *o, ipcfs_fill_fn fill, void *ctx)
{
	size_t size = copy_size(o);
	g_autofree struct mq_msg *m = msg_try_new(0, size);
	char name[48];

	if (!m)
		return -ENOMEM;
	for (uint64_t pos = 0; msg_copy((int)o->id, pos, m, size) >= 0; pos++) {
		mq_format_msgname(name, sizeof(name), pos, m->mtype);
		fill(ctx, name, pos);
	}
	return 0;
}

static int msg_getattr(const struct ipcfs_obj *o, uint64_t sub, struct stat *st)
{
	size_t size = copy_size(o);
	g_autofree struct mq_msg *m = msg_try_new(0, size);
	ssize_t n;

	if (!m)
		return -ENOMEM;
	n = msg_copy((int)o->id, sub, m, size);
	if (n < 0)
		return (int)n;
	st->st_mode = S_IFREG | (o->mode & 0444);
	st->st_size = n;
	return 0;
}

static int msg_text(const struct ipcfs_obj *o, uint64_t sub, struct ipcfs_cred *reader,
			 GString *out)
{
	(void)reader;
	size_t size = copy_size(o);
	g_autofree struct mq_msg *m = msg_try_new(0, size);
	ssize_t n;

	if (!m)
		return -ENOMEM;
	n = msg_copy((int)o->id, sub, m, size);
	if (n < 0)
		return (int)n;
	g_string_append_len(out, m->mtext, n);
	return 0;
}

/* ---- readiness: poll(2) on queue, lines and type/<N> (fs/poll.c) ---- */

/*
 * Is a message of `type` queued?  A walk over the positions with MSG_COPY,
 * which leaves the queue as it is: a msgrcv of that type into a buffer too
 * small for any message would not, since a message of 0 bytes fits and
 * would be taken.  1, 0, or -errno when the walk cannot be made (no
 * MSG_COPY in this kernel: ENOSYS).
 */
static int type_queued(const struct ipcfs_obj *o, long type)
{
	size_t size = copy_size(o);
	g_autofree struct mq_msg *m = msg_try_new(0, size);

	if (!m)
		return -ENOMEM;
	/* Positions shift while others receive: a message skipped now is
	 * seen at the next look. */
	for (uint64_t pos = 0; pos < (uint64_t)MQ(o)->qnum; pos++) {
		ssize_t n = msg_copy((int)o->id, pos, m, size);

		if (n == -ENOENT)
			return 0;	/* the end, or the queue is gone */
		if (n < 0)
			return (int)n;
		if (m->mtype == type)
			return 1;
	}
	return 0;
}

/*
 * POLLIN: a read would find a message (of the file's type, for type/<N>);
 * POLLOUT: a message of 1 byte would fit (the kernel's own test in
 * msgsnd: cbytes + size <= qbytes and qnum + 1 <= qbytes; a longer one may
 * still wait).  A queue that is gone: POLLERR|POLLHUP and whatever was
 * asked, since every read and write now fails at once (EIDRM).
 */
static unsigned queue_ready(struct ipcfs_fh *fh, unsigned events)
{
	struct ipcfs_obj o;
	unsigned mask = 0;
	int r = 1;

	if (mq_stat(NULL, fh->id, &o))
		return POLLERR | POLLHUP | (events & (POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM));
	if (mq_fits(&o, 1))
		mask |= POLLOUT | POLLWRNORM;
	if (!(events & (POLLIN | POLLRDNORM)) || MQ(&o)->qnum <= 0)
		return mask;
	/* queue and lines take any type; the walk only for type/<N>.  If it
	 * cannot be made, a queued message of any type counts: a wake-up too
	 * many rather than one missed. */
	if (fh->sub)
		r = type_queued(&o, (long)fh->sub);
	if (r)
		mask |= POLLIN | POLLRDNORM;
	return mask;
}

static const struct ipcfs_file mq_files[] = {
	[MQ_FILE_QUEUE] = {
		.name = "queue",
		.mode = S_IFREG | 0666,
		.flags = IPCFS_FILE_CONSUMES | IPCFS_FILE_OWN_INODE,
		.need_read = IPCFS_R,	/* msgrcv */
		.need_write = IPCFS_W,	/* msgsnd */
		.getattr = live_getattr,
		.read = queue_read,
		.write = queue_write,
		.ready = queue_ready,
	},
	[MQ_FILE_LINES] = {
		.name = "lines",
		.mode = S_IFREG | 0666,
		.flags = IPCFS_FILE_CONSUMES | IPCFS_FILE_OWN_INODE,
		.need_read = IPCFS_R,
		.need_write = IPCFS_W,
		.getattr = live_getattr,
		.open = lines_open,
		.read = lines_read,
		.write = lines_write,
		.flush = lines_flush,
		.release = lines_release,
		.ready = queue_ready,
	},
	[MQ_FILE_TYPEDIR] = {
		.name = "type",
		.mode = S_IFDIR | 0555,
		.flags = IPCFS_FILE_DIR,
		.need_read = IPCFS_R,	/* listing it is MSG_COPY */
	},
	[MQ_FILE_TYPE] = {
		.parent = MQ_SLOT(MQ_FILE_TYPEDIR),
		.mode = S_IFREG | 0666,
		.flags = IPCFS_FILE_CONSUMES | IPCFS_FILE_OWN_INODE,
		.need_read = IPCFS_R,
		.need_write = IPCFS_W,
		.lookup = type_lookup,
		.list = type_list,
		.getattr = live_getattr,
		.read = queue_read,
		.write = queue_write,
		.ready = queue_ready,
	},
	[MQ_FILE_MSGDIR] = {
		.name = "messages",
		.mode = S_IFDIR | 0555,
		.flags = IPCFS_FILE_DIR,
		.need_read = IPCFS_R,
	},
	[MQ_FILE_MSG] = {
		.parent = MQ_SLOT(MQ_FILE_MSGDIR),
		.mode = S_IFREG | 0444,
		.need_read = IPCFS_R,	/* MSG_COPY checks read access */
		.lookup = msg_lookup,
		.list = msg_list,
		.getattr = msg_getattr,
		.text = msg_text,
	},
};
_Static_assert(G_N_ELEMENTS(mq_files) == MQ_FILE_COUNT, "one row per MQ_FILE_*");

#define F(n, m, f, h) IPCFS_FIELD(n, m, f, h)
#define FN(n, m, f, h) IPCFS_FIELD_NUM(n, struct mq_nums, m, f, h)
static const struct ipcfs_field mq_fields[] = {
	F("id", id, IPCFS_FMT_DEC, NULL),
	F("key", key, IPCFS_FMT_KEY, NULL),
	FN("qnum", qnum, IPCFS_FMT_DEC, "Number of messages in the queue."),
	FN("cbytes", cbytes, IPCFS_FMT_DEC, "Bytes of all messages in the queue."),
	{ .name = "qbytes", .offset = IPCFS_NUM_OFFSET(struct mq_nums, qbytes),
	  .fmt = IPCFS_FMT_DEC, .help = "Maximum bytes in the queue.", .write = qbytes_write },
	FN("lspid", lspid, IPCFS_FMT_DEC, "PID of the last msgsnd."),
	FN("lrpid", lrpid, IPCFS_FMT_DEC, "PID of the last msgrcv."),
	F("uid", uid, IPCFS_FMT_DEC, NULL),
	F("gid", gid, IPCFS_FMT_DEC, NULL),
	F("cuid", cuid, IPCFS_FMT_DEC, NULL),
	F("cgid", cgid, IPCFS_FMT_DEC, NULL),
	F("mode", mode, IPCFS_FMT_MODE, "Permission bits."),
	FN("stime", stime, IPCFS_FMT_TIME, "Last msgsnd time, seconds since the epoch (0: never)."),
	FN("rtime", rtime, IPCFS_FMT_TIME, "Last msgrcv time, seconds since the epoch (0: never)."),
	FN("ctime", ctime, IPCFS_FMT_TIME, "Last change time, seconds since the epoch."),
	{ 0 }
};

/* In the order `ipcs -l` prints them. */
static void mq_limits(GString *out)
{
	struct msginfo mi;

	if (mq_info(&mi))
		return;
	g_string_append_printf(out, "msgmni: %d\nmsgmax: %d\nmsgmnb: %d\n", mi.msgmni,
			       mi.msgmax, mi.msgmnb);
}

/* MSG_INFO reuses the struct: msgpool is the number of queues, msgmap of
 * messages, msgtql of bytes (what `ipcs -u` calls allocated queues, used
 * headers and used space). */
static void mq_summary(GString *out)
{
	struct msginfo mi;

	if (msgctl(0, MSG_INFO, (struct msqid_ds *)(void *)&mi) < 0)
		return;
	g_string_append_printf(out, "msg_queues: %d\nmsg_messages: %d\nmsg_bytes: %d\n",
			       mi.msgpool, mi.msgmap, mi.msgtql);
}

static const struct sysv_kind mq_kind = {
	.find_key = mq_find_key,
};

const struct ipcfs_backend mq_backend = {
	.name = "mq",
	.data = &mq_kind,
	SYSV_METHODS,
	.list = mq_list,
	.stat = mq_stat,
	.create = mq_create,
	.remove = mq_remove,
	.set = mq_set,
	.fields = mq_fields,
	.files = mq_files,
	.nfiles = G_N_ELEMENTS(mq_files),
	.limits = mq_limits,
	.summary = mq_summary,
};
