/*
 * testlog.c - what closeloop logs, captured for a test to read
 */
#include "build.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "testlog.h"
#include "xmalloc.h"

/* Send stderr to a new temporary file. */
void
testlog_start(struct testlog *l)
{
	fflush(stderr);
	l->saved = dup(STDERR_FILENO);
	assert_true(l->saved >= 0);
	l->f = tmpfile();
	assert_non_null(l->f);
	assert_true(dup2(fileno(l->f), STDERR_FILENO) >= 0);
}

/* Put stderr back and return what was written to it. */
char *
testlog_stop(struct testlog *l)
{
	char	*text;
	long	 len;

	fflush(stderr);
	assert_true(dup2(l->saved, STDERR_FILENO) >= 0);
	close(l->saved);
	assert_int_equal(fseek(l->f, 0, SEEK_END), 0);
	len = ftell(l->f);
	assert_true(len >= 0);
	rewind(l->f);
	text = xcalloc(1, (size_t)len + 1);
	assert_int_equal(fread(text, 1, (size_t)len, l->f), (size_t)len);
	fclose(l->f);
	return text;
}
