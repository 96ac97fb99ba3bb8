// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * node.c - inode number encoding and the intern table for large subs.
 *
 * Almost every node's number is computed (see node.h).  The exception is a
 * row value too large for the sub field (node.h: up to 4095 direct) (a message type of 10^12,
 * say): such values get a handle from a table keyed by (kind, id, slot,
 * value).  Each lookup that hands out the inode counts a reference, and
 * FUSE's forget releases them, so the table only holds names the kernel
 * still caches.
 */
#include "ipcfs.h"
#include "node.h"

#include <glib.h>

#define SHIFT_ID 0
#define SHIFT_SUB (SHIFT_ID + NODE_ID_BITS)
#define SHIFT_NS (SHIFT_SUB + NODE_SUB_BITS)
#define SHIFT_SLOT (SHIFT_NS + NODE_NS_BITS)
#define SHIFT_ALIAS (SHIFT_SLOT + NODE_SLOT_BITS)
#define SHIFT_KIND (SHIFT_ALIAS + NODE_ALIAS_BITS)
#define MASK(bits) ((UINT64_C(1) << (bits)) - 1)
/* The table's key for a handle (never 0). */
#define HKEY(h) GUINT_TO_POINTER((guint)(h) + 1)

#define WIRE_INTERNED (UINT64_C(1) << (NODE_SUB_BITS - 1))
#define LOW_BITS (NODE_SUB_BITS - 1)

uint64_t node_encode(const struct node *n)
{
	uint64_t ns = n->ns, sub = n->sub;

	if (sub & NODE_SUB_INTERNED) {
		/* The handle spreads over ns and sub (see node.h). */
		uint64_t h = sub & NODE_HANDLE_MAX;

		ns = h >> LOW_BITS;
		sub = WIRE_INTERNED | (h & MASK(LOW_BITS));
	}
	return ((uint64_t)n->kind & MASK(NODE_KIND_BITS)) << SHIFT_KIND |
	       ((uint64_t)(n->alias ? 1 : 0)) << SHIFT_ALIAS |
	       ((uint64_t)n->slot & MASK(NODE_SLOT_BITS)) << SHIFT_SLOT |
	       (ns & MASK(NODE_NS_BITS)) << SHIFT_NS |
	       (sub & MASK(NODE_SUB_BITS)) << SHIFT_SUB |
	       ((uint64_t)n->id & MASK(NODE_ID_BITS)) << SHIFT_ID;
}

static unsigned intern_ns_of(uint32_t handle);

void node_decode(uint64_t ino, struct node *n)
{
	uint64_t ns = (ino >> SHIFT_NS) & MASK(NODE_NS_BITS);
	uint64_t sub = (ino >> SHIFT_SUB) & MASK(NODE_SUB_BITS);

	n->kind = (ino >> SHIFT_KIND) & MASK(NODE_KIND_BITS);
	n->alias = (ino >> SHIFT_ALIAS) & 1;
	n->slot = (ino >> SHIFT_SLOT) & MASK(NODE_SLOT_BITS);
	n->id = (ino >> SHIFT_ID) & MASK(NODE_ID_BITS);
	if (sub & WIRE_INTERNED) {
		uint32_t h = (uint32_t)(ns << LOW_BITS | (sub & MASK(LOW_BITS)));

		n->sub = (uint32_t)(NODE_SUB_INTERNED | h);
		n->ns = intern_ns_of(h);
	} else {
		n->sub = (uint32_t)sub;
		n->ns = (unsigned)ns;
	}
}

struct intern {
	unsigned kind, slot, ns;
	uint32_t id;
	uint64_t value;
	uint32_t handle;
	uint64_t refs;
	bool fresh;		/* a node of its own, not in intern_by_value */
	bool alias;
	int32_t who;		/* fresh nodes: the thread whose lookup made it */
	quota_person owner;	/* whose lookup made it (NODE_UID_NONE: nobody's) */
	unsigned opens;		/* open files on it (node_sub_open/close) */
	/* Where the kernel has it, for asking it to let go (node_evict_take):
	 * the parent directory's node and the entry's name; NULL name: not
	 * known, never asked. */
	uint64_t parent;
	char *name;
	GList link;		/* in intern_fifo while `queued` */
	bool queued;		/* named, and the kernel not asked yet */
};

