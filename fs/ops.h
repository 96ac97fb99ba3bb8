/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ops.h - the FUSE low-level operation table (fs/ops.c). */
#pragma once
#include "ipcfs.h"

extern const struct fuse_lowlevel_ops ipcfs_ops;
