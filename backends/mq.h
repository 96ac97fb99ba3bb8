/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mq.h - the pure half of the mq backend: how text written to `lines` is
 * cut into messages and how the names under type/ and messages/ read,
 * without touching the kernel, so that tests/unit/test_mq.c can drive it.
 *
 *   $ printf 'a\nb\r\n\nc' > mq/32769/lines     messages "a", "b\r", "" now;
 *                                              "c" when the file is closed
 *   $ ls mq/32769/type                         mq_parse_type(): 1, 7, ...
 *   $ ls mq/32769/messages                     mq_format_msgname(): 0.type1
 */
#pragma once
#include "../fs/ipcfs.h"

/* A queue's own numbers in struct ipcfs_obj (from msqid_ds). */
struct mq_nums {
	int64_t qnum, cbytes, qbytes, lspid, lrpid;
	int64_t stime, rtime, ctime;
};
IPCFS_NUMS_FIT(struct mq_nums);
#define MQ(o) IPCFS_NUMS(struct mq_nums, o)

/*
 * The next complete line of buf[*pos, size).  True, with the line (without
 * its '\n'; a '\r' before it stays, so a CRLF text comes back byte for byte)
 * at buf[*off, *off + *len) and *pos moved past the newline.  False when no
 * newline is left: buf[*pos, size) is the unfinished last line.
 */
bool mq_next_line(const char *buf, size_t size, size_t *pos, size_t *off, size_t *len);

/*
 * The longest message writing buf to `lines` would make, when `pending`
 * bytes of an unfinished line are waiting from earlier writes: they join
 * the first line (or the new unfinished tail, when buf holds no newline).
 * The unfinished tail counts too, since it is sent some day.  The caller
 * compares this with msgmax before sending anything.
 */
size_t mq_lines_longest(size_t pending, const char *buf, size_t size);

/*
 * May a write of buf to `lines` send its lines?  `pending` bytes of an
 * unfinished line wait from earlier writes; `discarding`: the open file is
 * dropping the rest of a line that was too long to send, and the write's
 * bytes through its first newline are the end of that line (*skip: their
 * count; all of them, size, when it holds no newline).  From there every
 * line (the first joined to the pending bytes) and the unfinished tail
 * must hold at most `max` bytes.  True: send them.  False: the write
 * fails and sends nothing; the caller drops the pending bytes, and
 * mq_lines_cut() says whether the write left a line unfinished, whose rest
 * later writes bring and the open file must drop (never a fragment).
 */
bool mq_lines_fit(size_t pending, bool discarding, const char *buf, size_t size, size_t max,
		  size_t *skip);
/* Does a write of buf end in the middle of a line (no newline at its
 * end)?  After a refused write, what follows belongs to that line. */
bool mq_lines_cut(const char *buf, size_t size);

/* A name in type/: a canonical decimal 1..LONG_MAX ("7"; not "07", "+7",
 * "0", "-3", "abc").  0, or -ENOENT. */
int mq_parse_type(const char *name, long *type);

/* A name in messages/: "POS.typeTYPE", both canonical decimals, POS from
 * 0 (the oldest message) and TYPE from 1.  0, or -ENOENT. */
int mq_parse_msgname(const char *name, uint64_t *pos, long *type);
/* The name of the message at position `pos` with type `type`. */
void mq_format_msgname(char *buf, size_t size, uint64_t pos, long type);
