// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sysv.c - what the System V kinds share (see sysv.h).
 */
#include "sysv.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

void ipc_fill_perm(struct ipcfs_obj *o, int id, const struct ipc_perm *p)
{
	memset(o, 0, sizeof(*o));
	o->id = id;
	o->key = (int64_t)(uint32_t)p->__key;
	o->uid = p->uid;
	o->gid = p->gid;
	o->cuid = p->cuid;
	o->cgid = p->cgid;
	o->mode = p->mode & 0777;
}

int ipc_enumerate(ipc_stat_any_fn stat_any, int maxidx, GArray *out)
{
	struct ipcfs_obj o;

	for (int idx = 0; idx <= maxidx; idx++) {
		int r = stat_any(idx, &o);

		if (r >= 0)
			g_array_append_val(out, o);
		else if (r != -EINVAL && r != -EIDRM)
			return r;
	}
	return 0;
}

int ipc_stat_id(ipc_stat_any_fn stat_any, ipcfs_id id, struct ipcfs_obj *o)
{
	/* An id is (seq << shift) + idx; shift is 15, or 24 with the
	 * ipcmni_extend boot option.  Try both, and accept only an exact
	 * match so a reused index never answers for a vanished id. */
	static const int masks[] = { 0x7fff, 0xffffff };

	if (id > INT_MAX)
		return -ENOENT;	/* no System V id is */
	for (size_t i = 0; i < G_N_ELEMENTS(masks); i++) {
		int r = stat_any((int)id & masks[i], o);

		if (r == (int)id)
			return 0;
	}
	return -ENOENT;
}

int sysv_list(const struct ipcfs_backend *be, struct ipcfs_cred *c, GArray *out)
{
	const struct sysv_kind *k = be->data;
	int max = k->max_index();

	(void)c;	/* the kernel's *_STAT_ANY: no right needed */
	if (max < 0)
		return max;
	return ipc_enumerate(k->stat_any, max, out);
}

int sysv_stat(const struct ipcfs_backend *be, struct ipcfs_cred *c, ipcfs_id id,
	      struct ipcfs_obj *out)
{
	const struct sysv_kind *k = be->data;

	(void)c;	/* everyone sees every object (sysv_list) */
	return ipc_stat_id(k->stat_any, id, out);
}

int sysv_errno(int e, enum sysv_where where)
{
	switch (e) {
	case EIDRM:
	case EINVAL:
		return where == SYSV_OPEN_FILE ? -EIDRM : -ENOENT;
	case ENOMSG:
		return -EAGAIN;
	default:
		return -e;
	}
}

/* ---- names ---- */

int parse_key(const char *s, key_t *key)
{
	uint64_t v = 0;

	if (!s || s[0] != '0' || (s[1] != 'x' && s[1] != 'X') || !s[2])
		return -EINVAL;
	for (const char *p = s + 2; *p; p++) {
		int d = g_ascii_xdigit_value(*p);

		if (d < 0)
			return -EINVAL;
		v = v * 16 + (unsigned)d;
		if (v > UINT32_MAX)
			return -EINVAL;
	}
	/* key_t is a signed int; keys such as 0xffffffff are -1 as key_t. */
	*key = (key_t)(uint32_t)v;
	return 0;
}

