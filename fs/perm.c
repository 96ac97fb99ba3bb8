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
