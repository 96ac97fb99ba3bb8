// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mq_io.c - sending and receiving for System V queues: the message
 * buffers, msgsnd/msgrcv as the methods of the engine that waits, puts back
 * and serves `lines` (msgq.c), the live files `queue` and `type/<N>`, and
 * readiness for poll(2).
 */
#include "mq_int.h"
#include "nowait.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/msg.h>

/* ---- sending and receiving ---- */

/*
 * A message buffer for one call: the worker's scratch (msgq.h) for
 * messages up to MSGQ_SCRATCH bytes, else from the heap.  Give it back
 * with msg_done().
 */
static struct mq_msg *msg_get(long type, size_t len)
{
	struct mq_msg *m;

	if (len > MSGQ_SCRATCH)
		return mq_msg_new(type, len);
	m = (struct mq_msg *)(void *)msgq_scratch();
	m->mtype = type;
	return m;
}

static void msg_done(struct mq_msg *m)
{
	if ((char *)m != msgq_scratch())
		g_free(m);
}

/*
 * The engine's methods (msgq.h).  msgsnd and msgrcv want the type just in
 * front of the text: it goes in the `head` bytes the engine leaves there,
 * which hold what they held before once the call returns.  They are not
 * read or written as a long: text may sit anywhere in a reply's buffer.
 */
static int mq_snd(const struct msgq *q, bool wait, const char *text, size_t len, long type)
{
	char *m = (char *)text - sizeof(long);	/* the head: ours for the call */
	long saved;
	int r = 0;

	memcpy(&saved, m, sizeof(saved));
	memcpy(m, &type, sizeof(type));
	if (wait ? msgsnd(q->id, m, len, 0) : nowait_msgsnd(q->id, m, len))
		r = sysv_errno(errno, SYSV_OPEN_FILE);
	memcpy(m, &saved, sizeof(saved));
	return r;
}

/* msgtyp *type: 0 is the oldest message, N > 0 the oldest of type N.
 * Without MSG_NOERROR a message longer than `size` stays queued and we get
 * E2BIG (ENOMSG, an empty queue, becomes EAGAIN: sysv_errno). */
static ssize_t mq_rcv(const struct msgq *q, bool wait, char *text, size_t size, long *type)
{
	char *m = text - sizeof(long);
	long saved;
	ssize_t n;

	memcpy(&saved, m, sizeof(saved));
	n = wait ? msgrcv(q->id, m, size, *type, 0) : nowait_msgrcv(q->id, m, size, *type);
	if (n < 0)
		n = sysv_errno(errno, SYSV_OPEN_FILE);
	else
		memcpy(type, m, sizeof(*type));
	memcpy(m, &saved, sizeof(saved));
	return n;
}

/* Putting back: to the end of the queue, since System V cannot put a
 * message in front. */
static int mq_put(const struct msgq *q, const char *text, size_t len, long type)
{
	return mq_snd(q, false, text, len, type);
}

/* Would a message of `len` bytes fit now?  0, -EAGAIN, or -EIDRM when the
 * queue is gone. */
static int mq_room(const struct msgq *q, size_t len)
{
	struct ipcfs_obj o;

	if (mq_stat((ipcfs_id)q->id, &o))
		return -EIDRM;
	return mq_fits(&o, len) ? 0 : -EAGAIN;
}

static size_t mq_max(const struct msgq *q)
{
	(void)q;
	return mq_msgmax();
}

static const struct msgq_ops mq_ops = {
	.kind = "mq",
	.tag_name = "type",
	.head = sizeof(long),
	.bounded = true,
	.too_long = -EINVAL,
	.line_tag = 1,
	.send = mq_snd,
	.receive = mq_rcv,
	.put = mq_put,
	.room = mq_room,
	.msgmax = mq_max,
};

/* The queue `id` for the engine: built on the stack for each call. */
#define MQ_QUEUE(qid) { .ops = &mq_ops, .id = (qid), .fd = -1, .back = -1 }

/* A message taken for a reader who cannot have it goes back (fs/ decides
 * when: see struct ipcfs_result).  arg[0] is the queue, arg[1] the type. */
static void queue_undo(struct ipcfs_result *res)
{
	const struct msgq q = MQ_QUEUE((int)res->arg[0]);
	struct mq_msg *m = res->priv;
	struct msgq_taken t = { .tag = res->arg[1], .len = res->size };

	msgq_put_back(&q, m->mtext, &t, 1);
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
	const struct msgq q = MQ_QUEUE(fh->id);
	struct mq_msg *m = msg_get(0, size);
	long type = (long)fh->sub;
	ssize_t n;

	(void)off;	/* a queue has no offsets */
	if (!m)
		return -ENOMEM;
	n = msgq_receive(call, fh, &q, m->mtext, size, &type, &res->waited);
	log_dbg("mq %d read type %ld (%zu) -> %zd", fh->id, (long)fh->sub, size, n);
	if (n < 0) {
		msg_done(m);
		return (int)n;
	}
	res->data = m->mtext;
	res->size = (size_t)n;
	res->priv = m;
	res->arg[0] = fh->id;
	res->arg[1] = type;
	res->undo = queue_undo;
	res->done = queue_done;
	return 0;
}

int mq_queue_write(struct ipcfs_call *call, struct ipcfs_fh *fh, const struct ipcfs_obj *o,
		       const char *buf, size_t size, off_t off, struct ipcfs_result *res)
{
	const struct msgq q = MQ_QUEUE(fh->id);
	struct mq_msg *m;
	int id = fh->id, r;

	(void)o, (void)off, (void)res;	/* checked by fs/; a queue has no offsets */
	m = msg_get(fh_send_type(fh), size);
	if (!m) {
		r = -ENOMEM;
		goto out;
	}
	memcpy(m->mtext, buf, size);
	r = msgq_send(call, fh, &q, m->mtext, size, m->mtype);
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

/* ---- lines: the engine's (msgq.c) ---- */

int mq_lines_open(struct ipcfs_fh *fh, const struct ipcfs_obj *o)
{
	const struct msgq q = MQ_QUEUE(fh->id);

	(void)o;
	fh->priv = msgq_open_new(&q);
	return 0;
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

	if (mq_stat(fh->id, &o))
		return POLLERR | POLLHUP | (events & (POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM));
	if (mq_fits(&o, 1))
		mask |= POLLOUT | POLLWRNORM;
	/* lines: the end of a message a read began is waiting to be read. */
	if (fh->priv && msgq_rest_waiting(fh->priv))
		return mask | POLLIN | POLLRDNORM;
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

