/*
 * dashdata.c - the dashboard's figures, added up from the daily rollups
 *
 * Three reads at most, each one HGETALL per division and month, or day
 * where the month is cut or has no monthly hash, pipelined
 * (rollmonth_read()): the chosen divisions over the period and the
 * trend's months together (cut at the period's edges), the other
 * divisions the user compares over the period alone, and the chosen
 * divisions' counts by service type over the period. The counts by ward
 * are read by day. Days before the rollups' retention
 * (audit.rollup_days) and after today are not asked for: they hold
 * nothing. Of the SRs that went past their service standard in the
 * period, those still open now come from their states (rollopen.h).
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "clock.h"
#include "config.h"
#include "dashdata.h"
#include "log.h"
#include "redis.h"
#include "rollmonth.h"
#include "rollopen.h"
#include "rollup.h"
#include "rollupfold.h"
#include "rolluptab.h"
#include "session.h"
#include "xmalloc.h"

/* Make an empty one. */
struct dashdata *
dashdata_new(const struct config *cf)
{
	struct dashdata	*d;

	d = xcalloc(1, sizeof *d);
	d->cf = cf;
	return d;
}

/* Free one. */
void
dashdata_free(struct dashdata *d)
{
	size_t	i;

	if (d == NULL)
		return;
	for (i = 0; i < d->ndivs; i++)
		free(d->divs[i]);
	free(d->divs);
	free(d->division);
	free(d->ward);
	free(d->service);
	rolluptab_clear(&d->tab);
	rolluptab_clear(&d->services);
	free(d);
}

/*
 * Write the day n days after day (before, if n is negative) into out.
 * Returns 0, or -1 if day is not a date written YYYY-MM-DD.
 */
static int
dashdata_day_add(const char *day, int n, char out[DATEFMT_DAY_LEN + 1])
{
	struct tm	 tm;
	time_t		 t;
	int		 y, m, dd;
	char		 end;

	if (strlen(day) != DATEFMT_DAY_LEN || day[4] != '-' || day[7] != '-' ||
	    sscanf(day, "%4d-%2d-%2d%c", &y, &m, &dd, &end) != 3 ||
	    y < 1970 || y > 9999 || m < 1 || m > 12 || dd < 1 || dd > 31)
		return -1;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = dd;
	tm.tm_hour = 12;
	t = timegm(&tm) + (time_t)n * 86400;
	gmtime_r(&t, &tm);
	if (strftime(out, DATEFMT_DAY_LEN + 1, "%Y-%m-%d", &tm) == 0)
		return -1;
	return 0;
}

/* Return 1 if s is a real date written YYYY-MM-DD. */
static int
dashdata_day_ok(const char *s)
{
	char	same[DATEFMT_DAY_LEN + 1];

	return dashdata_day_add(s, 0, same) == 0 && strcmp(same, s) == 0;
}

/* Return a copy of s without the spaces around it, or NULL if empty. */
static char *
dashdata_trim(const char *s)
{
	size_t	len;

	if (s == NULL)
		return NULL;
	while (*s == ' ' || *s == '\t')
		s++;
	len = strlen(s);
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	return len == 0 ? NULL : xstrndup(s, len);
}

/* Set the trend's months: the 13 ending with the period's last day's. */
static void
dashdata_months(struct dashdata *d)
{
	int	y, m, i;

	sscanf(d->to, "%4d-%2d", &y, &m);
	y--;
	for (i = 0; i < DASHDATA_MONTHS; i++) {
		snprintf(d->months[i], sizeof d->months[i], "%04d-%02d", y, m);
		if (++m > 12) {
			m = 1;
			y++;
		}
	}
}

