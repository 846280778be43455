/*
 * reportout.c - printing "closeloop report": text, JSON or CSV
 *
 * The text is for people: a block per division (or a line per period
 * with --by, or the ranked service types with --top). JSON and CSV are
 * for spreadsheets and dashboards: one row per division, period and
 * ward or service type, every column a number, the same columns in both.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "decision.h"
#include "division.h"
#include "json.h"
#include "reportout.h"
#include "rollopen.h"
#include "rollup.h"
#include "rolluptab.h"
#include "vocab.h"
#include "xmalloc.h"

/* The most columns: the fixed ones, notices, rules, kinds and lags. */
#define REPORTOUT_COLUMNS	(35 + VOCAB_NOTICE_COUNT + \
    DECISION_MISLEADING_RULES + ROLLUP_LAG_BUCKETS)

/* The targets of service standards, as their counters name them. */
static const char *reportout_targets[] = { "completion", "response" };

/* The columns of JSON and CSV: their names and the counters they show. */
struct reportout_cols {
	char	*name[REPORTOUT_COLUMNS];
	char	*counter[REPORTOUT_COLUMNS];
	size_t	 n;
};

/* Add a column. */
static void
reportout_col(struct reportout_cols *c, char *name, char *counter)
{
	c->name[c->n] = name;
	c->counter[c->n++] = counter;
}

/* Fill in the columns, in the order they are printed. */
static void
reportout_columns(struct reportout_cols *c)
{
	static const char *fixed[][2] = {
		{ "sent_email", "sent:email" }, { "sent_sms", "sent:sms" },
		{ "delivered", "delivered" }, { "failed", "failed" },
		{ "failed_permanent", "failed:failed" },
		{ "failed_too_old", "failed:dead" },
		{ "failed_undelivered", "failed:undelivered" },
		{ "failed_bounced", "failed:bounced" },
		{ "complaints", "complained" },
		{ "misleading_closures_suppressed", "held" },
	};
	static const char *flags[][2] = {
		{ "suppressed", "suppressed" },
		{ "stale_events", "suppressed:stale_event" },
		{ "closures_without_note", "flag:no_note" },
		{ "closures_without_reason", "flag:no_reason" },
		{ "unknown_note_codes", "flag:unknown_note_code" },
		{ "duplicates_without_link", "flag:duplicate_without_link" },
		{ "sms_shortened", "flag:sms_shortened" },
		{ "past_standard", "flag:past_standard" },
		{ "past_standard_open", ROLLOPEN_COUNTER },
	};
	static const char *asked[][2] = {
		{ "residents_asked", "asked" },
		{ "answers", "answered" },
		{ "answers_fixed", "answer:fixed" },
		{ "answers_not_fixed", "answer:not_fixed" },
		{ "answers_partly", "answer:partly" },
		{ "unanswered", "unanswered" },
	};
	const char	*k;
	size_t		 i;

	c->n = 0;
	reportout_col(c, xstrdup("received"), xstrdup("received"));
	reportout_col(c, xstrdup("notices"), xstrdup("told"));
	for (i = 1; i < VOCAB_NOTICE_COUNT; i++) {
		k = vocab_notice_name((enum vocab_notice)i);
		reportout_col(c, xasprintf("notices_%s", k),
		    xasprintf("told:%s", k));
	}
	for (i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		reportout_col(c, xstrdup(fixed[i][0]), xstrdup(fixed[i][1]));
	for (i = 0; i < DECISION_MISLEADING_RULES; i++) {
		k = decision_misleading_rule((int)i);
		reportout_col(c, xasprintf("held_%s", k),
		    xasprintf("held:%s", k));
	}
	for (i = 0; i < sizeof flags / sizeof flags[0]; i++)
		reportout_col(c, xstrdup(flags[i][0]), xstrdup(flags[i][1]));
	for (i = 0; i < 2; i++) {
		k = reportout_targets[i];
		reportout_col(c, xasprintf("standard_%s", k),
		    xasprintf("std:%s", k));
		reportout_col(c, xasprintf("standard_%s_met", k),
		    xasprintf("std:%s:met", k));
		reportout_col(c, xasprintf("standard_%s_missed", k),
		    xasprintf("std:%s:missed", k));
		reportout_col(c, xasprintf("standard_%s_met_as_closed", k),
		    xasprintf("std:%s:as_closed", k));
	}
	for (i = 0; i < sizeof asked / sizeof asked[0]; i++)
		reportout_col(c, xstrdup(asked[i][0]), xstrdup(asked[i][1]));
	for (i = 0; i < ROLLUP_LAG_BUCKETS; i++) {
		k = rollup_lag_name((int)i);
		reportout_col(c, xasprintf("lag_%s", k), xasprintf("lag:%s",
		    k));
	}
}

/* Free the columns. */
static void
reportout_columns_free(struct reportout_cols *c)
{
	size_t	i;

	for (i = 0; i < c->n; i++) {
		free(c->name[i]);
		free(c->counter[i]);
	}
}

/* Print a CSV field, quoted if it needs to be. */
static void
reportout_csv_field(const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, stdout);
		return;
	}
	putchar('"');
	for (; *s != '\0'; s++) {
		if (*s == '"')
			putchar('"');
		putchar(*s);
	}
	putchar('"');
}

