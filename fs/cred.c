// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cred.c - who is calling, and acting as them.
 *
 * FUSE tells us the caller's uid, gid and thread id.  Groups and effective
 * capabilities come from /proc/TID/status, read only when the cheap owner
 * test cannot settle a decision (root callers, group access).
 *
 * Creation runs as the caller so that the kernel records them as creator
 * (cuid/cgid) and owner.  setresuid() and friends in glibc change every
 * thread of the process; the raw system calls change only the calling
 * thread, which is what a multi-threaded daemon needs.
 */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* The whole of /proc/PID/status (a caller with a few hundred groups has
 * a Groups: line longer than 4 KiB, and CapEff comes after it), or NULL. */
static GString *status_read(pid_t pid)
{
	GString *text;
	char path[64], buf[4096];
	ssize_t n;
	int fd;

	if (pid <= 0)
		return NULL;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	text = g_string_sized_new(sizeof(buf));
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		g_string_append_len(text, buf, n);
	close(fd);
	if (n < 0 || !text->len) {
		g_string_free(text, TRUE);
		return NULL;
	}
	return text;
}

int cred_load(struct ipcfs_cred *c)
{
	g_autoptr(GString) text = NULL;

	if (c->loaded)
		return 0;
	text = status_read(c->pid);
	if (!text)
		return c->pid <= 0 ? -ESRCH : -EIO;
	return perm_parse_status(text->str, c);
}

/* The first of g1, g2 on the Groups: line of `text`, or -1. */
static int64_t status_group(const char *text, int64_t g1, int64_t g2)
{
	const char *p = strstr(text, "\nGroups:");

	for (p = p ? p + 8 : ""; *p && *p != '\n';) {
		char *end;
		unsigned long g;

		while (*p == ' ' || *p == '\t')
			p++;
		g = strtoul(p, &end, 10);
		if (end == p)
			break;
		if ((int64_t)g == g1 || (int64_t)g == g2)
			return (int64_t)g;
		p = end;
	}
	return -1;
}

static bool listed_member(const struct ipcfs_cred *c, const struct ipcfs_obj *o)
{
	if ((int64_t)c->gid == o->gid || (int64_t)c->gid == o->cgid)
		return true;
	for (int i = 0; i < c->ngroups; i++)
		if ((int64_t)c->groups[i] == o->gid || (int64_t)c->groups[i] == o->cgid)
			return true;
	return false;
}

int cred_check(struct ipcfs_cred *c, const struct ipcfs_obj *o, int want)
{
	bool owner = (int64_t)c->uid == o->uid || (int64_t)c->uid == o->cuid;

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
	    !listed_member(c, o)) {
		g_autoptr(GString) text = status_read(c->pid);
		int64_t g = text ? status_group(text->str, o->gid, o->cgid) : -2;

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

int cred_check_owner(struct ipcfs_cred *c, const struct ipcfs_obj *o)
{
	if ((int64_t)c->uid == o->uid || (int64_t)c->uid == o->cuid)
		return 0;
	cred_load(c);
	return perm_decide_owner(c, o) ? 0 : -EPERM;
}

bool cred_capable(struct ipcfs_cred *c, int cap)
{
	cred_load(c);
	return perm_has_cap(c, cap);
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
