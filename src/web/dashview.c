/*
 * dashview.c - the dashboard's figures as the page's view
 *
 * Every number is written as plain digits: the charts (pages/charts.js)
 * read the cells' text as numbers, and the tests read them back. The
 * lag's median and 90th percentile are the bounds of the buckets they
 * fall in, since the buckets are what the rollups keep.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "dashdata.h"
#include "dashfig.h"
#include "dashview.h"
#include "division.h"
#include "rollup.h"
#include "rolluptab.h"
#include "httpreq.h"
#include "view.h"
#include "wording.h"
#include "xmalloc.h"

/* The service types the page ranks. */
#define DASHVIEW_TOP	10

/* Return s (freed) with "&key=value" added, value percent-encoded. */
static char *
dashview_arg(char *s, const char *key, const char *value)
{
	char		*enc, *out;

	enc = httpreq_encode(value, "-._~");
	out = s != NULL ? xasprintf("%s&%s=%s", s, key, enc) :
	    xasprintf("%s=%s", key, enc);
	free(enc);
	free(s);
	return out;
}

/* Return the query of the dashboard for division code (NULL: all). */
char *
dashview_query(const struct dashdata *d, const char *code)
{
	char	*q = NULL;

	q = dashview_arg(q, "from", d->from);
	q = dashview_arg(q, "to", d->to);
	if (code != NULL)
		q = dashview_arg(q, "division", code);
	if (d->ward != NULL)
		q = dashview_arg(q, "ward", d->ward);
	if (d->service != NULL)
		q = dashview_arg(q, "service", d->service);
	return q;
}

/* Return the link to the list of the SRs behind a count. */
static char *
dashview_list_link(const struct dashdata *d, const char *code,
    const char *counter)
{
	char	*q = NULL, *link;

	if (code != NULL)
		q = dashview_arg(q, "division", code);
	q = dashview_arg(q, "since", d->from);
	q = dashview_arg(q, "until", d->to);	/* /list takes the last day */
	q = dashview_arg(q, "counter", counter);
	if (d->ward != NULL)
		q = dashview_arg(q, "ward", d->ward);
	if (d->service != NULL)
		q = dashview_arg(q, "service", d->service);
	link = xasprintf("/list?%s", q);
	free(q);
	return link;
}

/* Set key of v to the number n. */
static void
dashview_number(struct view *v, const char *key, long long n)
{
	char	buf[32];

	snprintf(buf, sizeof buf, "%lld", n);
	view_set_string(v, key, buf);
}

/*
 * Return a map of one count: its value, its counter and, if linked and
 * not zero, the link to its SRs on the list page.
 */
static struct view *
dashview_count(const struct dashdata *d, const char *code,
    const struct rolluptab_row *row, const char *counter, int linked)
{
	struct view	*c = view_map();
	long long	 n = rolluptab_get(row, counter);
	char		*link;

	dashview_number(c, "value", n);
	view_set_string(c, "counter", counter);
	if (linked && n > 0) {
		link = dashview_list_link(d, code, counter);
		view_set_string(c, "href", link);
		free(link);
	}
	return c;
}

/* Write what lag bucket b means: "under 15 minutes". */
static void
dashview_lag_words(int b, char *buf, size_t size)
{
	static const char *hours[ROLLUP_LAG_BUCKETS] = {
		NULL, NULL, NULL, "an hour", "4 hours", "12 hours", "a day",
		"2 days", "a week", NULL
	};

	if (b < 0)
		snprintf(buf, size, "none counted");
	else if (b == ROLLUP_LAG_BUCKETS - 1)
		snprintf(buf, size, "a week or more");
	else
		snprintf(buf, size, "under %s minute%s%s%s%s",
		    rollup_lag_name(b), b == 0 ? "" : "s",
		    hours[b] != NULL ? " (" : "", hours[b] != NULL ? hours[b] :
		    "", hours[b] != NULL ? ")" : "");
}

/* Append to list a map of division code, with its name if it has one. */
static struct view *
dashview_division(struct view *list, const struct dashdata *d,
    const char *code)
{
	const struct division	*dv;
	struct view		*item = view_append(list, view_map());

	view_set_string(item, "code", code);
	dv = division_find(d->cf->divisions, d->cf->ndivisions, code);
	if (dv != NULL)
		view_set_string(item, "name", division_name(dv,
		    d->cf->templates_default_locale));
	return item;
}

