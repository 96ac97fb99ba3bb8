// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_perm.c - the permission decision every client request goes
 * through: perm_parse_status() reads a caller's /proc/PID/status (whose
 * Name: line the caller chooses), perm_decide() and perm_decide_owner()
 * apply the kernel's System V rules (ipc/util.c:ipcperms).
 *
 * Input: 24 bytes of object and caller (uid, gid, cuid, cgid, mode, the
 * access wanted, the caller's uid and gid, drawn from a handful of ids so
 * that they collide often), then the status text.  Properties: a parse
 * that succeeds has CapEff and at most 64 groups, each one a number of
 * the Groups: line; the decision equals the rule restated below.
 */
#include "fuzz.h"
#include "util.h"
#include "../../backends/sysv.h"

#include <errno.h>

static const int64_t ids[] = { 0, 1, 65534, 1000, 4242, 7, 8, 9 };

static int in_groups(const struct ipcfs_cred *c, int64_t g)
{
	if ((int64_t)c->gid == g)
		return 1;
	for (int i = 0; i < c->ngroups; i++)
		if ((int64_t)c->groups[i] == g)
			return 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ipcfs_cred c;
	struct ipcfs_obj o;
	int r, want, bits, ok, own;
	char *text;

	if (size < 8)
		return 0;
	memset(&o, 0, sizeof(o));
	o.uid = ids[data[0] & 7];
	o.gid = ids[data[1] & 7];
	o.cuid = ids[data[2] & 7];
	o.cgid = ids[data[3] & 7];
	o.mode = (data[4] << 1 | (data[5] & 1)) & 0777;
	want = (data[5] >> 1) & 6;
	memset(&c, 0, sizeof(c));
	c.uid = (uid_t)ids[data[6] & 7];
	c.gid = (gid_t)ids[data[7] & 7];

	text = fuzz_cstr(data + 8, size - 8);
	r = perm_parse_status(text, &c);
	if (!r) {
		const char *g = strstr(text, "Groups:");

		FUZZ_ASSERT(c.loaded && c.ngroups >= 0 && c.ngroups <= 64);
		FUZZ_ASSERT(strstr(text, "CapEff:"));
		FUZZ_ASSERT(c.ngroups == 0 || g);
	} else {
		FUZZ_ASSERT(r == -EINVAL && !c.loaded);
	}

	/* The rule: the owner class for uid or cuid, else the group class
	 * for gid or cgid (fsgid or a supplementary group), else other;
	 * CAP_IPC_OWNER overrides.  Only a loaded cred has capabilities. */
	if ((int64_t)c.uid == o.uid || (int64_t)c.uid == o.cuid)
		bits = (int)(o.mode >> 6) & 7;
	else if (in_groups(&c, o.gid) || in_groups(&c, o.cgid))
		bits = (int)(o.mode >> 3) & 7;
	else
		bits = (int)o.mode & 7;
	ok = !(want & ~bits) || (c.loaded && ((c.caps >> IPCFS_CAP_IPC_OWNER) & 1));
	FUZZ_ASSERT(perm_decide(&c, &o, want) == !!ok);
	own = (int64_t)c.uid == o.uid || (int64_t)c.uid == o.cuid ||
	      (c.loaded && ((c.caps >> IPCFS_CAP_SYS_ADMIN) & 1));
	FUZZ_ASSERT(perm_decide_owner(&c, &o) == !!own);
	free(text);
	return 0;
}
