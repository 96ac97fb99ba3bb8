// SPDX-License-Identifier: GPL-2.0-or-later
/* test_node.c - inode numbers: round trips, distinctness, the intern table. */
#include "node.h"
#include "ipcfs.h"

#include <glib.h>

void node_tests(void);

static void encode_roundtrip(void)
{
	const uint32_t ids[] = { 0, 1, 32768, 0x7fffffff, 0x80000000, 0xffffffff };
	const unsigned slots[] = { 0, 1, 17, NODE_SLOT_LINK, NODE_SLOT_KINDDIR };
	const uint32_t subs[] = { 0, 5, NODE_SUB_DIRECT_MAX };

	for (unsigned k = 0; k <= IPCFS_KINDS_MAX; k++)
		for (int a = 0; a < 2; a++)
			for (size_t i = 0; i < G_N_ELEMENTS(ids); i++)
				for (size_t s = 0; s < G_N_ELEMENTS(slots); s++)
					for (size_t u = 0; u < G_N_ELEMENTS(subs); u++) {
						struct node n = { k, a, slots[s], subs[u], ids[i], 0 }, m;

						node_decode(node_encode(&n), &m);
						g_assert_cmpuint(m.kind, ==, n.kind);
						g_assert_cmpint(m.alias, ==, n.alias);
						g_assert_cmpuint(m.slot, ==, n.slot);
						g_assert_cmpuint(m.sub, ==, n.sub);
						g_assert_cmpuint(m.id, ==, n.id);
					}
}

static void root_is_one(void)
{
	struct node root = { .kind = NODE_ROOT, .id = 1 };

	g_assert_cmpuint(node_encode(&root), ==, 1);	/* FUSE_ROOT_ID */
}

static void distinct_fields(void)
{
	struct node a = { 1, 0, 0, 0, 5, 0 }, b = a;

	b.alias = 1;
	g_assert_cmpuint(node_encode(&a), !=, node_encode(&b));
	b = a;
	b.kind = 2;
	g_assert_cmpuint(node_encode(&a), !=, node_encode(&b));
	b = a;
	b.sub = 1;
	g_assert_cmpuint(node_encode(&a), !=, node_encode(&b));
}

static void intern_large_values(void)
{
	struct node n = { 3, 0, 3, 0, 42, 0 };
	uint64_t big = UINT64_C(1) << 40, v = 0;
	uint32_t h = node_sub_get(&n, big, 1000), h2;

	g_assert_cmpuint(h, !=, UINT32_MAX);
	g_assert_true(h & NODE_SUB_INTERNED);
	n.sub = h;
	g_assert_true(node_sub_value(&n, &v));
	g_assert_cmpuint(v, ==, big);
	/* The same value gets the same handle; small values are direct. */
	h2 = node_sub_get(&n, big, 1000);
	g_assert_cmpuint(h2, ==, h);
	g_assert_cmpuint(node_sub_get(&n, 7, 1000), ==, 7);
	/* Two references taken; forgetting both frees the entry. */
	g_assert_cmpuint(node_interned_count(), ==, 1);
	node_forget(node_encode(&n), 1);
	g_assert_cmpuint(node_interned_count(), ==, 1);
	node_forget(node_encode(&n), 1);
	g_assert_cmpuint(node_interned_count(), ==, 0);
	g_assert_false(node_sub_value(&n, &v));
}

/* Lookups from many processes can outrun the kernel's forgets: each user
 * but root may hold only its share of the table, and one at its share
 * takes nothing from another. */
static void intern_share_per_user(void)
{
	struct node n = { 3, 0, 3, 0, 43, 0 };
	uint64_t big = UINT64_C(1) << 41;
	uint32_t h = 0;

	for (unsigned i = 0; i < NODE_INTERN_PER_USER; i++) {
		h = node_sub_get(&n, big + i, 1000);
		g_assert_cmpuint(h, !=, UINT32_MAX);
	}
	g_assert_cmpuint(node_interned_count(), ==, NODE_INTERN_PER_USER);
	/* Its next entry, also a fresh one, is refused; a value it holds
	 * is still found, another user and root still get theirs. */
	g_assert_cmpuint(node_sub_get(&n, big + NODE_INTERN_PER_USER, 1000), ==, UINT32_MAX);
	g_assert_cmpuint(node_sub_fresh(&n, 0, 100, 1000), ==, UINT32_MAX);
	n.sub = node_sub_get(&n, big, 1000);
	g_assert_cmpuint(n.sub, !=, UINT32_MAX);
	node_forget(node_encode(&n), 1);	/* that second reference */
	g_assert_cmpuint(node_sub_get(&n, big + NODE_INTERN_PER_USER, 1001), !=, UINT32_MAX);
	g_assert_cmpuint(node_sub_get(&n, big + NODE_INTERN_PER_USER + 1, 0), !=, UINT32_MAX);
	/* Once the kernel forgets one of the user's, it may make one more. */
	n.sub = h;
	node_forget(node_encode(&n), 1);
	g_assert_cmpuint(node_sub_get(&n, big + NODE_INTERN_PER_USER + 2, 1000), !=, UINT32_MAX);
	/* Leave the table empty for the other tests. */
	for (unsigned i = 0; i <= NODE_INTERN_PER_USER + 2; i++) {
		struct node f = n;

		f.sub = node_sub_get(&n, big + i, NODE_UID_NONE);
		if (f.sub == UINT32_MAX)
			continue;
		/* the reference just taken, and the one the first lookup took */
		node_forget(node_encode(&f), 1);
		node_forget(node_encode(&f), 1);
	}
	g_assert_cmpuint(node_interned_count(), ==, 0);
}

