/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sysv.h - what the three System V kinds (shm, sem, mq) share: how their
 * objects are named (a decimal id, a 0xKEY second name), created (mkdir
 * 0xKEY, `new` lines), checked (the kernel's ipcperms() and owner rule) and
 * read from the kernel's tables.
 *
 * The kernel lists objects by index: `*ctl(idx, *_STAT_ANY)` returns the id
 * at index idx (any caller, no permission needed, kernel >= 4.17), and
 * `*_INFO` gives the highest index in use.  Measured here, looping over
 * that is 4-5x cheaper than parsing /proc/sysvipc.
 */
#pragma once
#include "../fs/ipcfs.h"

#include <sys/ipc.h>

/* Stat the object at kernel index idx into o: its id, or -errno
 * (-EINVAL: no object at that index). */
typedef int (*ipc_stat_any_fn)(int idx, struct ipcfs_obj *o);

/* Fill the common header from the kernel's ipc_perm. */
void ipc_fill_perm(struct ipcfs_obj *o, int id, const struct ipc_perm *p);
/* Every object at indexes 0..maxidx, appended to out. 0 or -errno. */
int ipc_enumerate(ipc_stat_any_fn stat_any, int maxidx, GArray *out);
/* The object with this id, found at its index in O(1).  0 or -ENOENT. */
int ipc_stat_id(ipc_stat_any_fn stat_any, ipcfs_id id, struct ipcfs_obj *o);
/* An object directory's times: its last use (read or attach) as atime,
 * its last change of contents (write, detach) as mtime, each ctime when
 * "never" (0), and ctime itself. */
static inline void ipc_dir_times(struct ipcfs_obj *o, int64_t used, int64_t changed, int64_t ctime)
{
	o->dir_atime = used ? used : ctime;
	o->dir_mtime = changed ? changed : ctime;
	o->dir_ctime = ctime;
}

/* What a System V kind adds to the shared methods (ipcfs_backend.data). */
struct sysv_kind {
	/* The id of the object with this key (not IPC_PRIVATE), or -ENOENT. */
	int (*find_key)(key_t key);
	/* `new` takes "KEY PARAM [MODE]" when true, "KEY [MODE]" when false. */
	bool new_has_param;
	bool param_has_suffix;	/* PARAM accepts K/M/G (sizes) */
	const uint64_t *default_param;	/* for mkdir, from the mount options */
	/* The kernel's table, walked by sysv_list and sysv_stat: the object
	 * at an index (*ctl(idx, *_STAT_ANY)), and the highest index in use
	 * (*ctl(0, *_INFO)) or -errno. */
	ipc_stat_any_fn stat_any;
	int (*max_index)(void);
};

/*
 * The one mapping of System V errors about an object that existed a moment
 * before.  Gone (EIDRM, or EINVAL for an id no longer there: sizes, types
 * and indexes are checked before every call) is ENOENT for what goes by
 * path (stat, chmod, rmdir, a file's snapshot) and EIDRM ("Identifier
 * removed", which says what happened) for a read or write of an open live
 * file, as msgsnd and semop say.  "No message" (ENOMSG with IPC_NOWAIT) is
 * EAGAIN, as for any non-blocking read.  A negative errno.
 */
enum sysv_where { SYSV_BY_PATH, SYSV_OPEN_FILE };
int sysv_errno(int e, enum sysv_where where);

/* ---- names ---- */
/* "0x1234" (hex, any number of leading zeros, fits 32 bits) -> key.
 * 0 or -EINVAL.  IPC_PRIVATE (0) is returned as such; callers decide. */
int parse_key(const char *s, key_t *key);
/* A `new` line: "KEY [PARAM] [MODE]"; KEY is 0xHEX, a decimal or
 * "private".  0 or -EINVAL / -ERANGE. */
int parse_new_line(const char *line, bool has_param, bool suffix,
		   struct ipcfs_create_args *out);

/* Every object, and the one with this id, from the kind's table (the
 * kernel's *_STAT_ANY: no right needed, everyone sees every object). */
int sysv_list(const struct ipcfs_backend *be, struct ipcfs_cred *c, GArray *out);
int sysv_stat(const struct ipcfs_backend *be, struct ipcfs_cred *c, ipcfs_id id,
	      struct ipcfs_obj *out);
int sysv_resolve(const struct ipcfs_backend *be, struct ipcfs_cred *c, const char *name,
		 ipcfs_id *id, bool *alias);
void sysv_objname(const struct ipcfs_backend *be, const struct ipcfs_obj *o, char *buf, size_t size);
bool sysv_alias(const struct ipcfs_backend *be, const struct ipcfs_obj *o, char *buf, size_t size);
void sysv_labels(const struct ipcfs_backend *be, const struct ipcfs_obj *o, GString *out);
bool sysv_same(const struct ipcfs_backend *be, const struct ipcfs_obj *was,
	       const struct ipcfs_obj *now);
int sysv_parse_mkdir(const struct ipcfs_backend *be, const char *name, mode_t mode,
		     struct ipcfs_create_args *args);
int sysv_parse_new(const struct ipcfs_backend *be, const char *line, struct ipcfs_create_args *args);

/* ---- permissions: the kernel's ipcperms() and ipcctl_obtain_check() ---- */
/* IPC_SET names the owner's uid and gid in the caller's user namespace:
 * ids it cannot name cannot be set, nor kept by a chmod (EINVAL, as the
 * kernel's ipc_update_perm says).  0 or -EINVAL. */
int sysv_ids_settable(struct ipcfs_cred *c, uid_t uid, gid_t gid);
/* Pure decisions on a loaded cred (unit-tested and fuzzed). */
bool perm_decide(const struct ipcfs_cred *c, const struct ipcfs_obj *o, int want);
bool perm_decide_owner(const struct ipcfs_cred *c, const struct ipcfs_obj *o);
/* The checks, loading groups/caps only when the cheap owner test does not
 * settle it.  0 or -EACCES / -EPERM. */
int sysv_access(const struct ipcfs_backend *be, struct ipcfs_cred *c, const struct ipcfs_obj *o,
		int want);
int sysv_owner(const struct ipcfs_backend *be, struct ipcfs_cred *c, const struct ipcfs_obj *o);

/* The methods every System V kind shares, for its struct ipcfs_backend. */
#define SYSV_METHODS \
	.list = sysv_list, .stat = sysv_stat, \
	.resolve = sysv_resolve, .objname = sysv_objname, .alias_dir = "by-key", \
	.alias = sysv_alias, .labels = sysv_labels, .same = sysv_same, \
	.parse_mkdir = sysv_parse_mkdir, .parse_new = sysv_parse_new, \
	.access = sysv_access, .owner = sysv_owner, \
	.create_as = IPCFS_CREATE_AS_CALLER_IDS
