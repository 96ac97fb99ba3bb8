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
/* Caller c acts in namespace e (NULL: the top level): where its
 * capabilities count, and what cred_ids_mappable weighs (cred_act_in).
 * e must live as long as c is used: held by the request or the file. */
void ns_cred_in(struct ipcfs_ns *e, struct ipcfs_cred *c);
/* The kernel took / dropped n lookup references to node `ino`. */
void ns_kernel_ref(uint64_t ino, uint64_t n);
void ns_kernel_unref(uint64_t ino, uint64_t n);

/* ns/: self's target, a name's index (visible to caller c: NULL, the
 * daemon), every one visible to c. */
uint64_t ns_self_ino(void);
int ns_lookup(struct ipcfs_cred *c, const char *name, unsigned *idx);
void ns_list(struct ipcfs_cred *c, void (*fill)(void *ctx, const char *name, unsigned idx),
	     void *ctx);
/* For fs/ns_text.c.  Every process and its namespace (GArray of struct
 * proc_ns), pids in the order /proc lists them (ascending). */
struct proc_ns {
	pid_t pid;
	uint64_t ino;
};
GArray *ns_scan_procs(void);
/* Every namespace alive that c may see, held (ns_put each). */
GPtrArray *ns_visible_all(struct ipcfs_cred *c);
/* Namespace idx's inode number and that of the user namespace that owns
 * it (0: none known): 0, or -ENOENT. */
int ns_ident(unsigned idx, uint64_t *ino, uint64_t *owner);

/* ns/<inode>/processes and ns/metrics (fs/ns_text.c).  0 or -errno. */
int ns_processes_text(unsigned idx, struct ipcfs_cred *reader, GString *out);
/* ns/<inode>/info, read in that namespace: its inode number, the user
 * namespace that owns it, then each kind's lines (ipcfs_backend.ns_info:
 * posix/shm and posix/sem say where their /dev/shm is, or why there is
 * none).  0 or -errno. */
int ns_info_text(unsigned idx, GString *out);
int ns_metrics_text(struct ipcfs_cred *reader, GString *out);
