// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mq_view.c - what is queued, seen without taking it: the type/ and
 * messages/ directories of a System V queue, through msgrcv(MSG_COPY).
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

int mq_type_lookup(const struct ipcfs_obj *o, const char *name, uint64_t *sub)
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
int mq_type_list(const struct ipcfs_obj *o, ipcfs_fill_fn fill, void *ctx)
{
	size_t size = copy_size(o);
	g_autofree struct mq_msg *m = mq_msg_new(0, size);
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

int mq_msg_lookup(const struct ipcfs_obj *o, const char *name, uint64_t *sub)
{
	size_t size = copy_size(o);
	g_autofree struct mq_msg *m = mq_msg_new(0, size);
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

int mq_msg_list(const struct ipcfs_obj *o, ipcfs_fill_fn fill, void *ctx)
{
	size_t size = copy_size(o);
	g_autofree struct mq_msg *m = mq_msg_new(0, size);
	char name[48];

	if (!m)
		return -ENOMEM;
	for (uint64_t pos = 0; msg_copy((int)o->id, pos, m, size) >= 0; pos++) {
		mq_format_msgname(name, sizeof(name), pos, m->mtype);
		fill(ctx, name, pos);
	}
	return 0;
}

/* A copy of the message at `pos` (g_free it), or NULL with -errno in *n;
 * else *n is its size. */
static struct mq_msg *copy_new(const struct ipcfs_obj *o, uint64_t pos, ssize_t *n)
{
	size_t size = copy_size(o);
	struct mq_msg *m = mq_msg_new(0, size);

	*n = m ? msg_copy((int)o->id, pos, m, size) : -ENOMEM;
	if (*n < 0)
		g_clear_pointer(&m, g_free);
	return m;
}

int mq_msg_getattr(const struct ipcfs_obj *o, uint64_t sub, struct stat *st)
{
	ssize_t n;
	g_autofree struct mq_msg *m = copy_new(o, sub, &n);

	if (!m)
		return (int)n;
	st->st_mode = S_IFREG | (o->mode & 0444);
	st->st_size = n;
	return 0;
}

int mq_msg_text(const struct ipcfs_obj *o, uint64_t sub, struct ipcfs_cred *reader,
			 GString *out)
{
	ssize_t n;
	g_autofree struct mq_msg *m = copy_new(o, sub, &n);

	(void)reader;
	if (!m)
		return (int)n;
	g_string_append_len(out, m->mtext, n);
	return 0;
}

/*
 * Is a message of `type` queued?  A walk over the positions with MSG_COPY,
 * which leaves the queue as it is: a msgrcv of that type into a buffer too
 * small for any message would not, since a message of 0 bytes fits and
 * would be taken.  1, 0, or -errno when the walk cannot be made (no
 * MSG_COPY in this kernel: ENOSYS).
 */
int mq_type_queued(const struct ipcfs_obj *o, long type)
{
	size_t size = copy_size(o);
	g_autofree struct mq_msg *m = mq_msg_new(0, size);

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
