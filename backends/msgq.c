// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * msgq.c - text lines and the send/receive engine over any message queue
 * (msgq.h): System V's and POSIX's `lines` files, their sends and receives
 * within interruptible waits, and the put-back of what a reader could not
 * have.  The kinds' own calls are behind struct msgq_ops.
 */
#include "msgq.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* How often work with no request to wait on (a message put back) retries
 * while the queue is full, and how often a close waits for room. */
#define MSGQ_RETRY_US (5 * 1000)
/*
 * The longest line `lines` sends, whatever msgmax says: the unfinished
 * line of an open file waits in the daemon's memory until its newline, and
 * a namespace's root may set kernel.msgmax to 2 GiB.  1 MiB is the longest
 * message a write(2) of `queue` can send (the mount's max_write); a longer
 * line is too long (EINVAL for System V, EMSGSIZE for POSIX), as past
 * msgmax.
 */
#define MSGQ_LINE_MAX ((size_t)1 << 20)

/* ---- sending and receiving ---- */

/*
 * Within the wait of request `waiting`, or trying once when it is NULL
 * (-EAGAIN when it would block).  The worker's signal ends a blocked send
 * or receive with EINTR having done nothing: again, unless the caller gave
 * up.
 */
static bool again(struct ipcfs_call *waiting, ssize_t r)
{
	return r == -EINTR && !(waiting && wait_cancelled(waiting));
}

static int send_in(struct ipcfs_call *waiting, const struct msgq *q, const char *text, size_t len,
		   long tag)
{
	int r;

	do
		r = q->ops->send(q, waiting != NULL, text, len, tag);
	while (again(waiting, r));
	return r;
}

static ssize_t receive_in(struct ipcfs_call *waiting, const struct msgq *q, char *text,
			  size_t size, long *tag)
{
	ssize_t n;

	do
		n = q->ops->receive(q, waiting != NULL, text, size, tag);
	while (again(waiting, n));
	return n;
}

/*
 * For a request: first without waiting, which is all most calls need, and
 * only if that would block (and the file is not O_NONBLOCK) again within
 * an interruptible wait.  Registering a wait costs a lock, an allocation
 * and libfuse's interrupt bookkeeping: measured, 10% of a small write's
 * round trip.
 */
int msgq_send(struct ipcfs_call *call, const struct ipcfs_fh *fh, const struct msgq *q,
	      const char *text, size_t len, long tag)
{
	int r = send_in(NULL, q, text, len, tag);

	/* (A send that had been interrupted before it began still goes, and
	 * the writer is told it did: nothing is lost either way.) */
	if (r != -EAGAIN || (fh->flags & O_NONBLOCK))
		return r;
	r = wait_begin(call);
	if (!r)
		r = send_in(call, q, text, len, tag);
	wait_end(call);	/* also after a failed wait_begin: it registered */
	return r;
}

ssize_t msgq_receive(struct ipcfs_call *call, const struct ipcfs_fh *fh, const struct msgq *q,
		     char *text, size_t size, long *tag, bool *waited)
{
	ssize_t n;

	/* Interrupted before it began: take nothing (a message taken now
	 * could only go back behind the others). */
	if (!(fh->flags & O_NONBLOCK) && call_interrupted(call))
		return -EINTR;
	n = receive_in(NULL, q, text, size, tag);
	if (n != -EAGAIN || (fh->flags & O_NONBLOCK))
		return n;
	n = wait_begin(call);
	if (!n)
		n = receive_in(call, q, text, size, tag);
	wait_end(call);
	/* A reader killed while it waited never hears of the message: fs/
	 * has it put back (undo), and the reply says EINTR. */
	*waited = true;
	return n;
}

/* ---- putting back ---- */

/*
 * A message is put back for nobody who could be told of a failure: the
 * reader was interrupted or killed, or its reply failed.  The message left
 * room behind it, but others may have filled that room since, and then the
 * put-back retries every MSGQ_RETRY_US while the queue stays full, for
 * msgq_put_back_us at most.  Until then the message is kept; past it, it
 * is given up.
 *
 * Why give up at all, and not keep it elsewhere: the retry holds the worker
 * thread of the request (the reply path runs the undo), and a queue its
 * users keep full could hold one worker for each message put back, for
 * ever: any user who can read and write a queue could take every worker
 * of the mount.  Keeping the message in the daemon instead would hide it
 * from every reader that does not go through ipcfs (msgrcv, mq_receive),
 * change its order against messages sent later, and need a store with a
 * bound of its own, which could only lose messages again when full.  So a
 * message is lost only when the queue has stayed full for the whole bound,
 * is gone (nobody could have it), or the daemon stops; never silently: each
 * loss is logged with the queue, tag and size, and counted
 * (msgq_put_back_lost), the count in the log line.
 *
 * The bound is for one put-back, all its messages: after one message has
 * waited the whole bound, the others of the same read are tried once each.
 */
