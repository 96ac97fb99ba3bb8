// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tree.c - names and attributes of every node, from the backend tables.
 *
 *   /                       root: one directory per backend, limits, summary, metrics
 *   /<kind>/                objects by name, the alias directory, new (and
 *                           second names, which resolve but are not listed)
 *   /<kind>/<alias_dir>/A   -> ../<name>      (System V: by-key/0xKEY -> ../ID)
 *   /<kind>/<name>/         the backend's rows, then `info`, then one file per field
 *   /ns/<inode>/            all of the above in that namespace (fs/ns.c), and
 *                           `processes`; /ns/self -> <inode>, /ns/metrics
 *
 * Object directories carry the object's mode, owner and times; the files
 * in them carry the owner and times too, with the row's own mode.
 */
#include "ns.h"
#include "tree.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/*
 * What a directory node is, decided in one place (dir_type) for lookup
 * and list.  The values are bits, so that a root entry can say in which
 * directories it stands.
 */
enum dir_type {
	DIR_ROOT = 1 << 0,	/* the mount's root */
	DIR_NS_ROOT = 1 << 1,	/* ns/<inode>/: the root again, in that namespace */
	DIR_GROUP = 1 << 2,	/* a group's directory (posix/) */
	DIR_NS = 1 << 3,	/* ns/ */
	DIR_KIND = 1 << 4,	/* a kind's directory */
	DIR_ALIAS = 1 << 5,	/* a kind's directory of second names (by-key/) */
	DIR_OBJECT = 1 << 6,	/* an object's directory, or a directory row in it */
};
#define DIR_OF_ROOT (DIR_ROOT | DIR_NS_ROOT | DIR_GROUP | DIR_NS)

/* The entries of the root's directories with a name of their own, in
 * listing order; the kinds' and groups' directories come before them
 * (root_walk), and the namespaces after ns/'s (ns_list). */
static const struct root_entry {
	const char *name;
	unsigned slot;
	unsigned in;		/* DIR_*: the directories it stands in */
} root_entries[] = {
	{ "limits", ROOT_FILE_LIMITS, DIR_ROOT | DIR_NS_ROOT },
	{ "summary", ROOT_FILE_SUMMARY, DIR_ROOT | DIR_NS_ROOT },
	{ "metrics", ROOT_FILE_METRICS, DIR_ROOT | DIR_NS_ROOT },
	{ "ns", ROOT_SLOT_NSDIR, DIR_ROOT },
	{ "processes", ROOT_SLOT_PROCESSES, DIR_NS_ROOT },
	{ "info", ROOT_SLOT_NSINFO, DIR_NS_ROOT },
	{ "self", ROOT_SLOT_NSSELF, DIR_NS },
	{ "metrics", ROOT_SLOT_NSMETRICS, DIR_NS },
};

/* The entries of a kind's directory before its objects, in listing
 * order; kind_entry_name says what the kind calls each (NULL: it has
 * none). */
static const unsigned kind_entries[] = { NODE_SLOT_ALIASDIR, NODE_SLOT_NEW };

static const char *kind_entry_name(const struct ipcfs_backend *be, unsigned slot)
{
	if (slot == NODE_SLOT_ALIASDIR)
		return be->alias_dir;
	return be->parse_new ? "new" : NULL;
}

static struct row *rows[IPCFS_KINDS_MAX + 1];
static unsigned nrows[IPCFS_KINDS_MAX + 1];
static time_t started;

static const struct ipcfs_file info_file = {
	.name = "info",
	.mode = S_IFREG | 0444,
};

