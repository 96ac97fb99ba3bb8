// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mq_sys.c - the System V queue calls every file of the kind uses: a
 * queue's numbers (MSG_STAT_ANY), the namespace's limits (IPC_INFO),
 * message buffers, the kernel's test of room.  A leaf: mq.c, mq_io.c and
 * mq_view.c call it, and it calls none of them.
 */
#include "mq_int.h"

#include <errno.h>
#include <sys/msg.h>

int mq_stat_any(int idx, struct ipcfs_obj *o)
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

int mq_stat(ipcfs_id id, struct ipcfs_obj *out)
{
	return ipc_stat_id(mq_stat_any, id, out);
}

int mq_info(struct msginfo *mi)
{
	return msgctl(0, IPC_INFO, (struct msqid_ds *)(void *)mi) < 0 ? -errno : 0;
}

/* The largest message msgsnd accepts now (the namespace's msgmax). */
size_t mq_msgmax(void)
{
	struct msginfo mi;

	if (mq_info(&mi) || mi.msgmax < 0)
		return 8192;	/* MSGMAX, the kernel's default */
	return (size_t)mi.msgmax;
}

struct mq_msg *mq_msg_new(long type, size_t len)
{
	struct mq_msg *m = g_try_malloc(sizeof(*m) + MAX(len, 1));

	if (m)
		m->mtype = type;
	return m;
}

/* Would a message of `len` bytes fit in the queue as `o` shows it?  The
 * kernel's own test (ipc/msg.c:msg_fits_inqueue): bytes and count, both
 * bounded by qbytes. */
bool mq_fits(const struct ipcfs_obj *o, size_t len)
{
	return (int64_t)len + MQ(o)->cbytes <= MQ(o)->qbytes && MQ(o)->qnum + 1 <= MQ(o)->qbytes;
}
