/*
 * test_xmalloc.c - unit tests for allocation helpers (xmalloc.c)
 */
#include "build.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "xmalloc.h"

/* Copies and formatted strings are what they say. */
static void
test_xmalloc_strings(void **state)
{
	char	*s;

	(void)state;
	s = xstrdup("closeloop");
	assert_string_equal(s, "closeloop");
	free(s);
	s = xstrndup("closeloop", 5);
	assert_string_equal(s, "close");
	free(s);
	s = xstrndup("ab", 10);
	assert_string_equal(s, "ab");
	free(s);
	s = xasprintf("%s-%d", "SR", 42);
	assert_string_equal(s, "SR-42");
	free(s);
}

/* Strings of every length around the stack buffer come out whole. */
static void
test_xmalloc_long(void **state)
{
	char	 text[1201], want[1300], *s;
	size_t	 n, i;

	(void)state;
	for (i = 0; i < sizeof text - 1; i++)
		text[i] = (char)('a' + i % 26);
	text[sizeof text - 1] = '\0';
	for (n = 248; n <= 1200; n += n < 262 ? 1 : 313) {
		snprintf(want, sizeof want, "%.*s|%zu", (int)n, text, n);
		s = xasprintf("%.*s|%zu", (int)n, text, n);
		assert_string_equal(s, want);
		assert_int_equal(strlen(s), n + 4);
		free(s);
	}
}

/* Zero sizes still give memory; calloc zeroes; arrays grow. */
static void
test_xmalloc_sizes(void **state)
{
	unsigned char	*p;
	int		*a;
	size_t		 i;

	(void)state;
	p = xmalloc(0);
	assert_non_null(p);
	free(p);
	p = xcalloc(16, 1);
	for (i = 0; i < 16; i++)
		assert_int_equal(p[i], 0);
	free(p);
	a = xreallocarray(NULL, 4, sizeof *a);
	a[3] = 7;
	a = xreallocarray(a, 1000, sizeof *a);
	assert_int_equal(a[3], 7);
	free(a);
}

/* An array size that overflows aborts instead of wrapping. */
static void
test_xmalloc_overflow(void **state)
{
	pid_t	pid;
	int	status;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(STDERR_FILENO);
		xreallocarray(NULL, SIZE_MAX / 2, 4);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
}

/* Run the tests. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xmalloc_strings),
		cmocka_unit_test(test_xmalloc_long),
		cmocka_unit_test(test_xmalloc_sizes),
		cmocka_unit_test(test_xmalloc_overflow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
