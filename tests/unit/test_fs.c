// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_fs.c - fs/ driven against fake kinds: no kernel IPC, no FUSE.
 *
 * Two toy kinds, one at the top and one in a group directory, each a
 * struct ipcfs_backend over a small table of named objects (one with a
 * second name).  What fs/ builds from them (the tree's names and nodes,
 * stat, links, metrics) must follow from what they declare alone: that is
 * the contract that lets a kind be one file in backends/.
 */
#include "ipcfs.h"
#include "node.h"
#include "tree.h"
#include "util.h"

#include <errno.h>
#include <string.h>

void fs_tests(void);

struct toy {
	int id;
	const char *name, *alias;
	int64_t size;
	uid_t uid;
	mode_t mode;
};

static const struct toy toys[] = {
	{ 3, "alpha", NULL, 10, 0, 0640 },
	{ 7, "beta", "b", 20, 1000, 0600 },
};

struct toy_nums {
	int64_t size;
};

static const struct toy *toy_by_id(int id)
{
	for (size_t i = 0; i < G_N_ELEMENTS(toys); i++)
		if (toys[i].id == id)
			return &toys[i];
	return NULL;
}

static void toy_fill(const struct toy *t, struct ipcfs_obj *o)
{
	memset(o, 0, sizeof(*o));
	o->id = t->id;
	o->uid = o->cuid = t->uid;
	o->mode = t->mode;
	o->dir_atime = o->dir_mtime = o->dir_ctime = 1000 + t->id;
	IPCFS_NUMS(struct toy_nums, o)->size = t->size;
}

/* A kind with `data` set shows an object only to its owner and root, as
 * a kind whose objects come from a scan of /proc shows a caller what it
 * may read of their holders (pipes/, unix/): list, stat and resolve
 * agree, and fs/ asks each for the caller. */
static bool toy_visible(const struct ipcfs_backend *be, const struct ipcfs_cred *c,
			const struct toy *t)
{
	return !be->data || !c || c->uid == 0 || c->uid == t->uid;
}

static int toy_list(const struct ipcfs_backend *be, struct ipcfs_cred *c, GArray *out)
{
	struct ipcfs_obj o;

	for (size_t i = 0; i < G_N_ELEMENTS(toys); i++) {
		if (!toy_visible(be, c, &toys[i]))
			continue;
		toy_fill(&toys[i], &o);
		g_array_append_val(out, o);
	}
	return 0;
}

static int toy_stat(const struct ipcfs_backend *be, struct ipcfs_cred *c, ipcfs_id id,
		    struct ipcfs_obj *out)
{
	const struct toy *t = toy_by_id((int)id);

	if (!t || !toy_visible(be, c, t))
		return -ENOENT;
	toy_fill(t, out);
	return 0;
}

static int toy_resolve(const struct ipcfs_backend *be, struct ipcfs_cred *c, const char *name,
		       ipcfs_id *id, bool *alias)
{
	for (size_t i = 0; i < G_N_ELEMENTS(toys); i++) {
		if (!toy_visible(be, c, &toys[i]))
			continue;
		if (!strcmp(toys[i].name, name) || (toys[i].alias && !strcmp(toys[i].alias, name))) {
			*id = (ipcfs_id)toys[i].id;
			*alias = strcmp(toys[i].name, name) != 0;
			return 0;
		}
	}
	return -ENOENT;
}

static void toy_objname(const struct ipcfs_backend *be, const struct ipcfs_obj *o, char *buf,
			size_t size)
{
	(void)be;
	g_strlcpy(buf, toy_by_id((int)o->id)->name, size);
}

static bool toy_alias(const struct ipcfs_backend *be, const struct ipcfs_obj *o, char *buf,
		      size_t size)
{
	const struct toy *t = toy_by_id((int)o->id);

	(void)be;
	if (!t->alias)
		return false;
	g_strlcpy(buf, t->alias, size);
	return true;
}

static void toy_labels(const struct ipcfs_backend *be, const struct ipcfs_obj *o, GString *out)
{
	(void)be;
	g_string_append_printf(out, "name=\"%s\"", toy_by_id((int)o->id)->name);
}

