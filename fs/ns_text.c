// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ns_text.c - the generated files of ns/: ns/<inode>/processes (who is in
 * a namespace, and the container, the cgroup, each is in), ns/<inode>/info
 * and ns/metrics (every namespace's metrics, each sample labelled ns= and
 * container=).  What it knows of the table it asks fs/ns.c, which does not
 * call it.
 */
#include "ns.h"
#include "tree.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* ---- processes, and the container they are in ---- */

/* The cgroup v2 path of process `pid` ("0::/path"), or NULL. */
static char *cgroup_of(pid_t pid)
{
	g_autofree char *text = NULL;
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	text = file_read(path, FILE_PROC_MAX, NULL);
	if (!text)
		return NULL;
	for (char *line = text; line && *line;) {
		char *nl = strchr(line, '\n');

		if (nl)
			*nl = '\0';
		if (!strncmp(line, "0::", 3) && line[3] == '/')
			return g_strdup(line + 3);
		line = nl ? nl + 1 : NULL;
	}
	return NULL;
}

static void comm_of(pid_t pid, char *out, size_t size)
{
	g_autofree char *text = NULL;
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	text = file_read(path, FILE_PROC_MAX, NULL);
	if (!text || !*text)
		g_strlcpy(out, "?", size);
	else
		g_strlcpy(out, text, size);
	out[strcspn(out, "\n")] = '\0';
}

/*
 * `processes`: "PID COMMAND" per process in namespace idx, and its cgroup
 * path after them where /proc/PID/cgroup has a cgroup v2 line ("PID
 * COMMAND /path": the path is the last word and always starts with '/').
 * Only processes the reader could read /proc/PID/maps of (ptrace rule), the
 * rest on a last line "hidden N", as shm's `attached` does.
 */
int ns_processes_text(unsigned idx, struct ipcfs_cred *reader, GString *out)
{
	g_autoptr(GArray) procs = NULL;
	uint64_t ino, owner;
	unsigned hidden = 0;

	if (ns_ident(idx, &ino, &owner))
		return -ENOENT;
	procs = ns_scan_procs();
	for (guint i = 0; i < procs->len; i++) {
		const struct proc_ns *p = &g_array_index(procs, struct proc_ns, i);
		g_autofree char *cg = NULL;
		char comm[64];

		if (p->ino != ino)
			continue;
		if (!ptrace_may_read(reader, p->pid)) {
			hidden++;
			continue;
		}
		comm_of(p->pid, comm, sizeof(comm));
		cg = cgroup_of(p->pid);
		g_string_append_printf(out, "%d %s%s%s\n", (int)p->pid, comm, cg ? " " : "",
				       cg ? cg : "");
	}
	if (hidden)
		g_string_append_printf(out, "hidden %u\n", hidden);
	return 0;
}

int ns_info_text(unsigned idx, GString *out)
{
	uint64_t ino, owner;

	if (ns_ident(idx, &ino, &owner))
		return -ENOENT;
	g_string_append_printf(out, "ipc_ns: %" G_GUINT64_FORMAT "\n", ino);
	if (owner)
		g_string_append_printf(out, "user_ns: %" G_GUINT64_FORMAT "\n", owner);
	for (const struct ipcfs_backend *const *b = ipcfs_backends; *b; b++)
		if ((*b)->ns_info)
			(*b)->ns_info(*b, out);
	return 0;
}

/* ---- ns/metrics ---- */

struct family {
	GString *head;		/* # HELP and # TYPE lines */
	GString *samples;
};

static void family_free(gpointer p)
{
	struct family *f = p;

	g_string_free(f->head, TRUE);
	g_string_free(f->samples, TRUE);
	g_free(f);
}

/*
 * Add one namespace's exposition `text` to the families, every sample
 * given the labels `extra` (`ns="..",container=".."`) first.  A family's
 * samples stay together whichever namespace they come from, and its HELP
 * and TYPE lines come once, as the format wants.
 */
static void merge_metrics(GHashTable *families, GPtrArray *order, const char *text,
			  const char *extra)
{
	struct family *f = NULL;

	for (const char *line = text; line && *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);

		if (!strncmp(line, "# HELP ", 7) || !strncmp(line, "# TYPE ", 7)) {
			const char *name = line + 7;
			g_autofree char *fam = g_strndup(name, strcspn(name, " \n"));

			f = g_hash_table_lookup(families, fam);
			if (!f) {
				f = g_new0(struct family, 1);
				f->head = g_string_new(NULL);
				f->samples = g_string_new(NULL);
				g_ptr_array_add(order, g_strdup(fam));
				g_hash_table_insert(families, g_steal_pointer(&fam), f);
			}
			if (!strstr(f->head->str, line[2] == 'H' ? "# HELP " : "# TYPE ")) {
				g_string_append_len(f->head, line, (gssize)len);
				g_string_append_c(f->head, '\n');
			}
		} else if (f && len && line[0] != '#') {
			size_t name_len = strcspn(line, "{ ");

			g_string_append_len(f->samples, line, (gssize)name_len);
			g_string_append_printf(f->samples, "{%s", extra);
			if (line[name_len] == '{') {
				g_string_append_c(f->samples, ',');
				g_string_append_len(f->samples, line + name_len + 1,
						    (gssize)(len - name_len - 1));
			} else {
				g_string_append_c(f->samples, '}');
				g_string_append_len(f->samples, line + name_len,
						    (gssize)(len - name_len));
			}
			g_string_append_c(f->samples, '\n');
		}
		line = nl ? nl + 1 : NULL;
	}
}

int ns_metrics_text(struct ipcfs_cred *reader, GString *out)
{
	g_autoptr(GPtrArray) vis = ns_visible_all(reader);
	g_autoptr(GHashTable) families = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
							       family_free);
	g_autoptr(GPtrArray) order = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GString) one = g_string_new(NULL);
	g_autoptr(GString) extra = g_string_new(NULL);

	for (guint i = 0; i < vis->len; i++) {
		struct ipcfs_ns *e = vis->pdata[i];
		/* A copy loaded afresh in each namespace: its capabilities
		 * count in that namespace's owner (cred_load). */
		struct ipcfs_cred c = *reader;
		g_autofree char *cg = NULL;

		ns_cred_in(e, &c);
		g_string_truncate(one, 0);
		if (!ns_enter(e)) {
			views_text(ROOT_FILE_METRICS, one, &c);
			ns_leave(e);
		}
		cg = cgroup_of(ipcfs_ns_pid(e));
		g_string_printf(extra, "ns=\"%" G_GUINT64_FORMAT "\"", ipcfs_ns_inode(e));
		if (cg) {
			g_string_append(extra, ",container=\"");
			format_label_value(extra, cg);
			g_string_append_c(extra, '"');
		}
		merge_metrics(families, order, one->str, extra->str);
		ns_put(e);
	}
	for (guint i = 0; i < order->len; i++) {
		struct family *f = g_hash_table_lookup(families, order->pdata[i]);

		g_string_append_len(out, f->head->str, (gssize)f->head->len);
		g_string_append_len(out, f->samples->str, (gssize)f->samples->len);
	}
	return 0;
}
