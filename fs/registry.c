// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * registry.c - the IPC kinds this build serves.  A new kind is a new file
 * in backends/ and one line here.
 */
#include "ipcfs.h"

#include <string.h>

/* The kinds, in the order their directories are listed: one line each. */
#define KINDS(K) \
	K(shm_backend) \
	K(sem_backend) \
	K(mq_backend) \
	K(posix_shm_backend) \
	K(posix_mq_backend)

#define DECLARE(b) extern const struct ipcfs_backend b;
KINDS(DECLARE)
#define ENTRY(b) &b,
const struct ipcfs_backend *const ipcfs_backends[] = { KINDS(ENTRY) NULL };

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

static char *paths[IPCFS_KINDS_MAX + 1], *families[IPCFS_KINDS_MAX + 1];
static const char *groups[IPCFS_KINDS_MAX];
static unsigned ngroups;

/* Names derived from the table, once, before any thread looks. */
static void names_init(void)
{
	static gsize done;

	if (!g_once_init_enter(&done))
		return;
	for (unsigned k = 1; k <= ipcfs_nkinds(); k++) {
		const struct ipcfs_backend *be = ipcfs_backends[k - 1];
		unsigned g;

		if (!be->group) {
			paths[k] = g_strdup(be->name);
			families[k] = g_strdup(be->name);
			continue;
		}
		paths[k] = g_strdup_printf("%s/%s", be->group, be->name);
		families[k] = g_strdup_printf("%s_%s", be->group, be->name);
		for (g = 0; g < ngroups && strcmp(groups[g], be->group); g++)
			;
		if (g == ngroups)
			groups[ngroups++] = be->group;
	}
	g_once_init_leave(&done, 1);
}

const char *ipcfs_kind_path(const struct ipcfs_backend *be)
{
	names_init();
	return paths[ipcfs_kind_of(be)];
}

const char *ipcfs_kind_family(const struct ipcfs_backend *be)
{
	names_init();
	return families[ipcfs_kind_of(be)];
}

unsigned ipcfs_ngroups(void)
{
	names_init();
	return ngroups;
}

const char *ipcfs_group_name(unsigned g)
{
	names_init();
	return g < ngroups ? groups[g] : NULL;
}
