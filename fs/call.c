// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * call.c - the one place where requests are answered.  Backends return
 * results (struct ipcfs_result) or negative errnos; this sends the one
 * reply each request gets, and gives back what an operation took from the
 * kernel when its caller cannot have it.  Entry replies (lookup, mkdir,
 * readdirplus) say how long the kernel may keep a name, and count the
 * lookup reference the kernel takes.
 */
#include "node.h"
#include "ns.h"
#include "util.h"

#include <errno.h>
#include <string.h>

bool call_interrupted(struct ipcfs_call *call)
{
	return fuse_req_interrupted(call->req);
}

static void call_interrupt_cb(fuse_req_t req, void *data)
{
	struct ipcfs_call *call = data;

	(void)req;
	call->on_interrupt(call->on_interrupt_data);
}

void call_on_interrupt(struct ipcfs_call *call, void (*fn)(void *data), void *data)
{
	if (!fn) {
		/* libfuse takes the request's lock, under which a callback
		 * runs: none runs once this returns. */
		fuse_req_interrupt_func(call->req, NULL, NULL);
		call->on_interrupt = NULL;
		call->on_interrupt_data = NULL;
		return;
	}
	call->on_interrupt = fn;
	call->on_interrupt_data = data;
	fuse_req_interrupt_func(call->req, call_interrupt_cb, call);
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

void entry_param(struct fuse_entry_param *e, uint64_t nodeid, const struct stat *st)
{
	struct node n;

	memset(e, 0, sizeof(*e));
	e->ino = nodeid;
	e->attr = *st;
	e->attr_timeout = ipcfs_opts.timeout;
	e->entry_timeout = ipcfs_opts.timeout;
	/* A second name (System V's 0xKEY) is looked up again at every use:
	 * when the key is removed and made again, the name is the new
	 * object's at once (ids do not come back soon, so own names can be
	 * cached).  So is a name whose
	 * node is interned: one with an inode per lookup must get a new one
	 * at the next use, and the kernel keeps none for long. */
	node_decode(nodeid, &n);
	if (node_is_alias_name(nodeid) || (n.kind != NODE_ROOT && (n.sub & NODE_SUB_INTERNED)))
		e->entry_timeout = 0;
	/* So is ns/INODE: a namespace's inode number is the next one's once
	 * it is gone (nsfs reuses them at once). */
	if (n.kind == NODE_ROOT && n.ns && n.slot == 0 && n.id == 1)
		e->entry_timeout = 0;
}

void reply_entry(fuse_req_t req, uint64_t nodeid, const struct stat *st)
{
	struct fuse_entry_param e;

	entry_param(&e, nodeid, st);
	ns_kernel_ref(e.ino, 1);
	if (fuse_reply_entry(req, &e)) {
		ns_kernel_unref(e.ino, 1);	/* first: it decodes the node */
		node_forget(e.ino, 1);
	}
}