int parse_new_line(const char *line, bool has_param, bool suffix, struct ipcfs_create_args *out)
{
	g_autofree char *copy = NULL;
	g_auto(GStrv) words = NULL;
	size_t len = strlen(line);
	unsigned n = 0, want = has_param ? 2 : 1;
	key_t key;
	int r;

	if (len && line[len - 1] == '\n')
		len--;
	copy = g_strndup(line, len);
	if (strchr(copy, '\n'))
		return -EINVAL;	/* one command per write */
	words = g_strsplit_set(copy, " \t", -1);
	/* Collapse runs of blanks: drop the empty words. */
	for (unsigned i = 0; words[i]; i++) {
		if (*words[i]) {
			char *w = words[i];

			words[i] = words[n];
			words[n++] = w;
		}
	}
	if (n < want || n > want + 1)
		return -EINVAL;

	memset(out, 0, sizeof(*out));
	out->mode = 0644;	/* ipcmk's default */
	if (!strcmp(words[0], "private") || !strcmp(words[0], "IPC_PRIVATE")) {
		out->key = IPC_PRIVATE;
	} else if (words[0][0] == '0' && (words[0][1] == 'x' || words[0][1] == 'X')) {
		if (parse_key(words[0], &key))
			return -EINVAL;
		out->key = key;
	} else {
		uint64_t v;

		/* ipcmk and ftok users also write keys in decimal. */
		if (parse_u64(words[0], false, &v) || v > UINT32_MAX)
			return -EINVAL;
		out->key = (key_t)(uint32_t)v;
	}
	if (has_param) {
		r = parse_u64(words[1], suffix, &out->param);
		if (r)
			return r;
	}
	if (n == want + 1 && parse_mode(words[want], &out->mode))
		return -EINVAL;
	return 0;
}

/* An object's name is its id; its key, when not IPC_PRIVATE, names it
 * too (0xKEY, any case and leading zeros). */
int sysv_resolve(const struct ipcfs_backend *be, struct ipcfs_cred *c, const char *name,
		 ipcfs_id *id, bool *alias)
{
	const struct sysv_kind *k = be->data;
	key_t key;
	int n;

	(void)c;	/* every object is everyone's to see (list) */
	if (!parse_id(name, &n)) {
		*id = (ipcfs_id)n;
		*alias = false;
		return 0;
	}
	if (!parse_key(name, &key) && key != IPC_PRIVATE) {
		int r = k->find_key(key);

		if (r < 0)
			return r;
		*id = (ipcfs_id)r;
		*alias = true;
		return 0;
	}
	return -ENOENT;
}

void sysv_objname(const struct ipcfs_backend *be, const struct ipcfs_obj *o, char *buf, size_t size)
{
	(void)be;
	snprintf(buf, size, "%d", (int)o->id);
}

bool sysv_alias(const struct ipcfs_backend *be, const struct ipcfs_obj *o, char *buf, size_t size)
{
	(void)be;
	if (o->key == IPC_PRIVATE)
		return false;
	snprintf(buf, size, "0x%08x", (uint32_t)o->key);
	return true;
}

void sysv_labels(const struct ipcfs_backend *be, const struct ipcfs_obj *o, GString *out)
{
	(void)be;
	g_string_append_printf(out, "id=\"%d\",key=\"0x%08x\"", (int)o->id, (uint32_t)o->key);
}

/*
 * An id comes back once its object is removed and the kernel's sequence
 * wraps (at once through kernel.*_next_id); key and creator tell the new
 * object from the old (a private object made again by the same creator
 * cannot be told apart, and then the opener's rights on it are what count).
 */
bool sysv_same(const struct ipcfs_backend *be, const struct ipcfs_obj *was,
	       const struct ipcfs_obj *now)
{
	(void)be;
	return now->key == was->key && now->cuid == was->cuid && now->cgid == was->cgid;
}

/* mkdir 0xKEY: only keyed objects can be made by name; the kind's default
 * size or count (a mount option).  Execute bits mean nothing for IPC: a
 * plain mkdir (0777 less the umask, 0755) makes 0644, as ipcmk does. */
int sysv_parse_mkdir(const struct ipcfs_backend *be, const char *name, mode_t mode,
		     struct ipcfs_create_args *args)
{
	const struct sysv_kind *k = be->data;
	key_t key;

	if (parse_key(name, &key) || key == IPC_PRIVATE)
		return -EINVAL;
	memset(args, 0, sizeof(*args));
	args->key = key;
	args->mode = mode & 0666;
	args->param = k->default_param ? *k->default_param : 0;
	return 0;
}

