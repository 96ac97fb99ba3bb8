// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * unix.c - Unix domain sockets: every socket of a network namespace, who
 * holds it, who is on the other end, and what is waiting.
 *
 *   unix/<ino>/            a socket, by its inode number (ss -x's Inode)
 *   unix/<ino>/info        ino, rqueue, wqueue, backlog, pending, holders,
 *                          uid (each a file too), type, state, name, peer
 *   unix/<ino>/type        stream | dgram | seqpacket
 *   unix/<ino>/state       connected | listening | unconnected | ...
 *   unix/<ino>/name        /run/app.sock, @abstract, or empty
 *   unix/<ino>/ends        PID COMMAND FD, one line per holder's descriptor
 *   unix/<ino>/peer        -> ../<peer-ino>   (absent when it has none)
 *
 *   $ ls -l unix/$(stat -Lc %i /proc/$PID/fd/3)/peer
 *   peer -> ../81234
 *   $ cat unix/81234/ends
 *   4242 dbus-daemon 7
 *
 * Which sockets: those of one network namespace, from one unix_diag dump
 * (NETLINK_SOCK_DIAG) per snapshot: the machine's (init's) at the top
 * level, and under ns/<inode>/ the one of the process ns/ found in that
 * IPC namespace
 * (a thread joins it just long enough to make the diag socket there:
 * a netlink socket dumps the namespace it was made in).  The holders come
 * from the /proc/PID/fd scan shared with pipes/ (procfd.c): a descriptor
 * `socket:[N]` of a socket of that dump.  Both are kept as one snapshot
 * for a short while (SNAP_*) and shared by every request.
 *
 * A caller sees a socket when the kernel would let them read
 * /proc/PID/fd of one of its holders (ptrace-read, as pipes/), or when it
 * has a path name they can look up themselves (openat2 as the caller, no
 * symlink followed) that is still that socket's file.
 *
 * Looking changes nothing and never blocks: no connect, accept, receive
 * or duplicate of any socket; the dump and readlink of /proc are all.
 */
#include "procfd.h"
#include "snapshot.h"
#include "stuck.h"
#include "unix_parse.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <sched.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define DUMP_MAX_US (10 * G_USEC_PER_SEC)	/* a dump of 1M sockets takes ~1 s */
/* Sockets kept of one dump: a bound on the daemon's memory (56 bytes and
 * their holders each) that no machine's real count comes near. */
#define SOCKS_MAX (1u << 20)

/* One descriptor holding a socket. */
struct uhold {
	uint32_t sock;		/* index in snap->socks */
	uint32_t proc;		/* index in snap->procs */
	int32_t fd;
};

/* One dump and one scan of /proc: read-only once made, shared by
 * reference (snapshot.h, as pipes/'s). */
struct snap {
	struct snapshot base;
	GArray *socks;		/* struct unix_sock, sorted by ino */
	GArray *holds;		/* struct uhold, grouped by socket */
	GArray *procs;		/* struct procfd_proc, the holders */
	GArray *icons;		/* uint32_t: listeners' pending clients */
	GString *names;		/* formatted names; offset 0: none */
};

/* A network namespace served: its diag socket and its last snapshot. */
struct net {
	gint refs;
	struct snapshot_cache cache;	/* its lock also guards the socket's
					 * dumps (a leaf) */
	int fd;			/* NETLINK_SOCK_DIAG, made in that namespace */
	uint32_t seq;
};

/* The kind's numbers. */
struct unix_nums {
	int64_t ino;
	int64_t type, state;
	int64_t rqueue, wqueue;
	int64_t backlog, pending;
	int64_t peer;		/* 0: none */
	int64_t unaccepted;	/* a client in a listener's queue */
	int64_t holders;	/* descriptors, everyone's */
};
IPCFS_NUMS_FIT(struct unix_nums);
#define NUMS(o) IPCFS_NUMS(struct unix_nums, o)

static struct {
	char *stuck;
} unix_optv;
/* Since when each stuck socket has been stuck (stuck.h).  Inode numbers
 * are the same in every network namespace (one sockfs), so one table
 * serves all: an entry is tagged with its namespace's struct net. */
static struct stuck stuck = STUCK_INIT("ipcfs_unix_stuck_seconds");

/* ---- the snapshot ---- */