void tree_init(void)
{
	started = time(NULL);
	for (unsigned k = 1; k <= ipcfs_nkinds(); k++) {
		const struct ipcfs_backend *be = ipcfs_backend_of(k);
		GArray *a;

		if (!be)
			continue;
		a = g_array_new(FALSE, TRUE, sizeof(struct row));
		for (size_t i = 0; i < be->nfiles; i++) {
			struct row r = { .f = be->files[i] };

			g_array_append_val(a, r);
		}
		{
			struct row r = { .f = info_file, .info = true };

			g_array_append_val(a, r);
		}
		for (const struct ipcfs_field *f = be->fields; f && f->name; f++) {
			struct row r = {
				.f = { .name = f->name,
				       .mode = S_IFREG | (f->write ? 0644 : 0444) },
				.field = f,
			};

			g_array_append_val(a, r);
		}
		/* The links of the consuming rows (tree.h), after all the
		 * others, so that those keep their slots and inode numbers. */
		for (size_t i = 0; i < be->nfiles; i++) {
			const struct ipcfs_file *f = &be->files[i];
			struct row r = { .target = (unsigned)i + 1 };

			if (!(f->flags & IPCFS_FILE_CONSUMES) || (f->flags & IPCFS_FILE_DIR))
				continue;
			r.f = (struct ipcfs_file){ .name = f->name, .parent = f->parent,
						   .mode = S_IFLNK | 0777,
						   .flags = f->flags & IPCFS_FILE_INDEXED,
						   .count = f->count, .lookup = f->lookup, .list = f->list };
			g_array_append_val(a, r);
			g_array_index(a, struct row, i).links = a->len;
		}
		g_assert(a->len < NODE_SLOT_LINK);
		g_free(rows[k]);	/* (again after ipcfs_registry_set) */
		nrows[k] = a->len;
		rows[k] = (struct row *)(void *)g_array_free(a, FALSE);
	}
}

const struct row *tree_row(unsigned kind, unsigned slot)
{
	if (kind > ipcfs_nkinds() || slot < 1 || slot > nrows[kind])
		return NULL;
	return &rows[kind][slot - 1];
}

static void stat_dir(struct stat *st, mode_t mode)
{
	st->st_mode = S_IFDIR | mode;
	st->st_nlink = 2;
	st->st_uid = getuid();
	st->st_gid = getgid();
	st->st_atime = st->st_mtime = st->st_ctime = started;
}

/* Fill the common part of a stat for an object directory of namespace
 * index ns. */
static void stat_object(const struct ipcfs_backend *be, const struct ipcfs_obj *o, bool alias,
			unsigned ns, struct stat *st)
{
	struct node n = { .kind = ipcfs_kind_of(be), .alias = alias, .slot = NODE_SLOT_OBJECT,
			  .id = (uint32_t)o->id, .ns = ns };

	memset(st, 0, sizeof(*st));
	st->st_ino = node_encode(&n);
	st->st_mode = S_IFDIR | (o->mode & 0777);
	st->st_nlink = 2;
	st->st_uid = (uid_t)o->uid;
	st->st_gid = (gid_t)o->gid;
	st->st_atime = o->dir_atime;
	st->st_mtime = o->dir_mtime;
	st->st_ctime = o->dir_ctime;
	st->st_blksize = 4096;
}

/* A link in the alias directory: ../<the object's name>. */
static void stat_link(const struct ipcfs_backend *be, const struct ipcfs_obj *o, unsigned ns,
		      struct stat *st)
{
	struct node n = { .kind = ipcfs_kind_of(be), .slot = NODE_SLOT_LINK,
			  .id = (uint32_t)o->id, .ns = ns };
	char name[IPCFS_NAME_MAX];

	stat_object(be, o, false, ns, st);
	be->objname(be, o, name, sizeof(name));
	st->st_ino = node_encode(&n);
	st->st_mode = S_IFLNK | 0777;
	st->st_nlink = 1;
	st->st_size = 3 + (off_t)strlen(name);
}

/* The name entry `sub` of a row is listed under: the row's own, or the
 * decimal of sub (rows of many entries: ipcfs.h, IPCFS_FILE_CONSUMES). */
static void entry_name(const struct row *r, uint64_t sub, char *buf, size_t size)
{
	if (r->f.name)
		g_strlcpy(buf, r->f.name, size);
	else
		snprintf(buf, size, "%" G_GUINT64_FORMAT, sub);
}

/* Attributes of a row entry inside an object. */
static int stat_row(const struct node *n, const struct row *r, const struct ipcfs_obj *o,
		    struct stat *st)
{
	char name[IPCFS_NAME_MAX];
	uint64_t sub = 0;

