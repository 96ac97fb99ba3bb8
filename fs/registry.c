// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * registry.c - the IPC kinds this build serves.  A new kind is a new file
 * in backends/ and one line here.
 */
#include "ipcfs.h"

extern const struct ipcfs_backend shm_backend;
extern const struct ipcfs_backend sem_backend;
extern const struct ipcfs_backend mq_backend;

const struct ipcfs_backend *const ipcfs_backends[] = {
	&shm_backend,
	&sem_backend,
	&mq_backend,
	NULL,
};

const struct ipcfs_backend *ipcfs_backend_of(enum ipcfs_kind kind)
{
	for (const struct ipcfs_backend *const *b = ipcfs_backends; *b; b++)
		if ((*b)->kind == kind)
			return *b;
	return NULL;
}
