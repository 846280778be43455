/*
 * testskip.h - a cmocka test that cannot run says so in the suite's summary
 *
 * cmocka's skip() ends a test without failing it and the program still
 * exits 0, which automake counts as PASS. A test that cannot run calls
 * testskip(fmt, ...) instead: the reason is printed and counted, the test is
 * skipped, and main() ends with
 *
 *	return testskip_status(cmocka_run_group_tests(tests, NULL, NULL));
 *
 * which is the number of failures if any test failed; otherwise 77 (SKIP)
 * if a test was skipped, or 1 when CI=true, where nothing may be skipped;
 * otherwise 0. Include it after <cmocka.h>, in the one file of a program.
 */
#ifndef TESTSKIP_H
#define TESTSKIP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How many tests of this program were skipped. */
static int testskip_count;

/* Print why a test cannot run (printf-style) and count it. */
static inline void __attribute__((format(printf, 1, 2)))
testskip_note(const char *fmt, ...)
{
	va_list	ap;

	printf("SKIP: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	testskip_count++;
}

/* Skip the running test, saying why (printf-style). */
#define testskip(...) do {						\
	testskip_note(__VA_ARGS__);					\
	skip();								\
} while (0)

/* Return the program's exit status for cmocka's result, failed. */
static inline int
testskip_status(int failed)
{
	const char	*ci = getenv("CI");

	if (failed != 0 || testskip_count == 0)
		return failed;
	if (ci != NULL && strcmp(ci, "true") == 0) {
		printf("FAIL: %d test%s skipped (nothing may be skipped in "
		    "CI)\n", testskip_count, testskip_count == 1 ? "" : "s");
		return 1;
	}
	return 77;
}

#endif