	stat_object(ipcfs_backend_of(n->kind), o, n->alias, n->ns, st);
	st->st_mode = r->f.mode;
	st->st_nlink = S_ISDIR(r->f.mode) ? 2 : 1;
	st->st_size = 0;
	if (!node_sub_value(n, &sub))
		return -ENOENT;
	st->st_ino = node_display_ino(n, sub);
	if (r->target) {
		/* A link to a consuming row's entry: ".NAME", owned and
		 * timed as the object. */
		entry_name(r, sub, name, sizeof(name));
		st->st_size = 1 + (off_t)strlen(name);
		return 0;
	}
	if (r->f.link) {
		int e = r->f.link(o, sub, name, sizeof(name));

		if (e)
			return e;
		st->st_size = (off_t)strlen(name);
		return 0;
	}
	if (r->f.getattr)
		return r->f.getattr(o, sub, st);
	return 0;
}

/* The group a node of the root's kind is the directory of, or -1. */
static int group_of(const struct node *n)
{
	if (n->kind != NODE_ROOT || n->id != 0 || n->slot < ROOT_SLOT_GROUP ||
	    n->slot - ROOT_SLOT_GROUP >= ipcfs_ngroups())
		return -1;
	return (int)(n->slot - ROOT_SLOT_GROUP);
}

/* Is kind k's directory in directory `dir` (the root or a group's)? */
static bool kind_in(unsigned k, const struct node *dir)
{
	const struct ipcfs_backend *be = ipcfs_backend_of(k);
	int g = group_of(dir);

	if (!be)
		return false;
	if (g < 0)
		return !be->group;
	return be->group && !strcmp(be->group, ipcfs_group_name((unsigned)g));
}

/* Entries of the root (or a group's directory) that are directories. */
static unsigned top_dirs(const struct node *dir)
{
	unsigned n = group_of(dir) < 0 ? ipcfs_ngroups() : 0;

	for (unsigned k = 1; k <= ipcfs_nkinds(); k++)
		n += kind_in(k, dir);
	return n;
}

/* What directory n is: a DIR_* value, -ENOENT (no such kind) or -ENOTDIR. */
static int dir_type(const struct node *n)
{
	const struct ipcfs_backend *be;
	const struct row *r;

	if (n->kind == NODE_ROOT) {
		if (tree_is_root(n))
			return n->ns ? DIR_NS_ROOT : DIR_ROOT;
		if (group_of(n) >= 0)
			return DIR_GROUP;
		if (tree_is_top_slot(n, ROOT_SLOT_NSDIR))
			return DIR_NS;
		return -ENOTDIR;
	}
	be = ipcfs_backend_of(n->kind);
	if (!be)
		return -ENOENT;
	switch (n->slot) {
	case NODE_SLOT_KINDDIR:
		return DIR_KIND;
	case NODE_SLOT_ALIASDIR:
		return be->alias_dir ? DIR_ALIAS : -ENOENT;
	case NODE_SLOT_NEW:
	case NODE_SLOT_LINK:
		return -ENOTDIR;
	case NODE_SLOT_OBJECT:
		return DIR_OBJECT;
	}
	r = tree_row(n->kind, n->slot);
	return r && (r->f.flags & IPCFS_FILE_DIR) ? DIR_OBJECT : -ENOTDIR;
}

/* Called by root_walk with each entry; true stops the walk. */
typedef bool (*root_fn)(void *ctx, const char *name, const struct node *child);

/* Walk the entries of `dir`, a directory of the root's kind of type
 * `type`, in listing order: the kinds' directories, the groups', then
 * root_entries.  True when fn stopped it. */
