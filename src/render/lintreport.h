/*
 * lintreport.h - the report of a lint run: one problem a line, counted
 *
 * Each check of a template set (lint.c, lintwalk.c) reports what it finds
 * here: a line "error: ..." or "warning: ..." written to a stream, or
 * only counted. lintreport_split() reads such a report back.
 */
#ifndef LINTREPORT_H
#define LINTREPORT_H

#include <stddef.h>
#include <stdio.h>

/* A report being written; zero it, then set out. */
struct lintreport {
	FILE	*out;		/* NULL: count only */
	int	 errors;
	int	 warnings;
};

/* Report an error: write "error: " and the text to r->out; count it. */
void lintreport_error(struct lintreport *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Report a warning: write "warning: " and the text; count it. */
void lintreport_warning(struct lintreport *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Split a written report (text, changed in place) into its problems of
 * each kind, without the "error: " or "warning: " before them. The arrays
 * point into text; the caller frees the arrays, not the strings.
 */
void lintreport_split(char *text, const char ***errors, size_t *nerrors,
    const char ***warnings, size_t *nwarnings);

#endif