static GMutex intern_lock;	/* a leaf (order: fs/ipcfs.h) */
static GHashTable *intern_by_value;	/* struct intern* -> same (not fresh ones) */
static GHashTable *intern_current;	/* the newest fresh node of each name */
static GHashTable *intern_by_handle;	/* HKEY(handle) -> struct intern* (owns) */
static GQueue intern_fifo = G_QUEUE_INIT;	/* named entries, oldest first */
static uint32_t intern_next;
/* Entries each person made (node.h: each but root a share, and all of
 * them together half the table), under intern_lock. */
static struct quota intern_quota = {
	.per_person = NODE_INTERN_PER_USER, .all_others = (NODE_HANDLE_MAX + 1) / 2,
	.root_free = true,
};

static guint intern_hash(gconstpointer p)
{
	const struct intern *e = p;
	uint64_t h = e->value * UINT64_C(0x9e3779b97f4a7c15);

	h ^= ((uint64_t)e->kind << 56) ^ ((uint64_t)e->slot << 40) ^ ((uint64_t)e->ns << 32) ^ e->id ^
	     ((uint64_t)(uint32_t)e->who << 20);
	return (guint)(h ^ (h >> 32));
}

static gboolean intern_equal(gconstpointer a, gconstpointer b)
{
	const struct intern *x = a, *y = b;

	return x->kind == y->kind && x->slot == y->slot && x->ns == y->ns && x->id == y->id &&
	       x->value == y->value && x->alias == y->alias && x->who == y->who;
}

static void intern_free(gpointer p)
{
	struct intern *e = p;

	quota_give(&intern_quota, e->owner);	/* (under intern_lock, as every removal) */
	g_free(e->name);
	g_free(e);
}

static void intern_init(void)
{
	if (intern_by_value)
		return;
	intern_by_value = g_hash_table_new(intern_hash, intern_equal);
	intern_current = g_hash_table_new(intern_hash, intern_equal);
	intern_by_handle = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, intern_free);
}

/* A new entry for `probe` (made by probe->owner) under a free handle, or
 * NULL when all are taken or the owner holds its share.  Handles cycle
 * through the free ones; the table stays small because forget releases
 * entries (and node_evict_take asks the kernel to). */
static struct intern *intern_new(const struct intern *probe)
{
	if (!quota_take(&intern_quota, probe->owner))
		return NULL;
	for (uint32_t tries = 0; tries <= NODE_HANDLE_MAX; tries++) {
		uint32_t h = intern_next++ & NODE_HANDLE_MAX;

		if (!g_hash_table_contains(intern_by_handle, HKEY(h))) {
			struct intern *e = g_new0(struct intern, 1);

			*e = *probe;
			e->handle = h;
			e->link.data = e;
			g_hash_table_insert(intern_by_handle, HKEY(h), e);
			return e;
		}
	}
	quota_give(&intern_quota, probe->owner);
	return NULL;
}

uint32_t node_sub_get(const struct node *n, uint64_t value, quota_person person)
{
	struct intern probe = { .kind = n->kind, .slot = n->slot, .ns = n->ns, .id = n->id,
				.value = value, .owner = person };
	struct intern *e;
	uint32_t handle = UINT32_MAX;

	if (value <= NODE_SUB_DIRECT_MAX)
		return (uint32_t)value;

	g_mutex_lock(&intern_lock);
	intern_init();
	e = g_hash_table_lookup(intern_by_value, &probe);
	if (!e) {
		e = intern_new(&probe);
		if (e)
			g_hash_table_add(intern_by_value, e);
	}
	if (e) {
		e->refs++;
		handle = (uint32_t)(NODE_SUB_INTERNED | e->handle);
	}
	g_mutex_unlock(&intern_lock);
	return handle;
}

/*
 * The node of a name that must not share an inode with a file open on it,
 * for the thread `who` looking it up: the one that thread got last, while
 * nothing has it open, else a new one.  So each thread's walk (and the
 * kernel's revalidation of it) keeps finding its own node, two threads
 * never get the same one, and an open (which may block a writer holding
 * the inode's lock) makes that thread's next lookup get another.
 */
