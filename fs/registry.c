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
	K(posix_mq_backend) \
	K(posix_sem_backend) \
	K(pipes_backend) \
	K(unix_backend)

#define DECLARE(b) extern const struct ipcfs_backend b;
KINDS(DECLARE)
#define ENTRY(b) &b,
static const struct ipcfs_backend *const builtin[] = { KINDS(ENTRY) NULL };

_Static_assert(G_N_ELEMENTS(builtin) - 1 <= IPCFS_KINDS_MAX, "too many kinds");

const struct ipcfs_backend *const *ipcfs_backends = builtin;
static unsigned nkinds = G_N_ELEMENTS(builtin) - 1;

void ipcfs_registry_set(const struct ipcfs_backend *const *kinds)
{
	ipcfs_backends = kinds = kinds ? kinds : builtin;
	for (nkinds = 0; kinds[nkinds]; nkinds++)
		;
	g_assert(nkinds <= IPCFS_KINDS_MAX);
}

unsigned ipcfs_nkinds(void)
{
	return nkinds;
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
static const struct ipcfs_backend *const *names_of;	/* the table they are for */
static GMutex names_lock;	/* a leaf (order: fs/ipcfs.h) */

/* Names derived from the table, made at first use (again after
 * ipcfs_registry_set). */
static void names_init(void)
{
	if (g_atomic_pointer_get(&names_of) == ipcfs_backends)
		return;
	g_mutex_lock(&names_lock);
	if (names_of != ipcfs_backends) {
		ngroups = 0;
		for (unsigned k = 1; k <= ipcfs_nkinds(); k++) {
			const struct ipcfs_backend *be = ipcfs_backends[k - 1];
			unsigned g;

			g_free(paths[k]);
			g_free(families[k]);
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
		g_atomic_pointer_set(&names_of, ipcfs_backends);
	}
	g_mutex_unlock(&names_lock);
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
