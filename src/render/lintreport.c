/*
 * lintreport.c - the report of a lint run: one problem a line, counted
 *
 * The checks of a template set write to one report, so that a run ends
 * with its errors and warnings counted and, where someone reads them,
 * each on its own line: closeloopd refuses a set with errors and says
 * why, closeloop lint prints them or hands them over as JSON.
 */
#include "build.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lintreport.h"
#include "xmalloc.h"

/* Write one line of the report: what ("error", "warning"), then the text. */
static void __attribute__((format(printf, 3, 0)))
lintreport_vwrite(struct lintreport *r, const char *what, const char *fmt,
    va_list ap)
{
	if (r->out == NULL)
		return;		/* counted only */
	fprintf(r->out, "%s: ", what);
	vfprintf(r->out, fmt, ap);
	fprintf(r->out, "\n");
}

/* Report an error. */
void
lintreport_error(struct lintreport *r, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	lintreport_vwrite(r, "error", fmt, ap);
	va_end(ap);
	r->errors++;
}

/* Report a warning. */
void
lintreport_warning(struct lintreport *r, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	lintreport_vwrite(r, "warning", fmt, ap);
	va_end(ap);
	r->warnings++;
}

/* Split a written report into the problems of each kind, in place. */
void
lintreport_split(char *text, const char ***errors, size_t *nerrors,
    const char ***warnings, size_t *nwarnings)
{
	char	*line, *save = NULL;

	*errors = *warnings = NULL;
	*nerrors = *nwarnings = 0;
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "error: ", 7) == 0) {
			*errors = xreallocarray(*errors, *nerrors + 1,
			    sizeof **errors);
			(*errors)[(*nerrors)++] = line + 7;
		} else if (strncmp(line, "warning: ", 9) == 0) {
			*warnings = xreallocarray(*warnings, *nwarnings + 1,
			    sizeof **warnings);
			(*warnings)[(*nwarnings)++] = line + 9;
		}
	}
}