static void snap_free(struct snapshot *base)
{
	struct snap *s = (struct snap *)base;

	g_array_unref(s->socks);
	g_array_unref(s->holds);
	g_array_unref(s->procs);
	g_array_unref(s->icons);
	g_string_free(s->names, TRUE);
	g_free(s);
}

static void snap_unref(struct snap *s)
{
	snapshot_unref(s ? &s->base : NULL);
}
typedef struct snap snap;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(snap, snap_unref)

static const struct unix_sock *sock_at(const struct snap *s, uint32_t i)
{
	return &g_array_index(s->socks, struct unix_sock, i);
}

static const struct uhold *hold_at(const struct snap *s, uint32_t k)
{
	return &g_array_index(s->holds, struct uhold, k);
}

/* The index of socket `ino` in s, or -1. */
static int64_t sock_index(const struct snap *s, uint32_t ino)
{
	guint lo = 0, hi = s->socks->len;

	while (lo < hi) {
		guint mid = lo + (hi - lo) / 2;
		uint32_t at = sock_at(s, mid)->ino;

		if (at == ino)
			return mid;
		if (at < ino)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static const struct unix_sock *snap_sock(const struct snap *s, ipcfs_id id)
{
	int64_t i = sock_index(s, id);

	return i < 0 ? NULL : sock_at(s, (uint32_t)i);
}

static int sock_cmp(gconstpointer a, gconstpointer b)
{
	const struct unix_sock *x = a, *y = b;

	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

static int hold_cmp(gconstpointer a, gconstpointer b)
{
	const struct uhold *x = a, *y = b;

	if (x->sock != y->sock)
		return x->sock < y->sock ? -1 : 1;
	if (x->proc != y->proc)
		return x->proc < y->proc ? -1 : 1;
	return x->fd - y->fd;
}

/* One dump of every Unix socket of fd's namespace into s (net's cache lock
 * held): 0 or -errno. */
static int dump(struct net *n, struct snap *s)
{
	struct {
		struct nlmsghdr nlh;
		struct unix_diag_req r;
	} req = {
		.nlh = { .nlmsg_len = sizeof(req), .nlmsg_type = SOCK_DIAG_BY_FAMILY,
			 .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = ++n->seq },
		.r = { .sdiag_family = AF_UNIX, .udiag_states = ~0u,
		       .udiag_show = UDIAG_SHOW_NAME | UDIAG_SHOW_VFS | UDIAG_SHOW_PEER |
				     UDIAG_SHOW_ICONS | UDIAG_SHOW_RQLEN | UDIAG_SHOW_UID },
	};
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	g_autofree char *buf = g_malloc(32768);
	/* The whole dump, not only each receive, has a bound. */
	gint64 deadline = g_get_monotonic_time() + DUMP_MAX_US;

	if (sendto(n->fd, &req, sizeof(req), 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	for (;;) {
		ssize_t len = recv(n->fd, buf, 32768, 0);
		struct nlmsghdr *nh;

		if (g_get_monotonic_time() > deadline)
			return -ETIMEDOUT;
		if (len < 0 && errno == EINTR)
			continue;
		if (len <= 0)
			return len < 0 ? -errno : -EIO;	/* (a timeout: SO_RCVTIMEO) */
		for (nh = (struct nlmsghdr *)(void *)buf; NLMSG_OK(nh, len); nh = NLMSG_NEXT(nh, len)) {
			struct unix_sock u;

			/* What is left of an earlier dump that failed part way. */
			if (nh->nlmsg_seq != n->seq)
				continue;
			if (nh->nlmsg_type == NLMSG_DONE)
				return 0;
			if (nh->nlmsg_type == NLMSG_ERROR)
				return -EIO;
			if (nh->nlmsg_type != SOCK_DIAG_BY_FAMILY || s->socks->len >= SOCKS_MAX)
				continue;
			if (!unix_diag_parse(NLMSG_DATA(nh), nh->nlmsg_len - NLMSG_HDRLEN, &u,
					     s->names, s->icons))
				g_array_append_val(s->socks, u);
		}
	}
}

/* One descriptor of the /proc scan (procfd_fn): a socket of the dump is
 * kept in ctx (the holds). */
static bool hold_fd(void *ctx, int fdfd, const char *name, int fd, const char *link, size_t len,
		    uint32_t proc)
{
	struct snap *s = ctx;
	struct uhold h = { .proc = proc, .fd = fd };
	uint32_t ino;
	int64_t i;

	(void)fdfd, (void)name, (void)len;
	if (unix_link_ino(link, &ino) || (i = sock_index(s, ino)) < 0)
		return false;	/* not a socket, not Unix, or another namespace's */
	h.sock = (uint32_t)i;
	g_array_append_val(s->holds, h);
	return true;
}

/* A dump and a scan (n's cache lock held).  A failed dump gives an empty
 * snapshot: the kind shows nothing rather than an error on every name. */
static struct snapshot *scan(void *arg)
{
	struct net *n = arg;
	struct snap *s = g_new0(struct snap, 1);
	GArray *socks;

	snapshot_init(&s->base, snap_free);
	s->socks = socks = g_array_new(FALSE, FALSE, sizeof(struct unix_sock));
	s->holds = g_array_new(FALSE, FALSE, sizeof(struct uhold));
	s->procs = g_array_new(FALSE, FALSE, sizeof(struct procfd_proc));
	s->icons = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	s->names = g_string_new_len("", 1);	/* offset 0: no name */
	if (n->fd < 0 || dump(n, s)) {
		log_dbg("unix: no dump (%s)", n->fd < 0 ? "no diag socket" : "failed");
		g_array_set_size(socks, 0);
		return &s->base;
	}
	g_array_sort(socks, sock_cmp);
	/* A client whose connection waits in a listener's queue has the
	 * embryo as its peer, which has no inode: its peer is the listener
	 * (whose `icons` name it). */
	for (guint i = 0; i < socks->len; i++) {
		const struct unix_sock *l = sock_at(s, i);

		for (uint32_t k = 0; k < l->nicons; k++) {
			int64_t c = sock_index(s, g_array_index(s->icons, uint32_t, l->icons + k));
			struct unix_sock *u = c < 0 ? NULL : &g_array_index(socks, struct unix_sock, c);

			if (u && !u->peer) {
				u->peer = l->ino;
				u->flags |= UNIX_SOCK_PENDING;
			}
		}
	}
	procfd_scan(s->procs, hold_fd, s);
	g_array_sort(s->holds, hold_cmp);
	for (guint k = 0; k < s->holds->len; k++) {
		struct unix_sock *u = &g_array_index(socks, struct unix_sock, hold_at(s, k)->sock);

		if (!u->n)
			u->first = k;
		u->n++;
	}
	return &s->base;
}


/* ---- network namespaces ---- */

static struct net *net_ref(struct net *n)
{
	g_atomic_int_inc(&n->refs);
	return n;
}

static void net_unref(void *p)
{
	struct net *n = p;

	if (!n || !g_atomic_int_dec_and_test(&n->refs))
		return;
	if (n->fd >= 0)
		close(n->fd);
	snapshot_forget(&n->cache);
	g_mutex_clear(&n->cache.lock);
	g_free(n);
}
typedef struct net net;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(net, net_unref)

/* The diag socket in the calling thread's network namespace, with a
 * bound on every receive (a dump never waits for anyone, but a worker
 * must never hang on it): the fd or -1. */
static int diag_socket(void)
{
	struct timeval tv = { .tv_sec = 2 };
	/* Connected to the kernel (port 0): the kernel then takes unicasts
	 * to it from no one else, so the owner of a network namespace, who
	 * may send netlink messages there, cannot feed a dump of theirs. */
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);

	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&kernel, sizeof(kernel))) {
		close(fd);
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

static struct net *net_new(int fd)
{
	struct net *n = g_new0(struct net, 1);

	n->refs = 1;
	n->fd = fd;
	g_mutex_init(&n->cache.lock);
	return n;
}

/* The inode of a network namespace file (a /proc/PID/ns/net open), 0. */
static uint64_t netns_of(int nsfd)
{
	struct stat st;

	return nsfd >= 0 && !fstat(nsfd, &st) ? st.st_ino : 0;
}

/* A thread that joins the namespace of nsfd, makes the diag socket there
 * and ends (its namespace never reaches a worker); the socket stays in
 * the namespace it was made in. */
static gpointer join_thread(gpointer p)
{
	int *fd = p;

	if (!setns(*fd, CLONE_NEWNET))
		*fd = diag_socket();
	else
		*fd = -1;
	return NULL;
}

/* /proc/PID/ns/net opened (PID 0: init's, or the daemon's own where
 * init's cannot be opened, in a sandbox): the fd or -1. */
static int netns_open(pid_t pid)
{
	char path[64];
	int nsfd;

	snprintf(path, sizeof(path), "/proc/%d/ns/net", pid ? (int)pid : 1);
	nsfd = file_open(path, O_RDONLY);
	if (nsfd < 0 && !pid)
		nsfd = file_open("/proc/self/ns/net", O_RDONLY);
	return nsfd < 0 ? -1 : nsfd;
}

/* The diag socket of the network namespace nsfd (inode netns): the fd or
 * -1.  The daemon's own namespace needs no thread. */
static int diag_socket_in(int nsfd, uint64_t netns)
{
	int self = file_open("/proc/self/ns/net", O_RDONLY);
	uint64_t own = netns_of(self);
	int fd = nsfd;
	GThread *t;

	if (self >= 0)
		close(self);
	if (own == netns)
		return diag_socket();
	t = helper_thread_new("unix-netns", join_thread, &fd, false);
	if (t)
		g_thread_join(t);
	else
		fd = -1;
	log_dbg("unix: netns %" PRIu64 ": diag socket %d", netns, fd);
	return fd;
}

/* The top level's: the machine's network namespace, init's (PID 1 of the
 * daemon's PID namespace), whatever the daemon's own is (its unit gives it
 * a private one); the daemon's own when init's cannot be opened.  Made at
 * first use. */
static GMutex top_lock;	/* a leaf */
static struct net *top;
static uint64_t top_netns;

static struct net *top_net(void)
{
	struct net *n;

	g_mutex_lock(&top_lock);
	if (!top) {
		int nsfd = netns_open(0);

		top_netns = netns_of(nsfd);
		top = net_new(top_netns ? diag_socket_in(nsfd, top_netns) : -1);
		if (nsfd >= 0)
			close(nsfd);
	}
	n = net_ref(top);
	g_mutex_unlock(&top_lock);
	return n;
}

/* ipcfs_ns_data's make: the network namespace of the IPC namespace's
 * process; the top level's when it is the same. */
static void *net_make(void *arg)
{
	struct ipcfs_ns *ns = arg;
	pid_t pid = ipcfs_ns_pid(ns);
	uint64_t netns;
	int nsfd, fd = -1;

	net_unref(top_net());	/* (top_netns known) */
	if (pid <= 0)
		return NULL;
	/* Opened once: the namespace weighed is the one joined, whatever
	 * becomes of the pid meanwhile. */
	nsfd = netns_open(pid);
	netns = netns_of(nsfd);
	if (netns && netns != top_netns)
		fd = diag_socket_in(nsfd, netns);
	if (nsfd >= 0)
		close(nsfd);
	if (!netns)
		return NULL;
	if (netns == top_netns)
		return top_net();
	return fd < 0 ? NULL : net_new(fd);
}

static const char net_key = 0;

/* The namespace the request acts in (ns/<inode>/ or the top level): the
 * caller's reference, or NULL. */
static struct net *net_get(void)
{
	struct ipcfs_ns *ns = ipcfs_ns_current();
	struct net *n;

	if (!ns)
		return top_net();
	n = ipcfs_ns_data(ns, &net_key, net_make, ns, net_unref);
	return n ? net_ref(n) : NULL;
}

/* The current request's snapshot, no older than max_us (an empty one
 * when the namespace cannot be dumped). */
static struct snap *snap_now(gint64 since)
{
	g_autoptr(net) n = net_get();

	if (!n) {
		struct net empty = { .fd = -1 };

		return (struct snap *)scan(&empty);
	}
	return (struct snap *)snapshot_since(&n->cache, since, scan, n);
}

/* The snapshot that has `id`: the current one, or (when it has not) a new
 * one if that is older than a listing allows.  Sets *u (NULL: none). */
static struct snap *snap_with(ipcfs_id id, const struct unix_sock **u)
{
	struct snap *s = snap_now(g_get_monotonic_time() - SNAP_MAX_US);

	*u = snap_sock(s, id);
	if (!*u && g_get_monotonic_time() - s->base.taken > SNAP_LIST_US) {
		snap_unref(s);
		s = snap_now(g_get_monotonic_time() - SNAP_LIST_US);
		*u = snap_sock(s, id);
	}
	return s;
}

/* ---- who may see what: the kernel, asked as the caller ---- */

/*
 * Does u have a path name that c can look up, and is the file there still
 * u's?  Resolved as c (their fsuid, groups and capabilities), in c's own
 * root (/proc/PID/root: a container's caller in the container's file
 * system), no symlink followed: search permission on every directory is
 * theirs to have.  O_PATH opens nothing of the socket.  The name is a
 * user's (bind(2) keeps it as given), so only a plain one is walked, and
 * only through names the kernel has cached: no file system is asked on
 * the way (a name through this very mount would have the daemon ask
 * itself, a user's FUSE or NFS mount could hold the walk up).  A path not
 * in the cache is not seen by it (the socket may still be, through a
 * holder); one just bound or used is.
 */
static bool path_visible(const struct snap *s, const struct unix_sock *u, struct ipcfs_cred *c)
{
	const char *name = s->names->str + u->name;
	char path[64];
	struct stat st;
	bool ok;
	int root, fd;

	if (!u->name || !u->vfs_ino || !unix_path_plain(name) || c->pid <= 0)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/root", (int)c->pid);
	root = file_open(path, O_PATH | O_DIRECTORY);
	if (root < 0)
		return false;
	if (cred_enter_fs(c)) {
		close(root);
		return false;
	}
	fd = file_path_cached(root, name + 1);
	cred_leave_fs();
	close(root);
	if (fd < 0)
		return false;
	ok = !fstat(fd, &st) && S_ISSOCK(st.st_mode) && st.st_ino == u->vfs_ino &&
	     st.st_dev == unix_vfs_dev(u->vfs_dev);
	close(fd);
	return ok;
}

/* Is some holder of u visible in vis (procfd_visible)? */
static bool holder_visible(const struct snap *s, const struct unix_sock *u, const int8_t *vis)
{
	for (uint32_t k = u->first; k < u->first + u->n; k++)
		if (vis[hold_at(s, k)->proc] > 0)
			return true;
	return false;
}

/* Those who may read every process's descriptors (CAP_SYS_PTRACE where
 * the daemon stands: ptrace-read of anyone) see every socket, and only
 * they a socket no process holds (in flight in a message, or the
 * kernel's own).  Asked once: the kernel's answer for each holder would
 * be the same, at a capset and an access(2) each. */
#define CAP_SYS_PTRACE 19
static bool sees_all(struct ipcfs_cred *c)
{
	return !c || cred_capable_daemon_ns(c, CAP_SYS_PTRACE);
}

/* May c see u? */
static bool may_see(const struct snap *s, const struct unix_sock *u, struct ipcfs_cred *c)
{
	g_autofree bool *only = NULL;
	g_autofree int8_t *vis = NULL;

	if (sees_all(c))
		return true;
	if (u->n) {
		only = g_new0(bool, MAX(s->procs->len, 1));
		for (uint32_t k = u->first; k < u->first + u->n; k++)
			only[hold_at(s, k)->proc] = true;
		vis = procfd_visible(s->procs, c, only);
		if (holder_visible(s, u, vis))
			return true;
	}
	return path_visible(s, u, c);
}

/* ---- objects ---- */

static void fill_obj(const struct unix_sock *u, struct ipcfs_obj *o)
{
	bool listener = u->state == 10;	/* TCP_LISTEN */

	memset(o, 0, sizeof(*o));
	o->id = u->ino;
	o->uid = o->cuid = (u->flags & UNIX_SOCK_HAS_UID) ? u->uid : 0;
	/* Nothing of a socket's own is writable here: searchable and
	 * readable, as its files are. */
	o->mode = 0555;
	NUMS(o)->ino = u->ino;
	NUMS(o)->type = u->type;
	NUMS(o)->state = u->state;
	/* A listener's queue numbers are connections: pending, backlog. */
	NUMS(o)->rqueue = listener ? 0 : u->rq;
	NUMS(o)->wqueue = listener ? 0 : u->wq;
	NUMS(o)->pending = listener ? u->rq : 0;
	NUMS(o)->backlog = listener ? u->wq : 0;
	NUMS(o)->peer = u->peer;
	NUMS(o)->unaccepted = !!(u->flags & UNIX_SOCK_PENDING);
	NUMS(o)->holders = u->n;
}

static int unix_list(const struct ipcfs_backend *be, struct ipcfs_cred *c, GArray *out)
{
	/* A listing (once per opendir) shows every socket made before it. */
	g_autoptr(snap) s = snap_now(g_get_monotonic_time());
	bool all = sees_all(c);
	g_autofree int8_t *vis = procfd_visible(s->procs, all ? NULL : c, NULL);

	(void)be;
	for (guint i = 0; i < s->socks->len; i++) {
		const struct unix_sock *u = sock_at(s, i);
		struct ipcfs_obj o;

		if (!all && !holder_visible(s, u, vis) && !path_visible(s, u, c))
			continue;
		fill_obj(u, &o);
		g_array_append_val(out, o);
	}
	return 0;
}

static int unix_stat(const struct ipcfs_backend *be, struct ipcfs_cred *c, ipcfs_id id,
		     struct ipcfs_obj *out)
{
	const struct unix_sock *u;
	g_autoptr(snap) s = snap_with(id, &u);

	(void)be;
	if (!u || !may_see(s, u, c))
		return -ENOENT;
	fill_obj(u, out);
	return 0;
}

static void unix_objname(const struct ipcfs_backend *be, const struct ipcfs_obj *o, char *buf,
			 size_t size)
{
	(void)be;
	format_dec(buf, size, o->id);
}

static int unix_resolve(const struct ipcfs_backend *be, struct ipcfs_cred *c, const char *name,
			ipcfs_id *id, bool *alias)
{
	uint64_t ino;
	struct ipcfs_obj o;

	*alias = false;
	/* Canonical decimals only: "007" is not socket 7. */
	if (parse_canonical(name, name + strlen(name), UINT32_MAX, &ino))
		return -ENOENT;
	*id = (ipcfs_id)ino;
	return unix_stat(be, c, *id, &o);
}

static void unix_labels(const struct ipcfs_backend *be, const struct ipcfs_obj *o, GString *out)
{
	(void)be;
	g_string_append_printf(out, "socket=\"%" PRId64 "\",type=\"%s\"", o->id,
			       unix_type_name((unsigned)NUMS(o)->type));
}

static bool unix_same(const struct ipcfs_backend *be, const struct ipcfs_obj *was,
		      const struct ipcfs_obj *now)
{
	(void)be;
	return NUMS(was)->ino == NUMS(now)->ino && NUMS(was)->type == NUMS(now)->type;
}

/* The name of socket id in the current snapshot ("" when unnamed, NULL
 * when gone). */
static const char *name_of(const struct snap *s, ipcfs_id id)
{
	const struct unix_sock *u = snap_sock(s, id);

	return u ? s->names->str + u->name : NULL;
}

static void unix_info(const struct ipcfs_backend *be, const struct ipcfs_obj *o, GString *out)
{
	g_autoptr(snap) s = snap_now(g_get_monotonic_time() - SNAP_MAX_US);
	const char *name = name_of(s, (ipcfs_id)o->id);

	(void)be;
	/* Appended, not printed: every `info` of a walk over unix/ comes
	 * here, and printf was most of its cost. */
	g_string_append(out, "type: ");
	g_string_append(out, unix_type_name((unsigned)NUMS(o)->type));
	g_string_append(out, "\nstate: ");
	g_string_append(out, unix_state_name((unsigned)NUMS(o)->state));
	if (name && *name) {
		g_string_append(out, "\nname: ");
		g_string_append(out, name);
	}
	g_string_append(out, "\npeer: ");
	format_value(out, IPCFS_FMT_DEC, NUMS(o)->peer);
	g_string_append_c(out, '\n');
}

/* ---- the files ---- */

static int type_text(const struct ipcfs_obj *o, uint64_t sub, struct ipcfs_cred *reader,
		     GString *out)
{
	(void)sub, (void)reader;
	g_string_append_printf(out, "%s\n", unix_type_name((unsigned)NUMS(o)->type));
	return 0;
}

static int state_text(const struct ipcfs_obj *o, uint64_t sub, struct ipcfs_cred *reader,
		      GString *out)
{
	(void)sub, (void)reader;
	g_string_append_printf(out, "%s\n", unix_state_name((unsigned)NUMS(o)->state));
	return 0;
}

static int name_text(const struct ipcfs_obj *o, uint64_t sub, struct ipcfs_cred *reader,
		     GString *out)
{
	const struct unix_sock *u;
	g_autoptr(snap) s = snap_with((ipcfs_id)o->id, &u);

	(void)sub, (void)reader;
	if (!u)
		return -EIDRM;
	if (u->name)
		g_string_append_printf(out, "%s\n", s->names->str + u->name);
	return 0;
}

/* ends: `PID COMMAND FD` for each descriptor of a holder the reader may
 * see; the others' processes counted on a last line `hidden N`. */
struct ends_ctx {
	const struct snap *s;
	const struct unix_sock *u;
};

static uint32_t end_proc(void *ctx, uint32_t k)
{
	const struct ends_ctx *e = ctx;

	return hold_at(e->s, e->u->first + k)->proc;
}

static void end_line(void *ctx, uint32_t k, const struct procfd_proc *p, GString *out)
{
	const struct ends_ctx *e = ctx;

	g_string_append_printf(out, "%d %s %d\n", p->pid, p->comm, hold_at(e->s, e->u->first + k)->fd);
}

static int ends_text(const struct ipcfs_obj *o, uint64_t sub, struct ipcfs_cred *reader,
		     GString *out)
{
	struct ends_ctx e;
	g_autoptr(snap) s = snap_with((ipcfs_id)o->id, &e.u);

	(void)sub;
	if (!e.u)
		return -EIDRM;
	e.s = s;
	procfd_ends_text(s->procs, reader, e.u->n, end_proc, end_line, &e, out);
	return 0;
}

/* peer -> ../<ino>: the other end (a pending client's: the listener). */
static int peer_link(const struct ipcfs_obj *o, uint64_t sub, char *buf, size_t size)
{
	(void)sub;
	if (!NUMS(o)->peer)
		return -ENOENT;
	snprintf(buf, size, "../%" PRId64, NUMS(o)->peer);
	return 0;
}

static const struct ipcfs_file unix_files[] = {
	{ .name = "ends", .mode = S_IFREG | 0444, .text = ends_text },
	{ .name = "type", .mode = S_IFREG | 0444, .text = type_text },
	{ .name = "state", .mode = S_IFREG | 0444, .text = state_text },
	{ .name = "name", .mode = S_IFREG | 0444, .text = name_text },
	{ .name = "peer", .mode = S_IFLNK | 0777, .link = peer_link },
};

#define F(n, m, f) IPCFS_FIELD(n, m, f, NULL)
#define N(n, m, f) IPCFS_FIELD_NUM(n, struct unix_nums, m, f, NULL)
static const struct ipcfs_field unix_fields[] = {
	N("ino", ino, IPCFS_FMT_DEC),
	N("rqueue", rqueue, IPCFS_FMT_DEC),
	N("wqueue", wqueue, IPCFS_FMT_DEC),
	N("backlog", backlog, IPCFS_FMT_DEC),
	N("pending", pending, IPCFS_FMT_DEC),
	N("unaccepted", unaccepted, IPCFS_FMT_BOOL),
	N("holders", holders, IPCFS_FMT_DEC),
	F("uid", uid, IPCFS_FMT_DEC),
	{ 0 }
};

/* ---- metrics: totals, and one series per stuck socket ---- */

/* stuck_end's keep: a socket of another namespace (its own readings
 * judge it), still stuck, or not listed for this reader (a reader who
 * sees less forgets less of others, never more). */
struct keep_ctx {
	const struct snap *s;
	const struct net *n;
	GHashTable *listed;
};

static bool keep_sock(void *ctx, ipcfs_id id, const void *tag, bool now)
{
	const struct keep_ctx *k = ctx;

	if (tag != k->n)
		return true;
	return snap_sock(k->s, id) && (now || !g_hash_table_contains(k->listed, GUINT_TO_POINTER(id)));
}

/* Why u is stuck now, or NULL: a listener whose backlog is full (a
 * connect waits or fails), or a socket with bytes not read. */
static const char *stuck_why(const struct unix_sock *u)
{
	if (unix_backlog_full(u))
		return "backlog";
	if (u->state != 10 && u->rq)
		return "unread";
	return NULL;
}

static void unix_metrics(GArray *objs, char **labels, struct ipcfs_cred *reader, GString *out)
{
	g_autoptr(net) n = net_get();
	g_autoptr(snap) s = snap_now(g_get_monotonic_time() - SNAP_MAX_US);
	g_autoptr(GString) series = g_string_new(NULL);
	g_autoptr(GHashTable) listed = g_hash_table_new(g_direct_hash, g_direct_equal);
	struct keep_ctx keep = { .s = s, .n = n, .listed = listed };
	g_autofree int8_t *vis = procfd_visible(s->procs, reader, NULL);
	int64_t queued = 0, full = 0, hidden = 0;
	unsigned dropped;

	/* Hidden: sockets held only by processes the reader may not see. */
	for (guint i = 0; i < s->socks->len; i++) {
		const struct unix_sock *u = sock_at(s, i);
		bool seen = false, unseen = false;

		for (uint32_t k = u->first; k < u->first + u->n; k++) {
			seen |= vis[hold_at(s, k)->proc] > 0;
			unseen |= vis[hold_at(s, k)->proc] == 0;
		}
		hidden += !seen && unseen;
	}
	stuck_begin(&stuck);
	for (guint i = 0; i < objs->len; i++) {
		const struct unix_sock *u = snap_sock(s, (ipcfs_id)g_array_index(objs, struct ipcfs_obj, i).id);
		const char *why;

		if (!u)
			continue;
		g_hash_table_add(listed, GUINT_TO_POINTER(u->ino));
		if (u->state != 10)
			queued += u->rq;
		full += unix_backlog_full(u);
		why = stuck_why(u);
		/* It takes a share of the person of its first holder, or,
		 * in flight (no process holds it), of the uid the kernel
		 * recorded: the table keeps each to a tenth. */
		if (why)
			stuck_mark(&stuck, u->ino, n,
				   u->n ? procfd_at(s->procs, hold_at(s, u->first)->proc)->pid : 0,
				   (u->flags & UNIX_SOCK_HAS_UID) ? (int64_t)u->uid : -1, labels[i], why,
				   series);
	}
	dropped = stuck.dropped;
	stuck_end(&stuck, keep_sock, &keep);
	g_string_append_printf(out,
		"# HELP ipcfs_unix_queued_bytes Bytes waiting to be read in the Unix sockets the reader may see (a datagram socket counts its next datagram).\n"
		"# TYPE ipcfs_unix_queued_bytes gauge\nipcfs_unix_queued_bytes %" PRId64 "\n"
		"# HELP ipcfs_unix_listeners_full Listening sockets whose backlog is full: a connect waits or fails.\n"
		"# TYPE ipcfs_unix_listeners_full gauge\nipcfs_unix_listeners_full %" PRId64 "\n",
		queued, full);
	stuck_write(out, "unix", "Unix sockets", "How long a Unix socket has been stuck: a "
		    "listener's backlog full, or a receive queue never found empty", hidden, dropped,
		    series);
}

/* ---- options and lifetime ---- */

static const struct fuse_opt unix_opts[] = {
	{ "unix_stuck=%s", offsetof(typeof(unix_optv), stuck), 1 },
	FUSE_OPT_END
};

static int unix_opts_check(void)
{
	return stuck_option(&stuck, "unix_stuck", unix_optv.stuck);
}

static void unix_shutdown(const struct ipcfs_backend *be)
{
	(void)be;
	g_mutex_lock(&top_lock);
	net_unref(top);
	top = NULL;
	g_mutex_unlock(&top_lock);
	stuck_clear(&stuck);
}

static void unix_ns_info(const struct ipcfs_backend *be, GString *out)
{
	(void)be;
	g_string_append(out, "unix: the sockets of the network namespace of this IPC namespace's process\n");
}

const struct ipcfs_backend unix_backend = {
	.name = "unix",
	.list = unix_list,
	.stat = unix_stat,
	.set = procfd_set,
	.resolve = unix_resolve,
	.objname = unix_objname,
	.labels = unix_labels,
	.same = unix_same,
	.access = procfd_access,
	.owner = procfd_owner,
	.info = unix_info,
	.fields = unix_fields,
	.files = unix_files,
	.nfiles = G_N_ELEMENTS(unix_files),
	.metrics = unix_metrics,
	.opts = unix_opts,
	.opts_data = &unix_optv,
	.opts_check = unix_opts_check,
	.opts_help = "    -o unix_stuck=SECS     a listener with a full backlog, or a socket whose\n"
		     "                           receive queue is not drained, this long gets a\n"
		     "                           metrics series (60)\n",
	.shutdown = unix_shutdown,
	.ns_info = unix_ns_info,
};
