/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * common.h - what the backends share: one reader of the kernel's IPC
 * tables, driven per kind.
 *
 * The kernel lists objects by index: `*ctl(idx, *_STAT_ANY)` returns the id
 * at index idx (any caller, no permission needed, kernel >= 4.17), and
 * `*_INFO` gives the highest index in use.  Measured here, looping over
 * that is 4-5x cheaper than parsing /proc/sysvipc.
 */
#pragma once
#include "../fs/util.h"

#include <sys/ipc.h>

/* Stat the object at kernel index idx into o: its id, or -errno
 * (-EINVAL: no object at that index). */
typedef int (*ipc_stat_any_fn)(int idx, struct ipcfs_obj *o);

/* Fill the common header from the kernel's ipc_perm. */
void ipc_fill_perm(struct ipcfs_obj *o, int id, const struct ipc_perm *p);
/* Every object at indexes 0..maxidx, appended to out. 0 or -errno. */
int ipc_enumerate(ipc_stat_any_fn stat_any, int maxidx, GArray *out);
/* The object with this id, found at its index in O(1).  0 or -ENOENT. */
int ipc_stat_id(ipc_stat_any_fn stat_any, int id, struct ipcfs_obj *o);
/* An object directory's times: its last use (read or attach) as atime,
 * its last change of contents (write, detach) as mtime, each ctime when
 * "never" (0), and ctime itself. */
static inline void ipc_dir_times(struct ipcfs_obj *o, int64_t used, int64_t changed, int64_t ctime)
{
	o->dir_atime = used ? used : ctime;
	o->dir_mtime = changed ? changed : ctime;
	o->dir_ctime = ctime;
}
