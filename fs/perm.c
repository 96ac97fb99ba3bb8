// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * perm.c - the System V permission decision, as the kernel makes it.
 *
 * ipc/util.c:ipcperms() compares the requested bits with the owner class
 * when the caller's euid is the object's uid or cuid, else with the group
 * class when the caller is in gid or cgid (fsgid or a supplementary group),
 * else with the other class; CAP_IPC_OWNER overrides.  IPC_SET and
 * IPC_RMID (ipc/util.c:ipcctl_obtain_check) need euid == uid or cuid, or
 * CAP_SYS_ADMIN.  These functions are pure; cred.c feeds them.
 */
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

bool perm_has_cap(const struct ipcfs_cred *c, int cap)
{
	return c->loaded && (c->caps >> cap) & 1;
}

static bool in_group(const struct ipcfs_cred *c, int64_t gid)
{
	if ((int64_t)c->gid == gid)
		return true;
	for (int i = 0; i < c->ngroups; i++)
		if ((int64_t)c->groups[i] == gid)
			return true;
	return false;
}

bool perm_decide(const struct ipcfs_cred *c, const struct ipcfs_obj *o, int want)
{
	int granted = (int)o->mode;

	want &= 07;
	if ((int64_t)c->uid == o->cuid || (int64_t)c->uid == o->uid)
		granted >>= 6;
	else if (in_group(c, o->cgid) || in_group(c, o->gid))
		granted >>= 3;
	if (!(want & ~granted & 07))
		return true;
	return perm_has_cap(c, IPCFS_CAP_IPC_OWNER);
}

bool perm_decide_owner(const struct ipcfs_cred *c, const struct ipcfs_obj *o)
{
	if ((int64_t)c->uid == o->cuid || (int64_t)c->uid == o->uid)
		return true;
	return perm_has_cap(c, IPCFS_CAP_SYS_ADMIN);
}

int perm_parse_status(const char *text, struct ipcfs_cred *c)
{
	bool have_caps = false;
	const char *line = text;

	c->ngroups = 0;
	c->caps = 0;
	while (line && *line) {
		const char *nl = strchr(line, '\n');

		if (!strncmp(line, "Groups:", 7)) {
			const char *p = line + 7;
			char *end;

			for (;;) {
				unsigned long g;

				while (*p == ' ' || *p == '\t')
					p++;
				if (!*p || *p == '\n')
					break;
				g = strtoul(p, &end, 10);
				if (end == p)
					return -EINVAL;
				if (c->ngroups < (int)G_N_ELEMENTS(c->groups))
					c->groups[c->ngroups++] = (gid_t)g;
				p = end;
			}
		} else if (!strncmp(line, "Uid:", 4)) {
			/* real, effective, saved, fs: the second one */
			char *end;
			unsigned long u = strtoul(line + 4, &end, 10);

			u = strtoul(end, &end, 10);
			c->euid = (uid_t)u;
		} else if (!strncmp(line, "CapEff:", 7)) {
			char *end;

			c->caps = strtoull(line + 7, &end, 16);
			if (end == line + 7)
				return -EINVAL;
			have_caps = true;
		}
		line = nl ? nl + 1 : NULL;
	}
	if (!have_caps)
		return -EINVAL;
	c->loaded = true;
	return 0;
}
