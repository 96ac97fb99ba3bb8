// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * create.c - the one place where a kind's create is called (mkdir NAME,
 * a line written to `new`), with the thread set up as the kind says
 * (ipcfs_backend.create_as), once, and back to the daemon's identity
 * after.
 */
#include "ops.h"
#include "util.h"

int create_as(struct ipcfs_cred *cred, const struct ipcfs_backend *be,
	      struct ipcfs_create_args *args, ipcfs_id *id)
{
	int r = 0;

	switch (be->create_as) {
	case IPCFS_CREATE_AS_CALLER_IDS:
		r = cred_enter(cred);
		break;
	case IPCFS_CREATE_AS_CALLER_FS:
		r = cred_enter_fs(cred);
		if (r)
			cred_leave_fs();
		break;
	case IPCFS_CREATE_AS_DAEMON:
		break;
	}
	if (r)
		return r;
	args->cred = cred;
	r = be->create(be, args, id);
	switch (be->create_as) {
	case IPCFS_CREATE_AS_CALLER_IDS:
		cred_leave();
		break;
	case IPCFS_CREATE_AS_CALLER_FS:
		cred_leave_fs();
		break;
	case IPCFS_CREATE_AS_DAEMON:
		break;
	}
	return r;
}