gint64 msgq_put_back_us = 10 * G_USEC_PER_SEC;
static guint lost_count;

unsigned msgq_put_back_lost(void)
{
	return (unsigned)g_atomic_int_get(&lost_count);
}

/* One message: 0 or -errno; -EAGAIN when the queue stayed full until
 * `deadline`, -ESHUTDOWN when the daemon stops. */
static int put(const struct msgq *q, const char *text, size_t len, long tag, gint64 deadline)
{
	int r;

	while ((r = q->ops->put(q, text, len, tag)) == -EAGAIN || r == -EINTR) {
		if (wait_stopping())
			return -ESHUTDOWN;
		if (g_get_monotonic_time() >= deadline)
			return -EAGAIN;
		g_usleep(MSGQ_RETRY_US);
	}
	return r;
}

size_t msgq_put_back(const struct msgq *q, const char *buf, const struct msgq_taken *t, size_t n)
{
	const struct msgq_ops *ops = q->ops;
	gint64 deadline = g_get_monotonic_time() + msgq_put_back_us;
	size_t lost = 0;

	for (size_t i = 0; i < n; i++) {
		int r = put(q, buf + t[i].off, t[i].len, t[i].tag, deadline);

		if (r) {
			unsigned all = (unsigned)g_atomic_int_add(&lost_count, 1) + 1;

			lost++;
			log_err("%s %d: lost a message of %s %ld (%zu bytes) that could not be "
				"put back: %s (%u lost since the daemon started)", ops->kind, q->id,
				ops->tag_name, t[i].tag, t[i].len,
				r == -EAGAIN ? "the queue stayed full" : g_strerror(-r), all);
		} else {
			log_dbg("%s %d: put back a message of %s %ld (%zu bytes)", ops->kind, q->id,
				ops->tag_name, t[i].tag, t[i].len);
		}
	}
	return lost;
}

/* ---- the worker's scratch ---- */

static __thread union {
	long align;
	char bytes[sizeof(long) + MSGQ_SCRATCH];
} scratch;

char *msgq_scratch(void)
{
	return scratch.bytes;
}

/* ---- an open file ---- */

struct msgq_open *msgq_open_new(const struct msgq *q)
{
	struct msgq_open *o = g_new0(struct msgq_open, 1);

	o->q = *q;
	g_atomic_ref_count_init(&o->ref);
	g_mutex_init(&o->lock);
	o->rest = g_string_new(NULL);
	o->pending = g_string_new(NULL);
	g_cond_init(&o->idle);
	return o;
}

struct msgq_open *msgq_open_ref(struct msgq_open *o)
{
	g_atomic_ref_count_inc(&o->ref);
	return o;
}

void msgq_open_unref(struct msgq_open *o)
{
	if (!o || !g_atomic_ref_count_dec(&o->ref))
		return;
	if (o->q.fd >= 0)
		close(o->q.fd);
	if (o->q.back >= 0)
		close(o->q.back);
	g_mutex_clear(&o->lock);
	g_string_free(o->rest, TRUE);
	g_string_free(o->pending, TRUE);
	g_cond_clear(&o->idle);
	g_free(o);
}

bool msgq_rest_waiting(struct msgq_open *q)
{
	bool rest;

	g_mutex_lock(&q->lock);
	rest = q->rest->len > 0;
	g_mutex_unlock(&q->lock);
	return rest;
}

/* ---- what a read hands out ---- */

/* The reply's bytes, the messages in it, and the open file to give them
 * back to. */
struct msgq_handout {
	struct msgq_open *q;
	char *mem, *out;
	GArray *taken;		/* struct msgq_taken, offsets from out */
	bool from_rest;		/* bytes of q->rest, not messages */
	bool partial;		/* the one message did not fit: rest holds its end */
};