/* Print one row as JSON or CSV. */
static void
reportout_row_data(const struct reportout *o, const struct reportout_cols *c,
    const struct rolluptab_row *row, int rank)
{
	struct json	*j;
	const char	*group = o->ward != NULL ? "ward" : "service";
	size_t		 i;

	if (o->format == 'c') {
		reportout_csv_field(row->division);
		putchar(',');
		reportout_csv_field(row->period);
		putchar(',');
		reportout_csv_field(row->group != NULL ? row->group : "");
		printf(",%d", rank);
		for (i = 0; i < c->n; i++)
			printf(",%lld", rolluptab_get(row, c->counter[i]));
		putchar('\n');
		return;
	}
	j = json_new();
	json_set(j, "division", row->division);
	if (row->period[0] != '\0')
		json_set(j, "period", row->period);
	if (row->group != NULL)
		json_set(j, group, row->group);
	if (rank > 0)
		json_set_int(j, "rank", rank);
	json_set(j, "since", o->first);
	json_set(j, "until", o->last);
	for (i = 0; i < c->n; i++)
		json_set_int(j, c->name[i], rolluptab_get(row, c->counter[i]));
	json_print(j, stdout);
	json_free(j);
}

/* Print the division's heading, with its name if the configuration has it. */
static void
reportout_heading(const struct reportout *o, const struct rolluptab_row *row)
{
	const struct division	*dv;
	const char		*name = NULL;

	dv = division_find(o->cf->divisions, o->cf->ndivisions, row->division);
	if (dv != NULL)
		name = division_name(dv, o->cf->templates_default_locale);
	printf("\n%s%s%s", row->division, name != NULL ? "  " : "",
	    name != NULL ? name : "");
	if (o->ward != NULL)
		printf(", ward %s", o->ward);
	else if (o->service != NULL)
		printf(", service type \"%s\"", row->group);
	else if (o->top != 0)
		printf(": top %d service types by events received", o->top);
	putchar('\n');
}

/* Print the counters under prefix of a row as " (a 1, b 2)". */
static void
reportout_parts(const struct rolluptab_row *row, const char *prefix)
{
	size_t	i, len = strlen(prefix);
	int	first = 1;

	for (i = 0; i < row->n; i++) {
		if (strncmp(row->names[i], prefix, len) != 0 ||
		    row->counts[i] == 0)
			continue;
		printf("%s%s %lld", first ? "  (" : ", ", row->names[i] + len,
		    row->counts[i]);
		first = 0;
	}
	printf("%s\n", first ? "" : ")");
}

/*
 * Print a row's service standards of one target: how many ended, the
 * share met as closeloop decided, and beside it the share the CRM's
 * closures would give.
 */
static void
reportout_standards(const struct rolluptab_row *row, const char *target)
{
	long long	 n, met, closed;
	char		*label;

	rolluptab_standards(row, target, &n, &met, &closed);
	label = xasprintf("%s standards ended", target);
	printf("  %-34s %lld", label, n);
	free(label);
	if (n == 0) {
		putchar('\n');
		return;
	}
	printf("  (met %lld, %lld%%; as closed in the CRM %lld, %lld%%)\n",
	    met, met * 100 / n, closed, closed * 100 / n);
}

/*
 * Print what residents said of the work, asked "is it fixed?": how many
 * were asked and answered, the share of the answers that say fixed, and
 * the service types of the division answered not fixed or partly (from
 * services, the division's counts by service type, or NULL).
 */