static bool toy_same(const struct ipcfs_backend *be, const struct ipcfs_obj *was,
		     const struct ipcfs_obj *now)
{
	(void)be;
	return was->id == now->id;
}

/* The owner may do anything, others what the "other" bits say. */
static int toy_access(const struct ipcfs_backend *be, struct ipcfs_cred *c,
		      const struct ipcfs_obj *o, int want)
{
	(void)be;
	if ((int64_t)c->uid == o->uid || !(want & ~o->mode & 07))
		return 0;
	return -EACCES;
}

static int toy_owner(const struct ipcfs_backend *be, struct ipcfs_cred *c,
		     const struct ipcfs_obj *o)
{
	(void)be;
	return (int64_t)c->uid == o->uid ? 0 : -EPERM;
}

static int toy_hello(const struct ipcfs_obj *o, uint64_t sub, struct ipcfs_cred *reader,
		     GString *out)
{
	(void)sub, (void)reader;
	g_string_append_printf(out, "hi %s\n", toy_by_id((int)o->id)->name);
	return 0;
}

/* Files whose reading takes something (a queue's): one by name, and a
 * subdirectory of numbered ones. */
static int toy_take_read(struct ipcfs_call *call, struct ipcfs_fh *fh, size_t size, off_t off,
			 struct ipcfs_result *res)
{
	(void)call, (void)fh, (void)size, (void)off, (void)res;
	return 0;
}

static int toy_num_lookup(const struct ipcfs_obj *o, const char *name, uint64_t *sub)
{
	int n;

	(void)o;
	if (parse_id(name, &n) || n < 1 || n > 5000)
		return -ENOENT;
	*sub = (uint64_t)n;
	return 0;
}

static int toy_num_list(const struct ipcfs_obj *o, ipcfs_fill_fn fill, void *ctx)
{
	(void)o;
	fill(ctx, "2", 2);
	fill(ctx, "4097", 4097);
	return 0;
}

/* A symlink row: beta's partner is alpha; alpha has none. */
static int toy_partner(const struct ipcfs_obj *o, uint64_t sub, char *buf, size_t size)
{
	(void)sub;
	if (o->id != 7)
		return -ENOENT;
	snprintf(buf, size, "../alpha");
	return 0;
}

static const struct ipcfs_file toy_files[] = {
	{ .name = "hello", .mode = S_IFREG | 0444, .need_read = IPCFS_R, .text = toy_hello },
	{ .name = "take", .mode = S_IFREG | 0600, .flags = IPCFS_FILE_CONSUMES, .need_read = IPCFS_R,
	  .read = toy_take_read },
	{ .name = "nums", .mode = S_IFDIR | 0555, .flags = IPCFS_FILE_DIR },
	{ .parent = 3, .mode = S_IFREG | 0600, .flags = IPCFS_FILE_CONSUMES | IPCFS_FILE_OWN_INODE,
	  .need_read = IPCFS_R, .lookup = toy_num_lookup, .list = toy_num_list,
	  .read = toy_take_read },
	{ .name = "partner", .mode = S_IFLNK | 0777, .link = toy_partner },
};

static const struct ipcfs_field toy_fields[] = {
	IPCFS_FIELD_NUM("size", struct toy_nums, size, IPCFS_FMT_DEC, "Bytes."),
	IPCFS_FIELD("mode", mode, IPCFS_FMT_MODE, NULL),
	{ 0 },
};

#define TOY_METHODS \
	.list = toy_list, .stat = toy_stat, .resolve = toy_resolve, .objname = toy_objname, \
	.alias_dir = "aliases", .alias = toy_alias, .labels = toy_labels, .same = toy_same, \
	.access = toy_access, .owner = toy_owner, .fields = toy_fields, .files = toy_files, \
	.nfiles = G_N_ELEMENTS(toy_files)

static const struct ipcfs_backend toy_backend = { .name = "toy", TOY_METHODS };
static const bool per_caller = true;
static const struct ipcfs_backend toy2_backend = { .name = "toy2", .group = "play",
						   .data = &per_caller, TOY_METHODS };
