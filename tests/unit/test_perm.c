// SPDX-License-Identifier: GPL-2.0-or-later
/* test_perm.c - the System V permission decision and /proc status parsing. */
#include "userns.h"
#include "util.h"
#include "../../backends/sysv.h"

#include <errno.h>

void perm_tests(void);

static struct ipcfs_obj obj(int64_t uid, int64_t gid, int64_t cuid, int64_t cgid, int64_t mode)
{
	struct ipcfs_obj o = { .uid = uid, .gid = gid, .cuid = cuid, .cgid = cgid, .mode = mode };

	return o;
}

static struct ipcfs_cred cred(uid_t uid, gid_t gid)
{
	struct ipcfs_cred c = { .uid = uid, .gid = gid, .loaded = true };

	return c;
}

static void owner_group_other(void)
{
	struct ipcfs_obj o = obj(1000, 100, 1001, 101, 0640);
	struct ipcfs_cred owner = cred(1000, 5), creator = cred(1001, 5), grp = cred(2000, 100),
			  cgrp = cred(2000, 101), other = cred(2000, 5);

	g_assert_true(perm_decide(&owner, &o, IPCFS_R | IPCFS_W));
	g_assert_true(perm_decide(&creator, &o, IPCFS_R | IPCFS_W));
	g_assert_true(perm_decide(&grp, &o, IPCFS_R));
	g_assert_false(perm_decide(&grp, &o, IPCFS_W));
	g_assert_true(perm_decide(&cgrp, &o, IPCFS_R));
	g_assert_false(perm_decide(&other, &o, IPCFS_R));
	g_assert_true(perm_decide(&other, &o, 0));
}

static void class_is_exclusive(void)
{
	/* The owner class decides even when group or other would grant more. */
	struct ipcfs_obj o = obj(1000, 100, 1000, 100, 0066);
	struct ipcfs_cred owner = cred(1000, 100);

	g_assert_false(perm_decide(&owner, &o, IPCFS_R));
}

static void supplementary_groups(void)
{
	struct ipcfs_obj o = obj(1000, 300, 1000, 300, 0060);
	struct ipcfs_cred c = cred(2000, 5);

	g_assert_false(perm_decide(&c, &o, IPCFS_R));
	c.groups[c.ngroups++] = 300;
	g_assert_true(perm_decide(&c, &o, IPCFS_R | IPCFS_W));
}

static void capabilities(void)
{
	struct ipcfs_obj o = obj(1000, 100, 1000, 100, 0600);
	struct ipcfs_cred root = cred(0, 0), capless_root = cred(0, 0);

	root.caps = (UINT64_C(1) << IPCFS_CAP_IPC_OWNER) | (UINT64_C(1) << IPCFS_CAP_SYS_ADMIN);
	g_assert_true(perm_decide(&root, &o, IPCFS_R | IPCFS_W));
	g_assert_true(perm_decide_owner(&root, &o));
	g_assert_false(perm_decide(&capless_root, &o, IPCFS_R));
	g_assert_false(perm_decide_owner(&capless_root, &o));
}

static void owner_rule(void)
{
	struct ipcfs_obj o = obj(1000, 100, 1001, 100, 0666);
	struct ipcfs_cred owner = cred(1000, 1), creator = cred(1001, 1), grp = cred(5, 100);

	g_assert_true(perm_decide_owner(&owner, &o));
	g_assert_true(perm_decide_owner(&creator, &o));
	/* Write access is not ownership. */
	g_assert_false(perm_decide_owner(&grp, &o));
}

static void status_parsing(void)
{
	struct ipcfs_cred c = { 0 };
	const char *text = "Name:\tbash\nUid:\t0\t0\t0\t0\nGroups:\t4 24 27 \n"
			   "CapInh:\t0000000000000000\nCapEff:\t000001ffffffffff\n";

	g_assert_cmpint(perm_parse_status(text, &c), ==, 0);
	g_assert_true(c.loaded);
	g_assert_cmpint(c.ngroups, ==, 3);
	g_assert_cmpint(c.groups[2], ==, 27);
	g_assert_true(perm_has_cap(&c, IPCFS_CAP_IPC_OWNER));
	g_assert_cmpint(perm_parse_status("Groups:\t\nCapEff:\t0000000000000000\n", &c), ==, 0);
	g_assert_cmpint(c.ngroups, ==, 0);
	g_assert_false(perm_has_cap(&c, IPCFS_CAP_SYS_ADMIN));
	g_assert_cmpint(perm_parse_status("Name: x\n", &c), ==, -EINVAL);
	g_assert_cmpint(perm_parse_status("Groups:\tzz\nCapEff:\t0\n", &c), ==, -EINVAL);
}

/* cap_capable()'s walk: the served IPC namespace is owned by chain[0]. */
static void capabilities_by_user_namespace(void)
{
	const uint64_t chain[] = { 30, 20, 10 };	/* owner, its parent, the top */
	const uid_t owners[] = { 1000, 0, (uid_t)-1 };
	const uint64_t caps = UINT64_C(1) << IPCFS_CAP_IPC_OWNER;
	struct ipcfs_cred c = { 0 };

	/* Standing in the owner, or in an ancestor: the caller's own caps. */
	g_assert_cmpuint(userns_caps_in_chain(30, 5, caps, chain, owners, 3), ==, caps);
	g_assert_cmpuint(userns_caps_in_chain(10, 5, caps, chain, owners, 3), ==, caps);
	/* In the parent of a namespace on the way that their euid created:
	 * every capability there. */
	g_assert_cmpuint(userns_caps_in_chain(20, 1000, 0, chain, owners, 3), ==, ~UINT64_C(0));
	g_assert_cmpuint(userns_caps_in_chain(20, 1001, caps, chain, owners, 3), ==, caps);
	/* In a child (unshare -Ur) or an unrelated namespace: none. */
	g_assert_cmpuint(userns_caps_in_chain(31, 0, ~UINT64_C(0), chain, owners, 3), ==, 0);
	g_assert_cmpuint(userns_caps_in_chain(99, 1000, caps, chain, owners, 3), ==, 0);
	/* The euid is read from the Uid: line. */
	g_assert_cmpint(perm_parse_status("Uid:\t1\t1000\t2\t3\nGroups:\t\nCapEff:\t0\n", &c), ==, 0);
	g_assert_cmpuint(c.euid, ==, 1000);
}

void perm_tests(void)
{
	g_test_add_func("/perm/capabilities-by-user-namespace", capabilities_by_user_namespace);
	g_test_add_func("/perm/owner-group-other", owner_group_other);
	g_test_add_func("/perm/class-is-exclusive", class_is_exclusive);
	g_test_add_func("/perm/supplementary-groups", supplementary_groups);
	g_test_add_func("/perm/capabilities-override", capabilities);
	g_test_add_func("/perm/set-and-rmid-need-owner", owner_rule);
	g_test_add_func("/perm/parses-proc-status", status_parsing);
}
