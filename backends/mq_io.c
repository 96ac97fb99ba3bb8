// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mq_io.c - sending and receiving for System V queues: the message
 * buffers, msgsnd/msgrcv within interruptible waits, and the live files
 * `queue`, `type/<N>` and `lines`, with their readiness for poll(2).
 */
#include "mq_int.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/msg.h>

/* ---- sending and receiving ---- */

struct mq_msg *mq_msg_new(long type, size_t len)
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
		return mq_msg_new(type, len);
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
	g_autofree struct mq_msg *m = mq_msg_new(type, len);

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

int mq_queue_read(struct ipcfs_call *call, struct ipcfs_fh *fh, size_t size, off_t off,
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

int mq_queue_write(struct ipcfs_call *call, struct ipcfs_fh *fh, const struct ipcfs_obj *o,
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

int mq_live_getattr(const struct ipcfs_obj *o, uint64_t sub, struct stat *st)
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

int mq_lines_open(struct ipcfs_fh *fh, const struct ipcfs_obj *o)
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
int mq_lines_write(struct ipcfs_call *call, struct ipcfs_fh *fh, const struct ipcfs_obj *o,
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
	m = mq_msg_new(1, longest);
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

int mq_lines_read(struct ipcfs_call *call, struct ipcfs_fh *fh, size_t size, off_t off,
		      struct ipcfs_result *res)
{
	g_autofree char *out = g_try_malloc(MAX(size, 1));
	g_autofree struct mq_msg *m = mq_msg_new(0, size);
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
int mq_lines_flush(struct ipcfs_call *call, struct ipcfs_fh *fh)
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
void mq_lines_release(struct ipcfs_fh *fh)
{
	struct mq_lines *st = fh->priv;

	if (!st)
		return;
	if (st->pending->len) {
		g_autofree struct mq_msg *m = mq_msg_new(1, st->pending->len);

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

/* ---- readiness: poll(2) on queue, lines and type/<N> (fs/poll.c) ---- */

/*
 * POLLIN: a read would find a message (of the file's type, for type/<N>);
 * POLLOUT: a message of 1 byte would fit (the kernel's own test in
 * msgsnd: cbytes + size <= qbytes and qnum + 1 <= qbytes; a longer one may
 * still wait).  A queue that is gone: POLLERR|POLLHUP and whatever was
 * asked, since every read and write now fails at once (EIDRM).
 */
unsigned mq_queue_ready(struct ipcfs_fh *fh, unsigned events)
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
		r = mq_type_queued(&o, (long)fh->sub);
	if (r)
		mask |= POLLIN | POLLRDNORM;
	return mask;
}