/* Set the period and the filters. */
int
dashdata_ask(struct dashdata *d, const char *from, const char *to,
    const char *ward, const char *service, const char **why)
{
	char	today[DATEFMT_DAY_LEN + 1];

	datefmt_day(d->cf->templates_timezone, clock_now(), today);
	if (to == NULL || *to == '\0')
		to = today;
	if (!dashdata_day_ok(to) || (from != NULL && *from != '\0' &&
	    !dashdata_day_ok(from))) {
		*why = "Give the dates as year, month and day: 2026-03-31.";
		return -1;
	}
	snprintf(d->to, sizeof d->to, "%s", to);
	if (from == NULL || *from == '\0')
		dashdata_day_add(d->to, -29, d->from);
	else
		snprintf(d->from, sizeof d->from, "%s", from);
	if (strcmp(d->from, d->to) > 0) {
		*why = "The period's first day is after its last.";
		return -1;
	}
	dashdata_day_add(d->to, 1, d->until);
	d->ward = dashdata_trim(ward);
	d->service = dashdata_trim(service);
	if ((d->ward != NULL && strlen(d->ward) > DASHDATA_FILTER_MAX) ||
	    (d->service != NULL && strlen(d->service) > DASHDATA_FILTER_MAX)) {
		*why = "That ward or service type is too long.";
		return -1;
	}
	if (d->ward != NULL && d->service != NULL) {
		*why = "Give a ward or a service type, not both: the counts are "
		    "kept by division and ward, or by division and service "
		    "type.";
		return -1;
	}
	d->tab.ward = d->ward;
	d->tab.service = d->service;
	dashdata_months(d);
	return 0;
}

/* Add a division to what the user sees, unless it is there. */
static void
dashdata_see(struct dashdata *d, const char *code)
{
	size_t	i;

	for (i = 0; i < d->ndivs; i++)
		if (strcmp(d->divs[i], code) == 0)
			return;
	d->divs = xreallocarray(d->divs, d->ndivs + 1, sizeof *d->divs);
	d->divs[d->ndivs++] = xstrdup(code);
}

/* Compare two strings for qsort(). */
static int
dashdata_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Fold the pending counts and find the divisions who sees. */
int
dashdata_divisions(struct dashdata *d, struct redis *r,
    const struct session *who, char **cause)
{
	char	**all = NULL;
	size_t	  n = 0, i;

	if (rollupfold_all(r, d->cf, cause) != 0)
		return -1;
	if (*cause != NULL) {
		log_warn("web: dashboard: %s", *cause);
		free(*cause);
		*cause = NULL;
	}
	if (who->role == ROLE_DIVISION) {
		for (i = 0; i < who->ndivisions; i++)
			dashdata_see(d, who->divisions[i]);
	} else {
		if (rollup_divisions(r, d->cf, &all, &n, cause) != 0)
			return -1;
		for (i = 0; i < n; i++) {
			dashdata_see(d, all[i]);
			free(all[i]);
		}
		free(all);
		for (i = 0; i < d->cf->ndivisions; i++)
			dashdata_see(d, d->cf->divisions[i].code);
	}
	if (d->ndivs > 0)
		qsort(d->divs, d->ndivs, sizeof *d->divs, dashdata_cmp);
	d->compare = who->role != ROLE_DIVISION || d->ndivs > 1;
	return 0;
}

/* Choose a division of those the user sees, or all of them. */
int
dashdata_choose(struct dashdata *d, const char *code)
{
	size_t	i;

	if ((code == NULL || *code == '\0') && d->ndivs == 1)
		code = d->divs[0];
	if (code == NULL || *code == '\0')
		return 0;
	for (i = 0; i < d->ndivs; i++) {
		if (strcasecmp(d->divs[i], code) == 0) {
			d->division = xstrdup(d->divs[i]);
			return 0;
		}
	}
	return -1;
}

/* Return 1 if counter is one the trend shows. */
static int
dashdata_trended(const char *counter)
{
	return strcmp(counter, "received") == 0 ||
	    strcmp(counter, "told") == 0 || strcmp(counter, "held") == 0;
}

