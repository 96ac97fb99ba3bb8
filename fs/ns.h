/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ns.h - the IPC namespaces of ns/<inode>/ (fs/ns.c): the table, acting in
 * one, who may see one, and the generated files of ns/.
 */
#pragma once
#include "ipcfs.h"
#include "node.h"
#include "util.h"

/* Open the daemon's own namespace (the top level), after main.c joined
 * it and before any thread exists.  0 or -errno. */
int ns_init(void);
void ns_shutdown(void);

/* The namespace of index idx, held (ns_put), for caller `c` (NULL: the
 * daemon): 0 with *out NULL for idx 0 (the top level); -ENOENT when it is
 * gone or c may not see it. */
int ns_get(unsigned idx, struct ipcfs_cred *c, struct ipcfs_ns **out);
void ns_hold(struct ipcfs_ns *e);
void ns_put(struct ipcfs_ns *e);
/* Has its last process gone?  (Open files of it then get EIDRM.) */
bool ns_gone(struct ipcfs_ns *e);
/* Act in it from this thread (setns), and back; NULL: nothing to do. */
int ns_enter(struct ipcfs_ns *e);
void ns_leave(struct ipcfs_ns *e);
/* The caller of this thread's request, for what ns/ lists (or NULL). */
void ns_set_caller(struct ipcfs_cred *c);
/* The index this thread acts in (0: the top level), and its owner chain
 * (NULL: the top level's). */
unsigned ns_current_index(void);
/* The namespace this thread acts in, held (ns_put), NULL: the top level. */
struct ipcfs_ns *ns_current_hold(void);
const struct userns_chain *ns_current_chain(void);
/* The inode number of the IPC namespace this thread acts in (the top
 * level's when none), and a process of it (0: the top level). */
uint64_t ns_current_ino(void);
pid_t ns_current_pid(void);
/* The kernel took / dropped n lookup references to node `ino`. */
void ns_kernel_ref(uint64_t ino, uint64_t n);
void ns_kernel_unref(uint64_t ino, uint64_t n);

/* ns/: self's target, a name's index (visible to this thread's caller),
 * every visible one. */
uint64_t ns_self_ino(void);
int ns_lookup(const char *name, unsigned *idx);
void ns_list(void (*fill)(void *ctx, const char *name, unsigned idx), void *ctx);
/* ns/<inode>/processes and ns/metrics.  0 or -errno. */
int ns_processes_text(unsigned idx, struct ipcfs_cred *reader, GString *out);
/* ns/<inode>/info, read in that namespace: its inode number, the user
 * namespace that owns it, then each kind's lines (ipcfs_backend.ns_info:
 * posix/shm and posix/sem say where their /dev/shm is, or why there is
 * none).  0 or -errno. */
int ns_info_text(unsigned idx, GString *out);
int ns_metrics_text(struct ipcfs_cred *reader, GString *out);
