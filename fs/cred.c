// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cred.c - who is calling, and acting as them.
 *
 * FUSE tells us the caller's uid, gid and thread id.  Groups and effective
 * capabilities come from /proc/TID/status, read only when the cheap owner
 * test cannot settle a decision (root callers, group access).
 *
 * Acting as the caller: with their euid and egid, so that the kernel
 * records them as creator (cuid/cgid) and owner, or with their fs
 * credentials, so that the kernel decides on files as for them (create.c
 * says which a kind wants).  setresuid() and friends in glibc change every
 * thread of the process; the raw system calls change only the calling
 * thread, which is what a multi-threaded daemon needs.  Capabilities
 * count in user namespaces: userns.c has the chains.
 */
#include "userns.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

void cred_from_req(fuse_req_t req, struct ipcfs_cred *c)
{
	const struct fuse_ctx *ctx = fuse_req_ctx(req);

	memset(c, 0, sizeof(*c));
	c->uid = ctx->uid;
	c->gid = ctx->gid;
	c->pid = ctx->pid;
}

/*
 * Capabilities count in a user namespace (userns.h): for a request, in the
 * one that owns the IPC namespace it acts in, whose chain the cred
 * carries (cred_act_in; NULL: the top level's).
 */

/* Is `id` inside one of the ranges of a /proc/PID/{uid,gid}_map, as the
 * daemon (in the initial user namespace) reads it: "inside outside count"? */
static bool id_in_map(pid_t pid, const char *which, uint32_t id)
{
	g_autofree char *text = NULL;
	char path[PROC_PATH_MAX];

	snprintf(path, sizeof(path), "/proc/%d/%s_map", (int)pid, which);
	text = file_read(path, FILE_PROC_MAX, NULL);
	if (!text)
		return false;
	for (char *line = text; line && *line;) {
		char *nl = strchr(line, '\n');
		unsigned long inside, outside, count;

		if (sscanf(line, "%lu %lu %lu", &inside, &outside, &count) == 3 &&
		    id >= outside && id - outside < count)
			return true;
		line = nl ? nl + 1 : NULL;
	}
	return false;
}

static bool ids_in_maps(pid_t pid, uid_t uid, gid_t gid)
{
	return id_in_map(pid, "uid", uid) && id_in_map(pid, "gid", gid);
}

/* Does the caller's thread stand in the IPC namespace it acts in? */
static bool in_acted_ipc_ns(const struct ipcfs_cred *c)
{
	char path[PROC_PATH_MAX];
	struct stat st;

	proc_path(path, c->pid, "ns/ipc");
	return c->ns_ino && !stat(path, &st) && (uint64_t)st.st_ino == c->ns_ino;
}

/* The user namespaces that own the IPC namespace c acts in. */
static const struct userns_chain *chain_of(const struct ipcfs_cred *c)
{
	return c->chain ? c->chain : userns_top_chain();
}

/* A process standing in user namespace `ino` (hint first), or 0. */
static pid_t process_in_userns(uint64_t ino, pid_t hint)
{
	struct dirent *de;
	pid_t found = 0;
	DIR *d;

	if (hint > 0 && userns_of(hint) == ino)
		return hint;
	d = opendir("/proc");
	if (!d)
		return 0;
	while (!found && (de = readdir(d)))
		if (g_ascii_isdigit(de->d_name[0]) && userns_of(atoi(de->d_name)) == ino)
			found = atoi(de->d_name);
	closedir(d);
	return found;
}

/*
 * IPC_SET reads the owner's ids in the caller's user namespace
 * (ipc/util.c ipc_update_perm: make_kuid(current_user_ns())).  Natively
 * the caller stands in the IPC namespace it acts on.  One acting under
 * ns/<inode>/ from outside would have to join it first, and setns(2) to an
 * IPC namespace wants CAP_SYS_ADMIN where the caller stands: root joins
 * from its own user namespace (and names every id), anyone else must
 * first enter the user namespace that owns the IPC namespace (`nsenter -U
 * -i`, which its creator may), where the ids are then read.  So that is
 * where they must map for such a caller, else EINVAL, as the kernel says.
 */