/* Add one daily count to the period's rows and the trend's. */
static int
dashdata_count(const char *division, const char *day, const char *group,
    const char *counter, long long count, void *arg)
{
	struct dashdata	*d = arg;
	char		 month[8];
	int		 chosen;

	if (!rolluptab_keeps(&d->tab, group))
		return 0;
	chosen = d->division == NULL || strcmp(division, d->division) == 0;
	if (strcmp(day, d->first) >= 0 && strcmp(day, d->to) <= 0) {
		rolluptab_add(rolluptab_row(&d->tab, division, "", NULL),
		    counter, count);
		if (chosen)
			rolluptab_add(rolluptab_row(&d->tab, "", "", NULL),
			    counter, count);
	}
	if (chosen && dashdata_trended(counter) &&
	    strncmp(day, d->months[0], 7) >= 0 &&
	    strncmp(day, d->months[DASHDATA_MONTHS - 1], 7) <= 0) {
		snprintf(month, sizeof month, "%.7s", day);
		rolluptab_add(rolluptab_row(&d->tab, "", month, NULL), counter,
		    count);
	}
	return 0;
}

/* Add one daily count of a service type to its row. */
static int
dashdata_service(const char *division, const char *day, const char *group,
    const char *counter, long long count, void *arg)
{
	struct dashdata	*d = arg;

	(void)division;
	(void)day;
	/* Beside the trend's counters, what residents answered. */
	if (group != NULL && (dashdata_trended(counter) ||
	    strcmp(counter, "answer:not_fixed") == 0 ||
	    strcmp(counter, "answer:partly") == 0))
		rolluptab_add(rolluptab_row(&d->services, "", "", group),
		    counter, count);
	return 0;
}

/* Return the later of two days. */
static const char *
dashdata_later(const char *a, const char *b)
{
	return strcmp(a, b) >= 0 ? a : b;
}

/* Return the earlier of two days. */
static const char *
dashdata_earlier(const char *a, const char *b)
{
	return strcmp(a, b) <= 0 ? a : b;
}

/* Write the last day of month (YYYY-MM) into out. */
static void
dashdata_month_end(const char *month, char out[DATEFMT_DAY_LEN + 1])
{
	char	day[DATEFMT_DAY_LEN + 1];

	/* The 1st plus 31 days is in the next month; its 1st less a day. */
	snprintf(day, sizeof day, "%.7s-01", month);
	dashdata_day_add(day, 31, out);
	memcpy(out + 8, "01", 2);
	dashdata_day_add(out, -1, out);
}

/* Make every row the page shows, so that pointers to them stay valid. */
static void
dashdata_rows(struct dashdata *d)
{
	size_t	i;

	(void)dashdata_total(d);
	for (i = 0; i < d->ndivs; i++)
		(void)dashdata_division(d, d->divs[i]);
	for (i = 0; i < DASHDATA_MONTHS; i++)
		(void)dashdata_month(d, (int)i);
}

/*
 * Read the chosen divisions' counts from lo to hi in up to three parts,
 * cut where the period begins and after it ends, so that each month read
 * whole (rollmonth.h) is inside the period or outside it.
 */
static int
dashdata_span(struct dashdata *d, struct redis *r,
    const char *const *chosen, size_t nchosen, const char *lo,
    const char *hi, const char *plast, enum rollup_by by, char **cause)
{
	char		 from[DATEFMT_DAY_LEN + 1], end[DATEFMT_DAY_LEN + 1];
	const char	*cut[3];
	int		 i;

	dashdata_day_add(d->first, -1, end);
	cut[0] = end;
	cut[1] = plast;
	cut[2] = hi;
	snprintf(from, sizeof from, "%s", lo);
	for (i = 0; i < 3; i++) {
		cut[i] = dashdata_earlier(cut[i], hi);
		if (strcmp(from, cut[i]) > 0)
			continue;
		if (rollmonth_read(r, d->cf, chosen, nchosen, from, cut[i], by,
		    dashdata_count, d, cause) != 0)
			return -1;
		dashdata_day_add(cut[i], 1, from);
	}
	return 0;
}

/*
 * Count the chosen divisions' SRs past their standard, work still open
 * now, of those that went past it from the period's first day to last.
 */
static int
dashdata_open(struct dashdata *d, struct redis *r,
    const char *const *chosen, size_t nchosen, const char *last,
    char **cause)
{
	size_t	n, i;

	for (i = 0; i < nchosen; i++) {
		if (rollopen_count(r, d->cf, chosen[i], d->first, last,
		    d->ward, d->service, &n, cause) != 0)
			return -1;
		rolluptab_add(dashdata_total(d), ROLLOPEN_COUNTER,
		    (long long)n);
		rolluptab_add(dashdata_division(d, chosen[i]),
		    ROLLOPEN_COUNTER, (long long)n);
	}
	return 0;
}

