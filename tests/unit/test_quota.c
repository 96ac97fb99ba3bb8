// SPDX-License-Identifier: GPL-2.0-or-later
/* test_quota.c - fs/quota.c: the person behind a user namespace chain, and
 * the shares of a table. */
#include "util.h"

#include <glib.h>

void quota_tests(void);

#define INIT 4026531837u	/* the daemon's own user namespace */

static void person_in_the_daemons_namespace_is_the_uid(void)
{
	const uint64_t chain[] = { INIT };
	const uid_t owners[] = { (uid_t)-1 };

	g_assert_cmpuint(quota_person_of_chain(1000, chain, owners, 1, INIT), ==, 1000);
	g_assert_cmpuint(quota_person_of_chain(0, chain, owners, 1, INIT), ==, QUOTA_ROOT);
	/* Nothing read: the uid, as before. */
	g_assert_cmpuint(quota_person_of_chain(1000, chain, owners, 0, INIT), ==, 1000);
}

/* 130 subordinate uids of user 1000, each in a user namespace of its own
 * below the one 1000 made: all of them are 1000. */
static void subordinate_uids_are_their_owner(void)
{
	for (uid_t sub = 200000; sub < 200130; sub++) {
		const uint64_t one[] = { 11, INIT };
		const uid_t one_owner[] = { 1000, (uid_t)-1 };
		const uint64_t two[] = { 20 + sub, 11, INIT };
		const uid_t two_owners[] = { sub, 1000, (uid_t)-1 };

		g_assert_cmpuint(quota_person_of_chain(sub, one, one_owner, 2, INIT), ==, 1000);
		g_assert_cmpuint(quota_person_of_chain(sub, two, two_owners, 3, INIT), ==, 1000);
	}
}

/* A container root made: not root, a person of its own per outermost
 * user namespace; so is one whose creator cannot be told. */
static void root_made_containers_are_persons_of_their_own(void)
{
	const uint64_t a[] = { 31, 30, INIT }, b[] = { 40, INIT };
	const uid_t a_owners[] = { 100000, 0, (uid_t)-1 }, b_owners[] = { 0, (uid_t)-1 };
	const uid_t unknown[] = { (uid_t)-1, (uid_t)-1 };

	g_assert_cmpuint(quota_person_of_chain(100000, a, a_owners, 3, INIT), ==,
			 QUOTA_USERNS_BIT | 30);
	g_assert_cmpuint(quota_person_of_chain(0, b, b_owners, 2, INIT), ==, QUOTA_USERNS_BIT | 40);
	g_assert_cmpuint(quota_person_of_chain(5, b, unknown, 2, INIT), ==, QUOTA_USERNS_BIT | 40);
	/* A walk that stopped before the daemon's own: its last namespace. */
	g_assert_cmpuint(quota_person_of_chain(5, a, a_owners, 2, INIT), ==, QUOTA_USERNS_BIT | 30);
}

static void shares_bound_each_person_and_all_but_root(void)
{
	struct quota q = { .per_person = 3, .all_others = 5, .root_free = true };

	for (int i = 0; i < 3; i++)
		g_assert_true(quota_take(&q, 1000));
	g_assert_false(quota_take(&q, 1000));
	g_assert_cmpuint(quota_held(&q, 1000), ==, 3);
	g_assert_true(quota_take(&q, 1001));
	g_assert_true(quota_take(&q, QUOTA_USERNS_BIT | 7));
	/* Five held by others: nobody else but root. */
	g_assert_false(quota_take(&q, 1002));
	for (int i = 0; i < 10; i++)
		g_assert_true(quota_take(&q, QUOTA_ROOT));
	g_assert_true(quota_take(&q, QUOTA_NONE));
	g_assert_cmpuint(quota_held(&q, QUOTA_NONE), ==, 0);
	quota_give(&q, 1000);
	g_assert_true(quota_take(&q, 1002));
	g_assert_false(quota_take(&q, 1000));
	/* Giving back what was never taken changes nothing. */
	quota_give(&q, 4242);
	g_assert_false(quota_take(&q, 4242));
	quota_clear(&q);
	g_assert_cmpuint(quota_held(&q, 1002), ==, 0);
	g_assert_true(quota_take(&q, 4242));
	quota_clear(&q);
}

static void root_may_be_bounded_too(void)
{
	struct quota q = { .per_person = 2 };

	g_assert_true(quota_take(&q, QUOTA_ROOT));
	g_assert_true(quota_take(&q, QUOTA_ROOT));
	g_assert_false(quota_take(&q, QUOTA_ROOT));
	/* Root's do not count against the others (no such bound here). */
	g_assert_true(quota_take(&q, 1000));
	quota_give(&q, QUOTA_ROOT);
	g_assert_true(quota_take(&q, QUOTA_ROOT));
	quota_clear(&q);
}

void quota_tests(void)
{
	g_test_add_func("/quota/person/daemons-namespace-is-the-uid",
			person_in_the_daemons_namespace_is_the_uid);
	g_test_add_func("/quota/person/subordinate-uids-are-their-owner",
			subordinate_uids_are_their_owner);
	g_test_add_func("/quota/person/root-made-containers-are-persons",
			root_made_containers_are_persons_of_their_own);
	g_test_add_func("/quota/shares/bound-each-person-and-all-but-root",
			shares_bound_each_person_and_all_but_root);
	g_test_add_func("/quota/shares/root-may-be-bounded", root_may_be_bounded_too);
}
