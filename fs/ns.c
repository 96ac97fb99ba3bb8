// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ns.c - every IPC namespace on the machine: the table behind ns/<inode>/,
 * and acting in one of them.
 *
 *   ns/<inode>/     the whole tree, acting in that namespace, plus `processes`
 *   ns/self         -> <inode> of the top level
 *   ns/metrics      every namespace's metrics, labelled ns= and container=
 *
 * (Those generated files, and `processes` and `info`, are fs/ns_text.c's.)
 *
 * Namespaces are found through /proc/PID/ns/ipc of every process (thread
 * group leaders: a thread that joined another namespace on its own, as
 * ours do, is not seen).  Each one found gets an entry: an index (1 ..
 * NODE_NS_MAX, carried in the inode numbers of its nodes), an fd of the
 * namespace opened once through a process in it, and the chain of user
 * namespaces that owns it (for the capabilities its checks count).
 *
 * Lifetimes, all under `lock`:
 *   - `alive`: a process was in it at the last look (a scan of /proc, or a
 *     stat of the one process remembered).  A namespace that is not alive
 *     is gone for every path (ENOENT) and for open files (EIDRM).
 *   - `users`: requests acting in it right now, and open files of it.  The
 *     fd is kept while it is alive or used; then it is closed (with the
 *     backends' caches of it, which may hold the namespace too: the
 *     mqueue mount does), and the kernel frees the namespace.
 *   - `kernel`: lookup references the kernel holds on nodes of its index
 *     (lookup, mkdir, readdirplus add; forget drops).  The entry, hence
 *     its index, lives until that count is 0 too: an index is reused only
 *     when the kernel knows no inode number that carries it, so an old
 *     number never reaches another namespace's objects.
 * At most NODE_NS_MAX entries (so as many fds) exist at once; a namespace
 * found past that is not listed (logged once) until entries are freed.
 *
 * Acting: IPC namespaces are per thread.  fs/ops_ns.c wraps every handler
 * of a node under ns/<inode>/ in ns_enter() / ns_leave(): setns() to the
 * entry's fd and back to the daemon's own (kept open from the start).  A
 * blocked operation stays in its namespace until it ends.  The thread's
 * entry is also a thread-local (ipcfs_ns_current) that backends consult
 * for what is per namespace and not the kernel's per-thread state: the
 * /dev/shm of its processes, its mqueue mount, their name tables.
 */
#include "ns.h"
#include "userns.h"
#include "util.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct ns_datum {
	void *p;
	GDestroyNotify destroy;
};

struct ipcfs_ns {
	uint64_t ino;		/* the namespace's inode number, as lsns shows it */
	unsigned idx;		/* in inode numbers: 1 .. NODE_NS_MAX */
	int fd;			/* the namespace, opened once; -1 once let go */
	pid_t pid;		/* a process in it, last seen */
	bool alive;
	unsigned users;
	uint64_t kernel;
	struct userns_chain chain;	/* the user namespaces that own it */
	GHashTable *data;	/* backends' caches: key -> struct ns_datum (owns) */
	quota_person owner;	/* the person of the process it was found through */
};

/*
 * The table is shared by everyone, and any user can make namespaces
 * (`unshare -Ur --ipc`).  So namespaces found through processes of a
 * person other than root (fs/ipcfs.h "shares": the uid behind a user namespace,
 * however many uids it maps) take at most NS_PER_USER entries each, and
 * all of them together at most NS_NON_ROOT: one person cannot hide other
 * users' namespaces, nor anyone root's (containers), from ns/.
 */
#define NS_PER_USER 16
#define NS_NON_ROOT (NODE_NS_MAX / 2)
static struct quota owners = {
	.per_person = NS_PER_USER, .all_others = NS_NON_ROOT, .root_free = true,
};

static GMutex lock;	/* a leaf (order: fs/ipcfs.h) */
static struct ipcfs_ns *table[NODE_NS_MAX + 1];
static GHashTable *by_ino;	/* &e->ino -> e */
static unsigned next_idx = 1;	/* indexes are handed out round the table */
static bool full_logged;
static int self_fd = -1;	/* the daemon's own namespace: the top level */
static uint64_t self_ino;

static __thread struct ipcfs_ns *cur;	/* the namespace this thread acts in */

int ns_init(void)
{
	struct stat st;

	self_fd = file_open("/proc/thread-self/ns/ipc", O_RDONLY);
	if (self_fd < 0 || fstat(self_fd, &st))
		return -errno;
	self_ino = (uint64_t)st.st_ino;
	by_ino = g_hash_table_new(g_int64_hash, g_int64_equal);
	return 0;
}

