// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mq.c - System V message queues: the kind, its table of queues, rows and
 * fields.  Sending and receiving (queue, lines) are in mq_io.c, the
 * MSG_COPY views (type/, messages/) in mq_view.c, the parsers in
 * mq_parse.c.
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
#include "mq_int.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/msg.h>

/* ---- the table of queues ---- */

static int mq_max_index(void)
{
	struct msginfo mi;
	int max = msgctl(0, MSG_INFO, (struct msqid_ds *)(void *)&mi);

	return max < 0 ? -errno : max;
}

static int mq_find_key(key_t key)
{
	/* Without IPC_CREAT and with no mode bits asked for, msgget checks
	 * nothing but the key. */
	int id = msgget(key, 0);

	return id < 0 ? -errno : id;
}

static int mq_create(const struct ipcfs_backend *be, const struct ipcfs_create_args *args,
		     ipcfs_id *id)
{
	int r = msgget(args->key, IPC_CREAT | IPC_EXCL | (int)args->mode);

	(void)be;
	if (r < 0)
		return -errno;
	*id = (ipcfs_id)r;
	return 0;
}

static int mq_remove(const struct ipcfs_backend *be, struct ipcfs_cred *c, ipcfs_id id)
{
	(void)be, (void)c;	/* checked by fs/ with sysv_owner */
	return msgctl(id, IPC_RMID, NULL) ? sysv_errno(errno, SYSV_BY_PATH) : 0;
}

/* `what` does not matter: IPC_SET sets all three, owner checked by fs/. */
static int mq_set(const struct ipcfs_backend *be, struct ipcfs_cred *c, ipcfs_id id, unsigned what,
	   uid_t uid, gid_t gid, mode_t mode)
{
	struct msqid_ds ds;
	int r;

	(void)be, (void)what;
	r = sysv_ids_settable(c, uid, gid);
	if (r)
		return r;
	/* IPC_SET sets msg_qbytes too: keep the current one. */
	if (msgctl(id, IPC_STAT, &ds))
		return sysv_errno(errno, SYSV_BY_PATH);
	ds.msg_perm.uid = uid;
	ds.msg_perm.gid = gid;
	ds.msg_perm.mode = (unsigned short)mode;
	return msgctl(id, IPC_SET, &ds) ? sysv_errno(errno, SYSV_BY_PATH) : 0;
}

/*
 * `echo N > qbytes`: IPC_SET of msg_qbytes with the kernel's rules for the
 * writer (ipc/msg.c:msgctl_down): owner, creator or CAP_SYS_ADMIN, and
 * CAP_SYS_RESOURCE to go past msgmnb.  Nothing changes on any failure.
 */
static int qbytes_write(ipcfs_id id, const char *text, struct ipcfs_cred *cred)
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
	r = mq_stat(id, &o);
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
	/* capable(), not ns_capable(): only in the initial user namespace. */
	if (v > (uint64_t)mi.msgmnb && !cred_capable_daemon_ns(cred, IPCFS_CAP_SYS_RESOURCE))
		return -EPERM;
	r = sysv_ids_settable(cred, ds.msg_perm.uid, ds.msg_perm.gid);
	if (r)
		return r;
	ds.msg_qbytes = (msglen_t)v;
	return msgctl(id, IPC_SET, &ds) ? sysv_errno(errno, SYSV_BY_PATH) : 0;
}


static const struct ipcfs_file mq_files[] = {
	[MQ_FILE_QUEUE] = {
		.name = "queue",
		.mode = S_IFREG | 0666,
		.flags = IPCFS_FILE_CONSUMES | IPCFS_FILE_OWN_INODE,
		.need_read = IPCFS_R,	/* msgrcv */
		.need_write = IPCFS_W,	/* msgsnd */
		.getattr = mq_live_getattr,
		.read = mq_queue_read,
		.write = mq_queue_write,
		.ready = mq_queue_ready,
	},
	[MQ_FILE_LINES] = {
		.name = "lines",
		.mode = S_IFREG | 0666,
		.flags = IPCFS_FILE_CONSUMES | IPCFS_FILE_OWN_INODE,
		.need_read = IPCFS_R,
		.need_write = IPCFS_W,
		.getattr = mq_live_getattr,
		.open = mq_lines_open,
		.read = msgq_lines_read,
		.write = msgq_lines_write,
		.flush = msgq_lines_flush,
		.release = msgq_release,
		.ready = mq_queue_ready,
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
		.lookup = mq_type_lookup,
		.list = mq_type_list,
		.getattr = mq_live_getattr,
		.read = mq_queue_read,
		.write = mq_queue_write,
		.ready = mq_queue_ready,
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
		.lookup = mq_msg_lookup,
		.list = mq_msg_list,
		.getattr = mq_msg_getattr,
		.text = mq_msg_text,
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
	.stat_any = mq_stat_any,
	.max_index = mq_max_index,
};

const struct ipcfs_backend mq_backend = {
	.name = "mq",
	.data = &mq_kind,
	SYSV_METHODS,
	.create = mq_create,
	.remove = mq_remove,
	.set = mq_set,
	.fields = mq_fields,
	.files = mq_files,
	.nfiles = G_N_ELEMENTS(mq_files),
	.limits = mq_limits,
	.summary = mq_summary,
};

