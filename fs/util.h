/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * util.h - the generic helpers the FUSE layer and the backends share:
 * parsers for what users write, formatters, /proc/PID/status, caller
 * credentials (and acting as the caller), interruptible waits, replies.
 */
#pragma once
#include "ipcfs.h"

/* ---- parse.c: pure parsers, unit-tested in tests/unit ---- */

/* A canonical decimal from 0 to INT_MAX ("0", "32769"; no sign, no
 * leading zero): ids, indexes.  0 or -EINVAL. */
int parse_id(const char *s, int *id);
/* An unsigned decimal with an optional K/M/G suffix (x1024^n) when
 * `suffix`; surrounding blanks and one trailing newline allowed.
 * 0, -EINVAL (not a number) or -ERANGE (overflow). */
int parse_u64(const char *s, bool suffix, uint64_t *out);
/* An octal mode of at most 0777: 0 or -EINVAL. */
int parse_mode(const char *s, mode_t *mode);
/* A signed decimal in [min, max] with optional surrounding blanks and
 * trailing newline, and an optional leading sign.  `sign` gets '+', '-'
 * or 0.  0, -EINVAL or -ERANGE. */
int parse_s64(const char *s, int64_t min, int64_t max, int64_t *out, char *sign);
/* A mount option's seconds: a decimal in [0, 86400], fractions allowed.
 * 0 or -EINVAL. */
int parse_seconds(const char *s, double *out);
/* Copy a write() buffer into a NUL-terminated string; -EINVAL when it
 * holds a NUL byte or is longer than `max`.  Caller frees. */
int text_dup(const char *buf, size_t size, size_t max, char **out);
/* The same into `out`, for short commands (no allocation): -EINVAL also
 * when it does not fit with its NUL. */
int text_copy(const char *buf, size_t size, char *out, size_t out_size);

/* ---- format.c ---- */
void format_value(GString *out, enum ipcfs_fmt fmt, int64_t v);
int64_t field_get(const struct ipcfs_field *f, const struct ipcfs_obj *o);
/* A metrics label value as the exposition format wants it: \\, \" and
 * \n escaped. */
void format_label_value(GString *out, const char *v);
/* `name: value` lines for every field. */
void format_info(GString *out, const struct ipcfs_field *fields, const struct ipcfs_obj *o);

/* ---- file.c: every open of the daemon (see file.c for why two ways) ---- */
/* `name` opened beneath dirfd by openat2: no symlink followed (magic or
 * not), nothing above dirfd reached, and with `same_mount` no mount point
 * crossed (-EXDEV); O_NOCTTY, O_NOFOLLOW and O_CLOEXEC are added.  `mode`
 * counts with O_CREAT only.  Runs with the thread's credentials: the
 * caller's after cred_enter_fs.  The fd, or -errno (-ELOOP: a symlink). */
int file_openat(int dirfd, const char *name, int flags, mode_t mode, bool same_mount);
/* A path only the daemon or the administrator names (/proc, -o ns=),
 * with O_NOCTTY and O_CLOEXEC: the fd, or -errno. */
int file_open(const char *path, int flags);
/* The whole contents of such a file (a NUL-terminated g_malloc'd text, its
 * length in *len unless NULL), or NULL: cannot be read, or longer than
 * `max` bytes. */
char *file_read(const char *path, size_t max, size_t *len);
/* The same relative to dirfd (a /proc/PID directory held open, so that
 * every file read is of the same process). */
char *file_read_at(int dirfd, const char *path, size_t max, size_t *len);
/* The bound for /proc files of one process (status, maps lines, uid_map,
 * cgroup, limits); mountinfo gets FILE_MOUNTINFO_MAX. */
#define FILE_PROC_MAX (1 << 20)
#define FILE_MOUNTINFO_MAX (16 << 20)

/* ---- status.c: /proc/PID/status ---- */
/* The whole file, or NULL (gone).  g_free it. */
char *status_read(pid_t pid);
/* Just past "name:" on the line that starts with it, or NULL. */
const char *status_line(const char *text, const char *name);
/* The numbers (base 10 or 16) on a line, appended to out (guint64), up to
 * its end.  0, or -EINVAL when something else is on it. */
int status_numbers(const char *line, unsigned base, GArray *out);
/* The i-th number of line `name`: 0, or -EINVAL. */
int status_number(const char *text, const char *name, unsigned base, unsigned i, uint64_t *out);