static void datum_free(gpointer p)
{
	struct ns_datum *d = p;

	if (d->destroy)
		d->destroy(d->p);
	g_free(d);
}

/* Let go of what keeps the namespace (lock held).  The caches' destroy
 * functions only close fds and free memory. */
static void entry_close(struct ipcfs_ns *e)
{
	if (e->data) {
		g_hash_table_destroy(e->data);
		e->data = NULL;
	}
	if (e->fd >= 0) {
		close(e->fd);
		e->fd = -1;
	}
}

/* Close and free what nothing needs any more (lock held). */
static void entry_settle(struct ipcfs_ns *e)
{
	if (e->alive || e->users)
		return;
	entry_close(e);
	if (e->kernel)
		return;
	/* (Its inode number may name a newer entry by now: see table_update.) */
	if (g_hash_table_lookup(by_ino, &e->ino) == e)
		g_hash_table_remove(by_ino, &e->ino);
	table[e->idx] = NULL;
	quota_give(&owners, e->owner);
	g_free(e);
}

void ns_shutdown(void)
{
	g_mutex_lock(&lock);
	for (unsigned i = 1; i <= NODE_NS_MAX; i++) {
		if (table[i]) {
			entry_close(table[i]);
			g_free(table[i]);
			table[i] = NULL;
		}
	}
	if (by_ino)
		g_hash_table_destroy(by_ino);
	by_ino = NULL;
	quota_clear(&owners);
	g_mutex_unlock(&lock);
	if (self_fd >= 0)
		close(self_fd);
	self_fd = -1;
}

/* ---- finding namespaces ---- */


/* The IPC namespace of process `pid` (its inode number), or 0. */
static uint64_t ipc_ns_of(pid_t pid)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/ns/ipc", (int)pid);
	return stat(path, &st) ? 0 : (uint64_t)st.st_ino;
}

GArray *ns_scan_procs(void)
{
	GArray *a = g_array_new(FALSE, FALSE, sizeof(struct proc_ns));
	struct dirent *de;
	DIR *d = opendir("/proc");

	if (!d)
		return a;
	while ((de = readdir(d))) {
		struct proc_ns p;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		p.pid = (pid_t)atoi(de->d_name);
		p.ino = ipc_ns_of(p.pid);
		if (p.ino)
			g_array_append_val(a, p);
	}
	closedir(d);
	return a;
}

/* What a new entry needs from /proc, read without the table's lock: the
 * namespace opened through process p, its owner, its user namespaces. */
struct ns_probe {
	struct proc_ns p;
	int fd;
	quota_person owner;
	struct userns_chain chain;
};

/* 0, or -errno (the process gone, or in another namespace by now). */
static int probe(const struct proc_ns *p, struct ns_probe *out)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d", (int)p->pid);
	if (stat(path, &st))
		return -errno;
	out->p = *p;
	out->owner = quota_person_of(p->pid, st.st_uid);
	snprintf(path, sizeof(path), "/proc/%d/ns/ipc", (int)p->pid);
	out->fd = file_open(path, O_RDONLY);
	if (out->fd < 0)
		return out->fd;
	if (fstat(out->fd, &st) || (uint64_t)st.st_ino != p->ino) {
		close(out->fd);	/* it moved on meanwhile */
		out->fd = -1;
		return -ESRCH;
	}
	userns_chain_of_ipc(out->fd, &out->chain);
	return 0;
}

/* A new entry from probe pr, which it takes (lock held), or NULL: no index
 * free, or its owner holds its share (pr's fd is closed then). */
static struct ipcfs_ns *entry_new(struct ns_probe *pr)
{
	struct ipcfs_ns *e;
	unsigned idx = 0;

	if (!quota_take(&owners, pr->owner)) {
		log_dbg("ns/: person %#" G_GINT64_MODIFIER "x has its share of namespace "
			"entries; %" G_GUINT64_FORMAT " is not listed", pr->owner, pr->p.ino);
		close(pr->fd);
		return NULL;
	}
	for (unsigned i = 0; i < NODE_NS_MAX && !idx; i++) {
		unsigned c = (next_idx + i - 1) % NODE_NS_MAX + 1;

		if (!table[c])
			idx = c;
	}
	if (!idx) {
		if (!full_logged)
			log_err("ns/: more than %u IPC namespaces at once; the others are not "
				"listed until some go", NODE_NS_MAX);
		full_logged = true;
		quota_give(&owners, pr->owner);
		close(pr->fd);
		return NULL;
	}
	e = g_new0(struct ipcfs_ns, 1);
	e->ino = pr->p.ino;
	e->idx = idx;
	e->fd = pr->fd;
	e->pid = pr->p.pid;
	e->owner = pr->owner;
	e->chain = pr->chain;
	e->alive = true;
	table[idx] = e;
	next_idx = idx % NODE_NS_MAX + 1;
	g_hash_table_insert(by_ino, &e->ino, e);
	return e;
}

