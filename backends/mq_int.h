/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mq_int.h - what the files of the System V queue kind share (mq.c, the
 * kind and its table; mq_io.c, sending and receiving; mq_view.c, the
 * MSG_COPY views; mq_parse.c, the names; mq_sys.c, the calls all of them
 * use); not for other kinds.
 */
#pragma once
#include "mq_parse.h"
#include "msgq.h"
#include "sysv.h"

#include <sys/msg.h>

/* A queue's own numbers in struct ipcfs_obj (from msqid_ds). */
struct mq_nums {
	int64_t qnum, cbytes, qbytes, lspid, lrpid;
	int64_t stime, rtime, ctime;
};
IPCFS_NUMS_FIT(struct mq_nums);
#define MQ(o) IPCFS_NUMS(struct mq_nums, o)

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

/* mq_sys.c: the calls every file of the kind shares */
/* The queue at kernel index idx (MSG_STAT_ANY): its id, or -errno. */
int mq_stat_any(int idx, struct ipcfs_obj *o);
/* The queue with this id (for anyone: every queue is everyone's to see).
 * 0 or -ENOENT. */
int mq_stat(ipcfs_id id, struct ipcfs_obj *out);
/* IPC_INFO: 0 or -errno. */
int mq_info(struct msginfo *mi);
/* The largest message msgsnd accepts now (the namespace's msgmax). */
size_t mq_msgmax(void);
/* A message buffer of `len` bytes (g_free it), or NULL. */
struct mq_msg *mq_msg_new(long type, size_t len);
/* Would a message of `len` bytes fit in the queue as `o` shows it? */
bool mq_fits(const struct ipcfs_obj *o, size_t len);

/* mq_io.c */
int mq_queue_read(struct ipcfs_call *call, struct ipcfs_fh *fh, size_t size, off_t off,
		      struct ipcfs_result *res);
int mq_queue_write(struct ipcfs_call *call, struct ipcfs_fh *fh, const struct ipcfs_obj *o,
		       const char *buf, size_t size, off_t off, struct ipcfs_result *res);
unsigned mq_queue_ready(struct ipcfs_fh *fh, unsigned events);
int mq_live_getattr(const struct ipcfs_obj *o, uint64_t sub, struct stat *st);
/* `lines`: the engine's read, write, flush and release (msgq.h) over this. */
int mq_lines_open(struct ipcfs_fh *fh, const struct ipcfs_obj *o);

/* mq_view.c */
/* Is a message of `type` queued (MSG_COPY walk)?  1, 0, or -errno. */
int mq_type_queued(const struct ipcfs_obj *o, long type);
int mq_type_lookup(const struct ipcfs_obj *o, const char *name, uint64_t *sub);
int mq_type_list(const struct ipcfs_obj *o, ipcfs_fill_fn fill, void *ctx);
int mq_msg_lookup(const struct ipcfs_obj *o, const char *name, uint64_t *sub);
int mq_msg_list(const struct ipcfs_obj *o, ipcfs_fill_fn fill, void *ctx);
int mq_msg_getattr(const struct ipcfs_obj *o, uint64_t sub, struct stat *st);
int mq_msg_text(const struct ipcfs_obj *o, uint64_t sub, struct ipcfs_cred *reader,
			 GString *out);
