/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pipes_parse.h - the pure half of the pipes backend: what the daemon reads
 * of /proc about a pipe's ends (fd links and their modes, a thread's wchan
 * and syscall line) and how pipes are named, without touching the kernel,
 * so that tests/unit/test_pipes.c can drive it.
 *
 *   readlink /proc/PID/fd/3   pipe:[123456]          pipes_link_ino()
 *   lstat    /proc/PID/fd/3   lr-x------             pipes_link_mode(): read end
 *   /proc/PID/task/TID/wchan  anon_pipe_write        pipes_wchan_wait(): in write
 *   /proc/PID/task/TID/syscall  1 0x1 ...            pipes_syscall_parse(): write(1, ...)
 *   pipes/by-path/tmp%2Fjobs.fifo                    pipes_path_name(): /tmp/jobs.fifo
 */
#pragma once
#include "../fs/ipcfs.h"

/* How a descriptor holds a pipe: the bits of its open mode. */
enum { PIPES_END_R = 1, PIPES_END_W = 2 };

/* What a thread waits for, read from its wchan (kernels name the same
 * waits differently: 6.x anon_pipe_read, older pipe_read). */
enum pipes_wait {
	PIPES_WAIT_NONE,	/* not waiting on a pipe */
	PIPES_WAIT_READ,	/* read(2) of an empty pipe, or splice/tee from it */
	PIPES_WAIT_WRITE,	/* write(2) to a full pipe, or splice/tee into it */
	PIPES_WAIT_OPEN,	/* open(2) of a FIFO, waiting for the other side */
	PIPES_WAIT_COUNT
};

/* `pipe:[N]` (an fd link of an anonymous pipe): 0 and *ino, or -EINVAL. */
int pipes_link_ino(const char *link, uint64_t *ino);
/* The open mode an fd link's own mode encodes (lstat of /proc/PID/fd/N:
 * r-x read, -wx write, rwx both, --- an O_PATH descriptor, no end). */
unsigned pipes_link_mode(mode_t link_mode);
/* The wait a wchan names (with or without its trailing newline). */
enum pipes_wait pipes_wchan_wait(const char *wchan);
/* The word `ends` shows for a wait: "-", "read", "write", "open". */
const char *pipes_wait_name(enum pipes_wait w);
/* "r", "w" or "rw". */
const char *pipes_mode_name(unsigned mode);
/*
 * A /proc/PID/syscall line: the number and the first argument.  0, or
 * -EINVAL ("running", or a thread not in a system call: "-1 ...").
 * Whether argument 0 is a descriptor of the pipe is pipes_syscall_fd's.
 */
int pipes_syscall_parse(const char *line, long *nr, uint64_t *arg0);
/* The descriptor a blocked system call waits on (read, write, readv,
 * writev, splice, tee and their p- forms: argument 0), or -1. */
int pipes_syscall_fd(long nr, uint64_t arg0);

/* A FIFO's path as a name in by-path/: the leading '/' dropped, '%' and
 * '/' written %25 and %2F.  False when it does not fit `size`. */
bool pipes_path_name(const char *path, char *buf, size_t size);
/* A FIFO's own name, `INO@MAJOR:MINOR` (a FIFO's inode number is its file
 * system's, so the device tells it from a pipe's and another's). */
void pipes_fifo_name(uint64_t ino, unsigned major, unsigned minor, char *buf, size_t size);
/* The reverse: 0 with the three numbers, or -ENOENT. */
int pipes_parse_fifo_name(const char *name, uint64_t *ino, unsigned *major, unsigned *minor);