/* Bring the table up to date with a scan: `alive` and `pid` for every
 * entry (lock held).  The processes of namespaces with no entry go to
 * `fresh` (struct proc_ns), for rescan to make them one. */
static void table_update(GArray *procs, GArray *fresh)
{
	for (unsigned i = 1; i <= NODE_NS_MAX; i++)
		if (table[i])
			table[i]->alive = false;
	/* Those still there first, then the gone ones let go, and only then
	 * new entries: a gone namespace's index and its person's share are
	 * free again for the new ones of this very scan. */
	for (guint i = 0; i < procs->len; i++) {
		const struct proc_ns *p = &g_array_index(procs, struct proc_ns, i);
		struct ipcfs_ns *e = g_hash_table_lookup(by_ino, &p->ino);

		if (e && e->fd >= 0) {
			if (!e->alive)
				e->pid = p->pid;	/* the first (lowest) one seen */
			e->alive = true;
		}
	}
	for (unsigned i = 1; i <= NODE_NS_MAX; i++)
		if (table[i])
			entry_settle(table[i]);
	for (guint i = 0; i < procs->len; i++) {
		const struct proc_ns *p = &g_array_index(procs, struct proc_ns, i);
		struct ipcfs_ns *e = g_hash_table_lookup(by_ino, &p->ino);

		if (e && e->fd < 0) {
			/* Let go when its processes were gone, and seen again:
			 * a new namespace that got the old one's inode number
			 * (nsfs reuses them at once), or one a process setns'd
			 * back into.  Either way a new entry with a new index:
			 * the kernel may still hold nodes of the old one's. */
			g_hash_table_remove(by_ino, &e->ino);
			e = NULL;
		}
		if (!e)
			g_array_append_val(fresh, *p);
	}
}

/* A fresh scan, applied; the processes (caller frees).  New entries are
 * made in two steps: /proc is read (probe: an open, a walk up the user
 * namespaces) without the table's lock, which every request under ns/
 * takes, and the entry is put in under it, unless another scan did
 * meanwhile.  A namespace whose first process is gone is tried through
 * its next one, as before. */
static GArray *rescan(void)
{
	GArray *procs = ns_scan_procs();
	g_autoptr(GArray) fresh = g_array_new(FALSE, FALSE, sizeof(struct proc_ns));

	g_mutex_lock(&lock);
	table_update(procs, fresh);
	g_mutex_unlock(&lock);
	for (guint i = 0; i < fresh->len; i++) {
		const struct proc_ns *p = &g_array_index(fresh, struct proc_ns, i);
		struct ns_probe pr;
		bool known;

		g_mutex_lock(&lock);
		known = g_hash_table_lookup(by_ino, &p->ino) != NULL;
		g_mutex_unlock(&lock);
		if (known || probe(p, &pr))
			continue;
		g_mutex_lock(&lock);
		if (g_hash_table_lookup(by_ino, &p->ino))
			close(pr.fd);	/* made by another scan meanwhile */
		else
			entry_new(&pr);
		g_mutex_unlock(&lock);
	}
	return procs;
}

/* Is e still alive?  The process remembered is asked first; else a scan.
 * Lock not held. */
static bool entry_alive(struct ipcfs_ns *e)
{
	pid_t pid;
	bool alive;

	g_mutex_lock(&lock);
	pid = e->pid;
	alive = e->alive;
	g_mutex_unlock(&lock);
	if (alive && ipc_ns_of(pid) == e->ino)
		return true;
	g_array_unref(rescan());
	g_mutex_lock(&lock);
	alive = e->alive;
	g_mutex_unlock(&lock);
	return alive;
}

/* ---- who may see one ---- */

/*
 * May `c` see namespace e: could they open /proc/PID/ns/ipc of one of its
 * processes (ptrace_may_read)?  Their own namespace, yes.  `procs`: a
 * scan to take its processes from, or NULL (the one remembered first,
 * then a scan).
 */
