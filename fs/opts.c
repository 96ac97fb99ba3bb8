// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * opts.c - the mount options every module may read, with their defaults.
 * Parsed in main.c; kept apart so the unit tests link without main().
 */
#include "ipcfs.h"

struct ipcfs_opts ipcfs_opts = { .timeout = 1.0 };
int ipcfs_debug;