static void
reportout_answers(const struct rolluptab_row *row,
    const struct rolluptab *services)
{
	const struct rolluptab_row	*s;
	long long			 answers, fixed, n;
	size_t				 i;
	int				 first = 1;

	answers = rolluptab_get(row, "answered");
	fixed = rolluptab_get(row, "answer:fixed");
	printf("  %-34s %lld\n", "residents asked if it was fixed",
	    rolluptab_get(row, "asked"));
	printf("  %-34s %lld  (fixed %lld, not fixed %lld, partly %lld)\n",
	    "their answers", answers, fixed,
	    rolluptab_get(row, "answer:not_fixed"),
	    rolluptab_get(row, "answer:partly"));
	if (answers > 0)
		printf("  %-34s %lld%%  (fixed, of the answers)\n",
		    "resident-confirmed fix rate", (fixed * 100 + answers / 2) /
		    answers);
	else
		printf("  %-34s -\n", "resident-confirmed fix rate");
	printf("  %-34s %lld\n", "questions not answered",
	    rolluptab_get(row, "unanswered"));
	for (i = 0; services != NULL && i < services->n; i++) {
		s = &services->rows[i];
		if (s->group == NULL ||
		    strcmp(s->division, row->division) != 0 ||
		    strcmp(s->period, row->period) != 0 ||
		    (n = rolluptab_get(s, "answer:not_fixed") +
		    rolluptab_get(s, "answer:partly")) <= 0)
			continue;
		if (first)
			printf("  %-34s", "not fixed or partly, by service");
		printf("%s%s %lld", first ? " " : ", ", s->group, n);
		first = 0;
	}
	if (!first)
		putchar('\n');
}

/* Print a row's counts for a person, one line each. */
static void
reportout_block(const struct rolluptab_row *row,
    const struct rolluptab *services)
{
	long long	n;
	int		i, first = 1;

	printf("  %-34s %lld\n", "events received from the CRM",
	    rolluptab_get(row, "received"));
	printf("  %-34s %lld", "notices told to residents",
	    rolluptab_get(row, "told"));
	reportout_parts(row, "told:");
	printf("  %-34s %lld  (email %lld, sms %lld; %lld confirmed on the "
	    "phone)\n", "messages sent", rolluptab_get(row, "sent:email") +
	    rolluptab_get(row, "sent:sms"), rolluptab_get(row, "sent:email"),
	    rolluptab_get(row, "sent:sms"), rolluptab_get(row, "delivered"));
	printf("  %-34s %lld", "messages that failed",
	    rolluptab_get(row, "failed"));
	reportout_parts(row, "failed:");
	printf("  %-34s %lld\n", "emails reported as spam",
	    rolluptab_get(row, "complained"));
	printf("  %-34s %lld", "misleading closures held back",
	    rolluptab_get(row, "held"));
	reportout_parts(row, "held:");
	printf("  %-34s %lld\n", "notices suppressed (every rule)",
	    rolluptab_get(row, "suppressed"));
	printf("  %-34s %lld\n", "of them, old news not sent",
	    rolluptab_get(row, "suppressed:stale_event"));
	printf("  %-34s %lld\n", "closures without a note",
	    rolluptab_get(row, "flag:no_note"));
	printf("  %-34s %lld\n", "closures without a reason",
	    rolluptab_get(row, "flag:no_reason"));
	printf("  %-34s %lld\n", "note codes not in the list",
	    rolluptab_get(row, "flag:unknown_note_code"));
	printf("  %-34s %lld\n", "duplicates closed without a link",
	    rolluptab_get(row, "flag:duplicate_without_link"));
	printf("  %-34s %lld\n", "SMS shortened to fit",
	    rolluptab_get(row, "flag:sms_shortened"));
	reportout_standards(row, "completion");
	reportout_standards(row, "response");
	printf("  %-34s %lld\n", "SRs past their standard, work open",
	    rolluptab_get(row, "flag:past_standard"));
	printf("  %-34s %lld\n", "  of them, still so now",
	    rolluptab_get(row, ROLLOPEN_COUNTER));
	reportout_answers(row, services);
	printf("  %-34s", "closure to message, minutes");
	for (i = 0; i < ROLLUP_LAG_BUCKETS; i++) {
		char	*k = xasprintf("lag:%s", rollup_lag_name(i));

		if ((n = rolluptab_get(row, k)) > 0) {
			printf("%s%s%s %lld", first ? " " : ", ",
			    i == ROLLUP_LAG_BUCKETS - 1 ? "" : "under ",
			    i == ROLLUP_LAG_BUCKETS - 1 ? "a week or more" :
			    rollup_lag_name(i), n);
			first = 0;
		}
		free(k);
	}
	printf("%s\n", first ? " none" : "");
}

