/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sem.h - the pure half of the sem backend: what users write to a
 * semaphore file and to `values`, parsed without touching the kernel, so
 * that tests/unit/test_sem.c can drive it directly.
 *
 *   $ echo 5 > sem/32769/0           SEM_VERB_SET 5       (SETVAL)
 *   $ echo +2 > sem/32769/0          SEM_VERB_ADD 2       (V: semop +2)
 *   $ echo -2 > sem/32769/0          SEM_VERB_SUB 2       (P: semop -2, may block)
 *   $ echo zero > sem/32769/0        SEM_VERB_ZERO        (semop 0, may block)
 *   $ echo 1 0 7 > sem/32769/values  sem_parse_values()   (SETALL)
 */
#pragma once
#include "../fs/ipcfs.h"

/* A set's own numbers in struct ipcfs_obj (from semid_ds). */
struct sem_nums {
	int64_t nsems, otime, ctime;
};
IPCFS_NUMS_FIT(struct sem_nums);
#define SEM(o) IPCFS_NUMS(struct sem_nums, o)

/* What a write to one semaphore's file asks for. */
enum sem_verb {
	SEM_VERB_SET,		/* "N": set the value */
	SEM_VERB_ADD,		/* "+N": add N (V); never blocks */
	SEM_VERB_SUB,		/* "-N": subtract N (P); blocks until possible */
	SEM_VERB_ZERO,		/* "zero": block until the value is 0 */
	SEM_VERB_COUNT
};

struct sem_write {
	enum sem_verb verb;
	int amount;		/* SET: the value; ADD, SUB: N (>= 0); ZERO: 0 */
};

/*
 * Parse one semaphore write: "N", "+N", "-N" or the word "zero", with
 * surrounding blanks and one trailing newline allowed.  N may not exceed
 * `semvmx` (the kernel's SEMVMX, 32767), since no semaphore can hold more.
 * Returns 0, -EINVAL (not one of the forms: "", "+", "abc", "1 2") or
 * -ERANGE (a number over semvmx, however many digits).
 */
int sem_parse_write(const char *text, int semvmx, struct sem_write *out);

/*
 * Parse a `values` write: exactly `nsems` unsigned decimals separated by
 * blanks or newlines, into vals[0..nsems-1] (undefined on failure).
 * Returns 0, -EINVAL (not a plain decimal, a sign, or a count other than
 * nsems) or -ERANGE (a value over semvmx).  The first bad word decides.
 */
int sem_parse_values(const char *text, int semvmx, size_t nsems, unsigned short *vals);