static const struct ipcfs_backend *const toy_kinds[] = { &toy_backend, &toy2_backend, NULL };

/* ---- helpers ---- */

static void collect(void *ctx, const char *name, const struct node *n, const struct stat *st)
{
	(void)n, (void)st;
	g_string_append_printf(ctx, "%s ", name);
}

static char *listing_for(const struct node *dir, struct ipcfs_cred *c)
{
	GString *s = g_string_new(NULL);

	g_assert_cmpint(tree_list(dir, c, collect, s), ==, 0);
	return g_string_free(s, FALSE);
}

static char *listing(const struct node *dir)
{
	return listing_for(dir, NULL);
}

/* Who looks names up: root, as thread 1. */
static struct ipcfs_cred looker = { .uid = 0, .pid = 1 };

static int lookup(const struct node *dir, const char *name, struct node *child, struct stat *st)
{
	return tree_lookup(dir, name, &looker, child, st);
}

static void lookup_ok(const struct node *dir, const char *name, struct node *child,
		      struct stat *st)
{
	g_assert_cmpint(lookup(dir, name, child, st), ==, 0);
}

static const struct node root = { .kind = NODE_ROOT, .id = 1 };

static void with_toys(void)
{
	ipcfs_registry_set(toy_kinds);
	tree_init();
}

static void without_toys(void)
{
	ipcfs_registry_set(NULL);
	tree_init();
}

/* ---- cases ---- */

static void root_lists_kinds_groups_and_files(void)
{
	g_autofree char *l = NULL;
	struct node play, toy2;
	struct stat st;

	with_toys();
	l = listing(&root);
	g_assert_cmpstr(l, ==, "toy play limits summary metrics ns ");
	lookup_ok(&root, "play", &play, &st);
	g_assert_true(S_ISDIR(st.st_mode));
	g_free(l);
	l = listing(&play);
	g_assert_cmpstr(l, ==, "toy2 ");
	lookup_ok(&play, "toy2", &toy2, &st);
	g_assert_cmpuint(toy2.kind, ==, 2);
	g_assert_cmpint(lookup(&play, "toy", &toy2, &st), ==, -ENOENT);
	g_assert_cmpint(lookup(&root, "toy2", &toy2, &st), ==, -ENOENT);
	g_assert_cmpstr(ipcfs_kind_path(&toy2_backend), ==, "play/toy2");
	g_assert_cmpstr(ipcfs_kind_family(&toy2_backend), ==, "play_toy2");
	without_toys();
}

struct listed {
	GString *names;
	GArray *entries;	/* struct listed_entry */
};
struct listed_entry {
	char name[64];
	uint64_t ino;
	mode_t mode;
};

static void collect_entries(void *ctx, const char *name, const struct node *n,
			    const struct stat *st)
{
	struct listed *l = ctx;
	struct listed_entry e = { .ino = st->st_ino, .mode = st->st_mode };

	g_assert_nonnull(n);
	g_assert_cmpuint(node_encode(n), ==, st->st_ino);
	g_strlcpy(e.name, name, sizeof(e.name));
	g_string_append_printf(l->names, "%s ", name);
	g_array_append_val(l->entries, e);
}

/* Lookup and listing walk one table: every name listed in a directory of
 * the root's kind looks up to the same node with the same attributes, in
 * the root, in a namespace's root and in a group's directory. */
