// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * stat_any.c - preloaded into the daemon when it runs under valgrind
 * (tests/lib.sh, IPCFS_VALGRIND=1), to teach memcheck what the kernel's
 * SHM_STAT_ANY, SEM_STAT_ANY and MSG_STAT_ANY (Linux 4.17) write.
 *
 * valgrind 3.19 knows IPC_STAT and *_STAT but not the *_STAT_ANY
 * commands, so it takes the buffer they fill for uninitialised and reports
 * every later use of an object's uid, mode or size as "depends on
 * uninitialised value(s)".  These wrappers call the real functions and
 * mark the buffer defined when the call succeeded; nothing else changes,
 * and everything else memcheck checks stays checked.
 *
 *   LD_PRELOAD=build/vgshim.so valgrind build/ipcfs -f MNT
 */
#include <dlfcn.h>
#include <stdarg.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <valgrind/memcheck.h>

int shmctl(int id, int cmd, struct shmid_ds *buf)
{
	static int (*real)(int, int, struct shmid_ds *);
	int r;

	if (!real)
		real = (int (*)(int, int, struct shmid_ds *))dlsym(RTLD_NEXT, "shmctl");
	r = real(id, cmd, buf);
	if (r >= 0 && cmd == SHM_STAT_ANY && buf)
		VALGRIND_MAKE_MEM_DEFINED(buf, sizeof(*buf));
	return r;
}

int msgctl(int id, int cmd, struct msqid_ds *buf)
{
	static int (*real)(int, int, struct msqid_ds *);
	int r;

	if (!real)
		real = (int (*)(int, int, struct msqid_ds *))dlsym(RTLD_NEXT, "msgctl");
	r = real(id, cmd, buf);
	if (r >= 0 && cmd == MSG_STAT_ANY && buf)
		VALGRIND_MAKE_MEM_DEFINED(buf, sizeof(*buf));
	return r;
}

/* semctl's fourth argument is a union passed by value: its first word is
 * the struct semid_ds pointer for the *_STAT commands. */
int semctl(int id, int num, int cmd, ...)
{
	static int (*real)(int, int, int, ...);
	struct semid_ds *buf;
	va_list ap;
	int r;

	if (!real)
		real = (int (*)(int, int, int, ...))dlsym(RTLD_NEXT, "semctl");
	va_start(ap, cmd);
	buf = va_arg(ap, struct semid_ds *);
	va_end(ap);
	r = real(id, num, cmd, buf);
	if (r >= 0 && cmd == SEM_STAT_ANY && buf)
		VALGRIND_MAKE_MEM_DEFINED(buf, sizeof(*buf));
	return r;
}