uint32_t node_sub_fresh(const struct node *n, uint64_t value, int32_t who, quota_person person)
{
	struct intern probe = { .kind = n->kind, .slot = n->slot, .ns = n->ns, .id = n->id,
				.value = value, .alias = n->alias, .who = who, .fresh = true, .refs = 1,
				.owner = person };
	struct intern *e;

	g_mutex_lock(&intern_lock);
	intern_init();
	e = g_hash_table_lookup(intern_current, &probe);
	if (e && !e->opens) {
		e->refs++;
	} else {
		e = intern_new(&probe);
		if (e)
			g_hash_table_replace(intern_current, e, e);
	}
	g_mutex_unlock(&intern_lock);
	return e ? (uint32_t)(NODE_SUB_INTERNED | e->handle) : UINT32_MAX;
}

static struct intern *intern_of(unsigned ns, uint32_t sub)
{
	struct intern *e;

	if (!(sub & NODE_SUB_INTERNED) || sub == UINT32_MAX)
		return NULL;
	intern_init();
	e = g_hash_table_lookup(intern_by_handle, HKEY(sub & NODE_HANDLE_MAX));
	return e && e->ns == ns ? e : NULL;
}

static unsigned intern_ns_of(uint32_t handle)
{
	struct intern *e;
	unsigned ns = 0;

	g_mutex_lock(&intern_lock);
	intern_init();
	e = g_hash_table_lookup(intern_by_handle, HKEY(handle));
	if (e)
		ns = e->ns;
	g_mutex_unlock(&intern_lock);
	return ns;
}

unsigned node_sub_open(const struct node *n)
{
	struct intern *e;
	unsigned before = 0;

	g_mutex_lock(&intern_lock);
	e = intern_of(n->ns, n->sub);
	if (e)
		before = e->opens++;
	g_mutex_unlock(&intern_lock);
	return before;
}

void node_sub_close(const struct node *n)
{
	struct intern *e;

	g_mutex_lock(&intern_lock);
	e = intern_of(n->ns, n->sub);
	if (e && e->opens)
		e->opens--;
	g_mutex_unlock(&intern_lock);
}

void node_sub_name(const struct node *n, uint64_t parent, const char *name)
{
	struct intern *e;

	g_mutex_lock(&intern_lock);
	e = intern_of(n->ns, n->sub);
	if (e && !e->name) {
		e->parent = parent;
		e->name = g_strdup(name);
		g_queue_push_tail_link(&intern_fifo, &e->link);
		e->queued = true;
	}
	g_mutex_unlock(&intern_lock);
}

size_t node_evict_take(size_t keep, size_t most, GArray *out)
{
	size_t n = 0;

	g_mutex_lock(&intern_lock);
	intern_init();
	while (n < most && g_hash_table_size(intern_by_handle) > keep + n && intern_fifo.head) {
		GList *l = g_queue_pop_head_link(&intern_fifo);
		struct intern *e = l->data;
		struct node_evict ev = { .parent = e->parent, .name = g_strdup(e->name) };

		e->queued = false;
		g_array_append_val(out, ev);
		n++;
	}
	g_mutex_unlock(&intern_lock);
	return n;
}

uint64_t node_display_ino(const struct node *n, uint64_t value)
{
	struct node d = *n;

	/* The stable number stat and listings show; a value too large for
	 * the field is folded into it (st_ino only has to be stable). */
	d.sub = (uint32_t)(value <= NODE_SUB_DIRECT_MAX ? value :
			   (value ^ (value >> 20) ^ (value >> 40)) & NODE_SUB_DIRECT_MAX);
	return node_encode(&d);
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
	e = intern_of(n->ns, n->sub);
	if (e && e->kind == n->kind && e->slot == n->slot && e->ns == n->ns && e->id == n->id) {
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
	e = intern_of(n.ns, n.sub);
	if (e) {
		e->refs = e->refs > nlookup ? e->refs - nlookup : 0;
		if (!e->refs) {
			if (!e->fresh)
				g_hash_table_remove(intern_by_value, e);
			else if (g_hash_table_lookup(intern_current, e) == e)
				g_hash_table_remove(intern_current, e);
			if (e->queued)
				g_queue_unlink(&intern_fifo, &e->link);
			g_hash_table_remove(intern_by_handle, HKEY(e->handle));
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

bool node_is_alias_name(uint64_t ino)
{
	struct node n;

	node_decode(ino, &n);
	return n.kind != 0 /* the root and its files */ &&
	       ((n.alias && n.slot == NODE_SLOT_OBJECT) || n.slot == NODE_SLOT_LINK);
}
