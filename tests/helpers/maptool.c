// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * maptool.c - a program that maps a file with mmap(2), any file: `data`
 * of a mount (tests/integration/mmap.sh) or the object's own file
 * (/dev/shm/NAME), which is the referee for what a mapping gives.
 *
 *   maptool write PATH OFFSET TEXT     open O_RDWR, map it MAP_SHARED (its
 *                                      size), copy TEXT in through the mapping
 *   maptool read PATH OFFSET LEN       open O_RDONLY, map it MAP_SHARED with
 *                                      PROT_READ, print LEN bytes
 *   maptool private PATH OFFSET TEXT   open O_RDONLY, map it MAP_PRIVATE with
 *                                      PROT_READ|PROT_WRITE; print the LEN
 *                                      bytes at OFFSET, write TEXT there, print
 *                                      them again (one line each)
 *   maptool touch PATH LEN OFFSET      map LEN bytes (more than the file may
 *                                      have) and read the byte at OFFSET: print
 *                                      "ok", or "SIGBUS"/"SIGSEGV" when the
 *                                      access faults
 *   maptool fill PATH MIB              open O_RDWR, map MIB MiB MAP_SHARED and
 *                                      write every page through the mapping;
 *                                      print "filled"
 *   maptool hold PATH                  open O_RDONLY, map it MAP_SHARED, print
 *                                      "mapped", wait for a signal
 *   maptool try PATH rdonly|rdwr shared|private read|write
 *                                      the mmap alone: print "ok" or the errno
 *                                      name (ENODEV, EACCES ...)
 *
 * Exits 1 (and says why) when an open or mmap that should work fails.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static int open_or_die(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC);

	if (fd < 0)
		err(1, "%s", path);
	return fd;
}

static size_t size_of(int fd)
{
	struct stat st;

	if (fstat(fd, &st))
		err(1, "fstat");
	return (size_t)st.st_size;
}

static char *map_or_die(int fd, size_t len, int prot, int flags)
{
	void *p = mmap(NULL, len, prot, flags, fd, 0);

	if (p == MAP_FAILED)
		err(1, "mmap");
	return p;
}

static const char *errno_name(int e)
{
	switch (e) {
	case ENODEV: return "ENODEV";
	case EACCES: return "EACCES";
	case EPERM: return "EPERM";
	case EINVAL: return "EINVAL";
	case EIO: return "EIO";
	case ENOENT: return "ENOENT";
	case ETXTBSY: return "ETXTBSY";
	case EBUSY: return "EBUSY";
	}
	return strerror(e);
}

static sigjmp_buf fault_jmp;

static void on_fault(int sig)
{
	siglongjmp(fault_jmp, sig);
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	if (!strcmp(cmd, "write") && argc == 5) {
		int fd = open_or_die(argv[2], O_RDWR);
		size_t size = size_of(fd), off = strtoul(argv[3], NULL, 0), len = strlen(argv[4]);
		char *p = map_or_die(fd, size, PROT_READ | PROT_WRITE, MAP_SHARED);

		if (off + len > size) {
			fprintf(stderr, "maptool: %zu bytes at %zu do not fit in %zu\n", len, off, size);
			return 1;
		}
		memcpy(p + off, argv[4], len);
		return munmap(p, size) ? 1 : 0;
	}
	if (!strcmp(cmd, "read") && argc == 5) {
		int fd = open_or_die(argv[2], O_RDONLY);
		size_t size = size_of(fd), off = strtoul(argv[3], NULL, 0), len = strtoul(argv[4], NULL, 0);
		char *p = map_or_die(fd, size, PROT_READ, MAP_SHARED);

		if (off + len > size)
			len = off < size ? size - off : 0;
		fwrite(p + off, 1, len, stdout);
		return 0;
	}
	if (!strcmp(cmd, "private") && argc == 5) {
		int fd = open_or_die(argv[2], O_RDONLY);
		size_t size = size_of(fd), off = strtoul(argv[3], NULL, 0), len = strlen(argv[4]);
		char *p = map_or_die(fd, size, PROT_READ | PROT_WRITE, MAP_PRIVATE);

		if (off + len > size)
			return 1;
		printf("%.*s\n", (int)len, p + off);
		memcpy(p + off, argv[4], len);
		printf("%.*s\n", (int)len, p + off);
		return 0;
	}
	if (!strcmp(cmd, "touch") && argc == 5) {
		int fd = open_or_die(argv[2], O_RDONLY);
		size_t len = strtoul(argv[3], NULL, 0), off = strtoul(argv[4], NULL, 0);
		volatile char *p = (volatile char *)map_or_die(fd, len, PROT_READ, MAP_SHARED);
		int sig;

		signal(SIGBUS, on_fault);
		signal(SIGSEGV, on_fault);
		sig = sigsetjmp(fault_jmp, 1);
		if (!sig) {
			(void)p[off];
			puts("ok");
		} else {
			puts(sig == SIGBUS ? "SIGBUS" : "SIGSEGV");
		}
		return 0;
	}
	if (!strcmp(cmd, "fill") && argc == 4) {
		int fd = open_or_die(argv[2], O_RDWR);
		size_t len = strtoul(argv[3], NULL, 0) << 20, page = (size_t)sysconf(_SC_PAGESIZE);
		char *p = map_or_die(fd, len, PROT_READ | PROT_WRITE, MAP_SHARED);

		for (size_t i = 0; i < len; i += page)
			p[i] = (char)(i / page) | 1;
		puts("filled");
		return 0;
	}
	if (!strcmp(cmd, "hold") && argc == 3) {
		int fd = open_or_die(argv[2], O_RDONLY);

		map_or_die(fd, size_of(fd), PROT_READ, MAP_SHARED);
		close(fd);
		puts("mapped");
		fflush(stdout);
		for (;;)
			pause();
	}
	if (!strcmp(cmd, "try") && argc == 6) {
		int fd = open_or_die(argv[2], !strcmp(argv[3], "rdwr") ? O_RDWR : O_RDONLY);
		int flags = !strcmp(argv[4], "shared") ? MAP_SHARED : MAP_PRIVATE;
		int prot = PROT_READ | (!strcmp(argv[5], "write") ? PROT_WRITE : 0);
		void *p = mmap(NULL, 4096, prot, flags, fd, 0);

		puts(p == MAP_FAILED ? errno_name(errno) : "ok");
		return 0;
	}
	fprintf(stderr, "usage: see the comment at the top of maptool.c\n");
	return 2;
}
