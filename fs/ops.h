/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ops.h - the FUSE low-level operation table (fs/ops.c). */
#pragma once
#include "ipcfs.h"

extern const struct fuse_lowlevel_ops ipcfs_ops;
/* The thread that asks the kernel to drop old interned names (ops.c). */
void ops_start(struct fuse_session *se);
void ops_stop(void);