/* Add the divisions to choose from, and the form's values. */
void
dashview_form(struct view *v, const struct dashdata *d)
{
	struct view	*list, *item;
	size_t		 i;

	view_set_string(v, "from", d->from);
	view_set_string(v, "to", d->to);
	view_set_string(v, "ward", d->ward);
	view_set_string(v, "service", d->service);
	view_set(v, "all_option", view_bool(d->ndivs > 1));
	view_set(v, "all_selected", view_bool(d->division == NULL));
	list = view_set(v, "divisions", view_list());
	for (i = 0; i < d->ndivs; i++) {
		item = dashview_division(list, d, d->divs[i]);
		view_set(item, "selected", view_bool(d->division != NULL &&
		    strcmp(d->division, d->divs[i]) == 0));
	}
}

/* Add the figures of one section, after its total, as a list. */
static void
dashview_section(struct view *v, struct dashdata *d,
    const struct dashfig *f, size_t nf, const char *section)
{
	const struct rolluptab_row	*row = dashdata_total(d);
	struct view			*list, *item, *meaning;
	const char			*w, *rule;
	char				*key;
	size_t				 i;
	int				 total = 0;

	key = xasprintf("%s_list", section);
	list = view_set(v, key, view_list());
	free(key);
	key = xasprintf("%s_meaning", section);
	meaning = view_set(v, key, view_list());
	free(key);
	for (i = 0; i < nf; i++) {
		if (strcmp(f[i].section, section) != 0)
			continue;
		item = dashview_count(d, d->division, row, f[i].counter,
		    f[i].listed);
		view_set_string(item, "label", f[i].label);
		if (strchr(f[i].counter, ':') == NULL && !total++) {
			view_set(v, section, item);
			continue;
		}
		view_append(list, item);
		if ((rule = strchr(f[i].counter, ':')) == NULL)
			continue;
		if ((w = wording_rule(rule + 1)) != NULL) {
			item = view_append(meaning, view_map());
			view_set_string(item, "label", f[i].label);
			view_set_string(item, "text", w);
		}
	}
}

/*
 * Add the share of the service standards of target met, as closeloop
 * decided and as the CRM's closures would have it, side by side.
 */
static void
dashview_standards(struct view *v, struct dashdata *d, const char *target)
{
	const struct rolluptab_row	*row = dashdata_total(d);
	struct view			*s;
	long long			 n, met, closed;
	char				*k;

	rolluptab_standards(row, target, &n, &met, &closed);
	if (n == 0)
		return;
	k = xasprintf("standards_%s", target);
	s = view_set(v, k, view_map());
	free(k);
	dashview_number(s, "true", met * 100 / n);
	dashview_number(s, "naive", closed * 100 / n);
	dashview_number(s, "gap", (closed - met) * 100 / n);
}

/* Add the lag: median, 90th percentile and the histogram. */
static void
dashview_lag(struct view *v, struct dashdata *d)
{
	char	buf[64];
	int	median = rolluptab_lag(dashdata_total(d), 50);

	if (d->ward != NULL || d->service != NULL)
		return;
	view_set(v, "lag_known", view_bool(1));
	view_set(v, "lag_counted", view_bool(median >= 0));
	dashview_lag_words(median, buf, sizeof buf);
	view_set_string(v, "lag_median", buf);
	view_set_string(v, "lag_median_bucket", rollup_lag_name(median));
	dashview_lag_words(rolluptab_lag(dashdata_total(d), 90), buf,
	    sizeof buf);
	view_set_string(v, "lag_p90", buf);
	view_set_string(v, "lag_p90_bucket",
	    rollup_lag_name(rolluptab_lag(dashdata_total(d), 90)));
}

/* Add the top service types. */
static void
dashview_services(struct view *v, struct dashdata *d)
{
	const struct rolluptab_row	**top;
	struct view			 *list, *item;
	size_t				  n, i;

	if (!d->by_service)
		return;
	view_set(v, "services_known", view_bool(1));
	list = view_set(v, "services", view_list());
	n = dashdata_top(d, DASHVIEW_TOP, &top);
	for (i = 0; i < n; i++) {
		item = view_append(list, view_map());
		dashview_number(item, "rank", (long long)i + 1);
		view_set_string(item, "name", top[i]->group);
		dashview_number(item, "received", rolluptab_get(top[i],
		    "received"));
		dashview_number(item, "told", rolluptab_get(top[i], "told"));
		dashview_number(item, "held", rolluptab_get(top[i], "held"));
		dashview_number(item, "not_fixed", rolluptab_get(top[i],
		    "answer:not_fixed") + rolluptab_get(top[i],
		    "answer:partly"));
	}
	free(top);
}

/*
 * Write into buf the share of row's answers that say fixed, the
 * resident-confirmed fix rate, "67%"; "-" if there is no answer.
 */
