/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * userns.h - user namespaces as the kernel weighs capabilities in them
 * (fs/userns.c): the chain of namespaces that owns an IPC namespace, the
 * one a process stands in, and the capabilities a caller has in a chain.
 * A leaf: it reads nsfs and /proc, and calls nothing else of fs/ but
 * file.c; cred.c, quota.c, ns.c and ptrace.c build on it.
 */
#pragma once
#include "ipcfs.h"

/* The user namespaces that own an IPC namespace (or that a process stands
 * in), from the first up: inode numbers and the euid that created each
 * (NS_GET_OWNER_UID). */
#define USERNS_DEPTH_MAX 40	/* the kernel nests at most 32 */
struct userns_chain {
	uint64_t ns[USERNS_DEPTH_MAX];
	uid_t owner[USERNS_DEPTH_MAX];
	int len;
};

/* Read the daemon's own user namespace and the chain that owns the served
 * IPC namespace, once, after joining it (main.c). */
void userns_init(void);
/* The chain that owns the served IPC namespace (the top level's). */
const struct userns_chain *userns_top_chain(void);
/* The chain of the IPC namespace open at `ipc_fd` (NS_GET_USERNS ...). */
void userns_chain_of_ipc(int ipc_fd, struct userns_chain *out);
/* The chain from the user namespace open at `userns_fd` (closed here) up,
 * as far as the daemon may see (NS_GET_PARENT stops at its own). */
void userns_walk(int userns_fd, struct userns_chain *out);
/* The chain from the user namespace process pid stands in: 0, or -errno
 * (gone). */
int userns_chain_of_pid(pid_t pid, struct userns_chain *out);
/* The user namespace thread `pid` stands in (its inode number), or 0. */
uint64_t userns_of(pid_t pid);
/*
 * The kernel's cap_capable() walk (security/commoncap.c): `caps` of a
 * caller standing in user namespace `caller_ns` whose euid is `euid`, as
 * they count in chain[0]; chain[i + 1] is chain[i]'s parent and owners[i]
 * the euid that created chain[i] (len entries).  Pure.
 */
uint64_t userns_caps_in_chain(uint64_t caller_ns, uid_t euid, uint64_t caps,
			      const uint64_t *chain, const uid_t *owners, int len);
