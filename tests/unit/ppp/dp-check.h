/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Minimal test harness of the GLib-side unit tests (client/kernel, ppp, net,
 * orchestrator, CLI).
 * CHECK() records a failure and goes on, so one run reports every broken
 * expectation; DP_RUN() counts a test as failed when any of its checks failed;
 * dp_summary() prints the closing "N passed, N failed" line CI counts.
 */
#ifndef L2TP_VPN_DP_CHECK_H
#define L2TP_VPN_DP_CHECK_H

#include <stdio.h>
#include <string.h>

static int dp_checks_failed;
static int dp_tests_passed;
static int dp_tests_failed;

#define CHECK(cond)                                                                                          \
	do {                                                                                                 \
		if (!(cond)) {                                                                               \
			dp_checks_failed++;                                                                  \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);             \
		}                                                                                            \
	} while (0)

#define CHECK_STR(a, b)                                                                                      \
	do {                                                                                                 \
		const char *a_ = (a), *b_ = (b);                                                             \
		if (!a_ || !b_ || strcmp(a_, b_) != 0) {                                                     \
			dp_checks_failed++;                                                                  \
			fprintf(stderr, "%s:%d: CHECK_STR failed: %s = \"%s\", expected \"%s\"\n", __FILE__, \
				__LINE__, #a, a_ ? a_ : "(null)", b_ ? b_ : "(null)");                       \
		}                                                                                            \
	} while (0)

#define DP_RUN(fn)                                                                                           \
	do {                                                                                                 \
		int before_ = dp_checks_failed;                                                              \
		fn();                                                                                        \
		if (dp_checks_failed == before_) {                                                           \
			dp_tests_passed++;                                                                   \
			printf("ok - %s\n", #fn);                                                            \
		} else {                                                                                     \
			dp_tests_failed++;                                                                   \
			printf("not ok - %s (%d checks failed)\n", #fn, dp_checks_failed - before_);         \
		}                                                                                            \
		fflush(stdout);                                                                              \
	} while (0)

#define DP_SKIP(fn, why)                                                                                     \
	do {                                                                                                 \
		printf("skip - %s: %s\n", #fn, why);                                                         \
		fflush(stdout);                                                                              \
	} while (0)

static inline int dp_summary(void)
{
	printf("%d passed, %d failed\n", dp_tests_passed, dp_tests_failed);
	return dp_tests_failed ? 1 : 0;
}

#endif
