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

int cred_load(struct ipcfs_cred *c)
{
	char path[64], buf[4096];
	ssize_t n;
	int fd;

	if (c->loaded)
		return 0;
	if (c->pid <= 0)
		return -ESRCH;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)c->pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	return perm_parse_status(buf, c);
}

int cred_check(struct ipcfs_cred *c, const struct ipcfs_obj *o, int want)
{
	if (!want)
		return 0;
	if (!c->loaded) {
		/* The owner class is decided by uid alone. */
		if (((int64_t)c->uid == o->uid || (int64_t)c->uid == o->cuid) &&
		    !(want & ~(o->mode >> 6) & 07))
			return 0;
		cred_load(c);	/* on failure: no groups, no caps */
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
