// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * file.c - every file the daemon opens, opened one of two ways.
 *
 * The daemon is root, and often a session leader with no controlling
 * terminal (systemd starts it so; fuse_daemonize calls setsid).  Such a
 * process that opens a terminal without O_NOCTTY makes it its controlling
 * terminal, and a hangup of that terminal (its master closed) then sends
 * it SIGHUP.  Any name a user can influence may turn out to be a terminal:
 * a user may bind-mount a pty slave over a file of their own in a mount
 * namespace of their own, which the daemon reaches under ns/<inode>/.  So
 * every open here carries O_NOCTTY and O_CLOEXEC, and:
 *
 *   - file_openat() is for names a user can influence (POSIX objects, a
 *     container's /dev/shm): openat2 from a directory descriptor, staying
 *     beneath it (RESOLVE_BENEATH), following no symlink, magic or not,
 *     and, when asked, crossing no mount point (RESOLVE_NO_XDEV: nothing
 *     mounted over a name is ever opened);
 *   - file_open() and file_read() are for paths only the daemon and the
 *     administrator choose: the daemon's own /proc (procfs files cannot be
 *     mounted over from another mount namespace) and the -o ns= path.
 *
 * doc/security.md lists every caller and under which credentials it runs.
 */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

int file_openat(int dirfd, const char *name, int flags, mode_t mode, bool same_mount)
{
	struct open_how how = {
		/* (openat2 refuses O_NOCTTY with O_PATH, which opens nothing.) */
		.flags = (uint64_t)(flags | O_NOFOLLOW | O_CLOEXEC |
				    ((flags & O_PATH) ? 0 : O_NOCTTY)),
		.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS |
			   (same_mount ? RESOLVE_NO_XDEV : 0),
	};
	long fd;
	int tries = 0;

	/* EAGAIN: a rename elsewhere raced the walk (openat2 then refuses
	 * rather than risk leaving the directory); a few tries at most. */
	do
		fd = syscall(SYS_openat2, dirfd, name, &how, sizeof(how));
	while (fd < 0 && (errno == EINTR || errno == EAGAIN) && ++tries < 8);
	return fd < 0 ? -errno : (int)fd;
}

int file_path_cached(int rootfd, const char *name)
{
	struct open_how how = {
		.flags = O_PATH | O_NOFOLLOW | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS |
			   RESOLVE_CACHED,
	};
	long fd = syscall(SYS_openat2, rootfd, name, &how, sizeof(how));

	return fd < 0 ? -errno : (int)fd;
}

int file_open(const char *path, int flags)
{
	int fd = open(path, flags | O_NOCTTY | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

char *file_read(const char *path, size_t max, size_t *len)
{
	return file_read_at(AT_FDCWD, path, max, len);
}

char *file_read_at(int dirfd, const char *path, size_t max, size_t *len)
{
	g_autoptr(GString) text = NULL;
	char buf[4096];
	int fd = openat(dirfd, path, O_RDONLY | O_NOCTTY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	text = g_string_new(NULL);
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || text->len + (size_t)n > max) {
			close(fd);
			return NULL;
		}
		if (!n)
			break;
		g_string_append_len(text, buf, n);
	}
	close(fd);
	if (len)
		*len = text->len;
	return g_string_free(g_steal_pointer(&text), FALSE);
}