/* ---- perm.c: capabilities and /proc/PID/status ---- */
#define IPCFS_CAP_IPC_OWNER 15
#define IPCFS_CAP_SYS_ADMIN 21
#define IPCFS_CAP_SYS_RESOURCE 24
/* Parse /proc/PID/status text: Groups and CapEff into `c`.  0 or -EINVAL. */
int perm_parse_status(const char *text, struct ipcfs_cred *c);
bool perm_has_cap(const struct ipcfs_cred *c, int cap);
/* The kernel's cap_capable() walk: `caps` of a caller standing in user
 * namespace `caller_ns` (an inode number), as they count in chain[0], the
 * owner of the served IPC namespace; chain[i + 1] is chain[i]'s parent and
 * owners[i] the euid that created chain[i].  Pure (cred.c). */
uint64_t perm_caps_in_chain(uint64_t caller_ns, uid_t euid, uint64_t caps,
			    const uint64_t *chain, const uid_t *owners, int len);

/* ---- cred.c: the caller ---- */
/* The user namespaces that own an IPC namespace, from the owner up:
 * inode numbers and the euid that created each (NS_GET_OWNER_UID). */
#define USERNS_DEPTH_MAX 40	/* the kernel nests at most 32 */
struct userns_chain {
	uint64_t ns[USERNS_DEPTH_MAX];
	uid_t owner[USERNS_DEPTH_MAX];
	int len;
};
/* The chain of the IPC namespace open at `ipc_fd` (NS_GET_USERNS ...). */
void cred_userns_chain(int ipc_fd, struct userns_chain *out);
/* The chain from the user namespace open at `userns_fd` (closed here) up,
 * as far as the daemon may see (NS_GET_PARENT stops at its own). */
void cred_userns_walk(int userns_fd, struct userns_chain *out);
/* Does c hold capability `cap` in the user namespace of process pid, as
 * the kernel's ns_capable() there decides (the creator of a namespace has
 * every capability in it)?  False when pid is gone. */
bool cred_capable_over(struct ipcfs_cred *c, pid_t pid, int cap);
void cred_from_req(fuse_req_t req, struct ipcfs_cred *c);
/* Read groups and caps from /proc (once); 0 or -errno. */
int cred_load(struct ipcfs_cred *c);
/* A cred holds the caller's first 64 supplementary groups.  For one whose
 * list is full: the first of g1, g2 on its whole Groups: line, -1 for
 * neither, -2 when it cannot be read. */
int64_t cred_group_beyond(struct ipcfs_cred *c, int64_t g1, int64_t g2);
bool cred_capable(struct ipcfs_cred *c, int cap);
/* The kernel's capable(): does c hold `cap` in the daemon's own (the
 * initial) user namespace?  (msgctl's CAP_SYS_RESOURCE is asked so.) */
bool cred_capable_daemon_ns(struct ipcfs_cred *c, int cap);
/* Read the user namespaces that own the served IPC namespace, once, after
 * joining it (main.c). */
void cred_init_userns(void);
/* The daemon's own user namespace (inode number; 0: unknown). */
uint64_t cred_daemon_userns(void);
/*
 * Can the caller name this owner at all?  IPC_SET takes uid and gid in the
 * caller's user namespace (ipc_update_perm: make_kuid(current_user_ns()))
 * and fails with EINVAL when they do not map there, even for a chmod that
 * keeps them; a caller in the daemon's own user namespace can name every id.
 * A caller outside the IPC namespace acted on (ns/<inode>/) without
 * CAP_SYS_ADMIN would natively have entered the user namespace that owns
 * it: the ids must map there (cred.c says why).
 */
bool cred_ids_mappable(struct ipcfs_cred *c, uid_t uid, gid_t gid);
/* Run the calling thread as the caller (euid/egid/groups) so that what it
 * creates is owned by them, then back to the daemon's identity. */
int cred_enter(struct ipcfs_cred *c);
void cred_leave(void);
/* Run the calling thread on files as the caller: fsuid, fsgid, every
 * supplementary group and the caller's effective capabilities (never more
 * than the daemon's), so that opening, creating, chmod and unlink of a
 * file are decided by the kernel's own rules for the caller.  0 or
 * -errno; then cred_leave_fs(), always. */