bool cred_ids_mappable(struct ipcfs_cred *c, uid_t uid, gid_t gid)
{
	const struct userns_chain *ch = chain_of(c);
	uint64_t owner;
	pid_t pid;

	cred_load(c);
	if (!c->userns)
		return false;	/* gone, or cannot tell */
	if (in_acted_ipc_ns(c) || ((c->cap_eff >> IPCFS_CAP_SYS_ADMIN) & 1)) {
		/* The daemon's own user namespace: every id maps. */
		return c->userns == userns_daemon() || ids_in_maps(c->pid, uid, gid);
	}
	owner = ch->len ? ch->ns[0] : userns_daemon();
	if (owner == userns_daemon())
		return true;
	/* Its map, as a process standing in it shows it (and still does). */
	pid = process_in_userns(owner, c->ns_pid);
	return pid > 0 && ids_in_maps(pid, uid, gid) && userns_of(pid) == owner;
}

/* The caller's capabilities as they count in the IPC namespace it acts
 * in (ns/<inode>/: that one's owner chain; else the top level's): none
 * where its user namespace cannot be told. */
static void caps_count(struct ipcfs_cred *c)
{
	const struct userns_chain *ch = chain_of(c);

	c->caps = c->userns ? userns_caps_in_chain(c->userns, c->euid, c->cap_eff, ch->ns,
						   ch->owner, ch->len) : 0;
}

void cred_act_in(struct ipcfs_cred *c, struct ipcfs_ns *ns, uint64_t ns_ino, pid_t ns_pid,
		 const struct userns_chain *chain)
{
	c->ns = ns;
	c->ns_ino = ns_ino;
	c->ns_pid = ns_pid;
	c->chain = chain;
	if (c->loaded)
		caps_count(c);
}

int cred_load(struct ipcfs_cred *c)
{
	g_autofree char *text = NULL;
	int r;

	if (c->loaded)
		return 0;
	text = status_read(c->pid);
	if (!text)
		return c->pid <= 0 ? -ESRCH : -EIO;
	r = perm_parse_status(text, c);
	if (!r) {
		c->cap_eff = c->caps;
		c->userns = userns_of(c->pid);
		caps_count(c);
	}
	return r;
}

bool cred_capable_over(struct ipcfs_cred *c, pid_t pid, int cap)
{
	struct userns_chain ch;

	if (cred_load(c) || !c->userns || userns_chain_of_pid(pid, &ch) || !ch.len)
		return false;
	return (userns_caps_in_chain(c->userns, c->euid, c->cap_eff, ch.ns, ch.owner, ch.len) >>
		cap) & 1;
}

/* Every group on the caller's Groups: line (guint64), or NULL when it
 * cannot be read. */
static GArray *status_groups(pid_t pid)
{
	g_autofree char *text = status_read(pid);
	const char *line = text ? status_line(text, "Groups") : NULL;
	GArray *a = g_array_new(FALSE, FALSE, sizeof(guint64));

	if (!text) {
		g_array_unref(a);
		return NULL;
	}
	if (line)
		status_numbers(line, 10, a);	/* as far as it goes */
	return a;
}

int64_t cred_group_beyond(struct ipcfs_cred *c, int64_t g1, int64_t g2)
{
	g_autoptr(GArray) a = status_groups(c->pid);

	if (!a)
		return -2;
	for (guint i = 0; i < a->len; i++) {
		int64_t g = (int64_t)g_array_index(a, guint64, i);

		if (g == g1 || g == g2)
			return g;
	}
	return -1;
}

/* Task pid's effective capabilities, from capget(2): 0, or -1 when it
 * cannot be asked (gone, or no pid). */
static int caps_of(pid_t pid, uint64_t *eff)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3,
						.pid = pid };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];

	if (pid <= 0 || syscall(SYS_capget, &hdr, d))
		return -1;
	*eff = (uint64_t)d[1].effective << 32 | d[0].effective;
	return 0;
}

bool cred_capable_daemon_ns(struct ipcfs_cred *c, int cap)
{
	uint64_t eff, ns;

	/*
	 * Not loaded yet, as for most requests of pipes/ and unix/: the same
	 * answer as cred_fs_caps' from capget(2) and the caller's user
	 * namespace, without reading and parsing /proc/PID/status (a fifth
	 * of the daemon's time reading every unix/N/info, measured).  Without
	 * the capability, the namespace does not matter.
	 */
	if (!c->loaded && !caps_of(c->pid, &eff)) {
		if (!((eff >> cap) & 1))
			return false;
		ns = userns_of(c->pid);
		return ns && ns == userns_daemon();
	}
	cred_load(c);
	return (cred_fs_caps(c) >> cap) & 1;
}