static void root_entries_list_and_look_up_alike(void)
{
	static const struct {
		struct node dir;
		const char *names;
	} dirs[] = {
		{ { .kind = NODE_ROOT, .id = 1 }, "toy play limits summary metrics ns " },
		{ { .kind = NODE_ROOT, .id = 1, .ns = 1 },
		  "toy play limits summary metrics processes info " },
		{ { .kind = NODE_ROOT, .slot = ROOT_SLOT_GROUP, .ns = 1 }, "toy2 " },
	};
	const struct node limits = { .kind = NODE_ROOT, .slot = ROOT_FILE_LIMITS };
	struct node child;
	struct stat st;

	with_toys();
	for (size_t i = 0; i < G_N_ELEMENTS(dirs); i++) {
		struct listed l = { g_string_new(NULL),
				    g_array_new(FALSE, FALSE, sizeof(struct listed_entry)) };

		g_assert_cmpint(tree_list(&dirs[i].dir, NULL, collect_entries, &l), ==, 0);
		g_assert_cmpstr(l.names->str, ==, dirs[i].names);
		for (guint j = 0; j < l.entries->len; j++) {
			const struct listed_entry *e = &g_array_index(l.entries, struct listed_entry, j);

			lookup_ok(&dirs[i].dir, e->name, &child, &st);
			g_assert_cmpuint(node_encode(&child), ==, e->ino);
			g_assert_cmpuint(st.st_ino, ==, e->ino);
			g_assert_cmpuint(st.st_mode, ==, e->mode);
		}
		/* What stands in one of them only is in no other. */
		g_assert_cmpint(lookup(&dirs[i].dir, i == 1 ? "ns" : "processes", &child, &st),
				==, -ENOENT);
		g_string_free(l.names, TRUE);
		g_array_free(l.entries, TRUE);
	}
	g_assert_cmpint(lookup(&limits, "x", &child, &st), ==, -ENOTDIR);
	g_assert_cmpint(tree_list(&limits, NULL, collect, NULL), ==, -ENOTDIR);
	without_toys();
}

static void kind_dir_lists_names_and_the_alias_dir(void)
{
	g_autofree char *l = NULL, *al = NULL;
	struct node kind, aliases;
	struct stat st;

	with_toys();
	lookup_ok(&root, "toy", &kind, &st);
	l = listing(&kind);
	/* No parse_new: no `new` file. */
	g_assert_cmpstr(l, ==, "aliases alpha beta ");
	lookup_ok(&kind, "aliases", &aliases, &st);
	al = listing(&aliases);
	g_assert_cmpstr(al, ==, "b ");
	g_assert_cmpint(lookup(&kind, "new", &aliases, &st), ==, -ENOENT);
	without_toys();
}

static void names_and_second_names_resolve(void)
{
	struct node kind, beta, b, link, aliases;
	struct stat st, st_b;
	char target[64];

	with_toys();
	lookup_ok(&root, "toy", &kind, &st);
	lookup_ok(&kind, "beta", &beta, &st);
	g_assert_cmpuint(beta.id, ==, 7);
	g_assert_false(beta.alias);
	g_assert_cmpuint(st.st_mode, ==, S_IFDIR | 0600);
	g_assert_cmpuint(st.st_uid, ==, 1000);
	g_assert_cmpint(st.st_mtime, ==, 1007);
	lookup_ok(&kind, "b", &b, &st_b);
	g_assert_cmpuint(b.id, ==, 7);
	g_assert_true(b.alias);
	/* One directory under two names would be two inodes to the kernel. */
	g_assert_cmpuint(st.st_ino, !=, st_b.st_ino);
	g_assert_true(node_is_alias_name(st_b.st_ino));
	g_assert_cmpint(lookup(&kind, "gamma", &b, &st), ==, -ENOENT);
	lookup_ok(&kind, "aliases", &aliases, &st);
	lookup_ok(&aliases, "b", &link, &st);
	g_assert_true(S_ISLNK(st.st_mode));
	g_assert_cmpint(tree_link_target(&link, NULL, target, sizeof(target)), ==, 0);
	g_assert_cmpstr(target, ==, "../beta");
	g_assert_cmpint(st.st_size, ==, (off_t)strlen(target));
	/* Only second names are in the alias directory. */
	g_assert_cmpint(lookup(&aliases, "beta", &link, &st), ==, -ENOENT);
	without_toys();
}

