/*
 * report.c - "closeloop report": counts per division, for divisions
 *
 * The counts come from the daily rollups (rollup.h), written in the same
 * transaction as the decisions they count: a year is a few hundred hashes
 * per division, read in one pipeline each. They are added up per division
 * and period (the whole time asked, or each day, week or month) in a
 * table (rolluptab.h, shared with the console's dashboard), by ward
 * or by service type on request; --top ranks service types by events
 * received. --list prints the trail's entries behind one count instead
 * (reportlist.c): of the SRs the rollups list for the counts that keep
 * their SRs, else from the stream of every entry. reportout.c prints.
 *
 * "Misleading closures held back" are the closures a resident would
 * otherwise have been told as completed (decision_misleading()). A
 * message counts as failed where it failed; an operator's retry that then
 * sends it takes the failure back off its day (dead.c).
 */
#include "build.h"

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>

#include "clock.h"
#include "config.h"
#include "datefmt.h"
#include "redis.h"
#include "redisconn.h"
#include "report.h"
#include "reportlist.h"
#include "reportout.h"
#include "rollmonth.h"
#include "rollopen.h"
#include "rollup.h"
#include "rollupfold.h"
#include "rolluptab.h"
#include "xmalloc.h"

/* Parse --by; 0 if unknown. */
static char
report_by(const char *s)
{
	if (strcmp(s, "day") == 0)
		return 'd';
	if (strcmp(s, "week") == 0)
		return 'w';
	if (strcmp(s, "month") == 0)
		return 'm';
	return 0;
}

/*
 * Keep the divisions whose code is division (in any case), or all if it
 * is NULL, at the front of list; return how many. The others are freed.
 */
static size_t
report_keep(char **list, size_t n, const char *division)
{
	size_t	i, k = 0;

	for (i = 0; i < n; i++) {
		if (division == NULL || strcasecmp(list[i], division) == 0)
			list[k++] = list[i];
		else
			free(list[i]);
	}
	return k;
}

/* Say on stderr what part of the time asked is older than what is kept. */
static void
report_too_old(const struct config *cf, int64_t since, int64_t days,
    const char *what, const char *verb, const char *key)
{
	char	first[DATEFMT_DAY_LEN + 1];
	int64_t	kept = clock_now() - days * 86400000;

	if (since >= kept)
		return;
	datefmt_day(cf->templates_timezone, kept, first);
	fprintf(stderr, "closeloop report: %s before %s %s no longer kept "
	    "(%s = %lld days)\n", what, first, verb, key, (long long)days);
}

/*
 * Add to each row of t, a whole time's (a division's, or its ward's or
 * service type's asked for), the count of its SRs that went past their
 * service standard from first to last and are still past it with work
 * open now (rollopen.h).
 */
static int
report_open(struct redis *r, const struct config *cf, struct rolluptab *t,
    const char *first, const char *last, char **cause)
{
	size_t	i, n;

	for (i = 0; i < t->n; i++) {
		if (rollopen_count(r, cf, t->rows[i].division, first, last,
		    t->ward, t->service, &n, cause) != 0)
			return -1;
		rolluptab_add(&t->rows[i], ROLLOPEN_COUNTER, (long long)n);
	}
	return 0;
}

/* Print the usage. */
static void
report_usage(void)
{
	fprintf(stderr, "usage: closeloop report --since WHEN [--until WHEN] "
	    "[--division CODE]\n"
	    "           [--ward WARD | --service TYPE | --top N] "
	    "[--by day|week|month]\n"
	    "           [--json | --csv] [--list KIND]\n");
}

