/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ipcfs.h - the contract between the FUSE layer (fs/) and the IPC backends,
 * and the one header a backend includes: the types it fills, and every
 * function of fs/ it may call (the second half).  fs/'s own internals are
 * in fs/util.h and the other headers of fs/, which backends never include.
 *
 * fs/ knows no IPC kind.  Each kind (shm, sem, mq) is one file in backends/
 * exporting one `const struct ipcfs_backend`, registered in fs/registry.c.
 * The FUSE layer builds everything generic from what a backend declares:
 *
 *   - `list`/`stat` give records (struct ipcfs_obj) with the common header
 *     (key, id, owner, creator, mode, times) and the kind's own numbers;
 *   - `fields` are the attribute rows: each becomes a one-value file, a line
 *     of `info` and a metrics series;
 *   - `files` are the kind's own files in an object directory (shm's `data`,
 *     sem's numbered semaphores, mq's `queue` ...), as table rows.
 *
 * Conventions: every function returns 0 (or a size/id) on success and a
 * negative errno on failure; nothing here sets errno for its caller.
 *
 * Locks and their order (the one place it is written; the locks' own
 * comments point here).  A lock is only ever taken after those above it:
 *
 *   1. libfuse's lock of a request, which it holds while it runs the
 *      request's interrupt callback: wait.c's on_interrupt takes wait.c's
 *      `lock`, msgq.c's lines_interrupted the open queue file's `lock`.
 *      So neither is held across fuse_req_interrupt_func (wait_begin,
 *      wait_end, call_on_interrupt).
 *   2. An open file's `lock` (fs/ops.h: its text snapshot, the writes of
 *      its one-value file): held while the snapshot of an object's file
 *      is built or a field written, it comes before whatever a backend's
 *      stat, access and field write take (3).
 *   3. Every other lock, each taken with no other held, and none taken
 *      under it: the namespace table's (fs/ns.c; the caches' destroy
 *      functions take none), wait.c's, node.c's intern_lock, poll.c's,
 *      passthrough.c's, evict.c's, registry.c's names_lock; a POSIX kind's
 *      name table (backends/posix.h), posix.c's devshm_lock, shm.c's
 *      held_lock, shmview.c's, a POSIX semaphore file's, an open queue
 *      file's (backends/msgq.h).
 *
 * Nothing that may block for long runs under a lock of 2 or 3: a system
 * call that waits (a receive, a P), a walk of /proc or of every namespace,
 * or a filesystem call per object.  Such work copies what it needs under
 * the lock, drops it, and takes it again to put the result in (ns.c's
 * rescan, posix.c's names_sweep_slow, ops_file.c's root_build, poll.c's
 * poll_pass).
 */
#pragma once

#include <fuse_opt.h>		/* a kind's mount options (struct fuse_opt) */
#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <syslog.h>		/* log_err, log_dbg: its priorities */

/* How many kinds a build can serve (the inode number has room for so many:
 * fs/node.h's kind field, 0 being the root). */
#define IPCFS_KINDS_MAX 15

/*
 * An object's id: what the inode numbers carry (fs/node.h), stable while
 * the object lives.  System V ids and POSIX objects' numbers are at most
 * INT_MAX; a kind whose objects are named by inode numbers (pipes,
 * sockets) uses all 32 bits.
 */
typedef uint32_t ipcfs_id;

struct ipcfs_ns;		/* an IPC namespace of ns/<inode>/ (below) */
struct userns_chain;		/* fs/'s */

/*
 * One IPC object, whatever its kind.  All numbers are int64_t so that the
 * attribute rows can address any of them by offset.  The `dir_*` times are
 * what the object's directory shows as st_atime/st_mtime/st_ctime.  `v`
 * holds the kind's own numbers, laid out by its backend as a struct of
 * int64_t members (IPCFS_NUMS); fs/ never looks inside.
 */
#define IPCFS_OBJ_NUMS 12
struct ipcfs_obj {
	int64_t id;
	int64_t key;
	int64_t uid, gid, cuid, cgid;
	int64_t mode;		/* the 9 permission bits */
	int64_t dir_atime, dir_mtime, dir_ctime;
	int64_t v[IPCFS_OBJ_NUMS];
};