static void object_rows_come_from_files_and_fields(void)
{
	g_autofree char *l = NULL;
	struct node kind, alpha, size;
	struct ipcfs_obj o;
	struct stat st;

	with_toys();
	lookup_ok(&root, "toy", &kind, &st);
	lookup_ok(&kind, "alpha", &alpha, &st);
	l = listing(&alpha);
	g_assert_cmpstr(l, ==, "hello take nums info size mode ");	/* (no partner) */
	lookup_ok(&alpha, "size", &size, &st);
	g_assert_cmpuint(st.st_mode, ==, S_IFREG | 0444);
	g_assert_cmpint(tree_getattr(&size, NULL, &st, &o), ==, 0);
	g_assert_cmpint(IPCFS_NUMS(struct toy_nums, &o)->size, ==, 10);
	g_assert_cmpint(lookup(&alpha, "nope", &size, &st), ==, -ENOENT);
	without_toys();
}

/* A symlink row points where its kind says, and is not there while it
 * points nowhere: not listed, not found, not opened. */
static void link_rows_are_there_while_they_point(void)
{
	g_autofree char *la = NULL, *lb = NULL;
	struct node kind, alpha, beta, partner;
	struct stat st;
	char target[64];

	with_toys();
	lookup_ok(&root, "toy", &kind, &st);
	lookup_ok(&kind, "alpha", &alpha, &st);
	lookup_ok(&kind, "beta", &beta, &st);
	la = listing(&alpha);
	lb = listing(&beta);
	g_assert_null(strstr(la, "partner"));
	g_assert_nonnull(strstr(lb, "partner "));
	g_assert_cmpint(lookup(&alpha, "partner", &partner, &st), ==, -ENOENT);
	lookup_ok(&beta, "partner", &partner, &st);
	g_assert_cmpuint(st.st_mode, ==, S_IFLNK | 0777);
	g_assert_cmpint(st.st_size, ==, 8);
	g_assert_cmpint(tree_link_target(&partner, NULL, target, sizeof(target)), ==, 0);
	g_assert_cmpstr(target, ==, "../alpha");
	without_toys();
}

/* A file whose reading takes something is listed as a symlink to a name
 * no listing shows (walkers take nothing); lookup finds both. */
static void consuming_rows_are_listed_as_links(void)
{
	g_autofree char *l = NULL;
	struct node kind, alpha, take, hidden, nums, two, big;
	struct stat st;
	char target[64];

	with_toys();
	lookup_ok(&root, "toy", &kind, &st);
	lookup_ok(&kind, "alpha", &alpha, &st);
	lookup_ok(&alpha, "take", &take, &st);
	g_assert_true(S_ISLNK(st.st_mode));
	g_assert_cmpint(tree_link_target(&take, NULL, target, sizeof(target)), ==, 0);
	g_assert_cmpstr(target, ==, ".take");
	g_assert_cmpint(st.st_size, ==, (off_t)strlen(target));
	lookup_ok(&alpha, ".take", &hidden, &st);
	g_assert_cmpuint(st.st_mode, ==, S_IFREG | 0600);
	g_assert_cmpuint(hidden.slot, ==, 2);	/* the row's own slot, as before */
	g_assert_cmpint(tree_link_target(&hidden, NULL, target, sizeof(target)), ==, -EINVAL);
	/* Names of other rows have no hidden twin. */
	g_assert_cmpint(lookup(&alpha, ".hello", &hidden, &st), ==, -ENOENT);
	g_assert_cmpint(lookup(&alpha, ".", &hidden, &st), ==, -ENOENT);
	/* Rows of many entries: each listed as a link to ".N". */
	lookup_ok(&alpha, "nums", &nums, &st);
	l = listing(&nums);
	g_assert_cmpstr(l, ==, "2 4097 ");
	lookup_ok(&nums, "2", &two, &st);
	g_assert_true(S_ISLNK(st.st_mode));
	g_assert_cmpint(tree_link_target(&two, NULL, target, sizeof(target)), ==, 0);
	g_assert_cmpstr(target, ==, ".2");
	lookup_ok(&nums, "4097", &big, &st);
	g_assert_cmpint(tree_link_target(&big, NULL, target, sizeof(target)), ==, 0);
	g_assert_cmpstr(target, ==, ".4097");
	node_forget(node_encode(&big), 1);
	lookup_ok(&nums, ".4097", &big, &st);
	g_assert_true(S_ISREG(st.st_mode));
	node_forget(node_encode(&big), 1);
	g_assert_cmpint(lookup(&nums, ".9999", &big, &st), ==, -ENOENT);
	/* Names no entry can have, for the shell's > (create). */
	g_assert_true(tree_name_by_rule(&nums, "abc"));
	g_assert_false(tree_name_by_rule(&alpha, "abc"));
	without_toys();
}

