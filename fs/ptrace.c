// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ptrace.c - may a caller see another process as closely as its
 * /proc/PID/maps shows it?
 *
 * The kernel lets one process read another's maps (and mem, environ ...)
 * when ptrace_may_access(task, PTRACE_MODE_READ_FSCREDS) says so
 * (kernel/ptrace.c, security/commoncap.c).  Files of ours that name other
 * processes (shm's `attached`) show a process only to a caller it would
 * allow, with the caller's fs credentials, as FUSE reports them:
 *
 *   - a thread of the process itself may; otherwise
 *   - the caller's fsuid must equal the target's real, effective and saved
 *     uid, and its fsgid the target's three gids, or the caller must have
 *     CAP_SYS_PTRACE;
 *   - the target must be dumpable (a process that changed its ids, ran a
 *     setuid program or called prctl(PR_SET_DUMPABLE, 0) is not), or the
 *     caller must have CAP_SYS_PTRACE;
 *   - the caller's effective capabilities must include every capability
 *     the target has permitted (commoncap), or CAP_SYS_PTRACE.
 *
 * Dumpability is not in /proc/PID/status; the kernel shows it as the owner
 * of the files in /proc/PID (not of the directory itself, which always
 * shows the euid): the target's euid:egid when dumpable, root otherwise.  A
 * target whose euid:egid is 0:0 looks the same either way; it is taken as
 * not dumpable (a caller may then miss a root process it could read, which
 * needs an fsuid of 0 without CAP_SYS_PTRACE: never a leak).
 *
 * CAP_SYS_PTRACE counts as the kernel weighs it: in the target's user
 * namespace (cred_capable_over), where the creator of that namespace also
 * has it, so an unprivileged user sees the processes of a container they
 * made with `unshare -Ur`.  A target in another user namespace than the
 * caller's is shown only with CAP_SYS_PTRACE there (the kernel's subset
 * test never passes across user namespaces).
 */
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define IPCFS_CAP_SYS_PTRACE 19

/* What the rule needs to know of the target. */
struct ptrace_target {
	uid_t uid[3];		/* real, effective, saved */
	gid_t gid[3];
	uint64_t cap_prm;	/* permitted capabilities */
	bool dumpable;
};

/* The target's ids and capabilities from /proc/PID/status, and whether it
 * is dumpable from the owner of /proc/PID.  0 or -errno (gone: -ENOENT). */
static int target_load(pid_t pid, struct ptrace_target *t)
{
	g_autofree char *text = status_read(pid);
	char path[PROC_PATH_MAX];
	uint64_t u, g;
	struct stat st;

	if (!text)
		return -ENOENT;
	for (unsigned i = 0; i < 3; i++) {
		if (status_number(text, "Uid", 10, i, &u) || status_number(text, "Gid", 10, i, &g))
			return -EINVAL;
		t->uid[i] = (uid_t)u;
		t->gid[i] = (gid_t)g;
	}
	if (status_number(text, "CapPrm", 16, 0, &t->cap_prm))
		return -EINVAL;
	proc_path(path, pid, "status");
	if (stat(path, &st))	/* status, whose owner says "dumpable" */
		return -ENOENT;
	t->dumpable = st.st_uid == t->uid[1] && st.st_gid == t->gid[1] &&
		      (t->uid[1] != 0 || t->gid[1] != 0);
	return 0;
}

/* Is pid a thread group the caller's thread belongs to? */
static bool same_thread_group(pid_t pid, pid_t caller)
{
	char path[PROC_PATH_MAX];
	struct stat st;

	if (caller <= 0)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/task/%d", (int)pid, (int)caller);
	return !stat(path, &st);
}

/* Do the caller and the target live in the same user namespace?  When
 * either cannot be told, yes (the other tests still apply).  The caller's
 * was read with its credentials (cred_load). */
static bool same_user_ns(pid_t pid, struct ipcfs_cred *reader)
{
	char path[PROC_PATH_MAX];
	struct stat a;

	proc_path(path, pid, "ns/user");
	if (reader->pid <= 0 || stat(path, &a))
		return true;
	cred_load(reader);
	return !reader->userns || (uint64_t)a.st_ino == reader->userns;
}

bool ptrace_may_read(struct ipcfs_cred *reader, pid_t pid)
{
	struct ptrace_target t;
	bool same_ids = true;

	if (same_thread_group(pid, reader->pid))
		return true;
	if (target_load(pid, &t))
		return false;	/* gone, or unreadable: show nothing */
	for (int i = 0; i < 3; i++)
		same_ids = same_ids && t.uid[i] == reader->uid && t.gid[i] == reader->gid;
	if (same_ids && t.dumpable && same_user_ns(pid, reader)) {
		if (!t.cap_prm)
			return true;	/* the usual case: no need for the caller's caps */
		cred_load(reader);	/* on failure: no caps */
		if (!(t.cap_prm & ~reader->cap_eff))
			return true;
	}
	return cred_capable_over(reader, pid, IPCFS_CAP_SYS_PTRACE);
}