static bool root_walk(const struct node *dir, int type, root_fn fn, void *ctx)
{
	struct node child = { .kind = NODE_ROOT, .ns = dir->ns };
	bool top = type & (DIR_ROOT | DIR_NS_ROOT);

	if (top || type == DIR_GROUP) {
		for (unsigned k = 1; k <= ipcfs_nkinds(); k++) {
			struct node kd = { .kind = k, .slot = NODE_SLOT_KINDDIR, .ns = dir->ns };

			if (kind_in(k, dir) && fn(ctx, ipcfs_backend_of(k)->name, &kd))
				return true;
		}
	}
	for (unsigned g = 0; top && g < ipcfs_ngroups(); g++) {
		child.slot = ROOT_SLOT_GROUP + g;
		if (fn(ctx, ipcfs_group_name(g), &child))
			return true;
	}
	for (size_t i = 0; i < G_N_ELEMENTS(root_entries); i++) {
		if (!(root_entries[i].in & (unsigned)type))
			continue;
		child.slot = root_entries[i].slot;
		if (fn(ctx, root_entries[i].name, &child))
			return true;
	}
	return false;
}

int tree_getattr(const struct node *n, struct ipcfs_cred *c, struct stat *st,
		 struct ipcfs_obj *obj)
{
	const struct ipcfs_backend *be;
	struct ipcfs_obj o;
	int r;

	memset(st, 0, sizeof(*st));
	st->st_ino = node_encode(n);
	if (n->kind == NODE_ROOT) {
		int type = dir_type(n);

		if (type > 0) {
			stat_dir(st, 0555);
			/* the top level has ns/ too */
			if (type != DIR_NS)
				st->st_nlink = 2 + top_dirs(n) + (type == DIR_ROOT);
			return 0;
		}
		if (tree_is_root_file(n)) {
			stat_dir(st, 0444);
			st->st_mode = S_IFREG | 0444;
			st->st_nlink = 1;
			return 0;
		}
		if (tree_is_top_slot(n, ROOT_SLOT_NSSELF)) {
			stat_dir(st, 0777);
			st->st_mode = S_IFLNK | 0777;
			st->st_nlink = 1;
			st->st_size = snprintf(NULL, 0, "%" G_GUINT64_FORMAT, ns_self_ino());
			return 0;
		}
		return -ENOENT;
	}
	be = ipcfs_backend_of(n->kind);
	if (!be)
		return -ENOENT;
	switch (n->slot) {
	case NODE_SLOT_KINDDIR:
		/* Anyone may create IPC objects, only owners remove them: /tmp. */
		stat_dir(st, 01777);
		return 0;
	case NODE_SLOT_ALIASDIR:
		if (!be->alias_dir)
			return -ENOENT;
		stat_dir(st, 0555);
		return 0;
	case NODE_SLOT_NEW:
		if (!be->parse_new)
			return -ENOENT;
		stat_dir(st, 0666);
		st->st_mode = S_IFREG | 0666;
		st->st_nlink = 1;
		return 0;
	case NODE_SLOT_LINK:
		r = be->stat(be, c, n->id, &o);
		if (r)
			return r;
		stat_link(be, &o, n->ns, st);
		return 0;
	}
	r = be->stat(be, c, n->id, &o);
	if (r)
		return r;
	if (obj)
		*obj = o;
	if (n->slot == NODE_SLOT_OBJECT) {
		stat_object(be, &o, n->alias, n->ns, st);
		return 0;
	}
	{
		const struct row *row = tree_row(n->kind, n->slot);

		if (!row)
			return -ENOENT;
		return stat_row(n, row, &o, st);
	}
}

int tree_link_target(const struct node *n, struct ipcfs_cred *c, char *buf, size_t size)
{
	const struct ipcfs_backend *be = ipcfs_backend_of(n->kind);
	const struct row *row = tree_row(n->kind, n->slot);
	char name[IPCFS_NAME_MAX];
	struct ipcfs_obj o;
	struct stat st;
	uint64_t sub;
	int r;

	if (be && row && row->target) {
		r = tree_getattr(n, c, &st, NULL);
		if (r)
			return r;
		if (!node_sub_value(n, &sub))
			return -ENOENT;
		entry_name(row, sub, name, sizeof(name));
		snprintf(buf, size, "%c%s", TREE_HIDDEN_PREFIX, name);
		return 0;
	}
	if (be && row && row->f.link) {
		r = tree_getattr(n, c, &st, &o);
		if (r)
			return r;
		if (!node_sub_value(n, &sub))
			return -ENOENT;
		return row->f.link(&o, sub, buf, size);
	}
	if (!be || n->slot != NODE_SLOT_LINK)
		return -EINVAL;
	r = be->stat(be, c, n->id, &o);
	if (r)
		return r;
	be->objname(be, &o, name, sizeof(name));
	snprintf(buf, size, "../%s", name);
	return 0;
}

