// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * call.c - the one place where requests are answered.  Backends return
 * results (struct ipcfs_result) or negative errnos; this sends the one
 * reply each request gets, and gives back what an operation took from the
 * kernel when its caller cannot have it.
 */
#include "util.h"

#include <errno.h>

bool call_interrupted(struct ipcfs_call *call)
{
	return fuse_req_interrupted(call->req);
}

pid_t call_pid(const struct ipcfs_call *call)
{
	return fuse_req_ctx(call->req)->pid;
}

/*
 * ENOSYS is never sent: the kernel takes it from open, opendir, flush,
 * access, poll ... as "this filesystem has no such operation" and stops
 * asking for the life of the mount (opendir then hands readdir no open
 * directory).  A kernel facility missing underneath (fsopen under
 * valgrind, MSG_COPY without CONFIG_CHECKPOINT_RESTORE) is an I/O error
 * to the caller.
 */
static int sendable(int neg_errno)
{
	return neg_errno == -ENOSYS ? EIO : (neg_errno < 0 ? -neg_errno : 0);
}

void reply_err(fuse_req_t req, int neg_errno)
{
	fuse_reply_err(req, sendable(neg_errno));
}

/*
 * A caller interrupted while the operation waited gets EINTR, and what the
 * operation took goes back first, so that when its read() or write()
 * returns the message is queued again, the P not taken.  One being killed
 * (see wait_caller_dying) never hears of it either, whether it waited or
 * its request came after the kill with the message already there.  An
 * operation that did not wait for a caller who lives has simply completed:
 * a signal that came meanwhile (a shell's SIGCHLD) does not undo it.  A
 * reply that cannot be delivered (the caller is gone) is undone after.
 */
void reply_result(struct ipcfs_call *call, int r, struct ipcfs_result *res, bool is_read)
{
	fuse_req_t req = call->req;
	bool failed;

	if (!r && res->undo) {
		bool intr = fuse_req_interrupted(req);

		if ((intr && res->waited) || ((intr || res->waited) && wait_caller_dying(call))) {
			res->undo(res);
			res->undo = NULL;
			r = -EINTR;
		}
	}
	if (r)
		failed = fuse_reply_err(req, sendable(r));
	else if (is_read)
		failed = fuse_reply_buf(req, res->data, res->size);
	else
		failed = fuse_reply_write(req, res->size);
	if (failed && !r && res->undo)
		res->undo(res);
	if (res->done)
		res->done(res);
}
