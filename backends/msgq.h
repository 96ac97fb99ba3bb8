/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * msgq.h - text lines and the send/receive engine over any message queue:
 * what System V queues (mq_io.c) and POSIX queues (posix_mq.c) share.
 *
 * A kind says how to reach one of its queues (struct msgq: a few methods
 * and its handles); the engine does the rest: a send or receive for a
 * request, first without waiting and only then within an interruptible
 * wait; putting back the messages taken for a reader who cannot have them
 * (struct ipcfs_result's undo); and the `lines` file, one message per line
 * of text, its rows' read, write, flush and release as they stand.
 *
 *   System V (mq_io.c)     tag: the type, which a receive selects by;
 *                          receives bounded; msgmax: the namespace's
 *   POSIX (posix_mq.c)     tag: the priority; a receive needs room for the
 *                          queue's msgsize
 */
#pragma once
#include "../fs/ipcfs.h"

struct msgq;

/* ---- lines: how text written to `lines` is cut into messages (pure:
 * msgq_lines.c) ----
 *
 *   $ printf 'a\nb\r\n\nc' > mq/32769/lines     messages "a", "b\r", "" now;
 *                                              "c" when the file is closed
 */
/*
 * The next complete line of buf[*pos, size).  True, with the line (without
 * its '\n'; a '\r' before it stays, so a CRLF text comes back byte for byte)
 * at buf[*off, *off + *len) and *pos moved past the newline.  False when no
 * newline is left: buf[*pos, size) is the unfinished last line.
 */
bool msgq_next_line(const char *buf, size_t size, size_t *pos, size_t *off, size_t *len);

/*
 * The longest message writing buf to `lines` would make, when `pending`
 * bytes of an unfinished line are waiting from earlier writes: they join
 * the first line (or the new unfinished tail, when buf holds no newline).
 * The unfinished tail counts too, since it is sent some day.  The caller
 * compares this with msgmax before sending anything.
 */
size_t msgq_lines_longest(size_t pending, const char *buf, size_t size);

/*
 * May a write of buf to `lines` send its lines?  `pending` bytes of an
 * unfinished line wait from earlier writes; `discarding`: the open file is
 * dropping the rest of a line that was too long to send, and the write's
 * bytes through its first newline are the end of that line (*skip: their
 * count; all of them, size, when it holds no newline).  From there every
 * line (the first joined to the pending bytes) and the unfinished tail
 * must hold at most `max` bytes.  True: send them.  False: the write
 * fails and sends nothing; the caller drops the pending bytes, and
 * msgq_lines_cut() says whether the write left a line unfinished, whose rest
 * later writes bring and the open file must drop (never a fragment).
 */
bool msgq_lines_fit(size_t pending, bool discarding, const char *buf, size_t size, size_t max,
		  size_t *skip);
/* Does a write of buf end in the middle of a line (no newline at its
 * end)?  After a refused write, what follows belongs to that line. */
bool msgq_lines_cut(const char *buf, size_t size);

/* ---- the engine ---- */

/* A kind's methods.  None blocks unless asked to (`wait`). */
struct msgq_ops {
	const char *kind;	/* for the log: "mq", "posix/mq" */
	const char *tag_name;	/* what a tag is, for the log: "type" */
	/*
	 * Bytes in front of a message's text that send, put and receive may
	 * borrow for the call (System V's mtype, which msgsnd and msgrcv want
	 * just before the text).  They hold what they held before once the
	 * call returns, so a caller may pass text from the middle of its
	 * buffer; its first message needs `head` bytes of room before it.
	 */
	size_t head;
	/*
	 * true: a receive can be bounded: a message longer than `size` stays
	 * queued (-E2BIG).  false: a message's length is known only once it
	 * is taken, so a receive needs room for the biggest (msgmax).
	 */
	bool bounded;
	int too_long;		/* a line over msgmax: -EINVAL, -EMSGSIZE */
	long line_tag;		/* what `lines` sends with (System V's type 1) */

	/* One send: 0, -EAGAIN (full, without `wait`), -EINTR (a signal
	 * ended the wait, nothing sent), or another -errno. */
	int (*send)(const struct msgq *q, bool wait, const char *text, size_t len, long tag);
	/* One receive into text[0, size): the message's length with its tag
	 * in *tag, or -EAGAIN (empty, without `wait`), -EINTR or -errno, *tag
	 * unchanged.  In, *tag selects (System V's msgtyp: 0 the oldest). */
	ssize_t (*receive)(const struct msgq *q, bool wait, char *text, size_t size, long *tag);
	/* One send of a message taken before, through the handle that may put
	 * back, never waiting: 0, -EAGAIN (full), or -errno. */
	int (*put)(const struct msgq *q, const char *text, size_t len, long tag);
	/* Would a message of `len` bytes fit now?  0, -EAGAIN, or -errno
	 * (System V: -EIDRM, the queue is gone). */
	int (*room)(const struct msgq *q, size_t len);
	/* The biggest message a send takes now. */
	size_t (*msgmax)(const struct msgq *q);
};

/* One queue as a kind reaches it; copied freely (System V builds one on
 * the stack for every queue read and write). */
struct msgq {
	const struct msgq_ops *ops;
	int id;			/* the object: for the log; System V's msqid */
	/* Descriptors an open owns (closed with it), -1 for none: POSIX's
	 * queue opened as the caller, and the daemon's, for putting back. */
	int fd, back;
	size_t msgsize;		/* POSIX: the biggest message, fixed at creation */
};

/* One message taken for a reader: its tag, where its bytes are. */
struct msgq_taken {
	long tag;
	size_t off, len;
};

/*
 * A request's send and receive (the file's O_NONBLOCK means "never wait"):
 * 0, or the message's length with its tag in *tag, or -errno; -EINTR when
 * the caller gave up, having sent or taken nothing.  A receive sets
 * *waited when it had to wait (see struct ipcfs_result), and takes nothing
 * for a caller interrupted before it began.
 */
int msgq_send(struct ipcfs_call *call, const struct ipcfs_fh *fh, const struct msgq *q,
	      const char *text, size_t len, long tag);
ssize_t msgq_receive(struct ipcfs_call *call, const struct ipcfs_fh *fh, const struct msgq *q,
		     char *text, size_t size, long *tag, bool *waited);
/* Put back n messages of buf, in order, for nobody who could be told: a
 * full queue is retried every few milliseconds until there is room, for
 * msgq_put_back_us at most (msgq.c says why there is a bound), unless
 * the queue is gone or the daemon stops.  How many were lost: each is
 * logged and counted. */
size_t msgq_put_back(const struct msgq *q, const char *buf, const struct msgq_taken *t, size_t n);
/* The put-back's bound (10 s; a variable for the unit test), and how many
 * messages were lost since the daemon started. */
extern gint64 msgq_put_back_us;
unsigned msgq_put_back_lost(void);

/*
 * An open live file's state, counted: every read's result holds it until
 * its done (its undo may put messages back after the file was released).
 * fh->priv of the rows whose methods are the engine's.
 */
struct msgq_open {
	struct msgq q;
	gatomicrefcount ref;
	GMutex lock;		/* guards rest, and the turns of writes: busy
				 * (order: fs/ipcfs.h) */
	GString *rest;		/* lines: what a read could not take of a
				 * message, for the next reads */
	/* lines, writing: the write whose turn it is (busy) owns these; the
	 * lock guards busy, and writer and pending for a flush */
	GString *pending;	/* the unfinished last line written so far */
	bool discarding;	/* dropping the rest of a line too long to send,
				 * through its newline (msgq_lines_write) */
	pid_t writer;		/* the thread that wrote its last part */
	GCond idle;		/* `busy` went false */
	bool busy;		/* a write is using `pending` */
};
/*
 * The worker thread's scratch for one message, used by one request and
 * given back before the worker takes another (its reply is sent, its
 * undo run): a long (System V's type) and then MSGQ_SCRATCH bytes of
 * text.  Most messages are small; it saves a heap round trip per call,
 * and for 8 KiB glibc's consolidation of its free lists.
 */
#define MSGQ_SCRATCH 8192
char *msgq_scratch(void);
/* Its text: MSGQ_SCRATCH bytes. */
#define msgq_scratch_text() (msgq_scratch() + sizeof(long))

/* The state of an open of q (its descriptors are the open's now). */
struct msgq_open *msgq_open_new(const struct msgq *q);
/* A count on it, for what outlives the request that made it (a read's
 * result, whose undo may put a message back), and its end: the last one
 * closes the descriptors. */
struct msgq_open *msgq_open_ref(struct msgq_open *o);
void msgq_open_unref(struct msgq_open *o);
/* Has a read of `lines` left the end of a message to read (poll: POLLIN)? */
bool msgq_rest_waiting(struct msgq_open *q);

/* A read's reply holding messages taken from q: the bytes at `out`, inside
 * `mem`, which the result frees; msgq_handout_add each message, then give
 * the result its first `size` bytes. */
struct msgq_handout;
struct msgq_handout *msgq_handout_new(struct msgq_open *q, char *mem, char *out);
void msgq_handout_add(struct msgq_handout *h, const struct msgq_taken *t);
void msgq_handout_give(struct ipcfs_result *res, struct msgq_handout *h, size_t size);

/* The `lines` row's methods, over fh->priv (struct msgq_open); and the
 * release of any row whose fh->priv is one. */
int msgq_lines_read(struct ipcfs_call *call, struct ipcfs_fh *fh, size_t size, off_t off,
		    struct ipcfs_result *res);
int msgq_lines_write(struct ipcfs_call *call, struct ipcfs_fh *fh, const struct ipcfs_obj *o,
		     const char *buf, size_t size, off_t off, struct ipcfs_result *res);
int msgq_lines_flush(struct ipcfs_call *call, struct ipcfs_fh *fh);
void msgq_release(struct ipcfs_fh *fh);
