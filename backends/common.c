// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * common.c - the one IPC table reader, used by every backend.
 */
#include "common.h"

#include <errno.h>
#include <string.h>

void ipc_fill_perm(struct ipcfs_obj *o, int id, const struct ipc_perm *p)
{
	memset(o, 0, sizeof(*o));
	o->id = id;
	o->key = (int64_t)(uint32_t)p->__key;
	o->uid = p->uid;
	o->gid = p->gid;
	o->cuid = p->cuid;
	o->cgid = p->cgid;
	o->mode = p->mode & 0777;
}

int ipc_enumerate(ipc_stat_any_fn stat_any, int maxidx, GArray *out)
{
	struct ipcfs_obj o;

	for (int idx = 0; idx <= maxidx; idx++) {
		int r = stat_any(idx, &o);

		if (r >= 0)
			g_array_append_val(out, o);
		else if (r != -EINVAL && r != -EIDRM)
			return r;
	}
	return 0;
}

int ipc_stat_id(ipc_stat_any_fn stat_any, int id, struct ipcfs_obj *o)
{
	/* An id is (seq << shift) + idx; shift is 15, or 24 with the
	 * ipcmni_extend boot option.  Try both, and accept only an exact
	 * match so a reused index never answers for a vanished id. */
	static const int masks[] = { 0x7fff, 0xffffff };

	if (id < 0)
		return -ENOENT;
	for (size_t i = 0; i < G_N_ELEMENTS(masks); i++) {
		int r = stat_any(id & masks[i], o);

		if (r == id)
			return 0;
	}
	return -ENOENT;
}
