// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pshmtool.c - a plain POSIX shared memory program, the "other side" in
 * tests/integration/posix_shm.sh.  It uses shm_open/mmap/shm_unlink
 * directly, never ipcfs.  NAME is given without its leading '/'.
 *
 *   pshmtool create NAME SIZE [MODE]      shm_open(O_CREAT|O_EXCL) + ftruncate
 *   pshmtool write NAME OFFSET TEXT       copy TEXT into the mapping
 *   pshmtool read NAME OFFSET LEN         print LEN bytes of the mapping
 *   pshmtool size NAME                    print the object's size (fstat)
 *   pshmtool hold NAME [ro]               map it, print "mapped", wait for a signal
 *   pshmtool await NAME OFFSET TEXT       map it, print "waiting", wait (polling
 *                                         the mapping) until TEXT is at OFFSET,
 *                                         then write "ack" after it, print "seen"
 *   pshmtool unlink NAME                  shm_unlink
 *   pshmtool ops                          one operation a line from stdin, as the
 *                                         calling user; prints "ok" or the errno's
 *                                         name for each (the permission matrix):
 *       read PATH | write PATH | rdwr PATH     open(2) for that access (and close)
 *       trunc PATH N                           truncate(2) by path
 *       ftrunc PATH N                          open O_WRONLY + ftruncate
 *       chmod PATH MODE | chown PATH UID GID   (chown to -1 -1 changes nothing)
 *       unlink PATH | rmdir PATH               the native and the ipcfs removal
 *       create PATH MODE | mkdir PATH MODE     the native and the ipcfs creation
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char *shm_path(const char *name)
{
	static char path[512];

	snprintf(path, sizeof(path), "/%s", name);
	return path;
}

/* Map the whole object; its size in *size. */
static char *map(const char *name, int ro, size_t *size)
{
	int fd = shm_open(shm_path(name), ro ? O_RDONLY : O_RDWR, 0);
	struct stat st;
	char *p;

	if (fd < 0)
		err(1, "shm_open");
	if (fstat(fd, &st))
		err(1, "fstat");
	*size = (size_t)st.st_size;
	p = mmap(NULL, *size ? *size : 1, ro ? PROT_READ : PROT_READ | PROT_WRITE, MAP_SHARED,
		 fd, 0);
	if (p == MAP_FAILED)
		err(1, "mmap");
	close(fd);
	return p;
}

static void on_signal(int sig)
{
	(void)sig;
	_exit(0);
}

static const char *result(int r)
{
	if (!r)
		return "ok";
	return strerrorname_np(errno) ? strerrorname_np(errno) : "E?";
}

static int one_op(char *line)
{
	char op[32], path[4096];
	long a = 0, b = 0;
	int n, fd, r;

	n = sscanf(line, "%31s %4095s %li %li", op, path, &a, &b);
	if (n < 2) {
		errno = EINVAL;
		return -1;
	}
	if (!strcmp(op, "read") || !strcmp(op, "write") || !strcmp(op, "rdwr")) {
		fd = open(path, !strcmp(op, "read") ? O_RDONLY :
				!strcmp(op, "write") ? O_WRONLY : O_RDWR);
		if (fd < 0)
			return -1;
		close(fd);
		return 0;
	}
	if (!strcmp(op, "trunc"))
		return truncate(path, a);
	if (!strcmp(op, "ftrunc")) {
		fd = open(path, O_WRONLY);
		if (fd < 0)
			return -1;
		r = ftruncate(fd, a);
		close(fd);
		return r;
	}
	if (!strcmp(op, "chmod"))
		return chmod(path, (mode_t)strtol(line + strlen(op) + strlen(path) + 2, NULL, 8));
	if (!strcmp(op, "chown"))
		return chown(path, (uid_t)a, (gid_t)b);
	if (!strcmp(op, "unlink"))
		return unlink(path);
	if (!strcmp(op, "rmdir"))
		return rmdir(path);
	if (!strcmp(op, "create")) {
		mode_t mode = (mode_t)strtol(line + strlen(op) + strlen(path) + 2, NULL, 8);

		/* As shm_open(O_CREAT|O_EXCL) does it, with the umask off. */
		umask(0);
		fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW, mode);
		if (fd < 0)
			return -1;
		close(fd);
		return 0;
	}
	if (!strcmp(op, "mkdir")) {
		umask(0);
		return mkdir(path, (mode_t)strtol(line + strlen(op) + strlen(path) + 2, NULL, 8));
	}
	errno = EINVAL;
	return -1;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";
	size_t size;
	char *p;

	if (!strcmp(cmd, "create") && argc >= 4) {
		int fd = shm_open(shm_path(argv[2]), O_RDWR | O_CREAT | O_EXCL,
				  argc > 4 ? (mode_t)strtol(argv[4], NULL, 8) : 0600);

		if (fd < 0)
			err(1, "shm_open");
		if (ftruncate(fd, strtoll(argv[3], NULL, 0)))
			err(1, "ftruncate");
		return 0;
	}
	if (!strcmp(cmd, "write") && argc == 5) {
		size_t off = strtoul(argv[3], NULL, 0), len = strlen(argv[4]);

		p = map(argv[2], 0, &size);
		if (off > size || len > size - off) {
			errno = EFBIG;
			err(1, "write");
		}
		memcpy(p + off, argv[4], len);
		return 0;
	}
	if (!strcmp(cmd, "read") && argc == 5) {
		size_t off = strtoul(argv[3], NULL, 0), len = strtoul(argv[4], NULL, 0);

		p = map(argv[2], 1, &size);
		if (off > size)
			off = size;
		if (len > size - off)
			len = size - off;
		fwrite(p + off, 1, len, stdout);
		return 0;
	}
	if (!strcmp(cmd, "size") && argc == 3) {
		int fd = shm_open(shm_path(argv[2]), O_RDONLY, 0);
		struct stat st;

		if (fd < 0 || fstat(fd, &st))
			err(1, "shm_open");
		printf("%lld\n", (long long)st.st_size);
		return 0;
	}
	if (!strcmp(cmd, "hold") && argc >= 3) {
		p = map(argv[2], argc > 3 && !strcmp(argv[3], "ro"), &size);
		signal(SIGTERM, on_signal);
		signal(SIGINT, on_signal);
		printf("mapped\n");
		fflush(stdout);
		for (;;)
			pause();
	}
	if (!strcmp(cmd, "await") && argc == 5) {
		size_t off = strtoul(argv[3], NULL, 0), len = strlen(argv[4]);
		struct timespec ts = { 0, 2 * 1000 * 1000 };

		p = map(argv[2], 0, &size);
		if (off > size || len + 3 > size - off) {
			errno = EFBIG;
			err(1, "await");
		}
		printf("waiting\n");
		fflush(stdout);
		/* The other side writes behind the compiler's back. */
		while (__atomic_thread_fence(__ATOMIC_SEQ_CST), memcmp(p + off, argv[4], len))
			nanosleep(&ts, NULL);
		memcpy(p + off + len, "ack", 3);
		printf("seen\n");
		return 0;
	}
	if (!strcmp(cmd, "unlink") && argc == 3) {
		if (shm_unlink(shm_path(argv[2])))
			err(1, "shm_unlink");
		return 0;
	}
	if (!strcmp(cmd, "ops")) {
		char line[8192];

		while (fgets(line, sizeof(line), stdin)) {
			line[strcspn(line, "\n")] = '\0';
			errno = 0;
			printf("%s\n", result(one_op(line)));
		}
		return 0;
	}
	fprintf(stderr, "usage: see the comment at the top of pshmtool.c\n");
	return 2;
}
