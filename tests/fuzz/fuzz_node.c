// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_node.c - inode numbers (node_encode/node_decode) and the intern
 * table behind names too large for the direct sub field, which a client
 * fills by looking up mq/<id>/type/<huge N>: every such lookup takes a
 * reference, FUSE's forget drops it.
 *
 * The input is a program: each 12-byte step gets a handle for a (kind,
 * slot, id, value) or forgets one taken before, with a shadow count of the
 * references.  Properties: decode(encode(n)) == n; a handle resolves to its
 * value while referenced and to nothing once forgotten; the table holds
 * exactly the entries with references, and is empty at the end.
 */
#include "fuzz.h"
#include "node.h"

#define STEPS_MAX 256

/* One distinct (kind, slot, id, value) taken through the table. */
struct shadow {
	struct node n;		/* n.sub is the handle it was given */
	uint64_t value;
	uint64_t refs;
};

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static unsigned live_count(const struct shadow *sh, unsigned nsh)
{
	unsigned live = 0;

	for (unsigned j = 0; j < nsh; j++)
		live += sh[j].refs > 0;
	return live;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct shadow sh[STEPS_MAX];
	unsigned nsh = 0;

	for (size_t i = 0; i + 12 <= size && nsh < STEPS_MAX; i += 12) {
		const uint8_t *p = data + i;
		struct node n = {
			.kind = p[0] & 7, .alias = p[0] >> 7, .slot = p[1] & NODE_SLOT_MAX,
			.id = (uint32_t)p[2] << 24 | p[3],
		}, back;
		uint64_t value = rd64(p + 4), got;
		unsigned j;

		if ((p[0] & 0x18) == 0x18) {
			/* The kernel forgets only what it looked up: pick a
			 * live entry and drop 1..4 of its references. */
			struct shadow *s = NULL;
			uint64_t k = 1 + (p[2] & 3);

			for (j = 0; j < nsh; j++)
				if (sh[(p[1] + j) % nsh].refs) {
					s = &sh[(p[1] + j) % nsh];
					break;
				}
			if (!s)
				continue;
			k = k < s->refs ? k : s->refs;
			node_forget(node_encode(&s->n), k);
			s->refs -= k;
			if (!s->refs) {
				/* Gone: its handle resolves to nothing now. */
				FUZZ_ASSERT(!node_sub_value(&s->n, &got));
			}
			FUZZ_ASSERT(node_interned_count() == live_count(sh, nsh));
			continue;
		}
		/* Small values are direct, large ones interned. */
		if (p[0] & 0x20)
			value &= NODE_SUB_DIRECT_MAX;
		else
			value |= NODE_SUB_DIRECT_MAX + 1;
		n.sub = node_sub_get(&n, value, 0);	/* root: no share (node.h) */
		FUZZ_ASSERT(n.sub != UINT32_MAX);
		node_decode(node_encode(&n), &back);
		FUZZ_ASSERT(back.kind == n.kind && back.alias == n.alias && back.slot == n.slot &&
			    back.sub == n.sub && back.id == n.id);
		FUZZ_ASSERT(node_sub_value(&back, &got) && got == value);
		if (value <= NODE_SUB_DIRECT_MAX) {
			FUZZ_ASSERT(n.sub == value);
			continue;
		}
		FUZZ_ASSERT(n.sub & NODE_SUB_INTERNED);
		/* One entry per identity while it has references. */
		for (j = 0; j < nsh; j++)
			if (sh[j].refs && sh[j].n.kind == n.kind && sh[j].n.slot == n.slot &&
			    sh[j].n.id == n.id && sh[j].value == value)
				break;
		if (j < nsh) {
			FUZZ_ASSERT(sh[j].n.sub == n.sub);
			sh[j].refs++;
		} else {
			/* A new handle differs from every live one. */
			for (unsigned k = 0; k < nsh; k++)
				FUZZ_ASSERT(!sh[k].refs || sh[k].n.sub != n.sub);
			sh[nsh++] = (struct shadow){ .n = n, .value = value, .refs = 1 };
		}
		FUZZ_ASSERT(node_interned_count() == live_count(sh, nsh));
	}
	/* Drop everything still referenced: the table ends empty. */
	for (unsigned j = 0; j < nsh; j++)
		if (sh[j].refs)
			node_forget(node_encode(&sh[j].n), sh[j].refs);
	FUZZ_ASSERT(node_interned_count() == 0);
	return 0;
}
