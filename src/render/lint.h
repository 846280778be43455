/*
 * lint.h - checking a template set before it serves
 */
#ifndef LINT_H
#define LINT_H

#include <stdio.h>

struct catalog;
struct config;

/*
 * Check a loaded set against cf: unknown variables and partials, every
 * notice in every locale rendered for email and SMS (SMS budget, https
 * links, empty subjects), notices taken from a fallback locale, headings
 * over values that may be missing, numbers, links and dates not isolated
 * in right-to-left locales, divisions without a name in a locale. Writes
 * one line per problem ("error: ..." or "warning: ...", lintreport.h) to
 * out (unless out is NULL) and returns the number of errors; *warnings
 * (if not NULL) gets the number of warnings.
 */
int lint_set(const struct config *cf, const struct catalog *cat, FILE *out,
    int *warnings);

/*
 * Load the set in cf's templates.dir and check it with lint_set().
 * Returns the set if it loads with no error (warnings are allowed; free
 * it with catalog_free()), else NULL with *cause set to the problems,
 * one per line; the caller frees *cause.
 */
struct catalog *lint_load(const struct config *cf, char **cause);

/*
 * As lint_load(), and set *warnings (if warnings is not NULL) to the
 * set's warnings, one a line, each starting with "warning: " (lint_set()),
 * or to "" if it has none; the caller frees it. *warnings is set only
 * when the set is returned.
 */
struct catalog *lint_load_warnings(const struct config *cf, char **warnings,
    char **cause);

#endif
