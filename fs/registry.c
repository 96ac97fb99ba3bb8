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

_Static_assert(G_N_ELEMENTS(ipcfs_backends) - 1 <= IPCFS_KINDS_MAX, "too many kinds");

unsigned ipcfs_nkinds(void)
{
	return G_N_ELEMENTS(ipcfs_backends) - 1;
}

const struct ipcfs_backend *ipcfs_backend_of(unsigned kind)
{
	return kind >= 1 && kind <= ipcfs_nkinds() ? ipcfs_backends[kind - 1] : NULL;
}

unsigned ipcfs_kind_of(const struct ipcfs_backend *be)
{
	for (unsigned k = 1; k <= ipcfs_nkinds(); k++)
		if (ipcfs_backends[k - 1] == be)
			return k;
	return 0;
}