int sysv_parse_new(const struct ipcfs_backend *be, const char *line, struct ipcfs_create_args *args)
{
	const struct sysv_kind *k = be->data;

	return parse_new_line(line, k->new_has_param, k->param_has_suffix, args);
}

/* ---- permissions ----
 *
 * ipc/util.c:ipcperms() compares the requested bits with the owner class
 * when the caller's euid is the object's uid or cuid, else with the group
 * class when the caller is in gid or cgid (fsgid or a supplementary group),
 * else with the other class; CAP_IPC_OWNER overrides.  IPC_SET and
 * IPC_RMID (ipc/util.c:ipcctl_obtain_check) need euid == uid or cuid, or
 * CAP_SYS_ADMIN.  Capabilities count as fs/cred.c reads them: in the user
 * namespace that owns the served IPC namespace.
 */

static bool in_group(const struct ipcfs_cred *c, int64_t gid)
{
	if ((int64_t)c->gid == gid)
		return true;
	for (int i = 0; i < c->ngroups; i++)
		if ((int64_t)c->groups[i] == gid)
			return true;
	return false;
}

bool perm_decide(const struct ipcfs_cred *c, const struct ipcfs_obj *o, int want)
{
	int granted = (int)o->mode;

	want &= 07;
	if ((int64_t)c->uid == o->cuid || (int64_t)c->uid == o->uid)
		granted >>= 6;
	else if (in_group(c, o->cgid) || in_group(c, o->gid))
		granted >>= 3;
	if (!(want & ~granted & 07))
		return true;
	return perm_has_cap(c, IPCFS_CAP_IPC_OWNER);
}

bool perm_decide_owner(const struct ipcfs_cred *c, const struct ipcfs_obj *o)
{
	if ((int64_t)c->uid == o->cuid || (int64_t)c->uid == o->uid)
		return true;
	return perm_has_cap(c, IPCFS_CAP_SYS_ADMIN);
}

int sysv_access(const struct ipcfs_backend *be, struct ipcfs_cred *c, const struct ipcfs_obj *o,
		int want)
{
	bool owner = (int64_t)c->uid == o->uid || (int64_t)c->uid == o->cuid;

	(void)be;
	if (!want)
		return 0;
	if (!c->loaded) {
		/* The owner class is decided by uid alone. */
		if (owner && !(want & ~(o->mode >> 6) & 07))
			return 0;
		cred_load(c);	/* on failure: no groups, no caps */
	}
	/*
	 * A cred holds the first 64 supplementary groups; the kernel weighs
	 * them all, and membership picks the class: a member of the object's
	 * group gets the group bits, even where the bits for others would
	 * give more.  For a caller with a full list who is, as far as the
	 * list goes, no member, look for the object's groups in the rest.
	 */
	if (c->loaded && !owner && c->ngroups == (int)G_N_ELEMENTS(c->groups) &&
	    !in_group(c, o->gid) && !in_group(c, o->cgid)) {
		int64_t g = cred_group_beyond(c, o->gid, o->cgid);

		if (g == -2)	/* cannot tell: refuse, as to a member with no bits */
			return perm_has_cap(c, IPCFS_CAP_IPC_OWNER) ? 0 : -EACCES;
		if (g >= 0) {
			struct ipcfs_cred more = *c;

			more.groups[more.ngroups - 1] = (gid_t)g;
			return perm_decide(&more, o, want) ? 0 : -EACCES;
		}
	}
	return perm_decide(c, o, want) ? 0 : -EACCES;
}

int sysv_ids_settable(struct ipcfs_cred *c, uid_t uid, gid_t gid)
{
	return cred_ids_mappable(c, uid, gid) ? 0 : -EINVAL;
}

int sysv_owner(const struct ipcfs_backend *be, struct ipcfs_cred *c, const struct ipcfs_obj *o)
{
	(void)be;
	if ((int64_t)c->uid == o->uid || (int64_t)c->uid == o->cuid)
		return 0;
	cred_load(c);
	return perm_decide_owner(c, o) ? 0 : -EPERM;
}