/* Run "closeloop report". */
int
report_run(const struct config *cf, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "csv", no_argument, NULL, 'c' },
		{ "since", required_argument, NULL, 's' },
		{ "until", required_argument, NULL, 'u' },
		{ "division", required_argument, NULL, 'D' },
		{ "ward", required_argument, NULL, 'W' },
		{ "service", required_argument, NULL, 'S' },
		{ "by", required_argument, NULL, 'b' },
		{ "top", required_argument, NULL, 't' },
		{ "list", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 }
	};
	struct rolluptab	 tab, svc;
	struct reportout	 o;
	struct redis		*r = NULL;
	const char		*since_s = NULL, *until_s = NULL, *list = NULL;
	const char		*division = NULL;
	char			*cause = NULL, **divs = NULL, *end;
	char			 first[DATEFMT_DAY_LEN + 1];
	char			 last[DATEFMT_DAY_LEN + 1];
	int64_t			 since = 0, until = 0;
	size_t			 ndivs = 0, i;
	enum rollup_by		 by = ROLLUP_DIVISION;
	int			 ch, rc = EX_USAGE;
	long			 top;
	int			 ntop = 0;

	memset(&tab, 0, sizeof tab);
	memset(&svc, 0, sizeof svc);
	memset(&o, 0, sizeof o);
	optind = 0;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			o.format = 'j';
			break;
		case 'c':
			o.format = 'c';
			break;
		case 's':
			since_s = optarg;
			break;
		case 'u':
			until_s = optarg;
			break;
		case 'D':
			division = optarg;
			break;
		case 'W':
			tab.ward = optarg;
			break;
		case 'S':
			tab.service = optarg;
			break;
		case 'l':
			list = optarg;
			break;
		case 'b':
			if ((tab.by = report_by(optarg)) == 0) {
				fprintf(stderr, "closeloop report: --by %s: "
				    "give day, week or month\n", optarg);
				goto usage;
			}
			break;
		case 't':
			top = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || top < 1 ||
			    top > 1000) {
				fprintf(stderr, "closeloop report: --top %s: "
				    "give a number from 1 to 1000\n", optarg);
				goto usage;
			}
			ntop = (int)top;
			break;
		default:
			goto usage;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "closeloop report: unexpected \"%s\"\n",
		    argv[optind]);
		goto usage;
	}
	if (since_s == NULL) {
		fprintf(stderr, "closeloop report: --since is required\n");
		goto usage;
	}
	if ((tab.ward != NULL) + (tab.service != NULL) + (ntop != 0) > 1) {
		fprintf(stderr, "closeloop report: give one of --ward, "
		    "--service and --top: the counts are kept by division and "
		    "ward, or by division and service type\n");
		goto usage;
	}
	if (datefmt_parse_when(since_s, cf->templates_timezone, clock_now(),
	    &since, &cause) != 0 || (until_s != NULL &&
	    datefmt_parse_when(until_s, cf->templates_timezone, clock_now(),
	    &until, &cause) != 0)) {
		fprintf(stderr, "closeloop report: %s\n", cause);
		rc = EX_DATAERR;
		goto fail;
	}
	if (until != 0 && since > until) {
		fprintf(stderr, "closeloop report: --since (%s) is later than "
		    "--until (%s)\n", since_s, until_s);
		goto usage;
	}
	if (until == 0)
		until = clock_now();
	if ((r = redisconn_open(cf, &cause)) == NULL)
		goto unavailable;
	/* The counts of the last second's steps may wait to be folded. */
	if (rollupfold_all(r, cf, &cause) != 0)
		goto unavailable;
	if (cause != NULL) {
		fprintf(stderr, "closeloop report: %s\n", cause);
		free(cause);
		cause = NULL;
	}
	if (list != NULL) {
		report_too_old(cf, since, cf->audit_retain_days, "the trail",
		    "is", "audit.retain_days");
		if (rollopen_listed(list))
			report_too_old(cf, since, cf->audit_rollup_days,
			    "counts", "are", "audit.rollup_days");
		rc = reportlist_run(r, cf, since, until, division, tab.ward,
		    tab.service, list, o.format == 'j', &cause);
		if (rc == EX_UNAVAILABLE)
			goto unavailable;
		goto fail;
	}
	report_too_old(cf, since, cf->audit_rollup_days, "counts", "are",
	    "audit.rollup_days");
	if (rollup_divisions(r, cf, &divs, &ndivs, &cause) != 0)
		goto unavailable;
	ndivs = report_keep(divs, ndivs, division);
	datefmt_day(cf->templates_timezone, since, first);
	datefmt_day(cf->templates_timezone, until > since ? until - 1 : until,
	    last);
	by = tab.ward != NULL ? ROLLUP_WARD : tab.service != NULL ||
	    ntop != 0 ? ROLLUP_SERVICE : ROLLUP_DIVISION;
	/* By day or week, a month's counts read whole would not do. */
	if (ndivs > 0 && (tab.by == 'd' || tab.by == 'w' ? rollup_read :
	    rollmonth_read)(r, cf, (const char *const *)divs, ndivs, first,
	    last, by, rolluptab_count, &tab, &cause) != 0)
		goto unavailable;
	rolluptab_sort(&tab);
	/*
	 * The SRs still past their standard, now: read per row, so not for
	 * periods (--by) nor for every service type ranked (--top).
	 */
	if (tab.by == 0 && ntop == 0 && report_open(r, cf, &tab, first,
	    last, &cause) != 0)
		goto unavailable;
	/* A division's block names its service types answered not fixed. */
	if (ndivs > 0 && by == ROLLUP_DIVISION && o.format == 0 &&
	    tab.by == 0) {
		svc.by = 0;
		if (rollmonth_read(r, cf, (const char *const *)divs, ndivs,
		    first, last, ROLLUP_SERVICE, rolluptab_count, &svc,
		    &cause) != 0)
			goto unavailable;
		rolluptab_sort(&svc);
		o.services = &svc;
	}
	o.cf = cf;
	o.first = first;
	o.last = last;
	o.by = tab.by;
	o.top = ntop;
	o.division = division;
	o.ward = tab.ward;
	o.service = tab.service;
	reportout_print(&o, &tab);
	rc = 0;
	goto fail;
unavailable:
	fprintf(stderr, "closeloop report: %s\n", cause);
	rc = EX_UNAVAILABLE;
	goto fail;
usage:
	report_usage();
fail:
	for (i = 0; i < ndivs; i++)
		free(divs[i]);
	free(divs);
	rolluptab_clear(&tab);
	rolluptab_clear(&svc);
	free(cause);
	redis_free(r);
	return rc;
}