/* Which entry of row r (of object o) does `name` name?  0 and *sub, or
 * -ENOENT. */
static int match_row(const struct row *r, const struct ipcfs_obj *o, const char *name,
		     uint64_t *sub)
{
	if (r->f.name)
		return strcmp(r->f.name, name) ? -ENOENT : (*sub = 0, 0);
	if (r->f.flags & IPCFS_FILE_INDEXED) {
		int idx;

		if (parse_id(name, &idx) || (uint64_t)idx >= r->f.count(o))
			return -ENOENT;
		*sub = (uint64_t)idx;
		return 0;
	}
	if (r->f.lookup)
		return r->f.lookup(o, name, sub);
	return -ENOENT;
}

/* root_walk's callback for lookup: the entry named ctx->name. */
struct root_find {
	const char *name;
	struct node *child;
};

static bool root_find(void *p, const char *name, const struct node *n)
{
	struct root_find *f = p;

	if (strcmp(name, f->name))
		return false;
	*f->child = *n;
	return true;
}

/* Resolve `name` in a directory of the root's kind. */
static int lookup_root(const struct node *dir, int type, const char *name,
		       struct ipcfs_cred *c, struct node *child, struct stat *st)
{
	struct root_find f = { .name = name, .child = child };
	unsigned idx;
	int r;

	if (root_walk(dir, type, root_find, &f))
		return tree_getattr(child, c, st, NULL);
	if (type != DIR_NS)
		return -ENOENT;
	r = ns_lookup(c, name, &idx);
	if (r)
		return r;
	child->ns = idx;
	child->id = 1;
	return tree_getattr(child, c, st, NULL);
}

/* Resolve `name` in a kind's directory or its directory of second names. */
static int lookup_kind(const struct node *dir, int type, const char *name,
		       struct ipcfs_cred *c, struct node *child, struct stat *st)
{
	const struct ipcfs_backend *be = ipcfs_backend_of(dir->kind);
	ipcfs_id id;
	bool alias;
	int r;

	for (size_t i = 0; i < G_N_ELEMENTS(kind_entries) && type == DIR_KIND; i++) {
		const char *kn = kind_entry_name(be, kind_entries[i]);

		if (kn && !strcmp(name, kn)) {
			child->slot = kind_entries[i];
			return tree_getattr(child, c, st, NULL);
		}
	}
	r = be->resolve(be, c, name, &id, &alias);
	if (r)
		return r;
	if (type == DIR_KIND) {
		child->slot = NODE_SLOT_OBJECT;
		child->alias = alias;
	} else if (alias) {
		child->slot = NODE_SLOT_LINK;
	} else {
		return -ENOENT;	/* only second names are listed here */
	}
	child->id = id;
	return tree_getattr(child, c, st, NULL);
}

/*
 * The rows of an object directory (or subdirectory), one per call: *s is
 * the slot of the last one given (0 to begin); NULL after the last.  The
 * object's own state comes first, in *o, from the backend's stat for the
 * caller: *s == 0 gives its -errno in *r and NULL.
 */
static const struct row *next_row(const struct node *dir, struct ipcfs_cred *c,
				  struct ipcfs_obj *o, unsigned *s, int *r)
{
	if (!*s) {
		const struct ipcfs_backend *be = ipcfs_backend_of(dir->kind);

		*r = be->stat(be, c, dir->id, o);
		if (*r)
			return NULL;
	}
	while (++*s <= nrows[dir->kind]) {
		const struct row *row = &rows[dir->kind][*s - 1];

		if (row->f.parent == dir->slot)
			return row;
	}
	return NULL;
}

