/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Minimal test harness for the L2TP unit tests (no GLib: the codec and core
 * are GLib-free and so are their tests). RUN() runs one test function; a test
 * fails if any CHECK in it fails. check_summary() prints the closing
 * "N passed, N failed" line CI counts.
 */
#ifndef L2TP_CHECK_H
#define L2TP_CHECK_H

#include <stdio.h>
#include <string.h>

static unsigned check_failures, tests_passed, tests_failed;

#define CHECK(cond)                                                                                          \
	do {                                                                                                 \
		if (!(cond)) {                                                                               \
			check_failures++;                                                                    \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);             \
		}                                                                                            \
	} while (0)

#define CHECK_INT(a, b)                                                                                      \
	do {                                                                                                 \
		long long _a = (long long)(a), _b = (long long)(b);                                          \
		if (_a != _b) {                                                                              \
			check_failures++;                                                                    \
			fprintf(stderr, "%s:%d: CHECK failed: %s == %s (%lld != %lld)\n", __FILE__,          \
				__LINE__, #a, #b, _a, _b);                                                   \
		}                                                                                            \
	} while (0)

#define CHECK_STR(a, b)                                                                                      \
	do {                                                                                                 \
		const char *_a = (a), *_b = (b);                                                             \
		if (strcmp(_a, _b)) {                                                                        \
			check_failures++;                                                                    \
			fprintf(stderr, "%s:%d: CHECK failed: \"%s\" == \"%s\"\n", __FILE__, __LINE__, _a,   \
				_b);                                                                         \
		}                                                                                            \
	} while (0)

#define CHECK_MEM(a, b, n) CHECK(memcmp((a), (b), (n)) == 0)

#define RUN(fn)                                                                                              \
	do {                                                                                                 \
		unsigned _before = check_failures;                                                           \
		fn();                                                                                        \
		if (check_failures == _before) {                                                             \
			tests_passed++;                                                                      \
			printf("ok - %s\n", #fn);                                                            \
		} else {                                                                                     \
			tests_failed++;                                                                      \
			printf("FAIL - %s\n", #fn);                                                          \
		}                                                                                            \
	} while (0)

static inline int check_summary(void)
{
	printf("%u passed, %u failed\n", tests_passed, tests_failed);
	return tests_failed ? 1 : 0;
}

#endif
