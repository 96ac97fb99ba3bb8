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
/* A time for a directory: t, or `fallback` when t is "never" (0). */
static inline int64_t ipc_time_or(int64_t t, int64_t fallback)
{
	return t ? t : fallback;
}