static bool visible_in(struct ipcfs_ns *e, struct ipcfs_cred *c, GArray *procs)
{
	g_autoptr(GArray) own = NULL;
	pid_t pid;

	if (!c)
		return true;	/* the daemon itself */
	if (c->pid > 0 && ipc_ns_of(c->pid) == e->ino)
		return true;
	g_mutex_lock(&lock);
	pid = e->pid;
	g_mutex_unlock(&lock);
	if (pid > 0 && ptrace_may_read(c, pid) && ipc_ns_of(pid) == e->ino)
		return true;
	if (!procs)
		procs = own = ns_scan_procs();
	for (guint i = 0; i < procs->len; i++) {
		const struct proc_ns *p = &g_array_index(procs, struct proc_ns, i);

		if (p->ino == e->ino && p->pid != pid && ptrace_may_read(c, p->pid))
			return true;
	}
	return false;
}

/* ---- acting in one ---- */

/* Hold the entry that `find` gives under the table's lock, if `usable`
 * says it may be: NULL otherwise. */
static struct ipcfs_ns *hold(struct ipcfs_ns *(*find)(const void *key), const void *key,
			     bool (*usable)(const struct ipcfs_ns *e))
{
	struct ipcfs_ns *e;

	g_mutex_lock(&lock);
	e = find(key);
	if (e && usable(e))
		e->users++;
	else
		e = NULL;
	g_mutex_unlock(&lock);
	return e;
}

static struct ipcfs_ns *by_index(const void *key)
{
	unsigned idx = *(const unsigned *)key;

	return idx <= NODE_NS_MAX ? table[idx] : NULL;
}

static struct ipcfs_ns *by_inode(const void *key)
{
	return g_hash_table_lookup(by_ino, key);
}

static bool has_fd(const struct ipcfs_ns *e)
{
	return e->fd >= 0;
}

static bool is_alive(const struct ipcfs_ns *e)
{
	return e->alive;
}

int ns_get(unsigned idx, struct ipcfs_cred *c, struct ipcfs_ns **out)
{
	struct ipcfs_ns *e;

	*out = NULL;
	if (!idx)
		return 0;
	e = hold(by_index, &idx, has_fd);
	if (!e)
		return -ENOENT;
	if (!entry_alive(e) || !visible_in(e, c, NULL)) {
		ns_put(e);
		return -ENOENT;
	}
	*out = e;
	return 0;
}

void ns_hold(struct ipcfs_ns *e)
{
	if (!e)
		return;
	g_mutex_lock(&lock);
	e->users++;
	g_mutex_unlock(&lock);
}

void ns_put(struct ipcfs_ns *e)
{
	if (!e)
		return;
	g_mutex_lock(&lock);
	e->users--;
	entry_settle(e);
	g_mutex_unlock(&lock);
}

bool ns_gone(struct ipcfs_ns *e)
{
	return e && !entry_alive(e);
}

int ns_enter(struct ipcfs_ns *e)
{
	if (!e)
		return 0;
	/* The daemon's own namespace under another name: nothing to join. */
	if (e->ino != self_ino && setns(e->fd, CLONE_NEWIPC))
		return -errno;
	cur = e;
	return 0;
}

void ns_leave(struct ipcfs_ns *e)
{
	if (!e)
		return;
	cur = NULL;
	if (e->ino != self_ino && setns(self_fd, CLONE_NEWIPC)) {
		/* A worker left in another namespace would serve the top level
		 * there: stop rather than act in the wrong place. */
		log_err("cannot return to the daemon's IPC namespace: %s", g_strerror(errno));
		abort();
	}
}

void ns_cred_in(struct ipcfs_ns *e, struct ipcfs_cred *c)
{
	if (e)
		cred_act_in(c, e, e->ino, ipcfs_ns_pid(e), &e->chain);
	else
		cred_act_in(c, NULL, self_ino, 0, NULL);
}

struct ipcfs_ns *ipcfs_ns_current(void)
{
	/* The top level's own namespace shares the top level's places. */
	return cur && cur->ino != self_ino ? cur : NULL;
}

pid_t ipcfs_ns_pid(const struct ipcfs_ns *ns)
{
	pid_t pid;

	g_mutex_lock(&lock);
	pid = ns->pid;
	g_mutex_unlock(&lock);
	return pid;
}

uint64_t ipcfs_ns_acted_in(void)
{
	struct ipcfs_ns *e = ipcfs_ns_current();

	return e ? e->ino : self_ino;
}