/* What a kind shows may depend on who asks: fs/ asks list, stat and
 * resolve for the caller, and shows each caller what the kind says. */
static void objects_are_shown_per_caller(void)
{
	struct ipcfs_cred stranger = { .uid = 2000, .pid = 1 }, owner = { .uid = 1000, .pid = 1 };
	g_autofree char *ls_stranger = NULL, *ls_owner = NULL, *ls_all = NULL;
	struct node play, kind, beta, b;
	struct stat st;

	with_toys();
	lookup_ok(&root, "play", &play, &st);
	lookup_ok(&play, "toy2", &kind, &st);
	ls_stranger = listing_for(&kind, &stranger);
	ls_owner = listing_for(&kind, &owner);
	ls_all = listing(&kind);
	g_assert_cmpstr(ls_stranger, ==, "aliases ");
	g_assert_cmpstr(ls_owner, ==, "aliases beta ");
	g_assert_cmpstr(ls_all, ==, "aliases alpha beta ");
	g_assert_cmpint(tree_lookup(&kind, "beta", &stranger, &beta, &st), ==, -ENOENT);
	g_assert_cmpint(tree_lookup(&kind, "b", &stranger, &b, &st), ==, -ENOENT);
	g_assert_cmpint(tree_lookup(&kind, "beta", &owner, &beta, &st), ==, 0);
	/* A node found by one caller is nothing to another. */
	g_assert_cmpint(tree_getattr(&beta, &owner, &st, NULL), ==, 0);
	g_assert_cmpint(tree_getattr(&beta, &stranger, &st, NULL), ==, -ENOENT);
	without_toys();
}

static void metrics_come_from_fields_and_labels(void)
{
	g_autoptr(GString) out = g_string_new(NULL);
	struct ipcfs_cred reader = { .uid = 0, .pid = 1 };

	with_toys();
	g_assert_cmpint(views_text(ROOT_FILE_METRICS, out, &reader), ==, 0);
	g_assert_nonnull(strstr(out->str, "# TYPE ipcfs_toy_size gauge\n"));
	g_assert_nonnull(strstr(out->str, "ipcfs_toy_size{kind=\"toy\",name=\"alpha\",owner=\"root\"} 10\n"));
	g_assert_nonnull(strstr(out->str, "ipcfs_play_toy2_size{kind=\"play/toy2\",name=\"beta\","));
	g_assert_nonnull(strstr(out->str, "ipcfs_toy_objects 2\n"));
	/* A field without HELP is no metric. */
	g_assert_null(strstr(out->str, "ipcfs_toy_mode"));
	without_toys();
}

void fs_tests(void)
{
	g_test_add_func("/fs/root-lists-kinds-groups-and-files", root_lists_kinds_groups_and_files);
	g_test_add_func("/fs/root-entries-list-and-look-up-alike", root_entries_list_and_look_up_alike);
	g_test_add_func("/fs/kind-dir-lists-names-and-the-alias-dir",
			kind_dir_lists_names_and_the_alias_dir);
	g_test_add_func("/fs/names-and-second-names-resolve", names_and_second_names_resolve);
	g_test_add_func("/fs/object-rows-come-from-files-and-fields",
			object_rows_come_from_files_and_fields);
	g_test_add_func("/fs/consuming-rows-are-listed-as-links", consuming_rows_are_listed_as_links);
	g_test_add_func("/fs/link-rows-are-there-while-they-point", link_rows_are_there_while_they_point);
	g_test_add_func("/fs/objects-are-shown-per-caller", objects_are_shown_per_caller);
	g_test_add_func("/fs/metrics-come-from-fields-and-labels",
			metrics_come_from_fields_and_labels);
}