/* Resolve `name` in an object directory or one of its subdirectories. */
static int lookup_object(const struct node *dir, const char *name, struct ipcfs_cred *c,
			 struct node *child, struct stat *st)
{
	const struct row *row;
	struct ipcfs_obj o;
	unsigned s = 0;
	int r = 0;

	while ((row = next_row(dir, c, &o, &s, &r))) {
		const char *as = name;
		uint64_t sub;

		/* A consuming row answers to the names its links point to. */
		if (row->links && *as++ != TREE_HIDDEN_PREFIX)
			continue;
		if (match_row(row, &o, as, &sub))
			continue;
		child->alias = dir->alias;
		child->slot = s;
		child->id = dir->id;
		/* A new node is the looking-up person's (their share of the
		 * table, fs/node.h); who that is is read only when one may be
		 * made. */
		if (row->f.flags & IPCFS_FILE_OWN_INODE)
			child->sub = node_sub_fresh(child, sub, c->pid, quota_person_of(c->pid, c->uid));
		else
			child->sub = node_sub_get(child, sub, sub > NODE_SUB_DIRECT_MAX ?
						  quota_person_of(c->pid, c->uid) : NODE_UID_NONE);
		if (child->sub == UINT32_MAX)
			return -ENOSPC;
		node_sub_name(child, node_encode(dir), name);
		return stat_row(child, row, &o, st);
	}
	return r ? r : -ENOENT;
}

int tree_lookup(const struct node *dir, const char *name, struct ipcfs_cred *c,
		struct node *child, struct stat *st)
{
	int type = dir_type(dir);

	memset(child, 0, sizeof(*child));
	child->ns = dir->ns;
	if (type < 0)
		return type;
	if (type & DIR_OF_ROOT)
		return lookup_root(dir, type, name, c, child, st);
	child->kind = dir->kind;
	if (type & (DIR_KIND | DIR_ALIAS))
		return lookup_kind(dir, type, name, c, child, st);
	return lookup_object(dir, name, c, child, st);
}

bool tree_name_by_rule(const struct node *dir, const char *name)
{
	const struct row *r;
	int n;

	if (dir_type(dir) != DIR_OBJECT)
		return false;
	if (dir->slot != NODE_SLOT_OBJECT)
		return true;	/* a directory row: type/, prio/ */
	if (parse_id(name, &n))
		return false;
	for (unsigned s = 1; (r = tree_row(dir->kind, s)); s++)
		if (!r->f.parent && (r->f.flags & IPCFS_FILE_INDEXED))
			return true;
	return false;
}

struct list_ctx {
	tree_fill_fn fill;
	void *ctx;
	struct node dir;
	struct node n;
	const struct row *row;
	const struct ipcfs_obj *o;
};

static void fill_dynamic(void *p, const char *name, uint64_t sub)
{
	struct list_ctx *lc = p;
	struct node n = lc->n;
	struct stat st;

	/* Names with inodes of their own are listed without one (the kernel
	 * looks each up when used); others may hand theirs to readdirplus. */
	if (lc->row->f.flags & IPCFS_FILE_OWN_INODE) {
		n.sub = (uint32_t)(sub & NODE_SUB_DIRECT_MAX);
		if (stat_row(&n, lc->row, lc->o, &st))
			return;
		st.st_ino = node_display_ino(&n, sub);
		lc->fill(lc->ctx, name, NULL, &st);
		return;
	}
	n.sub = node_sub_get(&n, sub, NODE_UID_NONE);	/* as many as the object holds */
	if (n.sub == UINT32_MAX || stat_row(&n, lc->row, lc->o, &st))
		return;
	node_sub_name(&n, node_encode(&lc->dir), name);
	lc->fill(lc->ctx, name, &n, &st);
}

/* Listing a directory of the root's kind. */
struct root_fill {
	tree_fill_fn fill;
	void *ctx;
	struct ipcfs_cred *c;
};

static bool root_fill(void *p, const char *name, const struct node *n)
{
	struct root_fill *rf = p;
	struct stat st;

	tree_getattr(n, rf->c, &st, NULL);
	rf->fill(rf->ctx, name, n, &st);
	return false;
}