int cred_enter(struct ipcfs_cred *c)
{
	/* Group first: changing euid away from 0 drops CAP_SETGID. */
	if (syscall(SYS_setresgid, -1, c->gid, -1))
		return -errno;
	if (syscall(SYS_setresuid, -1, c->uid, -1)) {
		int e = errno;

		syscall(SYS_setresgid, -1, getgid(), -1);
		return -e;
	}
	return 0;
}

void cred_leave(void)
{
	/* Back to euid 0 first, which restores the effective capabilities. */
	if (syscall(SYS_setresuid, -1, getuid(), -1) ||
	    syscall(SYS_setresgid, -1, getgid(), -1))
		log_err("cannot restore the daemon's credentials: %s", g_strerror(errno));
}

/*
 * Acting on files as the caller.  The kernel's file permission rules (mode
 * bits, ACLs, supplementary groups, CAP_DAC_OVERRIDE and CAP_FOWNER) are
 * applied by the kernel itself when the thread opens, creates, chmods or
 * unlinks with the caller's fsuid, fsgid, groups and effective
 * capabilities: no rule is written out here.  Raw system calls, since
 * glibc's setgroups changes every thread of the process.
 */
static struct __user_cap_data_struct daemon_caps[_LINUX_CAPABILITY_U32S_3];

/* Every supplementary group of the caller (a cred holds the first 64). */
static GArray *all_groups(struct ipcfs_cred *c)
{
	GArray *a = NULL;

	if (c->ngroups == (int)G_N_ELEMENTS(c->groups))
		a = status_groups(c->pid);
	if (!a) {
		a = g_array_new(FALSE, FALSE, sizeof(guint64));
		for (int i = 0; i < c->ngroups; i++) {
			guint64 g = c->groups[i];

			g_array_append_val(a, g);
		}
	}
	return a;
}

uint64_t cred_fs_caps(struct ipcfs_cred *c)
{
	return c->loaded && c->userns && c->userns == userns_daemon() ? c->cap_eff : 0;
}

int cred_enter_fs(struct ipcfs_cred *c)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct caps[_LINUX_CAPABILITY_U32S_3];
	g_autoptr(GArray) groups = NULL;
	g_autofree gid_t *list = NULL;
	uint64_t fs_caps;
	int r;

	r = cred_load(c);
	if (r)
		return r;
	if (!daemon_caps[0].permitted && syscall(SYS_capget, &hdr, daemon_caps))
		return -errno;
	groups = all_groups(c);
	list = g_new(gid_t, MAX(groups->len, 1));
	for (guint i = 0; i < groups->len; i++)
		list[i] = (gid_t)g_array_index(groups, guint64, i);
	if (syscall(SYS_setgroups, (size_t)groups->len, list))
		return -errno;
	/* setfs*id return the old id and cannot fail in a way they report. */
	syscall(SYS_setfsgid, c->gid);
	syscall(SYS_setfsuid, c->uid);
	/*
	 * The thread stands in the daemon's user namespace, where a
	 * capability overrides permissions on every file of the machine.  So
	 * it gets the caller's capabilities only when the caller holds them
	 * there (stands in the daemon's own user namespace), never those a
	 * caller has as root of a user namespace of its own, and never more
	 * than the daemon's.
	 */
	fs_caps = cred_fs_caps(c);
	memcpy(caps, daemon_caps, sizeof(caps));
	caps[0].effective = daemon_caps[0].permitted & (uint32_t)fs_caps;
	caps[1].effective = daemon_caps[1].permitted & (uint32_t)(fs_caps >> 32);
	if (syscall(SYS_capset, &hdr, caps)) {
		r = -errno;
		cred_leave_fs();
		return r;
	}
	return 0;
}

void cred_leave_fs(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };

	if (syscall(SYS_capset, &hdr, daemon_caps) ||
	    syscall(SYS_setgroups, (size_t)0, NULL))
		log_err("cannot restore the daemon's credentials: %s", g_strerror(errno));
	syscall(SYS_setfsuid, getuid());
	syscall(SYS_setfsgid, getgid());
}