static void handout_undo(struct ipcfs_result *res)
{
	struct msgq_handout *h = res->priv;

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
	msgq_put_back(&h->q->q, h->out, &g_array_index(h->taken, struct msgq_taken, 0),
		      h->taken->len);
}

static void handout_done(struct ipcfs_result *res)
{
	struct msgq_handout *h = res->priv;

	msgq_open_unref(h->q);
	g_free(h->mem);
	g_array_unref(h->taken);
	g_free(h);
}

struct msgq_handout *msgq_handout_new(struct msgq_open *q, char *mem, char *out)
{
	struct msgq_handout *h = g_new0(struct msgq_handout, 1);

	h->q = msgq_open_ref(q);
	h->mem = mem;
	h->out = out;
	h->taken = g_array_new(FALSE, FALSE, sizeof(struct msgq_taken));
	return h;
}

void msgq_handout_add(struct msgq_handout *h, const struct msgq_taken *t)
{
	g_array_append_vals(h->taken, t, 1);
}

void msgq_handout_give(struct ipcfs_result *res, struct msgq_handout *h, size_t size)
{
	res->data = h->out;
	res->size = size;
	res->priv = h;
	res->undo = handout_undo;
	res->done = handout_done;
}

/* ---- lines: writing ---- */

/*
 * Writes on one open file take turns, since each may continue the line
 * the previous one left unfinished.  A write can block for long (a full
 * queue), so the next one waits in a way its caller can interrupt: the
 * interrupt's callback wakes it (lines_interrupted), no timer.  The
 * callback takes q->lock under libfuse's lock of the request (the lock
 * order: fs/ipcfs.h), so it is registered and removed with q->lock
 * released.
 */
struct lines_turn {
	struct msgq_open *q;
	bool interrupted;	/* under q->lock */
};

static void lines_interrupted(void *data)
{
	struct lines_turn *t = data;

	g_mutex_lock(&t->q->lock);
	t->interrupted = true;
	g_cond_broadcast(&t->q->idle);
	g_mutex_unlock(&t->q->lock);
}

static int lines_enter(struct ipcfs_call *call, struct msgq_open *q)
{
	struct lines_turn turn = { .q = q };
	bool waited = false;
	int r = 0;

	g_mutex_lock(&q->lock);
	if (q->busy) {
		g_mutex_unlock(&q->lock);
		call_on_interrupt(call, lines_interrupted, &turn);
		waited = true;
		g_mutex_lock(&q->lock);
		while (q->busy && !turn.interrupted)
			g_cond_wait(&q->idle, &q->lock);
		if (q->busy)
			r = -EINTR;
	}
	if (!r)
		q->busy = true;
	g_mutex_unlock(&q->lock);
	if (waited)
		call_on_interrupt(call, NULL, NULL);
	return r;
}

/* Every waiter looks: one woken alone might be an interrupted one, which
 * leaves without taking the turn. */
static void lines_leave(struct msgq_open *q)
{
	g_mutex_lock(&q->lock);
	q->busy = false;
	g_cond_broadcast(&q->idle);
	g_mutex_unlock(&q->lock);
}

/*
 * Every complete line is one message (line_tag), all sent in this request;
 * the unfinished tail waits in `pending`.  Nothing is sent unless every
 * message fits msgmax (msgq_lines_fit); a write that would make one too
 * long fails (too_long) and sends nothing, and the line it was part of is
 * dropped whole, never sent as a fragment: the pending bytes go, and when
 * the write ends inside a line, so does the rest of that line as later
 * writes bring it (`discarding`; those writes fail alike until the one
 * holding its newline, whose text after it is sent as usual).
 * Interrupted (or EAGAIN, EIDRM) after some lines, the write reports the
 * bytes of the lines sent, as a short write should.
 */
