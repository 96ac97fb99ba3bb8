// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * perm.c - what a caller holds, read from /proc/PID/status: groups,
 * effective capabilities, euid.  Pure; cred.c feeds it, and each kind's
 * permission rule (backends/) decides with it.
 */
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

bool perm_has_cap(const struct ipcfs_cred *c, int cap)
{
	return c->loaded && (c->caps >> cap) & 1;
}

int perm_parse_status(const char *text, struct ipcfs_cred *c)
{
	g_autoptr(GArray) groups = g_array_new(FALSE, FALSE, sizeof(guint64));
	const char *line = status_line(text, "Groups");
	uint64_t v;

	c->ngroups = 0;
	c->caps = 0;
	if (line && status_numbers(line, 10, groups))
		return -EINVAL;
	for (guint i = 0; i < groups->len && i < G_N_ELEMENTS(c->groups); i++)
		c->groups[c->ngroups++] = (gid_t)g_array_index(groups, guint64, i);
	/* Uid: real, effective, saved, fs: the second one */
	if (!status_number(text, "Uid", 10, 1, &v))
		c->euid = (uid_t)v;
	if (status_number(text, "CapEff", 16, 0, &c->caps))
		return -EINVAL;
	c->loaded = true;
	return 0;
}
