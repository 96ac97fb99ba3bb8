// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * node.c - inode number encoding and the intern table for large subs.
 *
 * Almost every node's number is computed (see node.h).  The exception is a
 * row value too large for the 21-bit sub field (a message type of 10^12,
 * say): such values get a handle from a table keyed by (kind, id, slot,
 * value).  Each lookup that hands out the inode counts a reference, and
 * FUSE's forget releases them, so the table only holds names the kernel
 * still caches.
 */
#include "node.h"

#include <glib.h>

#define SHIFT_ID 0
#define SHIFT_SUB (SHIFT_ID + NODE_ID_BITS)
#define SHIFT_SLOT (SHIFT_SUB + NODE_SUB_BITS)
#define SHIFT_ALIAS (SHIFT_SLOT + NODE_SLOT_BITS)
#define SHIFT_KIND (SHIFT_ALIAS + NODE_ALIAS_BITS)
#define MASK(bits) ((UINT64_C(1) << (bits)) - 1)

uint64_t node_encode(const struct node *n)
{
	return ((uint64_t)n->kind & MASK(NODE_KIND_BITS)) << SHIFT_KIND |
	       ((uint64_t)(n->alias ? 1 : 0)) << SHIFT_ALIAS |
	       ((uint64_t)n->slot & MASK(NODE_SLOT_BITS)) << SHIFT_SLOT |
	       ((uint64_t)n->sub & MASK(NODE_SUB_BITS)) << SHIFT_SUB |
	       ((uint64_t)n->id & MASK(NODE_ID_BITS)) << SHIFT_ID;
}

void node_decode(uint64_t ino, struct node *n)
{
	n->kind = (ino >> SHIFT_KIND) & MASK(NODE_KIND_BITS);
	n->alias = (ino >> SHIFT_ALIAS) & 1;
	n->slot = (ino >> SHIFT_SLOT) & MASK(NODE_SLOT_BITS);
	n->sub = (ino >> SHIFT_SUB) & MASK(NODE_SUB_BITS);
	n->id = (ino >> SHIFT_ID) & MASK(NODE_ID_BITS);
}

struct intern {
	unsigned kind, slot;
	uint32_t id;
	uint64_t value;
	uint32_t handle;
	uint64_t refs;
};

static GMutex intern_lock;
static GHashTable *intern_by_value;	/* struct intern* -> same (owns) */
static GHashTable *intern_by_handle;	/* handle -> struct intern* */
static uint32_t intern_next;

static guint intern_hash(gconstpointer p)
{
	const struct intern *e = p;
	uint64_t h = e->value * UINT64_C(0x9e3779b97f4a7c15);

	h ^= ((uint64_t)e->kind << 56) ^ ((uint64_t)e->slot << 40) ^ e->id;
	return (guint)(h ^ (h >> 32));
}

static gboolean intern_equal(gconstpointer a, gconstpointer b)
{
	const struct intern *x = a, *y = b;

	return x->kind == y->kind && x->slot == y->slot && x->id == y->id &&
	       x->value == y->value;
}

static void intern_init(void)
{
	if (intern_by_value)
		return;
	intern_by_value = g_hash_table_new_full(intern_hash, intern_equal, g_free, NULL);
	intern_by_handle = g_hash_table_new(g_direct_hash, g_direct_equal);
}

uint32_t node_sub_get(const struct node *n, uint64_t value)
{
	struct intern probe = { .kind = n->kind, .slot = n->slot, .id = n->id, .value = value };
	struct intern *e;
	uint32_t handle = UINT32_MAX;

	if (value <= NODE_SUB_DIRECT_MAX)
		return (uint32_t)value;

	g_mutex_lock(&intern_lock);
	intern_init();
	e = g_hash_table_lookup(intern_by_value, &probe);
	if (!e) {
		/* Handles cycle through the free ones; the table stays small
		 * because forget releases entries. */
		for (uint32_t tries = 0; tries <= NODE_SUB_DIRECT_MAX; tries++) {
			uint32_t h = intern_next++ & NODE_SUB_DIRECT_MAX;

			if (!g_hash_table_contains(intern_by_handle, GUINT_TO_POINTER(h + 1))) {
				e = g_new0(struct intern, 1);
				*e = probe;
				e->handle = h;
				g_hash_table_add(intern_by_value, e);
				g_hash_table_insert(intern_by_handle, GUINT_TO_POINTER(h + 1), e);
				break;
			}
		}
	}
	if (e) {
		e->refs++;
		handle = (uint32_t)(NODE_SUB_INTERNED | e->handle);
	}
	g_mutex_unlock(&intern_lock);
	return handle;
}

bool node_sub_value(const struct node *n, uint64_t *value)
{
	struct intern *e;
	bool ok = false;

	if (!(n->sub & NODE_SUB_INTERNED)) {
		*value = n->sub;
		return true;
	}
	g_mutex_lock(&intern_lock);
	intern_init();
	e = g_hash_table_lookup(intern_by_handle,
				GUINT_TO_POINTER((n->sub & NODE_SUB_DIRECT_MAX) + 1));
	if (e && e->kind == n->kind && e->slot == n->slot && e->id == n->id) {
		*value = e->value;
		ok = true;
	}
	g_mutex_unlock(&intern_lock);
	return ok;
}

void node_forget(uint64_t ino, uint64_t nlookup)
{
	struct node n;
	struct intern *e;

	node_decode(ino, &n);
	if (!(n.sub & NODE_SUB_INTERNED))
		return;
	g_mutex_lock(&intern_lock);
	intern_init();
	e = g_hash_table_lookup(intern_by_handle,
				GUINT_TO_POINTER((n.sub & NODE_SUB_DIRECT_MAX) + 1));
	if (e) {
		e->refs = e->refs > nlookup ? e->refs - nlookup : 0;
		if (!e->refs) {
			g_hash_table_remove(intern_by_handle, GUINT_TO_POINTER(e->handle + 1));
			g_hash_table_remove(intern_by_value, e);
		}
	}
	g_mutex_unlock(&intern_lock);
}

unsigned node_interned_count(void)
{
	unsigned n;

	g_mutex_lock(&intern_lock);
	n = intern_by_handle ? g_hash_table_size(intern_by_handle) : 0;
	g_mutex_unlock(&intern_lock);
	return n;
}

bool node_is_key_name(uint64_t ino)
{
	struct node n;

	node_decode(ino, &n);
	return n.kind != 0 /* the root and its files */ &&
	       ((n.alias && n.slot == NODE_SLOT_OBJECT) || n.slot == NODE_SLOT_LINK);
}
