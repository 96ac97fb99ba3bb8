/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nowait.h - the IPC calls that cannot wait, made as plain system calls.
 *
 * glibc's msgsnd, msgrcv, semop, mq_timedsend and mq_timedreceive are
 * cancellation points: each call switches the thread's cancellation type
 * on and off around the system call, about 45 instructions that a small
 * operation's whole user-space path of ~1,800 does not need when the call
 * cannot block (IPC_NOWAIT, or a deadline long past).  Calls that wait
 * keep glibc's wrappers.  Each returns as its wrapper does: -1 and errno
 * on failure.
 */
#ifndef IPCFS_NOWAIT_H
#define IPCFS_NOWAIT_H

#include <stddef.h>
#include <sys/ipc.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

struct sembuf;

/* msgsnd and msgrcv with IPC_NOWAIT added. */
static inline int nowait_msgsnd(int id, const void *m, size_t len)
{
	return (int)syscall(SYS_msgsnd, id, m, len, IPC_NOWAIT);
}

static inline ssize_t nowait_msgrcv(int id, void *m, size_t size, long type)
{
	return (ssize_t)syscall(SYS_msgrcv, id, m, size, type, IPC_NOWAIT);
}

/* semop whose every operation has IPC_NOWAIT. */
static inline int nowait_semop(int id, struct sembuf *sb, size_t n)
{
	return (int)syscall(SYS_semop, id, sb, n);
}

/* mq_timedsend and mq_timedreceive with a deadline long past: ETIMEDOUT
 * instead of waiting. */
static inline int nowait_mq_send(int fd, const char *text, size_t len, unsigned prio,
				 const struct timespec *past)
{
	return (int)syscall(SYS_mq_timedsend, fd, text, len, prio, past);
}

static inline ssize_t nowait_mq_receive(int fd, char *text, size_t size, unsigned *prio,
					const struct timespec *past)
{
	return (ssize_t)syscall(SYS_mq_timedreceive, fd, text, size, prio, past);
}

#endif
