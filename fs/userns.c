// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * userns.c - user namespaces (see userns.h).
 *
 * Capabilities belong to a user namespace.  The kernel checks them with
 * ns_capable() against the user namespace that owns the IPC namespace
 * served (ipc/util.c), and security/commoncap.c:cap_capable() walks from
 * that namespace up to the top: a caller's effective capabilities count
 * where it stands in its own user namespace; a caller standing in the
 * parent of a namespace on the way, whose euid created that namespace, has
 * every capability in it; anyone else (in a child user namespace, as after
 * `unshare -Ur`, or in an unrelated one) has none.  The chain, from the
 * owner up, is read with nsfs's ioctls (NS_GET_USERNS, NS_GET_PARENT,
 * NS_GET_OWNER_UID); a process's user namespace is /proc/TID/ns/user.
 */
#include "userns.h"

#include <fcntl.h>
#include <stdio.h>
#include <linux/nsfs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

/* Written once by userns_init, before any thread; read-only after. */
static struct userns_chain top_chain;	/* the top level's */
static uint64_t userns_self;	/* the daemon's own user namespace */

static uint64_t ns_ino(int fd)
{
	struct stat st;

	return fstat(fd, &st) ? 0 : (uint64_t)st.st_ino;
}

void userns_walk(int u, struct userns_chain *out)
{
	out->len = 0;
	while (u >= 0 && out->len < USERNS_DEPTH_MAX) {
		int parent;

		out->ns[out->len] = ns_ino(u);
		if (ioctl(u, NS_GET_OWNER_UID, &out->owner[out->len]))
			out->owner[out->len] = (uid_t)-1;
		out->len++;
		parent = ioctl(u, NS_GET_PARENT);	/* EPERM at the top */
		close(u);
		u = parent;
	}
	if (u >= 0)
		close(u);
}

void userns_chain_of_ipc(int ipc_fd, struct userns_chain *out)
{
	userns_walk(ioctl(ipc_fd, NS_GET_USERNS), out);
	if (!out->len && userns_self) {
		/* No nsfs ioctls: only the daemon's own user namespace counts. */
		out->ns[0] = userns_self;
		out->owner[0] = (uid_t)-1;
		out->len = 1;
	}
}

int userns_chain_of_pid(pid_t pid, struct userns_chain *out)
{
	char path[PROC_PATH_MAX];
	int fd;

	proc_path(path, pid, "ns/user");
	fd = file_open(path, O_RDONLY);
	if (fd < 0)
		return fd;
	userns_walk(fd, out);
	return 0;
}

void userns_init(void)
{
	int fd = file_open("/proc/self/ns/user", O_RDONLY);

	if (fd >= 0) {
		userns_self = ns_ino(fd);
		close(fd);
	}
	fd = file_open("/proc/self/ns/ipc", O_RDONLY);
	top_chain.len = 0;
	if (fd >= 0) {
		userns_chain_of_ipc(fd, &top_chain);
		close(fd);
	}
}

const struct userns_chain *userns_top_chain(void)
{
	return &top_chain;
}

uint64_t userns_daemon(void)
{
	return userns_self;
}

uint64_t userns_of(pid_t pid)
{
	char path[PROC_PATH_MAX];
	struct stat st;

	proc_path(path, pid, "ns/user");
	return stat(path, &st) ? 0 : (uint64_t)st.st_ino;
}

uint64_t userns_caps_in_chain(uint64_t caller_ns, uid_t euid, uint64_t caps,
			      const uint64_t *chain, const uid_t *owners, int len)
{
	for (int i = 0; i < len; i++) {
		if (chain[i] == caller_ns)
			return caps;
		if (i + 1 < len && chain[i + 1] == caller_ns && owners[i] == euid)
			return ~UINT64_C(0);
	}
	return 0;
}
