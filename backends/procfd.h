/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * procfd.h - the walk of every process's open files that the kinds found
 * in /proc share (pipes/, unix/): each /proc/PID/fd link read once per
 * snapshot, handed to the kind, and the processes that hold something of
 * the kind recorded (pid, command, IPC namespace); then who may see which
 * of them, asked of the kernel as the caller.
 *
 *   procfd_scan(procs, fn, ctx)   fn(ctx, fd dir, "3", 3, "socket:[123]", proc index)
 *   procfd_visible(procs, c, NULL)   1: c may read /proc/PID/fd, 0: not, -1: gone
 *
 * A leaf: it knows no kind.
 */
#pragma once
#include "../fs/ipcfs.h"

/* A process that holds something of a kind. */
struct procfd_proc {
	int32_t pid;
	uint64_t ipcns;		/* its IPC namespace (inode), 0: unknown */
	char comm[16];
};

/*
 * One open descriptor: `fdfd` is the process's /proc/PID/fd held open
 * (for a statx of the link: AT_STATX_DONT_SYNC only, never a file system
 * reached), `name` the entry, `link` its target (NUL-terminated, `len`
 * bytes), `proc` the index in `procs` the process gets if it is kept.
 * True keeps the process.
 */
typedef bool (*procfd_fn)(void *ctx, int fdfd, const char *name, int fd, const char *link,
			  size_t len, uint32_t proc);

/* Walk /proc (the daemon itself left out: its descriptors are its own
 * probes), calling fn for each descriptor of each process, and append
 * to `procs` (GArray of struct procfd_proc) every process fn kept.
 * 0 or -errno (/proc cannot be read). */
int procfd_scan(GArray *procs, procfd_fn fn, void *ctx);

static inline const struct procfd_proc *procfd_at(const GArray *procs, uint32_t k)
{
	return &g_array_index(procs, struct procfd_proc, k);
}

/*
 * Which of `procs` may c read /proc/PID/fd of?  One int8_t per process
 * (1 yes, 0 no, -1 gone since; NULL c: the daemon, all yes), decided by
 * the kernel: the thread takes c's credentials and asks faccessat of
 * /proc/PID/fdinfo, whose permission is
 * ptrace_may_access(PTRACE_MODE_READ_FSCREDS), the rule of reading
 * /proc/PID/fd.  `only` (when not NULL) limits the work to the processes
 * it marks.  Caller frees.
 */
int8_t *procfd_visible(const GArray *procs, struct ipcfs_cred *c, const bool *only);

/*
 * `ends` of an object with n holders: line(ctx, k, process, out) for each
 * holder k (0 .. n-1) in a process (proc_of(ctx, k)) the reader may see
 * (procfd_visible), nothing for one ended since the scan, and the
 * processes the reader may not see counted on a last line `hidden N`.
 */
void procfd_ends_text(const GArray *procs, struct ipcfs_cred *reader, uint32_t n,
		      uint32_t (*proc_of)(void *ctx, uint32_t k),
		      void (*line)(void *ctx, uint32_t k, const struct procfd_proc *p, GString *out),
		      void *ctx, GString *out);

/* Methods of the kinds found in /proc: seeing an object is the right to
 * what it shows (access, owner: 0), and nothing of it is set here
 * (chmod, chown: EPERM). */
int procfd_access(const struct ipcfs_backend *be, struct ipcfs_cred *c,
		  const struct ipcfs_obj *o, int want);
int procfd_owner(const struct ipcfs_backend *be, struct ipcfs_cred *c, const struct ipcfs_obj *o);
int procfd_set(const struct ipcfs_backend *be, struct ipcfs_cred *c, ipcfs_id id, unsigned what,
	       uid_t uid, gid_t gid, mode_t mode);