/* A backend's struct of numbers over o->v, and a field's offset in it. */
#define IPCFS_NUMS(type, o) ((type *)(void *)(o)->v)
#define IPCFS_NUMS_FIT(type) \
	_Static_assert(sizeof(type) <= sizeof(((struct ipcfs_obj *)0)->v), #type " fits ipcfs_obj.v")
#define IPCFS_NUM_OFFSET(type, member) (offsetof(struct ipcfs_obj, v) + offsetof(type, member))

/* Caller credentials, captured from the request (see fs/cred.c), with
 * where the caller acts.  Backends read the first part; the rest is fs/'s. */
struct ipcfs_cred {
	uid_t uid;
	gid_t gid;
	pid_t pid;
	bool loaded;		/* groups and caps read from /proc/PID/status */
	int ngroups;
	gid_t groups[64];
	uint64_t caps;		/* effective capabilities that count for the
				 * IPC namespace acted in (see cred.c) */
	/* fs/'s: what cred_load read, and where the caller acts
	 * (ns_cred_in): the IPC namespace (NULL: the top level), its inode
	 * number, a process in it (0: the top level) and the user
	 * namespaces that own it (NULL: the top level's), in which `caps`
	 * are counted. */
	uid_t euid;		/* from the Uid: line, for the userns owner rule */
	uint64_t userns;	/* its user namespace (inode number), 0: unknown */
	uint64_t cap_eff;	/* CapEff: as the caller holds them */
	struct ipcfs_ns *ns;
	uint64_t ns_ino;
	pid_t ns_pid;
	const struct userns_chain *chain;
};

/* Access an operation needs, as a mode's bits say it: r=4, w=2. */
enum { IPCFS_R = 4, IPCFS_W = 2 };

/* How an attribute row's value is printed. */
enum ipcfs_fmt {
	IPCFS_FMT_DEC,		/* decimal */
	IPCFS_FMT_KEY,		/* 0x%08x */
	IPCFS_FMT_MODE,		/* 0%03o */
	IPCFS_FMT_TIME,		/* seconds since the epoch; 0 = not set */
	IPCFS_FMT_BOOL,		/* 0 or 1 */
	IPCFS_FMT_COUNT
};
/* v printed as fmt says, appended to out (fs/format.c): one-value files,
 * `info` and metrics print through it, so they never disagree. */
void format_value(GString *out, enum ipcfs_fmt fmt, int64_t v);
/* v in decimal into buf of size bytes, as snprintf "%" PRId64 would (cut
 * to fit): the length written (with size 0, nothing is written, and the
 * length is the whole number's). */
size_t format_dec(char *buf, size_t size, int64_t v);

/*
 * An attribute row: a one-value file `name`, a line `name: value` of
 * `info`, and (when `help` is set) a metrics gauge ipcfs_<kind>_<name>.
 */
struct ipcfs_field {
	const char *name;
	size_t offset;		/* of an int64_t in struct ipcfs_obj */
	enum ipcfs_fmt fmt;
	const char *help;	/* metrics HELP text; NULL: not a metric */
	/*
	 * Optional: makes the file writable.  Called with the caller's
	 * credentials (not yet checked) and the text written, NUL-terminated.
	 * Returns 0 or -errno (EINVAL for bad text, EPERM, ENOENT ...).
	 */
	int (*write)(ipcfs_id id, const char *text, struct ipcfs_cred *cred);
};

#define IPCFS_FIELD(n, member, f, h) \
	{ .name = (n), .offset = offsetof(struct ipcfs_obj, member), .fmt = (f), .help = (h) }
/* A row over one of the kind's own numbers (a member of its `type`). */
#define IPCFS_FIELD_NUM(n, type, member, f, h) \
	{ .name = (n), .offset = IPCFS_NUM_OFFSET(type, member), .fmt = (f), .help = (h) }

/*
 * IPC namespaces (fs/ns.c).  A request for a node under ns/<inode>/ runs
 * in that namespace: the thread has joined it (setns) for the whole call,
 * so System V calls act there.  What the kernel does not key by the
 * thread's namespace (POSIX kinds' directories and name tables, caches by
 * id) a backend keys by ipcfs_ns_current(): NULL for the top level (and
 * for ns/<inode> of the top level's own namespace), else a handle valid
 * for the whole call.
 */
struct ipcfs_ns;
struct ipcfs_ns *ipcfs_ns_current(void);
/* A process in it (to reach its /proc/PID/root), and its inode number. */
pid_t ipcfs_ns_pid(const struct ipcfs_ns *ns);
uint64_t ipcfs_ns_inode(const struct ipcfs_ns *ns);
/* The inode number of the namespace acted in: ns/<inode>'s, or the one the
 * mount serves at the top level (0: unknown).  For kinds that are no IPC
 * objects of a namespace but belong to its processes (pipes). */
uint64_t ipcfs_ns_acted_in(void);
/* The backend's cache `key` in namespace ns: made by make(arg) at the
 * first use (NULL: nothing made, NULL returned; two threads may make one
 * at once, and the second's is destroyed), freed by destroy when the
 * daemon lets the namespace go. */
void *ipcfs_ns_data(struct ipcfs_ns *ns, const void *key, void *(*make)(void *arg), void *arg,
		    GDestroyNotify destroy);

/*
 * One open file, as a backend's file methods see it.  fs/ fills it at open
 * and keeps the rest of the open file's state (its text snapshot, its
 * namespace, its passthrough backing) to itself.
 */
struct ipcfs_fh {
	const struct ipcfs_backend *be;
	const struct ipcfs_file *file;	/* the row opened */
	ipcfs_id id;		/* the object */
	uint64_t sub;		/* the row's index (semaphore number, type ...) */
	int flags;		/* open(2) flags, as the last read or write saw them */
	struct ipcfs_cred cred;	/* who opened it; fd operations act as them */
	void *priv;		/* the backend's; freed by its release */
	struct ipcfs_obj opened;	/* the object as it was at open: who it is */
	/*
	 * A live row's open may set this to a descriptor of the file whose
	 * bytes this file's are (shm's data: the segment's memory file),
	 * opened with the caller's rights checked.  fs/ takes it (and closes
	 * it) once the open is done, after the truncation of an O_TRUNC open,
	 * which may use it; with FUSE passthrough the kernel then serves mmap
	 * of this open from that file, and reads too when the open is
	 * read-only (fs/passthrough.c): read must mean the same as on that
	 * file.  -1 (the default): no such file.
	 */
	int backing_fd;
};

/* Are opens of rows with a backing file served by FUSE passthrough on
 * this mount (mmap of shm's data works)?  False when the kernel or the
 * libfuse of the build lacks it, or -o no_passthrough. */
bool ipcfs_passthrough_on(void);

/*
 * One request of a client, as a backend sees it (opaque; fs/call.c).
 * Backends never answer a request: they return a result and fs/ sends the
 * one reply.  What they may ask of it is below (call_*, wait_*).
 */
struct ipcfs_call;

/*
 * What a read or write of a live file produced.  fs/ presets `size` to the
 * bytes written (a write may lower it: a short write) and sends the reply.
 *
 * An operation that took something from the kernel (a message, a P) sets
 * `undo`: when the caller cannot have the result (interrupted, killed
 * while it waited, or the reply cannot be delivered) fs/ calls it, and the
 * caller gets EINTR or nothing.  `done`, when set, is called once at the
 * end either way, to free what `data` points into.  Both run after the
 * open file may be gone: they may use only `priv` and `arg`, never fh.
 */
struct ipcfs_result {
	const void *data;	/* read: the bytes */
	size_t size;		/* read: their count; write: bytes taken */
	bool waited;		/* the operation waited: check the caller is alive */
	void (*undo)(struct ipcfs_result *res);
	void (*done)(struct ipcfs_result *res);
	void *priv;
	int64_t arg[2];
};

/* Called by a dynamic row's list method for each entry. */
typedef void (*ipcfs_fill_fn)(void *ctx, const char *name, uint64_t sub);

/* Row flags. */
enum {
	IPCFS_FILE_DIR = 1 << 0,	/* a subdirectory (its rows name it as parent) */
	IPCFS_FILE_INDEXED = 1 << 2,	/* names are 0..count-1, see ->count */
	/*
	 * Reading takes data away (refused when ro).  Such a row is listed
	 * as symlinks NAME -> .NAME, and its entries answer to .NAME, never
	 * listed, so that tools that walk a tree take nothing (fs/tree.h).
	 * Its entries' names are its fixed name, or the decimal of their
	 * sub (as INDEXED rows and mq's type/<N>): the links are made of them.
	 */
	IPCFS_FILE_CONSUMES = 1 << 3,
	/*
	 * Checked at open only, like an attachment: shm's `data` (a mapping
	 * of a segment keeps working after a chmod, natively too).  Other
	 * live files are checked at every read and write, as the kernel
	 * checks every System V operation: the object must still be the one
	 * opened (else EIDRM) and its current mode must let the opener.
	 */
	IPCFS_FILE_MAPPED = 1 << 4,
	/*
	 * A file whose writes and reads may wait (a P, a receive, a send to a
	 * full queue).  The kernel holds a file's inode lock for a whole
	 * write, so every lookup of such a name gets an inode of its own:
	 * writers blocked on one path do not queue behind each other in the
	 * kernel, where no signal reaches them.  stat shows one number.
	 */
	IPCFS_FILE_OWN_INODE = 1 << 5,
};

/*
 * A row of an object directory.  `name` is a fixed name, or NULL for rows
 * whose names come from ->count (IPCFS_FILE_INDEXED) or ->lookup/->list.
 * Reading/writing need `need_read`/`need_write` IPC access, checked at open
 * against the caller (0: anyone).
 */
struct ipcfs_file {
	const char *name;
	unsigned parent;	/* 0: the object directory; else 1 + index of a DIR row */
	mode_t mode;		/* S_IFREG|0644 ...; S_IFDIR rows need IPCFS_FILE_DIR */
	unsigned flags;
	int need_read, need_write;

	/* IPCFS_FILE_INDEXED: how many entries (semaphores in the set). */
	uint64_t (*count)(const struct ipcfs_obj *o);
	/* Dynamic names: resolve one (0 or -ENOENT), list all. May not block. */
	int (*lookup)(const struct ipcfs_obj *o, const char *name, uint64_t *sub);
	int (*list)(const struct ipcfs_obj *o, ipcfs_fill_fn fill, void *ctx);

	/* A symlink row (mode S_IFLNK|0777): its target for entry `sub` of
	 * o, NUL-terminated in buf (a socket's peer: ../<ino>).  0, or
	 * -ENOENT when it has none now: the entry is then neither listed
	 * nor found.  Never blocks. */
	int (*link)(const struct ipcfs_obj *o, uint64_t sub, char *buf, size_t size);
	/* Adjust st_size and the like for one entry; 0 or -ENOENT. */
	int (*getattr)(const struct ipcfs_obj *o, uint64_t sub, struct stat *st);
	/* Generated text, built whole at open and served from that snapshot.
	 * `reader` is who opened it (what they may see can depend on it). */
	int (*text)(const struct ipcfs_obj *o, uint64_t sub, struct ipcfs_cred *reader,
		    GString *out);

	/* Live files.  open: 0 or -errno; may set fh->priv.  read and write:
	 * 0 with `res` filled, or -errno (see struct ipcfs_result). */
	int (*open)(struct ipcfs_fh *fh, const struct ipcfs_obj *o);
	int (*read)(struct ipcfs_call *call, struct ipcfs_fh *fh, size_t size, off_t off,
		    struct ipcfs_result *res);
	/* `o` is the object as checked for this write (NULL for MAPPED rows). */
	int (*write)(struct ipcfs_call *call, struct ipcfs_fh *fh, const struct ipcfs_obj *o,
		     const char *buf, size_t size, off_t off, struct ipcfs_result *res);
	/* close(2) of a descriptor of this open file (each one, dups too):
	 * may wait, interruptibly, for what the close must finish.  0 or
	 * -errno, which close(2) returns. */
	int (*flush)(struct ipcfs_call *call, struct ipcfs_fh *fh);
	/* Called once per open, after the last read/write; frees fh->priv.
	 * Never blocks: the kernel runs releases in a few shared slots. */
	void (*release)(struct ipcfs_fh *fh);
	/* truncate(2), ftruncate(2) and O_TRUNC, through an open file of the
	 * caller's, opened for writing (truncate(2) by path opens one for the
	 * purpose).  0 or -errno. */
	int (*truncate)(ipcfs_id id, struct ipcfs_fh *fh, off_t size);
	/*
	 * Optional: poll(2) readiness of an open live file (fs/poll.c).
	 * Returns the <poll.h> bits true now among `events` (POLLIN: a read
	 * would not block, POLLOUT: a write would not, POLLPRI as the row
	 * documents), plus POLLERR|POLLHUP when the object is gone.  Never
	 * blocks and never changes the object; it may skip work for bits
	 * not in `events`.  Called from any thread, also from fs/poll.c's
	 * poller while fh is open (release waits for it).  Rows without it
	 * poll as always readable and writable, like regular files.
	 */
	unsigned (*ready)(struct ipcfs_fh *fh, unsigned events);
};

/* What a chmod or chown asks to set (ipcfs_backend.set). */
enum { IPCFS_SET_UID = 1, IPCFS_SET_GID = 2, IPCFS_SET_MODE = 4 };

/* The longest object name, with its NUL (NAME_MAX + 1). */
#define IPCFS_NAME_MAX 256

/* What `mkdir` and `new` ask a backend to create (filled by the kind's own
 * parse_mkdir/parse_new). */
struct ipcfs_create_args {
	int64_t key;		/* a number the kind creates by (System V: the key) */
	char name[IPCFS_NAME_MAX];	/* or a name (named kinds) */
	mode_t mode;		/* permission bits */
	uint64_t param;		/* the kind's: a size, a count ... */
	/* Who asks.  create runs with the thread set up as the kind's
	 * create_as says. */
	struct ipcfs_cred *cred;
};

/* Who a kind's create runs as (ipcfs_backend.create_as): fs/ sets the
 * thread up before create, and back to the daemon's identity after. */
enum ipcfs_create_as {
	/* The caller's euid and egid, so that the kernel records them as
	 * owner and creator (System V: cuid, cgid); nothing else of the
	 * caller (a thread whose euid is not 0 has no capability left). */
	IPCFS_CREATE_AS_CALLER_IDS,
	/* The caller's fs credentials (fsuid, fsgid, every group, their
	 * capabilities where they count: cred_enter_fs), so that the kernel
	 * decides whether they may create the file and makes it theirs
	 * (POSIX objects are files). */
	IPCFS_CREATE_AS_CALLER_FS,
	/* The daemon's own: the kind takes on the caller itself (posix/mq
	 * creates in a child process that becomes the caller entirely). */
	IPCFS_CREATE_AS_DAEMON,
};

/*
 * A kind of IPC object.  Every object has an id (ipcfs_id) and a name,
 * its directory in the kind's directory.  It may have a second
 * name (an alias, System V's 0xKEY), which resolves too and is listed as a
 * symlink in `alias_dir`.  The kind also says how objects are created
 * (mkdir NAME, a line written to `new`) and who may do what to them.
 */
struct ipcfs_backend {
	/* (Every method gets its backend, so that kinds can share them.) */
	const char *name;	/* directory name */
	/* Optional: the top-level directory the kind's directory is in
	 * ("posix": posix/shm); NULL: at the top.  Kinds of one group share
	 * its directory.  Metrics families are ipcfs_<group>_<name>_... */
	const char *group;
	const void *data;	/* the kind's constants, for shared methods */

	/*
	 * What caller `c` may see of the kind (NULL: the daemon itself, which
	 * sees everything).  Whether an object exists for a caller is the
	 * kind's to say: System V shows every object to everyone (the
	 * kernel's *_STAT_ANY needs no right), a POSIX kind what the caller's
	 * own reading of its directory shows, and a kind whose objects are
	 * found by a scan of /proc (pipes, sockets) what the caller may read
	 * of their holders.  list, stat and resolve must agree for one
	 * caller; none blocks.
	 *
	 * list: every object c may see, appended to `out` (GArray of struct
	 * ipcfs_obj).  0 or -errno.
	 */
	int (*list)(const struct ipcfs_backend *be, struct ipcfs_cred *c, GArray *out);
	/* One object by id, for c: 0, or -ENOENT when there is none (or c
	 * may not see it).  As cheap as the kind can make it: called for
	 * every stat and lookup (System V and POSIX kinds: O(1)). */
	int (*stat)(const struct ipcfs_backend *be, struct ipcfs_cred *c, ipcfs_id id,
		    struct ipcfs_obj *out);
	/* Create, failing if it exists, running as create_as says: 0 with
	 * the new object's id in *id, or -EEXIST, -EINVAL (bad size or
	 * count), -ENOSPC (a limit).  NULL: the kind cannot be created. */
	int (*create)(const struct ipcfs_backend *be, const struct ipcfs_create_args *args,
		      ipcfs_id *id);
	enum ipcfs_create_as create_as;
	/* Remove, and set owner and mode, for the caller `c`, whom fs/ has
	 * checked with ->owner first.  `what` (IPCFS_SET_*) says which of
	 * uid, gid, mode the caller asked to set; the others are the
	 * object's current ones.  0 or -errno. */
	int (*remove)(const struct ipcfs_backend *be, struct ipcfs_cred *c, ipcfs_id id);
	int (*set)(const struct ipcfs_backend *be, struct ipcfs_cred *c, ipcfs_id id, unsigned what,
		   uid_t uid, gid_t gid, mode_t mode);

	/* ---- names ---- */
	/* The object a name in the kind's directory stands for, for caller
	 * c (as stat): 0 with *id and *alias (true: the name is its second
	 * name), or -ENOENT. */
	int (*resolve)(const struct ipcfs_backend *be, struct ipcfs_cred *c, const char *name,
		       ipcfs_id *id, bool *alias);
	/* The object's own name (fits IPCFS_NAME_MAX). */
	void (*objname)(const struct ipcfs_backend *be, const struct ipcfs_obj *o, char *buf,
			size_t size);
	/* Optional second names: the directory listing them (NULL: none), and
	 * o's second name, false when it has none. */
	const char *alias_dir;
	bool (*alias)(const struct ipcfs_backend *be, const struct ipcfs_obj *o, char *buf,
		      size_t size);
	/* Optional lines of `info` after the fields' (what is no number: a
	 * FIFO's path), made when `info` is read. */
	void (*info)(const struct ipcfs_backend *be, const struct ipcfs_obj *o, GString *out);
	/* The labels that tell o apart in `metrics` (`id="3",key="0x..."`). */
	void (*labels)(const struct ipcfs_backend *be, const struct ipcfs_obj *o, GString *out);
	/* Is `now` the object `was` (same id) described?  An id may come back
	 * for a new object once the old one is gone. */
	bool (*same)(const struct ipcfs_backend *be, const struct ipcfs_obj *was,
		     const struct ipcfs_obj *now);

	/* ---- creation ---- */
	/* `mkdir NAME` (mode: mkdir's, less the umask): what to create.  0, or
	 * -EINVAL when NAME is not one the kind can make. */
	int (*parse_mkdir)(const struct ipcfs_backend *be, const char *name, mode_t mode,
			   struct ipcfs_create_args *args);
	/* A line written to the kind's `new` file (NULL: no `new` file).  0,
	 * -EINVAL or -ERANGE. */
	int (*parse_new)(const struct ipcfs_backend *be, const char *line,
			 struct ipcfs_create_args *args);

	/* ---- permissions: the kind's own rule ---- */
	/* May the caller read/write (IPCFS_R|IPCFS_W) o's contents?  0, or
	 * -EACCES.  May load the caller's groups and capabilities (cred_load)
	 * when the cheap tests do not settle it. */
	int (*access)(const struct ipcfs_backend *be, struct ipcfs_cred *c,
		      const struct ipcfs_obj *o, int want);
	/* May the caller change (chmod, chown, one-value writes) or remove o?
	 * 0, or -EPERM. */
	int (*owner)(const struct ipcfs_backend *be, struct ipcfs_cred *c,
		     const struct ipcfs_obj *o);

	const struct ipcfs_field *fields;	/* terminated by a NULL name */
	const struct ipcfs_file *files;		/* the kind's own rows */
	size_t nfiles;

	/* Optional mount options of this kind (fuse_opt rows over
	 * `opts_data`), and a check run once they are parsed: 0, or -EINVAL
	 * having printed why.  Parsing only: start-up work is init's. */
	const struct fuse_opt *opts;
	void *opts_data;
	int (*opts_check)(void);
	const char *opts_help;

	/* ---- lifetime ---- */
	/* Optional: start-up work, once every kind's options are checked and
	 * the served IPC namespace is joined, before any thread exists and
	 * before the mount: 0, or -errno having logged why (the daemon does
	 * not start).  Kinds of a family may share it: it is called once per
	 * kind. */
	int (*init)(const struct ipcfs_backend *be);
	/* Optional: release what the kind holds, once the session ended
	 * (called once per kind, like init). */
	void (*shutdown)(const struct ipcfs_backend *be);

	/* Optional lines for the top-level files: `limits`, `summary`. */
	void (*limits)(GString *out);
	void (*summary)(GString *out);
	/* Optional extra metric families over all objects (per-semaphore
	 * values ...).  `labels[i]` is the label set of objs[i], e.g.
	 * `kind="sem",id="3",key="0x00001234",owner="root"`.  `reader` is
	 * who reads `metrics`: contents need their access (->access). */
	void (*metrics)(GArray *objs, char **labels, struct ipcfs_cred *reader, GString *out);
	/* Optional lines for ns/<inode>/info, run in that namespace: what a
	 * reader needs to know about it for this kind (why it shows nothing). */
	void (*ns_info)(const struct ipcfs_backend *be, GString *out);
};

/* fs/registry.c.  A kind's number is its place in ipcfs_backends + 1
 * (0 is the root). */
extern const struct ipcfs_backend *const *ipcfs_backends;	/* NULL-terminated */
/* Serve these kinds instead of the built-in ones (NULL: the built-in
 * ones again): tests/unit/test_fs.c's fake kinds; then tree_init(). */
void ipcfs_registry_set(const struct ipcfs_backend *const *kinds);
unsigned ipcfs_nkinds(void);
const struct ipcfs_backend *ipcfs_backend_of(unsigned kind);
unsigned ipcfs_kind_of(const struct ipcfs_backend *be);
/* The kind's path from the top ("shm", "posix/shm") and the prefix of its
 * metrics families ("shm", "posix_shm"). */
const char *ipcfs_kind_path(const struct ipcfs_backend *be);
const char *ipcfs_kind_family(const struct ipcfs_backend *be);
/* The groups (distinct non-NULL ->group), in registry order: group g is
 * ipcfs_group_name(g) for g < ipcfs_ngroups(). */
unsigned ipcfs_ngroups(void);
const char *ipcfs_group_name(unsigned g);

/* Mount options every module may read (fs/main.c). */
struct ipcfs_opts {
	char *ns;		/* ns=PATH */
	char *timeout_str;	/* timeout=SECONDS */
	double timeout;
	int ro;
	char *max_waits_str;	/* max_waits=N: blocked operations per user */
	int no_passthrough;	/* no_passthrough: never FUSE passthrough */
};
extern struct ipcfs_opts ipcfs_opts;

/* ==== What fs/ offers a backend ====
 *
 * Every function a backend may call.  Each returns 0 (or a size, an fd)
 * or a negative errno unless it says otherwise, and none blocks unless it
 * says so.
 */

/* ---- logging (fs/log.c): levelled; to stderr while the daemon has one
 * (-f, -d), to syslog once it runs in the background ---- */
extern int ipcfs_debug;
void log_write(int priority, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
#define log_err(fmt, ...) log_write(LOG_ERR, fmt, ##__VA_ARGS__)
#define log_dbg(fmt, ...) \
	do { if (ipcfs_debug) log_write(LOG_DEBUG, fmt, ##__VA_ARGS__); } while (0)
/* From now on the log goes to syslog (daemon facility), libfuse's too. */
void log_to_syslog(void);

/* ---- the request (fs/call.c) ---- */
/* The caller interrupted the request (a signal, Ctrl-C). */
bool call_interrupted(struct ipcfs_call *call);
/*
 * Run fn(data) once the caller interrupts the request (at once if it has
 * already), until call_on_interrupt(call, NULL, NULL), which returns only
 * when no fn runs any more.  fn runs on another thread, under libfuse's
 * lock of the request: it may take a lock of its own only if its caller
 * never holds that lock across call_on_interrupt, wait_begin or wait_end.
 * Not within a wait (wait_begin's is the request's one callback).
 */
void call_on_interrupt(struct ipcfs_call *call, void (*fn)(void *data), void *data);
/* The calling thread's id. */
pid_t call_pid(const struct ipcfs_call *call);

/* ---- waiting (fs/wait.c): blocking calls that a signal can end ----
 * A backend that must block in a system call for a request (a P, a
 * receive, a send to a full queue) does it within a wait of the request:
 * the thread then gets a signal (without SA_RESTART: the call returns
 * EINTR, having done nothing) when the caller interrupts it or the daemon
 * stops, and the wait counts against the caller's share of the workers.
 * One wait at a time per request. */
/* Begin: 0, -EINTR if the caller has interrupted already, -EAGAIN when
 * the caller has wait_max_per_user waits already or the daemon
 * wait_max_total.  Call wait_end() either way. */
int wait_begin(struct ipcfs_call *call);
/* True when the caller gave up (or the daemon is stopping): stop retrying. */
bool wait_cancelled(struct ipcfs_call *call);
void wait_end(struct ipcfs_call *call);
/* True once the daemon is stopping (its session ended): work that waits
 * with no request to be interrupted (a retry loop) gives up. */
bool wait_stopping(void);

/* ---- parsing what users write (fs/parse.c: pure) ---- */
/* A canonical decimal from 0 to INT_MAX ("0", "32769"; no sign, no
 * leading zero): ids, indexes.  0 or -EINVAL. */
int parse_id(const char *s, int *id);
/* The same for any range: a canonical decimal in [b, e) of at most max.
 * 0 or -EINVAL. */
int parse_canonical(const char *b, const char *e, uint64_t max, uint64_t *out);
/* What the parsers below take around a value: [*b, *e) is s without
 * surrounding blanks (space, tab) and one trailing newline. */
void parse_trim(const char *s, const char **b, const char **e);
/* The digits of `base` (up to 16) in [b, e), leading zeros allowed.  0,
 * -EINVAL (none, or another character) or -ERANGE (past UINT64_MAX). */
int parse_digits(const char *b, const char *e, unsigned base, uint64_t *out);
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
/* The same over [b, e), already trimmed (parse_trim). */
int parse_s64_in(const char *b, const char *e, int64_t min, int64_t max, int64_t *out,
		 char *sign);
/* A mount option's seconds: a decimal in [0, 86400], fractions allowed.
 * 0 or -EINVAL. */
int parse_seconds(const char *s, double *out);
/* Copy a write() buffer into a NUL-terminated string; -EINVAL when it
 * holds a NUL byte or is longer than `max`.  Caller frees. */
int text_dup(const char *buf, size_t size, size_t max, char **out);
/* The same into `out`, for short commands (no allocation): -EINVAL also
 * when it does not fit with its NUL. */
int text_copy(const char *buf, size_t size, char *out, size_t out_size);

/* A metrics label value as the exposition format wants it: \\, \" and
 * \n escaped (fs/format.c). */
void format_label_value(GString *out, const char *v);

/* ---- fs/status.c ---- */
/* "/proc/PID/rest" into path (PROC_PATH_MAX bytes; rest is short and
 * fixed).  Built by hand: snprintf costs ~2,000 instructions, and some of
 * these paths are made for every request. */
#define PROC_PATH_MAX 64
void proc_path(char *path, pid_t pid, const char *rest);
/* /proc/PID/status, the one reader of it: */
/* The whole file, or NULL (gone).  g_free it. */
char *status_read(pid_t pid);
/* Just past "name:" on the line that starts with it, or NULL. */
const char *status_line(const char *text, const char *name);
/* The numbers (base 10 or 16) on a line, appended to out (guint64), up to
 * its end.  0, or -EINVAL when something else is on it. */
int status_numbers(const char *line, unsigned base, GArray *out);
/* The i-th number of line `name`: 0, or -EINVAL. */
int status_number(const char *text, const char *name, unsigned base, unsigned i, uint64_t *out);

/* ---- opening files (fs/file.c: every open of the daemon) ---- */
/* `name` opened beneath dirfd by openat2: no symlink followed (magic or
 * not), nothing above dirfd reached, and with `same_mount` no mount point
 * crossed (-EXDEV); O_NOCTTY, O_NOFOLLOW and O_CLOEXEC are added.  `mode`
 * counts with O_CREAT only.  Runs with the thread's credentials: the
 * caller's after cred_enter_fs.  The fd, or -errno (-ELOOP: a symlink). */
int file_openat(int dirfd, const char *name, int flags, mode_t mode, bool same_mount);
/* An O_PATH of `name` as if rootfd were "/" (RESOLVE_IN_ROOT: `..` stops
 * there), no symlink followed, and from the kernel's cache of names only
 * (RESOLVE_CACHED): no file system is asked on the way, so a FUSE or NFS
 * mount (ipcfs's own included) cannot hold the walk up, nor an automount
 * fire.  As file_openat for credentials.  The fd, or -errno (-EAGAIN: a
 * part of the path was not in the cache). */
int file_path_cached(int rootfd, const char *name);
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

/* ---- the caller (fs/cred.c, fs/perm.c) ---- */
#define IPCFS_CAP_IPC_OWNER 15
#define IPCFS_CAP_SYS_ADMIN 21
#define IPCFS_CAP_SYS_RESOURCE 24
/* Does a loaded cred hold `cap` where it counts: in the user namespace
 * that owns the IPC namespace acted in? */
bool perm_has_cap(const struct ipcfs_cred *c, int cap);
/* Read groups and caps from /proc (once); 0 or -errno. */
int cred_load(struct ipcfs_cred *c);
/* A cred holds the caller's first 64 supplementary groups.  For one whose
 * list is full: the first of g1, g2 on its whole Groups: line, -1 for
 * neither, -2 when it cannot be read. */
int64_t cred_group_beyond(struct ipcfs_cred *c, int64_t g1, int64_t g2);
/* The kernel's capable(): does c hold `cap` in the daemon's own (the
 * initial) user namespace?  (msgctl's CAP_SYS_RESOURCE is asked so.) */
bool cred_capable_daemon_ns(struct ipcfs_cred *c, int cap);
/* The daemon's own user namespace (inode number; 0: unknown; userns.c). */
uint64_t userns_daemon(void);
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
/* Run the calling thread on files as the caller: fsuid, fsgid, every
 * supplementary group and the caller's effective capabilities (never more
 * than the daemon's), so that opening, creating, chmod and unlink of a
 * file are decided by the kernel's own rules for the caller.  0 or
 * -errno; then cred_leave_fs(), always. */
int cred_enter_fs(struct ipcfs_cred *c);
void cred_leave_fs(void);
/* The capabilities a thread (or child) of the daemon, which stands in the
 * daemon's user namespace, may hold for the caller: theirs when they stand
 * there too, none when they are root of a user namespace of their own
 * (whose capabilities would override every file of the machine here). */
uint64_t cred_fs_caps(struct ipcfs_cred *c);

/* ---- other processes (fs/ptrace.c, fs/procs.c) ---- */
/* May `reader` read /proc/PID/maps of process `pid`: the kernel's
 * ptrace_may_access(PTRACE_MODE_READ_FSCREDS) with the reader's fsuid,
 * fsgid and capabilities (loaded when needed).  False when pid is gone.
 * Reads /proc; does not block otherwise. */
bool ptrace_may_read(struct ipcfs_cred *reader, pid_t pid);
/* Does /proc/PID/maps show a mapping of inode `ino` (on device `dev`; 0:
 * any), on a line that holds `marker` (NULL: any)? */
bool procs_maps(const char *pid, dev_t dev, uint64_t ino, const char *marker);
/* `PID COMMAND` lines for every process `uses` says yes to, as far as
 * `reader` may see them (ptrace_may_read); then "hidden N" for the rest.
 * 0 or -errno. */
int procs_text(struct ipcfs_cred *reader, bool (*uses)(const char *pid, void *ctx), void *ctx,
	       GString *out);

/* ---- threads (fs/thread.c) ---- */
/* A helper thread (not a worker), with the signals that stop the daemon
 * blocked (see thread.c).  When it cannot be made: NULL, or the daemon
 * aborts if it is `required` (as g_thread_new). */
GThread *helper_thread_new(const char *name, GThreadFunc fn, gpointer data, bool required);

/*
 * ---- shares of shared tables (fs/quota.c) ----
 * The one rule for what each person may hold of a table shared by every
 * user of the mount: the namespace table (ns.c), the interned names
 * (node.c), the blocked operations (wait.c) and the stuck objects of
 * pipes/ and unix/ (backends/stuck.c).
 *
 * A share counts the person, not the uid.  Anyone with a range of
 * subordinate uids (/etc/subuid, newuidmap) runs processes as many uids,
 * each of which would get a share of its own.  The person behind a
 * process is the uid that made the outermost user namespace it stands in
 * below the daemon's own (NS_GET_PARENT and NS_GET_OWNER_UID, walked from
 * /proc/PID/ns/user); a process in the daemon's own user namespace is its
 * uid.  A container made by root (its outermost user namespace's owner is
 * uid 0) is a person of its own, not root: its root is nobody's root
 * outside it.
 */
/* A person: a uid (below 2^32), or QUOTA_USERNS_BIT | the inode number of
 * a root-made container's outermost user namespace. */
typedef uint64_t quota_person;
#define QUOTA_ROOT ((quota_person)0)
#define QUOTA_NONE UINT64_MAX	/* counted for nobody (listings) */
#define QUOTA_USERNS_BIT (UINT64_C(1) << 63)

/*
 * The person behind a process of uid `uid` (as the daemon's user namespace
 * names it) standing in user namespace chain[0], chain[i + 1] being
 * chain[i]'s parent and owners[i] the uid that made chain[i] (len
 * entries, as far as the walk went); `self` is the daemon's own user
 * namespace.  Pure.
 */
quota_person quota_person_of_chain(uid_t uid, const uint64_t *chain, const uid_t *owners, int len,
				   uint64_t self);
/* The person behind thread `pid` of uid `uid` (/proc/PID/ns/user; when it
 * cannot be read, the uid).  A stat when the thread stands in the daemon's
 * own user namespace, a walk of a few ioctls otherwise. */
quota_person quota_person_of(pid_t pid, uid_t uid);

/*
 * How much each person holds of one table, and the bounds: at most
 * `per_person` each, and all persons but root together at most
 * `all_others` (0: no such bound); root has no bound when `root_free`.
 * Not locked: its user holds its own lock around every call.
 */
struct quota {
	GHashTable *held;	/* person -> count (made at first use) */
	unsigned others;	/* held by all but root */
	unsigned per_person, all_others;
	bool root_free;
};
/* Take one for p if the bounds allow: true (taken), or false.  QUOTA_NONE
 * is always allowed and never counted. */
bool quota_take(struct quota *q, quota_person p);
/* Give back one that p took. */
void quota_give(struct quota *q, quota_person p);
/* How many p holds. */
unsigned quota_held(const struct quota *q, quota_person p);
/* Forget every count (for tests and shutdown). */
void quota_clear(struct quota *q);