static void key_names(void)
{
	struct node obj = { .kind = 1, .slot = NODE_SLOT_OBJECT, .id = 7 };
	struct node keyed = obj, link = obj, data = obj, root = { .kind = NODE_ROOT };

	keyed.alias = true;
	link.slot = NODE_SLOT_LINK;
	data.alias = true;
	data.slot = 1;	/* a file under a 0xKEY directory: its parent is the name */
	g_assert_false(node_is_alias_name(node_encode(&obj)));
	g_assert_true(node_is_alias_name(node_encode(&keyed)));
	g_assert_true(node_is_alias_name(node_encode(&link)));
	g_assert_false(node_is_alias_name(node_encode(&data)));
	g_assert_false(node_is_alias_name(node_encode(&root)));
}

/* Files that can block: a node per looking-up thread, kept while nothing
 * is open on it, a new one once a file is; old names can be handed back. */
static void own_nodes_per_thread(void)
{
	struct node n = { 2, 0, 1, 0, 9, 0 };
	struct node a = n, b = n, a2 = n, a3 = n;
	GArray *ev = g_array_new(FALSE, FALSE, sizeof(struct node_evict));
	uint64_t v = 0;

	a.sub = node_sub_fresh(&n, 0, 100, 1000);
	b.sub = node_sub_fresh(&n, 0, 200, 1000);
	a2.sub = node_sub_fresh(&n, 0, 100, 1000);
	g_assert_true(a.sub & NODE_SUB_INTERNED);
	g_assert_cmpuint(a.sub, !=, b.sub);	/* two threads: two inodes */
	g_assert_cmpuint(a2.sub, ==, a.sub);	/* one thread again: the same */
	g_assert_true(node_sub_value(&a, &v));
	g_assert_cmpuint(v, ==, 0);
	/* Stat shows one number for all of them. */
	g_assert_cmpuint(node_display_ino(&a, 0), ==, node_display_ino(&b, 0));
	/* Opened: the thread's next lookup gets another node. */
	g_assert_cmpuint(node_sub_open(&a), ==, 0);
	g_assert_cmpuint(node_sub_open(&a), ==, 1);
	a3.sub = node_sub_fresh(&n, 0, 100, 1000);
	g_assert_cmpuint(a3.sub, !=, a.sub);
	node_sub_close(&a);
	node_sub_close(&a);
	/* Named entries can be asked back, oldest first, down to `keep`. */
	node_sub_name(&a, 77, "0");
	node_sub_name(&b, 77, "0");
	g_assert_cmpuint(node_interned_count(), ==, 3);
	g_assert_cmpuint(node_evict_take(1, 1, ev), ==, 1);
	g_assert_cmpuint(node_evict_take(1, 8, ev), ==, 1);
	g_assert_cmpuint(g_array_index(ev, struct node_evict, 0).parent, ==, 77);
	g_assert_cmpstr(g_array_index(ev, struct node_evict, 0).name, ==, "0");
	for (guint i = 0; i < ev->len; i++)
		g_free(g_array_index(ev, struct node_evict, i).name);
	g_array_unref(ev);
	/* Each lookup is a reference; forget frees them. */
	node_forget(node_encode(&a), 2);
	node_forget(node_encode(&b), 1);
	node_forget(node_encode(&a3), 1);
	g_assert_cmpuint(node_interned_count(), ==, 0);
}

void node_tests(void)
{
	g_test_add_func("/node/own-nodes-per-thread", own_nodes_per_thread);
	g_test_add_func("/node/encode-roundtrip", encode_roundtrip);
	g_test_add_func("/node/root-is-fuse-root-id", root_is_one);
	g_test_add_func("/node/fields-give-distinct-numbers", distinct_fields);
	g_test_add_func("/node/intern-large-values-and-forget", intern_large_values);
	g_test_add_func("/node/key-names-are-not-cached", key_names);
	g_test_add_func("/node/intern-share-per-user", intern_share_per_user);
}
