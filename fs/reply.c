// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * reply.c - the one place where negative errnos become FUSE replies, and
 * where kernel IPC errors about an object are translated.
 */
#include "util.h"

#include <errno.h>

void reply_err(fuse_req_t req, int neg_errno)
{
	fuse_reply_err(req, neg_errno < 0 ? -neg_errno : 0);
}

int ipc_errno(int e)
{
	switch (e) {
	case EIDRM:
	case EINVAL:	/* *ctl on an id that is no longer there */
		return -ENOENT;
	default:
		return -e;
	}
}
