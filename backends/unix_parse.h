/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * unix_parse.h - the pure half of the unix backend: one answer of the
 * kernel's unix_diag (NETLINK_SOCK_DIAG) parsed into a compact record, the
 * names the kernel's numbers are shown by, and the fd links of /proc,
 * without touching the kernel, so that tests/unit/test_unix.c can drive it.
 *
 *   readlink /proc/PID/fd/5   socket:[123456]      unix_link_ino()
 *   UNIX_DIAG_NAME            "\0journal"           unix_name_format(): @journal
 *   udiag_type, udiag_state   SOCK_STREAM, 10       "stream", "listening"
 *   UNIX_DIAG_VFS dev         0x0fe00000            unix_vfs_dev(): 254:0
 */
#pragma once
#include "../fs/ipcfs.h"

/* One Unix socket as one dump shows it (56 bytes: 10,000 sockets fit in
 * half a MiB).  Strings and the listener's queue are in the snapshot's
 * arenas, by offset. */
struct unix_sock {
	uint32_t ino;
	uint32_t peer;		/* the peer's inode; 0: none (a pending client's
				 * is the embryo's, which has none) */
	uint32_t rq, wq;	/* UNIX_DIAG_RQLEN: see unix.c's info for their
				 * meaning by type and state */
	uint32_t uid;		/* UNIX_DIAG_UID: the creator's fsuid */
	uint32_t vfs_ino, vfs_dev;	/* a path name's socket file (kernel dev) */
	uint32_t name;		/* offset of the formatted name; 0: unnamed */
	uint32_t icons, nicons;	/* a listener's pending clients (inodes) */
	uint32_t first, n;	/* its holders, in the snapshot */
	uint8_t type;		/* SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET */
	uint8_t state;		/* TCP_ESTABLISHED, TCP_LISTEN, TCP_CLOSE ... */
	uint8_t shutdown;	/* UNIX_DIAG_SHUTDOWN: RCV 1, SEND 2 */
	uint8_t flags;		/* UNIX_SOCK_* */
};

enum {
	UNIX_SOCK_HAS_UID = 1,	/* the kernel sent the uid */
	UNIX_SOCK_PENDING = 2,	/* a client in a listener's queue, not accepted:
				 * `peer` is set to the listener's inode */
};

/*
 * One answer of a SOCK_DIAG_BY_FAMILY dump: `msg` is the payload of its
 * nlmsghdr (struct unix_diag_msg and its attributes), `len` bytes.  0 with
 * *rec filled (first/n left 0), the formatted name appended to `names`
 * (NUL-terminated; rec->name its offset, 0 when unnamed: `names` must
 * start with one NUL) and a listener's pending clients to `icons` (GArray
 * of uint32_t); -EINVAL when it is too short or not AF_UNIX.
 */
int unix_diag_parse(const void *msg, size_t len, struct unix_sock *rec, GString *names,
		    GArray *icons);

/*
 * A name as ss(8) shows it, safe on one line: a path as it is, an
 * abstract name (leading NUL) with every NUL written '@' (@journal);
 * bytes below 0x20, 0x7f and '\' as \ooo.  Appended to out with its NUL.
 */
void unix_name_format(const char *raw, size_t len, GString *out);

/* A path name as the daemon may walk it for visibility (unix.c's
 * path_visible): absolute, and every component a plain name (no empty
 * one, no `.` or `..`, no trailing '/'), and nothing escaped.  The kernel
 * keeps sun_path as bind(2) got it: /ipc/unix/N/../x names a walk through
 * a mount, which such a check never makes. */
bool unix_path_plain(const char *name);

/* The most a UNIX_DIAG_NAME can be (sizeof sun_path) and the most pending
 * clients of one listener kept (UNIX_DIAG_ICONS; the rest is not linked):
 * the kernel never sends more than the first, and this bounds a snapshot
 * whatever a dump says. */
#define UNIX_NAME_MAX 108
#define UNIX_ICONS_MAX 65536u

/* `socket:[N]` (an fd link of a socket): 0 and *ino, or -EINVAL. */
int unix_link_ino(const char *link, uint32_t *ino);

/* "stream", "dgram", "seqpacket" ("?" for another). */
const char *unix_type_name(unsigned type);
/* "connected", "listening", "unconnected", "connecting", "closing"
 * (TCP_ESTABLISHED, TCP_LISTEN, TCP_CLOSE, TCP_SYN_SENT, TCP_CLOSE_WAIT;
 * "?" for another). */
const char *unix_state_name(unsigned state);

/* The kernel's dev of UNIX_DIAG_VFS (major << 20 | minor) as a dev_t. */
dev_t unix_vfs_dev(uint32_t kdev);

/* A listener whose queue is full: connect(2) now waits or fails (the
 * kernel's unix_recvq_full: more queued than the backlog). */
static inline bool unix_backlog_full(const struct unix_sock *u)
{
	return u->state == 10 /* TCP_LISTEN */ && u->rq > u->wq;
}
