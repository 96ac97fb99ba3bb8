// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * main.c - the unit test binary: GTest, TAP output.  Each file in
 * tests/unit registers its cases from a *_tests() function listed here.
 */
#include <glib.h>

void parse_tests(void);
void node_tests(void);
void perm_tests(void);
void format_tests(void);
void sem_tests(void);
void mq_tests(void);
void fs_tests(void);
void quota_tests(void);
void mountinfo_tests(void);
void pipes_tests(void);
void unix_tests(void);

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_set_nonfatal_assertions();
	parse_tests();
	node_tests();
	perm_tests();
	format_tests();
	sem_tests();
	mq_tests();
	fs_tests();
	quota_tests();
	mountinfo_tests();
	pipes_tests();
	unix_tests();
	return g_test_run();
}