static void ns_fill(void *p, const char *name, unsigned idx)
{
	struct root_fill *rf = p;
	struct node n = { .kind = NODE_ROOT, .id = 1, .ns = idx };
	struct stat st;

	if (!tree_getattr(&n, rf->c, &st, NULL))
		rf->fill(rf->ctx, name, NULL, &st);
}

/* List a kind's directory or its directory of second names. */
static int list_kind(const struct node *dir, int type, struct ipcfs_cred *c,
		     tree_fill_fn fill, void *ctx)
{
	const struct ipcfs_backend *be = ipcfs_backend_of(dir->kind);
	g_autoptr(GArray) objs = g_array_new(FALSE, FALSE, sizeof(struct ipcfs_obj));
	struct node child = { .kind = dir->kind, .ns = dir->ns };
	char name[IPCFS_NAME_MAX];
	struct stat st;
	int r;

	for (size_t i = 0; i < G_N_ELEMENTS(kind_entries) && type == DIR_KIND; i++) {
		const char *kn = kind_entry_name(be, kind_entries[i]);

		if (!kn)
			continue;
		child.slot = kind_entries[i];
		tree_getattr(&child, c, &st, NULL);
		fill(ctx, kn, &child, &st);
	}
	r = be->list(be, c, objs);
	if (r)
		return r;
	for (guint i = 0; i < objs->len; i++) {
		const struct ipcfs_obj *po = &g_array_index(objs, struct ipcfs_obj, i);

		if (type == DIR_KIND) {
			stat_object(be, po, false, dir->ns, &st);
			be->objname(be, po, name, sizeof(name));
		} else {
			if (!be->alias(be, po, name, sizeof(name)))
				continue;
			stat_link(be, po, dir->ns, &st);
		}
		node_decode(st.st_ino, &child);
		fill(ctx, name, &child, &st);
	}
	return 0;
}

/* List an object directory or one of its subdirectories. */
static int list_object(const struct node *dir, struct ipcfs_cred *c, tree_fill_fn fill,
		       void *ctx)
{
	const struct row *row;
	struct ipcfs_obj o;
	unsigned s = 0;
	int r = 0;

	while ((row = next_row(dir, c, &o, &s, &r))) {
		struct list_ctx lc = { .fill = fill, .ctx = ctx, .dir = *dir, .o = &o };
		unsigned slot = s;

		if (row->target)
			continue;
		/* A consuming row is listed as its links, in its place. */
		if (row->links) {
			slot = row->links;
			row = &rows[dir->kind][slot - 1];
		}
		lc.row = row;
		lc.n = (struct node){ .kind = dir->kind, .alias = dir->alias, .slot = slot,
				      .id = dir->id, .ns = dir->ns };
		if (row->f.name) {
			fill_dynamic(&lc, row->f.name, 0);
		} else if (row->f.flags & IPCFS_FILE_INDEXED) {
			uint64_t count = row->f.count(&o);
			char name[24];

			for (uint64_t i = 0; i < count; i++) {
				snprintf(name, sizeof(name), "%" G_GUINT64_FORMAT, i);
				fill_dynamic(&lc, name, i);
			}
		} else if (row->f.list) {
			row->f.list(&o, fill_dynamic, &lc);
		}
	}
	return r;
}

int tree_list(const struct node *dir, struct ipcfs_cred *c, tree_fill_fn fill, void *ctx)
{
	int type = dir_type(dir);

	if (type < 0)
		return type;
	if (type & DIR_OF_ROOT) {
		struct root_fill rf = { .fill = fill, .ctx = ctx, .c = c };

		root_walk(dir, type, root_fill, &rf);
		/* Namespaces are listed without a node: a name's node (and the
		 * kernel's reference on its index) comes from its lookup. */
		if (type == DIR_NS)
			ns_list(c, ns_fill, &rf);
		return 0;
	}
	if (type & (DIR_KIND | DIR_ALIAS))
		return list_kind(dir, type, c, fill, ctx);
	return list_object(dir, c, fill, ctx);
}