int msgq_lines_write(struct ipcfs_call *call, struct ipcfs_fh *fh, const struct ipcfs_obj *o,
		     const char *buf, size_t size, off_t off, struct ipcfs_result *res)
{
	struct msgq_open *q = fh->priv;
	const struct msgq_ops *ops = q->q.ops;
	g_autofree char *mem = NULL;
	bool nowait = fh->flags & O_NONBLOCK;
	size_t pos = 0, done = 0, loff, llen, longest, count = 0;
	char *m;
	int r;

	(void)o, (void)off;
	r = lines_enter(call, q);
	if (r)
		return r;
	if (!msgq_lines_fit(q->pending->len, q->discarding, buf, size,
			  MIN(ops->msgmax(&q->q), MSGQ_LINE_MAX), &pos)) {
		log_dbg("%s %d: a line too long to send is dropped (%zu bytes were waiting)",
			ops->kind, fh->id, q->pending->len);
		g_string_truncate(q->pending, 0);
		q->discarding = msgq_lines_cut(buf, size);
		r = ops->too_long;
		goto out;
	}
	/* The end of a dropped line, if any, is taken: it is gone. */
	q->discarding = false;
	done = pos;
	longest = msgq_lines_longest(q->pending->len, buf + pos, size - pos);
	mem = g_try_malloc(ops->head + MAX(longest, 1));
	if (!mem) {
		r = -ENOMEM;
		goto out;
	}
	m = mem + ops->head;
	if (!nowait) {
		r = wait_begin(call);
		if (r)
			goto out_wait;
	}
	while (msgq_next_line(buf, size, &pos, &loff, &llen)) {
		size_t plen = q->pending->len;

		memcpy(m, q->pending->str, plen);
		memcpy(m + plen, buf + loff, llen);
		r = send_in(nowait ? NULL : call, &q->q, m, plen + llen, ops->line_tag);
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
		wait_end(call);
out:
	lines_leave(q);
	log_dbg("%s %d lines write (%zu) -> %d, %zu lines, %zu bytes taken", ops->kind, fh->id,
		size, r, count, done);
	/* A short write if some lines went before the failure. */
	if (r && !done)
		return r;
	res->size = done;
	return 0;
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
int msgq_lines_flush(struct ipcfs_call *call, struct ipcfs_fh *fh)
{
	struct msgq_open *q = fh->priv;
	const struct msgq_ops *ops = q->q.ops;
	size_t len;
	int r;

	g_mutex_lock(&q->lock);
	len = q->pending->len;
	r = !len || q->writer != call_pid(call);
	g_mutex_unlock(&q->lock);
	if (r)
		return 0;
	r = ops->room(&q->q, len);
	if (r == -EAGAIN && !(fh->flags & O_NONBLOCK)) {
		r = wait_begin(call);
		while (!r && (r = ops->room(&q->q, len)) == -EAGAIN) {
			if (wait_cancelled(call)) {
				r = -EINTR;
			} else {
				g_usleep(MSGQ_RETRY_US);
				r = 0;
			}
		}
		wait_end(call);
	}
	if (r) {
		g_mutex_lock(&q->lock);
		log_err("%s %d: the last line written (%zu bytes) was dropped at close: %s",
			ops->kind, fh->id, q->pending->len, g_strerror(-r));
		g_string_truncate(q->pending, 0);
		g_mutex_unlock(&q->lock);
	}
	return r;
}

/* At the last close: the unfinished line, without waiting (the writer's
 * close waited for room; a line that still does not fit is dropped). */
void msgq_release(struct ipcfs_fh *fh)
{
	struct msgq_open *q = fh->priv;
	const struct msgq_ops *ops;
	size_t len;

	if (!q)
		return;
	ops = q->q.ops;
	len = q->pending->len;
	if (len) {
		g_autofree char *mem = g_try_malloc(ops->head + len);

		if (mem)
			memcpy(mem + ops->head, q->pending->str, len);
		if (!mem || send_in(NULL, &q->q, mem + ops->head, len, ops->line_tag))
			log_err("%s %d: the last line written (%zu bytes) was dropped at release",
				ops->kind, fh->id, len);
		g_string_truncate(q->pending, 0);
	}
	if (q->rest->len)
		log_dbg("%s %d: %zu bytes of a line were not read before close", ops->kind, fh->id,
			q->rest->len);
	fh->priv = NULL;
	msgq_open_unref(q);
}

/* ---- lines: reading ---- */

/*
 * Messages, each followed by a newline, in the order the kind receives
 * them (System V: the oldest of any type; POSIX: the highest priority).
 *
 * A read smaller than MSGQ_LINES_BULK takes exactly one message.  Line
 * tools read a buffer, use the lines they need and seek back over the
 * rest (or just stop: grep -m1, grep -q); a queue cannot take bytes back,
 * so a read that took more messages than the tool used would lose them.
 * With one message per read the tool has read exactly what it prints.  A
 * big read takes as many whole messages as fit, for speed: such readers
 * keep everything they read.  The line between them, measured with strace
 * (README, "Tools that read what they print"): bash's read, sed and mawk
 * (stdio: st_blksize, 4 KiB) read 4 KiB, head, tail, Perl and Python 8
 * KiB, GNU grep 96 KiB; cat and cp never less than 128 KiB (coreutils'
 * IO_BUFSIZE, whatever st_blksize says), dd what bs= says.
 *
 * Only the first receive may wait; the others take what is there and at
 * most what still fits.  A first message longer than the read is handed
 * out over the next reads of the same open file (`rest`), so a line tool
 * with a small buffer still gets the whole line (a bounded kind that said
 * E2BIG for it is asked again with eight times the room, up to the
 * longest line, MSGQ_LINE_MAX: the buffer follows the message, never
 * msgmax, which a namespace's root may set to 2 GiB).  After it,
 * a bounded kind leaves a message that does not fit queued for the next
 * read; an unbounded one cannot tell a message's length before it takes
 * it: the more only while a message of msgmax bytes would still fit.
 */
#define MSGQ_LINES_BULK (128 << 10)
/* What a bounded receive's room grows from, eightfold: one more call
 * then holds any message up to the kernel's default msgmax (8 KiB). */
#define MSGQ_READ_FIRST 1024

static int rest_read(struct msgq_open *q, size_t size, struct ipcfs_result *res)
{
	struct msgq_handout *h;
	char *mem;
	size_t n;

	g_mutex_lock(&q->lock);
	n = MIN(size, q->rest->len);
	mem = g_memdup2(q->rest->str, MAX(n, 1));
	g_string_erase(q->rest, 0, (gssize)n);
	g_mutex_unlock(&q->lock);
	h = msgq_handout_new(q, mem, mem);
	h->from_rest = true;
	msgq_handout_give(res, h, n);
	return 0;
}

int msgq_lines_read(struct ipcfs_call *call, struct ipcfs_fh *fh, size_t size, off_t off,
		    struct ipcfs_result *res)
{
	struct msgq_open *q = fh->priv;
	const struct msgq_ops *ops = q->q.ops;
	/* What a receive needs beyond the bytes it may take: an unbounded
	 * kind, room for the biggest message. */
	size_t need = ops->bounded ? 0 : ops->msgmax(&q->q);
	struct msgq_taken t = { 0 };
	struct msgq_handout *h;
	size_t used, room;
	char *mem, *out;
	ssize_t n;

	(void)off;
	if (!size)
		return 0;
	if (msgq_rest_waiting(q))
		return rest_read(q, size, res);
	room = MAX(size - 1, need);
	for (;;) {
		mem = g_try_malloc(ops->head + MAX(size, room + 1));
		if (!mem)
			return -ENOMEM;
		out = mem + ops->head;
		n = msgq_receive(call, fh, &q->q, out, room, &t.tag, &res->waited);
		if (n != -E2BIG || !ops->bounded || room >= MSGQ_LINE_MAX)
			break;
		g_free(mem);
		/* (From a read of 1 byte, room was 0.) */
		room = MIN(MAX(room, MSGQ_READ_FIRST) * 8, MSGQ_LINE_MAX);
	}
	if (n < 0) {
		g_free(mem);
		return (int)n;
	}
	h = msgq_handout_new(q, mem, out);
	t.len = (size_t)n;
	msgq_handout_add(h, &t);
	out[n] = '\n';
	used = (size_t)n + 1;
	if (used > size) {
		g_mutex_lock(&q->lock);
		g_string_append_len(q->rest, out + size, (gssize)(used - size));
		g_mutex_unlock(&q->lock);
		h->partial = true;
		used = size;
	}
	while (size >= MSGQ_LINES_BULK && used < size && size - used - 1 >= need) {
		t = (struct msgq_taken){ .off = used };
		/* Empty now, or (bounded) the next does not fit: the end. */
		n = receive_in(NULL, &q->q, out + used, ops->bounded ? size - used - 1 : need,
			       &t.tag);
		if (n < 0)
			break;
		t.len = (size_t)n;
		msgq_handout_add(h, &t);
		out[used + (size_t)n] = '\n';
		used += (size_t)n + 1;
	}
	log_dbg("%s %d lines read (%zu) -> %u messages, %zu bytes", ops->kind, fh->id, size,
		h->taken->len, used);
	msgq_handout_give(res, h, used);
	return 0;
}
