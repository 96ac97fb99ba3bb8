/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mq_parse.h - the pure half of the mq backend: how the names under type/ and
 * messages/ read, without touching the kernel, so that tests/unit/test_mq.c
 * can drive it (how text written to `lines` is cut is the engine's:
 * msgq.h).
 *
 *   $ ls mq/32769/type                         mq_parse_type(): 1, 7, ...
 *   $ ls mq/32769/messages                     mq_format_msgname(): 0.type1
 */
#pragma once
#include "../fs/ipcfs.h"

/* A name in type/: a canonical decimal 1..LONG_MAX ("7"; not "07", "+7",
 * "0", "-3", "abc").  0, or -ENOENT. */
int mq_parse_type(const char *name, long *type);

/* A name in messages/: "POS.typeTYPE", both canonical decimals, POS from
 * 0 (the oldest message) and TYPE from 1.  0, or -ENOENT. */
int mq_parse_msgname(const char *name, uint64_t *pos, long *type);
/* The name of the message at position `pos` with type `type`. */
void mq_format_msgname(char *buf, size_t size, uint64_t pos, long type);