static void
dashview_fix_rate(const struct rolluptab_row *row, char *buf, size_t size)
{
	long long	answers = rolluptab_get(row, "answered");

	if (answers <= 0)
		snprintf(buf, size, "-");
	else
		snprintf(buf, size, "%lld%%", (rolluptab_get(row,
		    "answer:fixed") * 100 + answers / 2) / answers);
}

/* Add the trend: received, told and held in each month. */
static void
dashview_months(struct view *v, struct dashdata *d)
{
	const struct rolluptab_row	*row;
	struct view			*list, *item;
	int				 i;

	list = view_set(v, "months", view_list());
	for (i = 0; i < DASHDATA_MONTHS; i++) {
		row = dashdata_month(d, i);
		item = view_append(list, view_map());
		view_set_string(item, "month", d->months[i]);
		dashview_number(item, "received", rolluptab_get(row,
		    "received"));
		dashview_number(item, "told", rolluptab_get(row, "told"));
		dashview_number(item, "held", rolluptab_get(row, "held"));
	}
}

/* Add the side-by-side table of the divisions the user sees. */
static void
dashview_compare(struct view *v, struct dashdata *d)
{
	const struct rolluptab_row	*row;
	struct view			*list, *item;
	char				*q, buf[64];
	size_t				 i;

	if (!d->compare)
		return;
	view_set(v, "compare", view_bool(1));
	list = view_set(v, "compare_rows", view_list());
	for (i = 0; i < d->ndivs; i++) {
		row = dashdata_division(d, d->divs[i]);
		item = dashview_division(list, d, d->divs[i]);
		q = dashview_query(d, d->divs[i]);
		view_set_string(item, "query", q);
		free(q);
		view_set(item, "received", dashview_count(d, d->divs[i], row,
		    "received", 0));
		view_set(item, "told", dashview_count(d, d->divs[i], row,
		    "told", 0));
		view_set(item, "held", dashview_count(d, d->divs[i], row,
		    "held", 1));
		view_set(item, "no_note", dashview_count(d, d->divs[i], row,
		    "flag:no_note", 1));
		view_set(item, "failed", dashview_count(d, d->divs[i], row,
		    "failed", 1));
		dashview_fix_rate(row, buf, sizeof buf);
		view_set_string(item, "fix_rate", buf);
		if (d->ward == NULL && d->service == NULL) {
			dashview_lag_words(rolluptab_lag(row, 50), buf,
			    sizeof buf);
			view_set_string(item, "lag", buf);
		}
	}
	view_set(v, "compare_lag", view_bool(d->ward == NULL &&
	    d->service == NULL));
}

/* Add the figures. */
void
dashview_figures(struct view *v, struct dashdata *d)
{
	struct dashfig	*f;
	const struct division	*dv;
	size_t			 nf;
	char			*s, *q, buf[16];

	view_set(v, "figures", view_bool(1));
	view_set(v, "charts", view_bool(1));
	view_set_string(v, "first", d->first);
	view_set(v, "clipped", view_bool(d->clipped));
	view_set_string(v, "timezone", d->cf->templates_timezone);
	dashview_number(v, "rollup_days", d->cf->audit_rollup_days);
	if (d->division == NULL)
		s = xasprintf("every division you see (%zu)", d->ndivs);
	else if ((dv = division_find(d->cf->divisions, d->cf->ndivisions,
	    d->division)) != NULL)
		s = xasprintf("%s (%s)", division_name(dv,
		    d->cf->templates_default_locale), d->division);
	else
		s = xstrdup(d->division);
	view_set_string(v, "scope", s);
	free(s);
	q = dashview_query(d, d->division);
	s = xasprintf("/dashboard.csv?%s", q);
	view_set_string(v, "csv", s);
	free(s);
	free(q);
	view_set(v, "received", dashview_count(d, d->division,
	    dashdata_total(d), "received", 0));
	nf = dashfig_list(&f);
	dashview_section(v, d, f, nf, "told");
	dashview_section(v, d, f, nf, "held");
	dashview_section(v, d, f, nf, "flags");
	dashview_section(v, d, f, nf, "failed");
	dashview_section(v, d, f, nf, "standards");
	dashview_section(v, d, f, nf, "lag");
	dashview_section(v, d, f, nf, "asked");
	dashview_section(v, d, f, nf, "answers");
	dashview_section(v, d, f, nf, "unanswered");
	dashfig_free(f, nf);
	dashview_standards(v, d, "completion");
	dashview_standards(v, d, "response");
	dashview_fix_rate(dashdata_total(d), buf, sizeof buf);
	view_set_string(v, "fix_rate", buf);
	dashview_lag(v, d);
	dashview_services(v, d);
	dashview_months(v, d);
	dashview_compare(v, d);
}
