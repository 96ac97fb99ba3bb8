// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * unix_parse.c - unix_diag answers parsed, and the names of what they
 * hold (unix_parse.h).  Pure: no I/O.
 */
#include "unix_parse.h"

#include <errno.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/sysmacros.h>

int unix_diag_parse(const void *msg, size_t len, struct unix_sock *rec, GString *names,
		    GArray *icons)
{
	const struct unix_diag_msg *m = msg;
	const struct rtattr *a;
	int rest;

	if (len < sizeof(*m) || len > INT_MAX || m->udiag_family != AF_UNIX)
		return -EINVAL;
	memset(rec, 0, sizeof(*rec));
	rec->ino = m->udiag_ino;
	rec->type = m->udiag_type;
	rec->state = m->udiag_state;
	rest = (int)(len - NLMSG_ALIGN(sizeof(*m)));
	a = (const struct rtattr *)((const char *)msg + NLMSG_ALIGN(sizeof(*m)));
	for (; rest > 0 && RTA_OK(a, rest); a = RTA_NEXT(a, rest)) {
		const void *d = RTA_DATA(a);
		size_t dl = RTA_PAYLOAD(a);

		switch (a->rta_type) {
		case UNIX_DIAG_NAME:
			if (!dl || dl > UNIX_NAME_MAX)
				break;
			rec->name = (uint32_t)names->len;
			unix_name_format(d, dl, names);
			break;
		case UNIX_DIAG_VFS:
			if (dl >= sizeof(struct unix_diag_vfs)) {
				const struct unix_diag_vfs *v = d;

				rec->vfs_ino = v->udiag_vfs_ino;
				rec->vfs_dev = v->udiag_vfs_dev;
			}
			break;
		case UNIX_DIAG_PEER:
			if (dl >= sizeof(uint32_t))
				memcpy(&rec->peer, d, sizeof(uint32_t));
			break;
		case UNIX_DIAG_ICONS:
			rec->icons = icons->len;
			rec->nicons = (uint32_t)MIN(dl / sizeof(uint32_t), UNIX_ICONS_MAX);
			for (uint32_t i = 0; i < rec->nicons; i++) {
				uint32_t ino;

				memcpy(&ino, (const char *)d + i * sizeof(uint32_t), sizeof(ino));
				g_array_append_val(icons, ino);
			}
			break;
		case UNIX_DIAG_RQLEN:
			if (dl >= sizeof(struct unix_diag_rqlen)) {
				const struct unix_diag_rqlen *q = d;

				rec->rq = q->udiag_rqueue;
				rec->wq = q->udiag_wqueue;
			}
			break;
		case UNIX_DIAG_SHUTDOWN:
			if (dl >= 1)
				rec->shutdown = *(const uint8_t *)d;
			break;
		case UNIX_DIAG_UID:
			if (dl >= sizeof(uint32_t)) {
				memcpy(&rec->uid, d, sizeof(uint32_t));
				rec->flags |= UNIX_SOCK_HAS_UID;
			}
			break;
		}
	}
	return 0;
}

void unix_name_format(const char *raw, size_t len, GString *out)
{
	bool abstract = len && raw[0] == '\0';

	/* A path name may carry its terminating NUL (bound with the
	 * address length counting it): not part of the name. */
	if (!abstract)
		len = strnlen(raw, len);
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)raw[i];

		if (abstract && !ch)
			g_string_append_c(out, '@');
		else if (ch < 0x20 || ch == 0x7f || ch == '\\')
			g_string_append_printf(out, "\\%03o", ch);
		else
			g_string_append_c(out, (char)ch);
	}
	g_string_append_c(out, '\0');
}

int unix_link_ino(const char *link, uint32_t *ino)
{
	size_t n = strlen(link);
	uint64_t v;

	if (n < 10 || strncmp(link, "socket:[", 8) || link[n - 1] != ']')
		return -EINVAL;
	if (parse_canonical(link + 8, link + n - 1, UINT32_MAX, &v))
		return -EINVAL;
	*ino = (uint32_t)v;
	return 0;
}

const char *unix_type_name(unsigned type)
{
	switch (type) {
	case SOCK_STREAM:
		return "stream";
	case SOCK_DGRAM:
		return "dgram";
	case SOCK_SEQPACKET:
		return "seqpacket";
	}
	return "?";
}

const char *unix_state_name(unsigned state)
{
	/* The TCP state numbers the kernel reuses for Unix sockets. */
	switch (state) {
	case 1:
		return "connected";
	case 2:
		return "connecting";
	case 7:
		return "unconnected";
	case 8:
		return "closing";
	case 10:
		return "listening";
	}
	return "?";
}

dev_t unix_vfs_dev(uint32_t kdev)
{
	return makedev(kdev >> 20, kdev & ((1u << 20) - 1));
}

bool unix_path_plain(const char *name)
{
	if (name[0] != '/' || strchr(name, '\\'))
		return false;
	for (const char *p = name; *p == '/';) {
		const char *c = p + 1;
		size_t len = strcspn(c, "/");

		if (!len || (len == 1 && c[0] == '.') || (len == 2 && c[0] == '.' && c[1] == '.'))
			return false;
		p = c + len;
	}
	return true;
}
