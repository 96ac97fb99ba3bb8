// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mq_view.c - what is queued, seen without taking it: the type/ and
 * messages/ directories of a System V queue, through msgrcv(MSG_COPY).
 */
#include "mq_int.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <sys/msg.h>

/* ---- type/ and messages/: what is queued, seen through MSG_COPY ----
 *
 * A copy costs what its buffer is: the kernel allocates a message of the
 * buffer's size for MSG_COPY (ipc/msg.c prepare_copy) before it looks, and
 * a namespace's root may set kernel.msgmax to 2 GiB.  So buffers follow
 * the message, never the sysctl: a copy starts small and, when the kernel
 * says the message is bigger (E2BIG: without MSG_NOERROR it copies
 * nothing), grows.  The copy of a message larger than MQ_COPY_MAX (only
 * where msgmax was raised past it) is refused: such a message is left out
 * of messages/ and type/, and its name is EFBIG.
 */
#define MQ_COPY_FIRST 8192	/* the kernel's default msgmax: one call for most */
#define MQ_COPY_MAX (4u << 20)
#define MQ_COPY_GROW 8

/*
 * A copy of the message at position pos (0: the oldest), left in the
 * queue: msgrcv with MSG_COPY takes msgtyp as the position.  Its size, or
 * -ENOENT when there is no such position (any more), -E2BIG when it does
 * not fit `size`.
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

/* A buffer kept across the copies of one walk, grown as messages ask
 * (g_auto: a typedef, as GLib's macros want one). */
typedef struct copier {
	struct mq_msg *m;
	size_t size;
} Copier;

static void copier_clear(Copier *c)
{
	g_clear_pointer(&c->m, g_free);
	c->size = 0;
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(Copier, copier_clear)

/* The message at pos into c->m: its size, or -ENOENT (no such position),
 * -EFBIG (bigger than MQ_COPY_MAX), -ENOMEM, or the kernel's -errno. */
static ssize_t copy_at(struct copier *c, int id, uint64_t pos)
{
	for (;;) {
		ssize_t n;

		if (!c->m) {
			c->size = MAX(c->size, MQ_COPY_FIRST);
			c->m = mq_msg_new(0, c->size);
			if (!c->m)
				return -ENOMEM;
		}
		n = msg_copy(id, pos, c->m, c->size);
		if (n != -E2BIG)
			return n;
		if (c->size >= MQ_COPY_MAX)
			return -EFBIG;
		c->size = MIN((size_t)MQ_COPY_MAX, c->size * MQ_COPY_GROW);
		g_clear_pointer(&c->m, g_free);
	}
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

/* The types now queued, in increasing order (a message too big to copy
 * is left out). */
int mq_type_list(const struct ipcfs_obj *o, ipcfs_fill_fn fill, void *ctx)
{
	g_auto(Copier) c = { 0 };
	g_autoptr(GArray) types = g_array_new(FALSE, FALSE, sizeof(long));
	char name[24];
	ssize_t n;

	for (uint64_t pos = 0; (n = copy_at(&c, (int)o->id, pos)) >= 0 || n == -EFBIG; pos++)
		if (n >= 0)
			g_array_append_val(types, c.m->mtype);
	if (n == -ENOMEM)
		return -ENOMEM;
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
	g_auto(Copier) c = { 0 };
	uint64_t pos;
	ssize_t n;
	long type;

	if (mq_parse_msgname(name, &pos, &type))
		return -ENOENT;
	/* Only the name the message at that position has now. */
	n = copy_at(&c, (int)o->id, pos);
	if (n == -ENOMEM || n == -EFBIG)
		return (int)n;
	if (n < 0 || c.m->mtype != type)
		return -ENOENT;
	*sub = pos;
	return 0;
}

int mq_msg_list(const struct ipcfs_obj *o, ipcfs_fill_fn fill, void *ctx)
{
	g_auto(Copier) c = { 0 };
	char name[48];
	ssize_t n;

	for (uint64_t pos = 0; (n = copy_at(&c, (int)o->id, pos)) >= 0 || n == -EFBIG; pos++) {
		if (n < 0)
			continue;	/* too big to copy: no name */
		mq_format_msgname(name, sizeof(name), pos, c.m->mtype);
		fill(ctx, name, pos);
	}
	return n == -ENOMEM ? -ENOMEM : 0;
}

/* A copy of the message at `pos` (g_free it), or NULL with -errno in *n;
 * else *n is its size. */
static struct mq_msg *copy_new(const struct ipcfs_obj *o, uint64_t pos, ssize_t *n)
{
	struct copier c = { 0 };

	*n = copy_at(&c, (int)o->id, pos);
	if (*n < 0)
		copier_clear(&c);
	return c.m;
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
	g_auto(Copier) c = { 0 };

	/* Positions shift while others receive: a message skipped now is
	 * seen at the next look. */
	for (uint64_t pos = 0; pos < (uint64_t)MQ(o)->qnum; pos++) {
		ssize_t n = copy_at(&c, (int)o->id, pos);

		if (n == -ENOENT)
			return 0;	/* the end, or the queue is gone */
		if (n == -EFBIG)
			return 1;	/* of a type unknown: a wake-up too many, none missed */
		if (n < 0)
			return (int)n;
		if (c.m->mtype == type)
			return 1;
	}
	return 0;
}
