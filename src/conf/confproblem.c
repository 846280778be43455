/*
 * confproblem.c - the problems found in a configuration file
 *
 * Loading a file does not stop at the first problem: each is added to a
 * list with the line of the setting it is about, and the list is
 * reported in one text, in the order of the file, so that an operator
 * fixes a file in one pass. Every problem starts with the file and the
 * line, "FILE:LINE: SETTING: what is wrong".
 */
#include "build.h"

#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>

#include "confint.h"
#include "xmalloc.h"

/* Add a problem about setting s (which may be NULL) to the list. */
void
confproblem_add(struct confproblems *pr, const config_setting_t *s,
    const char *fmt, ...)
{
	struct confproblem	*p;
	va_list			 ap;
	char			*msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	pr->list = xreallocarray(pr->list, pr->count + 1, sizeof *pr->list);
	p = &pr->list[pr->count++];
	p->line = s != NULL ? config_setting_source_line(s) : 0;
	if (p->line != 0)
		p->text = xasprintf("%s:%u: %s", pr->file, p->line, msg);
	else
		p->text = xasprintf("%s: %s", pr->file, msg);
	free(msg);
}

/*
 * Join the problems into one text, one per line, in the order of their
 * lines in the file; those without a line come last. The text is
 * allocated; the caller frees it. The list is emptied.
 */
char *
confproblem_text(struct confproblems *pr)
{
	struct confproblem	 p;
	char			*text = NULL, *old;
	size_t			 i, j;

	for (i = 1; i < pr->count; i++) {
		p = pr->list[i];
		for (j = i; j > 0 && (pr->list[j - 1].line == 0 ?
		    UINT_MAX : pr->list[j - 1].line) > (p.line == 0 ?
		    UINT_MAX : p.line); j--)
			pr->list[j] = pr->list[j - 1];
		pr->list[j] = p;
	}
	for (i = 0; i < pr->count; i++) {
		old = text;
		text = old == NULL ? xstrdup(pr->list[i].text) :
		    xasprintf("%s\n%s", old, pr->list[i].text);
		free(old);
		free(pr->list[i].text);
	}
	free(pr->list);
	pr->list = NULL;
	pr->count = 0;
	return text;
}

/* Describe a libconfig type for a "wrong type" message. */
const char *
confproblem_type(const config_setting_t *s)
{
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_GROUP:
		return "a group";
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		return "an integer";
	case CONFIG_TYPE_FLOAT:
		return "a number with a fraction";
	case CONFIG_TYPE_STRING:
		return "a string";
	case CONFIG_TYPE_BOOL:
		return "a boolean";
	case CONFIG_TYPE_ARRAY:
		return "an array";
	case CONFIG_TYPE_LIST:
		return "a list";
	}
	return "something else";
}
