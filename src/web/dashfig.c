/*
 * dashfig.c - the figures of a period the dashboard shows, by kind
 *
 * The notices come from the notices' vocabulary, the rules of the
 * misleading closures from decision.h, the lag buckets from rollup.h:
 * a notice, rule or bucket added there is shown without a change here.
 * The service standards' figures (rollcount.h) are fixed, like the
 * flags and the failures; the residents' answers to "is it fixed?" are
 * their own sections.
 */
#include "build.h"

#include <stdlib.h>
#include <string.h>

#include "dashfig.h"
#include "rollopen.h"
#include "decision.h"
#include "rollup.h"
#include "vocab.h"
#include "xmalloc.h"

/* Add a figure; counter and label are taken over. */
static void
dashfig_add(struct dashfig **f, size_t *n, const char *section,
    char *counter, char *label, int listed)
{
	struct dashfig	*x;

	*f = xreallocarray(*f, *n + 1, sizeof **f);
	x = &(*f)[(*n)++];
	x->section = section;
	x->counter = counter;
	x->label = label;
	x->listed = listed;
}

/* Return name in words: "in_progress" is "in progress". */
static char *
dashfig_words(const char *name)
{
	char	*s = xstrdup(name), *p;

	for (p = s; *p != '\0'; p++)
		if (*p == '_')
			*p = ' ';
	return s;
}

/* List the figures. */
size_t
dashfig_list(struct dashfig **out)
{
	static const char *fixed[][3] = {
		{ "flags", "flag:no_note", "closures without a note" },
		{ "flags", "flag:unknown_note_code", "note codes not in the "
		    "division's list" },
		{ "flags", "flag:duplicate_without_link", "duplicates closed "
		    "without a link to the original" },
		{ "flags", "flag:sms_shortened", "SMS shortened to fit" },
		{ "failed", "failed", "messages that failed" },
		{ "failed", "failed:failed", "refused for good" },
		{ "failed", "failed:dead", "given up on after trying too "
		    "long" },
		{ "failed", "failed:undelivered", "not delivered to the "
		    "phone" },
		{ "failed", "failed:bounced", "bounced after the mail server "
		    "took it" },
		{ "failed", "complained", "emails the resident reported as "
		    "spam" },
		{ "standards", "std:completion", "completion standards "
		    "ended" },
		{ "standards", "std:completion:met", "met: the work done in "
		    "time" },
		{ "standards", "std:completion:missed", "not met" },
		{ "standards", "std:completion:as_closed", "closed in the CRM "
		    "in time (any closure)" },
		{ "standards", "std:response", "response standards ended" },
		{ "standards", "std:response:met", "met: a first action in "
		    "time" },
		{ "standards", "std:response:missed", "not met" },
		{ "standards", "std:response:as_closed", "closed in the CRM in "
		    "time (any closure)" },
		{ "standards", "flag:past_standard", "SRs that went past their "
		    "standard with work open" },
		{ "standards", ROLLOPEN_COUNTER, "of them, still past it with "
		    "work open now" },
	};
	struct dashfig	*f = NULL;
	const char		*k;
	size_t			 n = 0, i;
	int			 b;

	dashfig_add(&f, &n, "told", xstrdup("told"),
	    xstrdup("notices told to residents"), 0);
	for (i = 1; i < VOCAB_NOTICE_COUNT; i++) {
		k = vocab_notice_name((enum vocab_notice)i);
		dashfig_add(&f, &n, "told", xasprintf("told:%s", k),
		    dashfig_words(k), 0);
	}
	dashfig_add(&f, &n, "held", xstrdup("held"),
	    xstrdup("misleading closures held back"), 1);
	for (i = 0; i < DECISION_MISLEADING_RULES; i++) {
		k = decision_misleading_rule((int)i);
		dashfig_add(&f, &n, "held", xasprintf("held:%s", k),
		    dashfig_words(k), 1);
	}
	for (i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		dashfig_add(&f, &n, fixed[i][0], xstrdup(fixed[i][1]),
		    xstrdup(fixed[i][2]), 1);
	/* "Is it fixed?": residents asked, their answers, no answer. */
	dashfig_add(&f, &n, "asked", xstrdup("asked"),
	    xstrdup("residents asked if it was fixed"), 0);
	dashfig_add(&f, &n, "answers", xstrdup("answered"),
	    xstrdup("their answers"), 0);
	dashfig_add(&f, &n, "answers", xstrdup("answer:fixed"),
	    xstrdup("fixed"), 0);
	dashfig_add(&f, &n, "answers", xstrdup("answer:not_fixed"),
	    xstrdup("not fixed"), 1);
	dashfig_add(&f, &n, "answers", xstrdup("answer:partly"),
	    xstrdup("partly fixed"), 1);
	dashfig_add(&f, &n, "unanswered", xstrdup("unanswered"),
	    xstrdup("questions not answered"), 0);
	for (b = 0; b < ROLLUP_LAG_BUCKETS; b++) {
		k = rollup_lag_name(b);
		dashfig_add(&f, &n, "lag", xasprintf("lag:%s", k),
		    b == ROLLUP_LAG_BUCKETS - 1 ? xstrdup("a week or more") :
		    xasprintf("under %s minute%s", k, b == 0 ? "" : "s"), 0);
	}
	*out = f;
	return n;
}

/* Free the figures. */
void
dashfig_free(struct dashfig *f, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		free(f[i].counter);
		free(f[i].label);
	}
	free(f);
}
