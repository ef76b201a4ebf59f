/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Minimal test harness for the ipsec unit tests: CHECK() records a failure with
 * its location and carries on; each test function is one counted case; main()
 * ends with the "N passed, N failed" line CI reads.
 */
#ifndef L2TPVPN_TEST_CHECK_H
#define L2TPVPN_TEST_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_failures_in_case;
static int cases_passed, cases_failed;

#define CHECK(cond)                                                                                          \
	do {                                                                                                 \
		if (!(cond)) {                                                                               \
			fprintf(stderr, "  %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond);           \
			check_failures_in_case++;                                                            \
		}                                                                                            \
	} while (0)

#define CHECK_STR(a, b)                                                                                      \
	do {                                                                                                 \
		const char *check_a_ = (a), *check_b_ = (b);                                                 \
		if (!check_a_ || !check_b_ || strcmp(check_a_, check_b_) != 0) {                             \
			fprintf(stderr, "  %s:%d: \"%s\" != \"%s\"\n", __FILE__, __LINE__,                   \
				check_a_ ? check_a_ : "(null)", check_b_ ? check_b_ : "(null)");             \
			check_failures_in_case++;                                                            \
		}                                                                                            \
	} while (0)

#define CHECK_INT(a, b)                                                                                      \
	do {                                                                                                 \
		long long check_a_ = (long long)(a), check_b_ = (long long)(b);                              \
		if (check_a_ != check_b_) {                                                                  \
			fprintf(stderr, "  %s:%d: %s == %lld, expected %lld\n", __FILE__, __LINE__, #a,      \
				check_a_, check_b_);                                                         \
			check_failures_in_case++;                                                            \
		}                                                                                            \
	} while (0)

#define RUN(fn)                                                                                              \
	do {                                                                                                 \
		check_failures_in_case = 0;                                                                  \
		fn();                                                                                        \
		if (check_failures_in_case) {                                                                \
			cases_failed++;                                                                      \
			printf("not ok - %s\n", #fn);                                                        \
		} else {                                                                                     \
			cases_passed++;                                                                      \
			printf("ok - %s\n", #fn);                                                            \
		}                                                                                            \
	} while (0)

#define CHECK_SUMMARY() (printf("%d passed, %d failed\n", cases_passed, cases_failed), cases_failed ? 1 : 0)

#endif
