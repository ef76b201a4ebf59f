/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test harness of the orchestrator and CLI unit tests: CHECK() records a
 * failure and goes on; RUN() counts a test failed when any check in it
 * failed; summary() prints the "N passed, N failed" line CI counts.
 */
#ifndef L2TP_VPN_ORCH_CHECK_H
#define L2TP_VPN_ORCH_CHECK_H

#include <stdio.h>
#include <string.h>

static int checks_failed, tests_passed, tests_failed;

#define CHECK(cond)                                                                                          \
	do {                                                                                                 \
		if (!(cond)) {                                                                               \
			checks_failed++;                                                                     \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);             \
		}                                                                                            \
	} while (0)

#define CHECK_STR(a, b)                                                                                      \
	do {                                                                                                 \
		const char *a_ = (a), *b_ = (b);                                                             \
		if (!a_ || !b_ || strcmp(a_, b_) != 0) {                                                     \
			checks_failed++;                                                                     \
			fprintf(stderr, "%s:%d: CHECK_STR failed: %s = \"%s\", expected \"%s\"\n", __FILE__, \
				__LINE__, #a, a_ ? a_ : "(null)", b_ ? b_ : "(null)");                       \
		}                                                                                            \
	} while (0)

#define RUN(fn)                                                                                              \
	do {                                                                                                 \
		int before_ = checks_failed;                                                                 \
		fn();                                                                                        \
		if (checks_failed == before_) {                                                              \
			tests_passed++;                                                                      \
			printf("ok - %s\n", #fn);                                                            \
		} else {                                                                                     \
			tests_failed++;                                                                      \
			printf("not ok - %s (%d checks failed)\n", #fn, checks_failed - before_);            \
		}                                                                                            \
		fflush(stdout);                                                                              \
	} while (0)

static inline int summary(void)
{
	printf("%d passed, %d failed\n", tests_passed, tests_failed);
	return tests_failed ? 1 : 0;
}

#endif