/* Read the figures. */
int
dashdata_read(struct dashdata *d, struct redis *r, char **cause)
{
	char			 today[DATEFMT_DAY_LEN + 1];
	char			 kept[DATEFMT_DAY_LEN + 1];
	char			 tfirst[DATEFMT_DAY_LEN + 1];
	char			 tlast[DATEFMT_DAY_LEN + 1];
	const char		*lo, *hi, *plast, *const *chosen;
	const char		**others;
	size_t			 nchosen, nothers = 0, i;
	enum rollup_by		 by;
	int			 rc = 0;
	int64_t			 now = clock_now();

	dashdata_rows(d);
	datefmt_day(d->cf->templates_timezone, now, today);
	datefmt_day(d->cf->templates_timezone, now -
	    d->cf->audit_rollup_days * 86400000, kept);
	snprintf(d->first, sizeof d->first, "%s", dashdata_later(d->from,
	    kept));
	d->clipped = strcmp(d->from, kept) < 0;
	snprintf(tfirst, sizeof tfirst, "%s-01", d->months[0]);
	dashdata_month_end(d->months[DASHDATA_MONTHS - 1], tlast);
	/* The period and the trend, from the first day kept to today. */
	lo = dashdata_later(dashdata_earlier(d->first, tfirst), kept);
	hi = dashdata_earlier(dashdata_later(d->to, tlast), today);
	plast = dashdata_earlier(d->to, today);
	if (d->ndivs == 0)
		return 0;
	by = d->ward != NULL ? ROLLUP_WARD : d->service != NULL ?
	    ROLLUP_SERVICE : ROLLUP_DIVISION;
	chosen = (const char *const *)d->divs;
	nchosen = d->ndivs;
	if (d->division != NULL) {
		chosen = (const char *const *)&d->division;
		nchosen = 1;
	}
	if (dashdata_span(d, r, chosen, nchosen, lo, hi, plast, by,
	    cause) != 0)
		return -1;
	if (strcmp(d->first, plast) > 0)
		return 0;
	others = xcalloc(d->ndivs, sizeof *others);
	for (i = 0; d->compare && d->division != NULL && i < d->ndivs; i++)
		if (strcmp(d->divs[i], d->division) != 0)
			others[nothers++] = d->divs[i];
	if (nothers > 0)
		rc = rollmonth_read(r, d->cf, (const char *const *)others,
		    nothers, d->first, plast, by, dashdata_count, d, cause);
	free(others);
	if (rc == 0)
		rc = dashdata_open(d, r, chosen, nchosen, plast, cause);
	if (rc == 0 && d->ward == NULL && d->service == NULL) {
		rc = rollmonth_read(r, d->cf, chosen, nchosen, d->first,
		    plast, ROLLUP_SERVICE, dashdata_service, d, cause);
		d->by_service = 1;
	}
	return rc;
}

/* Return the chosen divisions' row over the period. */
struct rolluptab_row *
dashdata_total(struct dashdata *d)
{
	return rolluptab_row(&d->tab, "", "", NULL);
}

/* Return a division's row over the period. */
struct rolluptab_row *
dashdata_division(struct dashdata *d, const char *division)
{
	return rolluptab_row(&d->tab, division, "", NULL);
}

/* Return the trend's row of month i. */
struct rolluptab_row *
dashdata_month(struct dashdata *d, int i)
{
	return rolluptab_row(&d->tab, "", d->months[i], NULL);
}

/* Rank the service types and keep the top n. */
size_t
dashdata_top(struct dashdata *d, size_t n, const struct rolluptab_row ***out)
{
	const struct rolluptab_row	**v;
	size_t				  i;

	v = xcalloc(d->services.n + 1, sizeof *v);
	for (i = 0; i < d->services.n; i++)
		v[i] = &d->services.rows[i];
	rolluptab_rank(v, d->services.n);
	*out = v;
	return d->services.n < n ? d->services.n : n;
}

