// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_sem.c - what users write to semaphore files: "N", "+N", "-N",
 * "zero" to sem/<id>/<n>, and a line of values to sem/<id>/values.
 */
#include "../../backends/sem.h"

#include <errno.h>

void sem_tests(void);

#define VMX 32767

static void write_forms(void)
{
	static const struct {
		const char *text;
		enum sem_verb verb;
		int amount;
	} ok[] = {
		{ "5", SEM_VERB_SET, 5 },
		{ "0\n", SEM_VERB_SET, 0 },
		{ "32767", SEM_VERB_SET, 32767 },
		{ "+1\n", SEM_VERB_ADD, 1 },
		{ "+32767", SEM_VERB_ADD, 32767 },
		{ "-1\n", SEM_VERB_SUB, 1 },
		{ "-32767", SEM_VERB_SUB, 32767 },
		{ "+0", SEM_VERB_ADD, 0 },
		{ "-0", SEM_VERB_SUB, 0 },
		{ "zero", SEM_VERB_ZERO, 0 },
		{ "zero\n", SEM_VERB_ZERO, 0 },
		{ "  \tzero  \n", SEM_VERB_ZERO, 0 },
		{ " -3 \n", SEM_VERB_SUB, 3 },
		{ "007", SEM_VERB_SET, 7 },
	};
	struct sem_write w;

	for (size_t i = 0; i < G_N_ELEMENTS(ok); i++) {
		g_assert_cmpint(sem_parse_write(ok[i].text, VMX, &w), ==, 0);
		g_assert_cmpint(w.verb, ==, ok[i].verb);
		g_assert_cmpint(w.amount, ==, ok[i].amount);
	}
}

static void write_rejects_malformed(void)
{
	const char *bad[] = { "", "\n", " ", "+", "-", "abc", "1 2", "+-1", "--1", "++1",
			      "1x", "0x10", "zero zero", "Zero", "zer", "zeros", "1\n\n",
			      "1\n2", "+ 1", "- 1", "1.5", "\t" };
	struct sem_write w;

	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
		g_assert_cmpint(sem_parse_write(bad[i], VMX, &w), ==, -EINVAL);
}

static void write_rejects_overflow(void)
{
	const char *big[] = { "32768", "+32768", "-32768", "99999999999999999999",
			      "+99999999999999999999", "-99999999999999999999", "65536" };
	struct sem_write w;

	for (size_t i = 0; i < G_N_ELEMENTS(big); i++)
		g_assert_cmpint(sem_parse_write(big[i], VMX, &w), ==, -ERANGE);
	/* The limit is the kernel's, as it reports it. */
	g_assert_cmpint(sem_parse_write("101", 100, &w), ==, -ERANGE);
	g_assert_cmpint(sem_parse_write("100", 100, &w), ==, 0);
}

static void values_line(void)
{
	unsigned short v[4] = { 9, 9, 9, 9 };

	g_assert_cmpint(sem_parse_values("1 2 3\n", VMX, 3, v), ==, 0);
	g_assert_cmpuint(v[0], ==, 1);
	g_assert_cmpuint(v[1], ==, 2);
	g_assert_cmpuint(v[2], ==, 3);
	g_assert_cmpint(sem_parse_values("  0\t32767  \n", VMX, 2, v), ==, 0);
	g_assert_cmpuint(v[0], ==, 0);
	g_assert_cmpuint(v[1], ==, 32767);
	/* One per line works too (`seq 3 > values`). */
	g_assert_cmpint(sem_parse_values("4\n5\n6\n", VMX, 3, v), ==, 0);
	g_assert_cmpuint(v[2], ==, 6);
	g_assert_cmpint(sem_parse_values("7", VMX, 1, v), ==, 0);
	g_assert_cmpuint(v[0], ==, 7);
}

static void values_rejects_wrong_count(void)
{
	unsigned short v[4];

	g_assert_cmpint(sem_parse_values("1 2", VMX, 3, v), ==, -EINVAL);
	g_assert_cmpint(sem_parse_values("1 2 3 4", VMX, 3, v), ==, -EINVAL);
	g_assert_cmpint(sem_parse_values("", VMX, 1, v), ==, -EINVAL);
	g_assert_cmpint(sem_parse_values("\n", VMX, 1, v), ==, -EINVAL);
	/* Many more words than semaphores: counted, never stored. */
	g_assert_cmpint(sem_parse_values("1 1 1 1 1 1 1 1 1 1 1 1", VMX, 1, v), ==, -EINVAL);
}

static void values_rejects_malformed_and_overflow(void)
{
	unsigned short v[4];

	g_assert_cmpint(sem_parse_values("1 x 3", VMX, 3, v), ==, -EINVAL);
	g_assert_cmpint(sem_parse_values("1 +2 3", VMX, 3, v), ==, -EINVAL);
	g_assert_cmpint(sem_parse_values("1 -2 3", VMX, 3, v), ==, -EINVAL);
	g_assert_cmpint(sem_parse_values("1,2,3", VMX, 3, v), ==, -EINVAL);
	g_assert_cmpint(sem_parse_values("1 32768 3", VMX, 3, v), ==, -ERANGE);
	g_assert_cmpint(sem_parse_values("1 99999999999999999999999 3", VMX, 3, v), ==, -ERANGE);
	/* The first bad word decides. */
	g_assert_cmpint(sem_parse_values("40000 x", VMX, 2, v), ==, -ERANGE);
	g_assert_cmpint(sem_parse_values("x 40000", VMX, 2, v), ==, -EINVAL);
	/* Within a word, not a number before too big. */
	g_assert_cmpint(sem_parse_values("99999999999999999999999x", VMX, 1, v), ==, -EINVAL);
	g_assert_cmpint(sem_parse_values("40000x", VMX, 1, v), ==, -EINVAL);
}

void sem_tests(void)
{
	g_test_add_func("/sem/parse/accepts-set-add-sub-zero", write_forms);
	g_test_add_func("/sem/parse/rejects-malformed", write_rejects_malformed);
	g_test_add_func("/sem/parse/rejects-overflow", write_rejects_overflow);
	g_test_add_func("/sem/values/accepts-one-per-semaphore", values_line);
	g_test_add_func("/sem/values/rejects-wrong-count", values_rejects_wrong_count);
	g_test_add_func("/sem/values/rejects-malformed-and-overflow",
			values_rejects_malformed_and_overflow);
}
