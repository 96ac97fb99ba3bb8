// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * passthrough.c - FUSE passthrough for files whose bytes are another
 * file's (shm's and posix/shm's `data`: the segment's memory file, the
 * /dev/shm file).  The open reply names a backing file, and the kernel
 * then serves read, write and mmap of the open file from it directly, in
 * the caller's own context: mmap(MAP_SHARED) maps the object itself, the
 * bytes move at tmpfs speed, and the pages a caller faults are charged to
 * the caller, not to the daemon.  Kernel 6.9 and libfuse 3.16 have it.
 *
 * A backend's open hands fs/ a descriptor of the file (fh->backing_fd);
 * this registers it with the kernel (FUSE_DEV_IOC_BACKING_OPEN, which
 * needs CAP_SYS_ADMIN) and puts its id in the open reply:
 *
 *   - a read-only open is passthrough for everything: read, mmap;
 *   - an open that may write is passthrough for mmap only (FOPEN_DIRECT_IO
 *     keeps read and write with the daemon, the kernel documents that
 *     pair), because a write through the kernel past the end of the file
 *     would grow it, and `data` keeps its rules: a write that does not fit
 *     is EFBIG and writes nothing, a segment's size never changes.
 *
 * The kernel holds one backing file per inode: every open of an inode that
 * has one open in passthrough mode must name that same backing, or its
 * open fails with EIO (fs/fuse/iomode.c).  So backings are kept per node
 * (`table`: inode number -> struct backing) and shared by the opens of
 * that node; the last release of a node closes its id.  A node whose name
 * now stands for another file (a POSIX object removed and made again
 * under its name, a segment id reused) while its old one is still open
 * gets a second backing: the kernel takes it once the old opens are
 * released (their releases may still be on their way to the daemon: the
 * kernel drops its hold first), else refuses the new open (EIO).
 *
 * Registered backings hold their file (and so a removed segment's memory)
 * only while one of their opens lives.  Opens do not hold an attachment:
 * `nattch` and `attached` are as before.
 */
#include "ops.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

/* The kernel's interface (<linux/fuse.h> of Linux 6.9; Debian 12's
 * headers predate it).  libfuse's fuse_passthrough_open/close wrap the
 * same two calls, but need a request, which a failed open reply has
 * already freed. */
struct backing_map {
	int32_t fd;
	uint32_t flags;
	uint64_t padding;
};
#define BACKING_OPEN _IOW(229, 1, struct backing_map)
#define BACKING_CLOSE _IOW(229, 2, uint32_t)

/* One registered backing file (shared by the opens of one node). */
struct backing {
	int id;			/* the kernel's backing id */
	unsigned users;		/* opens that named it, not yet released */
	uint64_t nodeid;
	dev_t dev;		/* the file: device, inode and birth time */
	ino_t ino;
	bool has_btime;
	struct statx_timestamp btime;
};

/* Under `lock`: the table and the counts in it. */
static GMutex lock;	/* a leaf (order: fs/ipcfs.h) */
static GHashTable *table;	/* uint64 nodeid -> struct backing (the current one) */

/* Set at init; cleared (once, logged) when the kernel refuses a backing. */
static gint on;
static char why_off[160] = "not negotiated yet";
/* The session's /dev/fuse descriptor (passthrough_session). */
static int dev_fd = -1;

void passthrough_session(struct fuse_session *se)
{
	dev_fd = fuse_session_fd(se);
}

bool ipcfs_passthrough_on(void)
{
	return g_atomic_int_get(&on);
}

static void turn_off(const char *why)
{
	if (g_atomic_int_compare_and_exchange(&on, 1, 0)) {
		g_strlcpy(why_off, why, sizeof(why_off));
		log_err("data: passthrough off: %s; data is read and written through the daemon "
			"and cannot be mapped", why);
	}
}

void passthrough_init(struct fuse_conn_info *conn)
{
#ifdef FUSE_CAP_PASSTHROUGH
	if (ipcfs_opts.no_passthrough) {
		g_strlcpy(why_off, "the no_passthrough option", sizeof(why_off));
	} else if (!(conn->capable & FUSE_CAP_PASSTHROUGH)) {
		g_strlcpy(why_off, "the kernel does not offer FUSE passthrough (Linux 6.9 or newer "
			  "with CONFIG_FUSE_PASSTHROUGH has it)", sizeof(why_off));
	} else {
		conn->want |= FUSE_CAP_PASSTHROUGH;
		/* Backing files are plain tmpfs files: nothing stacks under
		 * the mount, and anything may stack over it. */
		conn->max_backing_stack_depth = 0;
		g_atomic_int_set(&on, 1);
	}
#else
	(void)conn;
	snprintf(why_off, sizeof(why_off), "built with libfuse %d.%d, which has no passthrough "
		 "(3.16 or newer has)", FUSE_MAJOR_VERSION, FUSE_MINOR_VERSION);
#endif
	if (g_atomic_int_get(&on))
		log_dbg("data: FUSE passthrough on");
	else if (!ipcfs_opts.no_passthrough)
		log_err("data: passthrough off: %s; data is read and written through the daemon "
			"and cannot be mapped", why_off);
}

/* Is b the file st/x describes? */
static bool backing_is(const struct backing *b, const struct stat *st, const struct statx *x)
{
	if (b->dev != st->st_dev || b->ino != st->st_ino)
		return false;
	if (!b->has_btime || !(x->stx_mask & STATX_BTIME))
		return true;
	return b->btime.tv_sec == x->stx_btime.tv_sec && b->btime.tv_nsec == x->stx_btime.tv_nsec;
}

static void backing_put(struct backing *b)
{
	bool last;

	g_mutex_lock(&lock);
	last = !--b->users;
	if (last && table && g_hash_table_lookup(table, &b->nodeid) == b)
		g_hash_table_remove(table, &b->nodeid);
	g_mutex_unlock(&lock);
	if (last) {
		uint32_t id = (uint32_t)b->id;

		/* The kernel let go of it before sending the last release (its
		 * opens and the inode hold the file themselves till then). */
		if (ioctl(dev_fd, BACKING_CLOSE, &id))
			log_err("data: closing backing %u: %s", id, g_strerror(errno));
		g_free(b);
	}
}

int passthrough_open(fuse_ino_t ino, struct ipcfs_fh *fh, struct fuse_file_info *fi,
		     struct backing **held)
{
	int fd = fh->backing_fd, r = 0;
	struct backing *b = NULL;
	struct statx x = { 0 };
	struct stat st;

	fh->backing_fd = -1;
	if (fd < 0)
		return 0;
	if (!ipcfs_passthrough_on() || fstat(fd, &st))
		goto out;
	if (statx(fd, "", AT_EMPTY_PATH, STATX_BTIME, &x))
		x.stx_mask = 0;
#ifdef FUSE_CAP_PASSTHROUGH
	g_mutex_lock(&lock);
	if (!table)
		table = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, NULL);
	b = g_hash_table_lookup(table, &(uint64_t){ ino });
	if (b && backing_is(b, &st, &x)) {
		b->users++;
	} else {
		/* As the daemon: the kernel keeps these credentials for every
		 * read, write and mmap of the backing (the open's rights were
		 * checked as the caller, by the backend). */
		struct backing_map map = { .fd = fd };
		int id = ioctl(dev_fd, BACKING_OPEN, &map);

		if (id <= 0) {
			int e = errno;

			/* Through the daemon, unless the node has a backing the
			 * kernel would insist on. */
			if (b)
				r = -EBUSY;
			g_mutex_unlock(&lock);
			if (e == EPERM)
				turn_off("the kernel refused a backing file (Operation not permitted: "
					 "it takes CAP_SYS_ADMIN)");
			else
				log_err("data: no passthrough for inode %#lx: %s", (unsigned long)ino,
					g_strerror(e));
			goto out;
		}
		b = g_new0(struct backing, 1);
		b->id = id;
		b->users = 1;
		b->nodeid = ino;
		b->dev = st.st_dev;
		b->ino = st.st_ino;
		b->has_btime = x.stx_mask & STATX_BTIME;
		b->btime = x.stx_btime;
		g_hash_table_replace(table, &b->nodeid, b);
	}
	g_mutex_unlock(&lock);
	*held = b;
	fi->backing_id = b->id;
	/* Read-only: the kernel serves reads too.  Else reads and writes stay
	 * with the backend, whose rules the kernel cannot keep. */
	fi->direct_io = (fh->flags & O_ACCMODE) != O_RDONLY;
	/* Nothing to do at close(2) for a row without a flush method: no
	 * round trip to the daemon then (one `cat` pays one open and one
	 * release, as near to a native open as FUSE goes). */
	fi->noflush = !fh->file->flush;
	log_dbg("open %#lx: passthrough, backing %d (%u opens)%s", (unsigned long)ino, b->id,
		b->users, fi->direct_io ? ", read and write through the daemon" : "");
#else
	(void)ino, (void)fi, (void)b, (void)backing_is, (void)held;
#endif
out:
	close(fd);
	return r;
}

void passthrough_release(struct ipcfs_fh *fh, struct backing **held)
{
	if (fh->backing_fd >= 0) {
		close(fh->backing_fd);
		fh->backing_fd = -1;
	}
	if (*held) {
		backing_put(*held);
		*held = NULL;
	}
}