uint64_t ipcfs_ns_inode(const struct ipcfs_ns *ns)
{
	return ns->ino;	/* never changes */
}

void *ipcfs_ns_data(struct ipcfs_ns *ns, const void *key, void *(*make)(void *arg), void *arg,
		    GDestroyNotify destroy)
{
	struct ns_datum *d;
	void *p;

	g_mutex_lock(&lock);
	if (!ns->data)
		ns->data = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, datum_free);
	d = g_hash_table_lookup(ns->data, key);
	p = d ? d->p : NULL;
	g_mutex_unlock(&lock);
	if (d || !make)
		return p;
	/* Made without the lock (make may ask ipcfs_ns_pid); of two made at
	 * once, the first kept.  The caller holds ns, so its data lives. */
	p = make(arg);
	if (!p)
		return NULL;
	g_mutex_lock(&lock);
	if (!ns->data)
		ns->data = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, datum_free);
	d = g_hash_table_lookup(ns->data, key);
	if (!d) {
		d = g_new0(struct ns_datum, 1);
		d->p = p;
		d->destroy = destroy;
		g_hash_table_insert(ns->data, (gpointer)key, d);
		p = NULL;
	}
	g_mutex_unlock(&lock);
	if (p && destroy)
		destroy(p);
	return d->p;
}

void ns_kernel_ref(uint64_t ino, uint64_t n)
{
	struct node nd;

	node_decode(ino, &nd);
	if (!nd.ns)
		return;
	g_mutex_lock(&lock);
	if (table[nd.ns])
		table[nd.ns]->kernel += n;
	g_mutex_unlock(&lock);
}

void ns_kernel_unref(uint64_t ino, uint64_t n)
{
	struct node nd;
	struct ipcfs_ns *e;

	node_decode(ino, &nd);
	if (!nd.ns)
		return;
	g_mutex_lock(&lock);
	e = table[nd.ns];
	if (e) {
		e->kernel = e->kernel > n ? e->kernel - n : 0;
		entry_settle(e);
	}
	g_mutex_unlock(&lock);
}

/* ---- the ns/ directory ---- */

uint64_t ns_self_ino(void)
{
	return self_ino;
}

int ns_lookup(struct ipcfs_cred *c, const char *name, unsigned *idx)
{
	g_autoptr(GArray) procs = NULL;
	struct ipcfs_ns *e;
	uint64_t ino;

	if (parse_canonical(name, name + strlen(name), UINT64_MAX, &ino) || !ino)
		return -ENOENT;
	procs = rescan();
	e = hold(by_inode, &ino, is_alive);
	if (!e)
		return -ENOENT;
	*idx = e->idx;
	if (!visible_in(e, c, procs)) {
		ns_put(e);
		return -ENOENT;
	}
	ns_put(e);
	return 0;
}

GPtrArray *ns_visible_all(struct ipcfs_cred *c)
{
	g_autoptr(GArray) procs = rescan();
	GPtrArray *out = g_ptr_array_new();
	g_autoptr(GPtrArray) all = g_ptr_array_new();

	g_mutex_lock(&lock);
	for (unsigned i = 1; i <= NODE_NS_MAX; i++) {
		if (table[i] && table[i]->alive && table[i]->fd >= 0) {
			table[i]->users++;
			g_ptr_array_add(all, table[i]);
		}
	}
	g_mutex_unlock(&lock);
	for (guint i = 0; i < all->len; i++) {
		if (visible_in(all->pdata[i], c, procs))
			g_ptr_array_add(out, all->pdata[i]);
		else
			ns_put(all->pdata[i]);
	}
	return out;
}

void ns_list(struct ipcfs_cred *c, void (*fill)(void *ctx, const char *name, unsigned idx),
	     void *ctx)
{
	g_autoptr(GPtrArray) vis = ns_visible_all(c);

	for (guint i = 0; i < vis->len; i++) {
		struct ipcfs_ns *e = vis->pdata[i];
		char name[24];

		snprintf(name, sizeof(name), "%" G_GUINT64_FORMAT, e->ino);
		fill(ctx, name, e->idx);
		ns_put(e);
	}
}

int ns_ident(unsigned idx, uint64_t *ino, uint64_t *owner)
{
	int r = -ENOENT;

	g_mutex_lock(&lock);
	if (idx && idx <= NODE_NS_MAX && table[idx]) {
		*ino = table[idx]->ino;
		*owner = table[idx]->chain.len ? table[idx]->chain.ns[0] : 0;
		r = 0;
	}
	g_mutex_unlock(&lock);
	return r;
}
