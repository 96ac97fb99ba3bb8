// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * procfd.c - the walk of /proc/PID/fd shared by the kinds found there
 * (procfd.h), and the kernel's answer to who may see a holder.
 *
 * The links are read with readlink only: following one (stat) would reach
 * the file's file system, which may hang (NFS) or be this very mount; a
 * kind that needs a target's attributes asks statx with
 * AT_STATX_DONT_SYNC itself.
 */
#include "procfd.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* One process: its descriptors to fn; recorded when fn kept one. */
static void scan_proc(int procfd, const char *pid, GArray *procs, procfd_fn fn, void *ctx)
{
	struct procfd_proc p = { .pid = atoi(pid) };
	struct dirent *de;
	bool any = false;
	char link[PATH_MAX];
	DIR *d;
	int pfd, fdfd;

	pfd = openat(procfd, pid, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (pfd < 0)
		return;
	fdfd = openat(pfd, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	d = fdfd < 0 ? NULL : fdopendir(fdfd);
	if (!d) {
		if (fdfd >= 0)
			close(fdfd);
		close(pfd);
		return;	/* gone, or a kernel thread */
	}
	while ((de = readdir(d))) {
		ssize_t n;

		if (!g_ascii_isdigit(de->d_name[0]))
			continue;
		n = readlinkat(fdfd, de->d_name, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		any |= fn(ctx, fdfd, de->d_name, atoi(de->d_name), link, (size_t)n, procs->len);
	}
	closedir(d);
	if (any) {
		g_autofree char *comm = file_read_at(pfd, "comm", 4096, NULL);
		ssize_t n = readlinkat(pfd, "ns/ipc", link, sizeof(link) - 1);

		if (n > 0) {
			link[n] = '\0';
			sscanf(link, "ipc:[%" SCNu64 "]", &p.ipcns);
		}
		if (comm)
			comm[strcspn(comm, "\n")] = '\0';
		g_strlcpy(p.comm, comm && *comm ? comm : "?", sizeof(p.comm));
		g_array_append_val(procs, p);
	}
	close(pfd);
}

int procfd_scan(GArray *procs, procfd_fn fn, void *ctx)
{
	struct dirent *de;
	pid_t self = getpid();
	int procfd;
	DIR *d;

	procfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (procfd < 0)
		return -errno;
	d = fdopendir(dup(procfd));
	if (!d) {
		close(procfd);
		return -ENOMEM;
	}
	while ((de = readdir(d)))
		if (g_ascii_isdigit(de->d_name[0]) && atoi(de->d_name) != self)
			scan_proc(procfd, de->d_name, procs, fn, ctx);
	closedir(d);
	close(procfd);
	return 0;
}

int8_t *procfd_visible(const GArray *procs, struct ipcfs_cred *c, const bool *only)
{
	int8_t *vis = g_new0(int8_t, MAX(procs->len, 1));
	char path[64];

	if (!c) {
		memset(vis, 1, procs->len);
		return vis;
	}
	if (cred_enter_fs(c))
		return vis;	/* (cred_enter_fs left the thread as it was) */
	for (guint i = 0; i < procs->len; i++) {
		if (only && !only[i])
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fdinfo", procfd_at(procs, i)->pid);
		vis[i] = !faccessat(AT_FDCWD, path, R_OK, AT_EACCESS) ? 1 : errno == ENOENT ? -1 : 0;
	}
	cred_leave_fs();
	return vis;
}

void procfd_ends_text(const GArray *procs, struct ipcfs_cred *reader, uint32_t n,
		      uint32_t (*proc_of)(void *ctx, uint32_t k),
		      void (*line)(void *ctx, uint32_t k, const struct procfd_proc *p, GString *out),
		      void *ctx, GString *out)
{
	g_autofree bool *only = g_new0(bool, MAX(procs->len, 1));
	g_autofree bool *counted = g_new0(bool, MAX(procs->len, 1));
	g_autofree int8_t *vis = NULL;
	unsigned hidden = 0;

	for (uint32_t k = 0; k < n; k++)
		only[proc_of(ctx, k)] = true;
	vis = procfd_visible(procs, reader, only);
	for (uint32_t k = 0; k < n; k++) {
		uint32_t i = proc_of(ctx, k);

		if (vis[i] < 0)
			continue;	/* (ended since the scan) */
		if (!vis[i]) {
			hidden += !counted[i];
			counted[i] = true;
			continue;
		}
		line(ctx, k, procfd_at(procs, i), out);
	}
	if (hidden)
		g_string_append_printf(out, "hidden %u\n", hidden);
}

int procfd_access(const struct ipcfs_backend *be, struct ipcfs_cred *c,
		  const struct ipcfs_obj *o, int want)
{
	(void)be, (void)c, (void)o, (void)want;
	return 0;
}

int procfd_owner(const struct ipcfs_backend *be, struct ipcfs_cred *c, const struct ipcfs_obj *o)
{
	(void)be, (void)c, (void)o;
	return 0;
}

int procfd_set(const struct ipcfs_backend *be, struct ipcfs_cred *c, ipcfs_id id, unsigned what,
	       uid_t uid, gid_t gid, mode_t mode)
{
	(void)be, (void)c, (void)id, (void)what, (void)uid, (void)gid, (void)mode;
	return -EPERM;
}
