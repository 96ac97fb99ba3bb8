/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * util.h - fs/'s own helpers and internals: what the files of fs/ share
 * beyond the backends' contract (ipcfs.h, which this includes, with every
 * helper a backend may call too).  Backends never include this: libfuse's
 * requests and sessions, the reply layer, the wait machinery and the parts
 * of a caller's credentials that only fs/ reads are here.
 */
#pragma once
#define FUSE_USE_VERSION 312
#include <fuse_lowlevel.h>
#include <pthread.h>

#include "ipcfs.h"

/* ---- format.c ---- */
int64_t field_get(const struct ipcfs_field *f, const struct ipcfs_obj *o);
/* `name: value` lines for every field. */
void format_info(GString *out, const struct ipcfs_field *fields, const struct ipcfs_obj *o);


/* ---- perm.c: capabilities and /proc/PID/status ---- */
/* Parse /proc/PID/status text: Groups and CapEff into `c`.  0 or -EINVAL. */
int perm_parse_status(const char *text, struct ipcfs_cred *c);
/* ---- cred.c: the caller ---- */
/* Does c hold capability `cap` in the user namespace of process pid, as
 * the kernel's ns_capable() there decides (the creator of a namespace has
 * every capability in it)?  False when pid is gone. */
bool cred_capable_over(struct ipcfs_cred *c, pid_t pid, int cap);
/* The caller of req, acting at the top level until cred_act_in says
 * otherwise. */
void cred_from_req(fuse_req_t req, struct ipcfs_cred *c);
/* c acts in IPC namespace `ns` (NULL: the top level) of inode number
 * ns_ino, with a process ns_pid in it (0: none known), owned by `chain`
 * (NULL: the top level's): its capabilities count there from now on.
 * (fs/ns.c's ns_cred_in fills these from a namespace.) */
void cred_act_in(struct ipcfs_cred *c, struct ipcfs_ns *ns, uint64_t ns_ino, pid_t ns_pid,
		 const struct userns_chain *chain);
/* Run the calling thread with the caller's euid and egid so that what it
 * creates is owned by them (IPCFS_CREATE_AS_CALLER_IDS), then back to the
 * daemon's identity. */
int cred_enter(struct ipcfs_cred *c);
void cred_leave(void);

/* ---- call.c, wait.c: requests, their waits and their one reply ---- */
/* A request's wait (wait.c), registered for interruption while it lasts. */
struct ipcfs_wait {
	pthread_t thread;
	uint64_t person;	/* whose wait: bounded per person (ipcfs.h, shares) */
	gint interrupted;	/* written under wait.c's lock; read atomically */
	int done;		/* under wait.c's lock */
	int registered;		/* wait_begin counted it */
};
struct ipcfs_call {
	fuse_req_t req;
	struct ipcfs_wait wait;	/* the one wait a request may have at a time */
	/* call_on_interrupt's function and its argument */
	void (*on_interrupt)(void *data);
	void *on_interrupt_data;
};
/* A call for request req (on the stack of its handler). */
#define IPCFS_CALL(r) { .req = (r) }
extern unsigned wait_max_per_user, wait_max_total;
/* True once, a while after a wave of many waits ended: time to hand the
 * memory its threads used back to the system. */
bool wait_trim_due(void);
/* Is the client of `req` being killed (SIGKILL pending) or gone?  For an
 * operation that waited and succeeded: its result must be given back. */
bool wait_caller_dying(struct ipcfs_call *call);
void wait_init(struct fuse_session *se);
void wait_shutdown(void);
/* Reply an error given as a negative errno (0 is sent as success). */
void reply_err(fuse_req_t req, int neg_errno);
/* An entry for node `nodeid` with attributes st: its cache times follow
 * what it is. */
void entry_param(struct fuse_entry_param *e, uint64_t nodeid, const struct stat *st);
/* Reply an entry (lookup, mkdir) whose lookup reference the kernel then
 * holds (ns_kernel_ref), taken back if the reply fails. */
void reply_entry(fuse_req_t req, uint64_t nodeid, const struct stat *st);
/* Answer a read (`is_read`) or write with what the backend returned: `r`
 * (0 or -errno) and `res`; gives back what it took when the caller cannot
 * have it, then frees the result. */
void reply_result(struct ipcfs_call *call, int r, struct ipcfs_result *res, bool is_read);