/* Print a row as one line of a table, under reportout_line_head(). */
static void
reportout_line(const struct rolluptab_row *row, const char *label, int rank)
{
	if (rank > 0)
		printf("  %3d  ", rank);
	else
		printf("  ");
	printf("%-30.30s %8lld %6lld %6lld %6lld %6lld %7lld %7lld %9lld "
	    "%7lld %9lld\n", label, rolluptab_get(row, "received"),
	    rolluptab_get(row, "told"), rolluptab_get(row, "sent:email") +
	    rolluptab_get(row, "sent:sms"), rolluptab_get(row, "failed"),
	    rolluptab_get(row, "held"), rolluptab_get(row, "flag:no_note"),
	    rolluptab_get(row, "flag:duplicate_without_link"),
	    rolluptab_get(row, "flag:sms_shortened"),
	    rolluptab_get(row, "answer:fixed"),
	    rolluptab_get(row, "answer:not_fixed") +
	    rolluptab_get(row, "answer:partly"));
}

/* Print the heading of a table of lines. */
static void
reportout_line_head(const char *what, int ranked)
{
	printf("  %s%-30s %8s %6s %6s %6s %6s %7s %7s %9s %7s %9s\n",
	    ranked ? "     " : "", what, "received", "told", "sent",
	    "failed", "held", "no note", "no link", "shortened", "fixed",
	    "not fixed");
}

/* Print the rows from..to-1 of t (one division and period) ranked. */
static void
reportout_ranked(const struct reportout *o, const struct reportout_cols *c,
    struct rolluptab *t, size_t from, size_t to)
{
	const struct rolluptab_row	**v;
	size_t				  i, n = to - from;

	v = xcalloc(n, sizeof *v);
	for (i = 0; i < n; i++)
		v[i] = &t->rows[from + i];
	rolluptab_rank(v, n);
	if (o->format == 0 && t->rows[from].period[0] != '\0')
		printf("  %s\n", t->rows[from].period);
	for (i = 0; i < n && i < (size_t)o->top; i++) {
		if (o->format != 0)
			reportout_row_data(o, c, v[i], (int)i + 1);
		else
			reportout_line(v[i], v[i]->group, (int)i + 1);
	}
	free(v);
}

/* Print the report. */
void
reportout_print(const struct reportout *o, struct rolluptab *t)
{
	struct reportout_cols		 c;
	const struct rolluptab_row	*row, *prev = NULL;
	size_t				 i, k;

	reportout_columns(&c);
	if (o->format == 'c') {
		printf("division,period,%s,rank", o->ward != NULL ? "ward" :
		    "service");
		for (i = 0; i < c.n; i++)
			printf(",%s", c.name[i]);
		putchar('\n');
	} else if (o->format == 0) {
		printf("closeloop report, %s to %s (%s)\n", o->first, o->last,
		    o->cf->templates_timezone);
		if (t->n == 0)
			printf("\nnothing recorded %s%s%s in that time\n",
			    o->division != NULL ? "for division " : "",
			    o->division != NULL ? o->division : "",
			    o->ward != NULL ? " in that ward" :
			    o->service != NULL ? " of that service type" : "");
	}
	for (i = 0; i < t->n; i = k) {
		row = &t->rows[i];
		for (k = i + 1; k < t->n && strcmp(t->rows[k].division,
		    row->division) == 0 && strcmp(t->rows[k].period,
		    row->period) == 0; k++)
			;
		if (o->format == 0 && (prev == NULL ||
		    strcmp(prev->division, row->division) != 0)) {
			reportout_heading(o, row);
			if (o->by != 0 || o->top != 0)
				reportout_line_head(o->top != 0 ?
				    "service type" : "period", o->top != 0);
		}
		prev = row;
		if (o->top != 0) {
			reportout_ranked(o, &c, t, i, k);
			continue;
		}
		for (; i < k; i++) {
			if (o->format != 0)
				reportout_row_data(o, &c, &t->rows[i], 0);
			else if (o->by != 0)
				reportout_line(&t->rows[i], t->rows[i].period,
				    0);
			else
				reportout_block(&t->rows[i], o->services);
		}
	}
	reportout_columns_free(&c);
}