int cred_enter_fs(struct ipcfs_cred *c);
/* The capabilities a thread (or child) of the daemon, which stands in the
 * daemon's user namespace, may hold for the caller: theirs when they stand
 * there too, none when they are root of a user namespace of their own
 * (whose capabilities would override every file of the machine here). */
uint64_t cred_fs_caps(struct ipcfs_cred *c);
void cred_leave_fs(void);

/* ---- wait.c: blocking calls that a signal can end ---- */
struct ipcfs_wait {
	pthread_t thread;
	struct ipcfs_call *call;
	uint64_t person;	/* whose wait: bounded per person (quota.h) */
	gint interrupted;	/* written under wait.c's lock; read atomically */
	int done;		/* under wait.c's lock */
	int registered;		/* wait_begin counted it */
};
/* Register the request's interrupt callback; -EINTR if already interrupted,
 * -EAGAIN when the caller has wait_max_per_user waits already or the
 * daemon has wait_max_total (see wait.c).  Call wait_end() either way. */
int wait_begin(struct ipcfs_wait *w, struct ipcfs_call *call);
extern unsigned wait_max_per_user, wait_max_total;
/* True once, a while after a wave of many waits ended: time to hand the
 * memory its threads used back to the system. */
bool wait_trim_due(void);
/* Is the client of `req` being killed (SIGKILL pending) or gone?  For an
 * operation that waited and succeeded: its result must be given back. */
bool wait_caller_dying(struct ipcfs_call *call);
/* True when the caller gave up (or the daemon is stopping): stop retrying. */
bool wait_cancelled(struct ipcfs_wait *w);
void wait_end(struct ipcfs_wait *w);
/* True once the daemon is stopping (its session ended): work that waits
 * with no request to be interrupted (a retry loop) gives up. */
bool wait_stopping(void);
void wait_init(struct fuse_session *se);
void wait_shutdown(void);

/* ---- thread.c ---- */
/* A helper thread (not a worker), with the signals that stop the daemon
 * blocked (see thread.c).  When it cannot be made: NULL, or the daemon
 * aborts if it is `required` (as g_thread_new). */
GThread *helper_thread_new(const char *name, GThreadFunc fn, gpointer data, bool required);

/* ---- call.c: requests and their one reply ---- */
struct ipcfs_call {
	fuse_req_t req;
};
/* Reply an error given as a negative errno (0 is sent as success). */
void reply_err(fuse_req_t req, int neg_errno);
/* Answer a read (`is_read`) or write with what the backend returned: `r`
 * (0 or -errno) and `res`; gives back what it took when the caller cannot
 * have it, then frees the result. */
void reply_result(struct ipcfs_call *call, int r, struct ipcfs_result *res, bool is_read);

/* ---- ptrace.c: what a caller may see of another process ---- */
/* May `reader` read /proc/PID/maps of process `pid`: the kernel's
 * ptrace_may_access(PTRACE_MODE_READ_FSCREDS) with the reader's fsuid,
 * fsgid and capabilities (loaded when needed).  False when pid is gone.
 * Reads /proc; does not block otherwise. */
bool ptrace_may_read(struct ipcfs_cred *reader, pid_t pid);

/* ---- procs.c: which processes use an object ---- */
/* Does /proc/PID/maps show a mapping of inode `ino` (on device `dev`; 0:
 * any), on a line that holds `marker` (NULL: any)? */
bool procs_maps(const char *pid, dev_t dev, uint64_t ino, const char *marker);
/* `PID COMMAND` lines for every process `uses` says yes to, as far as
 * `reader` may see them (ptrace_may_read); then "hidden N" for the rest.
 * 0 or -errno. */
int procs_text(struct ipcfs_cred *reader, bool (*uses)(const char *pid, void *ctx), void *ctx,
	       GString *out);

/* ---- poll.c: poll/select/epoll on live files ----
 * (Declared here: a fs/poll.h would hide the system's <poll.h>, since
 * fs/ is on the include path.) */
/* The FUSE poll handler (in ipcfs_ops). */
void ipcfs_poll(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi,
		struct fuse_pollhandle *ph);
/* An open file is being released: drop its pending poll handle, waiting
 * if the poller is checking it right now.  Call before fh is freed. */
void poll_forget(struct ipcfs_fh *fh);
/* The session ended: stop the poller and free every pending handle. */
void poll_shutdown(void);
